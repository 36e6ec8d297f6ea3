"""The two questions a fan asks (tests replace these functions).

``ask_lr_factors`` — the learning-rate factors of an lr fan, as typed ("⅓, 1, 3");
``ask_seed_count`` — how many batch seeds a seed fan adds.
"""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QWidget

from ...core.fans import MAX_FAN, SEED_COUNT


def ask_lr_factors(parent: QWidget, text: str = "⅓, 1, 3") -> str | None:
    """The factors as typed, or None when cancelled."""
    value, ok = QInputDialog.getText(
        parent, "Duplicate with lr ×",
        "Learning-rate factors (the run itself is × 1), e.g. ⅓, 1, 3 or 0.1, 10:", text=text)
    return value if ok else None


def ask_seed_count(parent: QWidget, count: int = SEED_COUNT) -> int | None:
    """How many runs with other batch seeds, or None when cancelled."""
    value, ok = QInputDialog.getInt(parent, "Seed fan",
                                    "Runs on other mini-batch seeds to add:", count, 1, MAX_FAN)
    return value if ok else None
