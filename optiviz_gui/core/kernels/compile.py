"""Compiling a Plan with numba: the Python path's own functions, rebound and jitted.

Imported only when a kernel is built (numba costs about 0.2 s to import).

How one text serves both paths: every function a kernel needs — the optimizer's
``update``, the surface's ``value_and_grad_xy``, ``lerp``, ``decayed_grad``,
``_centred`` and whatever else they call — is copied with its globals rebound to
jitted copies of the functions it calls, and compiled by numba. ``self`` becomes
a namedtuple of the attributes the plan lists, ``xp`` is kernels/xp.py (numpy's
functions, compiled: libm's, like math's), a state's ``step`` is a float (exact
below 2⁵³, and ``β**step`` then means what CPython's float ** int means).

Two lowering rules make the compiled arithmetic CPython's, bit for bit:

* ``float ** float`` and ``float ** int`` call libm's ``pow``, marked ``nobuiltin``.
  numba's own lowering uses LLVM's pow intrinsic, which LLVM may rewrite:
  ``x**0.5`` becomes ``sqrt(x)``, which differs from glibc's pow in 19 of 20 000
  random x (measured), and ``x**k`` with an int k becomes a product loop, which
  differed in 19 992 of 20 000 powers 0.999**k. CPython calls pow() for both.
  Registered for float64 only, more specific than numba's own, so it is chosen
  in every function compiled in this process (only kernels use numba here).
  Declared readnone (errno is never read), so LLVM computes a repeated β**t once.
* ``fma`` is LLVM's fused multiply-add (one rounding): it stands in for
  core/fused.py's exact emulation in torch's gradient norm (core/clipping.py).

No fast-math: LLVM keeps the order of every operation and contracts nothing
into FMAs, so results equal the Python path's (see tests/core/test_kernels_*.py).
"""

from __future__ import annotations

import collections
import operator
import types

from llvmlite import ir
from numba import cfunc, njit
from numba.core import cgutils
from numba.core import types as nbtypes
from numba.core.imputils import lower_builtin
from numba.extending import intrinsic

from .. import fused
from . import loop, xp
from .plan import OptimizerPlan, SurfacePlan, code_names

# nogil: a long kernel leaves the GIL to the GUI thread; numpy's error model: 1/0
# is inf and 0/0 nan (Python raises; the run loop treats both as divergence)
JIT = {"nogil": True, "error_model": "numpy"}


# ------------------------------------------------------- CPython's arithmetic
def _libm_pow(context, builder, sig, args):
    x, y = args
    if isinstance(sig.args[1], nbtypes.Integer):
        y = builder.sitofp(y, ir.DoubleType())
    double = ir.DoubleType()
    fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(double, [double, double]), "pow")
    fn.attributes.add("nobuiltin")
    fn.attributes.add("readnone")
    fn.attributes.add("nounwind")
    return builder.call(fn, (x, y))


for _op in (operator.pow, operator.ipow):
    lower_builtin(_op, nbtypes.float64, nbtypes.float64)(_libm_pow)
    lower_builtin(_op, nbtypes.float64, nbtypes.int64)(_libm_pow)


@intrinsic
def pointer(typingctx, array, offset):
    """The address of ``array``'s element ``offset`` (flat, C order) as a C pointer."""
    sig = nbtypes.CPointer(array.dtype)(array, offset)

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        return builder.gep(data, [args[1]])
    return sig, codegen


@intrinsic
def fma(typingctx, a, b, c):
    """a·b + c rounded once (LLVM's llvm.fma.f64)."""
    sig = nbtypes.float64(nbtypes.float64, nbtypes.float64, nbtypes.float64)

    def codegen(context, builder, signature, args):
        double = ir.DoubleType()
        fnty = ir.FunctionType(double, [double, double, double])
        return builder.call(cgutils.get_or_insert_function(builder.module, fnty, "llvm.fma.f64"), args)
    return sig, codegen


# ------------------------------------------------------------------ rebinding
_jitted: dict[types.FunctionType, object] = {}
# Python functions a kernel takes from elsewhere: fused.fma_float emulates a fused
# multiply-add with error-free transformations; the processor's gives the same
# correctly rounded number (tests/core/test_kernels_xp.py)
SUBSTITUTES = {fused.fma_float: fma}


def jit(fn: types.FunctionType, **bound):
    """``fn`` compiled lazily by numba, its module-level functions jitted too, ``bound`` in its globals.

    Copies without ``bound`` are shared (``lerp`` compiles once for every kernel).
    """
    if not bound and fn in _jitted:
        return _jitted[fn]
    namespace = dict(fn.__globals__)
    for name in code_names(fn.__code__):
        g = namespace.get(name)
        if isinstance(g, types.FunctionType) and name not in bound:
            namespace[name] = SUBSTITUTES.get(g) or jit(g)
    namespace.update(bound)
    copy = types.FunctionType(fn.__code__, namespace, fn.__name__, fn.__defaults__, fn.__closure__)
    copy.__qualname__ = fn.__qualname__
    compiled = njit(**JIT)(copy)
    if not bound:
        _jitted[fn] = compiled
    return compiled


def _maker(cls: type):
    """A jitted ``make(values)``: the namedtuple ``cls`` from a tuple of its values."""
    namespace = {"cls": cls}
    exec("def make(values):\n    return cls(*values)\n", namespace)  # noqa: S102 - fixed text
    return njit(**JIT)(namespace["make"])


