"""Small surfaces with closed-form behaviour, for testing the run loop and the model."""

import numpy as np
import pytest

from optiviz_gui.core.surfaces.base import Surface


class Bowl(Surface):
    """f = x² + 10 y²: ∇f = (2x, 20y); gradient descent multiplies x by (1 − 2γ), y by (1 − 20γ)."""

    name = "bowl"
    bounds = ((-5.0, 5.0), (-5.0, 5.0))
    minima = np.zeros((1, 2))

    def value_and_grad_xy(self, x, y, xp):
        return x * x + 10 * y * y, 2 * x, 20 * y


class LogWell(Surface):
    """f = −log(x): undefined for x ≤ 0, so a step that crosses 0 reaches nan."""

    name = "logwell"
    bounds = ((0.0, 2.0), (-1.0, 1.0))

    def value_and_grad_xy(self, x, y, xp):
        return -xp.log(x) + 0 * y, -1 / x, 0 * y


@pytest.fixture
def bowl():
    return Bowl()


@pytest.fixture
def logwell():
    return LogWell()
