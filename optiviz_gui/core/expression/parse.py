"""Reading a typed formula under a strict whitelist: text -> expression graph.

The text is normalised (whitespace runs become one space, ``^`` becomes ``**``)
and read with ``ast.parse(text, mode="eval")``, which only builds a syntax
tree and runs nothing. The tree is then walked and every node must be one of

    a number (int or float literal), x, y, pi, e,
    + - * / ** (binary), unary - and +, parentheses,
    a call f(u) of one allowed function with one positional argument.

Anything else (attributes, subscripts, other names or calls, keywords,
``*args``, comprehensions, lambdas, strings, comparisons, ``and``/``or``,
``:=``, ``if``-``else``, complex numbers, ...) raises ``ConfigError`` with one
sentence naming the problem and the column in the text as typed.

The variables are x and y by default; ``parse_text(text, key, variables)``
reads a formula in other names (a schedule's ``lr_lambda`` in t), the first
standing for x in the graph and the second, if any, for y; every message
then names ``key`` instead of ``expr`` and lists those variables.

Size limits keep parsing and evaluation bounded: at most ``MAX_CHARS``
characters, ``MAX_NODES`` syntax nodes and ``MAX_DEPTH`` levels of nesting.
All arithmetic is float64, so evaluating costs a fixed time per node however
large the numbers get; constant sub-expressions are folded at once and must
stay finite, and a constant exponent must satisfy ``|p| ≤ MAX_EXPONENT``, which
stops towers such as ``9**9**9`` before anything is computed (``x**y`` with a
variable exponent is allowed).
"""

from __future__ import annotations

import ast
import math

from ..errors import ConfigError
from .nodes import FUNCTIONS, Graph, Node, to_text

MAX_CHARS = 2000
MAX_NODES = 500
MAX_DEPTH = 50
MAX_EXPONENT = 64

ALIASES = {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "ln": "log"}
CONSTANTS = {"pi": math.pi, "e": math.e}
_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
_OPERATOR_TEXT = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<",
                  ast.RShift: ">>", ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^",
                  ast.Invert: "~", ast.Not: "not"}
_FORBIDDEN = {
    ast.Attribute: "attribute access", ast.Subscript: "indexing", ast.Slice: "slicing",
    ast.Lambda: "a lambda", ast.ListComp: "a comprehension", ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension", ast.GeneratorExp: "a generator expression",
    ast.JoinedStr: "an f-string", ast.FormattedValue: "an f-string",
    ast.Compare: "a comparison", ast.BoolOp: "'and'/'or'", ast.NamedExpr: "':=' assignment",
    ast.IfExp: "an 'if ... else' expression", ast.Starred: "'*' unpacking",
    ast.List: "a list", ast.Tuple: "a tuple (or a stray comma)", ast.Set: "a set",
    ast.Dict: "a dict", ast.Await: "'await'", ast.Yield: "'yield'", ast.YieldFrom: "'yield'",
}
FUNCTION_LIST = ", ".join(FUNCTIONS + tuple(ALIASES))


def normalise(text: str) -> tuple[str, list[int]]:
    """Collapse whitespace to single spaces, strip it, turn ``^`` into ``**``.

    Returns the new text and, for each of its characters, the index of the
    character it came from (so errors can point at the text as typed).
    """
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                where.append(i)
        elif ch == "^":
            out += "**"
            where += [i, i]
        else:
            out.append(ch)
            where.append(i)
    if out and out[-1] == " ":
        out.pop()
        where.pop()
    return "".join(out), where


