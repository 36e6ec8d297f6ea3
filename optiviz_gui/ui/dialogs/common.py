"""Every modal dialog the window opens, in one place (tests replace these functions).

File choosers, the one-sentence error box, the "save changes?" question, the
update-rule reference (Help ▸ Update rules) and About.
"""

from __future__ import annotations

import html
import inspect
import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QMessageBox,
                               QTextBrowser, QVBoxLayout, QWidget)

from .math_text import MONO, math_html

SESSION_FILTER = "OptiViz sessions (*.json);;All files (*)"
CSV_FILTER = "CSV data (*.csv);;All files (*)"


# ------------------------------------------------------------- file choice
def open_session_path(parent: QWidget, folder: str = "") -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Open session", folder, SESSION_FILTER)
    return path or None


def save_session_path(parent: QWidget, suggested: str = "") -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, "Save session as", suggested, SESSION_FILTER)
    return path or None


def open_csv_path(parent: QWidget, folder: str = "") -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Load regression data (x,y)", folder, CSV_FILTER)
    return path or None


def pick_color(parent: QWidget, initial: str) -> str | None:
    """'#rrggbb' or None when cancelled."""
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QColorDialog
    color = QColorDialog.getColor(QColor(initial), parent, "Path colour")
    return color.name() if color.isValid() else None


# --------------------------------------------------------------- messages
def show_error(parent: QWidget, title: str, message: str) -> None:
    """One sentence, one OK button; the session on screen is untouched."""
    QMessageBox.warning(parent, title, message)


def show_info(parent: QWidget, title: str, message: str) -> None:
    QMessageBox.information(parent, title, message)


def ask_save_changes(parent: QWidget, name: str) -> str:
    """'save', 'discard' or 'cancel' for a session with unsaved changes."""
    box = QMessageBox(QMessageBox.Question, "Unsaved changes",
                      f"Save the changes to {name}?",
                      QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, parent)
    box.setInformativeText("Your changes are lost if you don't save them.")
    box.setDefaultButton(QMessageBox.Save)
    answer = box.exec()
    return {QMessageBox.Save: "save", QMessageBox.Discard: "discard"}.get(answer, "cancel")


# ------------------------------------------------------------------- help
def rules_html() -> str:
    """Every optimizer's update rule and its docstring math, as rich text."""
    from optiviz_gui.core.optimizers import OPTIMIZERS, PRESETS

    parts = ["<h2>Update rules</h2>",
             "<p>θ is the point (both coordinates, elementwise), g the gradient ∇f(θ), "
             "γ the learning rate. These are torch.optim's rules, in torch's order; "
             "the names of the state buffers are torch's.</p>"]
    presets = ", ".join(f"<b>{html.escape(n)}</b> = SGD({_kwargs(hp)})"
                        for n, (_, hp) in PRESETS.items())
    parts.append(f"<p>Presets: {presets}.</p>")
    for cls in OPTIMIZERS.values():
        parts.append(f"<h3>{html.escape(cls.title)}</h3>")
        parts.append(rule_html(cls))
        doc = _doc_math(cls)
        if doc:                            # the same renderer as the rule: no raw θ_{t-1}
            parts.append(f"<p style=\"{MONO}; white-space:pre-wrap; font-size:small\">"
                         f"{math_html(doc)}</p>")
        defaults = ", ".join(f"{h.name}={h.default!r}" for h in cls.hyper)
        parts.append(f"<p style='color:gray'>torch defaults: {html.escape(defaults)}</p>")
    return "\n".join(parts)


def rule_html(cls, wrap: bool = False) -> str:
    """An optimizer's ``rule`` text as readable math: one line per assignment, the
    Greek letters and arrows as typed; ``wrap`` lets long lines wrap (narrow panels)."""
    lines = [math_html(line) for line in (getattr(cls, "rule", "") or "").splitlines()]
    if wrap:
        items = "".join(f"<li>{line}</li>" for line in lines)
        return f"<ul style='margin-left:-24px'>{items}</ul>"
    body = "<br>".join(lines)
    return (f"<p style=\"font-family:'DejaVu Sans Mono',monospace; "
            f"white-space:pre\">{body}</p>")


def _kwargs(hp: dict) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in hp.items())


def _doc_math(cls) -> str:
    """The class docstring without its doctest examples."""
    doc = inspect.cleandoc(cls.__doc__ or "")
    keep = []
    for line in doc.splitlines():
        if line.lstrip().startswith(">>>"):
            break
        keep.append(line)
    text = "\n".join(keep).replace("``", "")
    text = re.sub(r"::$", ":", text, flags=re.M)            # reStructuredText's literal blocks
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def show_rules(parent: QWidget) -> QDialog:
    """A non-modal reference window with every update rule."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("OptiViz — update rules")
    dialog.resize(760, 720)
    text = QTextBrowser(dialog)
    text.setHtml(rules_html())
    text.setOpenExternalLinks(True)
    buttons = QDialogButtonBox(QDialogButtonBox.Close, dialog)
    buttons.rejected.connect(dialog.close)
    layout = QVBoxLayout(dialog)
    layout.addWidget(text)
    layout.addWidget(buttons)
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    dialog.show()
    return dialog


def show_about(parent: QWidget) -> None:
    from optiviz_gui import __version__
    QMessageBox.about(
        parent, "About OptiViz",
        f"<h3>OptiViz {__version__}</h3>"
        "<p>Watch gradient descent, momentum, Nesterov, RMSprop, Adam and their relatives "
        "move across a loss surface, step by step, with torch.optim's exact update rules.</p>"
        "<p>Keys: Space play/pause, → step, ← step back, Home reset. "
        "Click or drag on the map to move the start point.</p>"
        "<p>MIT licence. Colours: Okabe &amp; Ito's colour-blind-safe palette.</p>")
