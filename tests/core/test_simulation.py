"""The model the timer drives: playback, edits recompute at once, events, labels."""

import numpy as np
import pytest

from optiviz_gui.core.errors import ConfigError
from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.simulation import PALETTE, Run, Simulation



def make_sim(bowl, steps=20):
    runs = [Run(make_optimizer("sgd", lr=0.01)),
            Run(make_optimizer("sgd", lr=0.01, momentum=0.9), label="Momentum"),
            Run(make_optimizer("sgd", lr=0.02))]
    return Simulation(bowl, (2.0, 3.0), runs, steps=steps)


def record(signal):
    seen = []
    signal.connect(lambda *a: seen.append(a))
    return seen


def test_playback_lands_on_the_right_step_and_stops_at_the_end(bowl):
    sim = make_sim(bowl, steps=5)
    moved = record(sim.step_changed)
    sim.step_forward(); sim.step_forward(); sim.step_back()
    assert sim.step == 1
    sim.seek(4)
    assert sim.step == 4 and all(t.steps == 4 for t in sim.trajectories)
    sim.seek(99)
    assert sim.step == 5 and sim.at_end
    sim.step_forward()
    assert sim.step == 5
    sim.reset()
    assert sim.step == 0
    assert moved == [(1,), (2,), (1,), (4,), (5,), (0,)]


def test_history_is_kept_when_stepping_back(bowl):
    sim = make_sim(bowl)
    sim.seek(10)
    first = sim.trajectories[0]
    sim.seek(3)
    assert sim.trajectories[0] is first and first.steps == 10
    # x_k = 2·(1 − 2·0.01)^k for plain descent
    np.testing.assert_allclose(first.params[3, 0], 2 * 0.98 ** 3, rtol=1e-14)


def test_a_hyper_parameter_edit_recomputes_up_to_the_current_step(bowl):
    sim = make_sim(bowl)
    sim.seek(7)
    changed = record(sim.history_changed)
    sim.update_run(0, optimizer=make_optimizer("sgd", lr=0.04))
    t = sim.trajectories[0]
    assert changed == [((0,),)] and t.steps == 7
    np.testing.assert_allclose(t.params[7], [2 * 0.92 ** 7, 3 * 0.2 ** 7], rtol=1e-12)


def test_moving_the_start_point_recomputes_every_run(bowl):
    sim = make_sim(bowl)
    sim.seek(5)
    sim.set_start((-1.0, 1.0))
    for t in sim.trajectories:
        assert t.steps == 5 and tuple(t.params[0]) == (-1.0, 1.0)


def test_display_edits_do_not_recompute(bowl):
    sim = make_sim(bowl)
    sim.seek(5)
    before = sim.trajectories[1]
    run_changed, history_changed = record(sim.run_changed), record(sim.history_changed)
    sim.update_run(1, label="heavy ball", color="#000000", enabled=False)
    assert sim.trajectories[1] is before
    assert run_changed == [(1, frozenset({"label", "color", "enabled"}))] and not history_changed
    assert sim.runs[1].label == "heavy ball" and not sim.runs[1].enabled


def test_one_run_diverging_does_not_stop_the_others(bowl):
    sim = make_sim(bowl, steps=200)
    sim.update_run(2, optimizer=make_optimizer("sgd", lr=100.0))
    sim.seek(200)
    assert sim.trajectories[2].diverged
    assert not sim.trajectories[0].diverged and sim.trajectories[0].steps == 200


def test_labels_are_readable_and_unique(bowl):
    sim = make_sim(bowl)
    assert sim.labels() == ["SGD", "Momentum", "SGD (2)"]
    assert sim.colors() == list(PALETTE[:3])


def test_add_and_remove_runs(bowl):
    sim = make_sim(bowl)
    sim.seek(4)
    sim.add_run(Run(make_optimizer("sgd", lr=0.05)))
    assert sim.trajectories[-1].steps == 4
    sim.remove_run(0)
    assert len(sim.runs) == len(sim.trajectories) == 3
    assert sim.runs[0].label == "Momentum"


def test_steps_are_validated_and_clamp_the_current_step(bowl):
    sim = make_sim(bowl, steps=50)
    sim.seek(40)
    sim.set_steps(10)
    assert sim.steps == 10 and sim.step == 10
    for bad in (0, -3, 10**7):
        with pytest.raises(ConfigError, match="steps"):
            sim.set_steps(bad)


def test_events_say_what_changed_once_each(bowl):
    sim = make_sim(bowl)
    heard = []
    for name in ("surface_changed", "start_changed", "run_added", "run_removed", "run_changed",
                 "history_changed", "steps_changed", "step_changed", "session_replaced"):
        getattr(sim, name).connect(lambda *a, n=name: heard.append((n, a)))
    sim.set_start((1.0, 1.0))
    assert heard == [("start_changed", ((1.0, 1.0),)), ("history_changed", ((0, 1, 2),))]
    heard.clear()
    sim.set_surface(bowl, start=(0.5, 0.5))
    assert heard == [("surface_changed", (bowl,)), ("start_changed", ((0.5, 0.5),)),
                     ("history_changed", ((0, 1, 2),))]
    heard.clear()
    sim.add_run(Run(make_optimizer("adam")))
    sim.remove_run(1)
    sim.update_run(0, label="plain")
    sim.update_run(0, label="plain")                 # no change: no event
    assert heard == [("run_added", (3,)), ("run_removed", (1,)),
                     ("run_changed", (0, frozenset({"label"})))]
    heard.clear()
    other = make_sim(bowl, steps=7)
    sim.replace_with(other)
    assert heard == [("session_replaced", ())]
    assert sim.steps == 7 and sim.step == 0 and sim.labels() == other.labels()


