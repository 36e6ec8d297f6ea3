"""File ▸ Export map…: the Maps view's map as PNG or CSV.

The PNG is the map's canvas drawn offscreen at ``SIZE`` (title, legend or
colour bar, axes, cells, the session's marker: what ``optiviz map -o OUT.png``
draws), in the window's theme; the CSV has ``optiviz map``'s columns, the same
bytes for the same map. Both are written to a temporary file and renamed
(nothing is left behind on a failure, which is one sentence). Only a whole map
is exported: while it computes, or after a cancel, the command says so.
``ask_map_path`` is the only question; tests replace it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog

from ...core.errors import ConfigError
from . import common as dialogs

FILTERS = {".png": "PNG image of the map (*.png)", ".csv": "CSV, as optiviz map (*.csv)"}
SIZE = (1000, 800)


def export_map(window) -> bool:
    """Ask for a file and write the map shown in ``window.maps``; True when written."""
    view = window.maps
    if view.spec is None or not view.complete:
        dialogs.show_info(window, "Export map",
                          "The map is not complete yet: open the Maps tab and let it finish "
                          "(or press Compute), then export it.")
        return False
    path = ask_map_path(window)
    if not path:
        return False
    try:
        write_map(view, path)
    except ConfigError as e:
        dialogs.show_error(window, "Export failed", str(e))
        return False
    _q(window).setValue("export/folder", str(Path(path).parent))
    return True


def write_map(view, path: str) -> None:
    """The complete map of ``view`` (a MapView) to ``path``: .png or .csv."""
    suffix = Path(path).suffix.lower()
    label = view.sim.labels()[view.options.run]
    if suffix == ".csv":
        from ...export.maps import write_result_csv
        from ...export.writers import check_destination
        check_destination(path)
        write_result_csv(path, label, view.result)
    elif suffix == ".png":
        from ..render.maps import Panel, write_map_png
        from ..views.maps.describe import title
        from ..views.maps.options import marker
        spec = view.spec
        run = view.sim.runs[view.options.run]
        panel = Panel(spec, view.result, title(spec, label),
                      marker(spec, view.sim.start, run.optimizer))
        write_map_png(path, [panel], view.options.scheme, view.theme.name, SIZE)
    else:
        raise ConfigError(f"Cannot write a map to '{Path(path).name}': the file name must "
                          f"end in .png or .csv.")


def ask_map_path(window) -> str | None:
    folder = _q(window).value("export/folder", "") or str(Path.home())
    stem = Path(getattr(window, "path", None) or "optiviz").stem
    path, chosen = QFileDialog.getSaveFileName(window, "Export map",
                                               str(Path(folder) / f"{stem}-map.png"),
                                               ";;".join(FILTERS.values()))
    if not path:
        return None
    if Path(path).suffix.lower() in FILTERS:
        return path
    return path + next((s for s, text in FILTERS.items() if text == chosen), ".png")


def _q(window) -> QSettings:
    settings = getattr(window, "settings", None)
    return getattr(settings, "q", None) or QSettings("OptiViz", "OptiViz")
