"""An edit with 4 runs × 1000 steps of history: recomputed and redrawn (target ≤ 16.7 ms).

Run under an X server (the 3-D view needs OpenGL; Mesa's llvmpipe is fine):

    xvfb-run -a -s "-screen 0 1600x1200x24" python -m benchmarks.edit

The blog example with 1000 steps, played to the last one, so every view shows
4 × 1000 steps. Each edit alternates between two values, so every one changes
the picture. Medians of ``EDITS`` edits (after three warm-up edits), with the
90th percentile beside them:

  app window     the real MainWindow at its default 1440 × 900 with the 3-D view:
                 a click on the map (the contour view's start request, as a
                 drag sends it) and a new value in SGD's learning-rate box,
                 each timed from the request to the end of the paint the event
                 loop does for it (processEvents), split into the model, the
                 slots the edit calls (views' setData, controls, status bar)
                 and the paint; once with the runs' compiled loops ready
                 (core/kernels: what the app has a few seconds after the
                 first edit of 1000+ steps, or at once from numba's cache),
                 once on the Python path (the rest below uses that one too)
  views, full    the contour, loss and 3-D views side by side in one 1600 × 1200
                 window, every view forced to repaint in full (stricter than the
                 app, which repaints only what changed)
  baselines      the model alone (set_start with no view connected), and the
                 contour + loss views re-created for each edit
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

EDITS = 60
STARTS = [(2.0, 9.0), (1.5, 8.5)]


def _long_sim():
    from optiviz_gui.core import session

    sim = session.load(None)
    sim.set_steps(1000)
    sim.seek(1000)
    return sim


def _times(edit, n: int = EDITS) -> list[float]:
    for i in range(3):
        edit(i)
    out = []
    for i in range(n):
        t = time.perf_counter()
        edit(i)
        out.append(time.perf_counter() - t)
    return out


def _med(seconds: list[float]) -> str:
    return f"{statistics.median(seconds) * 1e3:6.2f} ms"


def _p90(seconds: list[float]) -> str:
    return f"{sorted(seconds)[int(0.9 * len(seconds))] * 1e3:6.2f} ms"


class _Parts:
    """Splits each edit's time into the model's share and the slots' share, through the
    public API only: the same edit is made on a copy of the model that no view listens
    to (``Simulation.copy``), and what the request took beyond that is the slots'."""

    def __init__(self, sim) -> None:
        self.model, self.slots = [], []
        self.shadow = sim.copy()
        self.shadow.seek(sim.step)
        self._request = 0.0

    def start(self) -> None:
        self._request = time.perf_counter()

    def requested(self, shadow_edit) -> None:
        self._request = time.perf_counter() - self._request
        t = time.perf_counter()
        shadow_edit(self.shadow)
        model = time.perf_counter() - t
        self.model.append(model)
        self.slots.append(max(0.0, self._request - model))


def app_window(app, compiled: bool) -> dict[str, tuple] | None:
    """(total, model, slots, paint) lists per kind of edit in the real MainWindow: with the
    runs' compiled loops ready (``compiled``: as a few seconds after the first long edit,
    or at once when numba's cache has them), or on the Python path (OPTIVIZ_KERNELS=python)."""
    from PySide6.QtCore import QSettings

    from optiviz_gui.core import kernels
    from optiviz_gui.ui.window.main_window import MainWindow

    os.environ["OPTIVIZ_KERNELS"] = "numba" if compiled else "python"
    settings = QSettings(os.path.join(tempfile.mkdtemp(), "bench.ini"), QSettings.Format.IniFormat)
    sim = _long_sim()
    if compiled and not all(kernels.get(sim.surface, run.optimizer, wait=True)
                            for run in sim.runs):
        return None                          # numba missing or refusing: nothing to show
    window = MainWindow(sim, settings=settings)
    window.show()
    deadline = time.time() + 20
    while window.surface3d is None and time.time() < deadline:   # the 3-D view comes after the first paint
        app.processEvents()
        time.sleep(0.01)
    for _ in range(20):
        app.processEvents()
        time.sleep(0.01)
    if window.surface3d is None:
        window.close_without_asking()
        return None
    parts = _Parts(sim)
    results = {}
    lrs = [0.1, 0.12]
    window.controls.runs.list.setCurrentRow(0)
    lr_box = window.controls.hyper.field("lr")

    def click(i):
        window.contour.start_requested.emit(*STARTS[i % 2])

    def click_model(i):
        return lambda m: m.set_start(STARTS[i % 2])

    def lr_edit(i):
        lr_box.setValue(lrs[i % 2])          # as typing a value and pressing Return does

    def lr_model(i):
        return lambda m: m.update_run(0, optimizer=m.runs[0].optimizer.replace(lr=lrs[i % 2]))

    for name, request, shadow in (("move the start (map click)", click, click_model),
                                  ("change SGD's learning rate", lr_edit, lr_model)):
        paint = []

        def edit(i):
            parts.start()
            request(i)
            parts.requested(shadow(i))
            t = time.perf_counter()
            app.processEvents()
            paint.append(time.perf_counter() - t)

        parts.model.clear()
        parts.slots.clear()
        total = _times(edit)
        k = len(paint) - len(total)
        # the shadow edit is not part of the request: take it out of the total
        total = [t - m for t, m in zip(total, parts.model[k:])]
        results[name] = (total, parts.model[k:], parts.slots[k:], paint[k:])
    window.close_without_asking()
    return results


