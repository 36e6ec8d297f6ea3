"""numpy's elementwise functions for plain Python floats.

Update rules and surfaces are written once, over "elementwise numbers", and take
the namespace to use as ``xp``: ``numpy`` for arrays of many start points, this
module for one start point, where Python floats are several times faster than
numpy's tiny-array calls. Like numpy, a value outside a function's domain gives
nan (or inf) instead of raising; only ``**`` on huge floats still raises
OverflowError, which the run loop treats as divergence.
"""

import math

pi = math.pi
e = math.e
inf = math.inf
nan = math.nan

sin = math.sin
cos = math.cos
tan = math.tan
sinh = math.sinh
cosh = math.cosh
tanh = math.tanh
arctan = math.atan
abs = abs  # noqa: A001 - mirrors numpy.abs
isfinite = math.isfinite


def maximum(a, b):
    """numpy.maximum for floats: nan wins, like numpy."""
    if a != a or b != b:
        return nan
    return a if a >= b else b


def minimum(a, b):
    if a != a or b != b:
        return nan
    return a if a <= b else b


def sqrt(x):
    return math.sqrt(x) if x >= 0 else (x if x != x else nan)


def exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        return inf


def log(x):
    if x > 0:
        return math.log(x) if x != inf else inf
    return -inf if x == 0 else nan


def log10(x):
    if x > 0:
        return math.log10(x) if x != inf else inf
    return -inf if x == 0 else nan


def arcsin(x):
    return math.asin(x) if -1 <= x <= 1 else nan


def arccos(x):
    return math.acos(x) if -1 <= x <= 1 else nan


def sign(x):
    """numpy.sign for floats: -1.0, 0.0, 1.0 (a float, like numpy), nan for nan."""
    return float((x > 0) - (x < 0)) if x == x else nan


def where(cond, a, b):
    return a if cond else b


def divide(a, b):
    """numpy.divide for floats: x/0 is ±inf and 0/0 is nan (IEEE 754), never ZeroDivisionError."""
    try:
        return a / b
    except ZeroDivisionError:
        if a != a or a == 0:
            return nan
        return math.copysign(inf, a) * math.copysign(1.0, b)


def power(a, b):
    """numpy.power for floats: (-8)**(1/3) is nan (not complex), 0**-1 is inf, overflow is ±inf."""
    a = float(a)
    b = float(b)
    odd = b % 2.0 == 1.0          # odd integer exponent (False for nan and inf)
    if -inf < a < 0 and math.isfinite(b) and b != math.floor(b):
        return nan
    try:
        return a ** b
    except ZeroDivisionError:     # 0.0 ** negative
        return math.copysign(inf, a) if odd else inf
    except OverflowError:
        return -inf if a < 0 and odd else inf
