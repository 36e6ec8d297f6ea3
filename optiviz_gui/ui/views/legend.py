"""The legend of the map and the 3-D view: iteration counter, arrow key, one entry per run.

An entry is the run's colour, its label, its loss at the current step (and,
for a scheduled run, the lr of the update from there: ``Simulation.group_now``)
and its status (``Trajectory.status_text``: "diverged at 12", "converged at 40").
The entries fill as many columns as fit the view's width, and an entry takes one,
two or three lines (name / loss / status), the fewest that fit.

The gradient arrow of a run that clips its gradient is the clipped gradient: the
key then says "(clipped)" — or, when only some runs clip, "(✂ clipped)" and
those runs' names carry the ✂.
"""

from __future__ import annotations

import html

from PySide6 import QtGui

from ...core.arrows import ARROW_KINDS
from ..style.theme import Theme

_NOWRAP = 'style="white-space:nowrap"'     # lines break only where header_html says
_ARROW_TEXT = {"update": "→ next step", "gradient": "⇢ −gradient", "velocity": "⇢ momentum"}


def _entry_lines(entry: tuple[str, str, str], lines: int) -> list[str]:
    """A legend entry (name, loss, status) on 1, 2 or 3 lines (an empty status adds none)."""
    name, loss, status = entry
    rest = [loss, status] if status else [loss]
    if lines == 1:
        return [name + "\u00a0 " + " ".join(rest)]
    if lines == 2:
        return [name, " ".join(rest)]
    return [name, *rest]


def header_html(sim, theme: Theme, arrows, width: float | None = None,
                font: QtGui.QFont | None = None) -> str:
    """Iteration counter, arrow key and one legend entry per enabled run, as an HTML
    table: counter and key in the first column, entries in as many columns as fit
    in ``width`` pixels of ``font`` (two when no width is given)."""
    k = sim.step
    entries, plain = [], []          # (name, loss, status) as HTML and as plain text
    shown = [i for i, run in enumerate(sim.runs) if run.enabled]
    clipping = [i for i in shown if sim.runs[i].clips]
    mark = " ✂" if arrows[0] and clipping and len(clipping) < len(shown) else ""
    labels, colors = sim.labels(), sim.colors()
    for i in shown:
        t = sim.trajectories[i]
        loss = f"{float(t.loss[min(k, t.steps)]):.3g}" if t.steps >= 0 else "—"
        if sim.runs[i].scheduler is not None and t.steps >= 0:
            loss += f" · lr {sim.group_now(i)['lr']:.3g}"
        status = t.status_text(k)
        name = labels[i] + (mark if i in clipping else "")
        entries.append((f'<span style="color:{colors[i]}">&#9473;&#9473;&#9679;</span>&nbsp;'
                        f'{html.escape(name)}', "loss&nbsp;" + html.escape(loss).replace(" ", "&nbsp;"),
                        f"<i>{status}</i>" if status else ""))
        plain.append((f"━━● {name}", f"loss {loss}", status))
    counter = f"<b>step {k} / {sim.steps}</b>"
    clipped = ("&nbsp;(clipped)" if len(clipping) == len(shown) else "&nbsp;(✂&nbsp;clipped)") \
        if clipping else ""
    arrow_names = {"update": "&#8594;&nbsp;next&nbsp;step",
                   "gradient": f"&#8674;&nbsp;&#8722;gradient{clipped}",
                   "velocity": "&#8674;&nbsp;momentum"}
    colors = {"update": theme.update, "gradient": theme.gradient, "velocity": theme.velocity}
    key = "&nbsp;&nbsp;".join(f'<span style="color:{colors[kind]}">{arrow_names[kind]}</span>'
                              for kind, on in zip(ARROW_KINDS, arrows) if on)
    per_row, lines = 2, 1
    if width and entries:
        fm = QtGui.QFontMetricsF(font or QtGui.QFont())
        key_text = "  ".join(_ARROW_TEXT[kind] for kind, on in zip(ARROW_KINDS, arrows) if on)
        key_text += html.unescape(clipped) if arrows[0] else ""
        left = max(fm.horizontalAdvance(f"step {k} / {sim.steps}"),
                   fm.horizontalAdvance(key_text)) * 1.1
        pad = 3 * fm.averageCharWidth()
        # an entry as one line; else the name above the rest; else name, loss, status
        for lines in (1, 2, 3):
            cell = max(fm.horizontalAdvance(line) for e in plain for line in _entry_lines(e, lines))
            if cell + pad <= width - left:
                break
        per_row = max(1, int((width - left) // (cell + pad)))
    cells = ["<br>&nbsp;&nbsp;&nbsp;&nbsp;".join(_entry_lines(e, lines)) for e in entries]
    lefts = [counter, key] if key else [counter]
    n_rows = max(len(lefts), -(-len(cells) // per_row))
    rows = []
    for r in range(n_rows):
        row = "".join(f"<td {_NOWRAP}>&nbsp;&nbsp;{c}</td>"
                      for c in cells[r * per_row:(r + 1) * per_row])
        rows.append(f"<tr><td {_NOWRAP}>{lefts[r] if r < len(lefts) else ''}</td>{row}</tr>")
    return (f'<table cellspacing="0" cellpadding="1" style="color:{theme.foreground}">'
            + "".join(rows) + "</table>")
