"""Built-in surfaces against outside references: finite differences, published minima, brute force.

References for the minima: Surjanovic & Bingham, Virtual Library of Simulation
Experiments (sfu.ca/~ssurjano), and Jamil & Yang (2013), "A literature survey
of benchmark functions for global optimisation problems".
"""

import math
from pathlib import Path

import numpy as np
import pytest

from optiviz_gui.core import scalar
from optiviz_gui.core.errors import ConfigError
from optiviz_gui.core.surfaces import BUILTINS, Surface, make_surface

NAMES = sorted(BUILTINS)
EXPECTED = {"rosenbrock", "beale", "himmelblau", "booth", "rastrigin", "ackley",
            "styblinski_tang", "six_hump_camel", "saddle", "ravine"}

# (name, published minimiser, published minimum value, how many digits were published)
PUBLISHED = [
    ("rosenbrock", (1.0, 1.0), 0.0, 1e-12),
    ("beale", (3.0, 0.5), 0.0, 1e-12),
    ("himmelblau", (3.0, 2.0), 0.0, 1e-12),
    ("himmelblau", (-2.805118, 3.131312), 0.0, 1e-6),
    ("himmelblau", (-3.779310, -3.283186), 0.0, 1e-6),
    ("himmelblau", (3.584428, -1.848126), 0.0, 1e-6),
    ("booth", (1.0, 3.0), 0.0, 1e-12),
    ("rastrigin", (0.0, 0.0), 0.0, 1e-12),
    ("ackley", (0.0, 0.0), 0.0, 1e-12),
    ("styblinski_tang", (-2.903534, -2.903534), -39.16617 * 2, 1e-5),
    ("six_hump_camel", (0.0898, -0.7126), -1.0316, 1e-4),
    ("six_hump_camel", (-0.0898, 0.7126), -1.0316, 1e-4),
    ("ravine", (0.0, 0.0), 0.0, 1e-12),
]


def random_points(surface: Surface, k: int, seed: int = 0) -> np.ndarray:
    (x0, x1), (y0, y1) = surface.bounds
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(x0, x1, k), rng.uniform(y0, y1, k)])


def finite_difference(surface: Surface, p: np.ndarray, h: float = 1e-3) -> np.ndarray:
    """Five-point central differences (error O(h⁴)) of ``surface.value`` at points p (k, 2)."""
    out = np.empty_like(p)
    for axis in (0, 1):
        e = np.zeros(2)
        e[axis] = h
        f = [surface.value(p + m * e) for m in (-2, -1, 1, 2)]
        out[:, axis] = (f[0] - 8 * f[1] + 8 * f[2] - f[3]) / (12 * h)
    return out


def test_every_textbook_surface_is_registered():
    assert EXPECTED <= set(BUILTINS)
    for name, cls in BUILTINS.items():
        assert cls.name == name and cls.title and cls.formula


