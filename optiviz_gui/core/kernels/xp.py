"""The ``xp`` of compiled kernels: what core/scalar.py is to Python floats, for numba.

The rules and surfaces call ``xp.sqrt``, ``xp.maximum``, ``xp.where``...; in a
kernel ``xp`` is this module. numpy's ufuncs compile to scalar code with numpy's
semantics (a value outside a function's domain gives nan, never an exception),
which is what core/scalar.py reproduces for Python floats, and they call the same
libm as ``math``. Three names are not numpy's:

* ``where``: numba's ``np.where`` on scalars builds a 0-d array (176 ns a call
  against 0.8 ns, measured), so scalar.py's own ``where`` is compiled instead;
* ``sign``: numba's ``np.sign(-0.0)`` is -0.0 where numpy's (and scalar.py's) is
  0.0, so scalar.py's ``sign`` is compiled instead;
* ``power``: ``a ** b``, which kernels lower to libm's pow like CPython (numba's
  ``np.power`` would let LLVM rewrite ``x ** 0.5`` as ``sqrt(x)``; see compile.py).

Imported only by compile.py, after its lowering rules are registered.
"""

from numba import njit
from numpy import (  # noqa: F401 - the namespace the rules look names up in
    abs, arccos, arcsin, arctan, cos, cosh, divide, e, exp, inf, isfinite, log, log10,
    maximum, minimum, nan, pi, sin, sinh, sqrt, tan, tanh,
)

from .. import scalar

where = njit(scalar.where)
sign = njit(scalar.sign)


@njit
def power(a, b):
    """numpy.power for floats, as CPython's ``a ** b`` computes it (libm's pow)."""
    return a ** b
