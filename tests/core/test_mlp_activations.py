"""erf against math.erf, and each activation and its derivative against torch and finite differences."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optiviz_gui.core.surfaces.activations import ACTIVATIONS, TORCH_NAMES
from optiviz_gui.core.surfaces.erf import erf


def ulps(value, reference):
    return np.abs(value - reference) / np.spacing(np.abs(reference))


def test_erf_matches_math_erf_to_a_few_ulps_everywhere():
    x = np.concatenate([np.linspace(-7.0, 7.0, 20001),
                        # each side of Cody's break points 0.46875 and 4, and where erf reaches 1
                        np.nextafter(0.46875, [0.0, 1.0]), [0.46875, 4.0], np.nextafter(4.0, [0, 9]),
                        [5.9, 5.99999, 6.0, 6.5, 27.0, 1e300], -np.geomspace(1e-300, 0.4, 50)])
    reference = np.array([math.erf(v) for v in x])
    assert ulps(erf(x), reference).max() <= 4


def test_erf_special_values():
    x = np.array([0.0, -0.0, 5e-324, np.inf, -np.inf, np.nan])
    out = erf(x)
    assert out[0] == 0.0 and not np.signbit(out[0])
    assert out[1] == 0.0 and np.signbit(out[1])
    assert out[2] == math.erf(5e-324)
    assert out[3] == 1.0 and out[4] == -1.0
    assert np.isnan(out[5])


def test_erf_keeps_shape_and_works_on_scalars():
    assert erf(0.5).shape == ()
    assert erf(0.5) == pytest.approx(math.erf(0.5), rel=1e-16)
    assert erf(np.zeros((3, 4, 5))).shape == (3, 4, 5)


def run(name, z):
    """(act(z), act'(z)) through the module's forward/backward pair, on copies.

    Like the network, under np.errstate(all="ignore"): sigmoid's e^{−z} overflows to inf.
    """
    act = ACTIVATIONS[name]
    with np.errstate(all="ignore"):
        h, saved = act.forward(z.copy())
    h = h.copy()
    slope = act.backward(np.ones_like(z), saved)
    return h, slope


Z = np.concatenate([np.linspace(-9.0, 9.0, 721), [-800.0, -40.0, 40.0, 800.0]])


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_and_derivative_match_torch(name):
    """Same formulas as torch; both round tanh, exp and erf within an ulp or two, and
    1 − h² (tanh, h → ±1) and 1 + erf (gelu, z → −∞) cancel those ulps: hence atol."""
    torch = pytest.importorskip("torch")
    z = torch.tensor(Z, dtype=torch.float64, requires_grad=True)
    h = getattr(torch.nn, TORCH_NAMES[name])()(z)
    h.sum().backward()
    ours, slope = run(name, Z)
    np.testing.assert_allclose(ours, h.detach().numpy(), rtol=1e-15, atol=1e-14)
    np.testing.assert_allclose(slope, z.grad.numpy(), rtol=1e-15, atol=1e-15)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_derivative_matches_central_differences(name):
    z = np.linspace(-4.0, 4.0, 81) + 0.0123     # away from relu's kink at 0
    step = 1e-6
    numeric = (run(name, z + step)[0] - run(name, z - step)[0]) / (2 * step)
    np.testing.assert_allclose(run(name, z)[1], numeric, rtol=1e-7, atol=1e-9)


def test_gelu_is_the_exact_erf_form():
    z = np.array([-3.0, -0.5, 0.0, 0.7, 2.5])
    expected = [0.5 * v * (1.0 + math.erf(v / math.sqrt(2.0))) for v in z]
    np.testing.assert_allclose(run("gelu", z)[0], expected, rtol=1e-15, atol=1e-300)


def test_relu_derivative_is_zero_at_zero_as_in_torch():
    assert run("relu", np.array([0.0]))[1][0] == 0.0
