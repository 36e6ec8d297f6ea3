"""The model the play/step timer drives: a surface, a start point, optimizer runs, history.

Controls call the setters; views listen to the events, which are named after
what changed:

    surface_changed()    the surface (or its window) is new: rebuild meshes
    runs_changed()       runs added, removed, relabelled, recoloured, toggled
    history_changed()    every trajectory was recomputed (start, hyper-parameter)
    steps_changed(n)     the number of iterations to play changed
    step_changed(k)      the current step moved

Trajectories are computed up to the current step only, so an edit recomputes
exactly what is on screen, at once, and stepping forward extends them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from .errors import ConfigError
from .events import Signal
from .optimizers import Optimizer
from .surfaces import Surface
from .trajectory import MAX_STEPS, Trajectory

# Okabe & Ito's colour-blind-safe palette, reordered so the first four contrast most.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")


@dataclass(frozen=True)
class Run:
    """One optimizer entry: the same optimizer may appear twice with other settings."""

    optimizer: Optimizer
    label: str | None = None      # None: a readable name made from the optimizer
    color: str | None = None      # None: the palette colour for its position
    enabled: bool = True


class Simulation:
    """Surface + start point + runs + current step; see the module docstring for events."""

    def __init__(self, surface: Surface, start: Sequence[float], runs: Sequence[Run] = (),
                 steps: int = 100) -> None:
        self.surface_changed = Signal()
        self.runs_changed = Signal()
        self.history_changed = Signal()
        self.steps_changed = Signal()
        self.step_changed = Signal()
        self._surface = surface
        self._start = (float(start[0]), float(start[1]))
        self._runs: list[Run] = list(runs)
        self._steps = _check_steps(steps)
        self._step = 0
        self._trajectories = [self._new_trajectory(r) for r in self._runs]

    # ------------------------------------------------------------- reading
    @property
    def surface(self) -> Surface:
        return self._surface

    @property
    def start(self) -> tuple[float, float]:
        return self._start

    @property
    def steps(self) -> int:
        """The number of iterations to play (the last step)."""
        return self._steps

    @property
    def step(self) -> int:
        """The current iteration, 0..steps."""
        return self._step

    @property
    def runs(self) -> tuple[Run, ...]:
        return tuple(self._runs)

    @property
    def trajectories(self) -> tuple[Trajectory, ...]:
        """One per run, computed up to the current step (or to where it diverged)."""
        return tuple(self._trajectories)

    @property
    def at_end(self) -> bool:
        return self._step >= self._steps

    def labels(self) -> list[str]:
        """Each run's label; unlabelled runs get the optimizer's name, numbered when repeated."""
        names = [r.label or r.optimizer.title for r in self._runs]
        out = []
        for i, name in enumerate(names):
            count = names[:i].count(name)
            while count and f"{name} ({count + 1})" in names:
                count += 1
            out.append(f"{name} ({count + 1})" if count else name)
        return out

    def colors(self) -> list[str]:
        return [r.color or PALETTE[i % len(PALETTE)] for i, r in enumerate(self._runs)]

    # ------------------------------------------------------------ playback
    def seek(self, k: int) -> None:
        k = max(0, min(int(k), self._steps))
        if k == self._step:
            return
        self._step = k
        for t in self._trajectories:
            t.extend(k)
        self.step_changed.emit(k)

    def step_forward(self) -> None:
        self.seek(self._step + 1)

    def step_back(self) -> None:
        self.seek(self._step - 1)

    def reset(self) -> None:
        self.seek(0)

    # ------------------------------------------------------------- editing
    def set_surface(self, surface: Surface, start: Sequence[float] | None = None) -> None:
        self._surface = surface
        if start is not None:
            self._start = (float(start[0]), float(start[1]))
        self._recompute_all()
        self.surface_changed.emit()
        self.history_changed.emit()

    def set_start(self, start: Sequence[float]) -> None:
        self._start = (float(start[0]), float(start[1]))
        self._recompute_all()
        self.history_changed.emit()

    def set_steps(self, steps: int) -> None:
        self._steps = _check_steps(steps)
        if self._step > self._steps:
            self.seek(self._steps)
        self.steps_changed.emit(self._steps)

    def add_run(self, run: Run) -> None:
        self._runs.append(run)
        self._trajectories.append(self._new_trajectory(run))
        self.runs_changed.emit()

    def remove_run(self, i: int) -> None:
        del self._runs[i]
        del self._trajectories[i]
        self.runs_changed.emit()

    def update_run(self, i: int, **changes) -> None:
        """Change a run's optimizer, label, colour or enabled flag."""
        old = self._runs[i]
        new = replace(old, **changes)
        self._runs[i] = new
        if new.optimizer != old.optimizer:
            self._trajectories[i] = self._new_trajectory(new)
            self.history_changed.emit()
        else:
            self.runs_changed.emit()

    # ------------------------------------------------------------ internal
    def _new_trajectory(self, run: Run) -> Trajectory:
        t = Trajectory(self._surface, run.optimizer, self._start)
        t.extend(self._step)
        return t

    def _recompute_all(self) -> None:
        self._trajectories = [self._new_trajectory(r) for r in self._runs]


def _check_steps(steps: int) -> int:
    if not 1 <= steps <= MAX_STEPS:
        raise ConfigError(f"steps must be a whole number from 1 to {MAX_STEPS:,}, got {steps}.")
    return steps
