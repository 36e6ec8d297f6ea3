"""L-BFGS, with torch's optional strong-Wolfe line search (torch.optim.LBFGS)."""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from ..fused import add
from .base import Hyper, Optimizer, require
from .lbfgs_search import Scalar, dot, strong_wolfe


class LBFGSState(NamedTuple):
    step: int                 # calls of step() so far (ours; torch keeps no such count)
    func_evals: int           # closure calls, all steps together
    n_iter: int               # inner iterations, all steps together
    d: object                 # the last search direction (None before the first iteration)
    t: object                 # the last step length along d
    old_dirs: tuple           # y_i = ∇f_{i+1} − ∇f_i, oldest first (at most history_size)
    old_stps: tuple           # s_i = t_i·d_i, oldest first
    ro: tuple                 # ρ_i = 1/(y_iᵀs_i)
    H_diag: object            # γ = yᵀs/yᵀy: the initial inverse-Hessian scale
    prev_flat_grad: object
    prev_loss: object
    al: tuple                 # α_i of the last two-loop recursion (torch's work buffer)


class Evaluation(NamedTuple):
    """One closure call inside a step: where, and what it returned."""
    params: np.ndarray
    loss: float
    grad: np.ndarray


Closure = Callable[[np.ndarray], "tuple[float, np.ndarray]"]


