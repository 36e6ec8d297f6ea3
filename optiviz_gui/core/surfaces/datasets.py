"""Labelled 2-D points for the network surface: five generated sets, or a CSV file.

Every generated set has n points, the first ⌊n/2⌋ of class 0 and the rest of
class 1 (so the classes are balanced), drawn with
``numpy.random.default_rng(seed)``: first the points' positions (where random),
then the noise, N(0, noise²) added to each coordinate. Scales are about 1, like
inputs a person would standardise before training.

    moons    sklearn's ``make_moons`` without shuffling: class 0 on the upper half
             circle (cos t, sin t), class 1 on (1 − cos t, ½ − sin t), t evenly spaced
             in [0, π] (both ends included)
    circles  sklearn's ``make_circles(factor=0.5)`` without shuffling: class 0 on the
             unit circle, class 1 on the circle of radius ½, angles evenly spaced in
             [0, 2π) (0 included, 2π not)
    xor      |x₁|, |x₂| ~ U(0.1, 1) with random signs: class 1 where the signs agree
             (quadrants I and III), class 0 where they differ; the band of 0.1
             around each axis leaves a margin, as TensorFlow Playground's XOR does
    spiral   two interleaved spirals (TensorFlow Playground's): point i of m in a
             class at radius r = i/m and angle 3.5π·i/m, the class-1 spiral turned by π;
             position (r·sin angle, r·cos angle)
    blobs    two round Gaussian clouds N(c, 0.5²·I), c = (−1, −1) for class 0 and
             (1, 1) for class 1 (the noise then adds to their spread)

CSV: UTF-8 text (a byte-order mark is allowed), a header naming the columns
``x1``, ``x2`` and ``label`` (any order, case and spaces ignored), then one point
per line with label 0 or 1; blank lines are skipped. Every problem is one
ConfigError sentence naming the file and the line: ``moons.csv line 7: the label
must be 0 or 1, got '2'.``
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from .csvfile import read_text, rows

GENERATORS = ("moons", "circles", "xor", "spiral", "blobs")
LIMIT = 1e6   # |x1|, |x2| in a CSV: larger inputs saturate every unit and overflow the logits


def generate(kind: str, n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(X, y): n points of the set ``kind`` (see the module docstring), X of shape (n, 2)."""
    rng = np.random.default_rng(seed)
    n0 = n // 2
    n1 = n - n0
    X = _POSITIONS[kind](rng, n0, n1)
    X = X + rng.normal(0.0, noise, X.shape)
    y = np.concatenate([np.zeros(n0), np.ones(n1)])
    return X, y


def _moons(rng, n0, n1):
    t0 = np.linspace(0.0, math.pi, n0)
    t1 = np.linspace(0.0, math.pi, n1)
    return np.concatenate([np.column_stack([np.cos(t0), np.sin(t0)]),
                           np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])])


def _circles(rng, n0, n1):
    t0 = np.linspace(0.0, 2.0 * math.pi, n0, endpoint=False)
    t1 = np.linspace(0.0, 2.0 * math.pi, n1, endpoint=False)
    return np.concatenate([np.column_stack([np.cos(t0), np.sin(t0)]),
                           0.5 * np.column_stack([np.cos(t1), np.sin(t1)])])


def _xor(rng, n0, n1):
    size = rng.uniform(0.1, 1.0, (n0 + n1, 2))
    sign = rng.choice([-1.0, 1.0], n0 + n1)
    agree = np.concatenate([-np.ones(n0), np.ones(n1)])      # class 1: the signs agree
    return size * np.column_stack([sign, sign * agree])


def _spiral(rng, n0, n1):
    def arm(m, turn):
        r = np.arange(m) / m
        angle = 3.5 * math.pi * r + turn
        return np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    return np.concatenate([arm(n0, 0.0), arm(n1, math.pi)])


def _blobs(rng, n0, n1):
    centres = np.concatenate([np.full((n0, 2), -1.0), np.full((n1, 2), 1.0)])
    return centres + rng.normal(0.0, 0.5, centres.shape)


_POSITIONS = {"moons": _moons, "circles": _circles, "xor": _xor, "spiral": _spiral,
              "blobs": _blobs}


# ------------------------------------------------------------------ CSV files
def read_csv(path, name: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) from a CSV file; ``name`` is how messages call the file (default: the path)."""
    name = str(path) if name is None else name
    return parse_csv(read_text(path, name), name)


def parse_csv(text: str, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) from the text of a CSV file; see the module docstring for the format."""
    points, labels = [], []
    for number, (x1, x2, label) in rows(text, name, ("x1", "x2", "label"), "points"):
        points.append((_coordinate(x1, name, number), _coordinate(x2, name, number)))
        labels.append(_label(label, name, number))
    return np.array(points), np.array(labels)


def _coordinate(text: str, name: str, number: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{name} line {number}: '{text}' is not a number.") from None
    if not math.isfinite(value) or abs(value) > LIMIT:
        raise ConfigError(f"{name} line {number}: '{text}' is not a finite number between "
                          f"-{LIMIT:g} and {LIMIT:g}.")
    return value


def _label(text: str, name: str, number: int) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if value not in (0.0, 1.0):
        raise ConfigError(f"{name} line {number}: the label must be 0 or 1, got '{text}'.")
    return value


def write_csv(path, X, y) -> None:
    """Write points with a header ``x1,x2,label``, coordinates in full precision (repr)."""
    lines = ["x1,x2,label"] + [f"{float(a)!r},{float(b)!r},{int(c)}" for (a, b), c in zip(X, y)]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


__all__ = ["GENERATORS", "generate", "read_csv", "parse_csv", "write_csv"]
