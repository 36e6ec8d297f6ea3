"""User-typed formula surfaces: safe parsing, exact gradient, elementwise evaluation.

    >>> f = parse("x^2 + 3*x*y")
    >>> f.value_and_grad(1.0, 2.0, scalar)          # f, ∂f/∂x = 2x + 3y, ∂f/∂y = 3x
    [7.0, 8.0, 3.0]
    >>> f.gradient_text()
    ('2*x + 3*y', '3*x')

A formula in one other variable — a schedule's ``lr_lambda`` in t — is read by
the same whitelist, with messages that name its key::

    >>> g = parse_function("0.95^t")
    >>> g(2)
    0.9025

How it is safe: the text is only ever given to ``ast.parse`` (which builds a
syntax tree and runs nothing); a whitelist walker turns that tree into our own
expression graph (``parse``) and rejects everything else with a
``ConfigError``. Values and derivatives are computed by walking that graph
(``evaluate``); no ``eval``/``exec``/``compile``-for-execution anywhere.

How the gradient is exact: symbolic differentiation of the graph
(``diff``), simplified (0*u, 1*u, u+0, constant folding) and
sharing sub-expressions with the value.

Evaluation never raises: with numpy (under ``np.errstate(all="ignore")``) and
with Python floats alike, a point outside a function's domain gives nan and an
overflow gives inf (log(x) at x < 0 is nan), which the run loop reads as
divergence.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import scalar
from ..errors import ConfigError
from .diff import derivative
from .evaluate import Program, evaluate
from .nodes import Node, to_text
from .parse import MAX_CHARS, parse_text
from ..surfaces.base import Surface

__all__ = ["Expr", "parse", "Function", "parse_function", "ExpressionSurface", "EXAMPLES",
           "DEFAULT_BOUNDS", "MAX_CHARS"]

# Starting formulas for the UI: name -> formula (each parses; ^ is **).
EXAMPLES: dict[str, str] = {
    "Bowl": "x^2 + y^2",
    "Elongated bowl": "x^2 + 10*y^2",
    "Rosenbrock": "(1 - x)^2 + 100*(y - x^2)^2",
    "Himmelblau": "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    "Booth": "(x + 2*y - 7)^2 + (2*x + y - 5)^2",
    "Beale": "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2",
    "Six-hump camel": "(4 - 2.1*x^2 + x^4/3)*x^2 + x*y + (4*y^2 - 4)*y^2",
    "Saddle": "x^2 - y^2",
    "Monkey saddle": "x^3 - 3*x*y^2",
    "Bumpy bowl": "sin(x)*cos(y) + 0.1*(x^2 + y^2)",
    "Rastrigin": "20 + x^2 - 10*cos(2*pi*x) + y^2 - 10*cos(2*pi*y)",
}

# The view window when none is given: a fixed square, so the picture is predictable.
DEFAULT_BOUNDS = ((-4.0, 4.0), (-4.0, 4.0))

# Default start: the first of these points (fractions of the window's width, height)
# where the value and gradient are finite and the gradient is not zero.
_START_FRACTIONS = ((0.25, 0.75), (0.75, 0.75), (0.75, 0.25), (0.25, 0.25),
                    (0.5, 0.75), (0.5, 0.25), (0.25, 0.5), (0.75, 0.5), (0.5, 0.5))


class Expr:
    """A checked formula in x and y with its exact gradient.

    ``source`` is the text as typed, ``text`` the normalised text (``^`` → ``**``,
    single spaces). ``value`` and ``value_and_grad`` take x, y as numpy arrays
    (``xp=numpy``, broadcast together) or Python floats (``xp=scalar``).
    """

    def __init__(self, source: str, text: str, root: Node, dx: Node, dy: Node) -> None:
        self.source = source
        self.text = text
        self.root, self.dx, self.dy = root, dx, dy
        self._value = Program([root])
        self._full = Program([root, dx, dy])

    @property
    def variables(self) -> frozenset[str]:
        """Which of "x", "y" the formula uses."""
        seen, stack, out = set(), [self.root], set()
        while stack:
            n = stack.pop()
            if id(n) not in seen:
                seen.add(id(n))
                if n.op in ("x", "y"):
                    out.add(n.op)
                stack.extend(n.args)
        return frozenset(out)

    def value(self, x, y, xp=np):
        return evaluate(self._value, x, y, xp)[0]

    def value_and_grad(self, x, y, xp=np) -> list:
        """[f, ∂f/∂x, ∂f/∂y] at (x, y)."""
        return evaluate(self._full, x, y, xp)

    def gradient_text(self, limit: int = 2000) -> tuple[str, str]:
        """(∂f/∂x, ∂f/∂y) as Python-syntax text, cut with "…" beyond ``limit`` characters."""
        return to_text(self.dx, limit), to_text(self.dy, limit)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"parse({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expr) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


def parse(text: str) -> Expr:
    """Check a typed formula and build it with its gradient; bad text raises ConfigError."""
    norm, graph, root = parse_text(text)
    dx = derivative(graph, root, "x")
    dy = derivative(graph, root, "y")
    return Expr(text, norm, root, dx, dy)


class Function:
    """A checked formula in one variable: ``f(t)`` is a Python float (nan or inf, never raising).

    ``source`` is the text as typed, ``text`` the normalised one. Values are
    Python-float arithmetic (``core.scalar``), the same numbers a Python
    ``lambda t: ...`` with ``math`` functions gives.
    """

    def __init__(self, source: str, text: str, root: Node) -> None:
        self.source = source
        self.text = text
        self._program = Program([root])

    def __call__(self, t: float) -> float:
        try:                                  # the fast path of evaluate(), without its wrapping
            return self._program.run(float(t), 0.0, scalar)[0]
        except (ArithmeticError, ValueError):
            return evaluate(self._program, t, 0.0, scalar)[0]

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"parse_function({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Function) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


def parse_function(text: str, variable: str = "t", key: str = "lr_lambda") -> Function:
    """Check a formula in ``variable``; bad text raises a ConfigError naming ``key``."""
    norm, _, root = parse_text(text, key, (variable,))
    return Function(text, norm, root)


class ExpressionSurface(Surface):
    """A surface from a typed formula: ``ExpressionSurface("x^2 + 3*x*y", bounds=None)``.

    View window: ``bounds`` if given (``[[x_min, x_max], [y_min, y_max]]``),
    else ``DEFAULT_BOUNDS`` = (-4, 4) × (-4, 4), which holds the minima of
    the classic test functions in ``EXAMPLES``. Start: the first of the points
    at (¼, ¾), (¾, ¾), (¾, ¼), (¼, ¼), (½, ¾), (½, ¼), (¼, ½), (¾, ½), (½, ½)
    of the window's width and height (from its lower-left corner) where the
    value and gradient are finite and the gradient is not zero; failing that,
    the first where they are finite; failing that, the centre. Minima are not
    known (an empty (0, 2) array).
    """

    kind = "expression"
    name = "expression"
    axis_labels = ("x", "y")

    def __init__(self, expr: str, bounds=None) -> None:
        self.expression = parse(expr)
        self.expr = expr
        self.formula = self.expression.text
        self.title = f"f(x, y) = {self.formula}"
        self._given_bounds = None if bounds is None else check_bounds(bounds)
        self.bounds = self._given_bounds or DEFAULT_BOUNDS
        self.minima = np.zeros((0, 2))
        self.start = self._default_start()

    def value_and_grad_xy(self, x, y, xp=np):
        return tuple(self.expression.value_and_grad(x, y, xp))

    def value_xy(self, x, y, xp=np):
        return self.expression.value(x, y, xp)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": "expression", "expr": self.expr}
        if self._given_bounds is not None:
            out["bounds"] = [list(self._given_bounds[0]), list(self._given_bounds[1])]
        return out

    def _default_start(self) -> tuple[float, float]:
        (x0, x1), (y0, y1) = self.bounds
        finite = None
        for fx, fy in _START_FRACTIONS:
            p = (x0 + fx * (x1 - x0), y0 + fy * (y1 - y0))
            f, gx, gy = self.expression.value_and_grad(p[0], p[1], scalar)
            if math.isfinite(f) and math.isfinite(gx) and math.isfinite(gy):
                if gx != 0 or gy != 0:
                    return p
                finite = finite or p
        return finite or (0.5 * (x0 + x1), 0.5 * (y0 + y1))

    def __repr__(self) -> str:
        return f"<ExpressionSurface {self.formula!r}>"


def check_bounds(bounds) -> tuple[tuple[float, float], tuple[float, float]]:
    """``[[x_min, x_max], [y_min, y_max]]`` with finite numbers and min < max, as tuples."""
    problem = ("bounds must be [[x_min, x_max], [y_min, y_max]] with finite numbers "
               f"and min < max, got {bounds!r}")
    try:
        (a, b), (c, d) = bounds
        vals = []
        for v in (a, b, c, d):
            if isinstance(v, (bool, str, bytes)):
                raise TypeError
            vals.append(float(v))
    except (TypeError, ValueError):
        raise ConfigError(f"{problem}.") from None
    a, b, c, d = vals
    if not all(math.isfinite(v) for v in vals) or not (a < b and c < d):
        raise ConfigError(f"{problem}.")
    return ((a, b), (c, d))
