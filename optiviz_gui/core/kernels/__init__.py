"""Compiled step loops (numba) for one start point: the Python path's rules, 20× faster and more.

    kernel = kernels.get(surface, optimizer)     # None until compiled (it starts compiling)
    if kernel is not None:
        result = kernel.run(params, loss, grad, state, k0, k1)   # see kernel.py
        # with a schedule: steps = kernels.schedule_steps(sched, sched_state, k0, k1 - k0, CHECKPOINT)
        #   kernel.run(..., lr=steps.lr, momentum=steps.momentum, clip_grad_norm=..., clip_grad_value=...)

A kernel runs the loop of ``Trajectory.extend`` with the Python path's own
update rule and surface functions compiled by numba — one text of the math, not
a second one — and gives the same numbers bit for bit (tests/core/test_kernels_*).
How (see plan.py, compile.py, loop.py): every function involved is copied with
its globals rebound to jitted copies, ``self`` becomes a namedtuple of the
attributes the code reads, ``xp`` becomes kernels/xp.py (numpy's functions,
compiled), and CPython's ``float ** x`` stays libm's pow. A typed formula's surface is generated
from its checked expression graph (formula.py), never from its text.

One compiled loop per optimizer class serves every surface: it calls the
surface through a C function pointer, and each surface (or formula) is compiled
once as a C callback, so n optimizers × m surfaces cost n + m small compilations
(the test suite's 9 × 14 take about 25 s), and a new formula compiles in a
fraction of a second. Inlining the surface into the loop was no faster: Adam's
step is mostly libm's pow. Figures (benchmarks/kernels.py, 2 cores, one run):
Trajectory.extend with a kernel runs 7–37 million steps/s, 23–58× the Python
path; Adam on the blog surface 9.0 million against 283 000.

Compilation is lazy and in the background (service.py): ``get`` returns None
while a child process compiles (2.5 s the first time, numba's import included),
so the caller runs the Python path meanwhile; ``get(..., wait=True)`` blocks.
numba keeps what it compiled in a per-user cache folder when one is writable,
so a later session has it ready in 0.17 s.
``OPTIVIZ_KERNELS=python`` in the environment forces the Python path; without
numba installed ``get`` returns None, silently.
"""

from __future__ import annotations

import importlib.util
import os

from . import service
from .kernel import Kernel, Result, Schedule, schedule_steps
from .plan import make_plans

__all__ = ["get", "enabled", "Kernel", "Result", "Schedule", "schedule_steps"]


def enabled() -> bool:
    """False when ``OPTIVIZ_KERNELS=python`` or numba is not installed: the Python path only."""
    if os.environ.get("OPTIVIZ_KERNELS", "").strip().lower() == "python":
        return False
    return _numba_installed()


def get(surface, optimizer, *, wait: bool = False, start: bool = True) -> Kernel | None:
    """The compiled loop for this surface and optimizer, bound to their current values.

    None when kernels are disabled, when no kernel can run this pair (an optimizer
    that is not elementwise, a surface numba cannot compile), or — without
    ``wait`` — while it is still compiling: the first call starts that, unless
    ``start`` is False (then it only looks for one already ready).
    """
    if not enabled():
        return None
    plans = make_plans(surface, optimizer)
    if plans is None:
        return None
    rule, shape = plans
    loop = service.compiled(rule, wait, start)
    surface_fn = service.compiled(shape, wait, start)
    if loop is None or surface_fn is None:
        return None
    return Kernel(loop, surface_fn, rule, shape, surface, optimizer)


_installed: list[bool] = []


def _numba_installed() -> bool:
    if not _installed:
        _installed.append(importlib.util.find_spec("numba") is not None)
    return _installed[0]