@pytest.mark.parametrize("name", NAMES)
def test_gradient_equals_finite_differences(name):
    surface = BUILTINS[name]()
    p = random_points(surface, 200)
    if name == "ackley":   # a cone at the origin: no derivative there
        p = p[np.hypot(p[:, 0], p[:, 1]) > 0.01]
    np.testing.assert_allclose(surface.gradient(p), finite_difference(surface, p),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name,point,value,digits", PUBLISHED)
def test_published_minimum(name, point, value, digits):
    surface = BUILTINS[name]()
    # the class lists the published minimiser, to the digits published
    assert np.min(np.abs(surface.minima - point).max(axis=1)) <= digits
    # at the published point the value is the published one
    assert surface.value(point) == pytest.approx(value, abs=max(digits, 1e-12))


@pytest.mark.parametrize("name", NAMES)
def test_listed_minima_are_stationary_and_global(name):
    surface = BUILTINS[name]()
    if name == "saddle":
        assert surface.minima.shape == (0, 2)
        return
    f, g = surface.value_and_grad(surface.minima)
    assert np.abs(g).max() < 1e-9
    # equal depth (several global minima) and nothing lower on a fine grid of the window
    assert np.ptp(f) < 1e-12
    xs, ys, z = surface.grid(801)
    assert z.min() >= f.min() - 1e-12
    (x0, x1), (y0, y1) = surface.bounds
    for x, y in surface.minima:
        assert x0 < x < x1 and y0 < y < y1


def test_hand_derived_values_and_gradients():
    """A few values worked out by hand from the formulas (independent of the code)."""
    b = BUILTINS
    # rosenbrock at (0, 0): (1)² + 0 = 1; ∇ = (−2, 0)
    assert b["rosenbrock"]().value_and_grad_xy(0.0, 0.0, scalar) == (1.0, -2.0, 0.0)
    # booth at (0, 0): 49 + 25 = 74; ∇ = (2·(−7) + 4·(−5), 4·(−7) + 2·(−5)) = (−34, −38)
    assert b["booth"]().value_and_grad_xy(0.0, 0.0, scalar) == (74.0, -34.0, -38.0)
    # himmelblau at (0, 0): 121 + 49 = 170; ∇ = (2·(−7), 2·(−11)) = (−14, −22)
    assert b["himmelblau"]().value_and_grad_xy(0.0, 0.0, scalar) == (170.0, -14.0, -22.0)
    # beale at (0, 0): 1.5² + 2.25² + 2.625² = 14.203125; ∇ = (−2·6.375, 0)
    assert b["beale"]().value_and_grad_xy(0.0, 0.0, scalar) == (14.203125, -12.75, 0.0)
    # rastrigin at (1, 0.5): 20 + (1 − 10) + (0.25 + 10) = 21.25; ∇ = (2, 1)
    f, gx, gy = b["rastrigin"]().value_and_grad_xy(1.0, 0.5, scalar)
    assert (f, gx, gy) == pytest.approx((21.25, 2.0, 1.0), abs=1e-12)
    # saddle at (1, 2): 1 − 4 = −3; ∇ = (2, −4)
    assert b["saddle"]().value_and_grad_xy(1.0, 2.0, scalar) == (-3.0, 2.0, -4.0)
    # ravine at (1, 0): ¼ (1 + 50) = 12.75; ∇ = (½·51, ½·(−49))
    assert b["ravine"]().value_and_grad_xy(1.0, 0.0, scalar) == (12.75, 25.5, -24.5)
    # styblinski_tang at (0, 0): 0; ∇ = (2.5, 2.5)
    assert b["styblinski_tang"]().value_and_grad_xy(0.0, 0.0, scalar) == (0.0, 2.5, 2.5)
    # six_hump_camel at (1, 1): (4 − 2.1 + 1/3) + 1 + 0 = 3.2333…; ∇ = (8 − 8.4 + 2 + 1, 1 − 8 + 16)
    f, gx, gy = b["six_hump_camel"]().value_and_grad_xy(1.0, 1.0, scalar)
    assert (f, gx, gy) == pytest.approx((4 - 2.1 + 1 / 3 + 1, 2.6, 9.0), abs=1e-12)
    # ackley at (1, 0): r = √½, f = −20 e^(−0.2 √½) − e^((1 + 1)/2) + 20 + e = 20 − 20 e^(−0.2 √½)
    f = b["ackley"]().value_xy(1.0, 0.0, scalar)
    assert f == pytest.approx(20 - 20 * math.exp(-0.2 * math.sqrt(0.5)), abs=1e-12)


def test_ackley_gradient_at_the_origin_is_zero_not_nan():
    ackley = BUILTINS["ackley"]()
    assert ackley.value_and_grad_xy(0.0, 0.0, scalar)[1:] == (0.0, 0.0)
    f, g = ackley.value_and_grad(np.zeros((3, 2)))
    assert np.all(g == 0.0) and np.all(np.abs(f) < 1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_scalar_path_equals_numpy(name):
    surface = BUILTINS[name]()
    p = random_points(surface, 30, seed=1)
    f, g = surface.value_and_grad(p)
    for (x, y), fi, gi in zip(p, f, g):
        out = surface.value_and_grad_xy(float(x), float(y), scalar)
        assert all(type(v) is float for v in out)
        np.testing.assert_allclose(out, [fi, *gi], rtol=1e-13, atol=1e-12)
        assert surface.value_xy(float(x), float(y), scalar) == pytest.approx(fi, rel=1e-13, abs=1e-12)
    np.testing.assert_array_equal(surface.value(p), f)


@pytest.mark.parametrize("name", NAMES)
def test_default_view_holds_the_start_and_the_minima(name):
    surface = BUILTINS[name]()
    (x0, x1), (y0, y1) = surface.bounds
    assert x0 < surface.start[0] < x1 and y0 < surface.start[1] < y1
    f, g = surface.value_and_grad(surface.start)
    assert np.isfinite(f) and np.abs(g).max() > 0   # a start that moves


def test_grid_is_indexed_x_first():
    xs, ys, z = BUILTINS["rosenbrock"]().grid(5)
    np.testing.assert_array_equal(xs, [-2, -1, 0, 1, 2])
    np.testing.assert_array_equal(ys, [-1, 0, 1, 2, 3])
    assert z[3, 2] == 0.0                     # f(1, 1)
    assert z[2, 1] == 1.0                     # f(0, 0) = 1
    assert z[0, 0] == 9 + 100 * 25            # f(−2, −1) = 3² + 100·(−1 − 4)²


def test_huge_coordinates_give_inf_or_nan_not_an_exception():
    for name in NAMES:
        surface = BUILTINS[name]()
        out = surface.value_and_grad_xy(1e200, -1e200, scalar)
        assert all(isinstance(v, float) for v in out)


# ----------------------------------------------------------------- make_surface
@pytest.mark.parametrize("name", NAMES)
def test_make_surface_builds_a_builtin_by_name_and_round_trips(name):
    surface = make_surface({"kind": name}, Path("."))
    assert type(surface) is BUILTINS[name] and surface.to_dict() == {"kind": name}
    spec = {"kind": name, "bounds": [[-1.0, 2.5], [0.0, 4.0]]}
    framed = make_surface(spec, Path("."))
    assert framed.bounds == ((-1.0, 2.5), (0.0, 4.0))
    assert framed.to_dict() == spec
    assert BUILTINS[name]().bounds != framed.bounds       # an instance attribute only
    assert make_surface(framed.to_dict(), Path(".")).bounds == framed.bounds


def test_make_surface_builds_an_expression():
    spec = {"kind": "expression", "expr": "(1-x)**2 + 100*(y-x**2)**2",
            "bounds": [[-2.0, 2.0], [-1.0, 3.0]]}
    surface = make_surface(spec, Path("."))
    p = random_points(BUILTINS["rosenbrock"](), 20)
    np.testing.assert_allclose(surface.value_and_grad(p)[1],
                               BUILTINS["rosenbrock"]().gradient(p), rtol=1e-12)
    assert surface.bounds == ((-2.0, 2.0), (-1.0, 3.0))
    assert make_surface(surface.to_dict(), Path(".")).to_dict() == surface.to_dict()


BAD_SPECS = [
    ("rosenbrock", "surface"),
    ({}, "surface.kind"),
    ({"kind": 3}, "surface.kind"),
    ({"kind": "banana"}, "banana"),
    ({"kind": "rosenbrock", "a": 2}, "surface.a"),
    ({"kind": "rosenbrock", "bounds": [[0, 1]]}, "surface.bounds"),
    ({"kind": "rosenbrock", "bounds": "wide"}, "surface.bounds"),
    ({"kind": "rosenbrock", "bounds": [[1, 0], [0, 1]]}, "surface.bounds[0]"),
    ({"kind": "rosenbrock", "bounds": [[0, 1], [0, float("inf")]]}, "surface.bounds[1]"),
    ({"kind": "rosenbrock", "bounds": [[0, 1], [0, True]]}, "surface.bounds[1]"),
    ({"kind": "rosenbrock", "bounds": [[0, 1], ["0", 1]]}, "surface.bounds[1]"),
    ({"kind": "expression"}, "surface.expr"),
    ({"kind": "expression", "expr": 3}, "surface.expr"),
    ({"kind": "expression", "expr": "x +"}, "surface.expr"),
    ({"kind": "expression", "expr": "foo(x)"}, "surface.expr"),
    ({"kind": "expression", "expr": "x", "csv": "a.csv"}, "surface.csv"),
]


@pytest.mark.parametrize("spec,key", BAD_SPECS, ids=[repr(s)[:50] for s, _ in BAD_SPECS])
def test_make_surface_rejects_bad_input_naming_the_key(spec, key):
    with pytest.raises(ConfigError) as info:
        make_surface(spec, Path("."))
    message = str(info.value)
    assert key in message and message.endswith(".") and "\n" not in message
