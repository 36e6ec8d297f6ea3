r"""Exact symbolic derivatives of an expression graph (never finite differences).

``derivative(graph, node, var)`` returns the node of ∂node/∂var, built in the
same graph, so sub-expressions it shares with the value (``exp(u)`` in
``d exp(u) = exp(u) u'``) are the same nodes and are computed once. Results
are memoised per node, so the derivative has O(size of the formula) new nodes.

Rules, with u' = ∂u/∂var::

    (u ± v)' = u' ± v'          (u v)' = u' v + u v'        (u / v)' = u'/v − u v'/v²
    (−u)'   = −u'               (u^c)' = c u^(c−1) u'   (c constant: (-2)**2 works)
    (u^v)'  = u^v (v' ln u + v u'/u)                        (general case)
    sin' = cos   cos' = −sin   tan' = 1/cos²   exp' = exp   log' = 1/u
    log10' = 1/(u ln 10)       sqrt' = 1/(2 sqrt u)         abs' = sign(u)
    tanh' = 1 − tanh²   sinh' = cosh   cosh' = sinh
    arcsin' = 1/sqrt(1 − u²)   arccos' = −1/sqrt(1 − u²)    arctan' = 1/(1 + u²)
    sign' = 0   (sign only appears in derivatives of abs; 0 away from u = 0)
"""

from __future__ import annotations

import math

from .nodes import Graph, Node, postorder


def derivative(graph: Graph, node: Node, var: str) -> Node:
    """∂node/∂var for var "x" or "y", built in ``graph`` (iterative: no recursion limit)."""
    memo: dict[int, Node] = {}
    for n in postorder([node]):
        memo[id(n)] = _d(graph, n, var, memo)
    return memo[id(node)]


def _d(g: Graph, n: Node, var: str, memo: dict) -> Node:
    """∂n/∂var, the derivatives of n's arguments being in ``memo``."""
    op = n.op
    if op == "const":
        return g.const(0.0)
    if op in ("x", "y"):
        return g.const(1.0 if op == var else 0.0)
    u = n.args[0]
    du = memo[id(u)]
    if op == "neg":
        return g.neg(du)
    if len(n.args) == 2:
        return _binary(g, n, du, memo[id(n.args[1])])
    if du.is_number(0):
        return du
    return g.mul(_outer(g, op, u, n), du)


def _binary(g: Graph, n: Node, du: Node, dv: Node) -> Node:
    op = n.op
    u, v = n.args
    if op == "add":
        return g.add(du, dv)
    if op == "sub":
        return g.sub(du, dv)
    if op == "mul":
        return g.add(g.mul(du, v), g.mul(u, dv))
    if op == "div":
        # u'/v − u v'/v², written so that a constant u or v drops a term
        first = g.div(du, v)
        if dv.is_number(0):
            return first
        return g.sub(first, g.div(g.mul(u, dv), g.mul(v, v)))
    if op == "pow":
        if v.is_const:                                 # c u^(c−1) u'
            c = v.value
            return g.mul(g.mul(g.const(c), g.pow(u, g.const(c - 1.0))), du)
        # u^v (v' ln u + v u'/u)
        inner = g.add(g.mul(dv, g.call("log", u)), g.div(g.mul(v, du), u))
        return g.mul(n, inner)
    raise ValueError(f"no derivative rule for {op!r}")


def _outer(g: Graph, op: str, u: Node, n: Node) -> Node:
    """f'(u) for a one-argument function f, where ``n`` is the node f(u)."""
    one = g.const(1.0)
    if op == "sin":
        return g.call("cos", u)
    if op == "cos":
        return g.neg(g.call("sin", u))
    if op == "tan":
        c = g.call("cos", u)
        return g.div(one, g.mul(c, c))
    if op == "exp":
        return n
    if op == "log":
        return g.div(one, u)
    if op == "log10":
        return g.div(one, g.mul(u, g.const(math.log(10.0))))
    if op == "sqrt":
        return g.div(one, g.mul(g.const(2.0), n))
    if op == "abs":
        return g.call("sign", u)
    if op == "tanh":
        return g.sub(one, g.mul(n, n))
    if op == "sinh":
        return g.call("cosh", u)
    if op == "cosh":
        return g.call("sinh", u)
    if op in ("arcsin", "arccos"):
        r = g.div(one, g.call("sqrt", g.sub(one, g.mul(u, u))))
        return r if op == "arcsin" else g.neg(r)
    if op == "arctan":
        return g.div(one, g.add(one, g.mul(u, u)))
    if op == "sign":
        return g.const(0.0)
    raise ValueError(f"no derivative rule for {op!r}")
