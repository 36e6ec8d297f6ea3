"""Fans: one run repeated with one thing changed, to see how much that thing matters.

    lr_fan(run, (1/3, 1, 3), label, color)    the run at lr × each factor: the same
                                              optimizer, schedule and clipping otherwise,
                                              in graded shades of its colour (lighter for
                                              a smaller lr, darker for a larger one; the
                                              run itself takes the shade of × 1)
    seed_fan(run, surface, 5, label, color)   the run re-trained on 5 other mini-batch
                                              orders (its own ``batch_seed`` each), all in
                                              its colour: the spread a person would see
                                              re-running a stochastic training

A comparison at one hand-picked lr is the most common complaint against
optimizer pictures; an lr fan shows the neighbours, a seed fan the noise.

A *seed fan* in the model is nothing but runs: two or more runs with the same
optimizer, schedule, clipping and colour, each with its own ``batch_seed``
(``seed_fans`` finds them). The views draw their paths thin and their mean path
(``mean_path``) bold; the session file keeps them as the runs they are.
"""

from __future__ import annotations

import colorsys
import math
import re
import unicodedata
from dataclasses import replace
from typing import Sequence

import numpy as np

from .errors import ConfigError
from .simulation import Run

LR_FACTORS = (1 / 3, 1.0, 3.0)
SEED_COUNT = 5
MAX_FAN = 24                 # runs one fan may add: each is a path on every view


def parse_factors(text: str) -> tuple[float, ...]:
    """"⅓, 1, 3" or "1/3 1 3" or "0.1, 10" -> the factors, each a positive number.

    >>> parse_factors("⅓, 1, 3")
    (0.3333333333333333, 1.0, 3.0)
    """
    items = [t for t in re.split(r"[,;\s]+", text.strip().strip("{}()[]")) if t]
    if not items:
        raise ConfigError("lr factors: give one or more numbers such as ⅓, 1, 3.")
    out = []
    for item in items:
        value = _number(item)
        if value is None or not math.isfinite(value) or value <= 0:
            raise ConfigError(f"lr factors: '{item}' is not a positive number (try ⅓, 1, 3).")
        out.append(value)
    if len(out) > MAX_FAN + 1:
        raise ConfigError(f"lr factors: at most {MAX_FAN + 1} of them, got {len(out)}.")
    return tuple(out)


def _number(item: str) -> float | None:
    """"3", "0.5", "1e-2", "1/3", "⅓", "2⅓" -> the number; None when it is none."""
    try:
        return float(item)
    except ValueError:
        pass
    if "/" in item:
        num, _, den = item.partition("/")
        try:
            return float(num) / float(den)
        except (ValueError, ZeroDivisionError):
            return None
    whole, frac = item[:-1], item[-1]
    try:
        part = unicodedata.numeric(frac)
        return (float(whole) if whole else 0.0) + part
    except (TypeError, ValueError):
        return None


def lr_fan(run: Run, factors: Sequence[float], label: str, color: str) -> tuple[Run, list[Run]]:
    """(the run in its shade of the fan, the runs to add): ``run`` at lr × factor for
    every factor but 1 (the run itself stands for it), labelled "``label`` · lr 0.0333",
    in shades of ``color`` from light (the smallest lr) to dark (the largest).
    A learning rate torch refuses is one ConfigError sentence naming it."""
    factors = sorted(set(float(f) for f in factors) | {1.0})
    tones = dict(zip(factors, _ranks(factors)))
    out = []
    for f in factors:
        if f == 1.0:
            continue
        lr = run.optimizer.lr * f
        try:
            optimizer = run.optimizer.replace(lr=lr)
        except ConfigError as e:
            raise ConfigError(f"lr × {f:g}: {e}") from None
        out.append(replace(run, optimizer=optimizer, label=f"{label} · lr {lr:.3g}",
                           color=shade(color, tones[f]), enabled=True))
    if len(out) > MAX_FAN:
        raise ConfigError(f"An lr fan adds at most {MAX_FAN} runs, got {len(out)}.")
    return replace(run, color=shade(color, tones[1.0])), out


