"""From a source of frames to a finished file: the output's suffix picks GIF, MP4 or PNG.

A *frame source* is anything with

    count            the number of frames (steps + 1)
    size             (width, height) in pixels
    frame(k)         frame k as an RGB(X) array or PIL image (see frames.py)
    key_colors       (optional) colours a GIF palette must hold exactly
    patches(k)       (optional) frame k as what changed since the frame drawn
                     before it: [(x, y, RGB(X) array), ...]; a GIF is written
                     from frame(0) and patches(1), patches(2), ...

so this module never touches Qt; ``render.ViewFrames`` is the source made
from the app's own views. Every file is written to a temporary file beside
the destination and renamed only when complete (``atomic_path``): a cancel
(``Cancelled`` raised from the progress callback), an error in the frame
loop or a full disk leaves neither a file nor a temporary file behind.
"""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path
from typing import Callable, Iterator, Protocol

from ..core.errors import ConfigError
from ..core.files import atomic_path
from .frames import as_pil
from . import gif_pipe
from .gif_pipe import EncoderFailed, GifPipe
from .mp4 import MP4_MISSING, Mp4Writer, mp4_available

ANIMATION_SUFFIXES = (".gif", ".mp4")
IMAGE_SUFFIXES = (".png",)
SUFFIXES = ANIMATION_SUFFIXES + IMAGE_SUFFIXES

Progress = Callable[[int, int], None]   # progress(frames_done, frames_total); may raise Cancelled


class Cancelled(Exception):
    """Raised by a progress callback to stop an export; nothing is left behind."""


class FrameSource(Protocol):
    count: int
    size: tuple[int, int]

    def frame(self, k: int): ...


def output_kind(path: str | os.PathLike) -> str:
    """"gif", "mp4" or "png" from the file name; anything else is a ConfigError."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise ConfigError(f"Cannot export to '{Path(path).name}': the file name must end in "
                          f"{', '.join(SUFFIXES[:-1])} or {SUFFIXES[-1]}.")
    if suffix == ".mp4" and not mp4_available():
        raise ConfigError(MP4_MISSING)
    return suffix[1:]


def check_destination(path: str | os.PathLike) -> None:
    """Fail early, in one sentence, when the output's folder is missing or not writable."""
    folder = Path(path).parent
    if not folder.is_dir():
        raise ConfigError(f"Cannot write {os.fspath(path)}: the folder {os.fspath(folder)} "
                          f"does not exist.")
    if Path(path).is_dir():
        raise ConfigError(f"Cannot write {os.fspath(path)}: it is a folder.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ConfigError(f"Cannot write {os.fspath(path)}: permission denied.")


def export_frames(path: str | os.PathLike, source: FrameSource, fps: float = 10.0,
                  progress: Progress | None = None) -> None:
    """Write ``source`` to ``path`` (.gif or .mp4: every frame; .png: the last frame)."""
    kind = output_kind(path)
    check_destination(path)
    tick = progress or (lambda done, total: None)
    with atomic_path(path) as tmp:
        if kind == "png":
            tick(0, 1)
            write_png(tmp, source.frame(source.count - 1))
            tick(1, 1)
        elif kind == "gif":
            try:
                _write_gif(tmp, source, fps, tick)
            except EncoderFailed as e:        # the encoder failed or its process died
                raise ConfigError(f"Cannot write {os.fspath(path)}: {e}.") from None
        else:
            _write_mp4(tmp, source, fps, tick)


def write_png(path: str | os.PathLike, frame) -> None:
    """One frame as an RGB PNG (format forced, so ``path`` may be a temporary name)."""
    as_pil(frame).save(path, format="PNG", compress_level=6)


def _write_gif(tmp: Path, source: FrameSource, fps: float, tick: Progress) -> None:
    n = source.count
    tick(0, n + 1)
    backend = gif_pipe.default_backend(source.size, n)
    reserve = getattr(source, "key_colors", ())
    with GifPipe(tmp, source.size, fps, reserve, backend=backend) as gif:
        # The first and the last frame between them hold nearly every colour: the
        # background, every path, the legend. One palette for all frames (a middle
        # frame as a third sample made the blog example's colours no closer).
        if n > 1:
            gif.sample(source.frame(n - 1))
        tick(1, n + 1)
        patches = getattr(source, "patches", None)
        for k in range(n):
            if k == 0 or patches is None:
                gif.frame(source.frame(k))
            else:
                gif.patches(patches(k))
            tick(k + 2, n + 1)
    with open(tmp, "rb") as fp:
        os.fsync(fp.fileno())


def _write_mp4(tmp: Path, source: FrameSource, fps: float, tick: Progress) -> None:
    n = source.count
    tick(0, n)
    with Mp4Writer(tmp, source.size, fps) as mp4:
        _pipelined((source.frame(k) for k in range(n)), mp4.write, lambda k: tick(k + 1, n))


def _pipelined(frames: Iterator, consume: Callable, done: Callable[[int], None]) -> None:
    """Draw frames here (Qt wants its own thread) while ``consume`` writes the
    previous one on a worker thread (the pipe to ffmpeg releases the GIL, so
    the two cores overlap). At most two frames wait in between. An error on
    either side (a cancel from ``done`` included) stops both and is raised here.
    (GIFs go through gif_pipe.py instead: their encoding holds the GIL.)
    """
    todo: queue.Queue = queue.Queue(maxsize=2)
    failure: list[BaseException] = []
    stop = object()

    def work() -> None:
        while True:
            item = todo.get()
            if item is stop:
                return
            if not failure:
                try:
                    consume(item)
                except BaseException as e:  # re-raised on the drawing thread
                    failure.append(e)

    worker = threading.Thread(target=work, name="optiviz-encoder", daemon=True)
    worker.start()
    try:
        for k, frame in enumerate(frames):
            if failure:
                break
            todo.put(frame)
            del frame
            done(k)
    finally:
        todo.put(stop)
        worker.join()
    if failure:
        raise failure[0]
