"""Whole runs — optimizer, schedule, clipping, mini-batches — against a torch training loop.

For each configuration a session is built the way a person writes it, the
Simulation runs it (core/stepping.py's loop), and torch 2.13 trains a tensor θ
from the same start with the same loss:

    opt.zero_grad(); loss = f(θ) (the batch's); loss.backward()
    clip_grad_norm_ / clip_grad_value_;  opt.step()  (LBFGS: opt.step(closure))
    sched.step()  (ReduceLROnPlateau: sched.step(loss.item()))

Every θ_k must agree at 1e-9 relative over 100 iterations, and so must the learning
rate the trajectory reports for every update. Skipped without torch.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from optiviz_gui.core import session
from optiviz_gui.core.surfaces.regression import LinearRegression

torch = pytest.importorskip("torch")

STEPS = 100
FORMULA = "sin(x)*cos(y) + 0.1*(x^2 + y^2)"


@pytest.fixture(autouse=True, scope="module")
def float64_one_thread():
    dtype, threads = torch.get_default_dtype(), torch.get_num_threads()
    torch.set_default_dtype(torch.float64)       # NAdam/ASGD keep scalars in the default dtype
    torch.set_num_threads(1)                     # a second thread only spins on 2 busy cores
    yield
    torch.set_default_dtype(dtype)
    torch.set_num_threads(threads)


# ------------------------------------------------------------------ surfaces
BLOG = LinearRegression.synthetic()


def surfaces():
    """name -> (session surface object, start, torch loss(θ, k))."""
    x, y = torch.tensor(BLOG.x), torch.tensor(BLOG.y)
    small = LinearRegression.synthetic(n=200).minibatches(16, seed=3)
    xs, ys = torch.tensor(small.x), torch.tensor(small.y)

    def batch_loss(t, k):
        idx = torch.tensor(small.batch_indices(k))
        return ((t[0] + t[1] * xs[idx] - ys[idx]) ** 2).mean()

    return {
        "blog": ({"kind": "linear_regression"}, [2.0, 9.0],
                 lambda t, k: ((t[0] + t[1] * x - y) ** 2).mean()),
        "minibatch": ({"kind": "linear_regression", "n": 200, "batch_size": 16, "batch_seed": 3},
                      [2.0, 9.0], batch_loss),
        "rosenbrock": ({"kind": "rosenbrock"}, [-1.5, 2.5], lambda t, k: Rosenbrock.apply(t)),
        "formula": ({"kind": "expression", "expr": FORMULA}, [1.0, 2.0],
                    lambda t, k: torch.sin(t[0]) * torch.cos(t[1]) + 0.1 * (t[0] ** 2 + t[1] ** 2)),
    }


class Rosenbrock(torch.autograd.Function):
    """(1 − x)² + 100 (y − x²)² with the gradient written as the built-in writes it
    (−2u − 400xv, 200v): autograd's own order of operations differs in the last bit,
    which LBFGS's line search can grow to 1e-8 — the comparison is of the optimizers."""

    @staticmethod
    def forward(ctx, t):
        ctx.save_for_backward(t)
        u, v = 1.0 - t[0], t[1] - t[0] * t[0]
        return u * u + 100.0 * v * v

    @staticmethod
    def backward(ctx, out):
        (t,) = ctx.saved_tensors
        u, v = 1.0 - t[0], t[1] - t[0] * t[0]
        return out * torch.stack([-2.0 * u - 400.0 * t[0] * v, 200.0 * v])


# ------------------------------------------------------------- configurations
CYCLIC = {"name": "cycliclr", "base_lr": 0.001, "max_lr": 0.02, "step_size_up": 15,
          "mode": "triangular2"}
