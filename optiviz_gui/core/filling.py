"""Trajectories extended in a worker thread, so an edit returns at once however long the runs.

An edit in the app (a new start, a learning rate, a surface, a seek far ahead)
makes new trajectories. The model computes the first ``QUICK`` steps of each at
once, so the views show something in the same frame, and hands the rest to a
``Filler``: one daemon thread that extends the wanted trajectories a chunk at a
time, round robin, so every run fills in together. The compiled loops
(core/kernels) release the GIL, so the window keeps painting on the other core;
the Python path shares the interpreter with it (Python switches threads every
few milliseconds), which keeps the window live too, only slower to fill.

A newer edit replaces the trajectories: the filler drops work on any trajectory
the model no longer holds (``keep``), so an old edit never queues in front of a
new one. The worker only computes (``Trajectory.extend(..., defer=True)``: its
steps are not visible yet); it never calls a listener. The window asks the model
to ``poll`` on its own thread (a timer while it is computing): the model makes
visible what the worker computed, as much as the window can draw in a frame,
and announces the runs that grew — so the arrays the window reads never change
under it, and a fast worker cannot flood a frame.
"""

from __future__ import annotations

import threading
import time

QUICK = 2000            # steps a run gets at once, in the edit itself (~5 ms in Python)
CHUNK_SECONDS = 0.015   # the worker's slice of one run before it moves to the next ...
MAX_CHUNK = 25_000      # ... and at most this many steps (the window shows a chunk at a time)


class Filler:
    """Extends trajectories to their wanted steps in one worker thread (see the module)."""

    def __init__(self) -> None:
        self._wanted: dict[int, tuple[object, int]] = {}     # id(t) -> (t, target step)
        self._rate: dict[int, float] = {}                    # steps per second seen, per id
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------ from the model
    def want(self, t, step: int) -> None:
        """Extend trajectory ``t`` to ``step`` (a later call for it replaces the target)."""
        if t.computed_diverged or t.computed >= step:
            return
        with self._cond:
            self._wanted[id(t)] = (t, int(step))
            self._cond.notify()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="optiviz-filler",
                                                daemon=True)
                self._thread.start()

    def keep(self, trajectories) -> None:
        """Forget the work on every trajectory not in ``trajectories`` (replaced by an edit)."""
        ids = {id(t) for t in trajectories}
        with self._cond:
            self._wanted = {i: w for i, w in self._wanted.items() if i in ids}
            self._rate = {i: r for i, r in self._rate.items() if i in ids}

    @property
    def busy(self) -> bool:
        with self._cond:
            return bool(self._wanted)

    def wants(self, t) -> bool:
        with self._cond:
            return id(t) in self._wanted

    def remaining(self) -> tuple[int, int]:
        """(steps still to compute, steps wanted in all) of the current work."""
        with self._cond:
            work = list(self._wanted.values())
        left = sum(max(0, target - t.computed) for t, target in work if not t.computed_diverged)
        return left, sum(target for _, target in work)

    def wait(self, timeout: float = 60.0) -> bool:
        """Block until the work is done (tests, commands); False on timeout."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._cond:
                if not self._wanted:
                    return True
            time.sleep(0.002)
        return False

    # ------------------------------------------------------------ the worker
    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._wanted:
                    self._cond.wait()
                jobs = list(self._wanted.items())
            for key, (t, target) in jobs:
                with self._cond:
                    if self._wanted.get(key, (None, 0))[0] is not t:
                        continue                      # dropped or replaced meanwhile
                rate = self._rate.get(key, 20_000.0)
                before = t.computed
                to = min(target, before + min(MAX_CHUNK, max(64, int(rate * CHUNK_SECONDS))))
                start = time.perf_counter()
                t.extend(to, defer=True)
                took = time.perf_counter() - start
                if took > 0 and t.computed > before:
                    self._rate[key] = (t.computed - before) / took
                with self._cond:
                    current = self._wanted.get(key)
                    if current is not None and current[0] is t and (
                            t.computed_diverged or t.computed >= current[1]):
                        del self._wanted[key]
