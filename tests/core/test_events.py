"""The model's Signal: every listener hears every event, in order, even past a failing one."""

import pytest

from optiviz_gui.core.events import Signal


def test_slots_are_called_in_order_with_the_arguments():
    heard = []
    s = Signal()
    s.connect(lambda *a: heard.append(("a", a)))
    s.connect(lambda *a: heard.append(("b", a)))
    s.emit(3, "x")
    assert heard == [("a", (3, "x")), ("b", (3, "x"))]


def test_a_failing_slot_does_not_keep_the_others_out_of_step():
    heard = []
    s = Signal()
    s.connect(lambda: heard.append(1))
    s.connect(lambda: 1 / 0)
    s.connect(lambda: heard.append(3))
    s.connect(lambda: [][1])
    with pytest.raises(ZeroDivisionError):          # the first error, after every slot ran
        s.emit()
    assert heard == [1, 3]


def test_disconnect():
    heard = []
    s = Signal()
    slot = s.connect(lambda: heard.append(1))
    s.disconnect(slot)
    s.emit()
    assert heard == []
