"""Compiling kernels in the background, without stalling the GUI thread.

``compiled(plan)`` returns the compiled piece for a plan if it is ready, and
otherwise queues it (once) and returns None, so the caller takes the Python
path meanwhile; ``wait=True`` blocks until it is ready. A plan that fails to
compile (a surface whose code numba cannot type) is remembered as failed and
stays on the Python path.

Where the work happens, and why: compiling holds the GIL in many short pieces,
which is harmless, but it also makes tens of thousands of objects, and with the
app's heap the garbage collections they trigger hold the GIL for 70–140 ms each
(benchmarks/kernels.py: a 60 Hz timer in the GUI thread came up to 110–160 ms
late while a worker thread compiled, every late tick a full collection). So
when numba's on-disk cache is writable, a child process (child.py) compiles the
piece into the cache, and the worker thread here only loads it: one ``import
numba`` and a few small loads in this process (1–3 late ticks, at most 60–100
ms, instead of 4–12 while SGD, RMSprop and Adam got ready; an app that calls
``gc.freeze()`` after start-up gets 30–60 ms). A piece already in the cache (a
``.ready`` mark beside it) is loaded without the child. Every job queued so far
goes to the child at once, before this process imports numba (a bundle unpacks
llvmlite first, seconds): a short ``optiviz run`` that ends before its kernels are
ready still leaves them compiled in the cache for the next run. Without a writable
cache, or if the child fails, the worker thread compiles here.

The cache folder is $XDG_CACHE_HOME/optiviz/numba (or ~/.cache/optiviz/numba)
when it can be created and written — a PyInstaller bundle's own folder may not
be writable, the user's cache is; numba files the kernels beside ``anchor.txt``.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import pickle
import queue
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import Future
from pathlib import Path

from .plan import OptimizerPlan, SurfacePlan

ANCHOR_TEXT = ("OptiViz's compiled kernels. numba keeps them in __pycache__ beside this file,\n"
               "named after a fingerprint of the code they compile; delete the folder to clear them.\n")

_lock = threading.Lock()
_table: dict[object, Future] = {}
_anchor: list[str | None] = []        # [path] once decided
_jobs: queue.SimpleQueue = queue.SimpleQueue()   # (plan, future) for the worker thread
_pools: dict[str, object] = {}         # "thread": the worker; "process": the child (a Popen)
_queued = [0]                          # pieces queued or being built
_retire: list[threading.Timer] = []    # lets an idle child go after CHILD_IDLE_S
CHILD_IDLE_S = 30.0                    # a child starts in about 0.7 s: keep it for the next edit
SWITCH_INTERVAL_S = 2e-4               # the GIL's switch interval while a piece loads (see _build)

# False: compile in this process even when the cache is writable (debugging numba
# errors; benchmarks/kernels.py measures both ways)
compile_in_child = True


def compiled(plan: OptimizerPlan | SurfacePlan, wait: bool = False, start: bool = True):
    """The compiled loop or surface for ``plan``, or None while compiling (or if it failed).

    ``start=False`` only looks: a piece nobody asked for yet is not queued.
    """
    with _lock:
        future = _table.get(plan)
        if future is None:
            if not start:
                return None
            if "thread" not in _pools:   # a daemon: quitting the app never waits for a compile
                _pools["thread"] = threading.Thread(target=_work, name="optiviz-kernels", daemon=True)
                _pools["thread"].start()
            _queued[0] += 1
            for timer in _retire:
                timer.cancel()
            _retire.clear()
            future = _table[plan] = Future()
            _jobs.put((plan, future))
    if not (wait or future.done()):
        return None
    try:
        return future.result()
    except Exception:       # numba could not compile it: the Python path runs it
        return None


def _work() -> None:
    """The worker thread: takes every job queued so far, hands them all to the child at
    once (a short ``optiviz run`` may end before the first is compiled; the child, once
    it has them, compiles them all into the cache for the next run), then readies each."""
    while True:
        batch = [_jobs.get()]
        while True:
            try:
                batch.append(_jobs.get_nowait())
            except queue.Empty:
                break
        try:
            sent = _hand_to_child([plan for plan, _ in batch])
        except Exception:    # the worker must live on: each piece is compiled here then
            sent = []
        for plan, future in batch:
            try:
                future.set_result(_build(plan, plan in sent))
            except BaseException as err:      # kept for whoever waits; the Python path goes on
                future.set_exception(err)


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
    """Drop the table, the cache decision and the child (tests: a new cache folder, a clean slate)."""
    with _lock:
        _table.clear()
        _anchor.clear()
    _let_child_go()


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


def _ready_mark(plan, where: str | None) -> Path | None:
    """The file that says the cache holds ``plan`` (None without a cache)."""
    if where is None:
        return None
    return Path(where).parent / f"{plan.fingerprint()}-numba-{_numba_version()}.ready"


def _hand_to_child(plans: list) -> list:
    """Send the child the plans the cache lacks; the ones it took (in order).  It needs
    nothing of numba here — a bundle's llvmlite takes seconds to unpack (frozen.py)."""
    where = anchor()
    wanted = [p for p in plans if compile_in_child and (mark := _ready_mark(p, where)) is not None
              and not mark.exists()]
    if not wanted:
        return []
    try:
        proc = _child()
        for plan in wanted:
            pickle.dump((plan, where), proc.stdin)
        proc.stdin.flush()
    except Exception:        # no child: the worker compiles here instead
        return []
    return wanted


