"""A streaming animated-GIF writer: frames are encoded as they arrive, never all held.

Pillow's ``save(save_all=True, append_images=...)`` keeps every quantised
frame in a list before writing the first byte (``_write_multiple_frames``
in GifImagePlugin), which for 101 frames of 2000×1125 is 230 MB. This
writer keeps two frames: the previous one (to find what changed) and the
one waiting for its duration.

The file (GIF89a)::

    header, logical screen (w, h), global colour table (the shared palette)
    NETSCAPE2.0 application block, loop count 0 (= forever)
    per frame: graphic control extension (delay, disposal 1 = keep,
               transparent index), image descriptor, LZW data (Pillow's encoder)
    trailer ';'

Colours: one palette shared by every frame (255 colours + 1 transparent
index), made from sample frames (the first and the last) with
the path colours reserved exactly, and applied by exact nearest-colour
mapping, no dither (palette.py).
A shared palette means no colour flicker between frames and makes delta
frames exact: frame k > 0 stores only the bounding box of the pixels that
changed, with unchanged pixels inside it transparent, so a 2000×1125
contour frame whose paths grew a little costs a few kilobytes.

Timing: GIF delays are whole centiseconds. Frame k is shown from
``round(k·100/fps)`` to ``round((k+1)·100/fps)`` cs, so the average rate is
exact (30 fps: 3, 3, 4 cs, ...), every delay is at least 2 cs (browsers
show shorter delays as 10 cs), and the last frame is held ``hold_last_ms``
so the end state can be read before the loop restarts.
"""

from __future__ import annotations

import struct
from typing import BinaryIO, Iterable

import numpy as np
from PIL import GifImagePlugin, Image

from .frames import as_u32
from .palette import TRANSPARENT, NearestColour, make_palette  # noqa: F401 (re-exported)
MIN_DELAY_CS = 2
HOLD_LAST_MS = 2000


def frame_delays_cs(n: int, fps: float, hold_last_ms: int = HOLD_LAST_MS) -> list[int]:
    """The delay of each of ``n`` frames in centiseconds (see the module docstring)."""
    if n <= 0:
        return []
    return [_delay_cs(k, fps) for k in range(n - 1)] + [_last_delay_cs(fps, hold_last_ms)]


def _delay_cs(k: int, fps: float) -> int:
    return max(MIN_DELAY_CS, round((k + 1) * 100 / fps) - round(k * 100 / fps))


def _last_delay_cs(fps: float, hold_last_ms: int) -> int:
    return max(MIN_DELAY_CS, round(100 / fps), round(hold_last_ms / 10))


