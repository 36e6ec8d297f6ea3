"""The map API a view calls from a worker thread: blocks and their order, progress, cancel,
invalid cells (against torch's own refusals), bad requests, the preview, the hypot shortcut."""

import numpy as np
import pytest

from optiviz_gui.core import maps
from optiviz_gui.core.errors import ConfigError
from optiviz_gui.core.expression import ExpressionSurface
from optiviz_gui.core.maps.cells import hypot_at_most, squares
from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.surfaces import BUILTINS
from optiviz_gui.core.surfaces.regression import LinearRegression

FIELDS = ("x", "y", "loss", "status", "step", "minimum")


def himmelblau_map(steps=60, grid=(23, 17)):
    return maps.start_map(BUILTINS["himmelblau"](), make_optimizer("sgd", lr=0.02), steps, grid)


def assert_same(a, b):
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


# ------------------------------------------------------------------ order and blocks
@pytest.mark.parametrize("shape", [(2, 2), (23, 17), (64, 64), (100, 3), (5, 300), (300, 1)])
@pytest.mark.parametrize("order", ["rows", "progressive"])
def test_every_cell_is_run_once(shape, order):
    seen = np.zeros(shape, dtype=int)
    for i, j in maps._cells(shape, order, block=97):
        assert len(i) <= 97
        np.add.at(seen, (i, j), 1)
    assert np.all(seen == 1)


def test_rows_order_is_file_order_and_progressive_starts_with_a_coarse_grid():
    cells = [np.stack(c, axis=1) for c in maps._cells((64, 48), "rows", 1000)]
    flat = np.concatenate(cells)
    assert np.array_equal(flat[:, 1] * 64 + flat[:, 0], np.arange(64 * 48))   # j outer, i inner
    first_i, first_j = next(maps._cells((64, 48), "progressive", 48))
    assert set(first_i) == set(range(0, 64, 8)) and set(first_j) == set(range(0, 48, 8))
    assert len(first_i) == 8 * 6
    # a bigger block holds the coarse grid, then the next finer one's cells (16×12 less 8×6)
    i, j = next(maps._cells((64, 48), "progressive", 300))
    assert np.array_equal(i[:48], first_i) and np.array_equal(j[:48], first_j)
    assert np.all(i[48:192] % 4 == 0) and np.all(j[48:192] % 4 == 0)
    assert not np.any((i[48:192] % 8 == 0) & (j[48:192] % 8 == 0))


def test_block_size_and_order_do_not_change_a_single_bit():
    spec = himmelblau_map()
    one = maps.compute(spec, order="rows", block=10**6)
    assert len(set(np.unique(one.status))) >= 2        # converged and running both in play
    assert_same(one, maps.compute(spec, order="rows", block=7))
    assert_same(one, maps.compute(spec, order="progressive", block=50))


def test_hyper_blocks_split_across_columns_give_the_same_map():
    # progressive blocks hold a column's cells from several sub-grids, out of order
    spec = maps.hyper_map(LinearRegression.synthetic(), make_optimizer("adam", lr=0.1),
                          (2.0, 9.0), 30, (40, 20), key="betas[1]", values=(0.9, 1.0))
    one = maps.compute(spec, order="rows", block=10**6)
    assert np.any(one.status == maps.INVALID) and np.any(one.status != maps.INVALID)
    assert_same(one, maps.compute(spec, order="rows", block=5))
    assert_same(one, maps.compute(spec, order="progressive", block=97))


def test_blocks_stream_in_file_order():
    spec = himmelblau_map(steps=5)
    got = np.concatenate([b.j * spec.shape[0] + b.i for b in maps.blocks(spec, block=40)])
    assert np.array_equal(got, np.arange(spec.shape[0] * spec.shape[1]))


def test_preview_blows_up_the_finest_finished_sub_grid():
    spec = himmelblau_map(grid=(32, 32))
    seen = []
    maps.compute(spec, block=64, on_block=lambda r, b: seen.append(
        (r.done.copy(), r.preview(r.loss.copy()), r.loss.copy())))
    done, preview, loss = seen[0]                      # the first 64 cells: the 8×8 grid, stride 4
    assert done.sum() == 64 and done[::4, ::4].all()
    assert np.all(preview == np.kron(loss[::4, ::4], np.ones((4, 4))))
    done, preview, loss = seen[1]                      # part of the stride-2 cells: still stride 4
    assert done.sum() == 128 and not done[::2, ::2].all()
    assert np.all(preview[done] == loss[done])
    assert np.all(preview[~done] == np.kron(loss[::4, ::4], np.ones((4, 4)))[~done])
    done, preview, loss = seen[-1]
    assert done.all() and np.array_equal(preview, loss)


