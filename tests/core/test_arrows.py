"""core/arrows.py: each arrow says which run it belongs to, and its vector is the hand-derived one.

On the bowl f = x² + 10 y² (conftest), ∇f = (2x, 20y); SGD with lr γ multiplies x by
(1 − 2γ) and y by (1 − 20γ) each step; SGD momentum μ keeps b₁ = g₀, b_k = μ b_{k−1} + g_{k−1}
(torch.optim.SGD, dampening 0).
"""

import math

import numpy as np

from optiviz_gui.core.arrows import GRAD_FRACTION, arrow_vectors
from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.trajectory import Trajectory

START = (2.0, 1.0)


def run(bowl, name, k=2, **hp):
    t = Trajectory(bowl, make_optimizer(name, **hp), START)
    t.extend(k + 1)
    return t


def grad(p):
    return np.array([2 * p[0], 20 * p[1]])


def test_each_arrow_carries_its_run_and_the_hand_derived_vector(bowl):
    lr, mu = 0.01, 0.9
    plain, heavy = run(bowl, "sgd", lr=lr), run(bowl, "sgd", lr=lr, momentum=mu)
    arrows = arrow_vectors(bowl, [plain, heavy], 2, (True, True, True), runs=[3, 5])
    s = GRAD_FRACTION * math.hypot(10, 10) / float(np.hypot(*grad(START)))

    # plain SGD, two steps by hand; its arrows are run 3's
    p = np.array(START) * [(1 - 2 * lr) ** 2, (1 - 20 * lr) ** 2]
    assert arrows["gradient"].runs.tolist() == [3, 5]
    np.testing.assert_allclose(arrows["gradient"].of(3), [[*p, *(-s * grad(p))]], rtol=1e-12)
    np.testing.assert_allclose(arrows["update"].of(3), [[*p, *(-lr * grad(p))]], rtol=1e-9)

    # momentum: two steps by hand, the buffer after them is the velocity (gradient units)
    q, b = np.array(START), None
    for _ in range(2):
        g = grad(q)
        b = g if b is None else mu * b + g
        q = q - lr * b
    np.testing.assert_allclose(arrows["velocity"].of(5), [[*q, *(-s * b)]], rtol=1e-9)
    np.testing.assert_allclose(arrows["update"].of(5), [[*q, *(-lr * (mu * b + grad(q)))]],
                               rtol=1e-9)
    # plain SGD keeps no buffer: no velocity arrow, and none is claimed for run 3
    assert arrows["velocity"].runs.tolist() == [5]


def test_one_runs_arrows_alone_keep_their_length(bowl):
    """Showing the selected run's arrows alone filters them: the gradient scale still
    comes from the first shown run, so the arrow is as long as beside the others."""
    a, b = run(bowl, "sgd", lr=0.01), run(bowl, "adam", lr=0.1)
    every = arrow_vectors(bowl, [a, b], 2, (True, True, False), runs=[0, 1])
    alone = {kind: arr.only(1) for kind, arr in every.items()}
    assert alone["gradient"].runs.tolist() == [1] and alone["update"].runs.tolist() == [1]
    np.testing.assert_array_equal(alone["gradient"].vectors, every["gradient"].of(1))
    assert every["gradient"].only(None) is every["gradient"]
    assert len(every["velocity"].vectors) == 0 and every["velocity"].runs.dtype == np.int64


def test_runs_default_to_the_trajectories_order(bowl):
    ts = [run(bowl, "sgd", lr=0.01), run(bowl, "sgd", lr=0.02)]
    arrows = arrow_vectors(bowl, ts, 1, (True, False, False))
    assert arrows["gradient"].runs.tolist() == [0, 1]
    assert arrows["update"].vectors.shape == (0, 4)
