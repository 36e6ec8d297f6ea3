"""Frames as the encoders take them: numpy uint8 arrays or PIL images, no Qt.

A frame is one of
    (h, w, 3) uint8   RGB
    (h, w, 4) uint8   RGBX or RGBA in that byte order (alpha is ignored)
    a PIL image       any mode Pillow can convert to RGB
"""

from __future__ import annotations

import sys

import numpy as np


def _is_pil(frame) -> bool:
    """Whether ``frame`` is a PIL image (without importing Pillow when nothing has)."""
    image = sys.modules.get("PIL.Image")
    return image is not None and isinstance(frame, image.Image)


def frame_size(frame) -> tuple[int, int]:
    """(width, height) of a frame."""
    if _is_pil(frame):
        return frame.size
    a = np.asarray(frame)
    return int(a.shape[1]), int(a.shape[0])


def as_pil(frame):
    """The frame as an RGB PIL image (a copy for arrays; the image itself if already RGB)."""
    from PIL import Image
    if isinstance(frame, Image.Image):
        return frame if frame.mode == "RGB" else frame.convert("RGB")
    a = _check(frame)
    raw = "RGB" if a.shape[2] == 3 else "RGBX"
    return Image.frombytes("RGB", (a.shape[1], a.shape[0]),
                           memoryview(np.ascontiguousarray(a)), "raw", raw)


def as_rgb(frame) -> np.ndarray:
    """The frame as a contiguous (h, w, 3) uint8 array."""
    if _is_pil(frame):
        return np.asarray(as_pil(frame))
    a = _check(frame)
    return np.ascontiguousarray(a[:, :, :3])


def as_u32(frame) -> np.ndarray:
    """One uint32 per pixel (R | G<<8 | B<<16), for fast "what changed" comparisons."""
    if _is_pil(frame):
        a = np.asarray(frame.convert("RGBX"))
    else:
        a = _check(frame)
    if a.shape[2] == 4:
        a = np.ascontiguousarray(a)
        return a.view(np.uint32)[:, :, 0] & np.uint32(0x00FFFFFF if _little() else 0xFFFFFF00)
    r, g, b = (a[:, :, i].astype(np.uint32) for i in range(3))
    return r | (g << 8) | (b << 16)


def _little() -> bool:
    return np.little_endian


def _check(frame) -> np.ndarray:
    a = np.asarray(frame)
    if a.dtype != np.uint8 or a.ndim != 3 or a.shape[2] not in (3, 4):
        raise ValueError(f"a frame must be an (h, w, 3|4) uint8 array, got {a.dtype} {a.shape}")
    return a
