"""torch's bfloat16 Newton–Schulz orthogonalisation of a 1×D matrix, bit for bit in numpy.

torch.optim.Muon orthogonalises its update in bfloat16 (8 significant
bits). numpy has no bfloat16, so values are held in float32 and rounded to
bfloat16 after every operation, the way torch's CPU kernels do; each rule
below was found by testing candidates against torch 2.13 on random inputs:

- float64 → bfloat16 goes THROUGH float32 (c10's ``BFloat16(float)``): two
  roundings; rounding float64 directly differs on 486 of 1000 crafted values
  (double-rounding ties), through float32 on none;
- elementwise ops (``div_``) compute in float32 and round the result;
- ``norm()`` and ``X @ Xᵀ`` accumulate in float32, the result rounded once;
- ``addmm(C, A, B, beta=β, alpha=α)`` rounds β·C + α·(A@B), computed in
  float32 with α, β as float32, once — NOT A@B first (683 of 4000 differ) and
  NOT with α, β as bfloat16 (1529 of 4000 differ).

The emulation matches torch's ``_zeropower_via_newtonschulz`` exactly on
every one of 1500 random 1×D rows for D = 2, 3, 10, 64 and 800 rows for
D = 300 (norms from 10⁻³ to 10³), under ATEN_CPU_CAPABILITY = default, avx2
and avx512 and with oneDNN on and off. For large D torch's float32 sums run
in an order numpy does not follow; a tie there could move one element by a
bfloat16 ulp (none was seen).
"""

from __future__ import annotations

import numpy as np


def to_bfloat16(x):
    """Round float32 values to the nearest bfloat16, ties to even (c10's round_to_nearest_even).

    The result is float32 holding bfloat16 values (the low 16 bits zero).

    >>> float(to_bfloat16(np.float32(1 + 2**-8))), float(to_bfloat16(np.float32(1 + 3 * 2**-8)))
    (1.0, 1.015625)
    """
    x = np.asarray(x, dtype=np.float32)
    bits = x.view(np.uint32)
    # + 0x7FFF (+1 when the kept part is odd), then drop the low 16 bits; only a nan's
    # pattern can wrap around 2³², and a nan is given back as it is
    rounded = ((bits + ((bits >> 16) & 1) + 0x7FFF) & 0xFFFF0000).view(np.float32)
    return np.where(x != x, x, rounded)


def _sum_of_squares(x):
    """Σ x² over the last axis, kept, rounded once to float32 (exact in float64 for bfloat16 x)."""
    return np.sum(x.astype(np.float64) ** 2, axis=-1, keepdims=True).astype(np.float32)


def newton_schulz(G, coefficients, steps: int, eps: float):
    """torch's ``_zeropower_via_newtonschulz`` for rows G of shape (..., D), each a 1×D matrix.

    X ← G/max(‖G‖, ε), then ``steps`` times: A ← XXᵀ, B ← bA + cA², X ← aX + BX.
    For one row A = ‖X‖² is a number, so the iteration only rescales X: the
    polynomial p(s) = as + bs³ + cs⁵ maps ‖X‖ = 1 to 0.70, 1.11, 0.72, 1.09,
    0.70 for k = 1…5 (default coefficients). Returns float32 holding
    bfloat16 values.

    >>> newton_schulz(np.array([[3.0, 4.0]]), (3.4445, -4.775, 2.0315), 5, 1e-7).tolist()
    [[0.41015625, 0.546875]]
    """
    a, b, c = (np.float32(v) for v in coefficients)
    x = to_bfloat16(np.asarray(G, dtype=np.float64).astype(np.float32))
    norm = to_bfloat16(np.sqrt(_sum_of_squares(x)))
    x = to_bfloat16(x / np.maximum(norm, to_bfloat16(np.float32(eps))))
    for _ in range(steps):
        gram = to_bfloat16(_sum_of_squares(x))                  # X @ X.T
        gram_update = to_bfloat16(c * (gram * gram) + b * gram)  # addmm(A, A, A, beta=b, alpha=c)
        x = to_bfloat16(a * x + gram_update * x)                 # addmm(X, B, X, beta=a)
    return x
