"""Loss surfaces: value and exact gradient, vectorised over (..., 2) arrays.

``BUILTINS`` maps a built-in's session-file name to its class;
``make_surface(spec, base_dir)`` builds a surface from the session file's
"surface" object (see factory.py).
"""

from __future__ import annotations

from .base import Surface
from .builtins import ALL as _ALL

BUILTINS: dict[str, type[Surface]] = {cls.name: cls for cls in _ALL}

from .factory import make_surface  # noqa: E402 - needs BUILTINS

__all__ = ["Surface", "BUILTINS", "make_surface"]
