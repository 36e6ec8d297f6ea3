"""The session file (a public contract: README, "Sessions"): read with validation, write atomically.

    {
      "format": "optiviz-session", "version": 1,
      "surface": {"kind": "linear_regression", "csv": "points.csv"},
      "start": [2.0, 9.0],
      "steps": 100,
      "optimizers": [{"name": "sgd", "lr": 0.1}, ...]
    }

Each run may carry "scheduler" (a torch lr scheduler with its keywords),
"clip_grad_norm", "clip_grad_value", "batch_seed" (its own seed for the
surface's mini-batch shuffling; default the surface's) and "enabled" (default
true), beside its optimizer's keywords, "label" and "color".

Paths are relative to the file's folder. Every problem is a ConfigError whose
one sentence names the key.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .files import write_text_atomic
from .optimizers import OPTIMIZERS, make_optimizer
from .schedules import make_scheduler
from .simulation import Run, Simulation, check_run_on
from .surfaces import make_surface
from .trajectory import MAX_STEPS

FORMAT = "optiviz-session"
VERSION = 1
_TOP_KEYS = {"format", "version", "surface", "start", "steps", "optimizers"}
_DISPLAY_KEYS = {"name", "label", "color", "enabled"}
_RUN_KEYS = {"scheduler", "clip_grad_norm", "clip_grad_value", "batch_seed"}   # the loop around it
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def default_path() -> Path:
    """The session the app opens on: the blog's comparison (resources/presets/blog.json)."""
    from optiviz_gui.resources import resource_path
    return Path(str(resource_path("presets", "blog.json")))


def load(path: str | os.PathLike | None = None) -> Simulation:
    """Read and validate a session file; None reads the default example."""
    path = Path(path) if path is not None else default_path()
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"No such session file: {path}.") from None
    except IsADirectoryError:
        raise ConfigError(f"{path} is a folder, not a session file.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text.") from None
    except OSError as e:
        raise ConfigError(f"Cannot read {path}: {(e.strerror or str(e)).lower()}.") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise ConfigError(f"{path} is not valid JSON: {e.msg} at line {e.lineno}, "
                          f"column {e.colno}.") from None
    return from_dict(obj, path.parent)


def from_dict(obj: Any, base_dir: str | os.PathLike = ".") -> Simulation:
    """Build a Simulation from the parsed JSON object (see the module docstring)."""
    if not isinstance(obj, dict):
        raise ConfigError("The session must be a JSON object.")
    for key in obj:
        if key not in _TOP_KEYS:
            raise ConfigError(f"Unknown key '{key}' in the session (allowed: "
                              f"{', '.join(sorted(_TOP_KEYS))}).")
    for key in ("format", "version", "surface", "start", "optimizers"):
        if key not in obj:
            raise ConfigError(f"The session has no '{key}'.")
    if obj["format"] != FORMAT:
        raise ConfigError(f"format must be \"{FORMAT}\", got {obj['format']!r}.")
    if obj["version"] != VERSION or isinstance(obj["version"], bool):
        raise ConfigError(f"version must be {VERSION}, got {obj['version']!r}.")
    if not isinstance(obj["surface"], dict):
        raise ConfigError("surface must be an object such as {\"kind\": \"rosenbrock\"}.")
    surface = make_surface(obj["surface"], Path(base_dir))
    start = _point(obj["start"], "start")
    steps = obj.get("steps", 100)
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
        raise ConfigError(f"steps must be a whole number from 1 to {MAX_STEPS:,}, got {steps!r}.")
    runs = _runs(obj["optimizers"])
    for i, run in enumerate(runs):
        try:
            check_run_on(surface, run)
        except ConfigError as e:
            raise ConfigError(f"optimizers[{i}]: {e}") from None
    sim = Simulation(surface, start, runs, steps)
    if getattr(surface, "plane_kind", None) == "pca":
        # DESIGN.md: the plane of the runs' paths (start read on the random plane of
        # plane_seed, where they begin); the app's "Fit the plane to the paths" does the same
        try:
            sim.fit_plane()
        except ConfigError as e:
            raise ConfigError(f"surface.plane \"pca\": {e}") from None
    return sim


