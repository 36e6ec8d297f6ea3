"""A minimal observer: the model announces what changed, views listen.

    changed = Signal()
    changed.connect(view.redraw)
    changed.emit(step)

Qt-free on purpose (core/ never imports Qt); ui/ connects Qt slots to it.

A bound method is held by a weak reference, so a listener that is gone (a
closed view) is dropped instead of being kept alive by the model; a plain
function or lambda is held as it is (the wiring's lambdas live as long as the
model does). Every slot runs even when one raises, so the views stay in step
with the model; the first error is raised after all of them ran. (psygnal, the
well-kept library for this, stops at the first error: that would leave the
later views showing an old picture.)
"""

from __future__ import annotations

from typing import Any, Callable
from weakref import WeakMethod


class Signal:
    """A list of callbacks called in order with the emitted arguments."""

    __slots__ = ("_slots",)

    def __init__(self) -> None:
        self._slots: list[Callable[[], Callable[..., Any] | None]] = []

    def connect(self, slot: Callable[..., Any]) -> Callable[..., Any]:
        if hasattr(slot, "__self__") and hasattr(slot, "__func__"):
            self._slots.append(WeakMethod(slot))
        else:
            self._slots.append(lambda: slot)
        return slot

    def disconnect(self, slot: Callable[..., Any]) -> None:
        """Remove ``slot`` (the first connection of it); ValueError if it is not connected."""
        for i, ref in enumerate(self._slots):
            if ref() == slot:
                del self._slots[i]
                return
        raise ValueError(f"{slot!r} is not connected")

    def __len__(self) -> int:
        """The number of live connections."""
        return sum(ref() is not None for ref in self._slots)

    def emit(self, *args: Any) -> None:
        """Call every live slot in order. A slot that raises does not stop the others (the
        views stay in step with the model); the first error is raised at the end."""
        error: BaseException | None = None
        dead = False
        for ref in list(self._slots):
            slot = ref()
            if slot is None:
                dead = True
                continue
            try:
                slot(*args)
            except Exception as e:  # noqa: BLE001 - re-raised below
                error = error or e
        if dead:
            self._slots = [ref for ref in self._slots if ref() is not None]
        if error is not None:
            raise error
