"""The network surface (kind "mlp"): plane grids, training steps, memory, erf — beside baselines.

    python -m benchmarks.mlp

1. The loss on a 100×100 plane grid of a 2-8-8-1 tanh net on 200 moons points:
   ``surface.grid(100)`` (10⁴ θ in batched chunks) against a per-point Python
   loop over the same numpy code (one θ at a time; timed on 10 rows, scaled).
   Target ≤ 1 s. Then the other activations and the largest net the factory
   allows (4 × 32 on 2000 points), the latter timed on a 10×10 grid and scaled.
2. Optimizer steps per second on that net, one θ: our loop
   (``value_and_grad_theta`` + ``Adam.update``) against torch.optim.Adam training
   the same nn.Sequential in float64 (one thread) when torch is installed.
   Target ≥ 20 000.
3. Memory: the bytes each kept step costs for a 301-parameter net (2-16-14-1) —
   θ, loss, plane coordinates, distance, the projected gradient — measured with
   tracemalloc, and the figure for 10⁵ steps; the cost of projecting such a path
   and of a PCA plane over four of them.
4. erf on arrays (GELU's cost): ours against ``math.erf`` in a loop and ``np.tanh``.
5. Playback (needs a display, 3-D included under Xvfb: ``xvfb-run -a -s "-screen 0
   1600x1000x24" python -m benchmarks.mlp``): the main window at 1440×900 on the
   Network preset (moons, 2-8-8-1 tanh; SGD, Adam, AdamW + cosine on the PCA plane)
   with the Data tab in front, stepped one step a frame as playback does; a frame is
   ``sim.seek(k + 1)`` and the paint of the contour map, the 3-D view and the data
   tab (its three decision boundaries computed: the first pass over the steps; then
   replayed from the cache), against the same window on the blog example in the same
   run. Target ≥ 30 frames/s. Also the Loss tab with the accuracy shown, and one
   boundary's cost (decision grid and iso-line).

Machines are noisy: read the ratios, each measured in this one run.
"""

from __future__ import annotations

import math
import time
import tracemalloc
from itertools import pairwise
from pathlib import Path

import numpy as np

from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.surfaces.erf import erf
from optiviz_gui.core.surfaces.mlp import MLPSurface


def best_of(fn, repeat: int = 3) -> float:
    best = math.inf
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def net(activation="tanh", hidden=(8, 8), n=200) -> MLPSurface:
    return MLPSurface.generated("moons", n, 0.2, hidden=hidden, activation=activation, seed=0)


# ------------------------------------------------------------------ 1. grids
def naive_rows(surface, xs, ys, rows) -> np.ndarray:
    """One θ at a time: lift the point, then the loss."""
    return np.array([[surface.value_theta(surface.lift([xs[i], b])) for b in ys] for i in rows])


def grids() -> None:
    n, rows = 100, np.arange(0, 100, 10)
    print(f"== loss on a {n}x{n} plane grid, 2-8-8-1 net, 200 points ==")
    surface = net()
    fast = best_of(lambda: surface.grid(n))
    xs, ys, z = surface.grid(n)
    slow = best_of(lambda: naive_rows(surface, xs, ys, rows), repeat=1) * n / len(rows)
    naive = naive_rows(surface, xs, ys, rows)
    rel = float(np.max(np.abs(z[rows] - naive) / naive))
    print(f"per-point loop     : {slow:8.3f} s  (timed on {len(rows)} rows, scaled)")
    print(f"Surface.grid       : {fast:8.3f} s  ({slow / fast:.1f}x the loop, largest relative "
          f"difference {rel:.1e})  target <= 1 s: {'OK' if fast <= 1 else 'ABOVE TARGET'}")
    for activation in ("relu", "sigmoid", "gelu"):
        other = net(activation)
        print(f"  {activation:8s} grid     : {best_of(lambda s=other: s.grid(n)):8.3f} s")
    biggest = net("tanh", (32, 32, 32, 32), 2000)
    small = best_of(lambda: biggest.grid(10), repeat=1)
    step = best_of(lambda: biggest.value_and_grad_theta(biggest.theta0))
    print(f"  2-32x4-1, 2000 pts: {small * 100:8.1f} s  (a 10x10 grid: {small:.2f} s, scaled x100; "
          f"one loss and gradient: {step * 1e3:.1f} ms)")


