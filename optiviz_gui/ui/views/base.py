"""What every view shares: one way to listen to the model, and per-run redraws.

A view draws the model (``core.simulation.Simulation``) and nothing else. It
calls ``self.listen(sim)`` once; that connects each of the model's events to
the view's handler of the same name (``on_step_changed`` for ``step_changed``,
and so on — see the Simulation docstring for the events). The defaults here
turn the events into the three things a view does:

    draw_static()     what depends on the surface only (a level map, a mesh)
    draw_run(i)       run i's own items (its path, its curve, its line)
    draw_shared()     what every run shares (current points, legend, counter)

so a one-run edit (a new learning rate) redraws that run alone, a step redraws
every run once, a new surface rebuilds the static part once and then the runs
once. A view overrides a handler only where it needs something else.
``stop_listening()`` disconnects (the model holds views weakly anyway, so a
closed view is never kept alive by it).
"""

from __future__ import annotations

EVENTS = ("surface_changed", "start_changed", "run_added", "run_removed", "run_changed",
          "history_changed", "steps_changed", "step_changed", "session_replaced")

#: run fields whose change shows in a view (a label only in the legend)
DRAWN_FIELDS = frozenset({"color", "enabled", "label"})


class ModelView:
    """Mixin for views; see the module docstring."""

    sim = None
    _theme = None

    @property
    def theme(self):
        """The colours the view draws with (``style.theme.Theme``; set by apply_theme)."""
        return self._theme

    def listen(self, sim) -> None:
        self.sim = sim
        self._listening = []
        for name in EVENTS:
            handler = getattr(self, f"on_{name}")
            getattr(sim, name).connect(handler)
            self._listening.append((getattr(sim, name), handler))

    def stop_listening(self) -> None:
        for signal, handler in getattr(self, "_listening", ()):
            try:
                signal.disconnect(handler)
            except ValueError:
                pass
        self._listening = []

    # ------------------------------------------------------ what a view draws
    def draw_static(self) -> None:
        """Everything that depends on the surface alone."""

    def draw_run(self, i: int) -> None:
        """Run i's own items, for the current step."""

    def draw_shared(self) -> None:
        """What all runs share: current points, legend, counter."""

    def redraw(self) -> None:
        """Every run and the shared items, for the current step."""
        for i in range(len(self.sim.runs)):
            self.draw_run(i)
        self.draw_shared()

    # -------------------------------------------------------------- handlers
    def on_surface_changed(self, _surface) -> None:
        self.draw_static()                  # history_changed follows: runs drawn then

    def on_start_changed(self, _start) -> None:
        pass                                # history_changed follows

    def on_history_changed(self, runs) -> None:
        for i in runs:
            self.draw_run(i)
        self.draw_shared()

    def on_run_changed(self, i: int, fields) -> None:
        if fields & DRAWN_FIELDS:
            self.draw_run(i)
            self.draw_shared()              # "optimizer": history_changed((i,)) follows

    def on_run_added(self, _i: int) -> None:
        self.redraw()

    def on_run_removed(self, _i: int) -> None:
        self.redraw()                       # every later run moved down one place

    def on_steps_changed(self, _n: int) -> None:
        pass

    def on_step_changed(self, _k: int) -> None:
        self.redraw()

    def on_session_replaced(self) -> None:
        self.draw_static()
        self.on_steps_changed(self.sim.steps)
        self.redraw()
