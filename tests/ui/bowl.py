"""The UI tests' small surface: f = (x² + 4y²)/2, ∇f = (x, 4y), minimum at the origin,
so gradient descent multiplies x by (1 − γ) and y by (1 − 4γ) — steps by hand."""

import numpy as np

from optiviz_gui.core.surfaces.base import Surface


class Bowl(Surface):
    title = "Bowl"
    axis_labels = ("x", "y")
    bounds = ((-2.0, 2.0), (-2.0, 2.0))
    minima = np.array([[0.0, 0.0]])

    def value_and_grad_xy(self, x, y, xp=np):
        return (x * x + 4 * y * y) / 2, x, 4 * y
