"""Optimizer throughput: OptiViz's run loop against a naive per-step loop, in one run.

    python -m benchmarks.optimizers

One start point: ``Trajectory.extend`` (Python floats, one coordinate at a
time, history kept) against the loop one would write first — numpy arrays of
two, a dict of state, ``surface.value_and_grad`` each step — and against
torch.optim itself when torch is installed. Many start points:
``run_many`` over 10⁴ start points against the naive loop's rate.
Targets: ≥ 200 000 steps/s for one start point, ≥ 10⁷ point-steps/s vectorised.
"""

from __future__ import annotations

import time

import numpy as np

from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.surfaces import BUILTINS
from optiviz_gui.core.surfaces.regression import LinearRegression
from optiviz_gui.core.trajectory import Trajectory, run_many

CONFIGS = [("sgd", {"lr": 0.1}), ("sgd", {"lr": 0.1, "momentum": 0.2}),
           ("rmsprop", {"lr": 0.1}), ("adam", {"lr": 0.1})]


def best_of(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def naive_adam(surface, start, steps, lr=0.1, b1=0.9, b2=0.999, eps=1e-8):
    """The straightforward loop: numpy arrays of two, a dict of state, a list of points."""
    p = np.array(start, dtype=float)
    state = {"exp_avg": np.zeros(2), "exp_avg_sq": np.zeros(2)}
    history = [p.copy()]
    for t in range(1, steps + 1):
        _, g = surface.value_and_grad(p)
        state["exp_avg"] = b1 * state["exp_avg"] + (1 - b1) * g
        state["exp_avg_sq"] = b2 * state["exp_avg_sq"] + (1 - b2) * g * g
        m_hat = state["exp_avg"] / (1 - b1 ** t)
        v_hat = state["exp_avg_sq"] / (1 - b2 ** t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        history.append(p.copy())
    return history


def torch_adam(surface, start, steps, lr=0.1):
    import torch
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        _, g = surface.value_and_grad(p.detach().numpy())
        p.grad = torch.from_numpy(g)
        opt.step()


def one_start_point(surface, steps=100_000):
    rows = []
    for name, hp in CONFIGS:
        opt = make_optimizer(name, **hp)

        def ours():
            Trajectory(surface, opt, surface.start).extend(steps)
        rows.append((f"{opt.title} {hp}", steps / best_of(ours)))
    return rows


def main() -> None:
    surface = LinearRegression.synthetic()
    steps = 100_000
    print("== optimizer throughput, one start point (blog regression surface) ==")
    naive_steps = 20_000
    naive = naive_steps / best_of(lambda: naive_adam(surface, surface.start, naive_steps))
    print(f"{'naive numpy loop, Adam':40s} {naive:>12,.0f} steps/s   (baseline)")
    try:
        import torch  # noqa: F401
        torch_rate = 5_000 / best_of(lambda: torch_adam(surface, surface.start, 5_000))
        print(f"{'torch.optim.Adam, one tensor':40s} {torch_rate:>12,.0f} steps/s   "
              f"({torch_rate / naive:.2f}x naive)")
    except ImportError:
        print("torch.optim: not installed (pip install -e '.[reference]')")
    for label, rate in one_start_point(surface, steps):
        flag = "ok" if rate >= 200_000 else "BELOW TARGET 200,000"
        print(f"{'OptiViz ' + label:40s} {rate:>12,.0f} steps/s   ({rate / naive:.1f}x naive)  {flag}")
    for name in ("rosenbrock", "rastrigin"):
        s = BUILTINS[name]()
        opt = make_optimizer("adam", lr=0.01)
        rate = steps / best_of(lambda: Trajectory(s, opt, s.start).extend(steps))
        print(f"{'OptiViz Adam on ' + name:40s} {rate:>12,.0f} steps/s")

    print("\n== vectorised over 10,000 start points ==")
    n, k = 10_000, 200
    rng = np.random.default_rng(0)
    (x0, x1), (y0, y1) = surface.bounds
    starts = np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])
    for name, hp in CONFIGS:
        opt = make_optimizer(name, **hp)
        rate = n * k / best_of(lambda: run_many(surface, opt, starts, k), repeat=2)
        flag = "ok" if rate >= 1e7 else "BELOW TARGET 10,000,000"
        print(f"{'run_many ' + opt.title + ' ' + str(hp):40s} {rate:>12,.0f} point-steps/s "
              f"({rate / naive:,.0f}x naive)  {flag}")


if __name__ == "__main__":
    main()