def seed_fan(run: Run, surface, count: int, label: str, color: str) -> tuple[Run, list[Run]]:
    """(the run with its own seed and colour made explicit, the ``count`` runs to add):
    the same run on batch seeds s+1 … s+count, s its seed, labelled "``label`` · seed k",
    all in ``color``. Needs a surface with mini-batches (one sentence otherwise)."""
    if not surface.batch_size:
        raise ConfigError("A seed fan needs mini-batch gradients: set a mini-batch size on "
                          "the regression surface first.")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_FAN:
        raise ConfigError(f"A seed fan adds 1 to {MAX_FAN} runs, got {count!r}.")
    seed = run.batch_seed if run.batch_seed is not None else surface.batch_seed
    base = replace(run, batch_seed=seed, color=color)
    added = [replace(base, batch_seed=seed + k, label=f"{label} · seed {seed + k}",
                     enabled=True) for k in range(1, count + 1)]
    return base, added


def seed_fans(runs: Sequence[Run], colors: Sequence[str]) -> list[tuple[int, ...]]:
    """The seed fans among ``runs`` (``colors``: each run's colour as drawn): groups of
    two or more runs, each with a ``batch_seed``, alike in optimizer, schedule,
    clipping and colour. Indices in run order; a run is in at most one group."""
    groups: dict[tuple, list[int]] = {}
    for i, (r, c) in enumerate(zip(runs, colors)):
        if r.batch_seed is None:
            continue
        key = (r.optimizer, r.scheduler, r.clip_grad_norm, r.clip_grad_value, c.lower())
        groups.setdefault(key, []).append(i)
    return [tuple(g) for g in groups.values() if len(g) >= 2]


def mean_path(paths: Sequence[np.ndarray]) -> np.ndarray:
    """The mean point at each step over the paths that reach it, (n, 2): a run that
    diverged leaves the mean where its path ends. Empty for no path.

    >>> mean_path([np.array([[0., 0.], [2., 2.]]), np.array([[2., 0.]])]).tolist()
    [[1.0, 0.0], [2.0, 2.0]]
    """
    paths = [p for p in paths if len(p)]
    if not paths:
        return np.zeros((0, 2))
    n = max(len(p) for p in paths)
    total, count = np.zeros((n, 2)), np.zeros((n, 1))
    for p in paths:
        total[: len(p)] += p
        count[: len(p)] += 1
    return total / count


# ------------------------------------------------------------------ colours
def _ranks(factors: list[float]) -> list[float]:
    """Each factor's place in the sorted fan, evenly from −1 (the smallest) to +1."""
    n = len(factors)
    return [2 * k / (n - 1) - 1 if n > 1 else 0.0 for k in range(n)]


LIGHTEST, DARKEST = 0.75, 0.3       # the fan's HLS lightness band


def shade(color: str, rank: float) -> str:
    """``color``'s hue and saturation at a lightness from the fan's band: ``LIGHTEST``
    at rank −1 to ``DARKEST`` at rank +1. A band, not steps around the colour's own
    lightness: a dark colour darkened further vanished on the dark theme (Okabe &
    Ito's blue, lightness 0.35, went to 0.16 on a background of 0.12), and both
    ends of 0.3 … 0.75 read on white and on #1e1e1e.

    >>> shade("#0072B2", -1.0), shade("#0072B2", 0.0), shade("#0072B2", 1.0)
    ('#80d1ff', '#0da8ff', '#006299')
    """
    r, g, b = (int(color.lstrip("#")[k:k + 2], 16) / 255 for k in (0, 2, 4))
    h, _, s = colorsys.rgb_to_hls(r, g, b)
    light = (LIGHTEST + DARKEST) / 2 - (LIGHTEST - DARKEST) / 2 * rank
    return "#" + "".join(f"{round(v * 255):02x}" for v in colorsys.hls_to_rgb(h, light, s))