class GifWriter:
    """``with GifWriter(f, (w, h), fps, palette) as gif: gif.write(frame)`` for each frame.

    ``f`` is a binary file opened for writing; frames are (h, w, 3) RGB or
    (h, w, 4) RGBX uint8 arrays or PIL images of size (w, h). ``palette`` is
    an (n ≤ 255, 3) array from ``make_palette``; without one the first
    frame's colours are used. Leaving the ``with`` block by an exception
    writes nothing more (the caller removes the file).
    """

    def __init__(self, fp: BinaryIO, size: tuple[int, int], fps: float,
                 palette: np.ndarray | None = None, hold_last_ms: int = HOLD_LAST_MS) -> None:
        if not fps > 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self._fp = fp
        self._size = (int(size[0]), int(size[1]))
        self._fps = float(fps)
        self._hold_ms = hold_last_ms
        self._palette = None if palette is None else np.asarray(palette, np.uint8)[:TRANSPARENT]
        self._nearest = None if self._palette is None else NearestColour(self._palette)
        self._table = b""
        self._count = 0
        self._prev: np.ndarray | None = None     # previous frame as (h, w) uint32 keys
        self._pending: tuple[bool, list[bytes]] | None = None
        self._closed = False

    def learn_colours(self, keys) -> None:
        """Map these distinct colour keys to the palette now (an encoder that has
        counted the first frame's colours saves finding them again)."""
        if self._nearest is not None:
            self._nearest.learn(np.asarray(keys, np.uint32))

    @property
    def frames_written(self) -> int:
        """Frames received so far (the last one is written on close)."""
        return self._count

    def __enter__(self) -> "GifWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()

    def write(self, frame) -> None:
        """Add one frame; it is encoded now and written when its delay is known."""
        if self._closed:
            raise ValueError("the GIF is closed")
        key = as_u32(frame)
        if key.shape != (self._size[1], self._size[0]):
            raise ValueError(f"frame is {key.shape[1]}x{key.shape[0]}, "
                             f"the GIF is {self._size[0]}x{self._size[1]}")
        if self._count == 0:
            self._start(frame)
            encoded = (False, self._encode(self._nearest(key), (0, 0)))
        else:
            encoded = (True, self._encode_delta(key))
        self._prev = key
        self._flush_pending(_delay_cs(self._count - 1, self._fps))
        self._pending = encoded
        self._count += 1

    def write_patches(self, patches) -> None:
        """Add one frame given as the previous frame with some rectangles replaced:
        ``patches`` is a list of (x, y, array) with arrays as in ``write``."""
        if self._closed:
            raise ValueError("the GIF is closed")
        if self._count == 0:
            raise ValueError("the first frame of a GIF must be written whole")
        self._flush_pending(_delay_cs(self._count - 1, self._fps))
        self._pending = (True, self._encode_patches(patches))
        self._count += 1

    def close(self) -> None:
        """Write the last frame (held ``hold_last_ms``) and the trailer."""
        if self._closed:
            return
        if self._count == 0:
            raise ValueError("a GIF needs at least one frame")
        self._flush_pending(_last_delay_cs(self._fps, self._hold_ms))
        self._fp.write(b";")
        self._fp.flush()
        self._closed = True
        self._prev = self._nearest = None

    # ------------------------------------------------------------ internals
    def _start(self, first_frame) -> None:
        """Palette, global colour table and looping block, before the first frame."""
        if self._palette is None:
            self._palette = make_palette([first_frame])
        if self._nearest is None:
            self._nearest = NearestColour(self._palette)
        table = np.zeros((256, 3), np.uint8)          # unused entries black, never chosen;
        table[: len(self._palette)] = self._palette   # entry 255 is the transparent one
        self._table = table.tobytes()
        w, h = self._size
        self._fp.write(b"GIF89a" + struct.pack("<HHBBB", w, h, 0xF7, 0, 0) + self._table)
        # NETSCAPE2.0 looping extension: sub-block id 1, loop count 0 = forever
        self._fp.write(b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", 0) + b"\0")

    def _encode_delta(self, key: np.ndarray) -> list[bytes]:
        return self._encode_changes([_changes(key, self._prev, 0, 0)])

    def _encode_patches(self, patches) -> list[bytes]:
        """Compare each patch with the previous frame, remember it, encode the changes."""
        w, h = self._size
        found = []
        for x, y, a in patches:
            key = as_u32(a)
            ph, pw = key.shape
            x, y = int(x), int(y)
            if x < 0 or y < 0 or x + pw > w or y + ph > h:
                raise ValueError(f"a {pw}x{ph} patch at ({x}, {y}) does not fit in {w}x{h}")
            prev = self._prev[y:y + ph, x:x + pw]
            found.append(_changes(key, prev, x, y))
            prev[...] = key
        return self._encode_changes(found)

    def _encode_changes(self, found) -> list[bytes]:
        """One image of the bounding box of all changed pixels (others transparent)."""
        found = [f for f in found if f is not None]
        if not found:  # identical frame: one transparent pixel keeps the frame count
            return self._encode(np.full((1, 1), TRANSPARENT, np.uint8), (0, 0))
        left = min(f[0] for f in found)
        top = min(f[1] for f in found)
        right = max(f[0] + f[2].shape[1] for f in found)
        bottom = max(f[1] + f[2].shape[0] for f in found)
        idx = np.full((bottom - top, right - left), TRANSPARENT, dtype=np.uint8)
        for x, y, changed, key in found:
            sub = idx[y - top: y - top + changed.shape[0], x - left: x - left + changed.shape[1]]
            sub[changed] = self._nearest(key[changed])
        return self._encode(idx, (int(left), int(top)))

    def _encode(self, idx: np.ndarray, offset: tuple[int, int]) -> list[bytes]:
        """Image descriptor + LZW data for palette indices, via Pillow's public ``getdata``.

        No duration or transparency is passed, so Pillow writes no graphic
        control extension of its own; ours goes in front when the delay is known.
        """
        im = Image.frombytes("P", (idx.shape[1], idx.shape[0]), np.ascontiguousarray(idx).tobytes())
        im.putpalette(self._table)
        return [bytes(c) for c in GifImagePlugin.getdata(im, offset)]

    def _flush_pending(self, delay_cs: int) -> None:
        if self._pending is None:
            return
        transparent, chunks = self._pending
        flags = (1 << 2) | (1 if transparent else 0)   # disposal 1 (keep), transparency flag
        self._fp.write(b"!\xf9\x04" + struct.pack("<BHB", flags, delay_cs, TRANSPARENT) + b"\0")
        for chunk in chunks:
            self._fp.write(chunk)
        self._pending = None


def _changes(key: np.ndarray, prev: np.ndarray, x: int, y: int):
    """(x, y, mask, keys) of the box of pixels where ``key`` differs from ``prev``
    (placed at x, y in the frame), or None when nothing differs."""
    changed = key != prev
    rows = np.flatnonzero(changed.any(axis=1))
    if len(rows) == 0:
        return None
    top, bottom = rows[0], rows[-1] + 1
    cols = np.flatnonzero(changed[top:bottom].any(axis=0))
    left, right = cols[0], cols[-1] + 1
    return (x + int(left), y + int(top), changed[top:bottom, left:right],
            key[top:bottom, left:right])


def write_gif(fp: BinaryIO, frames: Iterable, size: tuple[int, int], fps: float,
              palette: np.ndarray | None = None, hold_last_ms: int = HOLD_LAST_MS) -> int:
    """Stream ``frames`` into ``fp``; returns the number of frames."""
    with GifWriter(fp, size, fps, palette, hold_last_ms) as gif:
        for frame in frames:
            gif.write(frame)
        return gif.frames_written