CONFIGS = [
    # the five newer optimizers, each keyword off its default at least once
    ("rprop", "blog", {"lr": 0.02, "etas": [0.4, 1.3], "step_sizes": [1e-5, 10.0]}),
    ("asgd", "rosenbrock", {"lr": 5e-4, "lambd": 1e-3, "alpha": 0.6, "t0": 20.0,
                            "weight_decay": 0.01}),
    ("adafactor", "blog", {"lr": 0.05, "beta2_decay": -0.7, "eps": [None, 1e-4], "d": 2.0,
                           "weight_decay": 0.01}),
    ("adafactor", "formula", {"lr": 0.02, "eps": [1e-20, 1e-3], "maximize": False}),
    ("lbfgs", "rosenbrock", {"lr": 1.0, "max_iter": 5, "history_size": 5,
                             "line_search_fn": "strong_wolfe"}),
    ("lbfgs", "blog", {"lr": 0.05, "max_iter": 3, "max_eval": 4, "tolerance_grad": 1e-9,
                       "tolerance_change": 1e-12}),
    ("lbfgs", "minibatch", {"lr": 0.1, "max_iter": 2}),
    ("muon", "blog", {"lr": 0.02, "momentum": 0.9, "nesterov": False, "ns_steps": 4,
                      "adjust_lr_fn": "match_rms_adamw", "weight_decay": 0.05}),
    ("muon", "formula", {"lr": 0.05, "ns_coefficients": [3.0, -4.0, 2.0], "eps": 1e-6,
                         "adjust_lr_fn": "original"}),
    # every scheduler, alone and nested
    ("sgd", "blog", {"lr": 0.05, "momentum": 0.5,
                     "scheduler": {"name": "steplr", "step_size": 10, "gamma": 0.7}}),
    ("adam", "blog", {"lr": 0.1,
                      "scheduler": {"name": "multisteplr", "milestones": [20, 50], "gamma": 0.3}}),
    ("adam", "rosenbrock", {"lr": 0.02,
                            "scheduler": {"name": "constantlr", "factor": 0.25, "total_iters": 30}}),
    ("adamw", "blog", {"lr": 0.1,
                       "scheduler": {"name": "linearlr", "start_factor": 0.1, "total_iters": 40}}),
    ("rmsprop", "formula", {"lr": 0.05,
                            "scheduler": {"name": "exponentiallr", "gamma": 0.97}}),
    ("nadam", "blog", {"lr": 0.1,
                       "scheduler": {"name": "polynomiallr", "total_iters": 80, "power": 2.0}}),
    ("adam", "blog", {"lr": 0.1,
                      "scheduler": {"name": "cosineannealinglr", "T_max": 30, "eta_min": 0.002}}),
    ("sgd", "rosenbrock", {"lr": 5e-4, "momentum": 0.9, "scheduler": {
        "name": "cosineannealingwarmrestarts", "T_0": 10, "T_mult": 2, "eta_min": 1e-5}}),
    ("sgd", "blog", {"lr": 0.01, "momentum": 0.9, "scheduler": CYCLIC}),
    ("adam", "blog", {"lr": 0.01, "scheduler": {**CYCLIC, "mode": "exp_range", "gamma": 0.99,
                                               "base_momentum": 0.7, "max_momentum": 0.95}}),
    ("adam", "formula", {"lr": 0.01, "scheduler": {"name": "onecyclelr", "max_lr": 0.1,
                                                   "total_steps": 120, "three_phase": True}}),
    ("sgd", "blog", {"lr": 0.05, "momentum": 0.9, "scheduler": {
        "name": "onecyclelr", "max_lr": 0.05, "total_steps": 100, "anneal_strategy": "linear"}}),
    ("sgd", "blog", {"lr": 0.1, "scheduler": {"name": "reducelronplateau", "patience": 2,
                                              "factor": 0.5, "threshold": 0.01}}),
    ("adam", "minibatch", {"lr": 0.1, "scheduler": {"name": "reducelronplateau", "patience": 3,
                                                    "cooldown": 2, "mode": "min"}}),
    ("adam", "blog", {"lr": 0.1, "scheduler": {"name": "sequentiallr", "milestones": [10],
                                               "schedulers": [
                                                   {"name": "linearlr", "start_factor": 0.1,
                                                    "total_iters": 10},
                                                   {"name": "cosineannealinglr", "T_max": 90}]}}),
    ("sgd", "blog", {"lr": 0.05, "scheduler": {"name": "chainedscheduler", "schedulers": [
        {"name": "constantlr", "factor": 0.5, "total_iters": 5},
        {"name": "exponentiallr", "gamma": 0.98}]}}),
    ("adam", "blog", {"lr": 0.1, "scheduler": {"name": "chainedscheduler", "schedulers": [
        {"name": "sequentiallr", "milestones": [5], "schedulers": [
            {"name": "constantlr", "factor": 0.5, "total_iters": 5},
            {"name": "exponentiallr", "gamma": 0.95}]},
        {"name": "steplr", "step_size": 30, "gamma": 0.5}]}}),
    ("sgd", "blog", {"lr": 0.1, "scheduler": {"name": "lambdalr", "lr_lambda": "0.97^t"}}),
    ("adam", "formula", {"lr": 0.1, "scheduler": {"name": "multiplicativelr",
                                                  "lr_lambda": "1/(1 + 0.01*t)"}}),
    # clipping, alone and with batches and schedules
    ("adam", "minibatch", {"lr": 0.1, "clip_grad_norm": 1.0}),
    ("sgd", "rosenbrock", {"lr": 1e-3, "momentum": 0.9, "clip_grad_value": 5.0}),
    ("rmsprop", "blog", {"lr": 0.05, "clip_grad_norm": 0.5, "clip_grad_value": 0.2,
                         "scheduler": {"name": "steplr", "step_size": 25}}),
    ("muon", "rosenbrock", {"lr": 0.02, "clip_grad_norm": 2.0}),
]

