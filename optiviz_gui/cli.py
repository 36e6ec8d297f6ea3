"""The `optiviz` command: the app by default, `run` and `export` headless.

    optiviz                          open the app on the default example
    optiviz SESSION.json             open the app on a session
    optiviz run SESSION.json [-o F]  trajectories as CSV (-o F.json: JSON with the states)
    optiviz export SESSION.json -o OUT.gif [--view contour|surface|both]
                                     [--size WxH] [--fps N]

Errors go to stderr as one sentence, with exit status 2, and no output file.
"""

from __future__ import annotations

import argparse
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


def default_session_path() -> Path:
    from optiviz_gui.resources import resource_path
    return Path(str(resource_path("presets", "blog.json")))


def load_simulation(path: str | None):
    from .core import session
    return session.load(path or default_session_path())


# ------------------------------------------------------------------- run
def cmd_run(args) -> int:
    """Every trajectory as CSV (to -o F.csv or standard output) or JSON (-o F.json),
    streamed: a run at a time, a row at a time (export/trajectories.py)."""
    from .export import trajectories

    if args.output:
        trajectories.trajectory_format(args.output)       # a bad suffix before any work
    sim = load_simulation(args.session)
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
    from .export.headless import export_session
    with tuned_for_export():
        export_session(args.session, args.output, view=args.view, size=args.size, fps=args.fps)
    return 0


@contextmanager
def tuned_for_export() -> Iterator[None]:
    """Process-wide tuning for a headless export, here because this process is ours
    (library code the app also runs may not change such settings).

    The cyclic garbage collector is off: with Qt and pyqtgraph loaded each full
    collection walks some 70 000 objects (15 ms) and a hundred frames set off a
    few dozen smaller ones, to find a few hundred objects of cyclic garbage
    (collected when it is switched back on)."""
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


# ------------------------------------------------------------------- gui
def cmd_gui(args) -> int:
    from .ui.app import run_app
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
    return {"gui": (gui, cmd_gui), "run": (run, cmd_run), "export": (export, cmd_export)}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parsers = build_parsers()
    which = argv[0] if argv and argv[0] in ("run", "export") else "gui"
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
