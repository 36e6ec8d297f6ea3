"""Seed fans in the views: their runs drawn thin, their mean path bold.

A seed fan (core/fans.py: runs alike but for their mini-batch seed, in one
colour) is the spread of a stochastic training. Each member's path is a thin
line without dots or arrows (``thin_runs``), and ``FanPaths`` draws the mean
of the members' paths, step by step, as a bold line in their colour with a
halo in the background's, so it reads over the thin ones. A legend gives the
fan one entry (``legend_runs``: "SGD · 7 seeds", with the members' loss range).
"""

from __future__ import annotations

import pyqtgraph as pg

from ...core.fans import mean_path, seed_fans


def fan_groups(sim) -> list[tuple[int, ...]]:
    """The seed fans of ``sim``, each the indices of its enabled runs (two or more)."""
    out = []
    for group in seed_fans(sim.runs, sim.colors()):
        shown = tuple(i for i in group if sim.runs[i].enabled)
        if len(shown) >= 2:
            out.append(shown)
    return out


def thin_runs(sim) -> set[int]:
    """The runs drawn thin: members of a seed fan."""
    return {i for g in fan_groups(sim) for i in g}


def legend_runs(sim) -> list[tuple[str, tuple[int, ...]] | None]:
    """Per run, what its legend entry stands for: (label, the runs it covers); None for
    a seed fan's later members (the first one stands for its fan: "SGD · 7 seeds")."""
    labels = sim.labels()
    out: list = [(label, (i,)) for i, label in enumerate(labels)]
    for group in fan_groups(sim):
        out[group[0]] = (f"{labels[group[0]]} · {len(group)} seeds", group)
        for i in group[1:]:
            out[i] = None
    return out


class FanPaths:
    """The mean paths of a plot's seed fans (items made once, reused, hidden when unused)."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.curves: list[tuple[pg.PlotCurveItem, pg.PlotCurveItem]] = []   # halo, line
        self._background = "#ffffff"

    def apply_theme(self, theme) -> None:
        self._background = theme.background
        for halo, _ in self.curves:
            halo.setPen(pg.mkPen(self._background, width=6))

    def draw(self, sim, k: int) -> None:
        """Each seed fan's mean path over steps 0..k."""
        groups = fan_groups(sim)
        while len(self.curves) < len(groups):
            halo, line = pg.PlotCurveItem(antialias=True), pg.PlotCurveItem(antialias=True)
            halo.setPen(pg.mkPen(self._background, width=6))
            halo.setZValue(8)
            line.setZValue(9)
            self.plot.addItem(halo)
            self.plot.addItem(line)
            self.curves.append((halo, line))
        colors = sim.colors()
        for (halo, line), group in zip(self.curves, groups):
            ts = [sim.trajectories[i] for i in group]
            path = mean_path([t.params[: min(k, t.steps) + 1] for t in ts if t.steps >= 0])
            line.setPen(pg.mkPen(colors[group[0]], width=3.5))
            for item in (halo, line):
                item.setData(path[:, 0], path[:, 1])
                item.setVisible(len(path) > 0)
        for halo, line in self.curves[len(groups):]:
            halo.setVisible(False)
            line.setVisible(False)

    @property
    def items(self) -> list:
        return [item for pair in self.curves for item in pair]

    def mean_data(self, n: int = 0):
        """(x, y) of the n-th drawn mean path (empty when none)."""
        if n >= len(self.curves) or not self.curves[n][1].isVisible():
            return None
        return self.curves[n][1].getData()
