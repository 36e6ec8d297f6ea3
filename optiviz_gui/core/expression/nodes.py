"""The formula's own expression graph: interned nodes, trivial simplification, text.

A formula is held as a DAG of ``Node`` objects built only through a ``Graph``,
which interns them: structurally equal sub-expressions are the same object, so
``sin(x)`` in a value and ``cos(x)`` in its derivative are computed once, and a
derivative's size grows linearly with the formula (no expression swell).

Node operations (``Node.op``):

    "const" (value)  "x"  "y"
    "neg" u   "add" u v   "sub" u v   "mul" u v   "div" u v   "pow" u v
    one-argument functions, named as in numpy (``FUNCTIONS``), and "sign"
    (only ever produced by differentiating ``abs``).

Every constructor folds constants (in float64, numpy semantics) and drops the
trivial cases ``u+0``, ``0+u``, ``u-0``, ``0-u``, ``0*u``, ``1*u``, ``-1*u``,
``u/1``, ``0/u``, ``u**1``, ``u**0``, ``1**u`` and ``--u``; in products it
moves constants to the front and signs outwards (``2*(y*(-3*x))`` becomes
``-6*(y*x)``), so derivatives read like hand-written ones. These rewrites are
exact up to rounding. Dropping ``0*u`` gives 0 where numpy would give nan for
an infinite ``u``; that is the usual convention of symbolic differentiation.
"""

from __future__ import annotations

import math
import operator

import numpy as np

# user-callable functions, numpy's names (what ``xp`` provides)
FUNCTIONS = ("sin", "cos", "tan", "exp", "log", "log10", "sqrt", "abs",
             "tanh", "sinh", "cosh", "arcsin", "arccos", "arctan")
UNARY = FUNCTIONS + ("sign", "neg")
BINARY = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
          "div": operator.truediv}   # "pow" is xp.power
SYMBOL = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}


class Node:
    """One interned operation; compare with ``is``. Build through ``Graph`` only."""

    __slots__ = ("op", "args", "value")

    def __init__(self, op: str, args: tuple["Node", ...] = (), value: float = 0.0):
        self.op = op
        self.args = args
        self.value = value

    @property
    def is_const(self) -> bool:
        return self.op == "const"

    def is_number(self, v: float) -> bool:
        return self.op == "const" and self.value == v

    def __repr__(self) -> str:
        return f"<Node {to_text(self, 80)}>"


def fold(op: str, *values: float) -> float:
    """Apply ``op`` to float constants with numpy's float64 semantics (nan/inf, never raises)."""
    a = [np.float64(v) for v in values]
    with np.errstate(all="ignore"):
        if op in BINARY:
            r = BINARY[op](a[0], a[1])
        elif op == "pow":
            r = np.power(a[0], a[1])
        elif op == "neg":
            r = -a[0]
        else:
            r = getattr(np, op)(a[0])
    return float(r)