def views_full(app, with_3d: bool) -> list[float]:
    """Totals of an edit with the views in one window, each repainted in full."""
    from OpenGL import GL
    from PySide6 import QtWidgets

    from optiviz_gui.ui.views.contour.view import ContourView
    from optiviz_gui.ui.views.loss import LossView

    sim = _long_sim()
    views = [ContourView(sim), LossView(sim)]
    if with_3d:
        from optiviz_gui.ui.views.surface.view import SurfaceView
        views.append(SurfaceView(sim))
        views[-1].show_legend = False          # as in the app: the map's legend says it
    window = QtWidgets.QWidget()
    grid = QtWidgets.QGridLayout(window)
    grid.setContentsMargins(0, 0, 0, 0)
    for i, v in enumerate(views):
        v.setMinimumSize(800, 600)
        grid.addWidget(v, i // 2, i % 2)
    window.resize(1600, 1200 if with_3d else 600)
    window.show()
    for _ in range(5):
        app.processEvents()
        time.sleep(0.01)

    def edit(i):
        sim.set_start(STARTS[i % 2])
        for v in views:
            (v.graphics.viewport() if hasattr(v, "graphics") else v).update()
        app.processEvents()
        if with_3d:
            views[-1].makeCurrent()
            GL.glFinish()
            views[-1].doneCurrent()

    out = _times(edit)
    window.close()
    window.deleteLater()
    app.processEvents()
    return out


def baselines(app) -> tuple[list[float], list[float]]:
    from PySide6 import QtWidgets

    from optiviz_gui.ui.views.contour.view import ContourView
    from optiviz_gui.ui.views.loss import LossView

    model = _long_sim()
    t_model = _times(lambda i: model.set_start(STARTS[i % 2]), 30)
    sim = _long_sim()

    def recreate(i):
        sim.set_start(STARTS[i % 2])
        w = QtWidgets.QWidget()
        lay = QtWidgets.QHBoxLayout(w)
        for v in (ContourView(sim), LossView(sim)):
            lay.addWidget(v)
        w.resize(1600, 600)
        w.show()
        app.processEvents()
        w.close()
        w.deleteLater()
        app.processEvents()

    return t_model, _times(recreate, 5)


def main() -> int:

    from optiviz_gui.ui.views.surface.gl import gl_available

    from optiviz_gui.ui.window.app import make_app
    app = make_app()
    print(f"edit with 4 runs x 1000 steps on screen (target <= 16.7 ms, one 60 Hz frame); medians of {EDITS}, "
          f"90th percentile in brackets; Qt platform {app.platformName()}")
    has_gl = gl_available()
    for compiled in (True, False):
        window = app_window(app, compiled) if has_gl else None
        path = "compiled loops ready" if compiled else "Python path (OPTIVIZ_KERNELS=python)"
        if window is None:
            print(f"  app window, {path}: skipped (no OpenGL 3-D view, or no numba)")
            continue
        print(f"  app window 1440x900 with the 3-D view, {path}, request -> painted:")
        for name, (total, model, slots, paint) in window.items():
            print(f"    {name:28s} {_med(total)} ({_p90(total)}) = model {_med(model)}"
                  f" + slots {_med(slots)} + paint {_med(paint)}")
    for with_3d in ((False, True) if has_gl else (False,)):
        name = "contour + loss + 3-D, 1600x1200" if with_3d else "contour + loss, 1600x600"
        t = views_full(app, with_3d)
        print(f"  views repainted in full, {name:32s} {_med(t)} ({_p90(t)})")
    t_model, t_recreate = baselines(app)
    print(f"  the model alone (set_start, no views)                    {_med(t_model)}")
    print(f"  baseline: re-create the contour + loss views             {_med(t_recreate)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
