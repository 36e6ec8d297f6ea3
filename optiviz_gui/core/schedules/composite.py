"""Schedulers made of schedulers: SequentialLR and ChainedScheduler ("schedulers": nested specs).

All children act on ONE param group, as in torch, where each is built on the
same optimizer before the composite: their constructors run in order, each
changing the group the next one starts from.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import NamedTuple

from ..errors import ConfigError
from ..optimizers.base import Hyper
from .base import Scheduler, require
from .plateau import ReduceLROnPlateau

SCHEDULERS_SPEC = Hyper(
    "schedulers", ({"name": "linearlr", "start_factor": 0.1, "total_iters": 10},
                   {"name": "cosineannealinglr", "T_max": 90}),
    kind="schedulers", required=True, doc="the schedulers, as objects with a name and keywords")


class Composite(Scheduler):
    """What both composites share: parsing their children."""

    def coerce(self, h, value, optimizer):
        if h.kind != "schedulers":
            return super().coerce(h, value, optimizer)
        from . import make_scheduler          # the registry imports this module
        if not isinstance(value, (list, tuple)) or not value:
            raise ConfigError(f"{self.title}: schedulers must be a non-empty list of schedulers "
                              f"such as {{\"name\": \"steplr\", \"step_size\": 30}}, got {value!r}.")
        children = []
        for i, spec in enumerate(value):
            try:
                child = make_scheduler(spec, optimizer)
            except ConfigError as e:
                raise ConfigError(f"{self.title}: schedulers[{i}]: {e}") from None
            require(not isinstance(child, ReduceLROnPlateau), self.title, f"schedulers[{i}]",
                    "cannot be reducelronplateau, which steps with the loss "
                    "(torch refuses it here too)")
            children.append(child)
        return tuple(children)

    def moved_keys(self):
        return set().union(*(child.moved_keys() for child in self.schedulers))

    def _construct_children(self, group):
        nodes = []
        for child in self.schedulers:
            node, group = child.construct(group)
            nodes.append(node)
        return nodes, group

    def undo(self, node):
        """torch's recursive_undo goes into the children; a composite's own count stays."""
        children = tuple(c.undo(n) for c, n in zip(self.schedulers, node.children))
        return node._replace(children=children)


class Sequence(NamedTuple):
    last_epoch: int
    children: tuple


class SequentialLR(Composite):
    r"""torch.optim.lr_scheduler.SequentialLR: scheduler i runs between milestones i − 1 and i.

    torch's quirks are kept: the constructor builds every child (each
    stepping the group once), puts the lr back to the initial one, winds
    every child's count back by one, and takes the first child's initial
    step again; at a milestone the next child starts with its closed form at
    step 0 (``_update_lr(0)``), from the lr the previous one left. A
    composite as a later child is refused: torch has no step-0 rule for it
    and fails at its milestone.

    >>> from optiviz_gui.core.optimizers import SGD
    >>> s = SequentialLR(SGD(lr=1.0), milestones=[2], schedulers=[
    ...     {"name": "constantlr", "factor": 0.5, "total_iters": 2},
    ...     {"name": "exponentiallr", "gamma": 0.5}])
    >>> state, lrs = s.init(), []
    >>> for _ in range(5):
    ...     lrs.append(s.group(state)["lr"]); state = s.step(state)
    >>> lrs
    [0.5, 0.5, 1.0, 0.5, 0.25]
    """

    name, title = "sequentiallr", "SequentialLR"
    summary = "runs its schedulers one after another, switching at the milestones"
    hyper = (
        SCHEDULERS_SPEC,
        Hyper("milestones", (10,), kind="ints", low=0, high=1_000_000, required=True,
              doc="the steps at which the next scheduler takes over"),
    )

    def check(self, optimizer, schedulers, milestones):
        require(len(milestones) == len(schedulers) - 1, self.title, "milestones",
                f"must hold one step fewer than schedulers ({len(schedulers)} schedulers, "
                f"{len(milestones)} milestones)")
        for i, child in enumerate(schedulers[1:], start=1):
            require(not isinstance(child, Composite), self.title, f"schedulers[{i}]",
                    f"cannot be {child.name} after the first (torch fails when its milestone "
                    f"comes); put the composite first or flatten it")

    @property
    def steps_allowed(self) -> int | None:
        """Child i steps from its milestone on (its count restarts there) until the next:
        the first child whose end comes before then ends the sequence."""
        starts = (0, *self.milestones)
        ends = (*self.milestones, None)
        for child, start, end in zip(self.schedulers, starts, ends):
            n = child.steps_allowed
            if n is not None and (end is None or start + n < end):
                return start + n
        return None

    def construct(self, group):
        nodes, group = self._construct_children(group)
        group = {**group, "lr": group["initial_lr"]}        # reset to the initial lr
        nodes = [c.undo(n) for c, n in zip(self.schedulers, nodes)]
        idx = bisect_right(self.milestones, 0)
        nodes[idx], group = self.schedulers[idx].initial_step(nodes[idx], group)
        return Sequence(0, tuple(nodes)), group

    def advance(self, node, group, loss=None):
        e = node.last_epoch + 1
        idx = bisect_right(self.milestones, e)
        child, nodes = self.schedulers[idx], list(node.children)
        if idx > 0 and self.milestones[idx - 1] == e:
            nodes[idx], group = child.update_lr0(nodes[idx], group)
        else:
            nodes[idx], group = child.advance(nodes[idx], group)
        return Sequence(e, tuple(nodes)), group

    def initial_step(self, node, group):
        return self.advance(node, group)      # torch's _initial_step is its step()


class Chain(NamedTuple):
    children: tuple


class ChainedScheduler(Composite):
    r"""torch.optim.lr_scheduler.ChainedScheduler: every step, each scheduler steps in turn.

    The effects compose on the one lr (a warm-up times a decay, say). The
    constructor adds no step of its own: the lr it starts from is what the
    children's constructors left.

    >>> from optiviz_gui.core.optimizers import SGD
    >>> s = ChainedScheduler(SGD(lr=1.0), schedulers=[
    ...     {"name": "constantlr", "factor": 0.5, "total_iters": 2},
    ...     {"name": "exponentiallr", "gamma": 0.5}])
    >>> state, lrs = s.init(), []
    >>> for _ in range(4):
    ...     lrs.append(s.group(state)["lr"]); state = s.step(state)
    >>> lrs
    [0.5, 0.25, 0.25, 0.125]
    """

    name, title = "chainedscheduler", "ChainedScheduler"
    summary = "steps all its schedulers every step, their effects multiplied"
    hyper = (SCHEDULERS_SPEC,)

    @property
    def steps_allowed(self) -> int | None:
        ends = [c.steps_allowed for c in self.schedulers if c.steps_allowed is not None]
        return min(ends) if ends else None

    def construct(self, group):
        nodes, group = self._construct_children(group)
        return Chain(tuple(nodes)), group

    def advance(self, node, group, loss=None):
        nodes = []
        for child, n in zip(self.schedulers, node.children):
            n, group = child.advance(n, group)
            nodes.append(n)
        return Chain(tuple(nodes)), group

    def initial_step(self, node, group):
        return self.advance(node, group)      # torch's _initial_step is its step()
