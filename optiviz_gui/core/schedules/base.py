"""What every learning-rate scheduler shares: keyword specs, the param group, torch's step machinery.

torch's schedulers mutate the optimizer's ``param_group`` — ``lr``, and
``momentum`` or ``betas`` for the cycling ones — several schedulers on the
same group when chained or sequenced. Here each is pure:

    state = sched.init()                 # torch's constructor, its initial step included
    group = sched.group(state)           # {"lr": ...} in effect for the next optimizer step
    state = sched.step(state, loss)      # scheduler.step(); ReduceLROnPlateau: step(loss)

A state is ``SchedulerState(group, node, public)``: ``group`` the whole param
group as a dict (replaced, never changed in place: lr, initial_lr, the
cycling schedulers' max_lr/min_lr/momentum bounds, momentum or betas),
``public`` what ``group()`` returns, and ``node`` the scheduler's own
attributes (torch's ``last_epoch``, ``_step_count``,
``base_lrs``, ...; for SequentialLR and ChainedScheduler their children's
nodes). Each torch method that touches them is a pure function of
(node, group) here — ``construct`` (``__init__``), ``advance`` (``step()``),
``initial_step`` (``_initial_step()``), ``undo`` (SequentialLR's
``recursive_undo``), ``update_lr0`` (``_update_lr(0)``) — so a composite
calls its children exactly where torch does, quirks included.

Cost: the run loop steps the schedule every iteration, beside an optimizer
step of ~3 µs, so states are built with ``tuple.__new__`` (half a
NamedTuple call's cost), a step that leaves the lr as it is keeps the same
group dict, and ``group()`` returns the SAME dict object until a value
changes — a run loop can skip ``opt.scheduled`` while ``group(state) is`` the
previous one. That dict is shared: read it, never change it. Figures in
benchmarks/optimizers.py.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, ClassVar, NamedTuple

from ..errors import ConfigError
from ..expression import parse_function
from ..optimizers.base import Hyper, Optimizer, coerce


class SchedulerState(NamedTuple):
    group: dict     # the param group: never changed in place
    node: Any       # the scheduler's own attributes (a NamedTuple, nested for composites)
    public: dict    # {"lr": ...} (and momentum or betas where moved): what group() returns


_new = tuple.__new__      # NamedTuple(...) without its Python-level __new__: ~90 ns instead of ~180


class Scheduler:
    """Base class: keyword specs and validation, the public pure API, torch's group."""

    name: ClassVar[str]                 # torch class name in lower case: "steplr"
    title: ClassVar[str]                # torch class name: "StepLR"
    hyper: ClassVar[tuple[Hyper, ...]]
    summary: ClassVar[str]              # what it does, in one line (UI, README)

    def __init__(self, optimizer: Optimizer, **spec: Any) -> None:
        known = {h.name: h for h in self.hyper}
        for key in spec:
            if key not in known:
                raise ConfigError(f"{self.title} has no keyword '{key}' "
                                  f"(it takes {', '.join(known)}).")
        values = {}
        for h in self.hyper:
            if h.name not in spec and h.required:
                raise ConfigError(f"{self.title}: {h.name} is required "
                                  f"(for example {_json(h.default)}).")
            values[h.name] = self.coerce(h, spec.get(h.name, h.default), optimizer)
        self.hp = MappingProxyType(values)
        self.check(optimizer, **values)
        for key, value in values.items():
            setattr(self, key, value)
        self.optimizer = optimizer
        moved = self.moved_keys()
        self.public = ("lr",) + tuple(k for k in ("momentum", "betas")
                                      if k in moved and k in optimizer.hp)
        self._lr_only = len(self.public) == 1
        self._moved = None if self._lr_only else self.public[1]   # momentum or betas: not both

    # ------------------------------------------------------------------ public
    def init(self) -> SchedulerState:
        """torch's constructor on a fresh param group: the state before the first step."""
        node, group = self.construct(initial_group(self.optimizer))
        return SchedulerState(group, node, self._public(group))

    def group(self, state: SchedulerState) -> dict:
        """{"lr": ...} (and "momentum" or "betas" when this schedule moves them) for the next
        step: the same dict object while the values stay (shared: do not modify it)."""
        return state[2]

    def step(self, state: SchedulerState, loss=None) -> SchedulerState:
        """torch's ``scheduler.step()``; ``loss`` (a float, or an array of one per start
        point) is used by ReduceLROnPlateau only."""
        group = state[0]
        node, new = self.advance(state[1], group, loss)
        public = state[2] if new is group else self._public(new)
        return _new(SchedulerState, (new, node, public))

    def _public(self, group: dict) -> dict:
        """What ``group()`` returns, as a dict display (0.07 µs; a comprehension over
        ``public`` took 0.17, on every step of a cycling schedule)."""
        key = self._moved
        if key is None:
            return {"lr": group["lr"]}
        return {"lr": group["lr"], key: group[key]}

    def to_dict(self) -> dict[str, Any]:
        """The session's ``scheduler`` object: the name, required keywords and changed ones."""
        out: dict[str, Any] = {"name": self.name}
        for h in self.hyper:
            value = self.hp[h.name]
            if h.required or value != h.default:
                out[h.name] = _json(value)
        return out

    def __eq__(self, other: object) -> bool:
        """The same schedule: the same class and keywords (the run holds the optimizer)."""
        return type(self) is type(other) and self.to_dict() == other.to_dict()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), repr(self.to_dict())))

    # ------------------------------------------------- validation (subclasses)
    def check(self, optimizer: Optimizer, **hp: Any) -> None:
        """Raise ConfigError on torch's conditions (and on values torch would crash on later)."""

    def coerce(self, h: Hyper, value: Any, optimizer: Optimizer) -> Any:
        """Type-check one keyword: the optimizers' kinds, plus "ints" and "formula" (in t)."""
        if h.kind == "ints":
            if (not isinstance(value, (list, tuple))
                    or any(isinstance(v, bool) or not isinstance(v, int) for v in value)):
                raise ConfigError(f"{self.title}: {h.name} must be a list of whole numbers, "
                                  f"got {value!r}.")
            return tuple(value)
        if h.kind == "formula":
            if value is None and h.optional:
                return None
            return parse_function(value, "t", f"{self.title}: {h.name}")
        return coerce(self.title, h, value)

    @property
    def steps_allowed(self) -> int | None:
        """How many times it can step before torch raises (OneCycleLR: total_steps), or
        None when it never ends."""
        return None

    def moved_keys(self) -> set[str]:
        """Group keys besides lr this schedule writes (momentum or betas when it cycles them)."""
        return set()

    # ----------------------------------------- torch's methods, as pure functions
    def construct(self, group: dict):
        """torch's ``__init__`` on ``group``: (node, group)."""
        raise NotImplementedError

    def advance(self, node, group: dict, loss=None):
        """torch's ``step()``: (node, group)."""
        raise NotImplementedError

    def initial_step(self, node, group: dict):
        """torch's ``_initial_step()`` (SequentialLR calls it on a child again)."""
        raise NotImplementedError

    def undo(self, node):
        """SequentialLR's ``recursive_undo``: one step of ``last_epoch`` back."""
        raise NotImplementedError

    def update_lr0(self, node, group: dict):
        """torch's ``_update_lr(0)``, SequentialLR's call when a child's milestone comes."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{self.title}({', '.join(f'{k}={v!r}' for k, v in self.hp.items())})"


def initial_group(optimizer: Optimizer) -> dict:
    """The param group torch builds from the optimizer: lr, and momentum or betas if it has them."""
    group = {"lr": optimizer.lr}
    for key in ("momentum", "betas"):
        if key in optimizer.hp:
            group[key] = optimizer.hp[key]
    return group


def require(ok: bool, title: str, key: str, message: str) -> None:
    """Raise ``ConfigError`` "StepLR: step_size must be ..." unless ``ok``."""
    if not ok:
        raise ConfigError(f"{title}: {key} {message}.")


def _json(value: Any) -> Any:
    """A keyword's value as the session file writes it."""
    if isinstance(value, tuple):
        return [_json(v) for v in value]
    if isinstance(value, Scheduler):
        return value.to_dict()
    if hasattr(value, "source"):          # a parsed formula: the text as typed
        return value.source
    return value


