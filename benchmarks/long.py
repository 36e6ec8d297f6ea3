"""Live at any length: edits, playback and redraws with long runs, in the real window.

    xvfb-run -a -s "-screen 0 1600x1200x24" python -m benchmarks.long [--quick]

The blog example's four runs, in the app's MainWindow at 1440×900 (with the 3-D view
when OpenGL is there), with the compiled kernels ready (core/kernels, compiled before
timing starts, as a later session finds them in its cache). Each figure is printed
beside its baseline, measured in the same run:

  edit, 4 × 1000 steps      a map click, request to painted (median), against the same
                            window computing and drawing as the app did before
                            (OPTIVIZ_KERNELS=python, every step at once)
  edit, 4 × 10⁵ steps       first paint (the edit returns with QUICK steps drawn) and
                            complete (the worker reached the step and the views show it),
                            against computing everything before painting (Python path)
  frames, 4 × 10⁶ steps     the event loop's frame time (median, 90th percentile, worst)
                            while the worker recomputes 4 × 10⁶ steps after a click, and
                            with nothing computing
  long paths, 4 × 10⁶       one frame of playback near the end (1 667 steps a frame, the
                            top speed), every view redrawn and painted: the paths' caches
                            (views/paths.py) against drawing every computed point
Targets (issue 15): an edit at 4 × 1000 ≤ 16.7 ms median; at 4 × 10⁵ first paint
≤ 100 ms, complete ≤ 500 ms; frames ≤ 50 ms while a 4 × 10⁶ recompute runs; long
paths at ≥ 30 frames/s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

STARTS = [(2.0, 9.0), (1.5, 8.5)]


def _window(app, steps: int):
    from PySide6.QtCore import QSettings

    from optiviz_gui.core import session
    from optiviz_gui.ui.views.surface.gl import gl_available
    from optiviz_gui.ui.window.main_window import MainWindow

    sim = session.load(None)
    sim.set_steps(steps)
    q = QSettings(os.path.join(tempfile.mkdtemp(), "bench.ini"), QSettings.Format.IniFormat)
    w = MainWindow(sim, settings=q, gl=None if gl_available() else False)
    w.show()
    end = time.time() + 20
    while gl_available() and w.surface3d is None and time.time() < end:
        app.processEvents()
        time.sleep(0.01)
    _settle(app, 0.3)
    return w, sim


def _settle(app, seconds: float) -> None:
    end = time.time() + seconds
    while time.time() < end:
        app.processEvents()
        time.sleep(0.005)


def _until_done(app, sim, limit: float = 120.0) -> float:
    """Seconds until the worker is done and the window drew its last results."""
    t = time.perf_counter()
    while sim.computing and time.perf_counter() - t < limit:
        app.processEvents()
        time.sleep(0.001)
    app.processEvents()
    return time.perf_counter() - t


def _compile_kernels(sim) -> bool:
    from optiviz_gui.core import kernels
    if not kernels.enabled():
        return False
    for run in sim.runs:
        kernels.get(sim.surface, run.optimizer, wait=True)
    return True


def edit_short(app, n: int):
    w, sim = _window(app, 1000)
    sim.seek(1000)
    _settle(app, 0.2)
    out = []
    for i in range(n + 3):
        t = time.perf_counter()
        w.contour.start_requested.emit(*STARTS[i % 2])
        app.processEvents()
        out.append(time.perf_counter() - t)
    w.close_without_asking()
    return out[3:]


def edit_long(app, steps: int, repeat: int):
    w, sim = _window(app, steps)
    sim.seek(steps)
    _until_done(app, sim)
    first, complete = [], []
    for i in range(repeat):
        t = time.perf_counter()
        w.contour.start_requested.emit(*STARTS[i % 2])
        app.processEvents()
        first.append(time.perf_counter() - t)
        complete.append(first[-1] + _until_done(app, sim))
    w.close_without_asking()
    return first, complete


def frames_while_computing(app, steps: int, seconds: float):
    """Frame times of a 60 Hz timer driving playback-like repaints, during a recompute."""
    from PySide6.QtCore import QTimer
    w, sim = _window(app, steps)
    sim.seek(steps)
    _until_done(app, sim, 300)
    stamps = []
    timer = QTimer()
    timer.setInterval(16)
    timer.timeout.connect(lambda: (stamps.append(time.perf_counter()), w.update()))

    def measure(during_edit: bool):
        stamps.clear()
        timer.start()
        if during_edit:
            w.contour.start_requested.emit(*STARTS[len(STARTS) - 1])
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.001)
        timer.stop()
        gaps = [b - a for a, b in zip(stamps, stamps[1:])]
        return gaps

    idle = measure(False)
    busy = measure(True)
    still = sim.computing
    _until_done(app, sim, 300)
    w.close_without_asking()
    return idle, busy, still


def long_paths(app, steps: int, frames: int):
    """One playback frame near the end of 4 long runs: views redrawn and painted."""
    w, sim = _window(app, steps)
    sim.seek(steps - frames * 1667 - 1)
    _until_done(app, sim, 300)
    sim.compute_in_background(False)          # the frames below extend nothing
    sim.seek(steps)
    sim.seek(steps - frames * 1667 - 1)
    out = []
    for _ in range(frames):
        t = time.perf_counter()
        sim.seek(sim.step + 1667)
        app.processEvents()
        out.append(time.perf_counter() - t)
    w.close_without_asking()
    return out


def _ms(values) -> str:
    return f"{statistics.median(values) * 1e3:7.1f} ms"


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true", help="smaller runs (a smoke test)")
    args = p.parse_args(argv or [])
    from optiviz_gui.ui.window.app import make_app

    app = make_app()
    from optiviz_gui.core import session
    ready = _compile_kernels(session.load(None))
    print(f"long runs in the app window; kernels {'ready' if ready else 'off'}; "
          f"Qt platform {app.platformName()}")
    t = edit_short(app, 15 if args.quick else 40)
    print(f"  edit, 4 x 1000 steps, request -> painted          {_ms(t)}   (target <= 16.7 ms)")
    n = 40_000 if args.quick else 100_000
    first, complete = edit_long(app, n, 3 if args.quick else 6)
    print(f"  edit, 4 x {n:,} steps: first paint            {_ms(first)}   (target <= 100 ms)")
    print(f"                          complete               {_ms(complete)}   (target <= 500 ms)")
    big = 200_000 if args.quick else 1_000_000
    idle, busy, still = frames_while_computing(app, big, 1.0 if args.quick else 2.0)
    for name, gaps in (("nothing computing", idle), (f"recomputing 4 x {big:,}", busy)):
        gaps = sorted(gaps)
        print(f"  frames, {name:28s} median {_ms(gaps)}, 90th "
              f"{gaps[int(0.9 * len(gaps))] * 1e3:6.1f} ms, worst {gaps[-1] * 1e3:6.1f} ms")
    print(f"    (the recompute {'was still running' if still else 'had finished'} when "
          f"the measuring ended)")
    out = long_paths(app, big, 10 if args.quick else 30)
    print(f"  playback frame near the end of 4 x {big:,} steps {_ms(out)} = "
          f"{1 / statistics.median(out):5.1f} frames/s   (target >= 30)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