TORCH_CLASS = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop",
               "nadam": "NAdam", "rprop": "Rprop", "asgd": "ASGD", "adafactor": "Adafactor",
               "lbfgs": "LBFGS", "muon": "Muon"}
LOOP_KEYS = ("scheduler", "clip_grad_norm", "clip_grad_value")


def torch_scheduler(spec, opt):
    S = torch.optim.lr_scheduler
    kw = {k: v for k, v in spec.items() if k != "name"}
    name = spec["name"]
    if name in ("sequentiallr", "chainedscheduler"):
        kw["schedulers"] = [torch_scheduler(child, opt) for child in kw["schedulers"]]
        if name == "chainedscheduler":
            return S.ChainedScheduler(kw["schedulers"], optimizer=opt)
    if name in ("lambdalr", "multiplicativelr"):
        text = kw["lr_lambda"].replace("^", "**")
        kw["lr_lambda"] = lambda t, text=text: eval(text, {"t": t, "math": math})  # noqa: S307 - test data
    cls = {c.__name__.lower(): c for c in (
        S.StepLR, S.MultiStepLR, S.ConstantLR, S.LinearLR, S.ExponentialLR, S.PolynomialLR,
        S.CosineAnnealingLR, S.CosineAnnealingWarmRestarts, S.CyclicLR, S.OneCycleLR,
        S.ReduceLROnPlateau, S.SequentialLR, S.LambdaLR, S.MultiplicativeLR)}[name]
    return cls(opt, **kw)


def torch_run(name, settings, loss_fn, start):
    """θ_0..θ_STEPS and the lr of each update, as a torch training loop makes them."""
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in settings.items()
              if k not in LOOP_KEYS}
    shape = (1, 2) if name == "muon" else (2,)          # Muon takes matrices
    theta = torch.tensor(start, dtype=torch.float64).reshape(shape).requires_grad_(True)
    flat = theta.reshape(2)
    opt = getattr(torch.optim, TORCH_CLASS[name])([theta], **kwargs)
    sched = torch_scheduler(settings["scheduler"], opt) if "scheduler" in settings else None
    path, lrs = [flat.detach().clone().numpy()], []
    for k in range(STEPS):
        lrs.append(opt.param_groups[0]["lr"])

        def closure():
            opt.zero_grad()
            loss = loss_fn(theta.reshape(2), k)
            loss.backward()
            return loss

        if name == "lbfgs":
            loss = opt.step(closure)
        else:
            loss = closure()
            if "clip_grad_norm" in settings:
                torch.nn.utils.clip_grad_norm_([theta], settings["clip_grad_norm"])
            if "clip_grad_value" in settings:
                torch.nn.utils.clip_grad_value_([theta], settings["clip_grad_value"])
            opt.step()
        if isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau):
            sched.step(float(loss.detach()))
        elif sched is not None:
            sched.step()
        path.append(theta.detach().reshape(2).clone().numpy())
    return np.array(path), np.array(lrs, dtype=float)


@pytest.mark.parametrize("name,surface_name,settings", CONFIGS,
                         ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CONFIGS)])
def test_a_run_matches_torch_s_training_loop(name, surface_name, settings):
    spec, start, loss_fn = surfaces()[surface_name]
    sim = session.from_dict({"format": "optiviz-session", "version": 1, "surface": spec,
                             "start": start, "steps": STEPS,
                             "optimizers": [{"name": name, **settings}]})
    sim.seek(STEPS)
    t = sim.trajectories[0]
    assert not t.diverged and t.steps == STEPS
    want, lrs = torch_run(name, settings, loss_fn, start)
    np.testing.assert_allclose(t.params, want, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(t.lrs, lrs, rtol=1e-12, atol=0)