# ------------------------------------------------------------------ 2. steps
def our_steps(surface, steps: int) -> None:
    opt = make_optimizer("adam", lr=0.01)
    theta = surface.theta0
    state = opt.init(theta)
    for _ in range(steps):
        _, grad = surface.value_and_grad_theta(theta)
        delta, state = opt.update(grad, state, theta)
        theta = theta + delta


def torch_steps(surface, steps: int) -> None:
    """The same nn.Sequential (float64, our θ₀) trained by torch.optim.Adam."""
    import torch

    act = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid,
           "gelu": torch.nn.GELU}[surface.activation]
    modules = []
    for fan_in, fan_out in pairwise(surface.sizes):
        modules += [torch.nn.Linear(fan_in, fan_out, dtype=torch.float64), act()]
    model = torch.nn.Sequential(*modules[:-1])
    with torch.no_grad():
        torch.nn.utils.vector_to_parameters(torch.tensor(surface.theta0), model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    X, y = (torch.tensor(a) for a in surface.data)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(model(X).squeeze(1), y).backward()
        opt.step()


def steps_per_second() -> None:
    print("\n== Adam steps per second, one θ, 2-8-8-1 net, 200 points ==")
    try:
        import torch
        torch.set_default_dtype(torch.float64)
        torch.set_num_threads(1)           # a 2-8-8-1 net gains nothing from threads; on two
        torch_steps(net(), 50)             # busy cores they only spin. Warm-up: lazy imports
        baseline = 2000 / best_of(lambda: torch_steps(net(), 2000))
        print(f"{'torch.optim.Adam, nn.Sequential':34s} {baseline:10,.0f} steps/s   (baseline)")
    except ImportError:
        baseline = None
        print("torch: not installed (pip install -e '.[reference]')")
    for activation in ("tanh", "relu", "sigmoid", "gelu"):
        surface = net(activation)
        steps = 5000 if activation != "gelu" else 1000
        rate = steps / best_of(lambda s=surface, k=steps: our_steps(s, k))
        ratio = f"({rate / baseline:.1f}x torch)" if baseline else ""
        flag = ("target >= 20,000: " + ("OK" if rate >= 20_000 else "BELOW TARGET")
                if activation == "tanh" else "")
        print(f"{'OptiViz ' + activation:34s} {rate:10,.0f} steps/s   {ratio}  {flag}")


# ------------------------------------------------------------------ 3. memory
def keep(surface, steps: int):
    """A run's history as the views need it: θ_k, L(θ_k), (α, β)_k, distance_k, the
    gradient's projection; preallocated arrays filled step by step."""
    P = surface.dim
    thetas, losses = np.empty((steps + 1, P)), np.empty(steps + 1)
    coords, distances, grads = np.empty((steps + 1, 2)), np.empty(steps + 1), np.empty((steps + 1, 2))
    opt = make_optimizer("adam", lr=0.01)
    theta = surface.theta0
    state = opt.init(theta)
    for k in range(steps + 1):
        loss, grad = surface.value_and_grad_theta(theta)
        thetas[k], losses[k], grads[k] = theta, loss, surface.directions @ grad
        if k < steps:
            delta, state = opt.update(grad, state, theta)
            theta = theta + delta
    coords[:], distances[:] = surface.project(thetas)
    return thetas, losses, coords, distances, grads


def memory() -> None:
    surface = net(hidden=(16, 14))
    steps = 20_000
    print(f"\n== memory of a kept run, 2-16-14-1 net (P = {surface.dim}) ==")
    tracemalloc.start()
    kept = keep(surface, steps)
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    per_step = size / (steps + 1)
    print(f"bytes per kept step: {per_step:8.0f}   (θ alone: {8 * surface.dim} = 8·P)")
    print(f"10^5 steps         : {per_step * 1e5 / 2**20:8.1f} MiB per run")
    path = np.repeat(kept[0], 5, axis=0)[:100_001]           # a 10^5-step path
    print(f"project 10^5 θ     : {best_of(lambda: surface.project(path)):8.3f} s")
    paths = [path + 0.01 * i for i in range(4)]
    print(f"PCA plane, 4 x 10^5: {best_of(lambda: surface.with_pca_plane(paths), repeat=1):8.3f} s")


# ------------------------------------------------------------------ 4. erf
def erf_cost() -> None:
    print("\n== erf on arrays (GELU), 10^6 numbers in blocks of 2^13 ==")
    x = np.random.default_rng(0).normal(0.0, 2.0, 1 << 20)
    blocks = x.reshape(-1, 1 << 13)
    ours = best_of(lambda: [erf(b) for b in blocks]) / x.size * 1e9
    loop = best_of(lambda: [math.erf(v) for v in x.tolist()], repeat=1) / x.size * 1e9
    tanh = best_of(lambda: [np.tanh(b) for b in blocks]) / x.size * 1e9
    print(f"math.erf in a loop : {loop:6.1f} ns per number   (baseline)")
    print(f"erf (Cody, numpy)  : {ours:6.1f} ns per number   ({loop / ours:.1f}x the loop)")
    print(f"np.tanh            : {tanh:6.1f} ns per number   (erf costs {ours / tanh:.0f} tanh)")


# ------------------------------------------------------------------ 5. playback
def playback() -> None:
    import os
    import statistics
    import tempfile

    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        print("\n== playback: skipped (no display; run under xvfb-run) ==")
        return
    from PySide6.QtCore import QSettings

    from optiviz_gui.core import session
    from optiviz_gui.ui.window.app import make_app
    from optiviz_gui.ui.window.main_window import MainWindow

    app = make_app()

    def pump(seconds: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.01)

    def frame_times(path, tab: str, passes: int = 2, accuracy: bool = False):
        """Median seconds of a frame on each pass over the steps, and the 3-D view's paints."""
        q = QSettings(tempfile.mktemp(suffix=".ini"), QSettings.IniFormat)
        sim = session.load(path)
        w = MainWindow(sim, settings=q)
        w.resize(1440, 900)
        w.show()
        pump(1.5)                                   # the 3-D view appears after the first paint
        w.tabs.setCurrentWidget(getattr(w, tab))
        if accuracy:
            w.set_accuracy(True)
        pump(0.3)
        gl = w.surface3d
        painted = gl.frames if gl is not None else 0
        out = []
        for _ in range(passes):
            sim.seek(0)
            pump(0.1)
            times = []
            for k in range(1, sim.steps + 1):
                t = time.perf_counter()
                sim.seek(k)
                app.processEvents()                  # the paints an event loop would do
                if gl is not None:
                    from OpenGL import GL
                    gl.makeCurrent()
                    GL.glFinish()
                    gl.doneCurrent()
                times.append(time.perf_counter() - t)
            out.append(statistics.median(times))
        painted = (gl.frames - painted) if gl is not None else None
        steps = sim.steps
        w.close_without_asking()
        w.deleteLater()
        pump(0.2)
        return out, painted, steps

    def fps(seconds: float) -> str:
        return f"{1 / seconds:6.1f} frames/s ({seconds * 1e3:5.1f} ms)"

    # the preset beside this file (the installed resources may be another checkout's)
    network = str(Path(__file__).resolve().parents[1] / "resources" / "presets" / "network.json")
    print("\n== playback: the window at 1440x900 (map, 3-D, front tab), one step a frame ==")
    (blog,), _, _ = frame_times(None, "data", passes=1)
    print(f"blog example, Data tab           : {fps(blog)}   (baseline)")
    (first, again), painted, steps = frame_times(network, "data")
    ok = "OK" if first <= 1 / 30 else "BELOW TARGET"
    print(f"network, Data tab, first pass    : {fps(first)}   ({first / blog:.2f}x the blog's "
          f"frame)  target >= 30 frames/s: {ok}")
    print(f"network, Data tab, replayed      : {fps(again)}   (boundaries from the cache; the "
          f"3-D view painted {painted} times in {2 * steps} frames)")
    (loss,), _, _ = frame_times(network, "loss", passes=1, accuracy=True)
    print(f"network, Loss tab with accuracy  : {fps(loss)}")
    surface = session.load(network).surface
    sim = session.load(network)
    sim.seek(sim.steps)
    from optiviz_gui.ui.views.boundary import GRID
    from optiviz_gui.ui.views.levels import isolines
    theta = sim.trajectories[1].theta[sim.steps]
    grid = best_of(lambda: surface.decision_grid(theta, GRID, logits=True), repeat=20)
    xs, ys, z = surface.decision_grid(theta, GRID, logits=True)
    trace = best_of(lambda: isolines(xs, ys, z, [0.0]), repeat=20)
    print(f"one boundary: decision grid {GRID}x{GRID} {grid * 1e3:.2f} ms + iso-line "
          f"{trace * 1e3:.2f} ms")


def main() -> None:
    grids()
    steps_per_second()
    memory()
    erf_cost()
    playback()


if __name__ == "__main__":
    main()
