"""Suggested learning rates against the Hessian by hand, and what they do to a run."""

import math

import pytest

from optiviz_gui.core import session, suggest
from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.simulation import Run, Simulation
from optiviz_gui.core.surfaces import BUILTINS


def test_the_curvature_is_the_hessian_s_largest_eigenvalue():
    # Rosenbrock at (−1.5, 2.5): ∂²f/∂x² = 2 − 400y + 1200x² = 1702, ∂²f/∂x∂y = −400x = 600,
    # ∂²f/∂y² = 200; eigenvalues 951 ± √(951² + 19 600): the larger is 1912.26…
    s = BUILTINS["rosenbrock"]()
    assert suggest.curvature(s, (-1.5, 2.5)) == pytest.approx(951 + math.sqrt(951**2 + 19600),
                                                              rel=1e-6)


def test_suggested_rates_keep_every_kind_of_optimizer_on_rosenbrock():
    s = BUILTINS["rosenbrock"]()
    runs = [Run(make_optimizer(name, lr=0.1)) for name in ("sgd", "adam", "rmsprop", "asgd")]
    sim = Simulation(s, s.start, runs, steps=50)
    assert suggest.diverging_at_once(sim) == [0, 3]            # plain steps of lr 0.1 explode
    for i, run in enumerate(runs):
        lr = suggest.suggested_lr(s, s.start, run.optimizer)
        sim.update_run(i, optimizer=run.optimizer.replace(lr=lr))
    assert suggest.diverging_at_once(sim) == []
    assert suggest.suggested_lr(s, s.start, make_optimizer("sgd")) == pytest.approx(5.2e-4)
    assert suggest.suggested_lr(s, s.start, make_optimizer("adam")) == pytest.approx(0.04)
    assert suggest.suggested_lr(s, s.start, make_optimizer("lbfgs")) == 1.0


def test_the_blog_example_needs_no_suggestion():
    assert suggest.diverging_at_once(session.load(None)) == []
