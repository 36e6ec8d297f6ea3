"""The regression surface against outside references: exact rational arithmetic, numpy.polyfit/lstsq.

The reference loss is the direct loop over the data, mean((a + b·xᵢ − yᵢ)²),
done in exact rational arithmetic (fractions.Fraction), so it is exact for
the float inputs even where a float64 loop would itself lose digits (data
far from 0, points near the minimum).
"""

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from optiviz_gui.core import scalar
from optiviz_gui.core.errors import ConfigError
from optiviz_gui.core.surfaces import make_surface
from optiviz_gui.core.surfaces.eft import accurate_sum, two_prod, two_sum
from optiviz_gui.core.surfaces.regression import LinearRegression
from optiviz_gui.resources import resource_path


def data(n=200, shift=0.0, seed=3, noise=1e-3):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-5, 5, n)
    return x + shift, -2 + 2 * x + rng.normal(0, noise, n)


def exact_loss(x, y, a, b) -> Fraction:
    a, b = Fraction(a), Fraction(b)
    return sum((a + b * Fraction(xi) - Fraction(yi)) ** 2 for xi, yi in zip(x, y)) / len(x)


def exact_grad(x, y, a, b):
    a, b = Fraction(a), Fraction(b)
    r = [a + b * Fraction(xi) - Fraction(yi) for xi, yi in zip(x, y)]
    return 2 * sum(r) / len(x), 2 * sum(ri * Fraction(xi) for ri, xi in zip(r, x)) / len(x)


def exact_fit(x, y):
    """(a*, b*) from the normal equations in exact arithmetic."""
    n = len(x)
    X = [Fraction(v) for v in x]
    Y = [Fraction(v) for v in y]
    sx, sy = sum(X), sum(Y)
    b = (n * sum(p * q for p, q in zip(X, Y)) - sx * sy) / (n * sum(p * p for p in X) - sx * sx)
    return (sy - b * sx) / n, b


def test_error_free_transformations_are_exact():
    rng = np.random.default_rng(11)
    a = rng.normal(size=200) * 10.0 ** rng.integers(-8, 8, 200)
    b = rng.normal(size=200) * 10.0 ** rng.integers(-8, 8, 200)
    for f, op in ((two_sum, lambda p, q: p + q), (two_prod, lambda p, q: p * q)):
        hi, lo = f(a, b)
        for i in range(200):
            assert Fraction(hi[i]) + Fraction(lo[i]) == op(Fraction(a[i]), Fraction(b[i]))
    # a sum with heavy cancellation: 1e16 + 1 + ... − 1e16
    values = np.concatenate([[1e16], rng.normal(size=999), [-1e16]])
    exact = sum(map(Fraction, values))
    assert abs(accurate_sum(values) - exact) <= 1e-30 * 2e16


def test_synthetic_defaults_are_the_blog_data():
    s = LinearRegression.synthetic()
    rng = np.random.default_rng(0)
    x = rng.uniform(-5, 5, 1000)
    np.testing.assert_array_equal(s.x, x)
    np.testing.assert_array_equal(s.y, -2 + 2 * x + rng.normal(0, 0.001, 1000))
    assert s.axis_labels == ("intercept a", "slope b")
    assert s.start == (2.0, 9.0)
    (a0, a1), (b0, b1) = s.bounds
    for a, b in [(2, 9), (-2, 2)]:
        assert a0 < a < a1 and b0 < b < b1


def test_the_shipped_points_csv_is_the_blog_data_in_full_precision():
    shipped = LinearRegression.from_csv(resource_path("data", "points.csv"))
    blog = LinearRegression.synthetic()
    np.testing.assert_array_equal(shipped.x, blog.x)
    np.testing.assert_array_equal(shipped.y, blog.y)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_minimum_equals_polyfit_and_lstsq(seed):
    x, y = data(1000, seed=seed, noise=0.5)
    s = LinearRegression(x, y)
    slope, intercept = np.polyfit(x, y, 1)
    np.testing.assert_allclose(s.minima[0], [intercept, slope], rtol=1e-10)
    (a, b), *_ = np.linalg.lstsq(np.column_stack([np.ones_like(x), x]), y, rcond=None)
    np.testing.assert_allclose(s.minima[0], [a, b], rtol=1e-10)


