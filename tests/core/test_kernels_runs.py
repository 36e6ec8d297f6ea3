"""Kernels stop where the Python path stops, hand back its states, and can be switched off."""

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from optiviz_gui.core import kernels
from optiviz_gui.core.expression import ExpressionSurface
from optiviz_gui.core.kernels import Kernel, service
from optiviz_gui.core.optimizers import make_optimizer
from optiviz_gui.core.surfaces import BUILTINS
from optiviz_gui.core.trajectory import CHECKPOINT, Trajectory, runaway_limit

ROOT = Path(__file__).resolve().parents[2]


def both_paths(surface, run, start, steps, monkeypatch):
    """(compiled, python) trajectories of a run (or an optimizer); the compiled one must
    really have run compiled."""
    optimizer = getattr(run, "optimizer", run)
    assert kernels.get(surface, optimizer, wait=True) is not None
    calls = []
    kernel_run = Kernel.run
    monkeypatch.setattr(Kernel, "run", lambda self, *a, **k: calls.append(1) or kernel_run(self, *a, **k))
    compiled = Trajectory(surface, run, start)
    compiled.extend(steps)
    assert calls
    with monkeypatch.context() as mp:
        mp.setenv("OPTIVIZ_KERNELS", "python")
        python = Trajectory(surface, run, start)
        python.extend(steps)
    return compiled, python


@pytest.mark.parametrize("case,surface,optimizer,start", [
    # |1 − 0.2·18| = 2.6 > 1 along Booth's steep axis: it leaves the runaway box
    ("runaway box", BUILTINS["booth"](), make_optimizer("sgd", lr=0.2), (8.0, -6.0)),
    # Rosenbrock's 400x³ overflows to inf within a few steps from far out
    ("overflow", BUILTINS["rosenbrock"](), make_optimizer("sgd", lr=0.01), (40.0, -30.0)),
    # ascending −log x from x = 1 with lr 2 lands on x = −1, where log is nan
    ("nan", ExpressionSurface("-log(x) + y^2"), make_optimizer("sgd", lr=2.0, maximize=True), (1.0, 0.5)),
    # x₁ = −1 + 1/(−1)² = 0 exactly, and 1/0 is inf (Python raises; its fallback gives inf)
    ("division by zero", ExpressionSurface("1/x + y^2"), make_optimizer("sgd", lr=1.0), (-1.0, 0.5)),
    # an adaptive rule at a learning rate far too large for a narrow ravine
    ("adaptive", BUILTINS["ravine"](), make_optimizer("adam", lr=1e9), (-2.5, -1.5)),
])
def test_divergence_is_found_at_the_same_step(case, surface, optimizer, start, kernels_on, monkeypatch):
    compiled, python = both_paths(surface, optimizer, start, 5000, monkeypatch)
    assert python.diverged, case
    assert compiled.diverged_at == python.diverged_at
    assert compiled.steps == python.steps
    np.testing.assert_array_equal(compiled.params, python.params)
    assert compiled._live.state == python._live.state


def test_the_returned_state_and_checkpoints_are_the_python_paths(kernels_on, monkeypatch):
    surface, opt = BUILTINS["himmelblau"](), make_optimizer("nadam", lr=0.01)
    compiled, python = both_paths(surface, opt, (0.0, 0.0), 3 * CHECKPOINT + 17, monkeypatch)
    for k in (0, 1, CHECKPOINT, 2 * CHECKPOINT + 5, 3 * CHECKPOINT + 17):
        a, b = compiled.state_at(k), python.state_at(k)
        assert a.keys() == b.keys() and a["step"] == b["step"] == k
        for name in a:
            np.testing.assert_array_equal(a[name], b[name])
    assert isinstance(compiled._live.state[0].step, int)


