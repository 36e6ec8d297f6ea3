"""Small pieces the torch.optim rules share: torch's lerp and its usual validity checks.

Everything here works on "elementwise numbers" (numpy arrays or Python floats);
weights and hyper-parameters are plain Python floats.
"""

from __future__ import annotations

from .base import Hyper, require

# hyper-parameters several torch.optim classes share, with their torch defaults
MAXIMIZE = Hyper("maximize", False, kind="bool", doc="ascend instead of descend")
L2_PENALTY = Hyper("weight_decay", 0.0, low=0.0, high=1e3, doc="L2 penalty λ")
WEIGHT_DECAY = Hyper("weight_decay", 0.0, low=0.0, high=1e3, doc="weight decay λ")
BETAS = Hyper("betas", (0.9, 0.999), kind="pair", low=0.0, high=1.0,
              doc="β₁, β₂: decay rates of the gradient and squared-gradient averages")
DECOUPLED = Hyper("decoupled_weight_decay", False, kind="bool",
                  doc="shrink θ by γλ directly instead of adding λθ to the gradient")


def learning_rate(default: float, doc: str = "learning rate γ") -> Hyper:
    """torch's ``lr`` with this class's default."""
    return Hyper("lr", default, low=0.0, high=1e3, doc=doc)


def lerp(start, end, weight: float):
    """``torch.lerp(start, end, weight)`` with torch's two-sided formula.

    torch computes ``start + w·(end − start)`` when |w| < 0.5 and
    ``end − (end − start)·(1 − w)`` otherwise, so that w = 1 gives ``end``
    exactly. Moving averages such as ``exp_avg.lerp_(grad, 1 − β₁)`` use it.

    >>> lerp(1.0, 3.0, 0.25), lerp(1.0, 3.0, 1.0)
    (1.5, 3.0)
    """
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1 - weight)


def decayed_grad(opt, grad, params):
    """torch's first lines for the Adam family: (g, decay).

    g is the gradient, negated for ``maximize``, plus λθ for L2 weight decay;
    with ``decoupled_weight_decay`` g stays as it is and ``decay`` is the
    shrink θ·(1 − γλ) − θ to add to the step (torch's ``param.mul_(1 − lr·wd)``).
    """
    g = -grad if opt.maximize else grad
    decay = None
    if opt.weight_decay != 0:
        if opt.decoupled_weight_decay:
            decay = params * (1 - opt.lr * opt.weight_decay) - params
        else:
            g = g + opt.weight_decay * params
    return g, decay


def require_nonnegative(title: str, key: str, value: float) -> None:
    """torch's ``if not 0.0 <= value: raise ValueError(...)``."""
    require(0.0 <= value, title, key, f"must be ≥ 0, got {value}")


def require_betas(title: str, betas: tuple[float, float]) -> None:
    """torch's ``0 ≤ betas[0] < 1`` then ``0 ≤ betas[1] < 1``, in that order."""
    for i, beta in enumerate(betas):
        require(0.0 <= beta < 1.0, title, f"betas[{i}]", f"must be in [0, 1), got {beta}")
