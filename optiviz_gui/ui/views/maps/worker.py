"""Computing a map off the GUI thread: ``core.maps.compute`` on a worker thread.

    worker = MapWorker()
    worker.updated.connect(show)       # (generation, MapResult so far: its own arrays)
    worker.finished.connect(done)      # (generation, MapResult, or None if cancelled)
    generation = worker.start(spec)
    worker.cancel()                    # the thread stops within one slice of work

One map at a time: ``start`` cancels the one before, and every report carries
the generation it belongs to, so a late report of a cancelled map is told
apart and dropped. The thread only reads the spec (immutable) and owns its
MapResult; what it hands over is a copy (``snapshot``), sent through Qt's
queued signals, so the GUI thread never sees an array being written. Nothing
here touches the model: a cancelled map leaves no trace.

Why a thread, and a low-priority one (benchmarks/maps.py, frame times of the
window at 1440×900 during playback while Adam's 256×256 start map computes over
and over; four runs on this 2-core machine shared with other work): numpy
releases the GIL inside its array loops and the cells run as a few hundred
numpy calls a step on blocks of thousands of cells, so the GUI thread gets the
interpreter back within 0.07 ms of asking, map or no map. What slows frames is
sharing the two cores, which a worker process would share too: with the worker
at the GUI's priority the frames' median went from 9–11 ms (no map) to
14–17 ms and their 95th percentile from 20–31 ms to 46–73 ms; with the worker
thread at nice 10 (``background_priority``) 8–13 ms and 18–39 ms, as with no
map, and the map takes what the frames leave. Blocks are smaller than the
command line's (``block_for``: about eight a map, at least 1024 cells) so the
first is the coarse sub-grid and the picture sharpens as the others come;
blocks of 1024 cost the frames more (more Python between numpy calls), 8192
and 16384 measured alike.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from ....core import maps
from ....core.errors import ConfigError

UPDATE_S = 0.15          # at most one picture this often while computing
PROGRESS_S = 0.05        # and one progress report this often
MIN_BLOCK = 1024


def block_for(spec) -> int:
    """Cells per block: about an eighth of the map, from 1024 to core.maps.BLOCK."""
    n, m = spec.shape
    return min(maps.BLOCK, max(MIN_BLOCK, n * m // 8))


NICE = 10                # the worker thread's nice value on Linux (the GUI thread's is 0)


def background_priority() -> None:
    """Lower the calling thread's scheduling priority (Linux: its own nice value; the
    process and the GUI thread keep theirs), so on a busy machine the GUI thread's
    frames come first and the map gets the rest. Elsewhere nothing happens."""
    if NICE and sys.platform.startswith("linux"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
        except (OSError, AttributeError):
            pass


def snapshot(result):
    """A MapResult with arrays of its own (the worker keeps writing its own)."""
    return replace(result, x=result.x.copy(), y=result.y.copy(), loss=result.loss.copy(),
                   status=result.status.copy(), step=result.step.copy(),
                   minimum=result.minimum.copy(), done=result.done.copy())


class MapWorker(QObject):
    """See the module docstring."""

    progressed = Signal(int, float)      # generation, fraction of the point-steps done
    updated = Signal(int, object)        # generation, snapshot MapResult
    finished = Signal(int, object)       # generation, MapResult or None (cancelled)
    failed = Signal(int, str)            # generation, one sentence

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.generation = 0
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None

    @property
    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and \
            not self._stop.is_set()

    def start(self, spec) -> int:
        """Compute ``spec`` (cancelling the map before); returns its generation."""
        self.cancel()
        self.generation += 1
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(self.generation, spec, self._stop),
                                        name="optiviz-map", daemon=True)
        self._thread.start()
        return self.generation

    def cancel(self) -> None:
        """Stop the current map (its thread ends within one slice); no report follows
        but ``finished(generation, None)`` — which the caller may ignore."""
        if self._stop is not None:
            self._stop.set()

    def wait(self, timeout: float = 5.0) -> bool:
        """Wait for the thread to end (after ``cancel``); True when it has."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self, generation: int, spec, stop: threading.Event) -> None:
        background_priority()
        last = {"update": 0.0, "progress": 0.0}

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last["progress"] >= PROGRESS_S:
                last["progress"] = now
                self._emit(self.progressed, generation, done / max(total, 1))

        def on_block(result, _block) -> None:
            now = time.monotonic()
            if now - last["update"] >= UPDATE_S and not stop.is_set():
                last["update"] = now
                self._emit(self.updated, generation, snapshot(result))

        try:
            result = maps.compute(spec, progress=progress, cancel=stop.is_set,
                                  on_block=on_block, block=block_for(spec))
        except ConfigError as e:
            self._emit(self.failed, generation, str(e))
            return
        except Exception as e:  # noqa: BLE001 - any failure is one sentence; the app goes on
            self._emit(self.failed, generation, f"The map failed: {type(e).__name__}: {e}.")
            return
        self._emit(self.finished, generation, None if stop.is_set() else result)

    @staticmethod
    def _emit(signal, *args) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:          # the receiver's Qt object is gone (window closed)
            pass
