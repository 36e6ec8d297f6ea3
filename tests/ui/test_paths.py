"""Long paths at screen resolution (ui/views/paths.py) against their definitions, by brute force."""

import numpy as np
import pytest

from optiviz_gui.ui.views import paths
from optiviz_gui.ui.views.paths import CellPath


def distinct_cells(p, cell):
    """The definition: a point is kept when its cell differs from the previous point's."""
    c = np.floor(p / cell)
    keep = np.ones(len(p), dtype=bool)
    keep[1:] = np.any(c[1:] != c[:-1], axis=1)
    return np.flatnonzero(keep)


def walk(n, seed=0):
    rng = np.random.default_rng(seed)
    return np.cumsum(rng.normal(scale=0.03, size=(n, 2)), axis=0)


@pytest.mark.parametrize("chunks", [[999], [0, 1, 2, 50, 51, 400, 999], list(range(0, 1000, 7)) + [999]])
def test_grown_in_any_chunks_it_keeps_the_points_the_definition_keeps(chunks):
    p = walk(1000)
    c = CellPath((0.05, 0.05), coarse=4)
    for n in chunks:
        c.update(p, n)
        c.dots(n)                              # asked while it grows
    np.testing.assert_array_equal(c.kept, distinct_cells(p, 0.05))
    for k in (0, 1, 17, 500, 999):
        want = distinct_cells(p[: k + 1], 0.05)
        got = c.polyline(k)
        assert got[-1] == k and set(got[:-1]) <= set(want) and set(want) <= set(got)
        # the dots: the same rule on cells four times as wide
        np.testing.assert_array_equal(c.dots(k), distinct_cells(p[: k + 1], 0.2))


def test_an_oscillating_path_is_drawn_as_its_distinct_segments(monkeypatch):
    monkeypatch.setattr(paths, "MAX_POLYLINE", 50)
    # back and forth over the same three cells, 400 times
    p = np.array([[0.5, 0.5], [1.5, 0.5], [1.5, 1.5]] * 400, dtype=float)
    c = CellPath((1.0, 1.0))
    c.update(p, len(p) - 1)
    assert c.polyline(len(p) - 1) is None
    seg = c.segments(len(p) - 1)
    pairs = {(tuple(np.floor(p[i - 1])), tuple(np.floor(p[i]))) for i in seg}
    # every cell-to-cell move of the path, each once, at its first occurrence
    moves = {(tuple(np.floor(p[i - 1])), tuple(np.floor(p[i]))) for i in range(1, len(p))}
    assert pairs == moves and len(seg) == 3
    assert list(seg) == [1, 2, 3]
    assert list(c.segments(2)) == [1, 2]


def test_a_new_trajectory_or_zoom_starts_afresh():
    caches = {}
    p = walk(300)
    a = paths.cached(caches, 0, "run A", p, 299, (0.05, 0.05))
    assert paths.cached(caches, 0, "run A", p, 299, (0.05, 0.05)) is a
    assert paths.cached(caches, 0, "run B", p, 299, (0.05, 0.05)) is not a
    b = paths.cached(caches, 0, "run B", p, 299, (0.1, 0.1))
    np.testing.assert_array_equal(b.kept, distinct_cells(p, 0.1))


@pytest.mark.parametrize("width", [4, 7, 50])
def test_the_envelope_keeps_each_columns_first_lowest_highest_and_last(width):
    from optiviz_gui.ui.views.paths import ColumnEnvelope
    rng = np.random.default_rng(width)
    y = np.exp(rng.normal(size=1003)).cumsum() ** 0.5 * np.sign(rng.normal(size=1003))
    env = ColumnEnvelope(width)
    for n in (10, 333, 1002):
        env.update(y, n)
    for k in (0, 5, 499, 1002):
        idx = env.prefix(y, k)
        assert idx[-1] == k and np.all(np.diff(idx) > 0)
        for start in range(0, k + 1, width):
            part = np.arange(start, min(start + width, k + 1))
            want = {part[0], part[-1], part[np.argmin(y[part])], part[np.argmax(y[part])]}
            assert want <= set(idx[(idx >= part[0]) & (idx <= part[-1])].tolist())


def test_the_prefix_range_is_the_finite_minimum_and_maximum_so_far():
    from optiviz_gui.ui.views.paths import PrefixRange
    y = np.array([3.0, np.nan, 5.0, -1.0, np.inf, 2.0])
    r = PrefixRange()
    r.update(y, 2)
    r.update(y, 5)
    assert r.at(0) == (True, 3.0, 3.0)
    assert r.at(2) == (True, 3.0, 5.0)
    assert r.at(5) == (False, -1.0, 5.0)
    r2 = PrefixRange()
    r2.update(np.array([np.nan, np.inf]), 1)
    assert r2.at(1) == (True, None, None)