@pytest.mark.parametrize("shift", [0.0, 1e6])
def test_minimum_equals_the_exact_normal_equations(shift):
    x, y = data(shift=shift)
    s = LinearRegression(x, y)
    a, b = exact_fit(x, y)
    np.testing.assert_allclose(s.minima[0], [float(a), float(b)], rtol=1e-15)
    # the gradient at the float64-rounded minimiser is what rounding leaves: the exact one there
    # (not 0: a* ≈ −2e6 is rounded by up to 1.2e-10, and ∂f/∂b = 2c·x̄ multiplies that by 2e6)
    g = s.gradient(s.minima[0])
    ea, eb = exact_grad(x, y, *s.minima[0])
    np.testing.assert_allclose(g, [float(ea), float(eb)], rtol=1e-6, atol=1e-25)
    assert abs(ea) <= 2 * abs(np.spacing(s.minima[0, 0])) + 1e-15


def sample_points(s, rng, k=12):
    """Random points in the window, and near the minimum at scales from 1e-12 to 1e-1."""
    (a0, a1), (b0, b1) = s.bounds
    pts = [(rng.uniform(a0, a1), rng.uniform(b0, b1)) for _ in range(k)]
    am, bm = s.minima[0]
    pts.append((am, bm))
    for _ in range(k):
        d = 10.0 ** rng.uniform(-12, -1)
        pts.append((am + d * rng.normal() * max(1.0, abs(am)), bm + d * rng.normal()))
        # along the valley floor c = 0: a moves against b·x̄
        db = d * rng.normal()
        pts.append((am - db * float(np.mean(s.x)) + d * rng.normal(), bm + db))
    return pts


@pytest.mark.parametrize("shift", [0.0, -3.7, 1e6])
def test_value_equals_the_exact_direct_loop(shift):
    x, y = data(shift=shift)
    s = LinearRegression(x, y)
    rng = np.random.default_rng(7)
    for a, b in sample_points(s, rng):
        exact = exact_loss(x, y, a, b)
        assert s.value_xy(a, b, scalar) == pytest.approx(float(exact), rel=1e-12, abs=0)
        assert float(s.value([a, b])) == pytest.approx(float(exact), rel=1e-12, abs=0)


@pytest.mark.parametrize("shift", [0.0, 1e6])
def test_gradient_equals_the_exact_gradient_and_finite_differences(shift):
    x, y = data(shift=shift)
    s = LinearRegression(x, y)
    rng = np.random.default_rng(8)
    (a0, a1), (b0, b1) = s.bounds
    for _ in range(10):
        a, b = rng.uniform(a0, a1), rng.uniform(b0, b1)
        f, ga, gb = s.value_and_grad_xy(a, b, scalar)
        ea, eb = exact_grad(x, y, a, b)
        assert (ga, gb) == pytest.approx((float(ea), float(eb)), rel=1e-10)
        # central differences are exact for a quadratic, up to rounding
        ha, hb = 1e-3 * max(1.0, abs(a)), 1e-3
        fd_a = (s.value_xy(a + ha, b, scalar) - s.value_xy(a - ha, b, scalar)) / (2 * ha)
        fd_b = (s.value_xy(a, b + hb, scalar) - s.value_xy(a, b - hb, scalar)) / (2 * hb)
        assert (ga, gb) == pytest.approx((fd_a, fd_b), rel=1e-6)


