"""The streaming GIF writer, read back with Pillow's GIF decoder.

References: the GIF89a specification (delays in centiseconds, NETSCAPE2.0
loop count 0 = forever) and frames drawn here with known colours.
"""

import gc
import io
import weakref

import numpy as np
import pytest
from PIL import Image

from optiviz_gui.export.gif import GifWriter, frame_delays_cs, make_palette, write_gif

W, H = 64, 48
WHITE, RED, BLUE = (255, 255, 255), (220, 20, 30), (0, 90, 200)


def moving_square(k, channels=3):
    """White frame with a red 6×6 square at x = 4k and a fixed blue bar."""
    a = np.full((H, W, channels), 255, np.uint8)
    a[40:44, :, :3] = BLUE
    a[10:16, 4 * k: 4 * k + 6, :3] = RED
    return a


def decode(data: bytes):
    im = Image.open(io.BytesIO(data))
    frames, durations = [], []
    for i in range(im.n_frames):
        im.seek(i)
        frames.append(np.asarray(im.convert("RGB")))
        durations.append(im.info["duration"])
    return im, frames, durations


def encode(frames, fps=10.0, **kw):
    buf = io.BytesIO()
    n = write_gif(buf, frames, (W, H), fps, **kw)
    return buf.getvalue(), n


@pytest.mark.parametrize("channels", [3, 4])
def test_every_frame_comes_back_exactly(channels):
    frames = [moving_square(k, channels) for k in range(8)]
    data, n = encode(iter(frames))
    im, back, _ = decode(data)
    assert n == im.n_frames == 8
    assert im.size == (W, H)
    for k, (a, b) in enumerate(zip(frames, back)):
        # three colours only: the shared palette holds them exactly
        np.testing.assert_array_equal(b, a[:, :, :3], err_msg=f"frame {k}")


def test_loops_forever_and_every_frame_has_a_real_duration():
    data, _ = encode(moving_square(k) for k in range(5))
    im, _, durations = decode(data)
    assert im.info["loop"] == 0
    # 10 fps = 10 cs a frame; the last frame is held 2 s
    assert durations == [100, 100, 100, 100, 2000]
    assert data[:6] == b"GIF89a" and data[-1:] == b";"


def test_delays_keep_the_average_rate_at_30_fps():
    # 30 fps: frame k shows from round(100k/30) cs; 3, 3, 4, 3, 3, 4, ...
    assert frame_delays_cs(7, 30, hold_last_ms=0) == [3, 4, 3, 3, 4, 3, 3]
    delays = frame_delays_cs(301, 30, hold_last_ms=0)
    assert sum(delays[:300]) == 1000          # 300 frames = exactly 10 s


def test_fast_frame_rates_never_go_below_20_ms():
    # browsers show delays under 2 cs as 10 cs, so 100 fps becomes 50 fps
    assert frame_delays_cs(4, 100) == [2, 2, 2, 200]
    data, _ = encode((moving_square(k) for k in range(3)), fps=100)
    assert decode(data)[2] == [20, 20, 2000]


def test_last_frame_is_held_at_least_one_frame():
    assert frame_delays_cs(2, 0.5, hold_last_ms=2000) == [200, 200]


def test_identical_frames_still_count():
    frames = [moving_square(1)] * 3 + [moving_square(2)]
    data, n = encode(iter(frames))
    im, back, durations = decode(data)
    assert n == im.n_frames == 4
    np.testing.assert_array_equal(back[2], moving_square(1))
    np.testing.assert_array_equal(back[3], moving_square(2))
    assert durations == [100, 100, 100, 2000]


def test_frames_are_not_kept_after_they_are_encoded():
    refs = []

    def frames():
        for k in range(6):
            a = moving_square(k)
            refs.append(weakref.ref(a))
            yield a

    buf = io.BytesIO()
    with GifWriter(buf, (W, H), 10) as gif:
        for k, frame in enumerate(frames()):
            gif.write(frame)
            del frame
            gc.collect()
            # only the frame just written may still be alive (as the writer's input)
            assert all(r() is None for r in refs[:-1]), f"a frame before {k} is still held"


def test_a_smooth_gradient_does_not_band():
    # a colour-mapped ramp like a level map: 256 shades of a blue-to-yellow blend
    t = np.linspace(0, 1, 256)
    ramp = np.stack([40 + 200 * t, 60 + 150 * t, 120 - 80 * t], axis=-1)
    frame = np.repeat(np.round(ramp)[None, :, :], 20, axis=0).astype(np.uint8)
    buf = io.BytesIO()
    write_gif(buf, [frame], (256, 20), 10)
    back = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB")).astype(int)
    err = np.abs(back - frame).max()
    assert err <= 3, f"largest colour error {err}"
    # no long flat steps: neighbouring columns differ somewhere along the ramp
    steps = np.flatnonzero(np.any(np.diff(back[0], axis=0) != 0, axis=1))
    assert np.diff(steps).max() <= 4


def test_palette_from_samples_covers_colours_of_later_frames():
    first, last = moving_square(0), moving_square(9)
    last[20:30, 20:30] = (0, 160, 80)           # green appears only at the end
    pal = make_palette([first, last])
    assert pal.shape[1] == 3 and len(pal) <= 255
    colours = pal
    for c in (WHITE, RED, BLUE, (0, 160, 80)):
        assert (colours == c).all(axis=1).any(), c


def test_wrong_frame_size_is_refused():
    buf = io.BytesIO()
    with pytest.raises(ValueError, match="64x48"):
        with GifWriter(buf, (W, H), 10) as gif:
            gif.write(np.zeros((10, 10, 3), np.uint8))


def test_no_frames_is_an_error():
    with pytest.raises(ValueError, match="at least one frame"):
        encode(iter([]))