class Graph:
    """Factory and intern table for the nodes of one formula and its derivatives."""

    def __init__(self) -> None:
        self._table: dict[tuple, Node] = {}
        self.x = self._intern("x", ())
        self.y = self._intern("y", ())

    def _intern(self, op: str, args: tuple[Node, ...], value: float = 0.0) -> Node:
        key = (op, value.hex() if op == "const" else None) + tuple(id(a) for a in args)
        node = self._table.get(key)
        if node is None:
            node = self._table[key] = Node(op, args, value)
        return node

    def __len__(self) -> int:
        return len(self._table)

    # ---------------------------------------------------------- constructors
    def const(self, v: float) -> Node:
        return self._intern("const", (), float(v))

    def neg(self, u: Node) -> Node:
        if u.is_const:
            return self.const(fold("neg", u.value))
        if u.op == "neg":
            return u.args[0]
        if u.op == "mul" and u.args[0].is_const:              # -(c*w) = (-c)*w
            return self.mul(self.const(-u.args[0].value), u.args[1])
        return self._intern("neg", (u,))

    def add(self, u: Node, v: Node) -> Node:
        if u.is_const and v.is_const:
            return self.const(fold("add", u.value, v.value))
        if u.is_number(0):
            return v
        if v.is_number(0):
            return u
        if v.op == "neg":
            return self.sub(u, v.args[0])
        if v.is_const and v.value < 0:
            return self.sub(u, self.const(-v.value))
        if v.op == "mul" and v.args[0].is_const and v.args[0].value < 0:   # u + (-c)*w
            return self.sub(u, self.mul(self.const(-v.args[0].value), v.args[1]))
        return self._intern("add", (u, v))

    def sub(self, u: Node, v: Node) -> Node:
        if u.is_const and v.is_const:
            return self.const(fold("sub", u.value, v.value))
        if v.is_number(0):
            return u
        if u.is_number(0):
            return self.neg(v)
        if v.op == "neg":
            return self.add(u, v.args[0])
        if v.is_const and v.value < 0:
            return self.add(u, self.const(-v.value))
        if v.op == "mul" and v.args[0].is_const and v.args[0].value < 0:   # u - (-c)*w
            return self.add(u, self.mul(self.const(-v.args[0].value), v.args[1]))
        return self._intern("sub", (u, v))

    def mul(self, u: Node, v: Node) -> Node:
        if u.is_const and v.is_const:
            return self.const(fold("mul", u.value, v.value))
        if v.is_const:                       # constants to the left: c*u
            u, v = v, u
        if u.is_number(0):
            return u
        if u.is_number(1):
            return v
        if u.is_number(-1):
            return self.neg(v)
        if u.op == "neg" or v.op == "neg":                       # (-a)*b = a*(-b) = -(a*b)
            a = u.args[0] if u.op == "neg" else u
            b = v.args[0] if v.op == "neg" else v
            prod = self.mul(a, b)
            return prod if (u.op == "neg") == (v.op == "neg") else self.neg(prod)
        if u.is_const:
            if v.op == "mul" and v.args[0].is_const:             # c1*(c2*w) = (c1*c2)*w
                return self.mul(self.const(fold("mul", u.value, v.args[0].value)), v.args[1])
        elif u.op == "mul" and u.args[0].is_const:               # (c*w)*v = c*(w*v)
            return self.mul(u.args[0], self.mul(u.args[1], v))
        elif v.op == "mul" and v.args[0].is_const:               # u*(c*w) = c*(u*w)
            return self.mul(v.args[0], self.mul(u, v.args[1]))
        return self._intern("mul", (u, v))

    def div(self, u: Node, v: Node) -> Node:
        if u.is_const and v.is_const:
            return self.const(fold("div", u.value, v.value))
        if v.is_number(1):
            return u
        if u.is_number(0):
            return u
        if u.op == "neg" or v.op == "neg":                       # (-a)/v = a/(-v) = -(a/v)
            a = u.args[0] if u.op == "neg" else u
            b = v.args[0] if v.op == "neg" else v
            q = self.div(a, b)
            return q if (u.op == "neg") == (v.op == "neg") else self.neg(q)
        return self._intern("div", (u, v))

    def pow(self, u: Node, v: Node) -> Node:
        if u.is_const and v.is_const:
            return self.const(fold("pow", u.value, v.value))
        if v.is_number(1):
            return u
        if v.is_number(0) or u.is_number(1):
            return self.const(1.0)
        return self._intern("pow", (u, v))

    def call(self, fn: str, u: Node) -> Node:
        if fn not in UNARY or fn == "neg":
            raise ValueError(f"unknown function {fn!r}")
        if u.is_const:
            return self.const(fold(fn, u.value))
        return self._intern(fn, (u,))


def postorder(roots) -> list[Node]:
    """Every node reachable from ``roots`` once, each after its arguments (no recursion)."""
    order: list[Node] = []
    done: set[int] = set()
    stack: list[tuple[Node, bool]] = [(r, False) for r in reversed(list(roots))]
    while stack:
        node, expanded = stack.pop()
        if id(node) in done:
            continue
        if expanded or not node.args:
            done.add(id(node))
            order.append(node)
        else:
            stack.append((node, True))
            stack.extend((a, False) for a in reversed(node.args))
    return order


# ------------------------------------------------------------------- text
_PREC = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3, "pow": 4}


def number_text(v: float) -> str:
    """Shortest text for a constant: 2 not 2.0, pi and e by name."""
    if v == math.pi:
        return "pi"
    if v == math.e:
        return "e"
    if math.isfinite(v) and v == int(v) and abs(v) < 1e16:
        return str(int(v))
    return repr(v)


def to_text(node: Node, limit: int = 4000) -> str:
    """Python-syntax text of ``node`` with minimal parentheses; cut with "…" past ``limit`` chars."""
    memo: dict[int, tuple[str, int]] = {}
    for n in postorder([node]):
        text, prec = _text(n, memo)
        memo[id(n)] = (text[:limit] + "…", prec) if len(text) > limit else (text, prec)
    return memo[id(node)][0]


def _text(node: Node, memo: dict) -> tuple[str, int]:
    """(text, precedence) of one node, its arguments' texts being in ``memo``."""
    op = node.op
    if op == "const":
        s = number_text(node.value)
        return s, 3 if s.startswith("-") else 5
    if op in ("x", "y"):
        return op, 5
    if op == "neg":
        s, p = memo[id(node.args[0])]
        return "-" + (s if p >= 2 else f"({s})"), 3    # -a*b: (-a)*b == -(a*b) exactly
    if op in SYMBOL:
        prec = _PREC[op]
        (a, pa), (b, pb) = (memo[id(arg)] for arg in node.args)
        if op == "pow":
            left = pa > prec          # (-x)**2, (x*y)**2
            right = pb >= 4           # x**y**z, x**(-1)
        else:
            left = pa >= prec
            right = pb > prec or (pb == prec and op in ("add", "mul"))
        a = a if left else f"({a})"
        b = b if right else f"({b})"
        return (f"{a} {SYMBOL[op]} {b}" if prec == 1 else f"{a}{SYMBOL[op]}{b}"), prec
    return f"{op}({memo[id(node.args[0])][0]})", 5
