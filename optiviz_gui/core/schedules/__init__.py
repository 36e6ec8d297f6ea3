"""torch.optim.lr_scheduler-compatible learning-rate schedules: pure, immutable, replayable.

``SCHEDULERS`` maps torch's class name in lower case to the class; each
class's ``hyper`` is its keyword table (names, torch's defaults, kinds,
ranges for a form; ``required`` where torch has no default) and ``summary``
says what it does in one line. ``make_scheduler(spec, optimizer)`` reads a
session's ``"scheduler"`` object. The run loop (see the README) does, per
iteration k::

    loss_k, grad_k at θ_k             (clipped if asked)
    θ_{k+1} = θ_k + opt.scheduled(**sched.group(state)).update(...)
    state = sched.step(state, loss_k)

with ``state = sched.init()`` before the first step.
"""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError
from ..optimizers.base import Optimizer
from .base import Scheduler, SchedulerState
from .composite import ChainedScheduler, SequentialLR
from .cosine import CosineAnnealingLR, CosineAnnealingWarmRestarts
from .cyclic import CyclicLR, OneCycleLR
from .decay import ConstantLR, ExponentialLR, LinearLR, MultiStepLR, PolynomialLR, StepLR
from .lambdas import LambdaLR, MultiplicativeLR
from .plateau import ReduceLROnPlateau

SCHEDULERS: dict[str, type[Scheduler]] = {
    cls.name: cls
    for cls in (StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR,
                CosineAnnealingLR, CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR,
                ReduceLROnPlateau, SequentialLR, ChainedScheduler, LambdaLR, MultiplicativeLR)
}


def make_scheduler(spec: Any, optimizer: Optimizer) -> Scheduler:
    """``make_scheduler({"name": "steplr", "step_size": 30}, opt)``; bad specs raise ConfigError."""
    if not isinstance(spec, dict):
        raise ConfigError(f"scheduler must be an object such as "
                          f"{{\"name\": \"steplr\", \"step_size\": 30}}, got {spec!r}.")
    name = spec.get("name")
    if name is None:
        raise ConfigError(f"scheduler has no 'name' (known: {', '.join(SCHEDULERS)}).")
    cls = SCHEDULERS.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ConfigError(f"Unknown scheduler {name!r} (known: {', '.join(SCHEDULERS)}).")
    return cls(optimizer, **{k: v for k, v in spec.items() if k != "name"})


__all__ = [
    "SCHEDULERS", "Scheduler", "SchedulerState", "make_scheduler",
    "StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR", "PolynomialLR",
    "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR",
    "ReduceLROnPlateau", "SequentialLR", "ChainedScheduler", "LambdaLR", "MultiplicativeLR",
]
