"""Fans in the window: lr fans and seed fans from the run list, drawn thin with their mean."""

from __future__ import annotations

import colorsys

import numpy as np
from PySide6.QtWidgets import QMenu

from optiviz_gui.core import session
from optiviz_gui.ui.dialogs import fans as questions

BATCHED = {"format": "optiviz-session", "version": 1,
           "surface": {"kind": "linear_regression", "n": 200, "batch_size": 16, "batch_seed": 3},
           "start": [2.0, 9.0], "steps": 40,
           "optimizers": [{"name": "sgd", "lr": 0.02}, {"name": "adam", "lr": 0.1}]}


def actions(w, i):
    """The fan actions of run i, as the run list's context menu has them."""
    menu = w.fans.fill(QMenu(w), i)          # the window keeps the menu (and its actions)
    return {a.text(): a for a in menu.actions()}


def lightness(color):
    return colorsys.rgb_to_hls(*(int(color[k:k + 2], 16) / 255 for k in (1, 3, 5)))[1]


def test_an_lr_fan_from_the_run_list_adds_lr_over_3_and_times_3(window):
    sim = window.sim
    adam = sim.runs[3]
    actions(window, 3)["Duplicate with lr × {⅓, 1, 3}"].trigger()
    assert len(sim.runs) == 6
    new = sim.runs[4:]
    assert [r.optimizer.lr for r in new] == [0.1 / 3, 0.1 * 3]
    assert all(r.optimizer.hp["betas"] == adam.optimizer.hp["betas"] for r in new)
    assert sim.labels()[4:] == ["Adam · lr 0.0333", "Adam · lr 0.3"]
    base = lightness(sim.colors()[3])                    # the run itself: the middle shade
    assert lightness(new[0].color) > base > lightness(new[1].color)
    assert sim.runs[3].optimizer == adam.optimizer
    assert window.controls.runs.list.count() == 6


def test_typed_factors_and_a_bad_one(window, dialogs, monkeypatch):
    monkeypatch.setattr(questions, "ask_lr_factors", lambda parent, text="": "0.1, 1, 10")
    actions(window, 0)["Duplicate with lr × …"].trigger()
    assert [r.optimizer.lr for r in window.sim.runs[4:]] == [0.1 * 0.1, 0.1 * 10]
    monkeypatch.setattr(questions, "ask_lr_factors", lambda parent, text="": "1, -3")
    actions(window, 0)["Duplicate with lr × …"].trigger()
    assert len(window.sim.runs) == 6
    assert "'-3' is not a positive number" in dialogs.named("show_error")[0][2]


def test_a_seed_fan_needs_mini_batches(window):
    seed = [a for t, a in actions(window, 0).items() if t.startswith("Seed fan:")][0]
    assert not seed.isEnabled()


def test_a_seed_fan_adds_runs_on_other_seeds_drawn_thin_with_their_mean(make_window, qtbot,
                                                                         tmp_path):
    w = make_window(session.from_dict(BATCHED))
    sim = w.sim
    actions(w, 0)["Seed fan: 5 other batch seeds"].trigger()
    assert len(sim.runs) == 7
    fan = [0, 2, 3, 4, 5, 6]
    assert [sim.runs[i].batch_seed for i in fan] == [3, 4, 5, 6, 7, 8]
    assert len({sim.colors()[i] for i in fan}) == 1
    sim.seek(25)
    paths = [sim.trajectories[i].params for i in fan]
    assert not np.array_equal(paths[0], paths[1])              # other batches, other paths
    curve, dots = w.contour.items.runs[2]
    assert curve.opts["pen"].widthF() == 1 and not dots.isVisible()
    assert w.contour.items.runs[1][0].opts["pen"].widthF() == 2        # Adam: a plain run
    x, y = w.contour.fans.mean_data(0)
    mean = np.mean([t.params[:26] for t in (sim.trajectories[i] for i in fan)], axis=0)
    np.testing.assert_allclose(np.column_stack([x, y]), mean, rtol=1e-13)
    assert w.loss.curves[3].opts["pen"].widthF() == 1
    # one legend entry for the fan, with its members' loss range; arrows for Adam only
    losses = [float(sim.trajectories[i].loss[25]) for i in fan]
    header = w.contour.header.text
    assert "SGD · 6 seeds" in header and "seed 4" not in header
    assert f"{min(losses):.3g}–{max(losses):.3g}" in header
    assert [label.text for _, label in w.loss.legend.items] == ["SGD · 6 seeds", "Adam"]
    w.contour.set_arrows(True, True, False)
    np.testing.assert_array_equal(w.contour.drawn_arrows("gradient")[:, :2],
                                  [sim.trajectories[1].params[25]])
    # the session file keeps the fan: the seeds and the shared colour
    path = tmp_path / "fan.json"
    session.save(sim, path)
    again = session.load(path)
    assert [again.runs[i].batch_seed for i in fan] == [3, 4, 5, 6, 7, 8]
    again.seek(25)
    for i in fan:
        np.testing.assert_array_equal(again.trajectories[i].params, sim.trajectories[i].params)
