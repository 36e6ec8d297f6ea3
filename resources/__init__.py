"""Presets (session files), icons and sample data, installed as optiviz_gui.resources."""
from importlib.resources import files


def resource_path(*parts: str):
    """A Traversable for a file shipped in resources/ (pip install, editable or bundle)."""
    path = files(__name__)
    for part in parts:
        path = path / part
    return path
