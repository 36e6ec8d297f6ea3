"""The receiving end of gif_pipe.py: messages in, a GIF file out, in a process of its own.

``Encoder.handle(tag, value)`` does the work for either backend (a worker
thread calls it directly). The process backend runs ``serve(instream,
errstream)`` in a second process, started one of two ways:

- forked from this one (Linux, before Qt is loaded: numpy and these modules
  are there already, so it is ready at once and costs the other core a
  quarter of a second less than a new interpreter);
- otherwise ``python -m optiviz_gui.export.gif_worker`` (a new interpreter,
  which loads only numpy and Pillow).

Over its stdin each message is a 4-byte tag, an 8-byte length and the
payload: JSON for INIT, arrays as a count and (x, y, w, h) + RGBX bytes each.
A reader thread drains the pipe as fast as it comes, so the sender never
waits on the encoder. An error is written to stderr as one JSON line and the
process exits with status 1; status 3 means the sender went away first.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import struct
import subprocess
import sys
import threading

import numpy as np

HEAD = struct.Struct("<4sQ")
RECT = struct.Struct("<IIII")


class Encoder:
    """INIT {path, size, fps, reserve}, SAMP frame, FULL frame, PTCH patches, DONE."""

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
            if self.writer is None:
                raise ValueError("the first frame of a GIF must be written whole")
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


# --------------------------------------------------------- starting one
def start(method: str | None = None):
    """A running encoder process: ``stdin`` (write messages), ``stderr`` (read the
    error), ``poll()``, ``wait()``, ``kill()``, ``returncode``. ``method`` "fork" or
    "spawn"; by default fork where it is safe (Linux, Qt not loaded)."""
    if method is None:
        safe = sys.platform.startswith("linux") and "PySide6.QtCore" not in sys.modules
        method = "fork" if safe else "spawn"
    if method == "fork":
        return _Forked()
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    proc = subprocess.Popen([sys.executable, "-m", "optiviz_gui.export.gif_worker"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env, bufsize=0)
    widen_pipe(proc.stdin)
    return proc


class _Forked:
    """A forked encoder with the parts of ``subprocess.Popen`` that gif_pipe uses.

    Forked only while this process has no Qt (nor its threads) loaded; numpy's
    BLAS is never called in the child (nearest colours use integer arithmetic)."""

    def __init__(self) -> None:
        r, w = os.pipe()
        er, ew = os.pipe()
        for f in (sys.stdout, sys.stderr):
            f.flush()
        pid = os.fork()
        if pid == 0:                                      # the encoder
            status = 1
            try:
                import gc
                gc.freeze()       # what it inherited is never collected: no copy-on-write
                os.close(w)
                os.close(er)
                with os.fdopen(r, "rb") as instream, os.fdopen(ew, "w") as errstream:
                    status = serve(instream, errstream)
            finally:
                os._exit(status)
        os.close(r)
        os.close(ew)
        self.pid = pid
        self.returncode = None
        self.stdin = os.fdopen(w, "wb", buffering=0)
        self.stderr = os.fdopen(er, "rb")
        widen_pipe(self.stdin)

    def poll(self):
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self):
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def kill(self) -> None:
        if self.returncode is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def widen_pipe(f) -> None:
    """A 1 MB pipe (Linux) so a patch seldom waits for the reader."""
    try:
        import fcntl
        fcntl.fcntl(f.fileno(), 1031, 1 << 20)     # F_SETPIPE_SZ
    except (ImportError, OSError, AttributeError):
        pass


# -------------------------------------------------------------- serving
def serve(instream, errstream) -> int:
    """Read messages from ``instream`` until DONE; 0 when the file is written."""
    from . import gif  # noqa: F401 - numpy and Pillow loaded before the first message
    encoder = Encoder()
    inbox: queue.Queue = queue.Queue()
    threading.Thread(target=_reader, args=(instream, inbox), daemon=True).start()
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
                value = unpack(payload)[0][2]
            elif tag == "PTCH":
                value = unpack(payload)
            else:
                value = None
            if not encoder.handle(tag, value):
                return 0
    except BaseException as e:  # noqa: BLE001 - reported to the sender as one line
        encoder.discard()
        info = {"message": str(e) or type(e).__name__, "type": type(e).__name__,
                "errno": getattr(e, "errno", None), "strerror": getattr(e, "strerror", None)}
        errstream.write("\n" + json.dumps(info) + "\n")
        errstream.flush()
        return 1


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


def unpack(payload: bytearray) -> list:
    """[(x, y, (h, w, 4) uint8 array), ...] from a packed payload (views, no copies)."""
    (count,) = struct.unpack_from("<I", payload, 0)
    pos, out = 4, []
    for _ in range(count):
        x, y, w, h = RECT.unpack_from(payload, pos)
        pos += RECT.size
        n = w * h * 4
        out.append((x, y, np.frombuffer(payload, np.uint8, n, pos).reshape(h, w, 4)))
        pos += n
    return out


def _reader(stream, inbox: queue.Queue) -> None:
    try:
        while True:
            head = _read_exact(stream, HEAD.size)
            if head is None:
                break
            tag, length = HEAD.unpack(head)
            payload = _read_exact(stream, length) if length else bytearray()
            if payload is None:
                break
            inbox.put((tag.decode(), payload))
    finally:
        inbox.put(None)


if __name__ == "__main__":
    status = serve(sys.stdin.buffer, sys.stderr)
    # the file is closed and the error (if any) written: skip the interpreter's
    # teardown, which the sender would otherwise wait for (about 30 ms)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
