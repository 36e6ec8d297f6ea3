"""Training the network with our optimizers follows torch.optim training the same nn.Sequential.

Our rules (``opt.update(grad, state, θ, np)`` on the full θ vector) with our gradient,
against torch.optim stepping the nn.Sequential loaded with the same θ₀ on the same
data: 100 steps, every parameter within 1e-9 of torch's (relative to the largest).
"""

from __future__ import annotations

import numpy as np
import pytest
from mlp_torch import torch_net

from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.surfaces.mlp import MLPSurface

torch = pytest.importorskip("torch")

STEPS = 100


@pytest.fixture(autouse=True)
def float64_one_thread():
    """float64 like ours; one thread: torch's second thread only spins on two busy cores
    (a 100-step run took 2–18 s with two, 0.05 s with one)."""
    dtype, threads = torch.get_default_dtype(), torch.get_num_threads()
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(1)
    yield
    torch.set_default_dtype(dtype)
    torch.set_num_threads(threads)


def ours(surface, name, hp, theta):
    opt = make_optimizer(name, **hp)
    state = opt.init(theta)
    path = [theta]
    for _ in range(STEPS):
        _, grad = surface.value_and_grad_theta(theta)
        delta, state = opt.update(grad, state, theta, np)
        theta = theta + delta
        path.append(theta)
    return np.array(path)


def torchs(surface, name, hp, theta):
    net = torch_net(torch, surface.sizes, surface.activation, theta)
    opt = getattr(torch.optim, make_optimizer(name).title)(net.parameters(), **hp)
    X, y = (torch.tensor(a) for a in surface.data)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    path = [theta]
    for _ in range(STEPS):
        opt.zero_grad()
        loss_fn(net(X).squeeze(1), y).backward()
        opt.step()
        path.append(torch.nn.utils.parameters_to_vector(net.parameters()).detach().numpy().copy())
    return np.array(path)


CONFIGS = [
    ("sgd", {"lr": 0.5}),
    ("sgd", {"lr": 0.2, "momentum": 0.9}),
    ("sgd", {"lr": 0.2, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}),
    ("adam", {"lr": 0.02}),
    ("adam", {"lr": 0.02, "betas": (0.8, 0.99), "amsgrad": True}),
    ("rmsprop", {"lr": 0.01, "momentum": 0.5}),
]


@pytest.mark.parametrize("name, hp", CONFIGS)
def test_trajectory_matches_torch_optim(name, hp):
    surface = MLPSurface.generated("moons", 200, 0.2, hidden=(8, 8), activation="tanh", seed=0)
    start = surface.lift([0.3, -0.2])
    mine, theirs = ours(surface, name, hp, start), torchs(surface, name, hp, start)
    np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-9 * np.abs(theirs).max())
    assert surface.value_theta(mine[-1]) < surface.value_theta(start)     # it did train


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "gelu"])
def test_trajectory_matches_torch_for_every_activation(activation):
    surface = MLPSurface.generated("circles", 100, 0.1, hidden=(6, 5), activation=activation,
                                   seed=1)
    start = surface.theta0.copy()
    mine = ours(surface, "adam", {"lr": 0.03}, start)
    theirs = torchs(surface, "adam", {"lr": 0.03}, start)
    np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-9 * np.abs(theirs).max())
