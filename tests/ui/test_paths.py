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
    c = CellPath((0.05, 0.05))
    for n in chunks:
        c.update(p, n)
    np.testing.assert_array_equal(c.kept, distinct_cells(p, 0.05))
    for k in (0, 1, 17, 500, 999):
        want = distinct_cells(p[: k + 1], 0.05)
        got = c.polyline(k)
        assert got[-1] == k and set(got[:-1]) <= set(want) and set(want) <= set(got)
        np.testing.assert_array_equal(c.dots(k), want)


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
