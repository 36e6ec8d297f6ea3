r"""A small multilayer perceptron's loss and exact gradient, for one or many parameter vectors.

The network and loss are torch's::

    net  = nn.Sequential(nn.Linear(2, h₁), act, nn.Linear(h₁, h₂), act, ..., nn.Linear(h_k, 1))
    L(θ) = nn.BCEWithLogitsLoss()(net(X).squeeze(1), y)          (mean over the N points)

θ is ``torch.cat([p.flatten() for p in net.parameters()])``: every layer's weight
(out × in, row-major) then its bias, first layer first. Initial parameters follow
``nn.Linear.reset_parameters``: weight and bias ~ U(−1/√fan_in, 1/√fan_in), drawn
layer by layer, weight before bias, from ``numpy.random.default_rng([seed, 1])``:
a stream of their own, not the data's ``default_rng(seed)`` (the same stream
would tie the first weights to the first data points' noise).

Per point the loss is torch's numerically stable form (aten
``binary_cross_entropy_with_logits`` and its CPU ``log_sigmoid``)::

    ℓ(z, y) = (1 − y)·z − log σ(z),    log σ(z) = min(z, 0) − log1p(e^{−|z|})

which never overflows; ∂L/∂z = (σ(z) − y)/N with σ(z) = exp(log σ(z)). (torch's
exp and log1p are its own vectorised ones, so single values can differ from
it in the last bit; measured, both are within 1 ulp of the exact softplus.
``np.logaddexp(0, −z)`` is the same function 3.5 times slower on a plane grid.)

Back-propagation is written by hand with the points along the last axis, so each
layer is one matrix product for any number of θ (leading axes)::

    forward   Z_k = W_k H_{k−1} + b_k,   H_k = act(Z_k),   H_0 = Xᵀ (2 × N)
    backward  ∂W_k = ∂Z_k H_{k−1}ᵀ,   ∂b_k = Σ_n ∂Z_k,   ∂Z_{k−1} = act'(Z_{k−1}) ⊙ W_kᵀ ∂Z_k

One θ (shape (P,)) is about 35 numpy calls on arrays of N × width numbers: that
call count, not the arithmetic, sets the speed of a training step (see
benchmarks/mlp.py). Many θ (shape (..., P)) are cut into chunks of about
``CHUNK`` activation numbers each, which keeps the temporaries in cache and the
memory flat (a 100 × 100 plane grid of a 2-8-8-1 net on 200 points is 16 M numbers
per layer at once otherwise).
"""

from __future__ import annotations

import math
from itertools import pairwise
from typing import NamedTuple

import numpy as np

from .activations import ACTIVATIONS

CHUNK = 1 << 16   # activation numbers per chunk of θ (a chunk's layer is ~0.5 MB)
ONE_THREAD = 1 << 18   # the largest M·N·K OpenBLAS multiplies on one thread (see logits)


class Layer(NamedTuple):
    """Where one nn.Linear's parameters sit in θ."""

    weight: slice               # W, out × in, row-major
    bias: slice                 # b, out
    shape: tuple[int, int]      # (out, in)


def layers_of(sizes) -> tuple[Layer, ...]:
    """The Linear layers of widths ``sizes`` = (2, h₁, ..., h_k, 1), in parameters() order."""
    layers, start = [], 0
    for fan_in, fan_out in pairwise(sizes):
        end = start + fan_out * fan_in
        layers.append(Layer(slice(start, end), slice(end, end + fan_out), (fan_out, fan_in)))
        start = end + fan_out
    return tuple(layers)


