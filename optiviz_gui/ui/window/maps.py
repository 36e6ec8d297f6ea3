"""The Maps view in the main window: its tab, full-size mode, basin overlay, menus, wiring.

    tabs under the 3-D view   Loss | Data | Maps     (View ▸ Maps: many runs at once)
    View ▸ Maps full size     the map takes the views' whole area (Esc, ⤢ or the
                              menu brings the panes back); controls and playback stay
    View ▸ Basin overlay      the Maps view's start map laid translucently under the
                              contour map (computed even while the Maps tab is hidden)
    File ▸ Export map…        the map on screen as PNG (its canvas, offscreen) or CSV
                              (``optiviz map``'s columns), atomically

The map's requests go to the model here, as wiring.py does for the controls: a
start cell moves the start, a hyper cell sets the run's lr and keyword (or adds
a copy of the run); a request the model refuses is one sentence in the status bar.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from ...core.errors import ConfigError
from ..views.maps import MapView
from ..views.maps.overlay import BasinOverlay


def install_maps(w) -> MapView:
    """Add the Maps view to window ``w`` (a MainWindow, after its menus and wiring)."""
    view = MapView(w.sim)
    w.maps = view
    holder = QWidget()
    holder.setObjectName("mapsTab")
    lay = QVBoxLayout(holder)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(view)
    w.maps_tab = holder
    i = w.tabs.addTab(holder, "Maps")
    w.tabs.setTabToolTip(i, "Many runs at once: where each start point ends, "
                            "which learning rates and momenta work")
    w.panes["maps"] = holder

    # full size: the views' splitter and a page of its own, in a stack
    column = w.centralWidget().layout()
    stack = QStackedWidget()
    column.replaceWidget(w.main_split, stack)
    stack.addWidget(w.main_split)
    full_page = QWidget()
    full_page.setLayout(QVBoxLayout())
    full_page.layout().setContentsMargins(0, 0, 0, 0)
    stack.addWidget(full_page)
    w.maps_stack = stack
    escape = QShortcut(QKeySequence(Qt.Key_Escape), full_page)
    escape.setContext(Qt.WidgetWithChildrenShortcut)

    overlay = BasinOverlay(w.contour.plot)
    w.basin_overlay = overlay

    def set_full_size(on: bool) -> None:
        on = bool(on)
        if on == (stack.currentIndex() == 1):
            return
        (full_page if on else holder).layout().addWidget(view)
        stack.setCurrentIndex(1 if on else 0)
        view.bar.show_full_size(on)
        _check(w.menu_actions["maps_full"], on)
        if on:
            w.tabs.setCurrentWidget(holder)     # back from full size: the map's tab in front
        view.show()

    def show_overlay() -> None:
        on = w.menu_actions["basin_overlay"].isChecked()
        overlay.show(view.overlay() if on else None)

    def overlay_toggled(on: bool) -> None:
        view.set_overlay_wanted(on)
        w.settings.q.setValue("view/basin_overlay", bool(on))
        show_overlay()

    # menus: View ▸ Maps full size, Basin overlay; File ▸ Export map…
    view_menu = _menu(w, "&View")
    full = QAction("Maps &full size", w)
    full.setCheckable(True)
    full.setShortcut(QKeySequence("Ctrl+Shift+M"))
    full.setStatusTip("Show the Maps view in the whole area of the views (Esc returns)")
    full.toggled.connect(set_full_size)
    basin = QAction("&Basin overlay (the start map under the contour)", w)
    basin.setCheckable(True)
    basin.setStatusTip("Lay the Maps view's start map translucently under the contour map")
    basin.toggled.connect(overlay_toggled)
    _insert_after(view_menu, w.menu_actions["pane_maps"], [full, basin])
    w.menu_actions["maps_full"], w.menu_actions["basin_overlay"] = full, basin
    export = QAction("Export &map…", w)
    export.setStatusTip("The map on screen as PNG, or its cells as CSV (as optiviz map)")
    export.triggered.connect(lambda: _export_map(w))
    _insert_after(_menu(w, "&File"), w.menu_actions["export_trajectories"], [export])
    w.menu_actions["export_map"] = export

    # requests -> model
    def guarded(fn):
        def slot(*args):
            try:
                fn(*args)
            except ConfigError as e:
                w.statusBar().showMessage(str(e), 8000)
        return slot

    view.start_requested.connect(guarded(lambda x, y: w.sim.set_start((x, y))))
    view.run_change_requested.connect(guarded(lambda i, changes: w.sim.update_run(i, **changes)))
    view.run_add_requested.connect(guarded(w.sim.add_run))
    view.full_size_requested.connect(full.setChecked)
    view.picture_changed.connect(show_overlay)
    w.sim.surface_changed.connect(lambda _s: show_overlay())
    w.sim.session_replaced.connect(show_overlay)
    escape.activated.connect(lambda: full.setChecked(False))

    view.apply_theme(w.theme)
    basin.setChecked(_bool(w.settings.q.value("view/basin_overlay", False)))
    return view


def _export_map(w) -> None:
    from ..dialogs.export_map import export_map
    w.playback.pause()
    export_map(w)


def _menu(w, title: str):
    for action in w.menuBar().actions():
        if action.text() == title:
            return action.menu()
    raise LookupError(title)


def _insert_after(menu, after: QAction, actions: list[QAction]) -> None:
    acts = menu.actions()
    i = acts.index(after) + 1
    before = acts[i] if i < len(acts) else None
    for a in actions:
        menu.insertAction(before, a) if before is not None else menu.addAction(a)


def _check(action, on: bool) -> None:
    action.blockSignals(True)
    action.setChecked(on)
    action.blockSignals(False)


def _bool(value) -> bool:
    return value if isinstance(value, bool) else str(value).lower() == "true"