# ------------------------------------------------------------------ chainable
class Epoch(NamedTuple):
    last_epoch: int
    step_count: int       # torch's _step_count
    base_lr: float        # torch's base_lrs[0]


class LRScheduler(Scheduler):
    """torch's ``LRScheduler`` and its chainable ``step()``: subclasses write ``get_lr``.

    ``get_lr(node, group, initial)`` returns (lr, group) — the group may gain
    a new momentum — from the node after ``last_epoch`` was advanced;
    ``initial`` is torch's ``_is_initial`` (the constructor's step).
    ``closed_form(node)`` is torch's ``_get_closed_form_lr`` where it has one
    (only SequentialLR's ``_update_lr(0)`` reaches it).
    """

    closed_form = None

    def construct(self, group):
        if "initial_lr" not in group:                   # torch's group.setdefault
            group = {**group, "initial_lr": group["lr"]}
        return self.initial_step(Epoch(-1, 0, group["initial_lr"]), group)

    def initial_step(self, node, group):
        """torch's ``_initial_step``: ``_step_count`` = 0, then a step in initial mode."""
        node = _new(Epoch, (node[0] + 1, 1, node[2]))
        lr, new = self.get_lr(node, group, True)
        return node, {**new, "lr": lr}

    def advance(self, node, group, loss=None):
        node = _new(Epoch, (node[0] + 1, node[1] + 1, node[2]))
        lr, new = self.get_lr(node, group, False)
        if new is group and lr is group["lr"]:        # unchanged: keep the same dict
            return node, group
        return node, {**new, "lr": lr}

    def step(self, state, loss=None):
        """``Scheduler.step`` with ``advance`` written in: the run loop's path, one call
        fewer (about 0.15 µs of the 0.8 µs a step costs; benchmarks/optimizers.py)."""
        group, (last_epoch, step_count, base_lr), public = state
        node = _new(Epoch, (last_epoch + 1, step_count + 1, base_lr))
        lr, new = self.get_lr(node, group, False)
        if new is group and lr is group["lr"]:
            return _new(SchedulerState, (group, node, public))
        new = {**new, "lr": lr}
        return _new(SchedulerState, (new, node, {"lr": lr} if self._lr_only else self._public(new)))

    def undo(self, node):
        return node._replace(last_epoch=node.last_epoch - 1)

    def update_lr0(self, node, group):
        node = node._replace(last_epoch=0)
        if self.closed_form is not None:
            lr = self.closed_form(node)
        else:
            lr, group = self.get_lr(node, group, False)
        return node, {**group, "lr": lr}

    def get_lr(self, node, group, initial):  # pragma: no cover - abstract
        raise NotImplementedError
