"""``ViewOptions``: what a view shows beyond the model, as a plain value (no Qt).

The export draws with views of its own and gives them the on-screen views'
options (``view.options`` to read, ``view.apply_options`` to set), so an exported
frame looks like the window: the theme, the colour scale of the map and of the
3-D heights, the iso-lines, the arrows (and whose: every run's or the selected
run's alone) and the 3-D camera. A view reads and sets
the options that apply to it and ignores the others.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class ViewOptions:
    theme: str = "light"                                # "light" | "dark"
    scale: str = "sqrt"                                 # "linear" | "sqrt" | "log"
    isolines: bool = True
    arrows: tuple[bool, bool, bool] = (False, False, False)   # gradient, update, velocity
    arrows_run: int | None = None   # the one run whose arrows show (the selected run), or all
    camera: tuple = ()          # the 3-D view's (distance, elevation, azimuth, center x, y, z)

    def but(self, **changes) -> "ViewOptions":
        """A copy with some options changed."""
        return replace(self, **changes)
