"""What every optimizer shares: hyper-parameter specs, validation, pure init/update.

An optimizer is a small immutable object holding torch.optim hyper-parameters
(same names, same defaults, same validity conditions) and two pure functions:

    state = opt.init(params)
    delta, state = opt.update(grad, state, params, xp)
    params = params + delta

``grad``, ``params`` and the state's buffers are "elementwise numbers": numpy
arrays of any shape (many start points at once, ``xp=numpy``) or Python floats
(one coordinate, ``xp=optiviz_gui.core.scalar``). Update rules use only
arithmetic operators and ``xp`` functions, so one text serves both.
The state is a NamedTuple whose fields carry torch's state names
(``step``, ``momentum_buffer``, ``exp_avg``, ...).

Optimizers whose rule mixes coordinates (norms over the whole parameter,
matrix products, line searches) set ``elementwise = False``: their arrays'
LAST axis is the parameter vector, shape (..., D), and Python floats are not
accepted.

A learning-rate scheduler changes ``lr`` (and ``momentum`` or ``betas``) between
steps, as torch does to ``param_group``: ``opt.scheduled(lr=...)`` is the
optimizer to use for the next step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np

from ..errors import ConfigError


@dataclass(frozen=True)
class Hyper:
    """One hyper-parameter: torch's keyword, default, kind and the range the UI offers.

    kind is one of

    - "float": a number (ints become floats);
    - "int": a whole number (torch's ``int`` keywords: ``max_iter``, ``T_max``);
    - "bool": true or false;
    - "pair" / "triple": two or three floats (Adam's betas, Muon's ns_coefficients);
    - "choice": one of ``choices`` (torch's string keywords; None may be one).

    ``optional``: None (JSON null) is accepted — for a number, as the whole
    value (LBFGS's ``max_eval``); for a pair, as its first part (Adafactor's
    ``eps = (None, 1e-3)``, the only such pair in torch).
    ``required``: torch has no default (StepLR's ``step_size``); ``default`` is
    then only the value a form starts from.
    ``low``/``high`` bound what a control lets a person type; the exact validity
    condition is the optimizer's ``check`` (torch's own).
    """

    name: str
    default: Any
    kind: str = "float"
    low: float | None = None
    high: float | None = None
    doc: str = ""
    choices: tuple = ()
    optional: bool = False
    required: bool = False


class Optimizer:
    """Base class. Subclasses set the class attributes and write ``check`` and ``update``."""

    name: ClassVar[str]            # torch class name in lower case: "adam"
    title: ClassVar[str]           # torch class name: "Adam"
    hyper: ClassVar[tuple[Hyper, ...]]
    State: ClassVar[type]          # a NamedTuple: step, then torch's buffer names
    rule: ClassVar[str]            # the update rule as plain-text math, for the UI
    note: ClassVar[str] = ""       # what else a reader of the rule should know (UI, README)
    # the state buffer that is a running average of gradients (drawn as an arrow), and
    # its units: "gradient" (SGD's momentum_buffer, Adam's exp_avg) or "step" (a
    # running average of steps ÷ lr: RMSprop's momentum_buffer); None: keeps none
    velocity: ClassVar[tuple[str, str] | None] = None
    # state fields the run keeps for every step, to draw (ASGD's averaged point ``ax``)
    recorded: ClassVar[tuple[str, ...]] = ()
    elementwise: ClassVar[bool] = True   # False: arrays of shape (..., D), never floats
    needs_closure: ClassVar[bool] = False  # True (LBFGS): step(params, state, closure), no update

    def __init__(self, **kwargs: Any) -> None:
        known = {h.name: h for h in self.hyper}
        for key in kwargs:
            if key not in known:
                raise ConfigError(f"{self.title} has no hyper-parameter '{key}' "
                                  f"(it takes {', '.join(known)}).")
        values = {}
        for h in self.hyper:
            values[h.name] = coerce(self.title, h, kwargs.get(h.name, h.default))
        self.hp = MappingProxyType(values)
        self.check(**values)
        for key, value in values.items():
            setattr(self, key, value)

    # ------------------------------------------------------------------ api
    def check(self, **hp: Any) -> None:
        """Raise ConfigError on torch's conditions; the message names the key."""

    def init(self, params):
        """Fresh state for ``params`` (array or float): step 0, every buffer zero."""
        zero = params * 0.0
        return self.State(0, *([zero] * (len(self.State._fields) - 1)))

    def update(self, grad, state, params, xp=np):  # pragma: no cover - abstract
        """Return (delta, new_state); the new params are ``params + delta``."""
        raise NotImplementedError

    # ---------------------------------------------------------------- helpers
    def settings(self) -> dict[str, Any]:
        """Hyper-parameters that differ from torch's defaults (for the session file)."""
        return {h.name: self.hp[h.name] for h in self.hyper if self.hp[h.name] != h.default}

    def replace(self, **changes: Any) -> "Optimizer":
        """A new optimizer with some hyper-parameters changed (validated)."""
        return type(self)(**{**self.hp, **changes})

    def scheduled(self, **group: Any) -> "Optimizer":
        """This optimizer with a scheduler's current ``lr`` (``momentum``, ``betas``).

        torch's schedulers write ``param_group["lr"]`` between steps; this is
        the same for our immutable optimizers: a shallow copy with those
        attributes replaced, not validated (torch checks only at construction)
        and with ``hp``/``settings()`` unchanged (they describe the session,
        not the schedule's value now). A value may be a numpy array of shape
        (N, 1) — one lr per start point — on the numpy path. Cheap: the run
        loop calls it before every scheduled step (about 0.5 µs, see
        benchmarks/optimizers.py).
        """
        new = _new(self.__class__)
        new.__dict__ = self.__dict__ | group
        return new

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.hp == other.hp  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), tuple(self.hp.items())))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hp.items())
        return f"{self.title}({args})"


