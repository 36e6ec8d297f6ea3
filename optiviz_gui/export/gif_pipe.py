"""GIF encoding beside the drawing: in a child process (``multiprocessing``) or in a thread.

Drawing a frame (Qt, Python) and encoding it (numpy, Pillow's LZW, which
holds the GIL) both need the interpreter, so in one process they take turns.
``GifPipe`` hands the frames to an encoder of its own instead: with
``backend="process"`` a child process (gif_worker.serve), so on a two-core
machine the drawing and the encoding overlap; with ``backend="thread"`` a
worker thread in this process (small exports, where starting a process
costs more than it saves).

What the encoder is told, in order::

    sample(frame)      0 or more whole frames, only for the palette
    frame(frame)       a whole frame (the first one must be whole)
    patches(list)      a frame as the previous one with rectangles replaced,
                       [(x, y, (h, w, 4) RGBX array), ...]
    close()            the last frame is held, the file finished

Arrays handed over belong to the encoder from then on (they are not copied).

Bounded memory: each message goes into a ``queue.Queue`` of ``BOUND``
messages, which one worker thread empties in turn, encoding (thread) or
sending to the encoder process, which takes one message at a time. When the
encoder is slower than the drawing, ``put`` blocks the drawing: at most
``BOUND`` + 2 messages are held anywhere (the queue, the one being sent, the
one being encoded), and the pipe's buffer (64 KB). (``multiprocessing.Queue`` is not used: its feeder
thread writes into a pipe whose reading end this process keeps open, so an
encoder that dies with the pipe full leaves the thread blocked for good; a
``Pipe`` whose far end only the child holds fails the send instead.)
Messages cross to the process as pickles with their arrays out of band
(protocol 5, PEP 574): the pixels go from the array to the pipe without the
9 MB copy per whole 2000×1125 frame (15-25 ms, holding the GIL) that an
ordinary pickle costs.

The process is forked where that is safe (Linux with Qt not loaded: ready at
once; ``prestart`` forks it early, before the headless export loads Qt),
else spawned (a new interpreter, which in a PyInstaller bundle needs
``multiprocessing.freeze_support()`` first thing in the entry point).

An error in the encoder is raised here by the next call, the same from
either backend: an OSError keeps its errno (a full disk still reads as one),
any other is an ``EncoderFailed`` with its message, and an encoder process
that died is an ``EncoderFailed`` naming its exit status.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import sys
import threading
from typing import Sequence

import numpy as np

from . import gif_worker

BOUND = 4                  # messages waiting for the encoder, at most
_STOP = object()


class EncoderFailed(RuntimeError):
    """The encoder stopped with an error that is not an OSError."""


def default_backend(size: tuple[int, int], count: int) -> str:
    """"process" for exports big enough to pay for a second process, else "thread"."""
    return "process" if size[0] * size[1] * count >= 20_000_000 else "thread"


def start_method() -> str:
    """"fork" on Linux while Qt is not loaded (a forked child would lose Qt's
    threads), else "spawn"."""
    safe = sys.platform.startswith("linux") and "PySide6.QtCore" not in sys.modules
    return "fork" if safe else "spawn"


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
        self._child = _take_spare(start) if backend == "process" else None
        self._encoder = None if self._child else gif_worker.Encoder()
        self._todo: queue.Queue = queue.Queue(maxsize=BOUND)
        self._failure: BaseException | None = None       # in the worker thread
        self._child_error: BaseException | None = None   # the encoder process's own
        consume = self._child.send if self._child else self._encoder.handle
        self._worker = threading.Thread(target=self._work, args=(consume,),
                                        name="optiviz-gif", daemon=True)
        self._worker.start()
        self._send(("INIT", {"path": os.fspath(path), "size": list(self.size),
                             "fps": float(fps), "reserve": [_hex(c) for c in reserve]}))

    def sample(self, frame) -> None:
        self._send(("SAMP", _rgbx(frame)))

    def frame(self, frame) -> None:
        self._send(("FULL", _rgbx(frame)))

    def patches(self, patches) -> None:
        self._send(("PTCH", [(int(x), int(y), _rgbx(a)) for x, y, a in patches]))

    def close(self) -> None:
        """Finish the file; raises what stopped the encoder, if anything did."""
        self._send(("DONE", None))
        error = self._end()
        if error is not None:
            raise error

    def abort(self) -> None:
        """Stop the encoder now, the file unfinished."""
        if self._failure is None:
            self._failure = EncoderFailed("aborted")      # the worker only drains from now on
        self._end()
        if self._encoder:
            self._encoder.discard()

    def __enter__(self) -> "GifPipe":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    # ------------------------------------------------------------ internals
    def _send(self, message) -> None:
        if self._failure is not None:
            raise self._end()
        self._todo.put(message)              # blocks while BOUND messages wait

    def _work(self, consume) -> None:
        """Hand each message to ``consume`` in turn; after a failure only empty the queue."""
        while (message := self._todo.get()) is not _STOP:
            if self._failure is None:
                try:
                    consume(message)
                except OSError as e:          # raised on the caller's thread
                    self._failure = e
                except BaseException as e:   # noqa: BLE001 - as the process reports it
                    self._failure = EncoderFailed(gif_worker.describe(e)["message"].rstrip("."))
                    self._failure.__cause__ = e

    def _end(self) -> BaseException | None:
        """Stop the worker and the encoder process (once); what stopped the encoder."""
        if self._worker.is_alive():
            self._todo.put(_STOP)
            self._worker.join()
            if self._child:          # stopped if this side failed (or aborted)
                self._child_error = self._child.wait(stop=self._failure is not None)
        return self._child_error or self._failure


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


class _Child:
    """An encoder process running ``gif_worker.serve``: messages in through one pipe,
    its error (if any) back through another. Only the child reads the first, so
    its death fails a send instead of blocking it; and the child closes its copy
    of this end (a forked child inherits it), so this process's end, even by a
    crash, is the end of its input."""

    def __init__(self, start: str | None = None) -> None:
        ctx = multiprocessing.get_context(start or start_method())
        inbox, self._inbox = ctx.Pipe(duplex=False)
        self._report, report = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=gif_worker.serve, args=(inbox, report, self._inbox),
                                 name="optiviz-gif", daemon=True)
        self._proc.start()
        inbox.close()
        report.close()

    def send(self, message) -> None:
        gif_worker.send(self._inbox, message)

    def alive(self) -> bool:
        return self._proc.is_alive()

    def wait(self, stop: bool = False) -> BaseException | None:
        """Wait for the process to end (kill it first if ``stop``): the error it
        reported or died of, or None when it wrote the file or was stopped here."""
        stopped = stop and self._proc.is_alive()
        if stopped:
            self._proc.kill()
        self._proc.join()
        self._inbox.close()
        try:
            report = self._report.recv() if self._report.poll() else None
        except EOFError:                      # it ended without a word
            report = None
        self._report.close()
        code = self._proc.exitcode
        if report is not None:
            if report["errno"] is not None:
                return OSError(report["errno"], report["strerror"] or report["message"])
            return EncoderFailed(report["message"].rstrip("."))
        if code == 0 or stopped:
            return None
        return EncoderFailed(f"the GIF encoder stopped (exit status {code})")


_SPARE: list[_Child] = []      # an encoder process started early, for the next export


def prestart() -> None:
    """Start an encoder process now (before Qt is loaded it is forked, ready at once);
    the next process-backed GifPipe takes it over. Multiprocessing ends it at exit
    if nothing did."""
    if not _SPARE:
        try:
            _SPARE.append(_Child())
        except OSError:
            pass


def _take_spare(start: str | None) -> _Child:
    """The early-started encoder process when it is still there, else a new one."""
    if start is None and _SPARE:
        spare = _SPARE.pop()
        if spare.alive():
            return spare
        spare.wait()
    return _Child(start)
