"""Light and dark colours shared by every view.

A theme is only colours: backgrounds, text, the muted level-map colour map.
Path colours (and so the arrows', drawn in their run's colour) come from the model (``sim.colors()``,
Okabe & Ito's colour-blind-safe palette); the level map is a perceptually
uniform map (cividis) blended toward the background, so it stays quiet behind
those saturated path colours.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QGraphicsItem

from ...core.errors import ConfigError


@dataclass(frozen=True)
class Theme:
    name: str
    background: str      # plot and window background
    foreground: str      # axes, ticks, text
    muted: str           # secondary text, iso-lines
    panel: str           # legend / counter background (with alpha)
    minimum: str         # marker for known minima
    blend: float         # how far the colour map is blended toward the background (0..1)
    low_is_light: bool   # low loss = the light end of the map


THEMES: dict[str, Theme] = {
    "light": Theme("light", background="#ffffff", foreground="#222222", muted="#55555580",
                   panel="#ffffffd8", minimum="#000000", blend=0.5, low_is_light=True),
    "dark": Theme("dark", background="#1e1e1e", foreground="#e6e6e6", muted="#cccccc70",
                  panel="#1e1e1ed8", minimum="#ffffff", blend=0.6, low_is_light=False),
}


def get_theme(name: str) -> Theme:
    """The theme called ``name`` ("light" or "dark")."""
    try:
        return THEMES[name]
    except KeyError:
        raise ConfigError(f"Unknown theme '{name}' (known: {', '.join(THEMES)}).") from None


# cividis (Nuñez, Anderton & Renslow 2018), 9 samples from dark blue to yellow:
# perceptually uniform and readable with colour-vision deficiencies.
_CIVIDIS = np.array([
    (0, 34, 78), (20, 56, 111), (62, 77, 108), (87, 97, 111), (112, 117, 118),
    (140, 138, 118), (170, 160, 111), (202, 184, 95), (236, 210, 60),
], dtype=float)


def style_axes(theme: Theme, *axes) -> None:
    """Draw pyqtgraph axes (lines and tick labels) in the theme's foreground colour.

    Each axis is kept as a pixmap between repaints (Qt's device-coordinate item
    cache, redrawn only when the axis itself changes): a grid axis spans the whole
    plot, so without it every path update would replay its lines and labels."""
    for ax in axes:
        ax.setPen(theme.foreground)
        ax.setTextPen(theme.foreground)
        ax.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def style_plot(theme: Theme, graphics, plot) -> None:
    """A GraphicsLayoutWidget's background and its plot's left and bottom axes."""
    graphics.setBackground(theme.background)
    style_axes(theme, plot.getAxis("left"), plot.getAxis("bottom"))


@lru_cache(maxsize=64)
def brush(color: str) -> QBrush:
    """The one brush of ``color``: pyqtgraph keeps scatter symbols rendered per brush
    object, so a new brush on every redraw would render them all again."""
    return pg.mkBrush(color)


def level_colors(theme: Theme, n: int = 256) -> np.ndarray:
    """(n, 4) uint8 RGBA lookup table for the level map, low loss first, blended toward
    the theme background by ``theme.blend``. The low end is the one nearest the
    background (pale on light, dark on dark), so the paths, which gather in the
    low valleys, keep their contrast where they matter most."""
    t = np.linspace(0.0, 1.0, n)
    if theme.low_is_light:
        t = t[::-1]
    src = np.linspace(0.0, 1.0, len(_CIVIDIS))
    rgb = np.stack([np.interp(t, src, _CIVIDIS[:, c]) for c in range(3)], axis=1)
    bg = np.array(hex_rgb(theme.background), dtype=float)
    rgb = (1 - theme.blend) * rgb + theme.blend * bg
    out = np.empty((n, 4), dtype=np.uint8)
    out[:, :3] = np.clip(np.round(rgb), 0, 255)
    out[:, 3] = 255
    return out


def hex_rgb(color: str) -> tuple[int, int, int]:
    """'#rrggbb' or '#rrggbbaa' -> (r, g, b)."""
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)