def test_run_fills_rows_and_returns_states_and_checkpoints(kernels_on):
    surface, opt = BUILTINS["booth"](), make_optimizer("sgd", lr=0.01, momentum=0.9)
    t = Trajectory(surface, opt, (8.0, -6.0))
    kernel = kernels.get(surface, opt, wait=True)
    n = 2 * CHECKPOINT + 3
    P, L, G = np.zeros((n + 1, 2)), np.zeros(n + 1), np.zeros((n + 1, 2))
    P[0], L[0], G[0] = t.params[0], t.loss[0], t.grad[0]
    done = kernel.run(P, L, G, t._live.state, 0, 10)
    assert done.steps == 10 and done.diverged_at is None and done.checkpoints == {}
    more = kernel.run(P, L, G, done.state, 10, n)
    assert sorted(more.checkpoints) == [CHECKPOINT, 2 * CHECKPOINT]
    assert more.state[0].step == n and type(more.state[0]) is type(opt.init(0.0))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OPTIVIZ_KERNELS", "python")
        t.extend(n)
    np.testing.assert_array_equal(P, t.params)
    assert more.checkpoints[CHECKPOINT] == t._checkpoints[CHECKPOINT][0]
    with pytest.raises(ValueError, match="rows"):
        kernel.run(P, L, G, done.state, n, n + 5)


def test_a_kernel_stops_at_the_runaway_limit_of_its_surface(kernels_on):
    surface = BUILTINS["saddle"]()
    assert runaway_limit(surface) == pytest.approx(4e6 + 2)
    t = Trajectory(surface, make_optimizer("sgd", lr=0.5), (0.0, 1.0))   # y doubles each step
    assert kernels.get(surface, t.optimizer, wait=True) is not None
    t.extend(100)
    assert t.diverged_at == 22 and t.params[-1, 1] == 2.0 ** 21        # y₂₂ = 2²² > 4·10⁶ + 2


def test_optiviz_kernels_python_really_takes_the_python_path(kernels_on, monkeypatch):
    surface, opt = BUILTINS["booth"](), make_optimizer("adam", lr=0.1)
    assert kernels.get(surface, opt, wait=True) is not None
    monkeypatch.setenv("OPTIVIZ_KERNELS", "python")
    assert kernels.get(surface, opt) is None and not kernels.enabled()
    monkeypatch.setattr(Kernel, "run", lambda *a, **k: pytest.fail("a kernel ran"))
    t = Trajectory(surface, opt, surface.start)
    t.extend(5000)
    assert t.steps == 5000


def run_python(code: str, **env) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_with_python_forced_numba_is_never_imported():
    code = ("import sys\nfrom optiviz_gui.core.surfaces import BUILTINS\n"
            "from optiviz_gui.core.optimizers import make_optimizer\n"
            "from optiviz_gui.core.trajectory import Trajectory\n"
            "t = Trajectory(BUILTINS['booth'](), make_optimizer('adam', lr=0.1), (8.0, -6.0))\n"
            "t.extend(10000)\nimport time; time.sleep(0.2)\n"
            "print(t.steps, 'numba' in sys.modules)")
    assert run_python(code, OPTIVIZ_KERNELS="python") == "10000 False"


def test_without_numba_kernels_stay_off_silently():
    code = ("import sys\nsys.modules['numba'] = None          # as if it were not installed\n"
            "from optiviz_gui.core import kernels\n"
            "from optiviz_gui.core.surfaces import BUILTINS\n"
            "from optiviz_gui.core.optimizers import make_optimizer\n"
            "from optiviz_gui.core.trajectory import Trajectory\n"
            "s, o = BUILTINS['booth'](), make_optimizer('adam', lr=0.1)\n"
            "t = Trajectory(s, o, (8.0, -6.0)); t.extend(1000)\n"
            "print(kernels.enabled(), kernels.get(s, o, wait=True), t.steps)")
    assert run_python(code, OPTIVIZ_KERNELS="numba") == "False None 1000"


def test_importing_the_app_core_does_not_import_numba():
    code = ("import sys, optiviz_gui.core.simulation, optiviz_gui.core.session, optiviz_gui.core.kernels\n"
            "print('numba' in sys.modules, 'llvmlite' in sys.modules)")
    assert run_python(code, OPTIVIZ_KERNELS="numba") == "False False"


