"""The kernels' xp (kernels/xp.py, compiled) is core/scalar.py: the same names, the same numbers.

Where scalar.py's function raises (math.sin(inf) is a domain error, math.sinh(1e300)
overflows) the run loop takes it as divergence, as it takes the nan or inf that
numpy, and a kernel, give there: those points are compared with numpy's answer.
"""

import math

import numpy as np
import pytest

from optiviz_gui.core import scalar

numba = pytest.importorskip("numba")
from optiviz_gui.core.kernels import compile as _lowering, xp  # noqa: E402,F401 - pow lowering first

SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -8.0, 3.0, 1e-300, 1e300, -1e300, 709.0, 710.0,
           -745.0, 1e-5, 0.1, math.pi, -math.pi / 2, 1e16, math.inf, -math.inf, math.nan]


def names(module) -> set[str]:
    return {n for n in vars(module) if not n.startswith("_") and n not in ("annotations", "math")}


def test_the_two_namespaces_have_the_same_names():
    assert names(scalar) <= names(xp)
    assert names(xp) - names(scalar) <= {"njit", "scalar"}


def compiled(name: str, arity: int):
    args = ", ".join("ab"[:arity])
    namespace = {"xp": xp}
    exec(f"def f({args}):\n    return xp.{name}({args})\n", namespace)  # noqa: S102 - fixed names
    return numba.njit(error_model="numpy")(namespace["f"])


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))


UNARY = ["sin", "cos", "tan", "sinh", "cosh", "tanh", "arctan", "arcsin", "arccos", "abs",
         "sqrt", "exp", "log", "log10", "sign"]


@pytest.mark.parametrize("name", UNARY)
def test_unary_functions_give_scalars_numbers(name):
    fn = compiled(name, 1)
    for a in SPECIAL:
        try:
            expected = getattr(scalar, name)(a)
        except (OverflowError, ValueError):
            with np.errstate(all="ignore"):
                expected = getattr(np, name)(np.float64(a))
            assert not math.isfinite(expected)
        assert same(fn(a), float(expected)), (name, a, fn(a), expected)


@pytest.mark.parametrize("name", ["maximum", "minimum", "divide", "power"])
def test_binary_functions_give_scalars_numbers(name):
    fn = compiled(name, 2)
    for a in SPECIAL:
        for b in SPECIAL:
            if name == "divide" and b == 0 and a != a:
                continue
            assert same(fn(a, b), float(getattr(scalar, name)(a, b))), (name, a, b)


def test_where_and_isfinite_and_constants():
    namespace = {"xp": xp}
    exec("def f(c, a, b):\n    return xp.where(c, a, b)\n"
         "def g(a):\n    return xp.isfinite(a)\n"
         "def h():\n    return xp.pi, xp.e, xp.inf\n", namespace)  # noqa: S102 - fixed text
    where, isfinite, consts = (numba.njit(namespace[n]) for n in "fgh")
    assert where(True, 1.5, 2.5) == scalar.where(True, 1.5, 2.5)
    assert where(False, 1.5, 2.5) == scalar.where(False, 1.5, 2.5)
    assert [isfinite(a) for a in SPECIAL] == [scalar.isfinite(a) for a in SPECIAL]
    assert consts() == (scalar.pi, scalar.e, scalar.inf)


def test_the_processors_fma_is_fuseds_emulation():
    # kernels compile core/clipping.py with fused.fma_float replaced by the fma instruction
    from optiviz_gui.core import fused
    from optiviz_gui.core.kernels.compile import SUBSTITUTES, fma

    assert SUBSTITUTES[fused.fma_float] is fma
    run = numba.njit(lambda a, b, c: fma(a, b, c))
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=(2, 3000)) * 10.0 ** rng.uniform(-8, 8, (2, 3000))
    for x, y, z in zip(a, b, -a * b * (1 + rng.normal(size=3000) * 1e-12)):   # near cancellation
        assert same(run(x, y, z), fused.fma_float(x, y, z)), (x, y, z)
    assert run(0.1, 10.0, -1.0) == 5.551115123125783e-17
