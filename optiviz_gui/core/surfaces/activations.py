r"""The hidden layers' activations, torch's formulas, each with its derivative for backprop.

An activation is a pair of array functions::

    h, saved = forward(z)          h = act(z); ``saved`` is what backward needs
    dz = backward(dh, saved)       dz = dh · act'(z)

``forward`` may overwrite ``z`` (the caller never reads it again) and
``backward`` may overwrite ``dh``: a training step of the 2-8-8-1 net is a few
dozen numpy calls on arrays of a few thousand numbers, and the allocations
would cost as much as the arithmetic.

    tanh     h = tanh z                        act' = 1 − h²          (nn.Tanh)
    relu     h = max(z, 0)                     act' = [h > 0]         (nn.ReLU; 0 at z = 0,
                                                                       torch's threshold_backward)
    sigmoid  h = 1/(1 + e^{−z})                act' = h(1 − h)        (nn.Sigmoid)
    gelu     h = z·Φ(z) = ½z(1 + erf(z/√2))    act' = Φ(z) + z·φ(z)   (nn.GELU(), the exact
             φ(z) = e^{−z²/2}/√(2π)                                   erf form, torch's default)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .erf import erf

_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


class Activation(NamedTuple):
    name: str
    forward: Callable
    backward: Callable


def _tanh_forward(z):
    h = np.tanh(z, out=z)
    return h, h


def _tanh_backward(dh, h):
    slope = h * h
    np.subtract(1.0, slope, out=slope)
    dh *= slope
    return dh


def _relu_forward(z):
    h = np.maximum(z, 0.0, out=z)
    return h, h


def _relu_backward(dh, h):
    dh *= h > 0.0
    return dh


def _sigmoid_forward(z):
    # 1/(1 + e^{−z}): e^{−z} overflows to inf for z < −709 and gives h = 0, as in torch
    # (the network runs under np.errstate(all="ignore"))
    h = np.exp(np.negative(z, out=z), out=z)
    h += 1.0
    np.reciprocal(h, out=h)
    return h, h


def _sigmoid_backward(dh, h):
    dh *= 1.0 - h
    dh *= h
    return dh


def _gelu_forward(z):
    cdf = erf(z * _SQRT1_2)
    cdf += 1.0
    cdf *= 0.5
    return z * cdf, (z, cdf)


def _gelu_backward(dh, saved):
    z, cdf = saved
    pdf = np.exp(-0.5 * z * z)
    pdf *= _INV_SQRT_2PI
    pdf *= z
    pdf += cdf
    dh *= pdf
    return dh


ACTIVATIONS: dict[str, Activation] = {
    "tanh": Activation("tanh", _tanh_forward, _tanh_backward),
    "relu": Activation("relu", _relu_forward, _relu_backward),
    "sigmoid": Activation("sigmoid", _sigmoid_forward, _sigmoid_backward),
    "gelu": Activation("gelu", _gelu_forward, _gelu_backward),
}

# torch.nn class of each activation, for the UI and the tests
TORCH_NAMES = {"tanh": "Tanh", "relu": "ReLU", "sigmoid": "Sigmoid", "gelu": "GELU"}

__all__ = ["Activation", "ACTIVATIONS", "TORCH_NAMES"]