def test_compiling_happens_in_the_background_while_the_python_path_serves(kernels_on, monkeypatch):
    surface = ExpressionSurface(f"x^2 + 3*y^2 + {time.time_ns() % 997}*1e-9*x*y")   # a new kernel
    opt = make_optimizer("sgd", lr=0.01)
    assert kernels.get(surface, opt) is None                 # not compiled yet: it starts now
    t = Trajectory(surface, opt, (1.0, 1.0))
    t.extend(2000)                                           # the Python path meanwhile
    deadline = time.monotonic() + 120
    while kernels.get(surface, opt) is None:
        assert time.monotonic() < deadline, "the kernel never became ready"
        time.sleep(0.05)
    compiled, python = both_paths(surface, opt, (1.0, 1.0), 2000, monkeypatch)
    np.testing.assert_array_equal(compiled.params, t.params)
    np.testing.assert_array_equal(python.params, t.params)


def test_a_later_process_loads_the_kernels_from_numbas_cache(kernels_on):
    surface, opt = BUILTINS["beale"](), make_optimizer("rmsprop", lr=0.01)
    assert kernels.get(surface, opt, wait=True) is not None      # compiled into the session cache
    code = ("from optiviz_gui.core import kernels\nfrom optiviz_gui.core.kernels import service\n"
            "from optiviz_gui.core.kernels.plan import make_plans\n"
            "from optiviz_gui.core.surfaces import BUILTINS\n"
            "from optiviz_gui.core.optimizers import make_optimizer\n"
            "s, o = BUILTINS['beale'](), make_optimizer('rmsprop', lr=0.01)\n"
            "assert kernels.get(s, o, wait=True) is not None\n"
            "rule, shape = make_plans(s, o)\n"
            "loop, surface = service.compiled(rule), service.compiled(shape)\n"
            "print(sum(loop.stats.cache_hits.values()), sum(loop.stats.cache_misses.values()),"
            " surface.cache_hits)")
    hits, misses, surface_hits = run_python(code, OPTIVIZ_KERNELS="numba",
                                            XDG_CACHE_HOME=str(kernels_on.parents[1])).split()
    assert (hits, misses, surface_hits) == ("1", "0", "1")


