"""Launch time: process start to the first painted main window (target ≤ 1.5 s).

Run under an X server (the 3-D view needs OpenGL; Mesa's llvmpipe is fine):

    xvfb-run -a -s "-screen 0 1600x1200x24" python -m benchmarks.window

Each launch is a fresh process, timed from just before it is spawned to the
moment its window first paints. The process runs APP below: what `optiviz`
does (``make_app``, ``session.load``, ``MainWindow``), through the public API,
with an event filter of its own that prints the time of the first paint and of
the moment the 3-D view is in place. Beside it, in the same run, the baseline:
a fresh process with a bare QMainWindow holding one pyqtgraph PlotWidget,
timed the same way — the floor any PySide6 + pyqtgraph window pays. Medians of
``RUNS`` launches.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

RUNS = 5
TARGET_S = 1.5

WATCH = r"""
import time
from PySide6.QtCore import QEvent, QObject, QTimer

class FirstPaint(QObject):
    fired = False
    def eventFilter(self, obj, event):
        if not self.fired and event.type() == QEvent.Paint and obj.isWidgetType():
            self.fired = True
            QTimer.singleShot(0, lambda: print(f"optiviz-first-paint {time.time():.6f}",
                                               flush=True))
        return False
"""

APP = WATCH + r"""
import sys
from optiviz_gui.core import session
from optiviz_gui.ui.window.app import make_app
from optiviz_gui.ui.window.main_window import MainWindow

sim = session.load(None)
app = make_app()
watch = FirstPaint()
app.installEventFilter(watch)
window = MainWindow(sim)
window.show()

def ready():
    if window.surface3d is not None:
        print(f"optiviz-3d-ready {time.time():.6f}", flush=True)
    else:
        QTimer.singleShot(5, ready)

ready()
QTimer.singleShot(1500, window.close_without_asking)
app.exec()
"""

BASELINE = WATCH + r"""
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
import pyqtgraph as pg

app = QApplication(sys.argv[:1])
watch = FirstPaint()
app.installEventFilter(watch)
w = QMainWindow()
w.setCentralWidget(pg.PlotWidget())
w.resize(1440, 900)
w.show()
pg.QtCore.QTimer.singleShot(1000, app.quit)
app.exec()
"""


def _launch(argv: list[str]) -> dict[str, float]:
    """Seconds from spawn to each reported mark ("first-paint", "3d-ready")."""
    t0 = time.time()
    out = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    marks = {}
    for line in out.stdout.splitlines():
        if line.startswith("optiviz-"):
            name, stamp = line.split()
            marks[name.removeprefix("optiviz-")] = float(stamp) - t0
    if "first-paint" not in marks:
        raise RuntimeError(f"no first paint reported (exit {out.returncode}): {out.stderr[-500:]}")
    return marks


def main() -> None:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        print("window: needs a display; run under xvfb-run -a")
        return
    app = [sys.executable, "-c", APP]
    base = [sys.executable, "-c", BASELINE]
    _launch(app)                                   # warm the file cache once
    ours, floor, gl = [], [], []
    for _ in range(RUNS):
        m = _launch(app)
        ours.append(m["first-paint"])
        if "3d-ready" in m:
            gl.append(m["3d-ready"])
        floor.append(_launch(base)["first-paint"])
    med = statistics.median
    print(f"launch → first painted window, median of {RUNS} fresh processes")
    print(f"  OptiViz (blog example)        {med(ours):6.3f} s   target ≤ {TARGET_S} s "
          f"{'OK' if med(ours) <= TARGET_S else 'MISSED'}")
    print(f"  baseline (QMainWindow + one PlotWidget) {med(floor):6.3f} s")
    print(f"  OptiViz − baseline            {med(ours) - med(floor):+6.3f} s")
    if gl:
        print(f"  OptiViz 3-D view in place     {med(gl):6.3f} s (built after the first paint)")
    else:
        print("  3-D view: not created (no OpenGL on this platform)")


if __name__ == "__main__":
    main()
