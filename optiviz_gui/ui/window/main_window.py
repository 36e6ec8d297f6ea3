"""The main window: map, 3-D surface and loss curve in splitters, controls dock, playback bar.

    ┌ menus: File  View  Playback  Help ──────────────────────────────┐
    │ controls │  contour map (most room)  │  3-D surface             │
    │  (dock)  │                           ├──────────────────────────┤
    │          │                           │ [Loss | Data | lr | Maps]│
    │          ├───────────────────────────┴──────────────────────────┤
    │          │  ⏮ ◀ ▶ ▶▶  ───── timeline ─────  Step k / n  Speed   │
    ├ status: step, each optimizer's loss, diverged / converged ──────┤

The 3-D view needs OpenGL; it is created just after the window's first paint
(so the window appears fast) and only if ``gl_available()``, otherwise a short
label says why. Wiring lives in ``wiring.py``; menus and file commands in ``menus.py``.
"""

from __future__ import annotations

import html
import os
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt, QTimer
from PySide6.QtWidgets import (QApplication, QDockWidget, QLabel, QMainWindow, QProgressBar,
                               QScrollArea, QSplitter, QTabWidget, QVBoxLayout, QWidget)

from ..views.contour.view import ContourView
from ..controls.panel import ControlsPanel
from ..views.data import DataView
from ..views.inspector import InspectorView
from ..views.loss import LossView
from ..views.lr import LrView
from .playback import PlaybackBar
from ..style.palette import apply_app_theme
from .settings import Settings
from .status import show_status
from ..style.qstyle import install_style
from .accuracy import install_accuracy
from .fans import install_fans
from .maps import install_maps
from .menus import build_menus
from .wiring import PlaybackKeys, wire

PROGRESS_AFTER = 0.3          # seconds a recomputation runs before its progress bar shows
PANES = ("map", "surface", "loss", "data", "maps")
TABS = ("loss", "data", "maps")     # panes sharing the tabs under the 3-D view