def test_curvature_is_twice_the_mean_square_of_x():
    """∂²f/∂a² = 2, ∂²f/∂b² = 2·mean(x²) ≈ 16.7 on the blog data (the README's example), ∂²f/∂a∂b = 2·mean(x)."""
    s = LinearRegression.synthetic()
    g0 = s.gradient([0.0, 0.0])
    ha = s.gradient([1.0, 0.0]) - g0
    hb = s.gradient([0.0, 1.0]) - g0
    np.testing.assert_allclose(ha, [2.0, 2 * np.mean(s.x)], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(hb, [2 * np.mean(s.x), 2 * np.mean(s.x ** 2)], rtol=1e-9)
    assert 16 < hb[1] < 17.5


def test_scalar_path_equals_numpy_and_grid_matches_value():
    s = LinearRegression(*data(shift=1e6))
    rng = np.random.default_rng(2)
    pts = np.array(sample_points(s, rng, k=5))
    f, g = s.value_and_grad(pts)
    for (a, b), fi, gi in zip(pts, f, g):
        out = s.value_and_grad_xy(float(a), float(b), scalar)
        assert all(type(v) is float for v in out)
        np.testing.assert_allclose(out, [fi, *gi], rtol=1e-15, atol=0)
    xs, ys, z = s.grid(7)
    np.testing.assert_array_equal(z[4, 2], s.value([xs[4], ys[2]]))


def test_batch_gradient_is_the_gradient_of_the_mean_over_the_batch():
    x, y = data(n=100, shift=1e3)
    s = LinearRegression(x, y)
    rng = np.random.default_rng(4)
    for _ in range(5):
        a, b = rng.uniform(-10, 10), rng.uniform(-5, 5)
        idx = rng.choice(100, size=17, replace=False)
        ea, eb = exact_grad(x[idx], y[idx], a, b)
        assert s.batch_grad_xy(a, b, idx, scalar) == pytest.approx((float(ea), float(eb)), rel=1e-9)
        full = s.batch_grad_xy(a, b, np.arange(100), scalar)
        assert full == pytest.approx(s.value_and_grad_xy(a, b, scalar)[1:], rel=1e-9)
    # one point: ∇ (a + b x − y)² = 2r (1, x)
    r = 1.5 + 0.5 * x[3] - y[3]
    ga, gb = s.batch_grad_xy(np.array([1.5]), np.array([0.5]), [3])
    np.testing.assert_allclose([ga[0], gb[0]], [2 * r, 2 * r * x[3]], rtol=1e-9)
    with pytest.raises(ConfigError, match="at least one point"):
        s.batch_grad_xy(0.0, 0.0, [])


# ------------------------------------------------------------------------ CSV
def write(tmp_path, text, name="points.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def test_csv_reads_either_column_order_spaces_bom_and_blank_lines(tmp_path):
    path = write(tmp_path, "\ufeff Y , X \n\n3.5, 1\n5.5,2\n  \n7.5 ,3\n\n")
    s = LinearRegression.from_csv(path)
    np.testing.assert_array_equal(s.x, [1, 2, 3])
    np.testing.assert_array_equal(s.y, [3.5, 5.5, 7.5])
    np.testing.assert_allclose(s.minima[0], [1.5, 2.0], rtol=1e-15)   # y = 1.5 + 2x exactly
    assert s.value_xy(1.5, 2.0, scalar) == 0.0


CSV_ERRORS = [
    ("", "points.csv is empty"),
    ("\n  \n", "points.csv is empty"),
    ("1,2\n3,4\n", "points.csv line 1: the header must name the columns x and y"),
    ("x,z\n1,2\n", "points.csv line 1"),
    ("x,y,w\n1,2,3\n", "points.csv line 1"),
    ("x,y\n", "points.csv has a header but no data lines"),
    ("x,y\n1,2\n3,4\n5,6\n6,7\n8,9\n9,abc\n", "points.csv line 7: 'abc' is not a number."),
    ("x,y\n1,2\n3\n", "points.csv line 3: expected 2 values (x and y), got 1."),
    ("x,y\n1,2\n3,4,5\n", "points.csv line 3: expected 2 values (x and y), got 3."),
    ("x,y\n1,2\nnan,4\n", "points.csv line 3: 'nan' is not a finite number."),
    ("x,y\n1,2\n2,-inf\n", "points.csv line 3: '-inf' is not a finite number."),
    ("x,y\n1,2\n", "the minimum is not unique"),
    ("x,y\n1,2\n1,3\n1,4\n", "the minimum is not unique"),
    (b"x,y\n1,\xe9\n", "points.csv is not UTF-8"),
]


@pytest.mark.parametrize("text,message", CSV_ERRORS, ids=[repr(t)[:40] for t, _ in CSV_ERRORS])
def test_csv_errors_are_one_sentence_naming_the_file_and_line(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        make_surface({"kind": "linear_regression", "csv": "points.csv"}, tmp_path)
    assert message in str(info.value)
    assert str(info.value).startswith("points.csv") and str(info.value).endswith(".")
    assert "\n" not in str(info.value)
    with pytest.raises(ConfigError, match=str(path).replace("\\", "\\\\")):
        LinearRegression.from_csv(path)    # named by its path when no session name is given


def test_missing_csv_is_one_sentence(tmp_path):
    with pytest.raises(ConfigError, match=r"^data/none\.csv: no such data file\.$"):
        make_surface({"kind": "linear_regression", "csv": "data/none.csv"}, tmp_path)


def test_arrays_are_checked():
    with pytest.raises(ConfigError, match="same length"):
        LinearRegression([1, 2, 3], [1, 2])
    with pytest.raises(ConfigError, match="finite"):
        LinearRegression([1, 2, math.inf], [1, 2, 3])
    with pytest.raises(ConfigError, match="not unique"):
        LinearRegression([2, 2], [1, 3])
    with pytest.raises(ConfigError, match="to save"):
        LinearRegression([1, 2], [1, 3]).to_dict()


# --------------------------------------------------------------- make_surface
def test_make_surface_csv_is_relative_to_base_dir_and_round_trips(tmp_path):
    (tmp_path / "d").mkdir()
    x, y = data(n=20)
    write(tmp_path, "x,y\n" + "".join(f"{float(a)!r},{float(b)!r}\n" for a, b in zip(x, y)),
          name="d/pts.csv")
    spec = {"kind": "linear_regression", "csv": "d/pts.csv", "bounds": [[-3.0, 1.0], [0.0, 4.0]]}
    s = make_surface(spec, tmp_path)
    np.testing.assert_array_equal(s.x, x)
    assert s.bounds == ((-3.0, 1.0), (0.0, 4.0))
    # to_dict gives the file's absolute path (a session saved elsewhere makes it relative again)
    saved = s.to_dict()
    assert saved == {**spec, "csv": str((tmp_path / "d" / "pts.csv").resolve())}
    again = make_surface(saved, tmp_path / "elsewhere")
    assert again.to_dict() == saved
    np.testing.assert_array_equal(again.y, y)


def test_make_surface_synthetic_keys_default_and_round_trip():
    blog = make_surface({"kind": "linear_regression"}, Path("."))
    np.testing.assert_array_equal(blog.y, LinearRegression.synthetic().y)
    spec = {"kind": "linear_regression", "intercept": 1.0, "slope": -0.5, "n": 50,
            "noise": 0.0, "x_range": [0.0, 10.0], "seed": 5}
    s = make_surface(spec, Path("."))
    assert s.to_dict() == spec and len(s.x) == 50 and np.all((0 <= s.x) & (s.x < 10))
    np.testing.assert_allclose(s.minima[0], [1.0, -0.5], rtol=1e-13)   # no noise: the line itself
    again = make_surface(s.to_dict(), Path("."))
    np.testing.assert_array_equal(again.y, s.y)


BAD_REGRESSION = [
    ({"noise": -1}, "surface.noise must be ≥ 0, got -1."),
    ({"noise": "x"}, "surface.noise"),
    ({"intercept": float("nan")}, "surface.intercept"),
    ({"intercept": 1e300}, "surface.intercept"),
    ({"slope": True}, "surface.slope"),
    ({"slope": None}, "surface.slope"),
    ({"n": "many"}, "surface.n"),
    ({"n": 2.5}, "surface.n"),
    ({"n": 1}, "surface.n"),
    ({"n": 10**9}, "surface.n"),
    ({"seed": -1}, "surface.seed"),
    ({"seed": 1.0}, "surface.seed"),
    ({"x_range": [5, -5]}, "surface.x_range"),
    ({"x_range": [0, 1, 2]}, "surface.x_range"),
    ({"x_range": [0, 1e100]}, "surface.x_range"),
    ({"csv": 3}, "surface.csv"),
    ({"csv": ""}, "surface.csv"),
    ({"csv": "p.csv", "n": 10}, "surface.csv cannot be combined with surface.n"),
    ({"wobble": 1}, "surface.wobble"),
    ({"expr": "x"}, "surface.expr"),
]


@pytest.mark.parametrize("extra,message", BAD_REGRESSION, ids=[repr(e)[:40] for e, _ in BAD_REGRESSION])
def test_make_surface_rejects_bad_regression_settings(extra, message):
    with pytest.raises(ConfigError) as info:
        make_surface({"kind": "linear_regression", **extra}, Path("."))
    assert message in str(info.value) and str(info.value).endswith(".")
