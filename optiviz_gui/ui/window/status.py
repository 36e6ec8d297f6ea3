"""The status bar's summary: step k / n, then each enabled run's colour, label, loss
(the lr of a scheduled run) and status — in as much detail as the bar's width holds.

``status_html(sim, theme, detail)`` at three levels: 2 everything ("● Adam 1.052e-06
converged at 88"), 1 with three digits and only the warnings ("diverged at 12"; the
map's legend says the rest), 0 only each run's coloured dot and loss, or "diverged". ``show_status`` puts the most
detailed one that fits into the label, so a 1000-pixel window never cuts the last run off.
"""

from __future__ import annotations

import html

from PySide6.QtGui import QTextDocument

from ..style.palette import status_color


def status_html(sim, theme: str = "light", detail: int = 2) -> str:
    """Step k / n and each enabled run, at ``detail`` 2, 1 or 0 (see the module)."""
    k = sim.step
    parts = [f"<b>Step {k} / {sim.steps}</b>"]
    digits = 4 if detail == 2 else 3
    for i, (run, label, color, t) in enumerate(zip(sim.runs, sim.labels(), sim.colors(),
                                                   sim.trajectories)):
        if not run.enabled:
            continue
        name = f"<span style='color:{color}'>●</span>"
        if detail:
            name += f" {html.escape(label)}"
        text = name if t.steps < 0 else f"{name} {float(t.loss[min(k, t.steps)]):.{digits}g}"
        if detail and run.scheduler is not None and t.steps >= 0:
            text += f" <span style='color:gray'>lr</span> {sim.group_now(i)['lr']:.3g}"
        status = t.status_at(k)
        warning = status is not None and status[0] == "diverged"
        if status is not None and (detail == 2 or warning):
            tint = status_color(theme, status[0])
            style = f" style='color:{tint}'" if tint else ""
            text += f" <b{style}>{t.status_text(k) if detail else 'diverged'}</b>"
        parts.append(text)
    return " &nbsp;│&nbsp; ".join(parts)


def show_status(label, sim, theme: str) -> None:
    """The most detailed summary that fits ``label``'s width (the least one if none does).
    While the width, the runs and the number of steps stay, the detail only ever goes
    down, so playback never flips the bar back and forth between two levels."""
    width = label.contentsRect().width() if label.isVisible() else float("inf")
    key = (width, tuple(sim.labels()), tuple(r.enabled for r in sim.runs), sim.steps)
    kept = label.property("statusDetail") if label.property("statusKey") == repr(key) else 2
    doc = QTextDocument()
    doc.setDefaultFont(label.font())
    for detail in range(int(kept), -1, -1):
        text = status_html(sim, theme, detail)
        doc.setHtml(text)
        if doc.idealWidth() <= width:
            break
    label.setProperty("statusKey", repr(key))
    label.setProperty("statusDetail", detail)
    label.setText(text)
