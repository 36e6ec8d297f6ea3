"""Compiling kernels in the background: one worker thread, numba's on-disk cache, a table.

``compiled(plan)`` returns the compiled piece for a plan if it is ready, and
otherwise queues it (once) for the worker and returns None, so the caller
takes the Python path meanwhile; ``wait=True`` blocks until it is ready.
A plan that fails to compile (a surface whose code numba cannot type) is
remembered as failed and stays on the Python path.

numba is imported by the worker, never by the caller's thread. Compiled pieces
are cached by numba in ``cache_folder()``: $XDG_CACHE_HOME/optiviz/numba (or
~/.cache/optiviz/numba), when that folder can be created and written — a
PyInstaller bundle's own folder may not be writable, the user's cache is.
Otherwise they are compiled in memory, once per process.
"""

from __future__ import annotations

import os
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from .plan import OptimizerPlan, SurfacePlan

ANCHOR_TEXT = ("OptiViz's compiled kernels. numba keeps them in __pycache__ beside this file,\n"
               "named after a fingerprint of the code they compile; delete the folder to clear them.\n")

_lock = threading.Lock()
_table: dict[object, Future] = {}
_executor: ThreadPoolExecutor | None = None
_anchor: list[str | None] = []       # [path] once decided


def compiled(plan: OptimizerPlan | SurfacePlan, wait: bool = False):
    """The compiled loop or surface for ``plan``, or None while compiling (or if it failed)."""
    with _lock:
        future = _table.get(plan)
        if future is None:
            future = _table[plan] = _worker().submit(_build, plan)
    if not (wait or future.done()):
        return None
    try:
        return future.result()
    except Exception:       # numba could not compile it: the Python path runs it
        return None


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base, "optiviz", "numba")


def anchor() -> str | None:
    """The file numba files cached kernels beside, or None when no cache folder is writable."""
    with _lock:
        if not _anchor:
            _anchor.append(_make_anchor(cache_folder()))
        return _anchor[0]


def forget() -> None:
    """Drop the table and the cache decision (tests: a new cache folder, a clean slate)."""
    with _lock:
        _table.clear()
        _anchor.clear()


def _make_anchor(folder: Path) -> str | None:
    path = folder / "anchor.txt"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text() != ANCHOR_TEXT:
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
            with os.fdopen(fd, "w") as f:
                f.write(ANCHOR_TEXT)
            os.replace(tmp, path)
        (folder / "__pycache__").mkdir(exist_ok=True)
        tempfile.TemporaryFile(dir=folder / "__pycache__").close()
    except OSError:
        return None
    return str(path)


def _worker() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="optiviz-kernels")
    return _executor


def _build(plan):
    """Compile (or load from numba's cache) one piece; runs on the worker thread."""
    from . import compile as numba_side

    if isinstance(plan, OptimizerPlan):
        return numba_side.build_loop(plan, anchor())
    return numba_side.build_surface(plan, anchor())
