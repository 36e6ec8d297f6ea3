"""The encoding end of gif_pipe.py: messages in, a GIF file out, in a thread or a process.

``Encoder.handle((tag, value))`` does the work for either backend: a worker
thread calls it directly; a child process runs ``serve(inbox, report)``,
which takes the messages from a ``multiprocessing`` connection one at a time
(the sender buffers at most ``gif_pipe.BOUND`` of them, so the encoder's
memory stays bounded however slow it is) and, when it fails, sends back one
dict describing the error before it exits with status 1.

Over the connection a message is a pickle whose contiguous arrays travel out
of band (protocol 5, PEP 574): ``send`` writes each array's bytes straight
from its memory, ``receive`` builds the arrays on the bytes received.
"""

from __future__ import annotations

import gc
import pickle
import sys


class Encoder:
    """INIT {path, size, fps, reserve}, SAMP frame, FULL frame, PTCH patches, DONE.

    An error closes the file (the caller removes it) and is raised."""

    def __init__(self) -> None:
        from .palette import ColourCounts
        self.path = None
        self.colours = ColourCounts()     # samples are counted as they come, not kept
        self.writer = None
        self.file = None

    def handle(self, message: tuple) -> bool:
        """Process one (tag, value) message; False after DONE."""
        try:
            return self._handle(*message)
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        """Close the file unfinished."""
        if self.file is not None:
            self.file.close()
            self.file = None

    def _handle(self, tag: str, value) -> bool:
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
            self.file.close()
            self.file = None
            return False
        return True


def serve(inbox, report, theirs=None) -> None:
    """A child process's target: encode the messages from ``inbox`` until DONE.

    ``theirs`` is the sender's end of ``inbox``, which a forked child inherits:
    closed here, so the sender's end (even by a crash) ends this process.
    Exit status 0 when the file is written; 1 after sending ``describe(error)``
    to ``report``; 3 when the input ended first."""
    if theirs is not None:
        theirs.close()
    gc.freeze()          # a forked child never collects what it inherited: no copy-on-write
    from . import gif  # noqa: F401 - numpy and Pillow loaded before the first message
    encoder = Encoder()
    try:
        while encoder.handle(receive(inbox)):
            pass
    except EOFError:
        sys.exit(3)
    except BaseException as e:  # noqa: BLE001 - reported to the sender
        report.send(describe(e))
        sys.exit(1)


def describe(e: BaseException) -> dict:
    """What the sender needs to raise the error again: its message, and errno for an OSError."""
    return {"message": str(e) or type(e).__name__, "errno": getattr(e, "errno", None),
            "strerror": getattr(e, "strerror", None)}


def send(conn, message) -> None:
    """Send ``message`` over a multiprocessing connection, its arrays out of band."""
    buffers: list[pickle.PickleBuffer] = []
    head = pickle.dumps(message, protocol=5, buffer_callback=buffers.append)
    conn.send((head, len(buffers)))
    for b in buffers:
        conn.send_bytes(b.raw())


def receive(conn):
    """The message ``send`` sent (its arrays read-only, on the bytes received)."""
    head, count = conn.recv()
    return pickle.loads(head, buffers=[conn.recv_bytes() for _ in range(count)])