class LBFGS(Optimizer):
    r"""torch.optim.LBFGS, exactly: our ``step(params, state, closure)`` is its ``step(closure)``.

    Unlike the other optimizers, one step runs up to ``max_iter`` inner
    iterations and calls the closure several times; hence its own API::

        new_params, new_state, evaluations = opt.step(params, state, closure)

    where ``closure(params) -> (loss, grad)`` and ``evaluations`` lists every
    closure call of that step in order (the first is at ``params``), as
    ``Evaluation(params, loss, grad)``. Each inner iteration k::

        stop if max|g| ≤ tolerance_grad          (checked on the first evaluation too)
        s ← t·d,  y ← g − g_prev;  if yᵀs > 10⁻¹⁰: keep (s, y), ρ ← 1/yᵀs, γ ← yᵀs/yᵀy
        d ← −H g  by the two-loop recursion over the last history_size pairs (H₀ = γI);
                   d ← −g at the very first iteration
        t ← min(1, 1/Σ|g|)·lr at the very first iteration, else lr
        stop if gᵀd > −tolerance_change
        θ ← θ + t·d  with t from the strong-Wolfe line search (line_search_fn), or as is
        stop after max_iter iterations or max_eval closure calls, when
             max|t·d| ≤ tolerance_change or |f − f_prev| < tolerance_change

    ``max_eval`` = None means max_iter·5//4, as in torch. Without a line
    search the closure is not called after the last iteration (torch's
    choice), so the returned point's loss is not among the evaluations.
    Per point: ``params`` has shape (D,); not vectorised over start points
    (the line search branches per point).
    Reference: Nocedal, "Updating Quasi-Newton Matrices with Limited
    Storage" (1980); Nocedal & Wright, "Numerical Optimization", §7.2
    (two-loop recursion) and §3.5 (line search); torch/optim/lbfgs.py.

    >>> import numpy as np
    >>> opt = LBFGS(line_search_fn="strong_wolfe")
    >>> bowl = lambda p: (float(p @ p), 2 * p)          # f = |θ|², minimum at 0
    >>> p, s, ev = opt.step(np.array([3.0, 4.0]), opt.init(np.zeros(2)), bowl)
    >>> bool(np.abs(p).max() < 1e-12), len(ev), s.n_iter   # a quadratic: exact in one search
    (True, 3, 2)
    """

    name = "lbfgs"
    title = "LBFGS"
    State = LBFGSState
    elementwise = False
    needs_closure = True
    hyper = (
        Hyper("lr", 1.0, low=0.0, high=1e3, doc="learning rate: the step length t tried first"),
        Hyper("max_iter", 20, kind="int", low=1, high=1000,
              doc="inner iterations per step() at most"),
        Hyper("max_eval", None, kind="int", low=1, high=10000, optional=True,
              doc="closure calls per step() at most (null: max_iter·5//4)"),
        Hyper("tolerance_grad", 1e-7, low=0.0, high=1.0,
              doc="stop when max|∇f| falls to this"),
        Hyper("tolerance_change", 1e-9, low=0.0, high=1.0,
              doc="stop when the step or the loss changes less than this"),
        Hyper("history_size", 100, kind="int", low=1, high=1000,
              doc="(s, y) pairs kept for the inverse-Hessian estimate"),
        Hyper("line_search_fn", None, kind="choice", choices=(None, "strong_wolfe"),
              doc="null: fixed step t; \"strong_wolfe\": line search"),
    )
    note = ("One iteration here is one step(closure) call; the map marks, small and "
            "hollow, where it evaluated the loss inside the last one.")
    rule = (
        "d ← −H·∇f  (two-loop recursion over the last (s, y) pairs, H₀ = (yᵀs/yᵀy)·I)\n"
        "t ← lr, or the strong-Wolfe step along d\n"
        "θ ← θ + t·d,  s ← t·d,  y ← ∇f(θ) − ∇f(θ_prev)\n"
        "up to max_iter times per step, until ∇f or the progress is below the tolerances"
    )

    def check(self, lr, max_iter, max_eval, tolerance_grad, tolerance_change, history_size,
              line_search_fn):
        require(0.0 <= lr, self.title, "lr", f"must be ≥ 0, got {lr}")
        # torch accepts these, then fails inside step(): pop from an empty history, and a
        # line search allowed max_eval − 1 < 0 trials leaves its bracket undefined
        require(history_size >= 1, self.title, "history_size",
                f"must be ≥ 1 (torch fails at the second iteration with 0), got {history_size}")
        require(line_search_fn is None or max_eval is None or max_eval >= 1 or max_iter < 1,
                self.title, "max_eval", f"must be ≥ 1 with a line search (torch's fails with "
                                        f"fewer), got {max_eval}")

    def init(self, params):
        """torch's empty state: no direction and no history yet (params is not needed)."""
        return LBFGSState(0, 0, 0, None, None, (), (), (), None, None, None, ())

    def update(self, grad, state, params, xp=np):
        raise TypeError("LBFGS needs the loss function: call step(params, state, closure).")

    def step(self, params, state: LBFGSState, closure: Closure):
        """One torch ``optimizer.step(closure)``: (new_params, new_state, evaluations)."""
        lr, max_iter, history_size = self.lr, self.max_iter, self.history_size
        tolerance_grad, tolerance_change = self.tolerance_grad, self.tolerance_change
        max_eval = max_iter * 5 // 4 if self.max_eval is None else self.max_eval
        evaluations: list[Evaluation] = []

        def evaluate(p):
            loss, grad = closure(p)
            loss, grad = float(loss), np.asarray(grad, dtype=float)
            evaluations.append(Evaluation(p, loss, grad))
            return loss, grad

        def obj_func(x, t, d):
            return evaluate(add(x, d, alpha=t))

        x = np.asarray(params, dtype=float)
        func_evals, n_iter_total = state.func_evals + 1, state.n_iter
        loss, flat_grad = evaluate(x)
        current_evals = 1
        if np.max(np.abs(flat_grad)) <= tolerance_grad:       # optimal condition
            return x, state._replace(step=state.step + 1, func_evals=func_evals), evaluations

        d, t, H_diag = state.d, state.t, state.H_diag
        prev_flat_grad, prev_loss, al = state.prev_flat_grad, state.prev_loss, list(state.al)
        old_dirs, old_stps, ro = list(state.old_dirs), list(state.old_stps), list(state.ro)
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            n_iter_total += 1

            # -------------------------------------------- descent direction
            if n_iter_total == 1:
                d = -flat_grad
                old_dirs, old_stps, ro, H_diag = [], [], [], 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = dot(y, s)
                if ys > 1e-10:
                    if len(old_dirs) == history_size:      # shift history by one
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / dot(y, y)
                # two-loop recursion: d = −H·g
                num_old = len(old_dirs)
                al = [0.0] * num_old
                q = -flat_grad
                for i in range(num_old - 1, -1, -1):
                    al[i] = dot(old_stps[i], q) * ro[i]
                    q = add(q, old_dirs[i], alpha=-al[i])
                r = q * H_diag
                for i in range(num_old):
                    be_i = dot(old_dirs[i], r) * ro[i]
                    r = add(r, old_stps[i], alpha=al[i] - be_i)
                d = r
            prev_flat_grad, prev_loss = flat_grad, loss

            # ------------------------------------------------- step length
            if n_iter_total == 1:
                t = min(1.0, 1.0 / Scalar(np.sum(np.abs(flat_grad)))) * lr
            else:
                t = lr
            gtd = dot(flat_grad, d)
            if gtd > -tolerance_change:         # directional derivative below tolerance
                break
            ls_func_evals = 0
            if self.line_search_fn is not None:
                loss, flat_grad, t, ls_func_evals = strong_wolfe(
                    obj_func, x, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals)
                x = add(x, d, alpha=t)
                opt_cond = np.max(np.abs(flat_grad)) <= tolerance_grad
            else:
                x = add(x, d, alpha=t)
                if n_iter != max_iter:          # torch skips the closure after the last one
                    loss, flat_grad = evaluate(x)
                    opt_cond = np.max(np.abs(flat_grad)) <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            func_evals += ls_func_evals

            # -------------------------------------------------- conditions
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.max(np.abs(d * t)) <= tolerance_change:      # lack of progress
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        return x, LBFGSState(state.step + 1, func_evals, n_iter_total, d, t, tuple(old_dirs),
                             tuple(old_stps), tuple(ro), H_diag, prev_flat_grad, prev_loss,
                             tuple(al)), evaluations
