"""From a frame source to a finished file: suffixes, PNG, cancel and failure leave nothing.

The frame source here is a plain object drawing numpy frames (no Qt), so
these tests pin the file handling; tests/export/test_headless.py renders
with the app's own views.
"""

import errno
import os

import numpy as np
import pytest
from PIL import Image

from optiviz_gui.core.errors import ConfigError
from optiviz_gui.export import writers
from optiviz_gui.export.writers import Cancelled, export_frames, output_kind

W, H = 48, 32


class Dots:
    """count frames; frame k is grey with a red dot at x = 2k (drawn on demand)."""

    def __init__(self, count=6, fail_at=None):
        self.count, self.size, self.fail_at = count, (W, H), fail_at
        self.key_colors = ["#dc141e"]

    def frame(self, k):
        if k == self.fail_at:
            raise RuntimeError("boom in frame %d" % k)
        a = np.full((H, W, 4), 200, np.uint8)
        a[10:14, 2 * k: 2 * k + 4, :3] = (220, 20, 30)
        return a


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir())


def test_gif_has_every_frame(tmp_path):
    out = tmp_path / "dots.gif"
    export_frames(out, Dots(6), fps=5)
    im = Image.open(out)
    assert (im.n_frames, im.size, im.info["loop"]) == (6, (W, H), 0)
    im.seek(5)
    assert im.convert("RGB").getpixel((11, 11)) == (220, 20, 30)
    assert leftovers(tmp_path) == ["dots.gif"]


def test_png_is_the_last_frame(tmp_path):
    out = tmp_path / "last.png"
    export_frames(out, Dots(6))
    im = Image.open(out)
    assert im.format == "PNG" and im.size == (W, H)
    a = np.asarray(im.convert("RGB"))
    np.testing.assert_array_equal(a, Dots().frame(5)[:, :, :3])


@pytest.mark.parametrize("name", ["out.jpg", "out", "out.GIFF", "out.webm"])
def test_unknown_suffix_is_one_sentence(tmp_path, name):
    with pytest.raises(ConfigError) as e:
        export_frames(tmp_path / name, Dots())
    msg = str(e.value)
    assert msg.count(".") >= 1 and msg.endswith(".") and "\n" not in msg
    assert ".gif" in msg and ".png" in msg
    assert leftovers(tmp_path) == []


def test_suffix_is_case_insensitive():
    assert output_kind("A.GIF") == "gif" and output_kind("b.Png") == "png"


@pytest.mark.parametrize("name", ["a.gif", "a.png"])
def test_cancel_midway_leaves_nothing(tmp_path, name):
    seen = []

    def progress(done, total):
        seen.append((done, total))
        if done == min(3, total):       # a PNG has one step: cancel after it
            raise Cancelled()

    with pytest.raises(Cancelled):
        export_frames(tmp_path / name, Dots(8), progress=progress)
    assert leftovers(tmp_path) == []


def test_failure_inside_the_frame_loop_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError, match="boom"):
        export_frames(tmp_path / "a.gif", Dots(8, fail_at=4))
    assert leftovers(tmp_path) == []


def test_failure_keeps_the_old_file_whole(tmp_path):
    out = tmp_path / "a.gif"
    out.write_bytes(b"the old animation")
    with pytest.raises(RuntimeError):
        export_frames(out, Dots(8, fail_at=6))
    assert out.read_bytes() == b"the old animation"
    assert leftovers(tmp_path) == ["a.gif"]


def test_missing_folder_is_one_sentence(tmp_path):
    with pytest.raises(ConfigError, match=r"^Cannot write .*does not exist\.$"):
        export_frames(tmp_path / "nowhere" / "a.gif", Dots())


def test_full_disk_is_one_sentence_and_leaves_nothing(tmp_path, monkeypatch):
    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(writers.os, "fsync", full)
    with pytest.raises(ConfigError) as e:
        export_frames(tmp_path / "a.gif", Dots())
    assert str(e.value) == f"Cannot write {tmp_path / 'a.gif'}: no space left on device."
    assert leftovers(tmp_path) == []


def test_progress_reaches_the_total(tmp_path):
    seen = []
    export_frames(tmp_path / "a.gif", Dots(5), progress=lambda d, t: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_the_library_leaves_the_garbage_collector_alone(tmp_path):
    """Process-wide settings are the command's to change (cli.tuned_for_export), not
    the library's, which the app runs too."""
    import gc

    class Watched(Dots):
        def frame(self, k):
            seen.append(gc.isenabled())
            return super().frame(k)

    seen = []
    assert gc.isenabled()
    export_frames(tmp_path / "a.gif", Watched(4))
    assert seen and all(seen)