def _build(plan, in_child: bool):
    """Ready one piece (on the worker thread): compiled by the child into the cache, loaded here.

    Loading makes thousands of short calls into llvmlite, each leaving the GIL and
    asking for it back; while another thread runs Python (the Python path of a long
    run) each ask waits out the 5 ms switch interval: a cached Adam kernel took 6.2 s
    to load instead of 0.5 s. A 0.2 ms interval meanwhile brings that to 1.1 s.
    """
    interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    try:
        from . import frozen

        where = anchor()
        if in_child:
            try:
                _child_answer()
            except Exception:    # the child could not: compile here instead
                pass
        frozen.prepare()
        piece = build(plan, where)     # imports numba here, on the worker thread
        ready = _ready_mark(plan, where)
        if ready is not None:
            ready.touch()
        return piece
    finally:
        sys.setswitchinterval(interval)
        with _lock:
            _queued[0] -= 1
            if _queued[0] == 0 and "process" in _pools:     # idle: let the child go, later
                _retire.append(threading.Timer(CHILD_IDLE_S, _let_child_go))
                _retire[-1].daemon = True
                _retire[-1].start()


@functools.cache
def _numba_version() -> str:
    """numba's version without importing it (its metadata; the bundle ships it too)."""
    try:
        return importlib.metadata.version("numba")
    except importlib.metadata.PackageNotFoundError:
        import numba
        return numba.__version__


def build(plan, where: str | None):
    """Compile ``plan`` (or load it from numba's cache beside ``where``): in the child or here."""
    from . import compile as numba_side

    if isinstance(plan, OptimizerPlan):
        return numba_side.build_loop(plan, where)
    return numba_side.build_surface(plan, where)


def _child():
    """The compiling child (started when there is none)."""
    from . import child

    with _lock:
        proc = _pools.get("process")
        if proc is None or proc.poll() is not None:
            package_root = str(Path(__file__).resolve().parents[3])
            path = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
            proc = _pools["process"] = subprocess.Popen(
                child.command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                env={**os.environ, "PYTHONPATH": path})
    return proc


def _child_answer() -> None:
    """The child's answer to the oldest job it has: None, or its error raised here."""
    problem = pickle.load(_pools["process"].stdout)
    if problem is not None:
        raise RuntimeError(problem)


def _let_child_go() -> None:
    with _lock:
        proc = _pools.pop("process", None) if _queued[0] == 0 else None
    if proc is not None:
        proc.stdin.close()       # the child ends at EOF, after the piece it may be compiling
        proc.wait()