# ------------------------------------------------------------------ progress and cancel
def test_progress_counts_every_point_step_once(monkeypatch):
    monkeypatch.setattr(maps, "SLICE", 100)             # 40 valid cells: 2 steps a slice
    spec = maps.hyper_map(BUILTINS["booth"](), make_optimizer("sgd", lr=0.01, momentum=0.5,
                          nesterov=True), (8.0, -6.0), 40, (10, 5), key="momentum",
                          values=(0.0, 0.8))           # the momentum = 0 column is invalid
    calls = []
    maps.compute(spec, progress=lambda done, total: calls.append((done, total)))
    done = [d for d, _ in calls]
    assert len(calls) == 20 + 1 and done == sorted(done)      # 20 slices, then the invalid cells
    assert calls[-1] == (50 * 40, 50 * 40)


def test_cancel_returns_nothing_and_stops_at_once(monkeypatch):
    monkeypatch.setattr(maps, "SLICE", 500)
    spec = himmelblau_map(steps=200)
    surface = LinearRegression.synthetic(n=50).minibatches(8, seed=1)
    batch_spec = maps.start_map(surface, make_optimizer("adam", lr=0.1), 200, 8)
    for s in (spec, batch_spec):
        calls = []
        asked = iter(range(10**6))
        result = maps.compute(s, progress=lambda d, t: calls.append(d),
                              cancel=lambda: next(asked) >= 3)
        assert result is None
        assert len(calls) == 3                          # no work after the cancel was seen
    assert surface._epoch == (-1, None)                 # the caller's surface was not touched


def test_cancel_is_raised_out_of_blocks():
    with pytest.raises(maps.Cancelled):
        list(maps.blocks(himmelblau_map(), cancel=lambda: True))


# ------------------------------------------------------------------ invalid cells
def test_invalid_cells_are_the_combinations_torch_refuses():
    torch = pytest.importorskip("torch")
    surface = BUILTINS["booth"]()
    cases = [
        (make_optimizer("adam", lr=0.1), "betas[1]", (0.9, 1.0),
         lambda p, v: torch.optim.Adam([p], lr=0.1, betas=(0.9, v))),
        (make_optimizer("sgd", lr=0.1, momentum=0.9, nesterov=True), "dampening", (0.0, 0.5),
         lambda p, v: torch.optim.SGD([p], lr=0.1, momentum=0.9, nesterov=True, dampening=v)),
        (make_optimizer("sgd", lr=0.1, momentum=0.9, nesterov=True), "momentum", (0.0, 0.9),
         lambda p, v: torch.optim.SGD([p], lr=0.1, momentum=v, nesterov=True)),
        (make_optimizer("rmsprop", lr=0.1), "alpha", (-0.5, 0.5),
         lambda p, v: torch.optim.RMSprop([p], lr=0.1, alpha=v)),
    ]
    for optimizer, key, span, make in cases:
        spec = maps.hyper_map(surface, optimizer, (1.0, 1.0), 3, (4, 3), key=key, values=span)
        result = maps.compute(spec)
        for j, value in enumerate(spec.v):
            try:
                make(torch.zeros(2, dtype=torch.float64, requires_grad=True), float(value))
                refused = False
            except ValueError:
                refused = True
            invalid = result.status[:, j] == maps.STATUS.index("invalid")
            assert np.all(invalid == refused), (key, value)
            if refused:
                assert np.all(np.isnan(result.x[:, j])) and np.all(result.step[:, j] == -1)
        assert np.any(result.status == maps.STATUS.index("invalid"))


