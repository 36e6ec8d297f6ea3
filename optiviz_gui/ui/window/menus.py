"""The main window's menus and the file commands behind them.

File: New, Open session…, Open recent ▸, Open presets ▸ (untitled copies), Save, Save As…, Export animation / image /
trajectories…, Load data…, Quit. View: panes (map, 3-D, loss, data, maps), dark theme, reset
camera, arrows, contour scale, iso-lines, log loss. Playback: play/pause (Space), step (→),
step back (←), reset (Home), last step (End) — window-wide shortcuts. Help: update rules, About.

A file that cannot be read is reported in one sentence and the session on
screen stays as it was. New, Open and Quit ask first when there are unsaved changes.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from ...core.errors import ConfigError
from ..dialogs import common as dialogs
from .wiring import set_surface


def build_menus(w) -> dict[str, QAction]:
    """Create every menu of window ``w``; returns the actions by name."""
    acts: dict[str, QAction] = {}

    def act(menu, key, text, slot=None, shortcut=None, checkable=False, tip=None):
        a = QAction(text, w)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
            a.setShortcutContext(Qt.WindowShortcut)
        a.setCheckable(checkable)
        if tip:
            a.setStatusTip(tip)
        if slot is not None:
            (a.toggled if checkable else a.triggered).connect(slot)
        menu.addAction(a)
        acts[key] = a
        return a

    bar = w.menuBar()
    f = bar.addMenu("&File")
    act(f, "new", "&New (the blog example)", lambda: new_session(w), QKeySequence.New)
    act(f, "open", "&Open session…", lambda: open_session(w), QKeySequence.Open)
    w.recent_menu = f.addMenu("Open &recent")
    w.recent_menu.aboutToShow.connect(lambda: fill_recent(w))
    w.presets_menu = f.addMenu("Open &presets")
    w.presets_menu.setToolTipsVisible(True)
    for path in preset_paths():
        a = w.presets_menu.addAction(preset_title(path), lambda p=path: open_preset(w, p))
        a.setToolTip("Opens an untitled copy: Save asks for a name, the preset stays as shipped")
    act(f, "save", "&Save", lambda: save(w), QKeySequence.Save)
    act(f, "save_as", "Save &As…", lambda: save_as(w), QKeySequence.SaveAs)
    f.addSeparator()
    for key, text in (("animation", "Export &animation…"), ("image", "Export &image…"),
                      ("trajectories", "Export &trajectories…")):
        act(f, f"export_{key}", text, lambda _=False, k=key: export(w, k))
    f.addSeparator()
    act(f, "load_data", "Load &data… (CSV x,y for the regression)", lambda: load_data(w))
    f.addSeparator()
    act(f, "quit", "&Quit", w.close, QKeySequence.Quit)

    v = bar.addMenu("&View")
    v.addAction(w.dock.toggleViewAction())
    v.addAction(w.inspector_dock.toggleViewAction())
    for name, text in (("map", "Contour &map"), ("surface", "&3-D surface"),
                       ("loss", "&Loss curve"), ("data", "&Data (points, fitted lines or boundaries)"),
                       ("maps", "Ma&ps (many runs at once)")):
        a = act(v, f"pane_{name}", text, checkable=True)
        a.setChecked(True)
        a.toggled.connect(lambda on, n=name: w.set_pane_visible(n, on))
    v.addSeparator()
    act(v, "dark", "&Dark theme", lambda on: w.set_theme("dark" if on else "light"),
        checkable=True)
    act(v, "reset_camera", "&Reset 3-D camera", lambda: w.surface3d and w.surface3d.reset_camera())
    v.addSeparator()
    arrows = v.addMenu("&Arrows at the current points")
    for key, text in (("gradient", "&Gradient −∇f (where the slope points)"),
                      ("update", "&Update (the step actually taken)"),
                      ("velocity", "&Velocity (momentum buffer / Adam's m)")):
        act(arrows, f"arrow_{key}", text, lambda _on: w.arrows_from_menu(), checkable=True)
    arrows.addSeparator()
    act(arrows, "arrows_selected", "For the &selected run only",
        lambda on: w.set_view_option("arrows_selected", on), checkable=True)
    scale = v.addMenu("Contour &scale")
    group = QActionGroup(w)
    for key in ("linear", "sqrt", "log"):
        a = act(scale, f"scale_{key}", key, lambda on, k=key: on and w.set_view_option("scale", k),
                checkable=True)
        group.addAction(a)
    act(v, "isolines", "&Iso-lines", lambda on: w.set_view_option("isolines", on), checkable=True)
    act(v, "log_loss", "Lo&g loss axis", lambda on: w.set_view_option("log_loss", on),
        checkable=True)

    p = bar.addMenu("&Playback")
    pb = w.playback
    act(p, "play", "&Play / pause", pb.toggle, "Space")
    act(p, "step_forward", "Step &forward", pb.step_forward, "Right")
    act(p, "step_back", "Step &back", pb.step_back, "Left")
    act(p, "reset", "&Reset to step 0", pb.reset, "Home")
    act(p, "end", "Go to the &last step", pb.go_to_end, "End")

    h = bar.addMenu("&Help")
    act(h, "rules", "&Update rules", lambda: dialogs.show_rules(w), QKeySequence.HelpContents)
    act(h, "about", "&About OptiViz", lambda: dialogs.show_about(w))
    return acts


# ------------------------------------------------------------------ files
def maybe_save(w) -> bool:
    """True when it is fine to drop the session on screen (saved, discarded or unchanged)."""
    if not w.modified:
        return True
    answer = dialogs.ask_save_changes(w, w.path.name if w.path else "the session")
    if answer == "save":
        return save(w)
    return answer == "discard"


def _replace_session(w, sim, path) -> None:
    w.playback.pause()
    w.sim.replace_with(sim)
    w.path = Path(path).resolve() if path else None
    w.untitled_name = "Untitled"
    w.modified = False
    if path:
        w.settings.add_recent(w.path)
    w.update_title()


def new_session(w) -> None:
    if not maybe_save(w):
        return
    from optiviz_gui.core import session
    _replace_session(w, session.load(None), None)


def open_session(w) -> None:
    if not maybe_save(w):
        return
    folder = str(w.path.parent) if w.path else ""
    path = dialogs.open_session_path(w, folder)
    if path:
        open_path(w, path, ask=False)


def open_path(w, path, ask: bool = True) -> bool:
    """Load ``path`` into the window; a bad file is one sentence and changes nothing."""
    if ask and not maybe_save(w):
        return False
    from optiviz_gui.core import session
    try:
        sim = session.load(path)
    except ConfigError as e:
        dialogs.show_error(w, "Cannot open the session", str(e))
        return False
    _replace_session(w, sim, path)
    return True


def preset_paths() -> list[Path]:
    """The shipped presets (resources/presets/*.json), by name."""
    from optiviz_gui.core.session import default_path
    return sorted(default_path().parent.glob("*.json"))


def preset_title(path: Path) -> str:
    """'rosenbrock.json' -> 'Rosenbrock'; the default example is named for what it is."""
    return "Blog example (linear regression)" if path.stem == "blog" else path.stem.capitalize()


def open_preset(w, path) -> bool:
    """A shipped preset as an untitled copy: Save asks for a name, so the preset is never
    overwritten (and it does not go into the recent files)."""
    if not open_path(w, path):
        return False
    w.path = None
    w.untitled_name = f"{preset_title(Path(path))} (preset)"
    w.settings.remove_recent(str(Path(path).resolve()))
    w.update_title()
    return True


def fill_recent(w) -> None:
    menu = w.recent_menu
    menu.clear()
    files = w.settings.recent_files()
    for path in files:
        menu.addAction(Path(path).name, lambda p=path: _open_recent(w, p)).setToolTip(path)
    if files:
        menu.addSeparator()
        menu.addAction("Clear the list", w.settings.clear_recent)
    else:
        menu.addAction("(no recent sessions)").setEnabled(False)


def _open_recent(w, path: str) -> None:
    if not Path(path).is_file():
        w.settings.remove_recent(path)
        dialogs.show_error(w, "Cannot open the session", f"{path} no longer exists.")
        return
    open_path(w, path)


def save(w) -> bool:
    if w.path is None:
        return save_as(w)
    return save_to(w, w.path)


def save_as(w) -> bool:
    suggested = str(w.path) if w.path else str(Path.cwd() / "session.json")
    path = dialogs.save_session_path(w, suggested)
    if not path:
        return False
    if not path.lower().endswith(".json"):
        path += ".json"
    return save_to(w, path)


def save_to(w, path) -> bool:
    from optiviz_gui.core import session
    try:
        session.save(w.sim, path)
    except (ConfigError, OSError) as e:
        dialogs.show_error(w, "Cannot save the session", str(e))
        return False
    w.path = Path(path).resolve()
    w.modified = False
    w.settings.add_recent(w.path)
    w.update_title()
    w.statusBar().showMessage(f"Saved {w.path}", 4000)
    return True


def load_data(w) -> None:
    """A CSV with columns x,y becomes the regression surface (the start stays if it fits)."""
    folder = str(w.path.parent) if w.path else ""
    path = dialogs.open_csv_path(w, folder)
    if not path:
        return
    from optiviz_gui.core.surfaces import make_surface
    try:
        surface = make_surface({"kind": "linear_regression", "csv": str(Path(path).resolve())},
                               Path("."))
    except ConfigError as e:
        dialogs.show_error(w, "Cannot load the data", str(e))
        return
    new_kind = w.sim.surface.to_dict().get("kind") != "linear_regression"
    set_surface(w.sim, surface, new_kind)


def export(w, what: str) -> None:
    """File ▸ Export …: the export helper's dialogs, imported only when asked for."""
    try:
        from ..dialogs import export as export_dialogs
        fn = getattr(export_dialogs, f"export_{what}")
    except (ImportError, AttributeError):
        dialogs.show_info(w, "Export", "Exporting is not available in this build.")
        return
    w.playback.pause()
    w.last_export = None
    if fn(w) and getattr(w, "last_export", None) is not None:
        if getattr(w, "export_notice", None) is None:
            from .notice import ExportNotice
            w.export_notice = ExportNotice(w.statusBar())
        w.export_notice.show_path(w.last_export)