def parse_text(text: object, key: str = "expr",
               variables: tuple[str, ...] = ("x", "y")) -> tuple[str, Graph, Node]:
    """Check ``text`` and build its graph; returns (normalised text, graph, root node)."""
    if not isinstance(text, str):
        raise ConfigError(f"{key}: the formula must be text, got {type(text).__name__}.")
    if len(text) > MAX_CHARS:
        raise ConfigError(f"{key}: the formula is {len(text)} characters long; "
                          f"at most {MAX_CHARS} are allowed.")
    norm, where = normalise(text)
    if not norm:
        example = "x**2 + y**2" if variables == ("x", "y") else f"0.95**{variables[0]}"
        raise ConfigError(f"{key}: the formula is empty; type one in "
                          f"{' and '.join(variables)}, e.g. {example}.")
    for i, ch in enumerate(norm):
        if ch == "#" or not ch.isprintable():
            raise ConfigError(f"{key}: at column {where[i] + 1}, the character {ch!r} "
                              f"is not allowed.")
    _check_brackets(norm, where, key)
    try:
        tree = ast.parse(norm, mode="eval")
    except SyntaxError as exc:
        offset = exc.offset or 0
        if 1 <= offset <= len(norm):
            raise ConfigError(f"{key}: syntax error at column {_column(where, offset - 1)} "
                              f"({exc.msg}).") from None
        raise ConfigError(f"{key}: the formula ends unexpectedly at column "
                          f"{_column(where, len(norm))} ({exc.msg}).") from None
    except (ValueError, MemoryError, RecursionError) as exc:
        raise ConfigError(f"{key}: the formula cannot be read ({exc}).") from None
    walker = _Walker(norm, where, key, variables)
    return norm, walker.graph, walker.build(tree.body, 1)


def _check_brackets(norm: str, where: list[int], key: str) -> None:
    """Parentheses leave no trace in the syntax tree, so their nesting is limited here."""
    depth = 0
    for i, ch in enumerate(norm):
        if ch in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ConfigError(f"{key}: at column {where[i] + 1}, the brackets are nested too "
                                  f"deeply (more than {MAX_DEPTH} levels).")
        elif ch in ")]}":
            depth -= 1


def _column(where: list[int], index: int) -> int:
    """1-based column in the text as typed for character ``index`` of the normalised text."""
    if not where:
        return 1
    if index >= len(where):
        return where[-1] + 2
    return where[max(index, 0)] + 1


