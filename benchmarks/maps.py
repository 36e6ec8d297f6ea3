"""Maps: many runs at once against a Trajectory per cell, and peak memory, in one run.

    python -m benchmarks.maps

Start maps of the blog session (resources/presets/blog.json): 256×256 starts,
100 steps, every run, ``core.maps.compute`` against the straightforward loop
(one ``Trajectory`` per start, ``extend(100)``, ``converged_at()``), timed on a
sample of the starts and extrapolated to the grid (best of 3 each); the
sample's cells are checked equal to the map's. Hyper-parameter maps (one optimizer per column,
lr as an array) for scale. Peak memory of a 1024×1024 start map, as a
MapResult and streamed to CSV, each in a fresh process beside the bare
process (imports + session) measured the same way.
Targets: ≥ 100× the per-start loop and ≥ 10⁷ point-steps/s; ≤ 500 MB at 1024².
"""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np

from optiviz_gui.core import maps, session
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
    print(f"== start map {GRID}x{GRID}, {STEPS} steps, blog surface "
          f"(baseline: a Trajectory per start, {SAMPLE} sampled and extrapolated) ==")
    rng = np.random.default_rng(0)
    cells = rng.choice(GRID * GRID, SAMPLE, replace=False)
    i, j = cells % GRID, cells // GRID
    for label, run in zip(sim.labels(), sim.runs):
        spec = maps.start_map(sim.surface, run.optimizer, STEPS, GRID)
        result = maps.compute(spec, order="rows")
        ours = best_of(lambda: maps.compute(spec, order="rows"))
        starts = np.column_stack((spec.u[i], spec.v[j]))
        lone = per_start(sim, run.optimizer, starts)
        naive = best_of(lambda: per_start(sim, run.optimizer, starts)) * GRID * GRID / SAMPLE
        same = np.array_equal(lone, np.column_stack((result.x[i, j], result.y[i, j])))
        rate = GRID * GRID * STEPS / ours
        flag = "ok" if rate >= 1e7 and naive / ours >= 100 else "BELOW TARGET"
        print(f"{label:14s} map {ours:6.2f} s  {rate:12,.0f} point-steps/s   per-start loop "
              f"{naive:6.1f} s  ({naive / ours:5.0f}x)  sample equal: {same}  {flag}")


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


def main() -> None:
    sim = session.load(BLOG)
    start_maps(sim)
    hyper_maps(sim)
    memory()


if __name__ == "__main__":
    main()
