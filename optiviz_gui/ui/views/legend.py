"""The legend of the map and the 3-D view: iteration counter, arrow key, one entry per run.

An entry is the run's colour, its label, its loss at the current step (and,
for a scheduled run, the lr of the update from there: ``Simulation.group_now``)
and its status (``Trajectory.status_text``: "diverged at 12" in red, "converged
at 40" in green, "still since 19972"); a seed fan has one entry, its members'
loss range (views/fans.py). The entries fill as many columns as fit the view's
width, and an entry takes one, two or three lines (name / loss / status), the
fewest that fit.

The layout never depends on the step: columns and lines are measured with the
widest loss, lr and status any step could show (and the counter at its last
step), so the legend keeps its height — and the plot under it its place — while
a status appears or a loss grows during playback.

The gradient arrow of a run that clips its gradient is the clipped gradient: the
key then says "(clipped)" — or, when only some runs clip, "(✂ clipped)" and
those runs' names carry the ✂.

The arrows are drawn in their run's colour and told apart by their strokes
(contour/arrows.py: solid, dashed, dash-dot with a double head), so the key shows
the strokes in the text's own colour; with the selected run's arrows alone it
names that run.
"""

from __future__ import annotations

import html

import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from ...core.arrows import ARROW_KINDS
from ..style.palette import status_color
from ..style.theme import Theme
from .fans import legend_runs

_NOWRAP = 'style="white-space:nowrap"'     # lines break only where header_html says
_ARROW_TEXT = {"update": "→ next step", "gradient": "⇢ −gradient", "velocity": "↠ momentum"}


class WrapLabel(pg.LabelItem):
    """A label that asks for no width: it wraps to whatever the layout gives it (the
    map's legend above the plot, the maps view's header)."""

    def updateMin(self):  # noqa: N802 (pyqtgraph name)
        h = self.itemRect().height()
        self.setMinimumSize(0, h)
        self._sizeHint = {QtCore.Qt.SizeHint.MinimumSize: (0, h),
                          QtCore.Qt.SizeHint.PreferredSize: (0, h),
                          QtCore.Qt.SizeHint.MaximumSize: (-1, -1),
                          QtCore.Qt.SizeHint.MinimumDescent: (0, 0)}
        self.updateGeometry()


def _entry_lines(entry: tuple[str, str, str], lines: int) -> list[str]:
    """A legend entry (name, loss, status) on 1, 2 or 3 lines (an empty status adds none)."""
    name, loss, status = entry
    rest = [loss, status] if status or lines == 3 else [loss]
    if lines == 1:
        return [name + "\u00a0 " + " ".join(rest)]
    if lines == 2:
        return [name, " ".join(rest)]
    return [name, *rest]


def _widest_status(steps: int) -> str:
    n = "8" * len(str(steps))
    return max((f"converged at {n}", f"still since {n}", f"diverged at {n}"), key=len)


