"""The map's legend (legend.header_html) as Qt lays it out: nothing breaks mid-name or mid-number.

The reference is Qt's own text layout (QTextDocument at the pane's width): every
run's label, its "loss <value>" and each arrow key must each sit on one visual
line, whatever the width.
"""

from __future__ import annotations

import pytest
from PySide6 import QtGui


def laid_out_lines(html_text: str, width: float, font) -> list[str]:
    """The visual lines of the header as Qt lays it out at ``width`` pixels."""
    doc = QtGui.QTextDocument()
    doc.setDefaultFont(font)
    doc.setHtml(html_text)
    doc.setTextWidth(width)
    doc.size()                                   # lays the document out
    lines = []
    block = doc.begin()
    while block.isValid():
        layout, text = block.layout(), block.text()
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            lines.append(text[line.textStart():line.textStart() + line.textLength()].strip())
        block = block.next()
    return [line for line in lines if line]


@pytest.mark.parametrize("width", [300, 420, 560, 900])
def test_the_legend_never_breaks_a_name_or_a_loss_across_lines(qapp, blog_sim, width):
    from optiviz_gui.ui.views.legend import header_html
    from optiviz_gui.ui.style.theme import get_theme
    blog_sim.seek(100)
    font = QtGui.QFont()
    text = header_html(blog_sim, get_theme("light"), (True, True, False), width, font)
    lines = laid_out_lines(text, width, font)
    joined = " | ".join(lines)
    for label, t in zip(blog_sim.labels(), blog_sim.trajectories):
        assert any(label in line for line in lines), joined            # the name in one piece
        loss = f"loss\xa0{float(t.loss[100]):.3g}"
        assert any(loss in line for line in lines), joined             # "loss 1.05e-06" too
    for part in ("next\xa0step", "−gradient"):
        assert any(part in line for line in lines), joined


@pytest.mark.parametrize("width", [340, 420])
def test_a_narrow_map_stacks_the_key_so_nothing_is_cut_off(qapp, blog_sim, width):
    """A scheduled run's entry says its lr too ("loss 70.2 · lr 0.0345"): in a map pane
    this narrow (the 1000 × 700 window) the counter and key go above the entries, and
    the legend, as Qt lays it out, is no wider than the pane."""
    from optiviz_gui.ui.views.legend import header_html
    from optiviz_gui.ui.style.theme import get_theme
    blog_sim.update_run(3, scheduler={"name": "cosineannealinglr", "T_max": 100})
    blog_sim.update_run(1, clip_grad_norm=1.0)
    blog_sim.seek(60)
    font = QtGui.QFont()
    text = header_html(blog_sim, get_theme("light"), (True, True, False), width, font)
    doc = QtGui.QTextDocument()
    doc.setDefaultFont(font)
    doc.setHtml(text)
    doc.setTextWidth(width)
    assert doc.idealWidth() <= width
    lines = laid_out_lines(text, width, font)
    assert any("lr\xa0" in line and "loss\xa0" in line for line in lines)     # on one line
