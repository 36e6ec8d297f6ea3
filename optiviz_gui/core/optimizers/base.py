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

    kind is "float", "bool" or "pair" (two floats, e.g. Adam's betas).
    ``low``/``high`` bound what a control lets a person type; the exact validity
    condition is the optimizer's ``check`` (torch's own).
    """

    name: str
    default: Any
    kind: str = "float"
    low: float | None = None
    high: float | None = None
    doc: str = ""


class Optimizer:
    """Base class. Subclasses set the class attributes and write ``check`` and ``update``."""

    name: ClassVar[str]            # torch class name in lower case: "adam"
    title: ClassVar[str]           # torch class name: "Adam"
    hyper: ClassVar[tuple[Hyper, ...]]
    State: ClassVar[type]          # a NamedTuple: step, then torch's buffer names
    rule: ClassVar[str]            # the update rule as plain-text math, for the UI
    # the state buffer that is a running average of gradients (drawn as an arrow), and
    # its units: "gradient" (SGD's momentum_buffer, Adam's exp_avg) or "step" (a
    # running average of steps ÷ lr: RMSprop's momentum_buffer); None: keeps none
    velocity: ClassVar[tuple[str, str] | None] = None

    def __init__(self, **kwargs: Any) -> None:
        known = {h.name: h for h in self.hyper}
        for key in kwargs:
            if key not in known:
                raise ConfigError(f"{self.title} has no hyper-parameter '{key}' "
                                  f"(it takes {', '.join(known)}).")
        values = {}
        for h in self.hyper:
            values[h.name] = _coerce(self.title, h, kwargs.get(h.name, h.default))
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

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.hp == other.hp  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), tuple(self.hp.items())))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hp.items())
        return f"{self.title}({args})"


def require(ok: bool, title: str, key: str, message: str) -> None:
    """Raise ``ConfigError`` "Adam: betas[0] must be ..." unless ``ok``."""
    if not ok:
        raise ConfigError(f"{title}: {key} {message}.")


def _coerce(title: str, h: Hyper, value: Any) -> Any:
    """Type-check one value; ints become floats, lists become tuples."""
    def number(v, key):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)):
            raise ConfigError(f"{title}: {key} must be a number, got {v!r}.")
        v = float(v)
        if not math.isfinite(v):
            raise ConfigError(f"{title}: {key} must be a finite number, got {v!r}.")
        return v

    if h.kind == "bool":
        if not isinstance(value, (bool, np.bool_)):
            raise ConfigError(f"{title}: {h.name} must be true or false, got {value!r}.")
        return bool(value)
    if h.kind == "pair":
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            raise ConfigError(f"{title}: {h.name} must be a pair of numbers, got {value!r}.")
        return (number(value[0], f"{h.name}[0]"), number(value[1], f"{h.name}[1]"))
    return number(value, h.name)
