"""Fans in the main window: the run list's fan actions wired to the model.

A fan request (controls/fans.py) changes the run it grows from (a seed fan
makes its seed and colour explicit) and adds the new runs, one ``add_run`` each,
selecting the last; a request the model refuses is one sentence in the status bar.
"""

from __future__ import annotations

from ...core.errors import ConfigError
from ..controls.fans import FanMenu


def install_fans(w) -> FanMenu:
    """Add the fan actions to window ``w``'s run list and wire them to ``w.sim``."""
    menu = FanMenu(w.controls.runs, w.sim)
    w.fans = menu

    def apply(i: int, changes: dict, runs: list) -> None:
        try:
            if changes:
                w.sim.update_run(i, **changes)
            for run in runs:
                w.sim.add_run(run)
        except ConfigError as e:
            w.statusBar().showMessage(str(e), 8000)
            w.controls.show_model()

    menu.fan_requested.connect(apply)
    return menu
