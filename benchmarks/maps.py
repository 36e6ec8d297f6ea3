"""Maps: many runs at once against a Trajectory per cell, and peak memory, in one run.

    python -m benchmarks.maps

Start maps of the blog session (resources/presets/blog.json): 256×256 starts,
100 steps, every run, ``core.maps.compute`` against the straightforward loop
(one ``Trajectory`` per start, ``extend(100)``, ``converged_at()``, on the Python
path: step by step; beside it the same loop with the compiled kernels), timed on a
sample of the starts and extrapolated to the grid (best of 3 each); the
sample's cells are checked equal to the map's. Hyper-parameter maps (one optimizer per column,
lr as an array) for scale. Peak memory of a 1024×1024 start map, as a
MapResult and streamed to CSV, each in a fresh process beside the bare
process (imports + session) measured the same way.
Targets: ≥ 100× the per-start loop and ≥ 10⁷ point-steps/s; ≤ 500 MB at 1024².

The window's frame time while a map computes (the app's own Maps view, its
worker thread): the main window on the blog example (no 3-D view) at 1440×900,
the Maps tab in front computing Adam's 256×256 start map of 100 steps again and
again, while playback steps the model and Qt repaints (``sim.seek(k + 1)``, then
``processEvents``, as the timer's tick would); median, 95th percentile and worst
frame of ``FRAMES``, beside the same frames with no map computing, with the
worker thread at the GUI's priority and at its own (nice 10, Linux), for a few
block sizes (the view's default is ``worker.block_for``: an eighth of the map);
frames run back to back, the worst case (at 20 steps/s the map gets the gaps).
Then the GIL's hand-over: how long a thread waits to get the interpreter back
after releasing it, alone and while a map computes (numpy releases it inside
its loops, so the wait stays a fraction of a millisecond: what slows frames
is sharing two cores, which a worker process would share too).
Target: ≤ 50 ms a frame. Offscreen when there is no X server (xvfb-run -a works too).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from optiviz_gui.core import kernels, maps, session
from optiviz_gui.core.trajectory import Trajectory
from optiviz_gui.resources import resource_path

BLOG = str(resource_path("presets", "blog.json"))
GRID, STEPS, SAMPLE = 256, 100, 1500

MEMORY = """
import resource, sys, tempfile, os
from optiviz_gui.core import maps, session
from optiviz_gui.export.maps import write_map_csv
sim = session.load(sys.argv[1])
spec = maps.start_map(sim.surface, sim.runs[-1].optimizer, 100, 1024)
if sys.argv[2] == "result":
    result = maps.compute(spec)
elif sys.argv[2] == "csv":
    out = os.path.join(tempfile.mkdtemp(), "map.csv")
    write_map_csv(out, [("Adam", spec)])
    os.remove(out)
try:        # this process's own high-water mark (ru_maxrss keeps the parent's across exec)
    with open("/proc/self/status") as f:
        print(next(int(l.split()[1]) for l in f if l.startswith("VmHWM:")) / 1024)
except OSError:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def best_of(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def per_start(sim, optimizer, starts):
    """The loop one would write first: a Trajectory per start."""
    out = []
    for x, y in starts:
        t = Trajectory(sim.surface, optimizer, (x, y))
        t.extend(STEPS)
        t.converged_at()
        out.append(t.params[-1] if t.steps >= 0 else (x, y))
    return np.array(out)


def start_maps(sim) -> None:
    print(f"== start map {GRID}x{GRID}, {STEPS} steps, blog surface (baseline: a Trajectory "
          f"per start on the Python path, {SAMPLE} sampled and extrapolated; beside it the "
          f"same loop with compiled kernels) ==")
    rng = np.random.default_rng(0)
    cells = rng.choice(GRID * GRID, SAMPLE, replace=False)
    i, j = cells % GRID, cells // GRID
    for label, run in zip(sim.labels(), sim.runs):
        spec = maps.start_map(sim.surface, run.optimizer, STEPS, GRID)
        result = maps.compute(spec, order="rows")
        ours = best_of(lambda: maps.compute(spec, order="rows"))
        starts = np.column_stack((spec.u[i], spec.v[j]))
        with kernels_set("python"):
            lone = per_start(sim, run.optimizer, starts)
            naive = best_of(lambda: per_start(sim, run.optimizer, starts)) * GRID * GRID / SAMPLE
        compiled = None
        if kernels.get(sim.surface, run.optimizer, wait=True) is not None:
            with kernels_set("numba"):
                compiled = best_of(lambda: per_start(sim, run.optimizer, starts)) * GRID * GRID / SAMPLE
        same = np.array_equal(lone, np.column_stack((result.x[i, j], result.y[i, j])))
        rate = GRID * GRID * STEPS / ours
        flag = "ok" if rate >= 1e7 and naive / ours >= 100 else "BELOW TARGET"
        beside = f"  compiled loop {compiled:5.1f} s ({compiled / ours:4.0f}x)" if compiled else ""
        print(f"{label:14s} map {ours:6.2f} s  {rate:12,.0f} point-steps/s   per-start loop "
              f"{naive:6.1f} s  ({naive / ours:5.0f}x){beside}  sample equal: {same}  {flag}")


@contextlib.contextmanager
def kernels_set(value: str):
    """OPTIVIZ_KERNELS=value inside the block."""
    old = os.environ.get("OPTIVIZ_KERNELS")
    os.environ["OPTIVIZ_KERNELS"] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("OPTIVIZ_KERNELS")
        else:
            os.environ["OPTIVIZ_KERNELS"] = old


def hyper_maps(sim) -> None:
    print(f"\n== hyper-parameter maps, {STEPS} steps (one optimizer per column) ==")
    adam = sim.runs[-1].optimizer
    for grid, key in ((4096, None), ((64, 64), "betas[0]"), ((256, 16), "betas[1]")):
        spec = maps.hyper_map(sim.surface, adam, sim.start, STEPS, grid, key=key)
        took = best_of(lambda: maps.compute(spec))
        n, m = spec.shape
        print(f"Adam lr{' x ' + key if key else ''} {n}x{m}: {took:6.2f} s  "
              f"{n * m * STEPS / took:12,.0f} point-steps/s")


def memory() -> None:
    print("\n== peak memory, 1024x1024 start map of Adam, 100 steps (fresh process each) ==")
    figures = {}
    for what in ("bare", "result", "csv"):
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", MEMORY, BLOG, what], capture_output=True,
                             text=True, check=True)
        figures[what] = float(out.stdout)
        print(f"{what:7s} {figures[what]:7.0f} MB peak   ({time.perf_counter() - t0:5.1f} s)")
    for what in ("result", "csv"):
        flag = "ok" if figures[what] <= 500 else "ABOVE TARGET 500 MB"
        print(f"{what}: {figures[what] - figures['bare']:.0f} MB above the bare process  {flag}")


