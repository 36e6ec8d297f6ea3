"""Rprop, ASGD, Adafactor, LBFGS and Muon against torch.optim, losses computed by torch autograd.

Both sides get their loss and gradient from the same torch autograd closure
(Rosenbrock, and a least-squares line fit), so any difference is the
optimizers'. 100+ steps at 1e-9 relative, every keyword away from its
default at least once, with gradient clipping of both kinds as torch's
training loop does it (backward, clip, step). On torch's AVX2/AVX-512
kernels the new optimizers agree bit for bit: checked where that is the
dispatch.
"""

from __future__ import annotations

import numpy as np
import pytest

from optiviz_gui.core import scalar
from optiviz_gui.core.clipping import (
    clip_grad_norm, clip_grad_norm_xy, clip_grad_value, clip_grad_value_xy,
)
from optiviz_gui.core.optimizers import make_optimizer

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def float64():
    """torch keeps ASGD's eta/mu and every step count in the default dtype: make it float64."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


def rosenbrock(t):
    x, y = t[0], t[1]
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def least_squares(t):
    """Mean squared error of the line a + b·x through 40 points of y = 0.5 − 1.5x + a wiggle."""
    x = torch.linspace(-2.0, 2.0, 40, dtype=torch.float64)
    y = 0.5 - 1.5 * x + 0.1 * torch.sin(3.0 * x)
    return ((t[0] + t[1] * x - y) ** 2).mean()


LOSSES = {"rosenbrock": (rosenbrock, (-1.2, 1.0)), "least_squares": (least_squares, (2.0, 3.0))}

CONFIGS = [
    ("rprop", {}),
    ("rprop", {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.2), "maximize": True}),
    ("asgd", {"lr": 1e-3}),
    ("asgd", {"lr": 2e-3, "lambd": 1e-2, "alpha": 0.5, "t0": 10.0, "weight_decay": 0.3,
              "maximize": True}),
    ("adafactor", {}),
    ("adafactor", {"lr": 0.05, "beta2_decay": -0.5, "eps": (1e-30, 1e-2), "d": 2.0,
                   "weight_decay": 0.1, "maximize": True}),
    ("lbfgs", {}),
    ("lbfgs", {"line_search_fn": "strong_wolfe"}),
    ("lbfgs", {"lr": 0.1, "max_iter": 5, "max_eval": 6, "tolerance_grad": 1e-5,
               "tolerance_change": 1e-12, "history_size": 3}),
    ("lbfgs", {"lr": 0.5, "max_iter": 7, "history_size": 4, "line_search_fn": "strong_wolfe",
               "tolerance_grad": 1e-5, "tolerance_change": 1e-12}),
    ("muon", {"lr": 0.01}),
    ("muon", {"lr": 0.02, "weight_decay": 0.05, "momentum": 0.8, "nesterov": False,
              "ns_coefficients": (3.0, -3.2, 1.2), "eps": 1e-3, "ns_steps": 3,
              "adjust_lr_fn": "match_rms_adamw"}),
    ("muon", {"lr": 0.02, "adjust_lr_fn": "original", "ns_steps": 0}),
]
CLIPS = [None, ("norm", 1.0), ("value", 0.5)]


def test_configs_move_every_keyword_away_from_its_default():
    for name in {n for n, _ in CONFIGS}:
        changed = set().union(*(set(make_optimizer(name, **hp).settings())
                                for n, hp in CONFIGS if n == name))
        assert changed == {h.name for h in make_optimizer(name).hyper}, name


class Run:
    """One run on both sides: torch's optimizer on a parameter, ours on numpy arrays."""

    def __init__(self, name, hyper, loss, clip):
        f, start = LOSSES[loss]
        self.f = (lambda t: -f(t)) if hyper.get("maximize") else f     # ascend −f: descend f
        self.clip = clip
        self.ours = make_optimizer(name, **hyper)
        shape = (1, 2) if name == "muon" else (2,)                       # Muon: a 1×2 matrix
        self.param = torch.tensor(start, dtype=torch.float64).reshape(shape).requires_grad_()
        self.reference = getattr(torch.optim, self.ours.title)([self.param], **hyper)
        self.p = np.array(start)
        self.state = self.ours.init(self.p)
        self.torch_calls: list[np.ndarray] = []

    def value_and_grad(self, p):
        """Our closure: the loss and gradient at p by torch autograd, clipped like torch's."""
        t = torch.tensor(p, dtype=torch.float64, requires_grad=True)
        loss = self.f(t)
        loss.backward()
        g = t.grad.numpy().copy()
        if self.clip and self.clip[0] == "norm":
            g = clip_grad_norm(g, self.clip[1])
        elif self.clip:
            g = clip_grad_value(g, self.clip[1])
        return loss.item(), g

    def torch_closure(self):
        self.reference.zero_grad()
        loss = self.f(self.param.reshape(-1))
        loss.backward()
        if self.clip and self.clip[0] == "norm":
            torch.nn.utils.clip_grad_norm_([self.param], self.clip[1])
        elif self.clip:
            torch.nn.utils.clip_grad_value_([self.param], self.clip[1])
        self.torch_calls.append(self.param.detach().numpy().reshape(-1).copy())
        return loss

    def step(self):
        self.torch_calls = []
        self.reference.step(self.torch_closure)
        if self.ours.needs_closure:
            self.p, self.state, evaluations = self.ours.step(self.p, self.state, self.value_and_grad)
            return evaluations
        _, g = self.value_and_grad(self.p)
        delta, self.state = self.ours.update(g, self.state, self.p)
        self.p = self.p + delta
        return None

    @property
    def expected(self):
        return self.param.detach().numpy().reshape(-1)


