"""Loss surfaces: value and exact gradient, vectorised over (..., 2) arrays.

``BUILTINS`` maps a built-in's session-file name to its class;
``make_surface(spec, base_dir)`` builds a surface from the session file's
"surface" object.
"""

from __future__ import annotations

from .base import Surface

BUILTINS: dict[str, type[Surface]] = {}

__all__ = ["Surface", "BUILTINS"]
