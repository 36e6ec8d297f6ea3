"""What the app offers to start from, fitted to the session's number of steps.

``SCHEDULE_PRESETS``: the runs with a learning-rate schedule in the Add menu,
each written as an entry of the session's "optimizers" list (so a preset is
exactly what a session file would say) for a session of ``steps`` iterations:

    AdamW, warm-up + cosine   lr 0.1; LinearLR from 0.1·lr over the first 10 % of the
                              steps, then CosineAnnealingLR down to 0 over the rest
                              (a SequentialLR switching at the 10 % milestone)
    SGD momentum, one-cycle   momentum 0.9; OneCycleLR up to max_lr 0.1 and down over the
                              whole run (momentum cycled 0.95 → 0.85 → 0.95)
    SGD, step decay           lr 0.1, halved four times over the run (StepLR)

lr 0.1 is the blog example's (and the SGD presets'): on its slope, curvature
16.7, plain SGD zig-zags at 0.1, so a decaying schedule visibly damps it.

``starting_spec(name, optimizer, steps)`` is what the Schedule section starts
a scheduler from: torch's defaults, and the keywords torch has no default for
(or that must cover the whole run, like OneCycleLR's total_steps) fitted to the
session, since the ``Hyper`` default of such a keyword is only an example.
``with_child``, ``without_child`` and ``moved_child`` edit a composite's children
(keeping a SequentialLR's milestones one fewer than its children).
"""

from __future__ import annotations

from typing import Any, Callable

from .optimizers import Optimizer
from .schedules import SCHEDULERS


def warmup(steps: int) -> int:
    """The warm-up length of the presets: 10 % of the steps, at least 1, leaving ≥ 1."""
    return max(1, min(steps - 1, round(0.1 * steps))) if steps > 1 else 1


def _warmup_cosine(steps: int) -> dict[str, Any]:
    w = warmup(steps)
    return {"name": "sequentiallr", "milestones": [w], "schedulers": [
        {"name": "linearlr", "start_factor": 0.1, "total_iters": w},
        {"name": "cosineannealinglr", "T_max": max(1, steps - w)}]}