class MLP:
    """The network of layer widths ``sizes`` with activation ``activation`` on data (X, y).

    ``X`` is (N, 2), ``y`` is (N,) of 0/1 labels. Every method takes θ of shape
    (..., P) and works on each θ separately.
    """

    def __init__(self, sizes, activation: str, X, y) -> None:
        self.sizes = tuple(int(s) for s in sizes)
        self.activation = ACTIVATIONS[activation]
        self.layers = layers_of(self.sizes)
        self.dim = self.layers[-1].bias.stop
        X = np.array(X, dtype=float)
        y = np.array(y, dtype=float)
        X.flags.writeable = y.flags.writeable = False
        self.X, self.y = X, y
        self._xt = np.ascontiguousarray(X.T)          # H_0 = Xᵀ
        self._one_minus_y = 1.0 - y
        self._positive = y == 1.0
        self._n = len(y)

    # ------------------------------------------------------------- parameters
    def init_params(self, seed: int) -> np.ndarray:
        """θ₀ as nn.Linear draws it: each layer's W then b ~ U(−1/√fan_in, 1/√fan_in)."""
        rng = np.random.default_rng([seed, 1])
        parts = []
        for layer in self.layers:
            out, fan_in = layer.shape
            bound = 1.0 / math.sqrt(fan_in)
            parts.append(rng.uniform(-bound, bound, out * fan_in))
            parts.append(rng.uniform(-bound, bound, out))
        return np.concatenate(parts)

    # -------------------------------------------------------------- evaluation
    def loss(self, theta) -> np.ndarray:
        """L(θ), shape (...,)."""
        return self._map(theta, self._loss, self._n)[0]

    def loss_and_grad(self, theta) -> tuple[np.ndarray, np.ndarray]:
        """(L(θ), ∇L(θ)), shapes (...,) and (..., P)."""
        return self._map(theta, self._loss_and_grad, self._n)

    def logits(self, theta, inputs) -> np.ndarray:
        """net(inputs) for inputs of shape (M, 2): the logits, shape (..., M).

        Many inputs go in blocks of at most ``ONE_THREAD // width²``: OpenBLAS runs a
        matrix product of M·N·K ≤ 4·65536 on one thread and splits a larger one over
        threads, which on two busy cores wait for each other (a 100 × 100 decision grid
        of a 2-8-8-1 net: 5–8 ms in one piece, 1.2 ms in blocks of 4096, measured with
        the machine's other core busy; the same with OPENBLAS_NUM_THREADS=1).
        """
        xt = np.ascontiguousarray(np.asarray(inputs, dtype=float).T)
        block = max(64, ONE_THREAD // max(self.sizes) ** 2)
        return np.concatenate([
            self._map(theta, lambda t, x=xt[:, i:i + block]: (self._forward(t, x)[0],),
                      min(block, xt.shape[1] - i))[0]
            for i in range(0, max(xt.shape[1], 1), block)], axis=-1)

    def accuracy(self, theta) -> np.ndarray:
        """Fraction of the points classified right (class 1 where the logit is > 0), shape (...,)."""
        def correct(t):
            return (np.mean((self._forward(t, self._xt)[0] > 0.0) == self._positive, axis=-1),)
        return self._map(theta, correct, self._n)[0]

    # -------------------------------------------------------------- the passes
    def _forward(self, theta, xt, keep: bool = False):
        """Logits (..., M) for inputs xt (2, M); with ``keep`` also each layer's input and
        what its activation saved, for ``_backward``."""
        lead = theta.shape[:-1]
        forward = self.activation.forward
        h, inputs, saved = xt, [], []
        for k, layer in enumerate(self.layers):
            z = theta[..., layer.weight].reshape(lead + layer.shape) @ h
            z += theta[..., layer.bias, None]
            if keep:
                inputs.append(h)
            if k + 1 == len(self.layers):
                return z[..., 0, :], inputs, saved
            h, state = forward(z)
            if keep:
                saved.append(state)

    def _loss(self, theta):
        z = self._forward(theta, self._xt)[0]
        return (self._mean_loss(z, _log_sigmoid(z)),)

    def _loss_and_grad(self, theta):
        z, inputs, saved = self._forward(theta, self._xt, keep=True)
        log_sigmoid = _log_sigmoid(z)
        dz = np.exp(log_sigmoid)                                      # σ(z)
        loss = self._mean_loss(z, log_sigmoid)
        dz -= self.y
        dz /= self._n
        grad = np.empty(theta.shape)
        self._backward(theta, dz[..., None, :], inputs, saved, grad)
        return loss, grad

    def _mean_loss(self, z, log_sigmoid):
        """mean over the points of (1 − y)·z − log σ(z)."""
        terms = z * self._one_minus_y
        terms -= log_sigmoid
        return np.add.reduce(terms, axis=-1) / self._n

    def _backward(self, theta, dz, inputs, saved, grad) -> None:
        """Write ∇L into ``grad`` from ∂L/∂Z of the last layer, (..., 1, N)."""
        lead = theta.shape[:-1]
        backward = self.activation.backward
        for k in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[k]
            np.matmul(dz, inputs[k].swapaxes(-1, -2),
                      out=grad[..., layer.weight].reshape(lead + layer.shape))
            np.add.reduce(dz, axis=-1, out=grad[..., layer.bias])
            if k:
                w = theta[..., layer.weight].reshape(lead + layer.shape)
                dz = backward(w.swapaxes(-1, -2) @ dz, saved[k - 1])

    # ---------------------------------------------------------- many θ at once
    def _map(self, theta, fn, points: int) -> tuple:
        """``fn`` on θ of shape (..., P), in chunks of about CHUNK activation numbers.

        ``fn`` maps a (b, P) array (or one θ, (P,)) to a tuple of arrays of
        shapes (b, *tail); the results come back as (..., *tail).
        """
        theta = np.asarray(theta, dtype=float)
        if theta.shape[-1:] != (self.dim,):
            raise ValueError(f"θ must have shape (..., {self.dim}), got {theta.shape}.")
        with np.errstate(all="ignore"):
            if theta.ndim == 1:
                return fn(theta)
            flat = theta.reshape(-1, self.dim)
            step = max(1, CHUNK // (points * max(self.sizes)))
            parts = [fn(flat[i:i + step]) for i in range(0, max(len(flat), 1), step)]
        return tuple(np.concatenate(results).reshape(theta.shape[:-1] + results[0].shape[1:])
                     for results in zip(*parts))


def _log_sigmoid(z):
    """log σ(z) = min(z, 0) − log1p(e^{−|z|}), torch's CPU formula."""
    t = np.abs(z)
    np.negative(t, out=t)
    np.exp(t, out=t)
    np.log1p(t, out=t)
    return np.subtract(np.minimum(z, 0.0), t, out=t)


__all__ = ["MLP", "Layer", "layers_of", "CHUNK", "ONE_THREAD"]