class _Walker:
    """Builds graph nodes from whitelisted syntax nodes; rejects everything else."""

    def __init__(self, norm: str, where: list[int], key: str, variables: tuple[str, ...]) -> None:
        self.norm = norm
        self.where = where
        self.key = key
        self.graph = Graph()
        self.variables = dict(zip(variables, (self.graph.x, self.graph.y)))
        self.names = ", ".join(variables)
        self.nodes = 0
        self._bytes = norm.encode("utf-8")

    # ------------------------------------------------------------- errors
    def col(self, node: ast.AST) -> int:
        # ast offsets count UTF-8 bytes; turn them into characters
        index = len(self._bytes[: node.col_offset].decode("utf-8", errors="ignore"))
        return _column(self.where, index)

    def fail(self, node: ast.AST, problem: str) -> ConfigError:
        return ConfigError(f"{self.key}: at column {self.col(node)}, {problem}.")

    def snippet(self, node: ast.AST) -> str:
        s = ast.get_source_segment(self.norm, node) or type(node).__name__
        return s if len(s) <= 40 else s[:37] + "..."

    # --------------------------------------------------------------- walk
    def count(self, node: ast.AST) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(node, f"the formula is too long (more than {MAX_NODES} parts)")

    def build(self, node: ast.AST, depth: int) -> Node:
        self.count(node)
        if depth > MAX_DEPTH:
            raise self.fail(node, f"the formula is nested too deeply (more than {MAX_DEPTH} "
                                  f"levels)")
        g = self.graph
        kind = type(node)
        if kind is ast.Constant:
            return self.number(node)
        if kind is ast.Name:
            if node.id in self.variables:
                return self.variables[node.id]
            if node.id in CONSTANTS:
                return g.const(CONSTANTS[node.id])
            if node.id in FUNCTIONS or node.id in ALIASES:
                raise self.fail(node, f"the function '{node.id}' needs an argument in "
                                      f"parentheses, like {node.id}({next(iter(self.variables))})")
            raise self.fail(node, f"unknown name '{self.snippet(node)}' (only {self.names}, pi "
                                  f"and e can be used)")
        if kind is ast.UnaryOp:
            if isinstance(node.op, ast.UAdd):
                return self.build(node.operand, depth + 1)
            if isinstance(node.op, ast.USub):
                return g.neg(self.build(node.operand, depth + 1))
            raise self.fail(node, f"the operator '{_OPERATOR_TEXT.get(type(node.op), '?')}' "
                                  f"is not allowed")
        if kind is ast.BinOp:
            return self.binop(node, depth)
        if kind is ast.Call:
            return self.call(node, depth)
        what = _FORBIDDEN.get(kind)
        if what is None:
            what = f"'{self.snippet(node)}' ({kind.__name__})"
        raise self.fail(node, f"{what} is not allowed; only numbers, {self.names}, pi, e, "
                              f"+ - * / ** and functions such as "
                              f"sin({next(iter(self.variables))}) are")

    def number(self, node: ast.Constant) -> Node:
        v = node.value
        if isinstance(v, bool) or v is None or v is Ellipsis:
            raise self.fail(node, f"'{v!r}' is not allowed, only numbers")
        if isinstance(v, complex):
            raise self.fail(node, f"the complex number '{self.snippet(node)}' is not allowed")
        if isinstance(v, (str, bytes)):
            raise self.fail(node, "text in quotes is not allowed")
        if not isinstance(v, (int, float)):
            raise self.fail(node, f"'{self.snippet(node)}' is not allowed")
        try:
            f = float(v)
        except OverflowError:
            f = math.inf
        if not math.isfinite(f):
            raise self.fail(node, f"the number '{self.snippet(node)}' is too large")
        return self.graph.const(f)

    def binop(self, node: ast.BinOp, depth: int) -> Node:
        # a chain such as a + b - c + ... hangs down the left: walk it in a loop, so a
        # long sum or product is one level of nesting (and no deep recursion)
        spine = [node]
        while type(spine[-1].left) is ast.BinOp:
            spine.append(spine[-1].left)
            self.count(spine[-1])
        acc = self.build(spine[-1].left, depth + 1)
        for n in reversed(spine):
            op = _BINOPS.get(type(n.op))
            if op is None:
                symbol = _OPERATOR_TEXT.get(type(n.op), type(n.op).__name__)
                raise self.fail(n, f"the operator '{symbol}' is not allowed (use + - * / **)")
            right = self.build(n.right, depth + 1)
            if op == "pow" and right.is_const and abs(right.value) > MAX_EXPONENT:
                raise self.fail(n.right, f"the exponent {to_text(right, 30)} is too large "
                                         f"(a constant exponent must be between "
                                         f"-{MAX_EXPONENT} and {MAX_EXPONENT})")
            acc = self.finite(getattr(self.graph, op)(acc, right), n)
        return acc

    def call(self, node: ast.Call, depth: int) -> Node:
        func = node.func
        if not isinstance(func, ast.Name):
            raise self.fail(node, f"calling '{self.snippet(func)}' is not allowed "
                                  f"(only {FUNCTION_LIST})")
        name = ALIASES.get(func.id, func.id)
        if name not in FUNCTIONS:
            raise self.fail(node, f"'{self.snippet(func)}' is not a function you can use "
                                  f"(only {FUNCTION_LIST})")
        if node.keywords:
            raise self.fail(node, f"keyword arguments are not allowed in {func.id}(...)")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise self.fail(node, f"'*' unpacking is not allowed in {func.id}(...)")
        if len(node.args) != 1:
            raise self.fail(node, f"{func.id} takes exactly one argument, "
                                  f"got {len(node.args)}")
        out = self.graph.call(name, self.build(node.args[0], depth + 1))
        return self.finite(out, node)

    def finite(self, out: Node, node: ast.AST) -> Node:
        """A folded constant part must be a finite real number (1/0, log(0) are refused)."""
        if out.is_const and not math.isfinite(out.value):
            raise self.fail(node, f"the constant part '{self.snippet(node)}' is not a "
                                  f"finite real number")
        return out
