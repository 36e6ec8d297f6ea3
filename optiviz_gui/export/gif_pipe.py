"""GIF encoding beside the drawing: in a child process (the default), or in a thread.

Drawing a frame (Qt, Python) and encoding it (numpy, Pillow's LZW, which
holds the GIL) both need the interpreter, so in one process they take turns.
``GifPipe`` hands the frames to an encoder of its own instead: with
``backend="process"`` a second process (gif_worker.py), so on a two-core
machine the drawing and the encoding overlap fully (``prestart()`` starts it
early, while the views are still being built); with ``backend="thread"``
(frozen apps, small exports) a worker thread in this process.

What the encoder is told, in order::

    sample(frame)      0 or more whole frames, only for the palette
    frame(frame)       a whole frame (the first one must be whole)
    patches(list)      a frame as the previous one with rectangles replaced,
                       [(x, y, (h, w, 4) RGBX array), ...]
    close()            the last frame is held, the file finished

The palette (palette.py) is made from the colours of the first whole frame
and of the samples before it, each counted as it arrives. An error in the
encoder is raised here by the next call (an OSError keeps its errno, so a
full disk still reads as one).
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import struct
import sys
import threading
from typing import Sequence

import numpy as np

from . import gif_worker

_STOP = object()


class EncoderFailed(RuntimeError):
    """The encoder stopped with an error that is not an OSError."""


def default_backend(size: tuple[int, int], count: int) -> str:
    """"process" for exports big enough to pay for a second process, unless frozen
    (no ``python -m`` there); else "thread"."""
    if getattr(sys, "frozen", False):
        return "thread"
    return "process" if size[0] * size[1] * count >= 20_000_000 else "thread"


class GifPipe:
    """``with GifPipe(path, size, fps, reserve) as gif: gif.frame(f0); gif.patches(...)``.

    Leaving the block normally finishes the file and waits for the encoder;
    by an exception it stops the encoder and the file is incomplete (the
    caller removes it). ``start`` ("fork" or "spawn") overrides how the
    process backend starts its encoder."""

    def __init__(self, path, size: tuple[int, int], fps: float, reserve: Sequence = (),
                 backend: str = "thread", start: str | None = None) -> None:
        if backend not in ("process", "thread"):
            raise ValueError(f"backend must be 'process' or 'thread', got {backend!r}")
        self.size = (int(size[0]), int(size[1]))
        init = {"path": os.fspath(path), "size": list(self.size), "fps": float(fps),
                "reserve": [_hex(c) for c in reserve]}
        self._backend = _Process(start) if backend == "process" else _Thread()
        self._backend.send("INIT", init)

    def sample(self, frame) -> None:
        self._backend.send("SAMP", _rgbx(frame))

    def frame(self, frame) -> None:
        self._backend.send("FULL", _rgbx(frame))

    def patches(self, patches) -> None:
        self._backend.send("PTCH", [(int(x), int(y), _rgbx(a)) for x, y, a in patches])

    def close(self) -> None:
        self._backend.send("DONE", None)
        self._backend.finish()

    def abort(self) -> None:
        self._backend.abort()

    def __enter__(self) -> "GifPipe":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def _rgbx(frame) -> np.ndarray:
    from .frames import as_rgb
    a = np.asarray(frame) if not hasattr(frame, "mode") else None
    if a is not None and a.ndim == 3 and a.shape[2] == 4 and a.dtype == np.uint8:
        return a
    rgb = as_rgb(frame)
    out = np.empty(rgb.shape[:2] + (4,), np.uint8)
    out[:, :, :3] = rgb
    out[:, :, 3] = 255
    return out


def _hex(c) -> str:
    if isinstance(c, str):
        return c
    return "#%02x%02x%02x" % tuple(int(v) for v in c[:3])


class _Thread:
    """Encoder in a worker thread; errors are re-raised by the next send or finish."""

    def __init__(self) -> None:
        self._todo: queue.Queue = queue.Queue(maxsize=4)
        self._error: list[BaseException] = []
        self._encoder = gif_worker.Encoder()
        self._worker = threading.Thread(target=self._run, name="optiviz-gif", daemon=True)
        self._worker.start()

    def _run(self) -> None:
        while True:
            item = self._todo.get()
            if item is _STOP:
                return
            if self._error:
                continue
            try:
                self._encoder.handle(*item)
            except BaseException as e:          # re-raised on the caller's thread
                self._error.append(e)
                self._encoder.discard()

    def send(self, tag: str, value) -> None:
        if self._error:
            raise self._error[0]
        self._todo.put((tag, value))

    def finish(self) -> None:
        self._todo.put(_STOP)
        self._worker.join()
        if self._error:
            raise self._error[0]

    def abort(self) -> None:
        self._error.append(EncoderFailed("aborted"))
        self._todo.put(_STOP)
        self._worker.join()


_SPARE: list = []          # a started encoder process waiting for its first export


def prestart() -> None:
    """Start an encoder process now (before Qt is loaded it is forked, ready at once);
    the next process-backed GifPipe takes it over."""
    if not _SPARE and not getattr(sys, "frozen", False):
        try:
            _SPARE.append(gif_worker.start())
        except OSError:
            pass


def discard_spare() -> None:
    """Stop an encoder process that ``prestart`` started and nothing used."""
    while _SPARE:
        proc = _SPARE.pop()
        proc.kill()
        for f in (proc.stdin, proc.stderr):
            f.close()
        proc.wait()


atexit.register(discard_spare)


class _Process:
    """Encoder in a process of its own (gif_worker.py), fed through its stdin."""

    def __init__(self, start: str | None = None) -> None:
        spare = _SPARE.pop() if _SPARE and start is None else None
        if spare is not None and spare.poll() is None:
            self._proc = spare
        else:
            if spare is not None:                     # it died waiting: start another
                spare.stdin.close()
                spare.stderr.close()
            self._proc = gif_worker.start(start)

    def send(self, tag: str, value) -> None:
        if tag == "INIT":
            body = [json.dumps(value).encode()]
        elif tag in ("SAMP", "FULL"):
            body = _pack([(0, 0, value)])
        elif tag == "PTCH":
            body = _pack(value)
        else:
            body = []
        length = sum(len(memoryview(b).cast("B")) for b in body)
        try:
            self._proc.stdin.write(gif_worker.HEAD.pack(tag.encode(), length))
            for b in body:
                self._proc.stdin.write(b)
        except (BrokenPipeError, OSError):
            self._raise_failure()
            raise

    def finish(self) -> None:
        try:
            self._proc.stdin.close()
        except OSError:
            pass
        err = self._proc.stderr.read()
        self._proc.stderr.close()
        if self._proc.wait() != 0:
            self._raise_failure(err)

    def abort(self) -> None:
        self._proc.kill()
        for f in (self._proc.stdin, self._proc.stderr):
            try:
                f.close()
            except OSError:
                pass
        self._proc.wait()

    def _raise_failure(self, err: bytes | None = None) -> None:
        if err is None:
            try:
                self._proc.stdin.close()
            except OSError:
                pass
            err = self._proc.stderr.read()
            self._proc.wait()
        lines = err.decode(errors="replace").strip().splitlines()
        try:
            info = json.loads(lines[-1])
        except (IndexError, ValueError):
            raise EncoderFailed(f"the GIF encoder stopped (exit status {self._proc.returncode})"
                                f"{': ' + lines[-1].rstrip('.') if lines else ''}") from None
        if info.get("errno") is not None:
            raise OSError(info["errno"], info.get("strerror") or info["message"])
        raise EncoderFailed(info["message"].rstrip("."))


def _pack(patches) -> list:
    out = [struct.pack("<I", len(patches))]
    for x, y, a in patches:
        h, w = a.shape[:2]
        out.append(gif_worker.RECT.pack(x, y, w, h))
        out.append(memoryview(np.ascontiguousarray(a)).cast("B"))
    return out
