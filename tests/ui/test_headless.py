"""Frames drawn by the app's own views: counts, sizes, the picture moving, same as the view.

Runs in-process with pytest-qt's QApplication (pytest-xvfb provides an X
server, so the 3-D tests run where OpenGL works and skip cleanly elsewhere).
"""

import json

import numpy as np
import pytest
from PIL import Image

from optiviz_gui.core import session
from optiviz_gui.core.simulation import Simulation
from optiviz_gui.ui.render.headless import HEADLESS_ARROWS, export_session, x_server_reachable
from optiviz_gui.ui.render.frames import ViewFrames, qimage_to_array

STEPS = 6


@pytest.fixture
def session_file(tmp_path):
    """The blog example cut to STEPS steps."""
    obj = json.loads(session.default_path().read_text())
    obj["steps"] = STEPS
    path = tmp_path / "short.json"
    path.write_text(json.dumps(obj))
    return path


@pytest.fixture
def short_sim():
    sim = session.load(None)
    return Simulation(sim.surface, sim.start, sim.runs, STEPS)


def gif_frames(path):
    im = Image.open(path)
    out = []
    for i in range(im.n_frames):
        im.seek(i)
        out.append((np.asarray(im.convert("RGB")).astype(int), im.info["duration"]))
    return im, out


def test_gif_of_the_contour_view(qapp, session_file, tmp_path):
    out = tmp_path / "blog.gif"
    export_session(session_file, out, view="contour", size=(320, 200), fps=4)
    im, frames = gif_frames(out)
    assert im.n_frames == STEPS + 1
    assert im.size == (320, 200)
    assert im.info["loop"] == 0
    assert [d for _, d in frames] == [250] * STEPS + [2000]
    first, last = frames[0][0], frames[-1][0]
    moved = np.abs(first - last).max(axis=2) > 40
    # the paths grew: a visible part of the picture changed, most of it did not
    assert 0.002 < moved.mean() < 0.5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blog.gif", "short.json"]


def fresh_picture(sim, k, size, arrows=(False, False, False)):
    """A new contour view of a new copy of ``sim`` at step k, drawn with the event loop
    run in between (as on screen, where axes and legend settle their sizes): the
    picture without anything carried over from other steps."""
    from PySide6.QtWidgets import QApplication

    from optiviz_gui.ui.views.contour.view import ContourView
    copy = sim.copy()
    copy.seek(k)
    view = ContourView(copy)
    view.set_arrows(*arrows)
    for _ in range(3):
        view.render_image(*size)
        QApplication.processEvents()
    out = qimage_to_array(view.render_image(*size))[:, :, :3].astype(int)
    view.deleteLater()
    return out


def test_png_is_the_last_frame(qapp, session_file, short_sim, tmp_path):
    out = tmp_path / "last.png"
    export_session(session_file, out, size=(640, 400))
    png = np.asarray(Image.open(out).convert("RGB")).astype(int)
    assert png.shape == (400, 640, 3)
    # the command draws the arrows the app opens with: the gradient and the step taken
    expected = fresh_picture(short_sim, STEPS, (640, 400), arrows=HEADLESS_ARROWS)
    assert (np.abs(png - expected).max(axis=2) > 8).mean() < 1e-4


def test_each_frame_is_the_views_picture_of_that_step(qapp, short_sim):
    # 640×400: below about 440 px wide the contour view's header does not fit
    size = (640, 400)
    with ViewFrames(short_sim.copy(), "contour", size) as src:
        for k in (0, 1, STEPS // 2, STEPS):
            a = src.frame(k)[:, :, :3].astype(int)
            b = fresh_picture(short_sim, k, size)
            assert (np.abs(a - b).max(axis=2) > 8).mean() < 1e-4, f"step {k}"


def test_frames_stay_right_when_the_legend_wraps(qapp):
    """Blog example at 2000×1125: the legend gains a line ("converged at 62") at step 62."""
    sim = session.load(None)
    size = (2000, 1125)
    with ViewFrames(sim.copy(), "contour", size) as src:
        for k in range(101):
            frame = src.frame(k)
            if k in (0, 61, 62, 100):
                b = fresh_picture(sim, k, size)
                bad = (np.abs(frame[:, :, :3].astype(int) - b).max(axis=2) > 8).mean()
                assert bad < 1e-4, f"step {k}: {bad:.2%} of the pixels differ"


def test_frames_do_not_move_the_original_simulation(qapp, short_sim):
    short_sim.seek(3)
    copy = short_sim.copy()
    with ViewFrames(copy, "contour", (200, 150)) as src:
        src.frame(STEPS)
    assert short_sim.step == 3 and copy.step == STEPS
    assert copy.runs == short_sim.runs and copy.start == short_sim.start


def test_frame_is_rgbx_at_the_requested_size(qapp, short_sim):
    with ViewFrames(short_sim, "contour", (123, 77)) as src:
        f = src.frame(0)
    assert f.shape == (77, 123, 4) and f.dtype == np.uint8
    assert (f[:, :, 3] == 255).all()


def test_qimage_to_array_keeps_rgb_order(qapp):
    from PySide6 import QtGui
    img = QtGui.QImage(3, 2, QtGui.QImage.Format.Format_ARGB32)
    img.fill(QtGui.QColor(10, 20, 30))
    img.setPixelColor(2, 1, QtGui.QColor(200, 100, 50))
    a = qimage_to_array(img)
    assert a.shape == (2, 3, 4)
    assert tuple(a[0, 0, :3]) == (10, 20, 30) and tuple(a[1, 2, :3]) == (200, 100, 50)


def test_x_server_probe_rejects_nonsense():
    assert not x_server_reachable("")
    assert not x_server_reachable("nohost")
    assert not x_server_reachable(":notanumber")
    assert not x_server_reachable(":987")        # no such display here


def gl_ok(qapp):
    from optiviz_gui.ui.views.surface.gl import gl_available
    return gl_available()


@pytest.mark.parametrize("view, size", [("surface", (240, 180)), ("both", (480, 180))])
def test_3d_and_side_by_side(qapp, session_file, tmp_path, view, size):
    if not gl_ok(qapp):
        pytest.skip("no OpenGL on this display")
    out = tmp_path / f"{view}.gif"
    export_session(session_file, out, view=view, size=size, fps=10)
    im, frames = gif_frames(out)
    assert (im.n_frames, im.size) == (STEPS + 1, size)
    first, last = frames[0][0], frames[-1][0]
    assert (np.abs(first - last).max(axis=2) > 40).mean() > 0.001
    if view == "both":   # both halves are drawn (neither is a blank fill)
        w = size[0] // 2
        for half in (last[:, :w], last[:, w:]):
            assert half.reshape(-1, 3).std(axis=0).max() > 10