FRAMES = 300


def frame_times() -> None:
    import os
    import statistics

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from optiviz_gui.ui.render.headless import x_server_reachable
    from optiviz_gui.ui.views.maps import worker
    from optiviz_gui.ui.views.maps.options import MapOptions
    from optiviz_gui.ui.window.main_window import MainWindow

    argv = ["bench"] if os.environ.get("DISPLAY") and x_server_reachable() else \
        ["bench", "-platform", "offscreen"]
    app = QApplication.instance() or QApplication(argv)
    folder = tempfile.mkdtemp()
    w = MainWindow(session.load(BLOG), settings=QSettings(f"{folder}/s.ini", QSettings.IniFormat),
                   gl=False)
    w.resize(1440, 900)
    w.show()
    sim = w.sim
    for _ in range(30):
        app.processEvents()
        time.sleep(0.01)
    w.tabs.setCurrentWidget(w.maps_tab)
    view = w.maps

    def frames(computing: bool) -> tuple[list[float], int]:
        out, maps_done = [], 0
        for _ in range(FRAMES):
            if computing and not view.worker.busy:
                maps_done += view.complete
                view.refresh(force=True)
            t = time.perf_counter()
            sim.seek(sim.step % sim.steps + 1)
            app.processEvents()
            out.append(time.perf_counter() - t)
        return out, maps_done

    def line(name, times, extra=""):
        times = sorted(times)
        ms = [1e3 * v for v in (statistics.median(times), times[int(0.95 * len(times))], times[-1])]
        flag = "ok" if ms[1] <= 50 else "ABOVE TARGET 50 ms"
        print(f"{name:40s} median {ms[0]:5.1f} ms  p95 {ms[1]:5.1f} ms  worst {ms[2]:6.1f} ms"
              f"  {flag}{extra}")

    print(f"\n== the window's frame time during playback, 1440x900, Qt "
          f"{QApplication.platformName()} ({FRAMES} frames each) ==")
    view.set_options(MapOptions(run=3, kind="start", grid=256))
    for _ in range(3):                           # warm: the first map, its drawing
        app.processEvents()
    while not view.complete:
        app.processEvents()
        time.sleep(0.01)
    line("no map computing", frames(False)[0])
    default = worker.block_for(view.spec)
    blocks_for, nice = worker.block_for, worker.NICE
    for priority, block in ((0, default), (nice, 1024), (nice, default), (nice, maps.BLOCK)):
        worker.block_for = lambda spec, b=block: b
        worker.NICE = priority
        t0 = time.perf_counter()
        times, done = frames(True)
        took = time.perf_counter() - t0
        name = f"map computing, nice {priority:2d}, blocks {block:5d}" + \
            ("*" if (priority, block) == (nice, default) else "")
        line(name, times, f"  ({done} maps done in {took:4.1f} s)")
        view.cancel()
        view.worker.wait()
    worker.block_for, worker.NICE = blocks_for, nice
    print("* the Maps view's own (worker.py: NICE, block_for)")
    w.close_without_asking()
    gil_latency(view.spec)


def gil_latency(spec) -> None:
    """How long the GUI thread waits for the interpreter while a map computes: a bare
    release and re-acquisition of the GIL (``time.sleep(0)``), 3000 times."""
    import statistics
    import threading

    def latencies():
        out = []
        for _ in range(3000):
            t = time.perf_counter()
            time.sleep(0)
            out.append(time.perf_counter() - t)
        return sorted(out)

    alone = latencies()
    stop = threading.Event()
    thread = threading.Thread(target=lambda: maps.compute(spec, cancel=stop.is_set,
                                                         block=8192))
    thread.start()
    time.sleep(0.2)
    busy = latencies()
    stop.set()
    thread.join()
    for name, t in (("alone", alone), ("a map computing", busy)):
        print(f"GIL back after a release, {name:16s} median {statistics.median(t) * 1e3:6.3f} ms"
              f"  p95 {t[int(0.95 * len(t))] * 1e3:6.3f} ms  (switch interval "
              f"{sys.getswitchinterval() * 1e3:.0f} ms)")


def main() -> None:
    sim = session.load(BLOG)
    start_maps(sim)
    hyper_maps(sim)
    memory()
    frame_times()


if __name__ == "__main__":
    main()
