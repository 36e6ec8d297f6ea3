"""The `optiviz` command: the app by default, `run`, `export` and `map` headless.

    optiviz                          open the app on the default example
    optiviz SESSION.json             open the app on a session
    optiviz run SESSION.json [-o F]  trajectories as CSV (-o F.json: JSON with the states)
    optiviz export SESSION.json -o OUT.gif [--view contour|surface|both]
                                     [--size WxH] [--fps N]
    optiviz map SESSION.json -o OUT.csv|OUT.png [--run LABEL] [--over start |
                --over lr[:LO:HI] [--over KEY[:LO:HI]]] [--grid N | --grid NxM] [--steps K]
                [--color loss|steps|outcome|minimum]
                                     many runs at once as CSV, or drawn by the map view

Errors go to stderr as one sentence, with exit status 2, and no output file.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .core.errors import ConfigError

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one sentence too."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise ConfigError(f"{message[:1].upper()}{message[1:]} (see '{self.prog} --help').")


# ------------------------------------------------------------------- run
def cmd_run(args) -> int:
    """Every trajectory as CSV (to -o F.csv or standard output) or JSON (-o F.json),
    streamed: a run at a time, a row at a time (export/trajectories.py)."""
    from .export import trajectories

    if args.output:
        trajectories.trajectory_format(args.output)       # a bad suffix before any work
    from .core import session
    sim = session.load(args.session)
    if args.output:
        trajectories.write_trajectories(args.output, sim)
        return 0
    try:
        trajectories.write_csv(sim, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader stopped early (`optiviz run s.json | head`): no traceback, and
        # standard output pointed at /dev/null so the interpreter's last flush is quiet
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


# ---------------------------------------------------------------- export
def cmd_export(args) -> int:
    from .ui.render.headless import export_session
    with tuned_for_export():
        export_session(args.session, args.output, view=args.view, size=args.size, fps=args.fps)
    return 0


@contextmanager
def tuned_for_export() -> Iterator[None]:
    """Process-wide tuning for a headless export, here because this process is ours
    (library code the app also runs may not change such settings).

    - the cyclic garbage collector is off: with Qt and pyqtgraph loaded each full
      collection walks some 70 000 objects (15 ms) and a hundred frames set off a
      few dozen smaller ones, to find a few hundred objects of cyclic garbage
      (collected when it is switched back on);
    - glibc keeps freed blocks of up to 32 MB instead of unmapping them: whole frames
      (the 3-D view's, every frame of an MP4) allocate and free images of 9 MB
      (2000×1125×4), and by default the next frame faults them in again page by
      page, which doubled the time of such a frame (Linux/glibc only);
    - at exit, the interpreter's last garbage collections are skipped: they walk
      those 70 000 objects again (about 70 ms) to free memory the process is about
      to give back anyway (files are closed and flushed before)."""
    if sys.platform.startswith("linux"):
        import ctypes
        try:
            libc = ctypes.CDLL("libc.so.6")
            libc.mallopt(-3, 32 << 20)      # M_MMAP_THRESHOLD: heap, not mmap, up to 32 MB
            libc.mallopt(-1, 128 << 20)     # M_TRIM_THRESHOLD: keep up to 128 MB free at the top
        except (OSError, AttributeError):
            pass
    atexit.register(gc.freeze)
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 800x600, got {text!r}") from None
    if not (16 <= w <= 8192 and 16 <= h <= 8192):
        raise argparse.ArgumentTypeError(f"size must be between 16x16 and 8192x8192, got {text!r}")
    return w, h


def _fps(text: str) -> float:
    try:
        fps = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"fps must be a number, got {text!r}") from None
    if not 0.5 <= fps <= 100:
        raise argparse.ArgumentTypeError(f"fps must be between 0.5 and 100, got {text!r}")
    return fps


# ------------------------------------------------------------------- map
def cmd_map(args) -> int:
    """Maps of the session's runs as CSV (streamed, export/maps.py) or as one PNG drawn
    by the app's map canvas offscreen (ui/render/maps.py), a panel per run."""
    from .core import maps
    from .export.maps import write_map_csv

    suffix = Path(args.output).suffix.lower()
    if suffix not in (".csv", ".png"):
        raise ConfigError(f"Cannot write a map to '{Path(args.output).name}': the file name must "
                          f"end in .csv or .png.")
    if suffix == ".png":
        from .export.writers import check_destination
        check_destination(args.output)             # before any work
    from .core import session
    sim = session.load(args.session)
    labels = sim.labels()
    if args.run is not None and args.run not in labels:
        raise ConfigError(f"The session has no run labelled '{args.run}' (its runs: "
                          f"{', '.join(labels)}).")
    over = args.over or [("start", None)]
    if over[0][0] == "start":
        if len(over) > 1 or over[0][1] is not None:
            raise ConfigError("--over start takes no range and no second --over.")
    elif over[0][0] != "lr" or len(over) > 2:
        raise ConfigError("--over is start, or lr[:LO:HI] then at most one KEY[:LO:HI].")
    steps = sim.steps if args.steps is None else args.steps
    specs = []
    for label, run in zip(labels, sim.runs):
        if not (label == args.run if args.run is not None else run.enabled):
            continue
        if over[0][0] == "start":
            spec = maps.start_map(sim.surface, run, steps, args.grid)
        else:
            key, values = over[1] if len(over) == 2 else (None, None)
            spec = maps.hyper_map(sim.surface, run, sim.start, steps, args.grid,
                                  lr=over[0][1], key=key, values=values)
        specs.append((label, spec, run))
    if suffix == ".csv":
        write_map_csv(args.output, [(label, spec) for label, spec, _ in specs])
        return 0
    if not specs:
        raise ConfigError("Every run of the session is switched off, so there is no map to "
                          "draw; name one with --run.")
    from .ui.render.headless import ensure_app
    from .ui.render.maps import Panel, write_map_png
    from .ui.views.maps.describe import title
    from .ui.views.maps.options import marker
    ensure_app()
    panels = [Panel(spec, maps.compute(spec), title(spec, label),
                    marker(spec, sim.start, run.optimizer)) for label, spec, run in specs]
    write_map_png(args.output, panels, args.color)
    return 0


def _over(text: str):
    """"lr", "lr:1e-4:1", "betas[0]:0.5:0.99" -> (key, (lo, hi) or None)."""
    key, *span = text.split(":")
    try:
        if len(span) not in (0, 2) or not key:
            raise ValueError
        return key, tuple(float(v) for v in span) or None
    except ValueError:
        raise argparse.ArgumentTypeError(f"--over must look like start, lr, lr:1e-4:1 or "
                                         f"momentum:0:0.99, got {text!r}") from None


def _grid(text: str):
    try:
        sides = [int(v) for v in text.lower().split("x")]
    except ValueError:
        sides = []
    if len(sides) not in (1, 2):
        raise argparse.ArgumentTypeError(f"grid must look like 64 or 64x32, got {text!r}")
    return sides[0] if len(sides) == 1 else tuple(sides)


# ------------------------------------------------------------------- gui
def cmd_gui(args) -> int:
    from .ui.window.app import run_app
    return run_app(args.session, quit_after=args.quit_after)


def build_parsers():
    gui = _Parser(prog="optiviz", description="Watch optimizers move on a loss surface.")
    gui.add_argument("session", nargs="?", help="a session file to open (default: the blog example)")
    gui.add_argument("--quit-after", type=float, metavar="SECONDS",
                     help="close the window after SECONDS (for smoke tests)")
    run = _Parser(prog="optiviz run", description="Write every trajectory as CSV, or as JSON "
                  "with every step's optimizer state.")
    run.add_argument("session")
    run.add_argument("-o", "--output", metavar="F.csv|F.json",
                     help="the file to write, CSV or JSON by its suffix "
                          "(default: CSV to standard output)")
    export = _Parser(prog="optiviz export", description="Render one frame per step to a GIF or MP4 "
                     "(or the last frame to a PNG).")
    export.add_argument("session")
    export.add_argument("-o", "--output", required=True, help="OUT.gif, OUT.mp4 or OUT.png")
    export.add_argument("--view", choices=("contour", "surface", "both"), default="contour")
    export.add_argument("--size", type=_size, default=(800, 600), metavar="WxH")
    export.add_argument("--fps", type=_fps, default=10.0, metavar="N")
    mapping = _Parser(prog="optiviz map", description="Run the optimizer from every start on a "
                      "grid, or for every lr (and one more keyword) on a grid, and write each "
                      "run's outcome as CSV, or draw the map as PNG (a panel per run).")
    mapping.add_argument("session")
    mapping.add_argument("-o", "--output", required=True, help="OUT.csv or OUT.png")
    mapping.add_argument("--run", metavar="LABEL", help="map this run only (default: every run)")
    mapping.add_argument("--over", type=_over, action="append", metavar="start|lr[:LO:HI]|KEY[:LO:HI]",
                         help="start (default), or lr then optionally one more number keyword")
    mapping.add_argument("--grid", type=_grid, default=64, metavar="N|NxM",
                         help="cells a side (default 64; N alone for lr alone)")
    mapping.add_argument("--steps", type=int, metavar="K", help="default: the session's steps")
    mapping.add_argument("--color", choices=("loss", "steps", "outcome", "minimum"),
                         default="outcome", help="what a .png map shows")
    return {"gui": (gui, cmd_gui), "run": (run, cmd_run), "export": (export, cmd_export),
            "map": (mapping, cmd_map)}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parsers = build_parsers()
    which = argv[0] if argv and argv[0] in ("run", "export", "map") else "gui"
    parser, command = parsers[which]
    try:
        args = parser.parse_args(argv[1:] if which != "gui" else argv)
        return command(args)
    except ConfigError as e:
        print(f"optiviz: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("optiviz: interrupted.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