def test_an_unwritable_cache_folder_means_compiling_in_memory(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert service._make_anchor(blocker / "optiviz" / "numba") is None
    assert service._make_anchor(tmp_path / "cache") == str(tmp_path / "cache" / "anchor.txt")


def test_the_child_compiles_and_this_process_only_loads(kernels_on):
    surface, opt = BUILTINS["six_hump_camel"](), make_optimizer("adamax", lr=0.01)
    assert kernels.get(surface, opt, wait=True) is not None
    from optiviz_gui.core.kernels.plan import make_plans

    rule, shape = make_plans(surface, opt)
    loop, surface_fn = service.compiled(rule), service.compiled(shape)
    assert sum(loop.stats.cache_hits.values()) == 1 and not loop.stats.cache_misses
    assert surface_fn.cache_hits == 1


def test_fingerprints_are_the_same_in_every_process():
    # they name the cached kernels: a child must find what it compiled under the parent's name
    code = ("from optiviz_gui.core.kernels.plan import make_plans\n"
            "from optiviz_gui.core.optimizers import OPTIMIZERS, make_optimizer\n"
            "from optiviz_gui.core.surfaces.regression import LinearRegression\n"
            "from optiviz_gui.core.expression import ExpressionSurface\n"
            "s = LinearRegression.synthetic()\n"
            "print(*(p.fingerprint() for n in sorted(OPTIMIZERS) for surface in"
            " (s, s.minibatches(8), ExpressionSurface('x^2 + sin(y)'))"
            " for p in make_plans(surface, make_optimizer(n)) or ()))")
    runs = {run_python(code, PYTHONHASHSEED=str(seed)) for seed in (0, 1, 2)}
    assert len(runs) == 1


@pytest.mark.parametrize("name,hp,extra", [
    ("adam", {"lr": 0.05}, {"scheduler": {"name": "onecyclelr", "max_lr": 0.05, "total_steps": 3500},
                            "clip_grad_norm": 2.0}),
    ("sgd", {"lr": 0.01, "momentum": 0.9}, {"scheduler": {"name": "cycliclr", "base_lr": 1e-3,
                                                          "max_lr": 1e-2, "step_size_up": 100},
                                            "clip_grad_value": 0.5}),
    ("asgd", {"lr": 0.01, "t0": 100.0}, {"scheduler": {"name": "cosineannealinglr", "T_max": 700}}),
    ("rprop", {"lr": 0.01}, {"clip_grad_norm": 1.0, "clip_grad_value": 0.3}),
])
def test_a_whole_run_with_schedule_clipping_and_recorded_state(name, hp, extra, kernels_on,
                                                               monkeypatch):
    # the run loop's everything (core/stepping): groups kept per update, the scheduler's
    # state in the checkpoints, ASGD's averaged point kept per step
    from optiviz_gui.core.simulation import Run

    surface = BUILTINS["himmelblau"]()
    run = Run(make_optimizer(name, **hp), **extra)
    compiled, python = both_paths(surface, run, (0.5, -0.5), 3000, monkeypatch)
    np.testing.assert_array_equal(compiled.params, python.params)
    np.testing.assert_array_equal(compiled.grad, python.grad)
    np.testing.assert_array_equal(compiled.lrs, python.lrs)
    assert compiled._checkpoints == python._checkpoints
    assert compiled._live.state == python._live.state and compiled._live.sched == python._live.sched
    for field in compiled.recorded_names:
        np.testing.assert_array_equal(compiled.recorded(field), python.recorded(field))
    for k in (0, 1, 700, 2999, 3000):
        assert compiled.group_at(k) == python.group_at(k)
        for key, value in compiled.state_at(k).items():
            np.testing.assert_array_equal(value, python.state_at(k)[key])
    compiled.extend(3500)
    python.extend(3500)
    np.testing.assert_array_equal(compiled.params, python.params)


def test_an_edit_reuses_the_schedules_steps_and_keeps_the_python_paths_numbers(kernels_on,
                                                                                monkeypatch):
    # a new start point recomputes the run; the schedule's lrs (a function of the step
    # alone) are not stepped again, and the run is still the Python path's bit for bit
    from optiviz_gui.core.kernels import kernel
    from optiviz_gui.core.simulation import Run

    surface = BUILTINS["himmelblau"]()
    run = Run(make_optimizer("adam", lr=0.05),
              scheduler={"name": "cosineannealinglr", "T_max": 2500, "eta_min": 1e-3})
    first, _ = both_paths(surface, run, (0.5, -0.5), 3000, monkeypatch)
    stepped = []
    monkeypatch.setattr(kernel, "_schedule_steps",
                        lambda *a, real=kernel._schedule_steps: stepped.append(a[2:4]) or real(*a))
    again, python = both_paths(surface, run, (-1.0, 2.0), 2000, monkeypatch)
    assert stepped == []                       # 2000 ≤ the 3000 kept: served from the memo
    np.testing.assert_array_equal(again.params, python.params)
    np.testing.assert_array_equal(again.lrs, python.lrs)
    assert again._live.sched == python._live.sched
    # the same scheduler from another state at that step is computed, not served
    sched = run.scheduler
    state = sched.init()
    kept = kernel.schedule_steps(sched, state, 0, 300, CHECKPOINT)
    assert stepped == []
    other = sched.step(state)
    fresh = kernel.schedule_steps(sched, other, 0, 300, CHECKPOINT)
    assert stepped == [(0, 300)]
    # torch's recursive cosine from the step after: the lr of update i+1 of the first
    np.testing.assert_array_equal(fresh.lr[:-1], kept.lr[1:])
