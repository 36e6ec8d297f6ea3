"""The model the play/step timer drives: a surface, a start point, optimizer runs, history.

Controls call the setters; views listen to the events, which are named after
what changed and say what it was:

    surface_changed(surface)   the surface (or its window) is new: rebuild the map and
                               mesh; history_changed(every run) follows
    start_changed(start)       the start point moved; history_changed(every run) follows
    run_added(i)               run i is new, its trajectory computed
    run_removed(i)             run i is gone; the runs after it moved down one place
    run_changed(i, fields)     run i's "label", "color", "enabled", "optimizer", "scheduler",
                               "clip_grad_norm", "clip_grad_value" or "batch_seed" changed
                               (a frozenset);
                               a change to what the history depends on is followed by
                               history_changed((i,))
    history_changed(runs)      these runs' trajectories were recomputed (a tuple of indices)
    steps_changed(n)           the number of iterations to play changed
    step_changed(k)            the current step moved
    session_replaced()         everything is new (a session was opened): redraw it all

Each edit emits each event once, after the model is consistent again, so a
listener can read anything from the model in its slot.

Trajectories are computed up to the current step only, so an edit recomputes
exactly what is on screen, at once, and stepping forward extends them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from .errors import ConfigError
from .events import Signal
from .filling import QUICK, Filler
from .clipping import check_clip_value, check_max_norm
from .optimizers import Optimizer
from .schedules import Scheduler, make_scheduler
from .surfaces import Surface
from .trajectory import MAX_STEPS, Trajectory

# what a run's history depends on: a change to one of these recomputes it
HISTORY_FIELDS = frozenset({"optimizer", "scheduler", "clip_grad_norm", "clip_grad_value",
                            "batch_seed"})

# Okabe & Ito's colour-blind-safe palette, reordered so the first four contrast most.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")


@dataclass(frozen=True)
class Run:
    """One optimizer entry: the same optimizer may appear twice with other settings.

    ``scheduler`` is a learning-rate schedule (a ``core.schedules`` Scheduler, or the
    session's "scheduler" object, built here); it is rebuilt for a new optimizer, so
    ``replace(run, optimizer=…)`` keeps the schedule (or refuses, in one sentence, an
    optimizer it cannot drive). ``clip_grad_norm`` / ``clip_grad_value`` clip the
    gradient before each step, as torch.nn.utils does. ``batch_seed`` is the run's own
    seed for the surface's mini-batch shuffling (None: the surface's ``batch_seed``), so
    runs that differ only in it are the same training re-run on other batches (a seed
    fan, core/fans.py); on a surface without mini-batches it changes nothing.
    """

    optimizer: Optimizer
    label: str | None = None      # None: a readable name made from the optimizer
    color: str | None = None      # None: the palette colour for its position
    enabled: bool = True
    scheduler: Scheduler | None = None
    clip_grad_norm: float | None = None
    clip_grad_value: float | None = None
    batch_seed: int | None = None

    def __post_init__(self) -> None:
        sched = self.scheduler
        if isinstance(sched, dict):
            object.__setattr__(self, "scheduler", make_scheduler(sched, self.optimizer))
        elif sched is not None and sched.optimizer != self.optimizer:
            object.__setattr__(self, "scheduler", make_scheduler(sched.to_dict(), self.optimizer))
        for key, check in (("clip_grad_norm", check_max_norm),
                           ("clip_grad_value", check_clip_value)):
            value = getattr(self, key)
            if value is None:
                continue
            object.__setattr__(self, key, check(value, key))
            if self.optimizer.needs_closure:
                raise ConfigError(f"{key} cannot be used with {self.optimizer.title}: it "
                                  f"computes the gradient again inside each step (its "
                                  f"closure), so a clipped gradient would never reach it.")
        seed = self.batch_seed
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
            raise ConfigError(f"batch_seed must be a whole number ≥ 0, got {seed!r}.")

    def surface_for(self, surface: Surface) -> Surface:
        """``surface`` as this run sees it: its mini-batches shuffled by the run's own
        ``batch_seed`` when it has one (the surface itself otherwise)."""
        if self.batch_seed is None or not surface.batch_size or \
                self.batch_seed == surface.batch_seed:
            return surface
        return surface.minibatches(surface.batch_size, self.batch_seed)

    def make_scheduler(self):
        """The run's scheduler (built for its optimizer), or None."""
        return self.scheduler

    @property
    def clips(self) -> bool:
        """Whether the gradient is clipped before each step (by norm, value or both)."""
        return self.clip_grad_norm is not None or self.clip_grad_value is not None


