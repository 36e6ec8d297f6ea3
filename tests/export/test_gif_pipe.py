"""GIF encoding beside the drawing: the same file from a thread, a forked and a spawned
encoder; patches as the frames they describe; a slow encoder holds the drawing back
instead of piling frames up; the encoder's errors come back as errors, and nothing is
left behind.

References: frames drawn here with a few known colours (the palette then holds
them exactly, so every decoded frame must equal its source), Pillow's GIF
decoder, and the bound ``gif_pipe.BOUND`` as documented.
"""

import errno
import io
import multiprocessing
import signal
import threading
import time

import numpy as np
import pytest
from PIL import Image

from optiviz_gui.core.errors import ConfigError
from optiviz_gui.export import gif_pipe, gif_worker
from optiviz_gui.export.gif import GifWriter
from optiviz_gui.export.gif_pipe import BOUND, EncoderFailed, GifPipe
from optiviz_gui.export.writers import export_frames

W, H = 64, 48
COLOURS = [(255, 255, 255), (220, 20, 30), (0, 90, 200), (0, 160, 80)]
BACKENDS = [("thread", None), ("process", "fork"), ("process", "spawn")]


def frame(k):
    """White, a blue bar, a red square at x = 4k, a green dot from frame 3 on (RGBX)."""
    a = np.full((H, W, 4), 255, np.uint8)
    a[40:44, :, :3] = COLOURS[2]
    a[10:16, 4 * k: 4 * k + 6, :3] = COLOURS[1]
    if k >= 3:
        a[30:32, 50:52, :3] = COLOURS[3]
    return a


def patches_from(prev, new):
    """The changed box between two frames as one patch, plus an unchanged patch."""
    diff = np.any(prev != new, axis=2)
    out = [(0, 0, new[0:2, 0:3].copy())]                       # nothing changed here
    if diff.any():
        ys, xs = np.nonzero(diff)
        y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        out.append((int(x0), int(y0), new[y0:y1, x0:x1].copy()))
    return out


def decode(path):
    im = Image.open(path)
    frames, durations = [], []
    for i in range(im.n_frames):
        im.seek(i)
        frames.append(np.asarray(im.convert("RGB")))
        durations.append(im.info["duration"])
    return im, frames, durations


def write(path, backend, start=None, n=6, use_patches=True):
    with GifPipe(path, (W, H), 10, reserve=["#dc141e"], backend=backend, start=start) as gif:
        gif.sample(frame(n - 1))
        gif.frame(frame(0))
        for k in range(1, n):
            if use_patches:
                gif.patches(patches_from(frame(k - 1), frame(k)))
            else:
                gif.frame(frame(k))


@pytest.fixture
def children(monkeypatch):
    """Every encoder process started from now on, in order."""
    started = []
    real = gif_pipe._Child.__init__

    def recorded(self, start=None):
        real(self, start)
        started.append(self)
    monkeypatch.setattr(gif_pipe._Child, "__init__", recorded)
    return started


@pytest.mark.parametrize("backend, start", BACKENDS)
def test_every_frame_comes_back_exactly(tmp_path, backend, start):
    out = tmp_path / "a.gif"
    write(out, backend, start)
    im, frames, durations = decode(out)
    assert (im.n_frames, im.size, im.info["loop"]) == (6, (W, H), 0)
    assert durations == [100] * 5 + [2000]
    for k, got in enumerate(frames):
        np.testing.assert_array_equal(got, frame(k)[:, :, :3], err_msg=f"frame {k}")


def test_all_backends_write_the_same_bytes(tmp_path):
    paths = []
    for backend, start in BACKENDS:
        paths.append(tmp_path / f"{backend}-{start}.gif")
        write(paths[-1], backend, start)
    data = [p.read_bytes() for p in paths]
    assert data[0] == data[1] == data[2]


def test_patches_make_the_same_file_as_whole_frames(tmp_path):
    a, b = tmp_path / "patches.gif", tmp_path / "whole.gif"
    write(a, "thread", use_patches=True)
    write(b, "thread", use_patches=False)
    assert a.read_bytes() == b.read_bytes()


def test_writer_patches_outside_the_frame_are_refused():
    with pytest.raises(ValueError, match="does not fit"):
        with GifWriter(io.BytesIO(), (W, H), 10) as gif:
            gif.write(frame(0))
            gif.write_patches([(W - 2, 0, np.zeros((4, 4, 4), np.uint8))])