def header_html(sim, theme: Theme, arrows, width: float | None = None,
                font: QtGui.QFont | None = None, arrows_run: int | None = None) -> str:
    """Iteration counter, arrow key and one legend entry per enabled run, as an HTML
    table: counter and key in the first column, entries in as many columns as fit
    in ``width`` pixels of ``font`` (two when no width is given); ``arrows_run``:
    the one run whose arrows are drawn, named in the key (None: every run's)."""
    k = sim.step
    entries, plain = [], []          # (name, loss, status) as HTML and as plain text
    shown = [i for i, run in enumerate(sim.runs) if run.enabled]
    clipping = [i for i in shown if sim.runs[i].clips]
    mark = " ✂" if arrows[0] and clipping and len(clipping) < len(shown) else ""
    colors = sim.colors()
    for i, entry in enumerate(legend_runs(sim)):
        if i not in shown or entry is None:            # None: a seed fan's later member
            continue
        label, covered = entry
        t = sim.trajectories[i]
        loss = f"{float(t.loss[min(k, t.steps)]):.3g}" if t.steps >= 0 else "—"
        scheduled = sim.runs[i].scheduler is not None and t.steps >= 0
        lr = f" · lr {sim.group_now(i)['lr']:.3g}" if scheduled else ""
        status, what = t.status_text(k), t.status_at(k)
        if len(covered) > 1:                           # a seed fan: its members' loss range
            losses = [float(u.loss[min(k, u.steps)]) for u in
                      (sim.trajectories[j] for j in covered) if u.steps >= 0]
            loss = f"{min(losses):.3g}–{max(losses):.3g}" if losses else "—"
            status, what = "", None
        name = label + (mark if i in clipping else "")
        tint = status_color(theme.name, what[0]) if what else ""
        styled = (f'<i style="color:{tint}">{status}</i>' if tint else f"<i>{status}</i>") \
            if status else "&nbsp;"
        entries.append((f'<span style="color:{colors[i]}">&#9473;&#9473;&#9679;</span>&nbsp;'
                        f'{html.escape(name)}',
                        "loss&nbsp;" + html.escape(loss + lr).replace(" ", "&nbsp;"), styled))
        # measured at its widest, whatever the step: the layout holds still while playing
        plain.append((f"━━● {name}", "loss -8.88e-88" + (" · lr -8.88e-88" if scheduled else ""),
                      _widest_status(sim.steps)))
    counter = f"<b>step {k} / {sim.steps}</b>"
    clipped = ("&nbsp;(clipped)" if len(clipping) == len(shown) else "&nbsp;(✂&nbsp;clipped)") \
        if clipping else ""
    arrow_names = {"update": "&#8594;&nbsp;next&nbsp;step",
                   "gradient": f"&#8674;&nbsp;&#8722;gradient{clipped}",
                   "velocity": "&#8608;&nbsp;momentum"}
    key = "&nbsp;&nbsp;".join(arrow_names[kind] for kind, on in zip(ARROW_KINDS, arrows) if on)
    only = ""                   # a line of its own under the key: the key keeps its width
    if key and arrows_run is not None and 0 <= arrows_run < len(sim.runs):
        only = html.escape(f"arrows of {sim.labels()[arrows_run]} only").replace(" ", "&nbsp;")
    per_row, lines, stacked = 2, 1, False
    if width and entries:
        fm = QtGui.QFontMetricsF(font or QtGui.QFont())
        key_text = "  ".join(_ARROW_TEXT[kind] for kind, on in zip(ARROW_KINDS, arrows) if on)
        key_text += html.unescape(clipped) if arrows[0] else ""
        # the longest name: another selection keeps the layout
        only_text = f"arrows of {max(sim.labels(), key=fm.horizontalAdvance)} only" if only else ""
        left = max(fm.horizontalAdvance(f"step {sim.steps} / {sim.steps}"),
                   fm.horizontalAdvance(key_text), fm.horizontalAdvance(only_text)) * 1.1
        pad = 3 * fm.averageCharWidth()
        # an entry as one line; else the name above the rest; else name, loss, status;
        # else (a narrow view) the counter and key above the entries, which get the width
        for lines, stacked in ((1, False), (2, False), (3, False), (2, True), (3, True)):
            cell = max(fm.horizontalAdvance(line) for e in plain for line in _entry_lines(e, lines))
            if cell + pad <= width - (0 if stacked else left):
                break
        per_row = max(1, int((width - (0 if stacked else left)) // (cell + pad)))
    cells = ["<br>&nbsp;&nbsp;&nbsp;&nbsp;".join(_entry_lines(e, lines)) for e in entries]
    lefts = [counter, key] if key else [counter]
    below = [f"<i>{only}</i>"] if only else []
    rows = []
    if stacked:
        rows.append(f'<tr><td colspan="{per_row}" {_NOWRAP}>{"&nbsp;&nbsp; ".join(lefts)}</td></tr>')
        rows += [f'<tr><td colspan="{per_row}" {_NOWRAP}>{line}</td></tr>' for line in below]
        for r in range(-(-len(cells) // per_row)):
            rows.append("<tr>" + "".join(f"<td {_NOWRAP}>{c}&nbsp;&nbsp;</td>"
                                         for c in cells[r * per_row:(r + 1) * per_row]) + "</tr>")
    else:
        lefts += below
        for r in range(max(len(lefts), -(-len(cells) // per_row))):
            row = "".join(f"<td {_NOWRAP}>&nbsp;&nbsp;{c}</td>"
                          for c in cells[r * per_row:(r + 1) * per_row])
            rows.append(f"<tr><td {_NOWRAP}>{lefts[r] if r < len(lefts) else ''}</td>{row}</tr>")
    return (f'<table cellspacing="0" cellpadding="1" style="color:{theme.foreground}">'
            + "".join(rows) + "</table>")
