"""The Maps view: many runs at once — where each start point ends, which settings work.

view.py (the pane), canvas.py (the drawn map), bar.py (its options), colors.py
(the colour schemes), describe.py (titles, hover text), options.py (what a map
shows, as a value), worker.py (computing off the GUI thread), overlay.py (the
basin overlay under the contour map), elided.py (the line under the map).
"""

from .view import MapView

__all__ = ["MapView"]