def to_dict(sim: Simulation, base_dir: str | os.PathLike = ".") -> dict[str, Any]:
    """The JSON object for a simulation; data paths are made relative to ``base_dir``."""
    surface = dict(sim.surface.to_dict())
    if "csv" in surface:
        csv = Path(base_dir, surface["csv"]).resolve()
        surface["csv"] = Path(os.path.relpath(csv, Path(base_dir).resolve())).as_posix()
    optimizers = []
    for run in sim.runs:
        entry: dict[str, Any] = {"name": run.optimizer.name}
        entry.update({k: list(v) if isinstance(v, tuple) else v
                      for k, v in run.optimizer.settings().items()})
        if run.scheduler is not None:
            entry["scheduler"] = run.scheduler.to_dict()
        for key in ("clip_grad_norm", "clip_grad_value", "batch_seed"):
            if getattr(run, key) is not None:
                entry[key] = getattr(run, key)
        if run.label:
            entry["label"] = run.label
        if run.color:
            entry["color"] = run.color
        if not run.enabled:
            entry["enabled"] = False
        optimizers.append(entry)
    # a network on a fitted PCA plane reads its start on the random plane (mlp.py)
    start = getattr(sim.surface, "session_start", lambda s: s)(sim.start)
    return {"format": FORMAT, "version": VERSION, "surface": surface,
            "start": list(start), "steps": sim.steps, "optimizers": optimizers}


def save(sim: Simulation, path: str | os.PathLike) -> None:
    """Write the session atomically: the old file stays whole until the new one is."""
    path = Path(path)
    text = json.dumps(to_dict(sim, path.parent), indent=2, ensure_ascii=False) + "\n"
    write_text_atomic(path, text)


# ------------------------------------------------------------------ fields
def _point(value: Any, key: str) -> tuple[float, float]:
    if (not isinstance(value, list) or len(value) != 2
            or not all(_is_number(v) for v in value)):
        raise ConfigError(f"{key} must be a list of two numbers such as [2.0, 9.0], got {value!r}.")
    if not all(math.isfinite(v) for v in value):
        raise ConfigError(f"{key} must be finite, got {value!r}.")
    return float(value[0]), float(value[1])


def _runs(value: Any) -> list[Run]:
    if not isinstance(value, list) or not value:
        raise ConfigError("optimizers must be a non-empty list of objects such as "
                          "{\"name\": \"adam\", \"lr\": 0.1}.")
    return [run_from_entry(entry, f"optimizers[{i}]") for i, entry in enumerate(value)]


def run_from_entry(entry: Any, key: str = "optimizer") -> Run:
    """One entry of the session's "optimizers" list as a Run (core/presets.py builds its
    runs this way too); a bad entry is a ConfigError naming ``key``."""
    if not isinstance(entry, dict):
        raise ConfigError(f"{key} must be an object such as {{\"name\": \"sgd\"}}, got {entry!r}.")
    name = entry.get("name")
    if name is None:
        raise ConfigError(f"{key} has no 'name'.")
    if not isinstance(name, str) or name not in OPTIMIZERS:
        raise ConfigError(f"{key}.name {name!r} is not an optimizer "
                          f"(known: {', '.join(OPTIMIZERS)}).")
    label = entry.get("label")
    if label is not None and (not isinstance(label, str) or not label.strip()):
        raise ConfigError(f"{key}.label must be a non-empty string, got {label!r}.")
    color = entry.get("color")
    if color is not None and (not isinstance(color, str) or not _COLOR.match(color)):
        raise ConfigError(f"{key}.color must be a colour such as \"#0072B2\", got {color!r}.")
    enabled = entry.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ConfigError(f"{key}.enabled must be true or false, got {enabled!r}.")
    hyper = {k: v for k, v in entry.items() if k not in _DISPLAY_KEYS | _RUN_KEYS}
    loop = {k: v for k, v in entry.items() if k in _RUN_KEYS}
    for clip in ("clip_grad_norm", "clip_grad_value"):
        if clip in loop and not _is_number(loop[clip]):
            raise ConfigError(f"{key}.{clip} must be a number, got {loop[clip]!r}.")
    seed = loop.get("batch_seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ConfigError(f"{key}.batch_seed must be a whole number ≥ 0, got {seed!r}.")
    try:
        optimizer = make_optimizer(name, **hyper)
    except ConfigError as e:
        raise ConfigError(f"{key}: {e}") from None
    if "scheduler" in loop:
        try:
            loop["scheduler"] = make_scheduler(loop["scheduler"], optimizer)
        except ConfigError as e:
            raise ConfigError(f"{key}.scheduler: {e}") from None
    try:
        return Run(optimizer, label=label, color=color, enabled=enabled, **loop)
    except ConfigError as e:
        raise ConfigError(f"{key}: {e}") from None


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)
