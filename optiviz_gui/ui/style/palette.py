"""The widgets' palette for the whole application: Fusion's standard one (light) or a dark one,
and the red of a refused value that reads on either."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication


def dark_palette() -> QPalette:
    """A calm dark palette (Fusion style): grey surfaces, light text, blue highlight."""
    p = QPalette()
    window, base, alt = QColor("#2b2d30"), QColor("#1f2023"), QColor("#313338")
    text, dim, link = QColor("#e6e6e6"), QColor("#8a8d93"), QColor("#56B4E9")
    for group in (QPalette.Active, QPalette.Inactive, QPalette.Disabled):
        p.setColor(group, QPalette.Window, window)
        p.setColor(group, QPalette.WindowText, text)
        p.setColor(group, QPalette.Base, base)
        p.setColor(group, QPalette.AlternateBase, alt)
        p.setColor(group, QPalette.ToolTipBase, alt)
        p.setColor(group, QPalette.ToolTipText, text)
        p.setColor(group, QPalette.PlaceholderText, dim)
        p.setColor(group, QPalette.Text, text)
        p.setColor(group, QPalette.Button, alt)
        p.setColor(group, QPalette.ButtonText, text)
        p.setColor(group, QPalette.BrightText, QColor("#ff6b6b"))
        p.setColor(group, QPalette.Link, link)
        p.setColor(group, QPalette.Highlight, QColor("#2f6aa8"))
        p.setColor(group, QPalette.HighlightedText, QColor("#ffffff"))
        p.setColor(group, QPalette.Light, QColor("#45474d"))
        p.setColor(group, QPalette.Midlight, QColor("#3a3c41"))
        p.setColor(group, QPalette.Mid, QColor("#26272a"))
        p.setColor(group, QPalette.Dark, QColor("#191a1c"))
        p.setColor(group, QPalette.Shadow, QColor("#000000"))
    for role in (QPalette.WindowText, QPalette.Text, QPalette.ButtonText):
        p.setColor(QPalette.Disabled, role, dim)
    return p


def apply_app_theme(name: str) -> None:
    """Give the whole application the light (the style's standard) or the dark palette."""
    app = QApplication.instance()
    if app is None:
        return
    if name == "dark":
        app.setPalette(dark_palette())
    else:
        app.setPalette(app.style().standardPalette())


def error_color(theme: str) -> str:
    """Red that reads on the theme's background, for invalid-value messages."""
    return "#ff7b72" if theme == "dark" else "#c62828"


def status_color(theme: str, status: str) -> str:
    """The colour of a run's status: "diverged" red, "converged" green (both readable
    on the theme's background); anything else the text colour (empty)."""
    if status == "diverged":
        return error_color(theme)
    if status == "converged":
        return "#7ee787" if theme == "dark" else "#2e7d32"
    return ""
