"""The network's loss and gradient against torch autograd and central differences."""

from __future__ import annotations

import math

import numpy as np
import pytest
from mlp_torch import torch_loss_and_grad, torch_net

from optiviz_gui.core.surfaces import network
from optiviz_gui.core.surfaces.activations import ACTIVATIONS
from optiviz_gui.core.surfaces.network import MLP, layers_of

RNG = np.random.default_rng(42)
X = RNG.normal(size=(60, 2))
Y = (X[:, 0] * X[:, 1] + 0.3 * RNG.normal(size=60) > 0).astype(float)
SHAPES = [(2, 8, 8, 1), (2, 1), (2, 3, 5, 4, 1)]


def thetas(net):
    """Several θ: the initial one, a larger one (saturating units), and a random one."""
    theta0 = net.init_params(1)
    return [theta0, 3.0 * theta0, np.random.default_rng(7).normal(0.0, 1.5, net.dim)]


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("sizes", SHAPES)
def test_loss_and_gradient_match_torch_autograd(sizes, activation):
    torch = pytest.importorskip("torch")
    net = MLP(sizes, activation, X, Y)
    for theta in thetas(net):
        loss, grad = net.loss_and_grad(theta)
        ref_loss, ref_grad = torch_loss_and_grad(torch, torch_net(torch, sizes, activation, theta),
                                                 X, Y)
        assert loss == pytest.approx(ref_loss, rel=1e-14)
        np.testing.assert_allclose(grad, ref_grad, rtol=1e-12,
                                   atol=1e-14 * np.abs(ref_grad).max())


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_gradient_matches_central_differences(activation):
    """Every coordinate at once: the 2P points θ ± h·e_i go through one batched call."""
    net = MLP((2, 4, 3, 1), activation, X, Y)
    h = 1e-6
    for theta in thetas(net):
        shifts = h * np.eye(net.dim)
        numeric = (net.loss(theta + shifts) - net.loss(theta - shifts)) / (2 * h)
        np.testing.assert_allclose(net.loss_and_grad(theta)[1], numeric, rtol=2e-6, atol=2e-9)


def logistic(theta):
    """Linear(2, 1): no hidden layer; θ = (w₁, w₂, b)."""
    return np.asarray(theta, dtype=float)


@pytest.mark.parametrize("labels", [[1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0]])
def test_bce_with_logits_matches_torch_at_extreme_logits(labels):
    """Logits ±50 and ±800 (w = (50, 0), inputs ±1 and ±16): no overflow, torch's values.

    With labels [1, 0, 1, 0] every point is right and torch's loss is e^{−50}/4 from the
    one term log1p(e^{−50}) (the −50 with label 0 rounds to exactly 0)."""
    torch = pytest.importorskip("torch")
    inputs = np.array([[1.0, 0.0], [-1.0, 0.0], [16.0, 0.0], [-16.0, 0.0]])
    y = np.array(labels, dtype=float)
    theta = np.array([50.0, 0.0, 0.0])
    net = MLP((2, 1), "tanh", inputs, y)
    loss, grad = net.loss_and_grad(theta)
    z = torch.tensor([50.0, -50.0, 800.0, -800.0], dtype=torch.float64, requires_grad=True)
    ref = torch.nn.BCEWithLogitsLoss()(z, torch.tensor(y))
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-15, abs=0.0)
    np.testing.assert_allclose(grad, [z.grad.numpy() @ inputs[:, 0], 0.0, z.grad.numpy().sum()],
                               rtol=1e-15)
    if labels == [1, 0, 1, 0]:
        assert loss == math.log1p(math.exp(-50.0)) / 4


def test_init_params_follow_nn_linear_default():
    """W and b of each layer ~ U(−1/√fan_in, 1/√fan_in); checked on a wide net's moments."""
    net = MLP((2, 64, 64, 1), "relu", X, Y)
    theta = net.init_params(3)
    assert np.array_equal(theta, net.init_params(3))
    assert not np.array_equal(theta, net.init_params(4))
    for layer in net.layers:
        bound = 1.0 / math.sqrt(layer.shape[1])
        for part in (theta[layer.weight], theta[layer.bias]):
            assert np.all(np.abs(part) <= bound)
        weights = theta[layer.weight]
        if weights.size >= 4096:          # 64 × 64: mean 0 and variance bound²/3 within 4σ
            assert abs(weights.mean()) < 4 * bound / math.sqrt(3 * weights.size)
            assert weights.var() == pytest.approx(bound**2 / 3, rel=0.1)


def test_layout_is_weight_then_bias_per_layer():
    layers = layers_of((2, 3, 1))
    assert [(l.weight, l.bias, l.shape) for l in layers] == [
        (slice(0, 6), slice(6, 9), (3, 2)), (slice(9, 12), slice(12, 13), (1, 3))]


def test_many_theta_at_once_equal_one_at_a_time(monkeypatch):
    net = MLP((2, 5, 4, 1), "gelu", X, Y)
    batch = np.random.default_rng(3).normal(size=(2, 3, net.dim))
    monkeypatch.setattr(network, "CHUNK", 500)         # several chunks of 2 θ each
    loss, grad = net.loss_and_grad(batch)
    assert loss.shape == (2, 3) and grad.shape == (2, 3, net.dim)
    inputs = RNG.normal(size=(7, 2))
    logits, losses, accuracy = net.logits(batch, inputs), net.loss(batch), net.accuracy(batch)
    for index in np.ndindex(2, 3):      # one θ alone goes through 2-D products: equal to ulps
        one_loss, one_grad = net.loss_and_grad(batch[index])
        assert loss[index] == pytest.approx(one_loss, rel=1e-14)
        np.testing.assert_allclose(grad[index], one_grad, rtol=1e-13, atol=1e-16)
        assert losses[index] == pytest.approx(one_loss, rel=1e-14)
        np.testing.assert_allclose(logits[index], net.logits(batch[index], inputs), rtol=1e-13)
        assert accuracy[index] == net.accuracy(batch[index])


def test_accuracy_counts_the_points_on_the_right_side():
    """Linear(2, 1) with θ = (1, 0, 0) says class 1 where x₁ > 0."""
    inputs = np.array([[1.0, 5.0], [-2.0, 0.0], [3.0, -1.0], [-0.5, 2.0], [0.0, 1.0]])
    net = MLP((2, 1), "tanh", inputs, [1, 0, 0, 0, 1])
    assert net.accuracy(logistic([1.0, 0.0, 0.0])) == pytest.approx(3 / 5)


def test_logits_match_torch_on_new_inputs():
    torch = pytest.importorskip("torch")
    net = MLP((2, 8, 8, 1), "sigmoid", X, Y)
    theta = net.init_params(5)
    inputs = RNG.uniform(-3, 3, size=(50, 2))
    with torch.no_grad():
        ref = torch_net(torch, net.sizes, "sigmoid", theta)(torch.tensor(inputs)).squeeze(1).numpy()
    np.testing.assert_allclose(net.logits(theta, inputs), ref, rtol=1e-13, atol=1e-15)


def test_wrong_theta_shape_is_refused():
    net = MLP((2, 3, 1), "tanh", X, Y)
    with pytest.raises(ValueError, match=r"\(\.\.\., 13\)"):
        net.loss(np.zeros(12))