class MainWindow(QMainWindow):
    """``MainWindow(sim, path=None, settings=None)``; ``gl=False`` skips the 3-D view."""

    def __init__(self, sim, path: str | os.PathLike | None = None, settings=None,
                 gl: bool | None = None) -> None:
        super().__init__()
        self.sim = sim
        self.path = Path(path).resolve() if path else None
        self.settings = settings if isinstance(settings, Settings) else Settings(settings)
        self.modified = False
        self.theme = "light"
        self._force_close = False
        self._gl = gl
        self.surface3d = None
        self.setObjectName("OptiVizMainWindow")
        self.resize(1440, 900)

        # views
        self.contour = ContourView(sim)
        self.contour.setMinimumSize(320, 240)
        self.loss = LossView(sim)
        self.surface_slot = QLabel("The 3-D view appears in a moment…")
        self._style_note(self.surface_slot)
        self.right_split = QSplitter(Qt.Vertical)
        self.right_split.setObjectName("rightSplit")
        self.right_split.addWidget(self.surface_slot)
        self.data = DataView(sim)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("lossDataTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.loss, "Loss")
        self.tabs.addTab(self.data, "Data")
        self.tabs.setTabToolTip(1, self.data.tooltip())        # wiring.py keeps it current
        # the learning rate of each update, in a tab of its own while a run has a schedule
        # (under the loss curve it left neither readable at 1000 × 700)
        self.lr = LrView(sim)
        self.tabs.addTab(self.lr, "lr")
        self.tabs.setTabToolTip(self.tabs.indexOf(self.lr),
                                "Each run's learning rate (and scheduled momentum) per iteration")
        self.tabs.setTabVisible(self.tabs.indexOf(self.lr), self.lr.scheduled)
        self.lr.has_schedules.connect(
            lambda on: self.tabs.setTabVisible(self.tabs.indexOf(self.lr), on))
        self.right_split.addWidget(self.tabs)
        self.main_split = QSplitter(Qt.Horizontal)
        self.main_split.setObjectName("mainSplit")
        self.main_split.addWidget(self.contour)
        self.main_split.addWidget(self.right_split)
        for split in (self.main_split, self.right_split):
            split.setChildrenCollapsible(False)
        self.main_split.setStretchFactor(0, 2)
        self.main_split.setStretchFactor(1, 1)
        self.main_split.setSizes([640, 360])
        self.right_split.setSizes([300, 260])
        self.panes = {"map": self.contour, "surface": self.surface_slot, "loss": self.loss,
                      "data": self.data}

        # playback bar under the views
        self.playback = PlaybackBar()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.main_split, 1)
        column.addWidget(self.playback)
        self.setCentralWidget(central)

        # controls dock
        self.controls = ControlsPanel(sim)
        scroll = QScrollArea()
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.dock = QDockWidget("Controls", self)
        self.dock.setObjectName("controlsDock")
        self.dock.setWidget(scroll)
        self.dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetClosable)
        self.addDockWidget(Qt.LeftDockWidgetArea, self.dock)
        self.resizeDocks([self.dock], [340], Qt.Horizontal)
        # the inspector: a tab beside the controls, the whole height of the window
        self.inspector = InspectorView(sim)
        self.inspector_dock = QDockWidget("Inspector", self)
        self.inspector_dock.setObjectName("inspectorDock")
        self.inspector_dock.setWidget(self.inspector)
        self.inspector_dock.setFeatures(QDockWidget.DockWidgetMovable
                                        | QDockWidget.DockWidgetClosable
                                        | QDockWidget.DockWidgetFloatable)
        self.inspector_dock.setToolTip("What the selected optimizer sees at this step")
        self.tabifyDockWidget(self.dock, self.inspector_dock)
        self.dock.raise_()

        # status bar
        self.status = QLabel()
        self.status.setTextFormat(Qt.RichText)
        self.statusBar().addPermanentWidget(self.status, 1)
        # a thin bar while a long recomputation fills in, after a moment (show_progress)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setFixedSize(110, 8)
        self.progress.setToolTip("Computing the runs up to the current step…")
        self.progress.hide()
        self.statusBar().addPermanentWidget(self.progress)
        self._computing_since: float | None = None

        self.menu_actions = build_menus(self)
        wire(self)
        install_maps(self)                       # the Maps tab, its menus and wiring
        install_fans(self)                       # lr and seed fans of a run
        install_accuracy(self)                   # a network's accuracy on the loss pane
        bar_width = scroll.verticalScrollBar().sizeHint().width()
        scroll.setMinimumWidth(self.controls.minimumSizeHint().width() + bar_width + 4)
        self.keys = PlaybackKeys(self)
        QApplication.instance().installEventFilter(self.keys)
        self._paint_watch = FirstPaint(self, self._first_paint)
        QApplication.instance().installEventFilter(self._paint_watch)
        self._restore()
        self.modified = False
        self.update_title()

    # ----------------------------------------------------------- settings
    def _restore(self) -> None:
        s = self.settings
        s.restore_layout(self, {"main": self.main_split, "right": self.right_split})
        for name in PANES:
            self.set_pane_visible(name, s.pane_visible(name))
        q = s.q
        tab = self.tabs.indexOf(self.panes[q.value("window/tab", "loss")]
                                if q.value("window/tab") in TABS else self.loss)
        if self.tabs.isTabVisible(tab):
            self.tabs.setCurrentIndex(tab)
        self.set_view_option("scale", q.value("view/scale", "sqrt"))
        self.set_view_option("isolines", _bool(q.value("view/isolines", True)))
        self.set_view_option("arrows", tuple(_bool(q.value(f"view/arrow_{k}", d)) for k, d in
                                             (("gradient", True), ("update", True),
                                              ("velocity", False))))
        self.set_view_option("arrows_selected", _bool(q.value("view/arrows_selected", False)))
        self.set_view_option("log_loss", _bool(q.value("view/log_loss", True)))
        self.set_theme(s.theme())

    def save_settings(self) -> None:
        panes = {name: self.menu_actions[f"pane_{name}"].isChecked() for name in PANES}
        current = self.tabs.currentWidget()        # the learning-rate tab is not kept
        tab = next((name for name in TABS if self.panes[name] is current), TABS[0])
        self.settings.q.setValue("window/tab", tab)
        self.settings.save_layout(self, {"main": self.main_split, "right": self.right_split},
                                  panes)

    # -------------------------------------------------------- view options
    def set_view_option(self, name: str, value) -> None:
        """One of scale, isolines, arrows, arrows_selected (the selected run's arrows
        alone), log_loss: set the view, the menu and QSettings."""
        q = self.settings.q
        if name == "scale":
            value = value if value in ("linear", "sqrt", "log") else "sqrt"
            self.contour.set_scale(value)
            self.menu_actions[f"scale_{value}"].setChecked(True)
            q.setValue("view/scale", value)
        elif name == "isolines":
            self.contour.set_isolines(bool(value))
            _check(self.menu_actions["isolines"], value)
            q.setValue("view/isolines", bool(value))
        elif name == "arrows":
            self.contour.set_arrows(*value)
            for key, on in zip(("gradient", "update", "velocity"), value):
                _check(self.menu_actions[f"arrow_{key}"], on)
                q.setValue(f"view/arrow_{key}", bool(on))
        elif name == "arrows_selected":
            _check(self.menu_actions["arrows_selected"], value)
            q.setValue("view/arrows_selected", bool(value))
            self.show_selected_arrows()
        elif name == "log_loss":
            self.loss.set_log(bool(value))
            _check(self.menu_actions["log_loss"], value)
            q.setValue("view/log_loss", bool(value))

    def show_selected_arrows(self) -> None:
        """The map draws the arrows of the run selected in the run list alone, when
        View ▸ Arrows ▸ For the selected run only is on (a view option, not the model's)."""
        only = self.menu_actions["arrows_selected"].isChecked()
        self.contour.set_arrows_run(self.controls.runs.current() if only else None)

    def arrows_from_menu(self) -> None:
        self.set_view_option("arrows", tuple(self.menu_actions[f"arrow_{k}"].isChecked()
                                             for k in ("gradient", "update", "velocity")))

    def set_theme(self, name: str) -> None:
        """Light or dark for the whole app and every view; remembered."""
        name = "dark" if name == "dark" else "light"
        install_style(dark=name == "dark")   # before the palette: a new style resets it
        apply_app_theme(name)
        for view in (self.contour, self.loss, self.lr, self.data, self.inspector,
                     self.surface3d, self.maps, self.accuracy):
            if view is not None:
                view.apply_theme(name)
        self.controls.set_theme(name)
        _check(self.menu_actions["dark"], name == "dark")
        self.settings.set_theme(name)
        self.theme = name

    def set_pane_visible(self, name: str, visible: bool) -> None:
        """Show or hide one of the map, 3-D, loss and data panes (View menu); the loss
        and data panes are tabs, and a tab shown from the menu comes to the front."""
        _check(self.menu_actions[f"pane_{name}"], visible)
        if name in TABS:
            i = self.tabs.indexOf(self.panes[name])
            if visible and not self.tabs.isTabVisible(i):
                self.tabs.setTabVisible(i, True)
                self.tabs.setCurrentIndex(i)
            if not visible and self.tabs.currentIndex() == i:
                # the first tab left comes forward (Qt would take the next: the Maps
                # tab, which would start computing a map nobody asked for)
                left = [j for j in range(self.tabs.count())
                        if j != i and self.tabs.isTabVisible(j)]
                if left:
                    self.tabs.setCurrentIndex(left[0])
            self.tabs.setTabVisible(i, bool(visible))
            self.tabs.setVisible(any(self.menu_actions[f"pane_{n}"].isChecked() for n in TABS))
        else:
            self.panes[name].setVisible(bool(visible))
        wanted = [self.menu_actions[f"pane_{n}"].isChecked() for n in ("surface", *TABS)]
        self.right_split.setVisible(any(wanted))

    # ------------------------------------------------------------ 3-D view
    def _first_paint(self) -> None:
        """Called once, just after the first widget of the window has painted."""
        QApplication.instance().removeEventFilter(self._paint_watch)
        QTimer.singleShot(0, self, self.create_surface_view)

    def create_surface_view(self) -> None:
        """Put the 3-D view in its pane (once), or a label saying why it cannot be shown."""
        if self.surface3d is not None or not isinstance(self.panes["surface"], QLabel):
            return
        reason = None
        if self._gl is False:
            reason = "The 3-D view is switched off."
        else:
            from ..views.surface.gl import gl_available, platform_name
            if not gl_available():
                reason = (f"No 3-D view: OpenGL is not available on the Qt platform "
                          f"'{platform_name() or 'none'}'.")
        if reason:
            self.surface_slot.setText(reason)
            return
        from ..views.surface.view import SurfaceView
        view = SurfaceView(self.sim)
        view.show_legend = False          # the map's legend, beside it, says the same
        view.hovered.connect(self.show_hover)   # the surface point under the mouse
        view.setMinimumSize(200, 150)
        view.apply_theme(self.theme)
        visible = self.menu_actions["pane_surface"].isChecked()
        self.right_split.replaceWidget(0, view)
        self.surface_slot.deleteLater()
        self.surface3d = self.panes["surface"] = view
        view.setVisible(visible)

    @staticmethod
    def _style_note(label: QLabel) -> None:
        label.setAlignment(Qt.AlignCenter)
        label.setWordWrap(True)
        label.setMinimumSize(200, 150)
        label.setEnabled(False)                  # dim text from the current palette
        label.setMargin(12)

    # ------------------------------------------------------- status, title
    def show_progress(self, done: float | None) -> None:
        """The share computed of a long recomputation (None: nothing is computing). The
        bar appears only once it has taken longer than PROGRESS_AFTER seconds."""
        now = time.monotonic()
        if done is None:
            self._computing_since = None
            self.progress.hide()
            return
        if self._computing_since is None:
            self._computing_since = now
        if now - self._computing_since >= PROGRESS_AFTER:
            self.progress.setValue(int(1000 * done))
            self.progress.show()

    def show_status(self) -> None:
        hover = getattr(self, "hover_text", "")
        if hover:
            self.status.setText(html.escape(hover))
        else:
            show_status(self.status, self.sim, self.theme)

    def show_hover(self, text: str) -> None:
        """The readout under the mouse in the status bar (the step and losses again when
        the mouse leaves): never drawn over the paths."""
        self.hover_text = text
        self.show_status()

    def mark_modified(self) -> None:
        if not self.modified:
            self.modified = True
            self.update_title()

    def update_title(self) -> None:
        """The session's name and [*] (Qt's modified mark); the platform adds the app's
        name (applicationDisplayName), so the title does not repeat it."""
        name = self.path.name if self.path else getattr(self, "untitled_name", "Untitled")
        self.setWindowTitle(f"{name}[*]")
        self.setWindowModified(self.modified)

    # ------------------------------------------------------------- closing
    def close_without_asking(self) -> None:
        self._force_close = True
        self.close()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        from .menus import maybe_save
        if not self._force_close and not maybe_save(self):
            event.ignore()
            return
        self.playback.pause()
        self.maps.shutdown()
        self.save_settings()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.keys)
            app.removeEventFilter(self._paint_watch)
        event.accept()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QEvent.PaletteChange:
            self.show_status()


class FirstPaint(QObject):
    """Calls ``done`` once, after the first Paint event of any widget of ``window``."""

    def __init__(self, window, done) -> None:
        super().__init__(window)
        self.window, self.done, self.fired = window, done, False

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
        if (not self.fired and event.type() == QEvent.Paint and obj.isWidgetType()
                and obj.window() is self.window):
            self.fired = True
            QTimer.singleShot(0, self.window, self.done)
        return False


def _bool(value) -> bool:
    return value if isinstance(value, bool) else str(value).lower() == "true"


def _check(action, on) -> None:
    with QSignalBlocker(action):
        action.setChecked(bool(on))


