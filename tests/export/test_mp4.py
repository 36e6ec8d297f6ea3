"""MP4 through imageio-ffmpeg's ffmpeg when it is installed; a clear sentence when it is not."""

import numpy as np
import pytest

from optiviz_gui.core.errors import ConfigError
from optiviz_gui.export import mp4, writers
from optiviz_gui.export.writers import Cancelled, export_frames

W, H = 64, 48


class Bars:
    def __init__(self, count=6, size=(W, H)):
        self.count, self.size = count, size

    def frame(self, k):
        w, h = self.size
        a = np.full((h, w, 3), 255, np.uint8)
        a[:, : 8 * (k + 1)] = (0, 0, 200)      # a blue bar that grows 8 px a frame
        return a


def read_video(path):
    iio = pytest.importorskip("imageio_ffmpeg")
    reader = iio.read_frames(str(path))
    meta = reader.__next__()
    frames = [np.frombuffer(f, np.uint8).reshape(meta["size"][1], meta["size"][0], 3)
              for f in reader]
    return meta, frames


needs_ffmpeg = pytest.mark.skipif(not mp4.mp4_available(), reason="imageio-ffmpeg not installed")


@needs_ffmpeg
def test_mp4_has_every_frame_then_holds_the_last(tmp_path):
    out = tmp_path / "bars.mp4"
    export_frames(out, Bars(6), fps=5)
    meta, frames = read_video(out)
    assert tuple(meta["size"]) == (W, H)
    assert meta["fps"] == pytest.approx(5)
    # 6 frames, then the last one held 2 s (10 more at 5 fps)
    assert len(frames) == 6 + 10
    widths = [int((f[H // 2, :, 2] > 128).sum() - (f[H // 2, :, 0] > 128).sum()) for f in frames]
    # the blue bar is 8 px wide in frame 0, 48 px from frame 5 on (H.264 blurs edges a little)
    assert abs(widths[0] - 8) <= 2 and all(abs(w - 48) <= 2 for w in widths[5:])


@needs_ffmpeg
def test_odd_sizes_are_padded_to_even(tmp_path):
    out = tmp_path / "odd.mp4"
    export_frames(out, Bars(2, size=(47, 31)), fps=10)
    meta, _ = read_video(out)
    assert tuple(meta["size"]) == (48, 32)


@needs_ffmpeg
def test_cancelled_mp4_leaves_nothing(tmp_path):
    def progress(done, total):
        if done == 2:
            raise Cancelled()

    with pytest.raises(Cancelled):
        export_frames(tmp_path / "a.mp4", Bars(6), progress=progress)
    assert list(tmp_path.iterdir()) == []


def test_without_imageio_ffmpeg_mp4_is_one_clear_sentence(tmp_path, monkeypatch):
    monkeypatch.setattr(mp4, "ffmpeg_exe", lambda: None)
    with pytest.raises(ConfigError) as e:
        export_frames(tmp_path / "a.mp4", Bars())
    assert str(e.value) == mp4.MP4_MISSING
    assert "imageio-ffmpeg" in str(e.value) and str(e.value).endswith(".")
    assert list(tmp_path.iterdir()) == []
    assert writers.output_kind("a.gif") == "gif"      # GIF still fine
