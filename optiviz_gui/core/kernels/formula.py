"""A typed formula as Python source a kernel compiles, generated from its checked graph.

The formula's text never reaches this module: ``Expr`` (core/expression/) has
already parsed it under a whitelist into an expression graph and differentiated
it. This walks that graph in the order ``expression.evaluate.Program`` runs it and
writes one assignment per operation, exactly the operation the Program applies::

    def value_and_grad_xy(self, x, y, xp):
        v2 = x * x                 # pow with exponent 2 → a product, like Program's "square"
        v4 = 3.0 * v2
        v5 = xp.sin(y)
        ...
        return v9, v12, v7

``+ - * /``, unary minus and ``**`` are Python's operators on floats (in a kernel
``**`` is libm's pow, as in CPython: see compile.py); functions are ``xp``'s,
which in a kernel is numpy compiled by numba (libm underneath, as math's are).
Constants are written with ``repr`` (it reads back to the same float), ±inf
and nan as ``xp.inf`` and ``xp.nan``. Only graph operations known here become
text; anything else raises ValueError, so the source holds nothing but
numbers, the names x, y, vN and the whitelisted functions.
"""

from __future__ import annotations

import math
from functools import lru_cache

from ..expression import Expr
from ..expression.nodes import FUNCTIONS, Node, postorder

_OPERATORS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}
_CALLS = frozenset(FUNCTIONS) | {"sign"}


@lru_cache(maxsize=64)         # asked on every kernels.get; an Expr hashes by its text
def source(expr: Expr) -> str:
    """The module text defining ``value_and_grad_xy(self, x, y, xp)`` for ``expr``."""
    roots = [expr.root, expr.dx, expr.dy]
    names: dict[int, str] = {}
    lines = ["def value_and_grad_xy(self, x, y, xp):"]
    for node in postorder(roots):
        if node.op in ("const", "x", "y"):
            names[id(node)] = _constant(node.value) if node.op == "const" else node.op
            continue
        name = names[id(node)] = f"v{len(lines) - 1}"
        lines.append(f"    {name} = {_operation(node, names)}")
    lines.append("    return " + ", ".join(names[id(r)] for r in roots))
    return "\n".join(lines) + "\n"


def _operation(node: Node, names: dict[int, str]) -> str:
    args = [names[id(a)] for a in node.args]
    if node.op == "neg":
        return f"-{args[0]}"
    if node.op == "pow" and node.args[1].is_number(2.0):
        return f"{args[0]} * {args[0]}"
    if node.op in _OPERATORS:
        return f"{args[0]} {_OPERATORS[node.op]} {args[1]}"
    if node.op in _CALLS:
        return f"xp.{node.op}({args[0]})"
    raise ValueError(f"no kernel text for the graph operation {node.op!r}")


def _constant(value: float) -> str:
    if math.isnan(value):
        return "xp.nan"
    if math.isinf(value):
        return "xp.inf" if value > 0 else "(-xp.inf)"
    return f"({value!r})" if value < 0 or math.copysign(1.0, value) < 0 else repr(value)
