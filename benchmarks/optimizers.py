"""Optimizer throughput: OptiViz's run loop against a naive per-step loop, in one run.

    python -m benchmarks.optimizers

Everything here runs on the Python path (``OPTIVIZ_KERNELS=python``): the
compiled loops are ``benchmarks.kernels``'s. One start point: ``Trajectory.extend`` (Python floats, one coordinate at a
time, history kept) against the loop one would write first — numpy arrays of
two, a dict of state, ``surface.value_and_grad`` each step — and against
torch.optim itself when torch is installed. Many start points:
``run_many`` over 10⁴ start points against the naive loop's rate.
Targets: ≥ 200 000 steps/s for one start point, ≥ 10⁷ point-steps/s vectorised.

The optimizers added with the schedules (Rprop, ASGD, Adafactor, LBFGS, Muon):
one start point each through ``Trajectory.extend``, the app's own path (the
float loop for the elementwise ones, the numpy loop for Adafactor and Muon,
one ``step(closure)`` per step for LBFGS), beside Adam on the same path and
torch.optim. A scheduled Adam beside plain Adam on that path (target: a
schedule adds ≤ 30 % to a step), and the schedule's parts per step —
``sched.step`` + ``group`` + ``opt.scheduled`` — measured alone.

The schedule's cost, in µs a step of ``Trajectory.extend`` (CPU time, best of 6,
the branch's first commit and its last alternated three times on 2 busy cores):
plain Adam 3.15; StepLR 4.1–4.3 -> 4.0–4.2; cosine 5.7–6.0 -> 5.0–5.2; OneCycleLR
7.3–7.6 -> 5.7–6.1; LambdaLR 6.3–7.5 -> 5.3–5.6; SequentialLR 6.6–6.7 -> 5.4–5.7;
ReduceLROnPlateau 23–31 -> 5.1 (it computed the loss at θ_k a second time). Every
result bit for bit the same (180 runs: 5 surfaces × 4 optimizers × 9 schedules).
What is left is Python's price of a scheduler step — about 0.4 µs for StepLR, 1 µs
for a cosine in torch's recursive form, 1.5 µs for a OneCycleLR that moves β₁ as
well — so a schedule that changes the lr every step stays above the 30 % target;
under it would take the step compiled or a schedule's groups shared by every
trajectory that runs it.
"""

from __future__ import annotations

import os
import time

import numpy as np

from optiviz_gui.core import scalar
from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.schedules import make_scheduler
from optiviz_gui.core.simulation import Run
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


NEW = [("rprop", {"lr": 0.01}), ("asgd", {"lr": 0.01}), ("adafactor", {"lr": 0.01}),
       ("muon", {"lr": 0.01}), ("lbfgs", {"lr": 0.1, "max_iter": 4}),
       ("lbfgs", {"lr": 1.0, "max_iter": 4, "line_search_fn": "strong_wolfe"})]
SCHEDULES = [
    {"name": "steplr", "step_size": 30},
    {"name": "cosineannealinglr", "T_max": 1000},
    {"name": "onecyclelr", "max_lr": 0.1, "total_steps": 10_000_000},
    {"name": "lambdalr", "lr_lambda": "0.95**t"},
    {"name": "reducelronplateau"},
    {"name": "sequentiallr", "milestones": [10], "schedulers": [
        {"name": "linearlr", "total_iters": 10}, {"name": "cosineannealinglr", "T_max": 1000}]},
]


def torch_rate(surface, name, hp, steps):
    import torch
    shape = (1, 2) if name == "muon" else (2,)
    p = torch.tensor(surface.start, dtype=torch.float64).reshape(shape).requires_grad_()
    opt = getattr(torch.optim, make_optimizer(name).title)([p], **hp)

    def closure():
        _, g = surface.value_and_grad(p.detach().numpy().reshape(-1))
        p.grad = torch.from_numpy(g).reshape(shape)
        return 0.0

    def run():
        for _ in range(steps):
            opt.step(closure)
    return steps / best_of(run)


def extend_rate(surface, run, steps, repeat=3) -> float:
    """Steps per second of ``Trajectory.extend`` — the app's path — for one start point."""
    return steps / best_of(lambda: Trajectory(surface, run, surface.start).extend(steps), repeat)


