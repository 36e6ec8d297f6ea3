"""Data points (x, y) for the regression surface: read from CSV, or drawn at random.

CSV format: UTF-8 text (a byte-order mark is allowed), a header naming the two
columns ``x`` and ``y`` (either order, case and spaces ignored), then one
point per line; blank lines are skipped. Every problem is a ConfigError that
names the file and the line: ``points.csv line 7: 'abc' is not a number.``
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from .csvfile import read_text, rows


def read_csv(path, name: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) from a CSV file; ``name`` is how messages call the file (default: the path)."""
    name = str(path) if name is None else name
    return parse_csv(read_text(path, name), name)


def parse_csv(text: str, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) from the text of a CSV file; see the module docstring for the format."""
    xs, ys = [], []
    for number, fields in rows(text, name, ("x", "y"), "at least two points"):
        x, y = (_number(field, name, number) for field in fields)
        xs.append(x)
        ys.append(y)
    return np.array(xs), np.array(ys)


def _number(field: str, name: str, number: int) -> float:
    text = field
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{name} line {number}: '{text}' is not a number.") from None
    if not math.isfinite(value):
        raise ConfigError(f"{name} line {number}: '{text}' is not a finite number.")
    return value


def synthetic(intercept: float = -2.0, slope: float = 2.0, n: int = 1000, noise: float = 0.001,
              x_range: tuple[float, float] = (-5.0, 5.0), seed: int = 0
              ) -> tuple[np.ndarray, np.ndarray]:
    """n points of y = intercept + slope·x + ε, x ~ U(x_range), ε ~ N(0, noise²).

    Drawn with ``numpy.random.default_rng(seed)``: first the n x values, then
    the n noise values. The defaults are the blog example (the README's opening example).
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(x_range[0], x_range[1], n)
    y = intercept + slope * x + rng.normal(0.0, noise, n)
    return x, y


def write_csv(path, x, y) -> None:
    """Write points with a header ``x,y`` and every number in full precision (repr)."""
    lines = ["x,y"] + [f"{float(a)!r},{float(b)!r}" for a, b in zip(x, y)]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
