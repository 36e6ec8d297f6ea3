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
new one. The worker only computes; it never calls a listener. The window asks
``take_done()`` on its own thread (a timer while ``busy``) and the model then
announces the runs that grew, from the thread that draws.
"""

from __future__ import annotations

import threading
import time

QUICK = 2000            # steps a run gets at once, in the edit itself (~5 ms in Python)
CHUNK_SECONDS = 0.015   # the worker's slice of one run before it moves to the next


class Filler:
    """Extends trajectories to their wanted steps in one worker thread (see the module)."""

    def __init__(self) -> None:
        self._wanted: dict[int, tuple[object, int]] = {}     # id(t) -> (t, target step)
        self._done: set[int] = set()                         # ids of those that grew
        self._rate: dict[int, float] = {}                    # steps per second seen, per id
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------ from the model
    def want(self, t, step: int) -> None:
        """Extend trajectory ``t`` to ``step`` (a later call for it replaces the target)."""
        if t.diverged or t.steps >= step:
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
            self._done &= ids
            self._rate = {i: r for i, r in self._rate.items() if i in ids}

    @property
    def busy(self) -> bool:
        with self._cond:
            return bool(self._wanted) or bool(self._done)

    def take_done(self) -> set[int]:
        """The ids of the trajectories that grew since the last call."""
        with self._cond:
            done, self._done = self._done, set()
            return done

    def remaining(self) -> tuple[int, int]:
        """(steps still to compute, steps wanted in all) of the current work."""
        with self._cond:
            work = list(self._wanted.values())
        left = sum(max(0, target - t.steps) for t, target in work if not t.diverged)
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
                to = min(target, t.steps + max(64, int(rate * CHUNK_SECONDS)))
                start, before = time.perf_counter(), t.steps
                t.extend(to)
                took = time.perf_counter() - start
                if took > 0 and t.steps > before:
                    self._rate[key] = (t.steps - before) / took
                with self._cond:
                    if t.steps > before:
                        self._done.add(key)
                    current = self._wanted.get(key)
                    if current is not None and current[0] is t and (
                            t.diverged or t.steps >= current[1]):
                        del self._wanted[key]
