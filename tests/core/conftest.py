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


@pytest.fixture(scope="session")
def kernels_on(tmp_path_factory):
    """Compiled kernels enabled, numba's cache in a temporary folder shared by the session.

    Compiled loops and surfaces stay in the kernels' table for the whole session, so
    each is compiled once however many tests use it. Skips when numba is missing.
    """
    pytest.importorskip("numba")
    from optiviz_gui.core.kernels import service

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OPTIVIZ_KERNELS", "numba")
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        service.forget()
        yield service.cache_folder()
        service.forget()
