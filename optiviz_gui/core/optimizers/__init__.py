"""torch.optim-compatible update rules: pure init/update, vectorised, torch's names.

``OPTIMIZERS`` maps torch's class name in lower case to the class;
``PRESETS`` names the SGD variants people know by other names.
Most rules are elementwise (``update`` on floats or arrays of any shape);
Adafactor and Muon take arrays of shape (..., D) (``elementwise = False``),
and LBFGS calls the loss itself (``needs_closure``: ``step(params, state, closure)``).
"""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adafactor import Adafactor
from .adam import Adam, AdamW
from .adamax import Adamax
from .asgd import ASGD
from .base import Hyper, Optimizer
from .lbfgs import LBFGS, Evaluation
from .muon import Muon
from .nadam import NAdam
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls
    for cls in (SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta, Adamax, NAdam, RAdam,
                Rprop, ASGD, Adafactor, LBFGS, Muon)
}

# display name -> (torch name, hyper-parameters)
PRESETS: dict[str, tuple[str, dict[str, Any]]] = {
    "Gradient descent": ("sgd", {"lr": 0.1}),
    "Momentum": ("sgd", {"lr": 0.1, "momentum": 0.9}),
    "Nesterov": ("sgd", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
}


def make_optimizer(name: str, **hyper: Any) -> Optimizer:
    """``make_optimizer("adam", lr=0.1)``; unknown names and bad values raise ConfigError."""
    try:
        cls = OPTIMIZERS[name]
    except (KeyError, TypeError):
        raise ConfigError(f"Unknown optimizer '{name}' (known: {', '.join(OPTIMIZERS)}).") from None
    return cls(**hyper)


__all__ = [
    "Hyper", "Optimizer", "OPTIMIZERS", "PRESETS", "make_optimizer",
    "SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam",
    "Rprop", "ASGD", "Adafactor", "LBFGS", "Muon", "Evaluation",
]
