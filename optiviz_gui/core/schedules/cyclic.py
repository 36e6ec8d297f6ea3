"""Schedules that cycle the lr and, inversely, the momentum: CyclicLR and OneCycleLR.

With ``cycle_momentum`` (torch's default) they also write the optimizer's
momentum — ``momentum`` (SGD, RMSprop, Muon) or ``betas[0]`` (the Adam
family) — high when the lr is low and low when it is high; an optimizer
with neither is refused, as torch refuses it.
"""

from __future__ import annotations

import math

from ..optimizers.base import Hyper
from .base import Epoch, LRScheduler, require

CYCLE_MOMENTUM = Hyper("cycle_momentum", True, kind="bool",
                       doc="cycle momentum (or betas[0]) inversely to the lr")


def check_momentum(title: str, optimizer, cycle_momentum: bool) -> None:
    """torch: "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"."""
    require(not cycle_momentum or "momentum" in optimizer.hp or "betas" in optimizer.hp, title,
            "cycle_momentum", f"needs an optimizer with momentum or betas, and "
            f"{optimizer.title} has neither; set it to false")


def with_momentum(group: dict, momentum: float) -> dict:
    """The group with its momentum (or betas[0], for an optimizer with betas) set."""
    if "betas" in group:
        return {**group, "betas": (momentum, *group["betas"][1:])}
    return {**group, "momentum": momentum}


def momentum_bounds(group: dict, max_momentum: float, base_momentum: float) -> dict:
    """What both constructors write into the group when they cycle momentum."""
    return {**with_momentum(group, max_momentum), "max_momentum": max_momentum,
            "base_momentum": base_momentum}


