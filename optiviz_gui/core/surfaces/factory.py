"""``make_surface``: a surface from the session file's "surface" object, every key checked.

    {"kind": "linear_regression", "csv": "points.csv"}        data from a CSV file
    {"kind": "linear_regression", "intercept": -2, "slope": 2, "n": 1000,
     "noise": 0.001, "x_range": [-5, 5], "seed": 0}            synthetic data (any key may be left out)
    {"kind": "rosenbrock"}                                    a built-in by name
    {"kind": "expression", "expr": "(1-x)**2 + 100*(y-x**2)**2"}
    {"kind": "mlp", "data": "moons", "n": 200, "noise": 0.2, "seed": 0, "hidden": [8, 8],
     "activation": "tanh", "plane": "random", "plane_seed": 0}   a network's loss (mlp.py)

Each may carry "bounds": [[xmin, xmax], [ymin, ymax]], the view window.
Unknown keys, wrong types and bad values raise ConfigError naming the key:
``surface.noise must be ≥ 0, got -1.``
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .activations import ACTIVATIONS
from .base import Surface
from .datasets import GENERATORS
from .mlp import DEFAULTS as MLP_DEFAULTS
from .mlp import PLANES, MLPSurface
from .regression import SYNTHETIC_DEFAULTS, LinearRegression

MAX_POINTS = 10_000_000
MAX_MAGNITUDE = 1e60   # synthetic settings: keeps every y (and its square) finite
# mlp, interactive (benchmarks/mlp.py): the defaults take 50 µs a training step and 0.15 s
# for a 100×100 plane grid; the largest net allowed (4 × 32 units, P = 3297) on the most
# points 1.6 ms and 15 s with one BLAS thread (10 ms and 280 s with OpenBLAS's two threads
# fighting over two busy cores). 5000 points and 4 × 64 units took 39 ms and 71 s.
MLP_MAX_POINTS = 2000
MLP_MAX_LAYERS = 4
MLP_MAX_WIDTH = 32
MLP_MAX_NOISE = 10.0


def make_surface(spec: dict[str, Any], base_dir: Path) -> Surface:
    """Build the surface ``spec`` describes.

    A CSV path is relative to ``base_dir`` (or absolute); the surface keeps it
    resolved to an absolute path, which its ``to_dict`` returns, and error
    messages call the file by the name the spec gives.
    """
    from . import BUILTINS

    if not isinstance(spec, dict):
        raise ConfigError('surface must be an object such as {"kind": "rosenbrock"}.')
    if "kind" not in spec:
        raise ConfigError('surface.kind is missing; give e.g. "linear_regression", '
                          '"expression" or "rosenbrock".')
    kind = spec["kind"]
    if not isinstance(kind, str):
        raise ConfigError(f"surface.kind must be a string, got {kind!r}.")
    if kind == "linear_regression":
        allowed = ("kind", "csv", *SYNTHETIC_DEFAULTS, "batch_size", "batch_seed", "bounds")
    elif kind == "expression":
        allowed = ("kind", "expr", "bounds")
    elif kind == "mlp":
        allowed = ("kind", *MLP_DEFAULTS, "csv", "bounds")
    elif kind in BUILTINS:
        allowed = ("kind", "bounds")
    else:
        raise ConfigError(f"surface.kind '{kind}' is not a known surface; choose linear_regression, "
                          f"expression, mlp or one of {', '.join(BUILTINS)}.")
    for key in spec:
        if key not in allowed:
            raise ConfigError(f"surface.{key} is not a setting of a {kind} surface "
                              f"(it takes {', '.join(allowed[1:])}).")
    bounds = check_bounds(spec["bounds"]) if "bounds" in spec else None

    if kind == "linear_regression":
        surface = _minibatches(_regression(spec, Path(base_dir)), spec)
    elif kind == "mlp":
        surface = _mlp(spec, Path(base_dir))
    elif kind == "expression":
        from ..expression import ExpressionSurface

        if "expr" not in spec:
            raise ConfigError('surface.expr is missing; give a formula such as "x**2 + 3*y**2".')
        if not isinstance(spec["expr"], str):
            raise ConfigError(f"surface.expr must be a string, got {spec['expr']!r}.")
        try:
            return ExpressionSurface(spec["expr"], bounds=bounds)
        except ConfigError as err:   # "expr: …" → "surface.expr: …", like every other key
            message = str(err)
            raise ConfigError(f"surface.{message}" if message.startswith("expr") else message) from None
    else:
        surface = BUILTINS[kind]()
    return surface.set_bounds(bounds) if bounds is not None else surface


def _regression(spec: dict[str, Any], base_dir: Path) -> LinearRegression:
    synthetic = [key for key in SYNTHETIC_DEFAULTS if key in spec]
    if "csv" in spec:
        if synthetic:
            raise ConfigError(f"surface.csv cannot be combined with surface.{synthetic[0]} "
                              "(data come either from a file or from the synthetic settings).")
        csv = spec["csv"]
        if not isinstance(csv, str) or not csv.strip():
            raise ConfigError(f"surface.csv must be a file name, got {csv!r}.")
        return LinearRegression.from_csv((base_dir / csv).resolve(), name=csv)
    kw = dict(SYNTHETIC_DEFAULTS)
    for key in ("intercept", "slope"):
        if key in spec:
            kw[key] = _number(spec[key], key)
    if "noise" in spec:
        kw["noise"] = _number(spec["noise"], "noise")
        if kw["noise"] < 0:
            raise ConfigError(f"surface.noise must be ≥ 0, got {spec['noise']!r}.")
    if "n" in spec:
        kw["n"] = _whole(spec["n"], "n")
        if not 2 <= kw["n"] <= MAX_POINTS:
            raise ConfigError(f"surface.n must be between 2 and {MAX_POINTS}, got {kw['n']}.")
    if "seed" in spec:
        kw["seed"] = _whole(spec["seed"], "seed")
        if kw["seed"] < 0:
            raise ConfigError(f"surface.seed must be ≥ 0, got {kw['seed']}.")
    if "x_range" in spec:
        kw["x_range"] = _interval(spec["x_range"], "surface.x_range", "[x_min, x_max]")
        if max(map(abs, kw["x_range"])) > MAX_MAGNITUDE:
            raise ConfigError(f"surface.x_range must lie between -{MAX_MAGNITUDE:g} and "
                              f"{MAX_MAGNITUDE:g}, got {spec['x_range']!r}.")
    return LinearRegression.synthetic(**kw)


def _mlp(spec: dict[str, Any], base_dir: Path) -> MLPSurface:
    data = spec.get("data", MLP_DEFAULTS["data"])
    if data not in (*GENERATORS, "csv"):
        raise ConfigError(f"surface.data must be one of {', '.join(GENERATORS)} or csv, "
                          f"got {data!r}.")
    network = {"seed": _seed(spec, "seed"), "plane_seed": _seed(spec, "plane_seed"),
               "hidden": _hidden(spec.get("hidden", MLP_DEFAULTS["hidden"])),
               "activation": _choice(spec, "activation", tuple(ACTIVATIONS)),
               "plane": _choice(spec, "plane", PLANES)}
    if data == "csv":
        for key in ("n", "noise"):
            if key in spec:
                raise ConfigError(f"surface.{key} cannot be combined with surface.data \"csv\" "
                                  "(the points come from the file).")
        csv = spec.get("csv")
        if not isinstance(csv, str) or not csv.strip():
            raise ConfigError(f"surface.csv must be a file name when surface.data is \"csv\", "
                              f"got {csv!r}.")
        return MLPSurface.from_csv((base_dir / csv).resolve(), name=csv, **network)
    if "csv" in spec:
        raise ConfigError(f"surface.csv needs surface.data \"csv\" (data is {data!r}).")
    n = _whole(spec.get("n", MLP_DEFAULTS["n"]), "n")
    if not 2 <= n <= MLP_MAX_POINTS:
        raise ConfigError(f"surface.n must be between 2 and {MLP_MAX_POINTS}, got {n}.")
    noise = spec.get("noise", MLP_DEFAULTS["noise"])
    if not _is_finite(noise) or not 0 <= noise <= MLP_MAX_NOISE:
        raise ConfigError(f"surface.noise must be a number between 0 and {MLP_MAX_NOISE:g}, "
                          f"got {noise!r}.")
    return MLPSurface.generated(data, n, float(noise), **network)


def _seed(spec: dict[str, Any], key: str) -> int:
    value = _whole(spec.get(key, 0), key)
    if value < 0:
        raise ConfigError(f"surface.{key} must be ≥ 0, got {value}.")
    return value


def _choice(spec: dict[str, Any], key: str, choices: tuple[str, ...]) -> str:
    value = spec.get(key, MLP_DEFAULTS[key])
    if value not in choices:
        raise ConfigError(f"surface.{key} must be one of {', '.join(choices)}, got {value!r}.")
    return value


def _hidden(value) -> tuple[int, ...]:
    """``hidden``: up to MLP_MAX_LAYERS widths between 1 and MLP_MAX_WIDTH."""
    if not isinstance(value, (list, tuple)) or len(value) > MLP_MAX_LAYERS:
        raise ConfigError(f"surface.hidden must be a list of at most {MLP_MAX_LAYERS} layer "
                          f"widths such as [8, 8], got {value!r}.")
    for i, width in enumerate(value):
        if (not isinstance(width, int) or isinstance(width, bool)
                or not 1 <= width <= MLP_MAX_WIDTH):
            raise ConfigError(f"surface.hidden[{i}] must be a whole number between 1 and "
                              f"{MLP_MAX_WIDTH}, got {width!r}.")
    return tuple(value)


def _minibatches(surface: LinearRegression, spec: dict[str, Any]) -> LinearRegression:
    if "batch_size" not in spec:
        if "batch_seed" in spec:
            raise ConfigError("surface.batch_seed needs surface.batch_size.")
        return surface
    size = _whole(spec["batch_size"], "batch_size")
    seed = _whole(spec.get("batch_seed", 0), "batch_seed")
    if seed < 0:
        raise ConfigError(f"surface.batch_seed must be ≥ 0, got {seed}.")
    return surface.minibatches(size, seed)


def check_bounds(value) -> tuple[tuple[float, float], tuple[float, float]]:
    """``[[xmin, xmax], [ymin, ymax]]``: finite numbers, min < max; as tuples."""
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise ConfigError(f"surface.bounds must be [[x_min, x_max], [y_min, y_max]], got {value!r}.")
    return (_interval(value[0], "surface.bounds[0]", "[x_min, x_max]"),
            _interval(value[1], "surface.bounds[1]", "[y_min, y_max]"))


def _interval(value, key: str, shape: str) -> tuple[float, float]:
    ok = (isinstance(value, (list, tuple)) and len(value) == 2
          and all(_is_finite(v) for v in value))
    if not ok or not value[0] < value[1]:
        raise ConfigError(f"{key} must be {shape}, two finite numbers with the first smaller, "
                          f"got {value!r}.")
    return float(value[0]), float(value[1])


def _is_finite(value) -> bool:
    """A JSON number (not a bool) that is a finite float64."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an int beyond float64
        return False


def _number(value, key: str) -> float:
    if not _is_finite(value):
        raise ConfigError(f"surface.{key} must be a finite number, got {value!r}.")
    if abs(value) > MAX_MAGNITUDE:
        raise ConfigError(f"surface.{key} must be between -{MAX_MAGNITUDE:g} and "
                          f"{MAX_MAGNITUDE:g}, got {value!r}.")
    return float(value)


def _whole(value, key: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ConfigError(f"surface.{key} must be a whole number, got {value!r}.")
    return value