@pytest.mark.parametrize("backend, start", BACKENDS)
def test_an_unwritable_file_is_an_os_error_with_its_errno(tmp_path, backend, start):
    with pytest.raises(OSError) as e:
        write(tmp_path / "no such folder" / "a.gif", backend, start)
    assert e.value.errno == errno.ENOENT


@pytest.mark.parametrize("backend, start", BACKENDS[:2])
def test_no_whole_frame_is_an_encoder_error(tmp_path, backend, start):
    with pytest.raises((EncoderFailed, ValueError), match="first frame|at least one frame"):
        with GifPipe(tmp_path / "a.gif", (W, H), 10, backend=backend, start=start) as gif:
            gif.patches([(0, 0, frame(1))])


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_leaving_by_an_exception_stops_the_encoder(tmp_path, children, start):
    with pytest.raises(RuntimeError, match="cancelled"):
        with GifPipe(tmp_path / "a.gif", (W, H), 10, backend="process", start=start) as gif:
            gif.frame(frame(0))
            raise RuntimeError("cancelled")
    assert children[0]._proc.exitcode is not None            # ended and reaped
    assert not gif._worker.is_alive()


def test_leaving_a_thread_encoder_by_an_exception_closes_its_file(tmp_path):
    with pytest.raises(RuntimeError, match="cancelled"):
        with GifPipe(tmp_path / "a.gif", (W, H), 10) as gif:
            gif.frame(frame(0))
            raise RuntimeError("cancelled")
    assert not gif._worker.is_alive() and gif._encoder.file is None


def slow_encoder(monkeypatch, gate, taken):
    """Encoder.handle that, from the first whole frame on, says it took a message and
    then waits until ``gate`` is set (in a forked encoder too: both are inherited)."""
    real = gif_worker.Encoder.handle

    def gated(self, message):
        if message[0] != "INIT":
            taken.set()
            gate.wait()
        return real(self, message)
    monkeypatch.setattr(gif_worker.Encoder, "handle", gated)


@pytest.mark.parametrize("backend, start, held", [("thread", None, BOUND + 1),
                                                  ("process", "fork", BOUND + 2)])
def test_a_slow_encoder_blocks_the_drawing_at_the_bound(tmp_path, monkeypatch,
                                                        backend, start, held):
    """While the encoder is stuck on the first frame the drawing side may hand over
    only what the bound allows: BOUND in the queue, one in the encoder's hands, and
    (process) one being written to the pipe; the next ``frame`` call waits. Frames
    are 4.8 MB, larger than any pipe buffer, so the pipe holds no extra one."""
    ctx = multiprocessing.get_context("fork")
    gate, taken = ctx.Event(), ctx.Event()
    slow_encoder(monkeypatch, gate, taken)
    big = (1200, 1000)
    n = 3 * BOUND

    def drawn(k):
        a = np.full((big[1], big[0], 4), 255, np.uint8)
        a[10:20, 10 * k: 10 * k + 10, :3] = COLOURS[1]
        return a

    sent, queued, failure = [], [], []
    out = tmp_path / "slow.gif"

    def draw():
        try:
            with GifPipe(out, big, 10, backend=backend, start=start) as gif:
                for k in range(n):
                    gif.frame(drawn(k))
                    sent.append(k)
                    queued.append(gif._todo.qsize())
        except BaseException as e:        # noqa: BLE001 - reported by the test
            failure.append(e)

    drawer = threading.Thread(target=draw, daemon=True)
    drawer.start()
    try:
        assert taken.wait(30), "the encoder never got the first frame"
        deadline = time.monotonic() + 30
        while len(sent) < held and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)                   # room for a frame too many to slip through
        assert len(sent) == held and drawer.is_alive()   # the drawing waits at the bound
        assert max(queued) <= BOUND
    finally:
        gate.set()
        drawer.join(60)
    assert not failure, failure
    assert Image.open(out).n_frames == n                 # every frame sent was encoded


