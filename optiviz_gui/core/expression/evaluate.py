"""Evaluating expression-graph nodes elementwise over ``xp`` (numpy arrays or Python floats).

A ``Program`` is the list of operations needed for some root nodes, in
dependency order, each shared sub-expression once. Running it is a loop over
that list with ``operator.add`` & co. and ``xp``'s functions (``xp.sin``,
``xp.power``, ...), so the same program serves ``numpy`` and
``optiviz_gui.core.scalar``. Nothing here ever sees the user's text: the
graph was built by the whitelist walker.

``evaluate(program, x, y, xp)`` adds the error policy:

* numpy: runs under ``np.errstate(all="ignore")``; log(-1) is nan, 1/0 is inf,
  never an exception. Results are float arrays of the broadcast shape of x, y.
* anything else (Python floats): the fast path; if a float operation raises
  (ZeroDivisionError, OverflowError, math's ValueError) the point is
  re-evaluated with numpy float64 scalars, so the answer is the same nan/inf
  numpy gives and no exception escapes.
"""

from __future__ import annotations

import operator

import numpy as np

from .nodes import BINARY, Node, postorder

_FLOAT_ERRORS = (ArithmeticError, ValueError)


def _square(a):
    return a * a


class Program:
    """Straight-line code for ``roots``; ``run(x, y, xp)`` returns their values."""

    def __init__(self, roots: list[Node]) -> None:
        order = postorder(roots)
        slot = {id(n): i for i, n in enumerate(order)}
        self._init = [n.value if n.op == "const" else None for n in order]
        self._ix = self._iy = -1
        self._code: list[tuple[int, str, int, int]] = []
        for i, n in enumerate(order):
            if n.op == "x":
                self._ix = i
            elif n.op == "y":
                self._iy = i
            elif n.op != "const":
                a = slot[id(n.args[0])]
                b = slot[id(n.args[1])] if len(n.args) == 2 else -1
                if n.op == "pow" and n.args[1].is_number(2.0):
                    self._code.append((i, "square", a, -1))
                else:
                    self._code.append((i, n.op, a, b))
        self._roots = [slot[id(r)] for r in roots]
        self._compiled: dict[object, list] = {}
        self.size = len(self._code)

    def _compile(self, xp) -> list:
        steps = []
        for i, op, a, b in self._code:
            if op in BINARY:
                fn = BINARY[op]
            elif op == "pow":
                fn = xp.power
            elif op == "neg":
                fn = operator.neg
            elif op == "square":
                fn = _square
            else:
                fn = getattr(xp, op)
            steps.append((i, fn, a, b))
        self._compiled[xp] = steps
        return steps

    def run(self, x, y, xp) -> list:
        steps = self._compiled.get(xp)
        if steps is None:
            steps = self._compile(xp)
        regs = self._init.copy()
        if self._ix >= 0:
            regs[self._ix] = x
        if self._iy >= 0:
            regs[self._iy] = y
        for i, fn, a, b in steps:
            regs[i] = fn(regs[a]) if b < 0 else fn(regs[a], regs[b])
        return [regs[r] for r in self._roots]


def evaluate(program: Program, x, y, xp=np) -> list:
    """The roots' values at (x, y) under the error policy in the module docstring."""
    if xp is np:
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        shape = np.broadcast_shapes(x.shape, y.shape)
        with np.errstate(all="ignore"):
            out = program.run(x, y, np)
        return [_as_array(v, shape) for v in out]
    x, y = float(x), float(y)
    try:
        return program.run(x, y, xp)
    except _FLOAT_ERRORS:
        with np.errstate(all="ignore"):
            out = program.run(np.float64(x), np.float64(y), np)
        return [float(v) for v in out]


def _as_array(v, shape) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    return v if v.shape == shape else np.broadcast_to(v, shape).copy()