SCHEDULE_PRESETS: dict[str, Callable[[int], dict[str, Any]]] = {
    "AdamW, warm-up + cosine": lambda steps: {
        "name": "adamw", "lr": 0.1, "label": "AdamW, warm-up + cosine",
        "scheduler": _warmup_cosine(steps)},
    "SGD momentum, one-cycle": lambda steps: {
        "name": "sgd", "lr": 0.1, "momentum": 0.9, "label": "SGD momentum, one-cycle",
        "scheduler": {"name": "onecyclelr", "max_lr": 0.1, "total_steps": steps}},
    "SGD, step decay": lambda steps: {
        "name": "sgd", "lr": 0.1, "label": "SGD, step decay",
        "scheduler": {"name": "steplr", "step_size": max(1, steps // 4), "gamma": 0.5}},
}


def describe(name: str, steps: int = 100) -> str:
    """A schedule preset in one line, e.g. "AdamW(lr=0.1) with SequentialLR(...)"."""
    run = preset_run(name, steps)
    return f"{run.optimizer.title}, lr {run.optimizer.lr:g}, with {run.scheduler.title}: " \
           f"{run.scheduler.summary} (fitted to the session's steps when added)"


def preset_entry(name: str, steps: int) -> dict[str, Any]:
    """The session entry of the schedule preset ``name`` for a run of ``steps`` steps."""
    return SCHEDULE_PRESETS[name](int(steps))


def preset_run(name: str, steps: int):
    """The Run of the schedule preset ``name`` for a run of ``steps`` steps."""
    from .session import run_from_entry
    return run_from_entry(preset_entry(name, steps), name)


def starting_spec(name: str, optimizer: Optimizer, steps: int) -> dict[str, Any]:
    """The "scheduler" object a form starts ``name`` from (see the module docstring):
    torch's defaults, with these fitted to a session of ``steps`` steps and ``optimizer``:

        steplr                       step_size = steps // 4
        multisteplr                  milestones = [steps // 2, 3·steps // 4]
        cosineannealinglr            T_max = steps
        cosineannealingwarmrestarts  T_0 = steps // 4
        cycliclr                     base_lr = lr / 10, max_lr = lr
        onecyclelr                   max_lr = lr, total_steps = steps
        sequentiallr                 the warm-up + cosine of the presets
        chainedscheduler             a 10 % linear warm-up times a cosine over the run

    (each at least 1); cycliclr and onecyclelr leave momentum alone (cycle_momentum
    false) for an optimizer with neither momentum nor betas, which torch refuses to cycle;
    any other required keyword takes its ``Hyper`` example.
    """
    cls = SCHEDULERS[name]
    steps, lr = max(1, int(steps)), float(optimizer.lr)
    quarter = max(1, steps // 4)
    fitted: dict[str, dict[str, Any]] = {
        "steplr": {"step_size": quarter},
        "multisteplr": {"milestones": sorted({max(1, steps // 2), max(1, 3 * steps // 4)})},
        "cosineannealinglr": {"T_max": steps},
        "cosineannealingwarmrestarts": {"T_0": quarter},
        "cycliclr": {"base_lr": lr / 10, "max_lr": lr},
        "onecyclelr": {"max_lr": lr, "total_steps": steps},
        "sequentiallr": {k: v for k, v in _warmup_cosine(steps).items() if k != "name"},
        "chainedscheduler": {"schedulers": [
            {"name": "linearlr", "start_factor": 0.1, "total_iters": warmup(steps)},
            {"name": "cosineannealinglr", "T_max": steps}]},
    }
    spec: dict[str, Any] = {"name": name}
    for h in cls.hyper:
        if h.required:
            spec[h.name] = _plain(h.default)
    spec.update(fitted.get(name, {}))
    if name in ("cycliclr", "onecyclelr") and not {"momentum", "betas"} & set(optimizer.hp):
        spec["cycle_momentum"] = False
    return spec


# ------------------------------------------------ a composite's children, edited
def with_child(spec: dict[str, Any], child: dict[str, Any], steps: int) -> dict[str, Any]:
    """``spec`` (a SequentialLR or ChainedScheduler object) with ``child`` appended; a
    SequentialLR gets the milestone it then needs, halfway from its last one (or 0) to
    ``steps``.

    >>> with_child({"name": "sequentiallr", "milestones": [10], "schedulers": [1, 2]}, 3, 100)
    {'name': 'sequentiallr', 'milestones': [10, 55], 'schedulers': [1, 2, 3]}
    """
    out = {**spec, "schedulers": [*spec["schedulers"], child]}
    if "milestones" in spec:
        last = max(spec["milestones"], default=0)
        out["milestones"] = [*spec["milestones"], last + max(1, (int(steps) - last) // 2)]
    return out


def without_child(spec: dict[str, Any], i: int) -> dict[str, Any]:
    """``spec`` without child i; a SequentialLR drops the milestone that started it
    (the first one, for the first child).

    >>> without_child({"name": "sequentiallr", "milestones": [10, 50], "schedulers": [1, 2, 3]}, 1)
    {'name': 'sequentiallr', 'milestones': [50], 'schedulers': [1, 3]}
    """
    out = {**spec, "schedulers": [c for j, c in enumerate(spec["schedulers"]) if j != i]}
    if "milestones" in spec and spec["milestones"]:
        drop = max(i - 1, 0)
        out["milestones"] = [m for j, m in enumerate(spec["milestones"]) if j != drop]
    return out


def moved_child(spec: dict[str, Any], i: int, j: int) -> dict[str, Any]:
    """``spec`` with child i moved to place j (a SequentialLR's milestones stay put).

    >>> moved_child({"name": "chainedscheduler", "schedulers": [1, 2, 3]}, 2, 0)
    {'name': 'chainedscheduler', 'schedulers': [3, 1, 2]}
    """
    children = list(spec["schedulers"])
    children.insert(j, children.pop(i))
    return {**spec, "schedulers": children}


def _plain(value):
    return [_plain(v) for v in value] if isinstance(value, tuple) else value
