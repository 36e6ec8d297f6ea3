"""MP4 (H.264) by piping raw frames into the ffmpeg that the imageio-ffmpeg package ships.

MP4 is optional: ``pip install imageio-ffmpeg`` (the ``mp4`` extra) brings a
static ffmpeg binary; without it ``mp4_available()`` is False and
``MP4_MISSING`` is the sentence to show. Frames stream through a pipe, so
memory stays at one frame. The video is yuv420p (what every player takes),
padded to even width and height (H.264 needs it) and ends with the last
frame held ``hold_last_s`` seconds, like the GIF.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from fractions import Fraction
from functools import lru_cache
from typing import BinaryIO

import numpy as np

from ..core.errors import ConfigError
from .frames import as_rgb, frame_size

MP4_MISSING = ("MP4 export needs the imageio-ffmpeg package "
               "(pip install imageio-ffmpeg); GIF and PNG work without it.")


def ffmpeg_exe() -> str | None:
    """The ffmpeg binary shipped by imageio-ffmpeg, or None when it is not installed."""
    try:
        import imageio_ffmpeg
        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        return None


def mp4_available() -> bool:
    return ffmpeg_exe() is not None


class Mp4Writer:
    """``with Mp4Writer(path, (w, h), fps) as mp4: mp4.write(frame)``; see the module docstring.

    ``path`` may have any suffix (the container is forced to MP4), so it can
    be the temporary file of ``atomic_path``. ffmpeg's complaints become one
    ConfigError sentence; leaving the block by an exception kills ffmpeg.
    """

    def __init__(self, path: str | os.PathLike, size: tuple[int, int], fps: float,
                 hold_last_s: float = 2.0, crf: int = 18) -> None:
        exe = ffmpeg_exe()
        if exe is None:
            raise ConfigError(MP4_MISSING)
        self._size = (int(size[0]), int(size[1]))
        self._log: BinaryIO = tempfile.TemporaryFile()
        w, h = self._size
        rate = Fraction(fps).limit_denominator(1000)
        filters = "pad=ceil(iw/2)*2:ceil(ih/2)*2"
        if hold_last_s > 0:
            filters += f",tpad=stop_mode=clone:stop_duration={hold_last_s:g}"
        cmd = [exe, "-nostdin", "-y", "-v", "error",
               "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-r", str(rate), "-i", "-",
               "-an", "-vf", filters, "-c:v", _h264(), "-pix_fmt", "yuv420p",
               "-crf", str(crf), "-preset", "fast", "-movflags", "+faststart",
               "-f", "mp4", os.fspath(path)]
        self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                      stderr=self._log)
        self._count = 0

    def __enter__(self) -> "Mp4Writer":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def write(self, frame) -> None:
        if frame_size(frame) != self._size:
            raise ValueError(f"frame is {frame_size(frame)}, the video is {self._size}")
        data = np.ascontiguousarray(as_rgb(frame))
        try:
            self._proc.stdin.write(memoryview(data))
        except (BrokenPipeError, OSError):
            self.abort()
            raise ConfigError(self._failure()) from None
        self._count += 1

    def close(self) -> None:
        if self._proc.stdin and not self._proc.stdin.closed:
            try:
                self._proc.stdin.close()
            except OSError:
                pass
        code = self._proc.wait()
        if code != 0 or self._count == 0:
            raise ConfigError(self._failure())
        self._log.close()

    def abort(self) -> None:
        """Stop ffmpeg at once (cancel or error); the caller removes the file."""
        if self._proc.poll() is None:
            self._proc.kill()
        try:
            self._proc.stdin.close()
        except OSError:
            pass
        self._proc.wait()

    def _failure(self) -> str:
        self._log.seek(0)
        lines = [ln.strip() for ln in self._log.read().decode("utf-8", "replace").splitlines()
                 if ln.strip()]
        self._log.close()
        if self._count == 0 and not lines:
            return "The MP4 has no frames."
        reason = lines[-1].rstrip(".") if lines else f"exit status {self._proc.returncode}"
        return f"ffmpeg could not write the MP4: {reason}."


@lru_cache(maxsize=1)
def _h264() -> str:
    """The best H.264 encoder of that ffmpeg (libx264 in imageio-ffmpeg's builds)."""
    try:
        from imageio_ffmpeg._io import get_first_available_h264_encoder
        return get_first_available_h264_encoder()
    except (ImportError, RuntimeError, AttributeError):
        return "libx264"
