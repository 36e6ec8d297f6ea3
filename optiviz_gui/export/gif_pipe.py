"""GIF encoding beside the drawing: in a child process (the default), or in a thread.

Drawing a frame (Qt, Python) and encoding it (numpy, Pillow's LZW, which
holds the GIL) both need the interpreter, so in one process they take turns.
``GifPipe`` hands the frames to an encoder of its own instead: with
``backend="process"`` a second Python (``python -m
optiviz_gui.export.gif_pipe``) that needs only numpy and Pillow, so on a
two-core machine the drawing and the encoding overlap fully (``prestart()``
starts it early, while the views are still being built); with
``backend="thread"`` (frozen apps, small exports) a worker thread in this
process.

What the encoder is told, in order::

    sample(frame)      0 or more whole frames, only for the palette
    frame(frame)       a whole frame (the first one must be whole)
    patches(list)      a frame as the previous one with rectangles replaced,
                       [(x, y, (h, w, 4) RGBX array), ...]
    close()            the last frame is held, the file finished

The palette (palette.py) is made from the colours of the first whole frame
and of the samples before it, each counted as it arrives. Over the pipe each message is a 4-byte tag, an 8-byte
length and the payload: arrays as (x, y, w, h) + RGBX bytes. An error in the
encoder comes back as one JSON line on its stderr and is raised here by the
next call (an OSError keeps its errno, so a full disk still reads as one).
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import struct
import subprocess
import sys
import threading
from typing import Sequence

import numpy as np

_HEAD = struct.Struct("<4sQ")
_RECT = struct.Struct("<IIII")
_STOP = object()


class EncoderFailed(RuntimeError):
    """The encoder stopped with an error that is not an OSError."""


def default_backend(size: tuple[int, int], count: int) -> str:
    """"process" for exports big enough to pay for a second interpreter (about 0.1 s
    of the other core), unless frozen (no ``python -m`` there); else "thread"."""
    if getattr(sys, "frozen", False):
        return "thread"
    return "process" if size[0] * size[1] * count >= 20_000_000 else "thread"


class GifPipe:
    """``with GifPipe(path, size, fps, reserve) as gif: gif.frame(f0); gif.patches(...)``.

    Leaving the block normally finishes the file and waits for the encoder;
    by an exception it stops the encoder and the file is incomplete (the
    caller removes it)."""

    def __init__(self, path, size: tuple[int, int], fps: float, reserve: Sequence = (),
                 backend: str = "thread") -> None:
        if backend not in ("process", "thread"):
            raise ValueError(f"backend must be 'process' or 'thread', got {backend!r}")
        self.size = (int(size[0]), int(size[1]))
        init = {"path": os.fspath(path), "size": list(self.size), "fps": float(fps),
                "reserve": [_hex(c) for c in reserve]}
        self._backend = _Process() if backend == "process" else _Thread()
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


# ------------------------------------------------------------ the encoder
class Encoder:
    """The receiving end (child process or worker thread): messages in, GIF out."""

    def __init__(self) -> None:
        from .palette import ColourCounts
        self.path = None
        self.colours = ColourCounts()     # samples are counted as they come, not kept
        self.writer = None
        self.file = None

    def handle(self, tag: str, value) -> bool:
        """Process one message; False after DONE."""
        from .gif import GifWriter
        from .palette import palette_from_counts
        if tag == "INIT":
            self.path = value["path"]
            self.size = tuple(value["size"])
            self.fps = value["fps"]
            self.reserve = value["reserve"]
        elif tag == "SAMP":
            self.colours.add(value)
        elif tag == "FULL":
            if self.writer is None:
                first = self.colours.add(value)
                palette = palette_from_counts(self.colours, self.reserve)
                self.colours = None
                self.file = open(self.path, "wb")
                self.writer = GifWriter(self.file, self.size, self.fps, palette)
                self.writer.learn_colours(first)
            self.writer.write(value)
        elif tag == "PTCH":
            self.writer.write_patches(value)
        elif tag == "DONE":
            if self.writer is None:
                raise ValueError("a GIF needs at least one frame")
            self.writer.close()
            self.file.flush()
            self.file.close()
            self.file = None
            return False
        return True

    def discard(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


class _Thread:
    """Encoder in a worker thread; errors are re-raised by the next send or finish."""

    def __init__(self) -> None:
        self._todo: queue.Queue = queue.Queue(maxsize=4)
        self._error: list[BaseException] = []
        self._encoder = Encoder()
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
    """Start an encoder process now (it imports numpy and Pillow while the caller
    builds its views); the next process-backed GifPipe takes it over."""
    if not _SPARE and not getattr(sys, "frozen", False):
        try:
            _SPARE.append(_spawn())
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


def _spawn() -> subprocess.Popen:
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    proc = subprocess.Popen([sys.executable, "-m", "optiviz_gui.export.gif_pipe"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env, bufsize=0)
    _widen_pipe(proc.stdin)
    return proc


class _Process:
    """Encoder in ``python -m optiviz_gui.export.gif_pipe``, fed through its stdin."""

    def __init__(self) -> None:
        spare = _SPARE.pop() if _SPARE else None
        self._proc = spare if spare is not None and spare.poll() is None else _spawn()

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
            self._proc.stdin.write(_HEAD.pack(tag.encode(), length))
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
                                f"{': ' + lines[-1] if lines else ''}") from None
        if info.get("errno") is not None:
            raise OSError(info["errno"], info.get("strerror") or info["message"])
        raise EncoderFailed(info["message"])


def _pack(patches) -> list:
    out = [struct.pack("<I", len(patches))]
    for x, y, a in patches:
        h, w = a.shape[:2]
        out.append(_RECT.pack(x, y, w, h))
        out.append(memoryview(np.ascontiguousarray(a)).cast("B"))
    return out


def _widen_pipe(f) -> None:
    """A 1 MB pipe (Linux) so a patch seldom waits for the reader."""
    try:
        import fcntl
        fcntl.fcntl(f.fileno(), 1031, 1 << 20)     # F_SETPIPE_SZ
    except (ImportError, OSError, AttributeError):
        pass


# ------------------------------------------------------------- child side
def _read_exact(stream, n: int) -> bytearray | None:
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = stream.readinto(view[got:])
        if not k:
            return None
        got += k
    return buf


def _unpack(payload: bytearray) -> list:
    (count,) = struct.unpack_from("<I", payload, 0)
    pos, out = 4, []
    for _ in range(count):
        x, y, w, h = _RECT.unpack_from(payload, pos)
        pos += _RECT.size
        n = w * h * 4
        out.append((x, y, np.frombuffer(payload, np.uint8, n, pos).reshape(h, w, 4)))
        pos += n
    return out


def _reader(stream, inbox: queue.Queue) -> None:
    """Drain stdin into ``inbox`` as fast as it comes, so the sender never waits on the
    encoder (a palette takes a tenth of a second)."""
    try:
        while True:
            head = _read_exact(stream, _HEAD.size)
            if head is None:
                break
            tag, length = _HEAD.unpack(head)
            payload = _read_exact(stream, length) if length else bytearray()
            if payload is None:
                break
            inbox.put((tag.decode(), payload))
    finally:
        inbox.put(None)


def main() -> int:
    from . import gif  # noqa: F401 - numpy and Pillow loaded before the first message
    encoder = Encoder()
    inbox: queue.Queue = queue.Queue()
    threading.Thread(target=_reader, args=(sys.stdin.buffer, inbox), daemon=True).start()
    try:
        while True:
            item = inbox.get()
            if item is None:
                encoder.discard()
                return 3                          # the sender went away before DONE
            tag, payload = item
            if tag == "INIT":
                value = json.loads(bytes(payload))
            elif tag in ("SAMP", "FULL"):
                value = _unpack(payload)[0][2]
            elif tag == "PTCH":
                value = _unpack(payload)
            else:
                value = None
            if not encoder.handle(tag, value):
                return 0
    except BaseException as e:  # noqa: BLE001 - reported to the parent as one line
        encoder.discard()
        info = {"message": str(e) or type(e).__name__, "type": type(e).__name__,
                "errno": getattr(e, "errno", None), "strerror": getattr(e, "strerror", None)}
        sys.stderr.write("\n" + json.dumps(info) + "\n")
        sys.stderr.flush()
        return 1


if __name__ == "__main__":
    status = main()
    # the file is closed and the error (if any) written: skip the interpreter's
    # teardown, which the sender would otherwise wait for (about 30 ms)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