def test_a_closed_listener_is_not_kept_alive_by_the_model(bowl):
    import gc
    import weakref

    class View:
        def __init__(self):
            self.heard = 0

        def on_step(self, _k):
            self.heard += 1

    sim = make_sim(bowl)
    view = View()
    sim.step_changed.connect(view.on_step)
    sim.step_forward()
    ref = weakref.ref(view)
    del view
    gc.collect()
    assert ref() is None
    sim.step_forward()                                  # the dead slot is dropped quietly
    assert len(sim.step_changed) == 0


def test_copy_is_independent(bowl):
    sim = make_sim(bowl)
    sim.seek(3)
    copy = sim.copy()
    copy.seek(9)
    assert sim.step == 3 and copy.step == 9 and copy.runs == sim.runs
    np.testing.assert_array_equal(copy.trajectories[0].params[:4], sim.trajectories[0].params)


def test_a_new_schedule_or_clipping_recomputes_that_run(bowl):
    from optiviz_gui.core.schedules import make_scheduler
    sim = make_sim(bowl)
    sim.seek(12)
    heard = record(sim.history_changed)
    opt = sim.runs[0].optimizer
    sim.update_run(0, scheduler=make_scheduler({"name": "steplr", "step_size": 5, "gamma": 0.5}, opt))
    sim.update_run(1, clip_grad_norm=0.5)
    assert heard == [((0,),), ((1,),)]
    # SGD on x² + 10y² from (2, 3), lr 0.01 for 5 steps then 0.005: x_k = 2·Π(1 − 2γ_j)
    assert sim.trajectories[0].params[7, 0] == pytest.approx(2 * 0.98 ** 5 * 0.99 ** 2, rel=1e-14)
    # a new optimizer keeps the schedule, rebuilt for it
    sim.update_run(0, optimizer=opt.replace(lr=0.02))
    assert sim.runs[0].scheduler.optimizer.lr == 0.02
    assert sim.trajectories[0].lr_at(6) == pytest.approx(0.01)


def test_in_the_background_an_edit_returns_at_once_and_the_rest_fills_in(bowl):
    """The model computes QUICK steps in the edit and a worker the rest; poll() announces
    what grew; the result is the very same trajectory as computed at once."""
    from optiviz_gui.core.filling import QUICK
    steps = 4 * QUICK + 123
    at_once = make_sim(bowl, steps=steps)
    at_once.seek(steps)
    sim = make_sim(bowl, steps=steps)
    sim.compute_in_background()
    grown = record(sim.history_changed)
    sim.seek(steps)
    assert grown == []                         # the worker never calls a listener itself
    assert sim.wait(30)
    assert all(t.steps < steps for t in sim.trajectories)   # computed, not yet visible
    assert set(sim.poll()) == {0, 1, 2} and grown == [((0, 1, 2),)]
    assert not sim.computing and sim.progress() == 1.0
    for a, b in zip(at_once.trajectories, sim.trajectories):
        np.testing.assert_array_equal(a.params, b.params)
        assert a.state_at(steps)["step"] == b.state_at(steps)["step"] == steps


def test_a_newer_edit_drops_the_older_work(bowl):
    from optiviz_gui.core.filling import QUICK
    sim = make_sim(bowl, steps=50 * QUICK)
    sim.compute_in_background()
    sim.seek(sim.steps)
    old = sim.trajectories
    sim.set_start((1.0, -1.0))                 # every run replaced
    assert sim.wait(60)
    sim.poll()                                 # what the worker computed, made visible
    assert all(t.steps == sim.steps for t in sim.trajectories)
    assert all(o.steps < sim.steps for o in old)     # the replaced runs were left where they were


def test_poll_makes_visible_a_frame_s_worth_at_a_time(bowl):
    from optiviz_gui.core.filling import MAX_CHUNK, QUICK
    steps = QUICK + 4 * MAX_CHUNK
    sim = make_sim(bowl, steps=steps)
    sim.compute_in_background()
    sim.seek(steps)
    assert sim.wait(60)
    visible = [t.steps for t in sim.trajectories]
    sim.poll(max_steps=MAX_CHUNK)              # one chunk a run at most
    grown = [t.steps - v for t, v in zip(sim.trajectories, visible)]
    assert all(0 < g <= MAX_CHUNK for g in grown)
    while sim.computing:
        sim.poll(max_steps=MAX_CHUNK)
    assert all(t.steps == steps for t in sim.trajectories)


def test_poll_takes_the_runs_in_turn_when_told_how_many(bowl):
    # a frame redraws max_runs long runs; the next poll goes on with the next ones
    from optiviz_gui.core.filling import MAX_CHUNK, QUICK
    steps = QUICK + 4 * MAX_CHUNK
    sim = make_sim(bowl, steps=steps)
    sim.compute_in_background()
    sim.seek(steps)
    assert sim.wait(60)
    grown = record(sim.history_changed)
    assert sim.poll(max_steps=MAX_CHUNK, max_runs=1) == (0,)
    assert sim.poll(max_steps=MAX_CHUNK, max_runs=2) == (1, 2)
    assert sim.poll(max_steps=MAX_CHUNK, max_runs=1) == (0,)
    assert grown == [((0,),), ((1, 2),), ((0,),)]
    while sim.computing:
        sim.poll(max_steps=MAX_CHUNK, max_runs=1)
    assert all(t.steps == steps for t in sim.trajectories)
