"""Typed formulas: values against hand-written numpy, gradients against finite differences,
hostile text refused without running anything, and an SGD step derived by hand."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from optiviz_gui.core import scalar
from optiviz_gui.core.errors import ConfigError
from optiviz_gui.core.expression import EXAMPLES, ExpressionSurface, parse
from optiviz_gui.core.optimizers.sgd import SGD

RNG_SEED = 20240601

# (formula, the same function written by hand with numpy, x range, y range)
CASES = [
    # every allowed function, on an inner expression in both x and y
    ("sin(x*y + x)", lambda x, y: np.sin(x * y + x), (-2, 2), (-2, 2)),
    ("cos(x - 2*y)", lambda x, y: np.cos(x - 2 * y), (-2, 2), (-2, 2)),
    ("tan(0.5*x + 0.3*y)", lambda x, y: np.tan(0.5 * x + 0.3 * y), (-1.5, 1.5), (-1.5, 1.5)),
    ("exp(0.5*x - y)", lambda x, y: np.exp(0.5 * x - y), (-2, 2), (-2, 2)),
    ("log(1 + x*x + y)", lambda x, y: np.log(1 + x * x + y), (-2, 2), (0, 2)),
    ("ln(2 + x - y)", lambda x, y: np.log(2 + x - y), (0, 2), (-1, 1)),
    ("log10(x*x + y*y + 0.5)", lambda x, y: np.log10(x * x + y * y + 0.5), (-2, 2), (-2, 2)),
    ("sqrt(x*x + y + 3)", lambda x, y: np.sqrt(x * x + y + 3), (-2, 2), (-2, 2)),
    ("abs(x - 2*y)", lambda x, y: np.abs(x - 2 * y), (-2, 2), (-2, 2)),
    ("tanh(x*y)", lambda x, y: np.tanh(x * y), (-2, 2), (-2, 2)),
    ("sinh(x - y)", lambda x, y: np.sinh(x - y), (-2, 2), (-2, 2)),
    ("cosh(x + 0.5*y)", lambda x, y: np.cosh(x + 0.5 * y), (-2, 2), (-2, 2)),
    ("arcsin(0.4*x + 0.2*y)", lambda x, y: np.arcsin(0.4 * x + 0.2 * y), (-1.5, 1.5), (-1.5, 1.5)),
    ("asin(0.3*x*y)", lambda x, y: np.arcsin(0.3 * x * y), (-1.5, 1.5), (-1.5, 1.5)),
    ("arccos(0.3*x - 0.25*y)", lambda x, y: np.arccos(0.3 * x - 0.25 * y), (-1.5, 1.5), (-1.5, 1.5)),
    ("acos(0.2*x + 0.2*y*y)", lambda x, y: np.arccos(0.2 * x + 0.2 * y * y), (-1.5, 1.5), (-1.5, 1.5)),
    ("arctan(x*y - 1)", lambda x, y: np.arctan(x * y - 1), (-2, 2), (-2, 2)),
    ("atan(x/(1 + y*y))", lambda x, y: np.arctan(x / (1 + y * y)), (-2, 2), (-2, 2)),
    # operators
    ("x + y", lambda x, y: x + y, (-2, 2), (-2, 2)),
    ("x - 3*y", lambda x, y: x - 3 * y, (-2, 2), (-2, 2)),
    ("x*y", lambda x, y: x * y, (-2, 2), (-2, 2)),
    ("x/y", lambda x, y: x / y, (-2, 2), (0.5, 2)),
    ("(x + 1)/(y*y + 1)", lambda x, y: (x + 1) / (y * y + 1), (-2, 2), (-2, 2)),
    ("x**y", lambda x, y: x ** y, (0.5, 2), (-2, 2)),
    ("x**3*y**-2", lambda x, y: x ** 3 * y ** -2.0, (-2, 2), (0.5, 2)),
    ("(x*y)**0.5", lambda x, y: (x * y) ** 0.5, (0.5, 2), (0.5, 2)),
    ("2**x*y", lambda x, y: 2.0 ** x * y, (-2, 2), (-2, 2)),
    ("e**(x*y)", lambda x, y: np.exp(x * y), (-1, 1), (-1, 1)),
    ("-x*y", lambda x, y: -x * y, (-2, 2), (-2, 2)),
    ("+x - (-y)", lambda x, y: x + y, (-2, 2), (-2, 2)),
    ("-(x - y)**2", lambda x, y: -((x - y) ** 2), (-2, 2), (-2, 2)),
    ("pi*x + e*y", lambda x, y: np.pi * x + np.e * y, (-2, 2), (-2, 2)),
    ("x^2 + y^3", lambda x, y: x ** 2 + y ** 3, (-2, 2), (-2, 2)),
    # compositions
    ("sin(exp(x)*cos(y))/(1 + x*x)", lambda x, y: np.sin(np.exp(x) * np.cos(y)) / (1 + x * x),
     (-2, 2), (-2, 2)),
    ("log(1 + exp(x - y))", lambda x, y: np.log(1 + np.exp(x - y)), (-2, 2), (-2, 2)),
    ("sqrt(1 + tanh(x)**2)*arctan(y/2)", lambda x, y: np.sqrt(1 + np.tanh(x) ** 2) * np.arctan(y / 2),
     (-2, 2), (-2, 2)),
    ("x**y**0.5", lambda x, y: x ** (y ** 0.5), (0.5, 2), (0.5, 2)),
    ("(x - y)**3/(2 + cos(x*y))", lambda x, y: (x - y) ** 3 / (2 + np.cos(x * y)), (-2, 2), (-2, 2)),
    ("exp(-(x*x + y*y))*sinh(x)", lambda x, y: np.exp(-(x * x + y * y)) * np.sinh(x), (-2, 2), (-2, 2)),
    ("(1 - x)^2 + 100*(y - x^2)^2", lambda x, y: (1 - x) ** 2 + 100 * (y - x ** 2) ** 2,
     (-2, 2), (-1, 3)),
    ("(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
     lambda x, y: (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2, (-4, 4), (-4, 4)),
]
IDS = [c[0] for c in CASES]


def _points(xr, yr, n=200, seed=RNG_SEED):
    rng = np.random.default_rng(seed)
    return rng.uniform(*xr, n), rng.uniform(*yr, n)


def _fd(fn, x, y, h=1e-3):
    """Fourth-order central differences: error O(h⁴ f⁽⁵⁾) + O(ε f / h)."""
    def d(g):
        return (-g(2 * h) + 8 * g(h) - 8 * g(-h) + g(-2 * h)) / (12 * h)
    return d(lambda t: fn(x + t, y)), d(lambda t: fn(x, y + t))


def _assert_grad_matches(ana, fd, tol=1e-6):
    ana, fd = np.asarray(ana, dtype=float), np.asarray(fd, dtype=float)
    assert np.all(np.isfinite(ana))
    err = np.abs(ana - fd) / np.maximum(1.0, np.abs(ana))
    assert err.max() <= tol, f"relative error {err.max():.3g}"


# ------------------------------------------------------------- values, gradients
@pytest.mark.parametrize("text, hand, xr, yr", CASES, ids=IDS)
def test_value_equals_hand_written_numpy(text, hand, xr, yr):
    x, y = _points(xr, yr)
    np.testing.assert_allclose(parse(text).value(x, y), hand(x, y), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("text, hand, xr, yr", CASES, ids=IDS)
def test_gradient_equals_finite_differences(text, hand, xr, yr):
    x, y = _points(xr, yr)
    if text.startswith("abs"):          # stay away from the kink at x = 2y
        keep = np.abs(x - 2 * y) > 1e-2
        x, y = x[keep], y[keep]
    _, gx, gy = parse(text).value_and_grad(x, y)
    fx, fy = _fd(hand, x, y)
    _assert_grad_matches(gx, fx)
    _assert_grad_matches(gy, fy)


@pytest.mark.parametrize("text, hand, xr, yr", CASES, ids=IDS)
def test_scalar_path_equals_numpy(text, hand, xr, yr):
    e = parse(text)
    x, y = _points(xr, yr, n=20)
    f, gx, gy = e.value_and_grad(x, y, np)
    for i in range(len(x)):
        got = e.value_and_grad(float(x[i]), float(y[i]), scalar)
        assert all(type(v) is float for v in got)
        np.testing.assert_allclose(got, [f[i], gx[i], gy[i]], rtol=1e-13, atol=1e-15)


# random smooth compositions: (text, the same function in numpy)
_leaf = st.sampled_from([("x", lambda x, y: x), ("y", lambda x, y: y),
                         ("0.5", lambda x, y: 0.5 + 0 * x), ("2", lambda x, y: 2.0 + 0 * x)])
_UNARY = [
    ("sin({})", np.sin), ("cos({})", np.cos), ("tanh({})", np.tanh), ("arctan({})", np.arctan),
    ("exp(sin({}))", lambda u: np.exp(np.sin(u))), ("sqrt(1 + ({})^2)", lambda u: np.sqrt(1 + u * u)),
    ("log(2 + cos({}))", lambda u: np.log(2 + np.cos(u))), ("-({})", np.negative),
    ("({})**3", lambda u: u ** 3), ("({})^2", lambda u: u * u),
]
_BINARY = [
    ("({}) + ({})", np.add), ("({}) - ({})", np.subtract), ("({})*({})", np.multiply),
    ("({})/(2 + cos({}))", lambda a, b: a / (2 + np.cos(b))),
    ("(2 + sin({}))**(cos({}))", lambda a, b: (2 + np.sin(a)) ** np.cos(b)),
]


def _extend(children):
    unary = st.tuples(st.sampled_from(_UNARY), children).map(
        lambda t: (t[0][0].format(t[1][0]), lambda x, y, f=t[0][1], g=t[1][1]: f(g(x, y))))
    binary = st.tuples(st.sampled_from(_BINARY), children, children).map(
        lambda t: (t[0][0].format(t[1][0], t[2][0]),
                   lambda x, y, f=t[0][1], a=t[1][1], b=t[2][1]: f(a(x, y), b(x, y))))
    return unary | binary


_formulas = st.recursive(_leaf, _extend, max_leaves=8)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(_formulas, st.floats(-2, 2), st.floats(-2, 2))
def test_random_compositions_gradient_equals_finite_differences(formula, x, y):
    text, hand = formula
    e = parse(text)
    f, gx, gy = e.value_and_grad(np.array([x]), np.array([y]))
    np.testing.assert_allclose(f, hand(np.array([x]), np.array([y])), rtol=1e-11, atol=1e-12)
    fx, fy = _fd(hand, np.array([x]), np.array([y]))
    _assert_grad_matches(gx, fx)
    _assert_grad_matches(gy, fy)
    assert e.value_and_grad(x, y, scalar) == pytest.approx([f[0], gx[0], gy[0]], rel=1e-12, abs=1e-14)


def test_constant_exponent_rule_works_for_negative_bases():
    # d x² = 2x and d x³ = 3x² also for x < 0, where the general rule's ln x is nan
    assert parse("x**2").value_and_grad(-3.0, 0.0, scalar) == [9.0, -6.0, 0.0]
    assert parse("x^3 + y**-1").value_and_grad(-2.0, -0.5, scalar) == [-10.0, 12.0, -4.0]
    assert parse("abs(x) + abs(y)").value_and_grad(-2.0, 3.0, scalar) == [5.0, -1.0, 1.0]


def test_caret_is_power_and_aliases_are_the_same_functions():
    assert parse("x^2 + y^3").text == "x**2 + y**3"
    x, y = _points((0.1, 0.9), (0.1, 0.9))
    for a, b in [("x^2*y^3", "x**2*y**3"), ("asin(x)+acos(y)", "arcsin(x)+arccos(y)"),
                 ("atan(x*y)", "arctan(x*y)"), ("ln(x+y)", "log(x+y)")]:
        for got, want in zip(parse(a).value_and_grad(x, y), parse(b).value_and_grad(x, y)):
            np.testing.assert_array_equal(got, want)


def test_derivative_text_reads_back_as_the_hand_derivative():
    dx, dy = parse("x^2 + 3*x*y + sin(y)").gradient_text()
    x, y = _points((-2, 2), (-2, 2))
    np.testing.assert_allclose(parse(dx).value(x, y), 2 * x + 3 * y, rtol=1e-14)
    np.testing.assert_allclose(parse(dy).value(x, y), 3 * x + np.cos(y), rtol=1e-14)


def test_derivative_does_not_swell():
    # 40 nested functions: each level adds a constant number of derivative operations
    e = parse("sin(" * 20 + "exp(" * 20 + "x*y" + ")" * 40)
    assert e._full.size <= 6 * e._value.size


# ------------------------------------------------------------ nan, inf, sizes
def test_log_of_negative_is_nan_on_a_grid_without_exception_or_warning():
    s = ExpressionSurface("log(x) + y^2", bounds=[[-2, 2], [-1, 1]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        xs, ys, z = s.grid(400)
        f, g = s.value_and_grad(np.stack(np.meshgrid(xs, ys, indexing="ij"), axis=-1))
    assert z.shape == (400, 400)
    neg = xs < 0
    assert np.isnan(z[neg]).all() and np.isnan(f[neg]).all()
    pos = xs > 0
    np.testing.assert_allclose(z[pos], np.log(xs[pos])[:, None] + ys[None, :] ** 2, rtol=1e-14)
    # the gradient (1/x, 2y) itself exists on both sides
    np.testing.assert_allclose(g[..., 0], np.broadcast_to(1 / xs[:, None], (400, 400)), rtol=1e-15)
    np.testing.assert_allclose(g[..., 1], np.broadcast_to(2 * ys[None, :], (400, 400)), rtol=1e-15)


@pytest.mark.parametrize("text, point, want", [
    ("log(x)", (-1.0, 0.0), [math.nan, -1.0, 0.0]),
    ("1/x", (0.0, 0.0), [math.inf, -math.inf, 0.0]),
    ("x**0.5", (-1.0, 0.0), [math.nan, math.nan, 0.0]),
    ("x^y", (-8.0, 1 / 3), [math.nan, math.nan, math.nan]),
    ("cosh(x)", (1000.0, 0.0), [math.inf, math.inf, 0.0]),
    ("exp(x*y)", (800.0, 800.0), [math.inf, math.inf, math.inf]),
    ("x**64", (1e10, 0.0), [math.inf, math.inf, 0.0]),
    ("sqrt(x)", (0.0, 0.0), [0.0, math.inf, 0.0]),
    ("arcsin(x)", (2.0, 0.0), [math.nan, math.nan, 0.0]),
])
def test_out_of_domain_gives_numpys_nan_or_inf_never_an_exception(text, point, want):
    e = parse(text)
    with np.errstate(all="ignore"):
        got_np = [float(v) for v in e.value_and_grad(np.array(point[0]), np.array(point[1]))]
    got_sc = e.value_and_grad(*point, scalar)
    np.testing.assert_array_equal(got_np, want)
    np.testing.assert_array_equal(got_sc, want)


def test_a_formula_at_the_size_limits_evaluates_on_a_400_grid():
    s = ExpressionSurface("sin(" * 47 + "x*y" + ")" * 47 + " + " + "+".join(["x**y"] * 60))
    xs, ys, z = s.grid(400)
    p = np.stack(np.meshgrid(xs, ys, indexing="ij"), axis=-1)
    f, g = s.value_and_grad(p)
    assert z.shape == f.shape == (400, 400) and g.shape == (400, 400, 2)
    np.testing.assert_array_equal(f, z)


# ------------------------------------------------------------------- surface
def test_first_sgd_step_equals_the_hand_derived_one():
    # f = x² + 3xy:  ∂f/∂x = 2x + 3y = 8,  ∂f/∂y = 3x = 3  at (1, 2); lr 0.1
    s = ExpressionSurface("x**2 + 3*x*y")
    opt = SGD(lr=0.1)
    f, gx, gy = s.value_and_grad_xy(1.0, 2.0, scalar)
    assert (f, gx, gy) == (7.0, 8.0, 3.0)
    dx, _ = opt.update(gx, opt.init(1.0), 1.0, scalar)
    dy, _ = opt.update(gy, opt.init(2.0), 2.0, scalar)
    assert (1.0 + dx, 2.0 + dy) == pytest.approx((1.0 - 0.8, 2.0 - 0.3), abs=1e-15)
    p = np.array([[1.0, 2.0], [0.0, 1.0]])            # many start points: numpy
    _, g = s.value_and_grad(p)
    d, _ = opt.update(g, opt.init(p), p, np)
    np.testing.assert_allclose(p + d, [[0.2, 1.7], [-0.3, 1.0]], atol=1e-15)


def test_surface_metadata_and_session_dict():
    s = ExpressionSurface("x^2 + 3*x*y")
    assert s.kind == s.name == "expression"
    assert s.formula == "x**2 + 3*x*y" and s.title == "f(x, y) = x**2 + 3*x*y"
    assert s.axis_labels == ("x", "y")
    assert s.bounds == ((-4.0, 4.0), (-4.0, 4.0))
    assert s.minima.shape == (0, 2)
    assert s.to_dict() == {"kind": "expression", "expr": "x^2 + 3*x*y"}
    b = ExpressionSurface("x*y", bounds=[[-1, 2], [0, 5]])
    assert b.bounds == ((-1.0, 2.0), (0.0, 5.0))
    d = b.to_dict()
    assert d == {"kind": "expression", "expr": "x*y", "bounds": [[-1.0, 2.0], [0.0, 5.0]]}
    again = ExpressionSurface(d["expr"], bounds=d["bounds"])
    assert again.to_dict() == d


@pytest.mark.parametrize("bounds", [[[1, 0], [0, 1]], [[0, 1]], [[0, math.inf], [0, 1]],
                                    "0,1,0,1", [[0, "1"], [0, 1]], [[0, 1], [2, 2]]])
def test_bad_bounds_are_refused(bounds):
    with pytest.raises(ConfigError, match="^bounds must be"):
        ExpressionSurface("x", bounds=bounds)


@pytest.mark.parametrize("text, start", [
    ("x^2 + y^2", (-2.0, 2.0)),          # (¼, ¾) of (-4, 4)²
    ("log(x) + y^2", (2.0, 2.0)),        # (¼, ¾) is outside log's domain: next, (¾, ¾)
    ("(x + 2)^2 + (y - 2)^2", (2.0, 2.0)),   # (¼, ¾) is the minimum (zero gradient): next
    ("1", (-2.0, 2.0)),                  # zero gradient everywhere: the first finite point
    ("log(-1 - x*x) + y", (0.0, 0.0)),   # nowhere finite: the centre
])
def test_default_start_rule(text, start):
    assert ExpressionSurface(text).start == start


def test_examples_parse_and_their_published_minima_are_stationary():
    for name, text in EXAMPLES.items():
        ExpressionSurface(text)
    known = {"Rosenbrock": (1, 1), "Himmelblau": (3, 2), "Booth": (1, 3), "Beale": (3, 0.5),
             "Rastrigin": (0, 0), "Bowl": (0, 0), "Elongated bowl": (0, 0)}
    for name, point in known.items():
        f, gx, gy = parse(EXAMPLES[name]).value_and_grad(*map(float, point), scalar)
        assert (f, gx, gy) == pytest.approx((0.0, 0.0, 0.0), abs=1e-12), name
