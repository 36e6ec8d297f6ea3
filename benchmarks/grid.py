"""Loss grid for the contour and 3-D views: ``Surface.grid`` against the blog's per-point loop.

    python -m benchmarks.grid

The blog computes its contour grid by evaluating the regression loss at each
grid point with a pass over all the data points, ``np.mean((a + b*x - y)**2)``.
OptiViz's ``LinearRegression`` uses centred sufficient statistics computed once,
so a 400×400 grid costs a few array operations in all. Both run here, on the
blog data (1000 points): the naive loop on a subset of grid rows (timed and
scaled to the whole grid, as printed), the fast grid in full; then the speed
ratio and the largest relative difference on the rows both computed.
Targets: ratio ≥ 500×, relative difference ≤ 1e-9.
"""

from __future__ import annotations

import time

import numpy as np

from optiviz_gui.core.surfaces.regression import LinearRegression

N = 400          # grid points per side
NAIVE_ROWS = 20  # rows the naive loop computes; its time is scaled by N / NAIVE_ROWS


def naive_grid_rows(x, y, xs, ys, rows) -> np.ndarray:
    """The blog's way: for every grid point, the mean over the data."""
    z = np.empty((len(rows), len(ys)))
    for k, i in enumerate(rows):
        a = xs[i]
        for j, b in enumerate(ys):
            z[k, j] = np.mean((a + b * x - y) ** 2)
    return z


def best_of(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    surface = LinearRegression.synthetic()
    x, y = surface.x, surface.y
    rows = np.linspace(0, N - 1, NAIVE_ROWS).astype(int)   # spread over the window

    fast_time = best_of(lambda: surface.grid(N), repeat=5)
    xs, ys, z = surface.grid(N)
    naive_rows_time = best_of(lambda: naive_grid_rows(x, y, xs, ys, rows), repeat=1)
    naive_time = naive_rows_time * N / NAIVE_ROWS
    z_naive = naive_grid_rows(x, y, xs, ys, rows)
    rel = float(np.max(np.abs(z[rows] - z_naive) / np.abs(z_naive)))
    ratio = naive_time / fast_time

    print(f"== {N}x{N} grid of the regression loss (blog data, {len(x)} points) ==")
    print(f"naive per-point loop : {naive_time:8.3f} s   "
          f"(timed on {NAIVE_ROWS} of {N} rows: {naive_rows_time:.3f} s, scaled x{N // NAIVE_ROWS})")
    print(f"Surface.grid         : {fast_time * 1e3:8.3f} ms")
    print(f"speed ratio          : {ratio:8.0f} x   (target >= 500x)   "
          f"{'OK' if ratio >= 500 else 'BELOW TARGET'}")
    print(f"max relative error   : {rel:8.1e}     (target <= 1e-9)   "
          f"{'OK' if rel <= 1e-9 else 'ABOVE TARGET'}")


if __name__ == "__main__":
    main()
