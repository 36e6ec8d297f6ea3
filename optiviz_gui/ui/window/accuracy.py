"""View ▸ Show accuracy: a network run's training accuracy on the loss pane's right axis.

The menu item sits under "Log loss axis", is enabled only while the surface is a
network (it has points to classify) and is remembered in QSettings
(``view/accuracy``, off by default) like the log axis.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker
from PySide6.QtGui import QAction

from ..views.accuracy import AccuracyOverlay

KEY = "view/accuracy"


def install_accuracy(w) -> AccuracyOverlay:
    """Add the accuracy overlay to window ``w``'s loss pane, its View menu item and wiring."""
    overlay = AccuracyOverlay(w.sim, w.loss)
    w.accuracy = overlay
    action = QAction("Show &accuracy (network)", w)
    action.setCheckable(True)
    action.setStatusTip("Each run's training accuracy per step, dashed, on a right axis "
                        "from 0 to 100 % (a network surface only)")
    log_loss = w.menu_actions["log_loss"]
    view_menu = next(o for o in log_loss.associatedObjects() if hasattr(o, "insertAction"))
    view_menu.addAction(action)
    w.menu_actions["accuracy"] = action

    def set_shown(on: bool) -> None:
        overlay.set_shown(on)
        with QSignalBlocker(action):
            action.setChecked(bool(on))
        w.settings.q.setValue(KEY, bool(on))

    def follow_surface(*_args) -> None:
        action.setEnabled(overlay.available())

    action.toggled.connect(set_shown)
    w.set_accuracy = set_shown
    for event in (w.sim.surface_changed, w.sim.session_replaced):
        event.connect(follow_surface)
    follow_surface()
    value = w.settings.q.value(KEY, False)
    set_shown(value if isinstance(value, bool) else str(value).lower() == "true")
    return overlay