_new = object.__new__


def require(ok: bool, title: str, key: str, message: str) -> None:
    """Raise ``ConfigError`` "Adam: betas[0] must be ..." unless ``ok``."""
    if not ok:
        raise ConfigError(f"{title}: {key} {message}.")


def coerce(title: str, h: Hyper, value: Any) -> Any:
    """Type-check one value of kind ``h.kind``; a bad one is a ConfigError naming the key."""
    def number(v, key):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)):
            raise ConfigError(f"{title}: {key} must be a number, got {v!r}.")
        v = float(v)
        if not math.isfinite(v):
            raise ConfigError(f"{title}: {key} must be a finite number, got {v!r}.")
        return v

    kind = h.kind
    if value is None and h.optional and kind != "pair":
        return None
    if kind == "bool":
        if not isinstance(value, (bool, np.bool_)):
            raise ConfigError(f"{title}: {h.name} must be true or false, got {value!r}.")
        return bool(value)
    if kind == "int":
        whole = value if isinstance(value, (int, np.integer)) else number(value, h.name)
        if isinstance(value, bool) or whole != int(whole):
            raise ConfigError(f"{title}: {h.name} must be a whole number, got {value!r}.")
        return int(whole)
    if kind == "choice":
        if not any(value == c and type(value) is type(c) for c in h.choices):
            names = " or ".join("null" if c is None else repr(c) for c in h.choices)
            raise ConfigError(f"{title}: {h.name} must be {names}, got {value!r}.")
        return value
    if kind in ("pair", "triple"):
        size = 2 if kind == "pair" else 3
        if not isinstance(value, (list, tuple)) or len(value) != size:
            what = "a pair" if size == 2 else "three"
            raise ConfigError(f"{title}: {h.name} must be {what} of numbers, got {value!r}.")
        return tuple(None if i == 0 and v is None and h.optional else number(v, f"{h.name}[{i}]")
                     for i, v in enumerate(value))
    return number(value, h.name)