class Simulation:
    """Surface + start point + runs + current step; see the module docstring for events."""

    def __init__(self, surface: Surface, start: Sequence[float], runs: Sequence[Run] = (),
                 steps: int = 100) -> None:
        self.surface_changed = Signal()
        self.start_changed = Signal()
        self.run_added = Signal()
        self.run_removed = Signal()
        self.run_changed = Signal()
        self.history_changed = Signal()
        self.steps_changed = Signal()
        self.step_changed = Signal()
        self.session_replaced = Signal()
        self._surface = surface
        self._start = (float(start[0]), float(start[1]))
        self._runs: list[Run] = list(runs)
        for run in self._runs:
            check_run_on(surface, run)
        self._steps = _check_steps(steps)
        self._step = 0
        self._filler: Filler | None = None
        self._poll_next = 0                       # the run poll() looks at first
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

    def group_now(self, i: int) -> dict:
        """Run i's param group at the current step — {"lr": …}, and the momentum or betas
        its schedule moves — of the update from there; at the last step (or where the
        run stopped) of the last update made or tried. Needs a run with a start."""
        t = self._trajectories[i]
        return t.group_at(max(0, min(self._step, self._steps - 1, t.steps)))

    # ------------------------------------------------------------ playback
    def seek(self, k: int) -> None:
        k = max(0, min(int(k), self._steps))
        if k == self._step:
            return
        self._step = k
        for t in self._trajectories:
            self._extend(t, k)
        self.step_changed.emit(k)

    def step_forward(self) -> None:
        self.seek(self._step + 1)

    def step_back(self) -> None:
        self.seek(self._step - 1)

    def reset(self) -> None:
        self.seek(0)

    # ------------------------------------------------------------- editing
    def set_surface(self, surface: Surface, start: Sequence[float] | None = None) -> None:
        for run in self._runs:
            check_run_on(surface, run)
        self._surface = surface
        if start is not None:
            self._start = (float(start[0]), float(start[1]))
        self._recompute_all()
        self.surface_changed.emit(surface)
        if start is not None:
            self.start_changed.emit(self._start)
        self.history_changed.emit(self._all())

    def set_start(self, start: Sequence[float]) -> None:
        self._start = (float(start[0]), float(start[1]))
        self._recompute_all()
        self.start_changed.emit(self._start)
        self.history_changed.emit(self._all())

    def set_steps(self, steps: int) -> None:
        self._steps = _check_steps(steps)
        if self._step > self._steps:
            self.seek(self._steps)
        self.steps_changed.emit(self._steps)

    def add_run(self, run: Run) -> None:
        check_run_on(self._surface, run)
        self._runs.append(run)
        self._trajectories.append(self._new_trajectory(run))
        self.run_added.emit(len(self._runs) - 1)

    def remove_run(self, i: int) -> None:
        del self._runs[i]
        del self._trajectories[i]
        self._forget_old()
        self.run_removed.emit(i)

    def update_run(self, i: int, **changes) -> None:
        """Change a run's optimizer, schedule, clipping, label, colour or enabled flag.

        A new optimizer keeps the run's schedule (rebuilt for it; refused in one
        ConfigError sentence when the schedule cannot drive it)."""
        old = self._runs[i]
        new = replace(old, **changes)
        check_run_on(self._surface, new)
        fields = frozenset(name for name in changes if getattr(new, name) != getattr(old, name))
        if not fields:
            return
        self._runs[i] = new
        recompute = bool(fields & HISTORY_FIELDS)
        if recompute:
            self._trajectories[i] = self._new_trajectory(new)
            self._forget_old()
        self.run_changed.emit(i, fields)
        if recompute:
            self.history_changed.emit((i,))

    def fit_plane(self) -> None:
        """A network surface: the plane through θ₀ and the runs' start θ_s that best fits
        every run's path to the last step (PCA, ``MLPSurface.with_pca_plane``); the runs
        keep their θ, the start is θ_s's coordinates on the new plane."""
        fit = getattr(self._surface, "with_pca_plane", None)
        if fit is None:
            raise ConfigError("Only a network surface has a plane to fit.")
        paths = []
        for t in self._trajectories:
            t.extend(self._steps)
            paths.append(t.theta)
        theta_start = self._surface.lift(self._start)
        new = fit(paths, through=theta_start)
        start = new.project(theta_start)[0]
        self.set_surface(new, start=(float(start[0]), float(start[1])))

    def replace_with(self, other: "Simulation") -> None:
        """Take ``other``'s surface, start, runs and steps (a session just opened), at
        step 0; the listeners stay connected to this model."""
        self._surface, self._start = other.surface, other.start
        self._runs, self._steps, self._step = list(other.runs), other.steps, 0
        self._recompute_all()
        self.session_replaced.emit()

    def copy(self) -> "Simulation":
        """An independent model with the same surface, start, runs and steps, at step 0,
        and no listeners (exports draw it without moving the one on screen). Surfaces,
        optimizers and runs are immutable, so they are shared; the history is recomputed."""
        return Simulation(self._surface, self._start, self._runs, self._steps)

    # ---------------------------------------------------------- background
    def compute_in_background(self, on: bool = True) -> None:
        """Long recomputations go to a worker thread (core/filling.py): an edit computes
        the first ``QUICK`` steps of each run at once and the rest fills in; ``poll()``,
        called from the thread that listens, announces what grew. Off (the default:
        commands, tests) every edit computes everything before it returns."""
        if on and self._filler is None:
            self._filler = Filler()
        elif not on and self._filler is not None:
            self._filler.keep(())
            self._filler = None
            for t in self._trajectories:
                t.extend(self._step)

    @property
    def computing(self) -> bool:
        """True while a worker is still extending some run to the current step, or what
        it computed is not all visible yet."""
        return self._filler is not None and (
            self._filler.busy or any(t.pending for t in self._trajectories))

    def progress(self) -> float:
        """The share of the wanted steps computed (1.0 when nothing is left)."""
        if self._filler is None:
            return 1.0
        left, total = self._filler.remaining()
        return 1.0 if total <= 0 else 1.0 - left / total

    def poll(self, max_steps: int | None = None, max_runs: int | None = None) -> tuple[int, ...]:
        """Make visible what the worker computed — at most ``max_steps`` more steps a
        run (what the caller can draw in a frame), in the worker's chunks, and for at
        most ``max_runs`` runs (taken in turn from one call to the next: a frame redraws
        that many long runs, not all of them) — and announce (``history_changed``) the
        runs that grew; returns their indices. Call it from the thread the listeners
        live in."""
        if self._filler is None:
            return ()
        n = len(self._trajectories)
        first = self._poll_next % n if n else 0
        runs = []
        for i in sorted(range(n), key=lambda i: (i - first) % n):
            if max_runs is not None and len(runs) >= max_runs:
                break
            t = self._trajectories[i]
            if t.pending and t.publish(max_steps=max_steps):
                runs.append(i)
        if runs:
            self._poll_next = runs[-1] + 1
            runs.sort()
            self.history_changed.emit(tuple(runs))
        return tuple(runs)

    def wait(self, timeout: float = 60.0) -> bool:
        """Block until the worker has reached the current step (tests, commands)."""
        return self._filler is None or self._filler.wait(timeout)

    # ------------------------------------------------------------ internal
    def _extend(self, t: Trajectory, k: int) -> None:
        """t up to step k: at once, or the first QUICK steps now and the rest in the worker
        (a run the worker is on: what it computed up to k now, the rest as it comes)."""
        filler = self._filler
        if filler is None:
            t.extend(k)
        elif t.pending or filler.wants(t):
            t.publish(until=k)
            if t.computed < k:
                filler.want(t, k)
        elif k - t.steps <= QUICK:
            t.extend(k)
        else:
            t.extend(t.steps + QUICK)
            filler.want(t, k)

    def _new_trajectory(self, run: Run) -> Trajectory:
        t = Trajectory(self._surface, run, self._start)
        self._extend(t, self._step)
        return t

    def _recompute_all(self) -> None:
        self._trajectories = [self._new_trajectory(r) for r in self._runs]
        self._forget_old()

    def _forget_old(self) -> None:
        if self._filler is not None:
            self._filler.keep(self._trajectories)

    def _all(self) -> tuple[int, ...]:
        return tuple(range(len(self._runs)))


def check_run_on(surface: Surface, run: Run) -> None:
    """Refuse, in one sentence, a run whose optimizer cannot be torch's on this surface:
    on a network (more than two parameters) torch's Adafactor and Muon treat each weight
    matrix by itself, which a rule over the flattened parameters would not be."""
    opt = run.optimizer
    if getattr(surface, "dim", 2) > 2 and not opt.elementwise and not opt.needs_closure:
        raise ConfigError(f"{opt.title} cannot train the network surface: torch applies it to "
                          f"each weight matrix separately, not to the flattened parameters.")


def _check_steps(steps: int) -> int:
    if not 1 <= steps <= MAX_STEPS:
        raise ConfigError(f"steps must be a whole number from 1 to {MAX_STEPS:,}, got {steps}.")
    return steps