def _pointer_maker(cls: type, spec):
    """A jitted ``make(p)``: the namedtuple ``cls`` from the flat floats at pointer p (see plan.flat)."""
    args, i = [], 0
    for _, kind in spec:
        if kind == "bool":
            args.append(f"p[{i}] != 0.0")
        elif kind == "int":
            args.append(f"int(p[{i}])")
        elif kind == "float":
            args.append(f"p[{i}]")
        else:
            args.append("(" + "".join(f"p[{i + j}], " for j in range(kind)) + ")")
        i += 1 if isinstance(kind, str) else kind
    namespace = {"cls": cls}
    exec(f"def make(p):\n    return cls({', '.join(args)})\n", namespace)  # noqa: S102 - from field kinds
    return njit(**JIT)(namespace["make"])


@njit(**JIT)
def _as_is(state, like):
    return state


def _group_helpers(hp_cls: type):
    """``with_group(hp, lr, momentum)`` and ``momentum_of(hp)`` for this optimizer's fields.

    A schedule moves lr and, for CyclicLR/OneCycleLR, ``momentum`` or β₁ (``betas[0]``),
    like torch's param_group["lr"], ["momentum"], ["betas"].
    """
    fields = hp_cls._fields
    args = [{"lr": "lr", "momentum": "momentum", "betas": "(momentum, hp.betas[1])"}.get(f, f"hp.{f}")
            for f in fields]
    current = "hp.momentum" if "momentum" in fields else "hp.betas[0]" if "betas" in fields else "0.0"
    text = (f"def with_group(hp, lr, momentum):\n    return HP({', '.join(args)})\n\n"
            f"def momentum_of(hp):\n    return {current}\n")
    namespace = {"HP": hp_cls}
    exec(text, namespace)  # noqa: S102 - built from the namedtuple's field names
    return njit(**JIT)(namespace["with_group"]), njit(**JIT)(namespace["momentum_of"])


# -------------------------------------------------------------------- kernels
# The C signature of every compiled surface: (parameters, x, y, batch means) -> (f, ∂f/∂x, ∂f/∂y)
_DOUBLES = nbtypes.CPointer(nbtypes.float64)
SURFACE_SIGNATURE = nbtypes.UniTuple(nbtypes.float64, 3)(_DOUBLES, nbtypes.float64, nbtypes.float64, _DOUBLES)


def build_loop(plan: OptimizerPlan, anchor: str | None):
    """The loop of ``plan``'s optimizer, compiled (or loaded from numba's cache) for the one
    signature ``Kernel.run`` calls it with; it refuses to compile anything else later.

    With ``anchor`` (a file in a writable folder) numba caches it on disk beside
    that file under a name made of the plan's fingerprint; None: in memory only.
    """
    hp_cls = collections.namedtuple("HyperParameters", [f for f, _ in plan.hp])
    with_group, momentum_of = _group_helpers(hp_cls)
    make_state = _maker(plan.optimizer.State)
    shared = plan.optimizer.State._fields[0] == "step"
    bound = {"update": jit(plan.optimizer.update), "make_hp": _maker(hp_cls),
             "make_state": make_state,
             "same_step": jit(loop.same_step, make_state=make_state) if shared else _as_is,
             "with_group": with_group, "momentum_of": momentum_of, "clip": jit(loop.clip),
             "pointer": pointer, "xp": xp}
    fn = _copy(loop.run, bound, f"loop_{plan.fingerprint()[:24]}", anchor)
    dispatcher = njit(cache=anchor is not None, **JIT)(fn)
    dispatcher.compile(_loop_signature(plan))
    dispatcher.disable_compile()
    return dispatcher


def _loop_signature(plan: OptimizerPlan) -> tuple:
    """loop.run's argument types, as Kernel.run passes them."""
    f8, i8 = nbtypes.float64, nbtypes.int64
    kinds = {"bool": nbtypes.boolean, "int": i8, "float": f8}
    hp = nbtypes.Tuple([kinds[k] if isinstance(k, str) else nbtypes.UniTuple(f8, k) for _, k in plan.hp])
    state = nbtypes.UniTuple(f8, len(plan.optimizer.State._fields))
    vector, matrix = f8[::1], f8[:, ::1]
    return (hp, nbtypes.FunctionType(SURFACE_SIGNATURE), vector, state, state, i8, i8, f8, i8,
            matrix, vector, matrix, f8[:, :, ::1], vector, vector, f8, f8, matrix, i8,
            i8[::1], matrix)


def build_surface(plan: SurfacePlan, anchor: str | None):
    """The surface of ``plan`` as a numba C callback (``SURFACE_SIGNATURE``), cached like a loop."""
    sp_cls = collections.namedtuple("SurfaceParameters", [f for f, _ in plan.sp])
    glue = loop.batch_f_and_g if plan.batched else loop.full_f_and_g
    f_and_g = jit(glue, xp=xp, **{name: jit(fn) for name, fn in plan.functions().items()})
    fn = _copy(loop.surface_entry, {"f_and_g": f_and_g, "make_sp": _pointer_maker(sp_cls, plan.sp)},
               f"surface_{plan.fingerprint()[:24]}", anchor)
    return cfunc(SURFACE_SIGNATURE, cache=anchor is not None, **JIT)(fn)


def _copy(fn: types.FunctionType, bound: dict, name: str, anchor: str | None) -> types.FunctionType:
    """``fn`` with ``bound`` in its globals, renamed, and filed under ``anchor`` for numba's cache."""
    namespace = dict(fn.__globals__)
    namespace.update(bound)
    code = fn.__code__
    if anchor is not None:      # numba's cache locator files the function beside this path
        names = {"co_filename": anchor, "co_name": name}
        if hasattr(code, "co_qualname"):
            names["co_qualname"] = name
        code = code.replace(**names)
    copy = types.FunctionType(code, namespace, name)
    copy.__qualname__ = name
    return copy


__all__ = ["SURFACE_SIGNATURE", "build_loop", "build_surface", "jit"]
