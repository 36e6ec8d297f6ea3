"""The generated data sets against their definitions, and the CSV reader's one-sentence errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optiviz_gui.core.errors import ConfigError
from optiviz_gui.core.surfaces.datasets import (
    GENERATORS,
    generate,
    parse_csv,
    read_csv,
    write_csv,
)


@pytest.mark.parametrize("kind", GENERATORS)
def test_seeded_shapes_and_balance(kind):
    X, y = generate(kind, 201, 0.1, seed=3)
    assert X.shape == (201, 2) and y.shape == (201,)
    assert np.all(np.isfinite(X))
    assert list(y) == [0.0] * 100 + [1.0] * 101
    np.testing.assert_array_equal(X, generate(kind, 201, 0.1, seed=3)[0])


@pytest.mark.parametrize("kind", GENERATORS)
def test_another_seed_gives_other_points(kind):
    assert not np.array_equal(generate(kind, 50, 0.1, 0)[0], generate(kind, 50, 0.1, 1)[0])


def test_moons_without_noise_lie_on_sklearns_half_circles():
    X, y = generate("moons", 100, 0.0, seed=0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, rtol=1e-15)
    assert np.all(upper[:, 1] >= 0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, rtol=1e-15)
    assert np.all(lower[:, 1] <= 0.5)
    np.testing.assert_allclose(upper[[0, -1]], [[1.0, 0.0], [-1.0, 0.0]], atol=1e-15)
    np.testing.assert_allclose(lower[[0, -1]], [[0.0, 0.5], [2.0, 0.5]], atol=1e-15)


def test_moons_noise_is_gaussian_with_the_given_sd():
    clean, _ = generate("moons", 4000, 0.0, seed=0)
    noisy, _ = generate("moons", 4000, 0.3, seed=0)
    shift = (noisy - clean).ravel()
    assert abs(shift.mean()) < 4 * 0.3 / math.sqrt(shift.size)
    assert shift.std() == pytest.approx(0.3, rel=0.05)


def test_circles_without_noise_have_radii_one_and_a_half():
    X, y = generate("circles", 60, 0.0, seed=0)
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1.0, rtol=1e-15)
    np.testing.assert_allclose(np.hypot(*X[y == 1].T), 0.5, rtol=1e-15)
    np.testing.assert_allclose(X[0], [1.0, 0.0])                       # angle 0 included
    assert np.arctan2(X[29, 1], X[29, 0]) == pytest.approx(2 * math.pi * 29 / 30 - 2 * math.pi)


def test_xor_without_noise_labels_by_quadrant_with_a_margin():
    X, y = generate("xor", 500, 0.0, seed=1)
    assert np.all(np.abs(X) >= 0.1) and np.all(np.abs(X) <= 1.0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(float))
    quadrants = {(a, b) for a, b in np.sign(X)}
    assert quadrants == {(1, 1), (-1, -1), (1, -1), (-1, 1)}


def test_spiral_arms_are_half_a_turn_apart():
    X, y = generate("spiral", 200, 0.0, seed=0)
    arm0, arm1 = X[y == 0], X[y == 1]
    np.testing.assert_allclose(arm1, -arm0, atol=1e-15)    # turned by π
    r = np.hypot(*arm0.T)
    np.testing.assert_allclose(r, np.arange(100) / 100, atol=1e-15)
    i = 40
    angle = 3.5 * math.pi * i / 100
    np.testing.assert_allclose(arm0[i], [r[i] * math.sin(angle), r[i] * math.cos(angle)])


def test_blobs_are_centred_at_minus_one_and_one():
    X, y = generate("blobs", 4000, 0.0, seed=2)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-1, -1], atol=4 * 0.5 / math.sqrt(2000))
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [1, 1], atol=4 * 0.5 / math.sqrt(2000))
    assert X[y == 1].std() == pytest.approx(0.5, rel=0.05)


# --------------------------------------------------------------------------- CSV
def test_csv_round_trip(tmp_path):
    X, y = generate("spiral", 30, 0.2, seed=5)
    write_csv(tmp_path / "d.csv", X, y)
    X2, y2 = read_csv(tmp_path / "d.csv")
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


def test_csv_columns_in_any_order_with_bom_and_blank_lines(tmp_path):
    (tmp_path / "d.csv").write_bytes(b"\xef\xbb\xbf Label , X2,x1\r\n\r\n1,0.5,-2\r\n0.0, 3e0 ,4\r\n")
    X, y = read_csv(tmp_path / "d.csv")
    np.testing.assert_array_equal(X, [[-2.0, 0.5], [4.0, 3.0]])
    np.testing.assert_array_equal(y, [1.0, 0.0])


@pytest.mark.parametrize("text, message", [
    ("", "d.csv is empty"),
    ("x,y\n1,2\n", "d.csv line 1: the header must name the columns x1, x2 and label"),
    ("x1,x2,label\n", "d.csv has a header but no data lines."),
    ("x1,x2,label\n1,2,0\n1,2\n", "d.csv line 3: expected 3 values (x1, x2 and label), got 2."),
    ("x1,x2,label\n1,abc,0\n", "d.csv line 2: 'abc' is not a number."),
    ("x1,x2,label\n\n1,nan,0\n", "d.csv line 3: 'nan' is not a finite number"),
    ("x1,x2,label\n1,2e7,0\n", "d.csv line 2: '2e7' is not a finite number between -1e+06 and 1e+06."),
    ("x1,x2,label\n1,2,2\n", "d.csv line 2: the label must be 0 or 1, got '2'."),
    ("x1,x2,label\n1,2,yes\n", "d.csv line 2: the label must be 0 or 1, got 'yes'."),
    ("x1,x2,label\n1,2,0.5\n", "d.csv line 2: the label must be 0 or 1, got '0.5'."),
])
def test_csv_errors_are_one_sentence_naming_the_line(text, message):
    with pytest.raises(ConfigError) as err:
        parse_csv(text, "d.csv")
    assert str(err.value).startswith(message)


def test_csv_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="^data.csv: no such data file.$"):
        read_csv(tmp_path / "nope.csv", "data.csv")
