"""The torch reference for the mlp tests: the same nn.Sequential, loaded with our θ."""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from optiviz_gui.core.surfaces.activations import TORCH_NAMES


def torch_net(torch, sizes, activation, theta):
    """nn.Sequential(Linear, act, ..., Linear) in float64 with parameters ``theta``."""
    modules = []
    for fan_in, fan_out in pairwise(sizes):
        modules += [torch.nn.Linear(fan_in, fan_out, dtype=torch.float64),
                    getattr(torch.nn, TORCH_NAMES[activation])()]
    net = torch.nn.Sequential(*modules[:-1])
    with torch.no_grad():
        torch.nn.utils.vector_to_parameters(torch.tensor(np.asarray(theta, dtype=float)),
                                            net.parameters())
    return net


def torch_loss_and_grad(torch, net, X, y):
    """(BCEWithLogitsLoss (mean) of net on (X, y), its gradient in parameters() order)."""
    net.zero_grad()
    loss = torch.nn.BCEWithLogitsLoss()(net(torch.tensor(X)).squeeze(1), torch.tensor(y))
    loss.backward()
    grad = torch.nn.utils.parameters_to_vector([p.grad for p in net.parameters()])
    return loss.item(), grad.numpy().copy()