class CyclicLR(LRScheduler):
    r"""torch.optim.lr_scheduler.CyclicLR: the lr runs up and down between base_lr and max_lr.

    With e the step, a cycle of up + down steps and r = up/(up + down)::

        cycle = ⌊1 + e/(up + down)⌋,   x = 1 + e/(up + down) − cycle
        h = x/r  (x ≤ r)   or   (x − 1)/(r − 1)  (after the peak)
        η = base_lr + (max_lr − base_lr)·h·s,   μ = max_momentum − (max_momentum − base_momentum)·h·s

    with s = 1 ("triangular"), 1/2^(cycle − 1) ("triangular2") or γ^e
    ("exp_range"), or the formula ``scale_fn`` in t, t being the cycle
    (``scale_mode`` "cycle") or the step ("iterations"); ``scale_mode`` only
    matters with a ``scale_fn``, as in torch. torch's constructor step runs
    from the group's initial lr (an earlier scheduler's, in a chain) and only
    then switches to base_lr: kept here.
    Reference: Smith, "Cyclical Learning Rates for Training Neural Networks" (2017).

    >>> from optiviz_gui.core.optimizers import SGD
    >>> s = CyclicLR(SGD(lr=0.1, momentum=0.9), base_lr=0.1, max_lr=0.5, step_size_up=2)
    >>> state, out = s.init(), []
    >>> for _ in range(5):
    ...     g = s.group(state); out.append((round(g["lr"], 9), round(g["momentum"], 9)))
    ...     state = s.step(state)
    >>> out
    [(0.1, 0.9), (0.3, 0.85), (0.5, 0.8), (0.3, 0.85), (0.1, 0.9)]
    """

    name, title = "cycliclr", "CyclicLR"
    summary = "cycles the lr between base_lr and max_lr (and momentum inversely)"
    hyper = (
        Hyper("base_lr", 1e-3, low=0.0, high=1e3, required=True, doc="the cycle's lowest lr"),
        Hyper("max_lr", 1e-2, low=0.0, high=1e3, required=True, doc="the cycle's highest lr"),
        Hyper("step_size_up", 2000, kind="int", low=1, high=1_000_000,
              doc="steps from base_lr up to max_lr"),
        Hyper("step_size_down", None, kind="int", low=0, high=1_000_000, optional=True,
              doc="steps from max_lr back down (null: step_size_up)"),
        Hyper("mode", "triangular", kind="choice",
              choices=("triangular", "triangular2", "exp_range"),
              doc="amplitude per cycle: constant, halved each cycle, or γ^step"),
        Hyper("gamma", 1.0, low=0.0, high=1.0, doc="γ of exp_range"),
        Hyper("scale_fn", None, kind="formula", optional=True,
              doc="your own amplitude scale in t (replaces mode), e.g. 0.5**t"),
        Hyper("scale_mode", "cycle", kind="choice", choices=("cycle", "iterations"),
              doc="scale_fn's t: the cycle number or the step"),
        CYCLE_MOMENTUM,
        Hyper("base_momentum", 0.8, low=0.0, high=1.0, doc="momentum at the lr's peak"),
        Hyper("max_momentum", 0.9, low=0.0, high=1.0, doc="momentum at the lr's lowest"),
    )

    def __init__(self, optimizer, **spec):
        super().__init__(optimizer, **spec)
        up = float(self.step_size_up)
        down = float(self.step_size_down) if self.step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        # torch's _init_scale_fn: the built-in modes fix the scale mode
        if self.scale_fn is None:
            self._scale_mode = "iterations" if self.mode == "exp_range" else "cycle"
        else:
            self._scale_mode = self.scale_mode

    def check(self, optimizer, base_lr, max_lr, step_size_up, step_size_down, mode, gamma,
              scale_fn, scale_mode, cycle_momentum, base_momentum, max_momentum):
        require(step_size_up >= 1, self.title, "step_size_up",
                f"must be ≥ 1 (torch divides by it), got {step_size_up}")
        require(step_size_down is None or step_size_down >= 0, self.title, "step_size_down",
                f"must be ≥ 0, got {step_size_down}")
        check_momentum(self.title, optimizer, cycle_momentum)

    def moved_keys(self):
        return {"momentum", "betas"} if self.cycle_momentum else set()

    def construct(self, group):
        group = {**group, "lr": self.base_lr}
        if self.cycle_momentum:
            group = momentum_bounds(group, self.max_momentum, self.base_momentum)
        if "initial_lr" not in group:
            group = {**group, "initial_lr": group["lr"]}
        node, group = self.initial_step(Epoch(-1, 0, group["initial_lr"]), group)
        return node._replace(base_lr=self.base_lr), group

    def _scale(self, cycle: int, e: int) -> float:
        x = cycle if self._scale_mode == "cycle" else e
        if self.scale_fn is not None:
            return self.scale_fn(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x

    def get_lr(self, node, group, initial):
        e = node.last_epoch
        cycle = math.floor(1 + e / self.total_size)
        x = 1.0 + e / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        scale = self._scale(cycle, e)
        lr = node.base_lr + (self.max_lr - node.base_lr) * scale_factor * scale
        if self.cycle_momentum:
            base_height = (self.max_momentum - self.base_momentum) * scale_factor
            group = with_momentum(group, self.max_momentum - base_height * scale)
        return lr, group


class OneCycleLR(LRScheduler):
    r"""torch.optim.lr_scheduler.OneCycleLR: one warm-up to max_lr, then annealing far below the start.

    η starts at max_lr/div_factor, rises to max_lr over the first
    pct_start·total_steps steps, then falls to (max_lr/div_factor)/final_div_factor
    at total_steps (``three_phase``: back to the start first, then down);
    momentum moves the other way between max_momentum and base_momentum.
    Each phase anneals from its start to its end value with p the fraction
    of the phase done: ``cos``: end + (start − end)/2·(1 + cos πp);
    ``linear``: (end − start)·p + start. ``total_steps`` or
    epochs·steps_per_epoch is the number of steps; like torch, stepping past
    it is an error (the run must not be longer).
    Reference: Smith & Topin, "Super-Convergence: Very Fast Training of Neural
    Networks Using Large Learning Rates" (2019).

    >>> from optiviz_gui.core.optimizers import Adam
    >>> s = OneCycleLR(Adam(), max_lr=1.0, total_steps=4, div_factor=4.0, final_div_factor=1.0,
    ...                anneal_strategy="linear", pct_start=0.5)
    >>> state, out = s.init(), []
    >>> for _ in range(4):
    ...     g = s.group(state); out.append((round(g["lr"], 9), round(g["betas"][0], 9)))
    ...     state = s.step(state)
    >>> out
    [(0.25, 0.95), (1.0, 0.85), (0.625, 0.9), (0.25, 0.95)]
    """

    name, title = "onecyclelr", "OneCycleLR"
    summary = "the 1cycle policy: lr up to max_lr, then down far below the start, in total_steps"
    hyper = (
        Hyper("max_lr", 1e-2, low=0.0, high=1e3, required=True, doc="the peak lr"),
        Hyper("total_steps", None, kind="int", low=1, high=1_000_000, optional=True,
              doc="steps in the cycle (null: epochs·steps_per_epoch)"),
        Hyper("epochs", None, kind="int", low=1, high=1_000_000, optional=True,
              doc="with steps_per_epoch, the cycle's length when total_steps is null"),
        Hyper("steps_per_epoch", None, kind="int", low=1, high=1_000_000, optional=True,
              doc="with epochs, the cycle's length when total_steps is null"),
        Hyper("pct_start", 0.3, low=0.0, high=1.0, doc="fraction of the cycle spent rising"),
        Hyper("anneal_strategy", "cos", kind="choice", choices=("cos", "linear"),
              doc="how each phase moves from its start to its end"),
        CYCLE_MOMENTUM,
        Hyper("base_momentum", 0.85, low=0.0, high=1.0, doc="momentum at the lr's peak"),
        Hyper("max_momentum", 0.95, low=0.0, high=1.0, doc="momentum at the start and the end"),
        Hyper("div_factor", 25.0, low=1.0, high=1e6, doc="initial lr = max_lr/div_factor"),
        Hyper("final_div_factor", 1e4, low=1.0, high=1e9,
              doc="final lr = initial lr/final_div_factor"),
        Hyper("three_phase", False, kind="bool",
              doc="rise, fall back to the initial lr, then anneal (the paper's form)"),
    )

    def __init__(self, optimizer, **spec):
        super().__init__(optimizer, **spec)
        self.total = self.total_steps or self.epochs * self.steps_per_epoch
        self.phases = phases(self.total, self.pct_start, self.three_phase)

    def check(self, optimizer, max_lr, total_steps, epochs, steps_per_epoch, pct_start,
              anneal_strategy, cycle_momentum, base_momentum, max_momentum, div_factor,
              final_div_factor, three_phase):
        t = self.title
        if total_steps is not None:
            require(total_steps > 0, t, "total_steps", f"must be a positive whole number, "
                                                       f"got {total_steps}")
            total = total_steps
        else:
            require(epochs is not None and steps_per_epoch is not None, t, "total_steps",
                    "is needed, or epochs and steps_per_epoch (torch: you must define either "
                    "total_steps OR (epochs AND steps_per_epoch))")
            require(epochs > 0, t, "epochs", f"must be a positive whole number, got {epochs}")
            require(steps_per_epoch > 0, t, "steps_per_epoch",
                    f"must be a positive whole number, got {steps_per_epoch}")
            total = epochs * steps_per_epoch
        require(0 <= pct_start <= 1, t, "pct_start", f"must be in [0, 1], got {pct_start}")
        check_momentum(t, optimizer, cycle_momentum)
        require(div_factor != 0, t, "div_factor", "must not be 0 (torch divides by it)")
        require(final_div_factor != 0, t, "final_div_factor", "must not be 0 (torch divides by it)")
        # torch divides by each phase's length when a step falls in it: refuse a phase of
        # length 0 that a step 0..total reaches (e.g. pct_start·total_steps = 1)
        start = 0.0
        for i, (end, *_keys) in enumerate(phases(total, pct_start, three_phase)):
            first_step = 0 if i == 0 else math.floor(start) + 1
            last_step = total if i == (3 if three_phase else 2) - 1 else math.floor(end)
            require(end != start or first_step > last_step, t, "pct_start",
                    f"{pct_start} with {total} steps makes phase {i + 1} zero steps long, "
                    f"and torch divides by its length")
            start = end

    def moved_keys(self):
        return {"momentum", "betas"} if self.cycle_momentum else set()

    @property
    def steps_allowed(self) -> int:
        return self.total

    def construct(self, group):
        initial_lr = self.max_lr / self.div_factor
        group = {**group, "initial_lr": initial_lr, "max_lr": self.max_lr,
                 "min_lr": initial_lr / self.final_div_factor}
        if self.cycle_momentum:
            group = momentum_bounds(group, self.max_momentum, self.base_momentum)
        return self.initial_step(Epoch(-1, 0, group["initial_lr"]), group)

    def get_lr(self, node, group, initial):
        step_num = node.last_epoch
        if step_num > self.total:           # (the sentence is built only then: 0.3 µs a step)
            require(False, self.title, "total_steps",
                    f"is {self.total}, and the run stepped the schedule {step_num} times "
                    f"(torch raises here); make the cycle at least as long as the run")
        start_step = 0.0
        last = len(self.phases) - 1
        for i, (end_step, start_lr, end_lr, start_m, end_m) in enumerate(self.phases):
            if step_num <= end_step or i == last:
                pct = (step_num - start_step) / (end_step - start_step)
                cos = self.anneal_strategy == "cos"
                w = math.cos(math.pi * pct) + 1 if cos else pct    # one cosine for both
                lr = _anneal(group[start_lr], group[end_lr], w, cos)
                if self.cycle_momentum:
                    group = with_momentum(group, _anneal(group[start_m], group[end_m], w, cos))
                return lr, group
            start_step = end_step


def _anneal(start, end, w, cos: bool):
    """torch's ``_annealing_cos`` (w = cos(π·pct) + 1) or ``_annealing_linear`` (w = pct)."""
    return end + (start - end) / 2.0 * w if cos else (end - start) * w + start


def phases(total: int, pct_start: float, three_phase: bool) -> tuple:
    """torch's ``_schedule_phases``: (end_step, start lr, end lr, start momentum, end momentum)."""
    if three_phase:
        return (
            (float(pct_start * total) - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
            (float(2 * pct_start * total) - 2, "max_lr", "initial_lr", "base_momentum",
             "max_momentum"),
            (total - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
        )
    return (
        (float(pct_start * total) - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
        (total - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
    )