def new_optimizers(surface) -> None:
    print("\n== the new optimizers, one start point through Trajectory.extend (blog surface) ==")
    adam = make_optimizer("adam", lr=0.1)
    adam_rate = extend_rate(surface, adam, 100_000)
    print(f"{'Adam (baseline)':40s} {adam_rate:>12,.0f} steps/s")
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False
    for name, hp in NEW:
        opt = make_optimizer(name, **hp)
        steps = 2_000 if opt.needs_closure else 100_000 if opt.elementwise else 20_000
        rate = extend_rate(surface, opt, steps)
        how = ("closure loop" if opt.needs_closure else "float loop" if opt.elementwise
               else "numpy loop")
        ref = ""
        if have_torch:
            t = torch_rate(surface, name, hp, 500 if opt.needs_closure else 5_000)
            ref = f"torch.optim {t:>9,.0f} steps/s ({rate / t:.1f}x)"
        label = f"{opt.title} {hp}"[:40]
        print(f"{label:40s} {rate:>12,.0f} steps/s  {how:12s} "
              f"{rate / adam_rate:5.2f}x Adam  {ref}")


def scheduled_runs(surface) -> None:
    """A scheduled Adam beside plain Adam, both through Trajectory.extend, in one run:
    what a schedule adds to a step (target ≤ 30 %)."""
    print("\n== Adam with a schedule beside plain Adam, through Trajectory.extend ==")
    steps = 100_000
    adam = make_optimizer("adam", lr=0.01)
    plain = extend_rate(surface, adam, steps, 5)
    print(f"{'Adam, no schedule (baseline)':44s} {plain:>9,.0f} steps/s   "
          f"{1e6 / plain:6.3f} µs a step")
    for spec in SCHEDULES:
        run = Run(adam, scheduler=spec)
        rate = extend_rate(surface, run, steps, 5)
        extra = plain / rate - 1
        flag = "ok" if extra <= 0.3 else "ABOVE TARGET 30 %"
        print(f"{'  ' + spec['name']:44s} {rate:>9,.0f} steps/s   {1e6 / rate:6.3f} µs a step"
              f"   +{extra:6.1%} of a step  {flag}")


def per_call(fn, n=200_000) -> float:
    """Seconds per call of fn(), the loop's own cost subtracted."""
    def calls():
        for _ in range(n):
            fn()

    def empty():
        for _ in range(n):
            pass
    return (best_of(calls, 5) - best_of(empty, 5)) / n


def schedule_cost(surface) -> None:
    print("\n== a learning-rate schedule per step, beside one Adam step ==")
    steps = 100_000
    adam = make_optimizer("adam", lr=0.01)
    step_s = best_of(lambda: Trajectory(surface, adam, surface.start).extend(steps), 5) / steps
    s0 = adam.init(0.3)
    update_s = per_call(lambda: adam.update(0.1, s0, 0.3, scalar))
    print(f"{'Adam: one run-loop step (baseline)':44s} {step_s * 1e6:7.3f} µs   "
          f"(one coordinate's update alone: {update_s * 1e6:.3f} µs)")
    group = {"lr": 0.02}
    sched_s = per_call(lambda: adam.scheduled(**group))
    print(f"{'opt.scheduled(lr=...) alone':44s} {sched_s * 1e6:7.3f} µs   "
          f"{sched_s / step_s:6.1%} of a step")
    print(f"{'schedule: step + group + scheduled':44s} {'every step':>17s}  "
          f"{'scheduled() when the group changes, and the run rate then':>30s}")
    n = 100_000
    for spec in SCHEDULES:
        sched = make_scheduler(spec, adam)

        def always():
            state = sched.init()
            for _ in range(n):
                adam.scheduled(**sched.group(state))
                state = sched.step(state, 1.0)

        def when_changed():
            state, last = sched.init(), None
            for _ in range(n):
                group = sched.group(state)
                if group is not last:
                    adam.scheduled(**group)
                    last = group
                state = sched.step(state, 1.0)
        a, b = best_of(always, 5) / n, best_of(when_changed, 5) / n
        flag = "ok" if b <= 0.3 * step_s else "ABOVE TARGET 30 %"
        print(f"{'  ' + spec['name']:44s} {a * 1e6:6.3f} µs {a / step_s:6.1%}   "
              f"{b * 1e6:6.3f} µs {b / step_s:6.1%}  {1 / (step_s + b):>9,.0f} steps/s  {flag}")


def main() -> None:
    # the Python path throughout (benchmarks.kernels measures the compiled loops;
    # python -m benchmarks gives each benchmark its own environment)
    os.environ["OPTIVIZ_KERNELS"] = "python"
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

    new_optimizers(surface)
    scheduled_runs(surface)
    schedule_cost(surface)


if __name__ == "__main__":
    main()
