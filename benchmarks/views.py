"""Redraw speed of the contour, loss and 3-D views on the blog example.

Run under an X server (the 3-D view needs OpenGL; Mesa's llvmpipe is fine):

    xvfb-run -a -s "-screen 0 1600x1200x24" python -m benchmarks.views

Every figure is printed beside a baseline measured in the same run:

  2-D frame   sim.seek(k), update() and processEvents() (the paint an event loop
              would do) of the 800×600 view (median of 200), against a naive frame that clears a bare pg.PlotWidget and
              re-creates the map, lines and symbols with the same data
              (target ≥ 60 frames/s)
  3-D frame   the same for SurfaceView (200×200 mesh, 800×600, then glFinish), against a
              naive view that rebuilds its GLSurfacePlotItem every frame (target ≥ 30)

An edit with a long history is benchmarks/edit.py.

SurfaceView is a raster widget that draws with OpenGL into its own framebuffer
and paints the pixels read back (surface_view_host.py): its paint event, inside
processEvents(), renders, waits for OpenGL (the read-back does) and paints. The
3-D figure also counts the 3-D view's paints, to show that every measured
frame really repainted it.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

import numpy as np


def _timed(fn, n: int) -> float:
    """Median seconds of fn() over n calls, after three warm-up calls."""
    for _ in range(3):
        fn()
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def _fps(seconds: float) -> str:
    return f"{1.0 / seconds:7.1f} frames/s ({seconds * 1e3:6.2f} ms)"


def _stepper(sim):
    """A function that moves sim one step on, wrapping to step 1 after the last."""
    def step():
        sim.seek(sim.step % sim.steps + 1)
    return step


def _show(app, widget, w=800, h=600):
    widget.resize(w, h)
    widget.show()
    for _ in range(5):
        app.processEvents()
        time.sleep(0.01)


def _paint(app, widget) -> None:
    """Ask for a repaint and let Qt do it now, as the event loop would: the paint
    event, and for a GL view paintGL, the composition onto the window and glFinish."""
    target = widget.graphics.viewport() if hasattr(widget, "graphics") else widget
    target.update()
    app.processEvents()
    if hasattr(widget, "makeCurrent"):
        from OpenGL import GL
        widget.makeCurrent()
        GL.glFinish()
        widget.doneCurrent()


def main() -> int:
    from PySide6 import QtWidgets

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    import pyqtgraph as pg

    from optiviz_gui.core import session
    from optiviz_gui.ui.views.contour.view import ContourView
    from optiviz_gui.ui.views.surface.gl import gl_available
    from optiviz_gui.ui.views.loss import LossView

    sim = session.load(None)
    print(f"Qt platform {QtWidgets.QApplication.platformName()}; blog example: "
          f"{len(sim.runs)} runs, {sim.steps} steps")

    # ------------------------------------------------------------------ 2-D
    cv = ContourView(sim)
    _show(app, cv)
    step = _stepper(sim)

    def contour_frame():
        step()
        _paint(app, cv)

    t_contour = _timed(contour_frame, 200)
    cv.set_arrows(True, True, True)
    t_arrows = _timed(contour_frame, 200)
    cv.close()

    sim_l = session.load(None)
    lv = LossView(sim_l)
    _show(app, lv)
    step_l = _stepper(sim_l)

    def loss_frame():
        step_l()
        _paint(app, lv)

    t_loss = _timed(loss_frame, 200)
    lv.close()

    sim_n = session.load(None)
    naive = pg.PlotWidget()
    _show(app, naive)
    step_n = _stepper(sim_n)
    _, _, z = sim_n.surface.grid(300)
    shade = np.sqrt(z - z.min())

    def naive_frame():
        step_n()
        k = sim_n.step
        naive.clear()
        naive.addItem(pg.ImageItem(shade))
        for t, c in zip(sim_n.trajectories, sim_n.colors()):
            p = t.params[: k + 1]
            naive.plot(p[:, 0], p[:, 1], pen=pg.mkPen(c, width=2), symbol="o",
                       symbolSize=4, symbolBrush=c)
        _paint(app, naive)

    t_naive = _timed(naive_frame, 100)
    naive.close()
    print("2-D, one step + repaint at 800x600 (target >= 60 frames/s):")
    print(f"  contour view                      {_fps(t_contour)}")
    print(f"  contour view, all arrows on       {_fps(t_arrows)}")
    print(f"  loss view                         {_fps(t_loss)}")
    print(f"  baseline: naive bare PlotWidget   {_fps(t_naive)}")

    # ------------------------------------------------------------------ 3-D
    has_gl = gl_available()
    if has_gl:
        import pyqtgraph.opengl as gl

        from optiviz_gui.ui.views.surface.view import MESH, SurfaceView

        sim_s = session.load(None)
        sv = SurfaceView(sim_s)
        _show(app, sv)
        step_s = _stepper(sim_s)

        def surface_frame():
            step_s()
            _paint(app, sv)

        frames0 = sv.frames
        t_surface = _timed(surface_frame, 100)
        surface_frames = sv.frames - frames0
        sv.close()

        naive3 = gl.GLViewWidget()
        _show(app, naive3)
        _, _, gz = sim_s.surface.grid(MESH)
        h = np.sqrt(gz - gz.min())
        h = h / h.max()
        u = np.linspace(-1, 1, MESH)

        def naive3_frame():
            step_s()
            naive3.clear()
            naive3.addItem(gl.GLSurfacePlotItem(x=u, y=u, z=h, shader="shaded"))
            _paint(app, naive3)

        t_naive3 = _timed(naive3_frame, 5)
        naive3.close()
        print(f"3-D, one step + repaint at 800x600, {MESH}x{MESH} mesh (target >= 30 frames/s):")
        print(f"  surface view                      {_fps(t_surface)}"
              f"   (3-D view painted {surface_frames} times in 103 frames)")
        print(f"  baseline: rebuild mesh each frame {_fps(t_naive3)}")
    else:
        print("3-D: skipped (no OpenGL on this Qt platform; run under xvfb-run)")

    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYOPENGL_PLATFORM", "glx")
    sys.exit(main())
