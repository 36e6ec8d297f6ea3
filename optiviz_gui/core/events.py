"""A minimal observer: the model announces what changed, views listen.

    changed = Signal()
    changed.connect(view.redraw)
    changed.emit(step)

Qt-free on purpose (core/ never imports Qt); ui/ connects Qt slots to it.
"""

from __future__ import annotations

from typing import Any, Callable


class Signal:
    """A list of callbacks called in order with the emitted arguments."""

    __slots__ = ("_slots",)

    def __init__(self) -> None:
        self._slots: list[Callable[..., Any]] = []

    def connect(self, slot: Callable[..., Any]) -> Callable[..., Any]:
        self._slots.append(slot)
        return slot

    def disconnect(self, slot: Callable[..., Any]) -> None:
        self._slots.remove(slot)

    def emit(self, *args: Any) -> None:
        """Call every slot in order. A slot that raises does not stop the others (the
        views stay in step with the model); the first error is raised at the end."""
        error: BaseException | None = None
        for slot in list(self._slots):
            try:
                slot(*args)
            except Exception as e:  # noqa: BLE001 - re-raised below
                error = error or e
        if error is not None:
            raise error