@pytest.mark.parametrize("clip", CLIPS, ids=["plain", "clip_norm", "clip_value"])
@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("name, hyper", CONFIGS, ids=[f"{n}-{'-'.join(h) or 'defaults'}"
                                                      for n, h in CONFIGS])
def test_100_steps_match_torch(name, hyper, loss, clip):
    run = Run(name, hyper, loss, clip)
    for step in range(1, 101):
        evaluations = run.step()
        assert np.all(np.isfinite(run.expected)), f"torch diverged at step {step}"
        np.testing.assert_allclose(run.p, run.expected, rtol=1e-9, atol=1e-12, err_msg=f"step {step}")
        if evaluations is not None:          # LBFGS: the same closure calls, at the same points
            assert len(evaluations) == len(run.torch_calls), f"step {step}"
            for ours, theirs in zip(evaluations, run.torch_calls):
                np.testing.assert_allclose(ours.params, theirs, rtol=1e-9, atol=1e-12)
    _assert_state_matches(run)


def _assert_state_matches(run):
    torch_state = run.reference.state[run.param]
    fields = set(run.state._fields)
    assert set(torch_state) <= fields
    for key, value in torch_state.items():
        ours = getattr(run.state, key)
        if key in ("old_dirs", "old_stps", "ro", "al"):       # LBFGS's history lists
            # y = g − g_prev of nearly equal gradients: an ulp of difference in a line search
            # (MKL's √, see lbfgs_search) shows relatively larger there, so compare absolutely
            value = [v for v in value if v is not None]
            assert len(ours) == len(value), key
            for a, b in zip(ours, value):
                np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float).reshape(-1),
                                           rtol=1e-9, atol=1e-9, err_msg=key)
        elif value is None or ours is None:
            assert value is None and ours is None, key
        else:
            np.testing.assert_allclose(np.asarray(ours, float).reshape(-1),
                                       np.asarray(value, float).reshape(-1),
                                       rtol=1e-9, atol=1e-12, err_msg=key)


@pytest.mark.parametrize("clip", CLIPS, ids=["plain", "clip_norm", "clip_value"])
@pytest.mark.parametrize("name, hyper", [c for c in CONFIGS if c[0] in ("rprop", "asgd")],
                         ids=lambda v: v if isinstance(v, str) else "-".join(v) or "defaults")
def test_one_coordinate_at_a_time_with_floats_matches_torch(name, hyper, clip):
    """The fast path: Python floats per coordinate, clipping by the float-pair functions."""
    run = Run(name, hyper, "rosenbrock", None)
    opt = run.ours
    x, y = (float(v) for v in run.p)
    sx, sy = opt.init(x), opt.init(y)
    for step in range(1, 101):
        run.clip = clip
        run.reference.step(run.torch_closure)
        run.clip = None
        _, (gx, gy) = run.value_and_grad(np.array([x, y]))
        gx, gy = float(gx), float(gy)
        if clip and clip[0] == "norm":
            gx, gy = clip_grad_norm_xy(gx, gy, clip[1])
        elif clip:
            gx, gy = clip_grad_value_xy(gx, gy, clip[1])
        dx, sx = opt.update(gx, sx, x, scalar)
        dy, sy = opt.update(gy, sy, y, scalar)
        x, y = x + dx, y + dy
        np.testing.assert_allclose([x, y], run.expected, rtol=1e-9, atol=1e-12, err_msg=f"step {step}")


EXACT = [c for c in CONFIGS if c[0] in ("rprop", "adafactor", "lbfgs", "muon")]


@pytest.mark.parametrize("name, hyper", EXACT, ids=[f"{n}-{'-'.join(h) or 'defaults'}"
                                                    for n, h in EXACT])
def test_bit_for_bit_on_torchs_simd_kernels(name, hyper):
    """Where torch fuses multiply-adds (AVX2/AVX-512), each step is its numbers to the last bit.

    From torch's point (and our own state), our next point must be torch's next point
    θ′ exactly — as the delta contract delivers it: θ + (θ′ − θ), which is θ′ itself
    unless a coordinate changes by more than a factor 2. (LBFGS returns θ′ directly.)
    """
    if torch.backends.cpu.get_cpu_capability() not in ("AVX2", "AVX512"):
        pytest.skip("torch does not fuse multiply-adds on this CPU dispatch")
    run = Run(name, hyper, "least_squares", None)
    for step in range(1, 101):
        before = run.p = run.expected.copy()
        evaluations = run.step()
        expected = run.expected if run.ours.needs_closure else before + (run.expected - before)
        np.testing.assert_array_equal(run.p, expected, err_msg=f"step {step}")
        for ours, theirs in zip(evaluations or (), run.torch_calls):
            np.testing.assert_array_equal(ours.params, theirs)