# ------------------------------------------------------------------ bad requests
@pytest.mark.parametrize("call, needle", [
    (lambda s, o: maps.hyper_map(s, o, (0, 0), 10, key="momentum"),
     "Adam has no number keyword 'momentum' to map over (it has betas[0], betas[1], eps, weight_decay)"),
    (lambda s, o: maps.hyper_map(s, o, (0, 0), 10, key="betas"), "no number keyword 'betas'"),
    (lambda s, o: maps.hyper_map(s, o, (0, 0), 10, key="amsgrad"), "no number keyword 'amsgrad'"),
    (lambda s, o: maps.hyper_map(s, o, (0, 0), 10, key="lr"), "lr is already the first axis"),
    (lambda s, o: maps.hyper_map(s, o, (0, 0), 10, lr=(1.0, 0.1)), "lr range must be"),
    (lambda s, o: maps.hyper_map(s, o, (0, 0), 10, lr=(0.0, 1.0)), "above 0"),
    (lambda s, o: maps.hyper_map(s, o, (0, 0), 10, key="eps", values=(0.1, 0.1)), "eps range"),
    (lambda s, o: maps.hyper_map(s, o, (0, 0), 10, grid=(8, 8)), "needs a second keyword"),
    (lambda s, o: maps.hyper_map(s, o, (0, 0), 10, values=(0, 1)), "name the keyword too"),
    (lambda s, o: maps.hyper_map(s, o.replace(lr=0.0), (0, 0), 10), "lr is 0.0"),
    (lambda s, o: maps.start_map(s, o, 10, grid=5000), "from 2 to 4096 cells a side, got 5000"),
    (lambda s, o: maps.start_map(s, o, 10, grid=(8, 1)), "got 1"),
    (lambda s, o: maps.start_map(s, o, 0), "steps must be a whole number from 1"),
])
def test_bad_requests_are_one_sentence_naming_the_key(call, needle):
    with pytest.raises(ConfigError) as err:
        call(BUILTINS["booth"](), make_optimizer("adam", lr=0.1))
    message = str(err.value)
    assert needle in message
    assert message.endswith(".") and "\n" not in message


def test_map_keys_are_the_number_keywords_and_pair_parts():
    assert list(maps.map_keys(make_optimizer("sgd"))) == ["momentum", "dampening", "weight_decay"]
    assert list(maps.map_keys(make_optimizer("nadam"))) == [
        "betas[0]", "betas[1]", "eps", "weight_decay", "momentum_decay"]


def test_default_lr_axis_is_log_spaced_lr_over_100_to_lr_times_100():
    spec = maps.hyper_map(ExpressionSurface("x**2"), make_optimizer("sgd", lr=0.1), (1, 1), 5, 5)
    np.testing.assert_allclose(spec.u, [1e-3, 1e-2, 1e-1, 1.0, 10.0], rtol=1e-12)
    assert spec.shape == (5, 1) and spec.v is None
    assert (spec.kind, spec.axes) == ("hyper", ("lr", None))
    start = maps.start_map(LinearRegression.synthetic(), make_optimizer("sgd"), 5, (3, 4))
    assert (start.kind, start.axes, start.shape) == ("start", ("intercept a", "slope b"), (3, 4))


# ------------------------------------------------------------------ the hypot shortcut
def test_hypot_at_most_is_np_hypot_at_the_edge():
    rng = np.random.default_rng(7)
    a = rng.standard_normal(20000) * 10.0 ** rng.integers(-8, 8, 20000)
    b = rng.standard_normal(20000) * 10.0 ** rng.integers(-8, 8, 20000)
    a[:5], b[:5] = [np.nan, np.inf, 0.0, 1e-320, 1e160], [1.0, 1.0, 0.0, 0.0, 1e160]
    h = np.hypot(a, b)
    with np.errstate(over="ignore"):
        for t in (h, np.nextafter(h, 0), np.nextafter(h, np.inf), h * 1.0000001, h * 0.9999999):
            t = np.where(np.isfinite(t) & (t >= 1e-100), t, 1.0)
            t[4] = 1e300                                # a² + b² overflows, and t² too
            expected = h <= t
            for lo, hi in ((t, t), (t * 0.5, t * 2.0), (t * (1 - 1e-15), t * (1 + 1e-15))):
                got = hypot_at_most(a, b, a * a + b * b, *squares(lo, hi), lambda i: t[i])
                assert np.array_equal(got, expected)