@pytest.mark.parametrize("start", ["fork", None])
def test_an_encoder_error_is_one_sentence_and_leaves_nothing(tmp_path, monkeypatch, children,
                                                             start):
    """An error inside the encoder (forked here, so the patch reaches it; or a thread)
    ends the export with a ConfigError naming the file, and leaves no file."""
    real = gif_worker.Encoder._handle

    def failing(self, tag, value):
        if tag == "PTCH" and self.writer.frames_written == 3:
            raise ValueError("the encoder broke.")
        return real(self, tag, value)
    monkeypatch.setattr(gif_worker.Encoder, "_handle", failing)
    monkeypatch.setattr(gif_pipe, "default_backend",
                        lambda size, count: "process" if start else "thread")
    monkeypatch.setattr(gif_pipe, "start_method", lambda: "fork")

    class Source:
        count, size = 8, (W, H)

        def frame(self, k):
            return frame(k)

        def patches(self, k):
            return patches_from(frame(k - 1), frame(k))

    out = tmp_path / "a.gif"
    with pytest.raises(ConfigError) as e:
        export_frames(out, Source(), fps=10)
    assert str(e.value) == f"Cannot write {out}: the encoder broke."
    assert list(tmp_path.iterdir()) == []
    assert len(children) == (1 if start else 0)


@pytest.mark.parametrize("backend, start", BACKENDS)
def test_a_cancelled_export_leaves_nothing_and_no_encoder(tmp_path, monkeypatch, children,
                                                          backend, start):
    from optiviz_gui.export.writers import Cancelled

    monkeypatch.setattr(gif_pipe, "default_backend", lambda size, count: backend)
    monkeypatch.setattr(gif_pipe, "start_method", lambda: start)

    class Source:
        count, size = 8, (W, H)

        def frame(self, k):
            return frame(k)

    def progress(done, total):
        if done == 4:
            raise Cancelled()

    with pytest.raises(Cancelled):
        export_frames(tmp_path / "a.gif", Source(), fps=10, progress=progress)
    assert list(tmp_path.iterdir()) == []
    assert all(child._proc.exitcode is not None for child in children)
    assert len(children) == (1 if backend == "process" else 0)
    assert not [t for t in threading.enumerate() if t.name == "optiviz-gif"]


def test_an_encoder_that_dies_is_one_sentence_and_leaves_nothing(tmp_path, monkeypatch,
                                                                 children):
    """A killed encoder process (the other core's work lost) ends the export with a
    ConfigError naming the file, and no file or temporary file is left."""
    monkeypatch.setattr(gif_pipe, "start_method", lambda: "fork")

    class Big:
        count, size = 11, (2000, 1000)             # big enough for the process backend

        def frame(self, k):
            if k == 3:                               # the encoder dies mid-way
                children[0]._proc.kill()
                children[0]._proc.join()
            a = np.full((1000, 2000, 4), 255, np.uint8)
            a[10:20, 10 * k: 10 * k + 10, :3] = (200, 0, 0)
            return a

    out = tmp_path / "a.gif"
    with pytest.raises(ConfigError) as e:
        export_frames(out, Big(), fps=10)
    msg = str(e.value)
    assert msg == f"Cannot write {out}: the GIF encoder stopped (exit status {-signal.SIGKILL})."
    assert list(tmp_path.iterdir()) == []
    assert len(children) == 1


def test_a_big_headless_export_encodes_in_a_forked_process(tmp_path):
    """Through export_session in a fresh interpreter (as `optiviz export` runs it):
    big enough for the process backend, started before Qt, so forked."""
    import json
    import subprocess
    import sys

    from optiviz_gui.resources import resource_path

    obj = json.loads(resource_path("presets", "blog.json").read_text(encoding="utf-8"))
    obj["steps"] = 30
    session = tmp_path / "s.json"
    session.write_text(json.dumps(obj), encoding="utf-8")
    out = tmp_path / "big.gif"
    code = f"""
import os, sys
os.environ.pop("DISPLAY", None); os.environ.pop("WAYLAND_DISPLAY", None)
os.environ.pop("QT_QPA_PLATFORM", None)
from optiviz_gui.export import gif_pipe
from optiviz_gui.ui.render import headless
started = []
real = gif_pipe._Child.__init__
def counted(self, start=None):
    started.append(start or gif_pipe.start_method())
    real(self, start)
gif_pipe._Child.__init__ = counted
headless.export_session({str(session)!r}, {str(out)!r}, size=(1000, 700), fps=10)
print("started", *started)
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "started fork"
    im, frames, durations = decode(out)
    assert (im.n_frames, im.size) == (31, (1000, 700))
    assert durations == [100] * 30 + [2000]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.gif", "s.json"]
