"""The blog's own animation pipeline, re-created faithfully as the baseline for export speed.

    python -m benchmarks.blog_pipeline OUT.gif [--steps 100] [--size 2000x1125]

What the blog did for its 4-optimizer comparison (frames of 2000×1125):
for every iteration k, build a matplotlib figure — filled contours of the
least-squares loss over (intercept, slope), dashed labelled contour lines,
each optimizer's points so far as a scatter, a legend, axis labels —
``savefig`` it to a PNG and close it; then read every PNG back into a list
and hand the list to a GIF writer (imageio, falling back to Pillow), which
holds all frames in memory and writes zero-length frames with no loop.

Needs matplotlib (the "bench" extra); imageio is used when installed.
The trajectories come from OptiViz's core (the same numbers as torch.optim):
only the frame loop is the baseline being measured.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import numpy as np


def blog_frames(sim, folder: str, size=(2000, 1125), dpi=100) -> list[str]:
    """One PNG per step, drawn the blog's way; returns their paths."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sim.seek(sim.steps)
    surface = sim.surface
    (x0, x1), (y0, y1) = (-10.0, 10.0), (-10.0, 10.0)
    a = np.linspace(x0, x1, 200)
    b = np.linspace(y0, y1, 200)
    A, B = np.meshgrid(a, b)
    Z = surface.value(np.stack([A, B], axis=-1))
    paths = [t.params for t in sim.trajectories]
    labels = sim.labels()
    colors = ["white", "blue", "green", "red"]
    files = []
    for k in range(sim.steps + 1):
        fig = plt.figure(figsize=(size[0] / dpi, size[1] / dpi), dpi=dpi)
        ax = fig.add_subplot(111)
        ax.contourf(A, B, np.sqrt(Z), levels=12, cmap="rocket" if "rocket" in plt.colormaps()
                    else "magma")
        cs = ax.contour(A, B, np.sqrt(Z), levels=12, colors="k", linestyles="dashed",
                        linewidths=0.5, alpha=0.5)
        ax.clabel(cs, inline=True, fontsize=8)
        for p, label, c in zip(paths, labels, colors):
            ax.scatter(p[: k + 1, 0], p[: k + 1, 1], c=c, label=label, alpha=0.8)
        ax.set_xlabel("cst")
        ax.set_ylabel("slope")
        ax.legend(loc="upper right")
        path = os.path.join(folder, f"frame_{k:04d}.png")
        fig.savefig(path, dpi=dpi)
        plt.close(fig)
        files.append(path)
    return files


def blog_gif(files: list[str], output: str) -> None:
    """Read every PNG into a list, then write the GIF in one call (as the blog did)."""
    try:
        import imageio.v2 as imageio
        images = [imageio.imread(f) for f in files]
        imageio.mimsave(output, images)
    except ImportError:
        from PIL import Image
        images = [Image.open(f).convert("RGB") for f in files]
        images[0].save(output, save_all=True, append_images=images[1:])


def run(output: str, steps: int = 100, size=(2000, 1125)) -> float:
    """Time the whole blog pipeline (frames + GIF) on the blog session; returns seconds."""
    from optiviz_gui.core import session
    from optiviz_gui.core.simulation import Simulation

    t0 = time.perf_counter()
    sim = session.load(None)
    if steps != sim.steps:
        sim = Simulation(sim.surface, sim.start, sim.runs, steps)
    with tempfile.TemporaryDirectory() as folder:
        files = blog_frames(sim, folder, size)
        blog_gif(files, output)
    return time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("output")
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--size", default="2000x1125")
    args = ap.parse_args(argv)
    w, h = (int(v) for v in args.size.split("x"))
    seconds = run(args.output, args.steps, (w, h))
    print(f"blog pipeline: {seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
