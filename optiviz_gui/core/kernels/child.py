"""The compiling child process: it compiles plans into numba's on-disk cache, one at a time.

    python -m optiviz_gui.core.kernels.child          (a PyInstaller bundle: optiviz --kernel-child)

It reads pickled ``(plan, anchor)`` jobs from stdin and answers each with a
pickled ``None`` (compiled and cached) or the error's text, until stdin closes.
Its own process: numba's allocations and garbage collections never touch the
GUI process, which then only loads the result (service.py has the figures).
"""

from __future__ import annotations

import pickle
import sys

FLAG = "--kernel-child"      # how a frozen app is told to be this child


def main() -> int:
    from . import frozen
    from .service import build

    frozen.prepare()
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr          # stdout carries the answers only
    while True:
        try:
            plan, anchor = pickle.load(stdin)
        except EOFError:
            return 0
        try:
            build(plan, anchor)
            answer = None
        except Exception as err:       # reported to the parent, which compiles itself
            answer = f"{type(err).__name__}: {err}"
        pickle.dump(answer, stdout)
        stdout.flush()


def command() -> list[str]:
    """The command line that starts this child, from a Python install or a frozen app."""
    if getattr(sys, "frozen", False):
        return [sys.executable, FLAG]
    return [sys.executable, "-m", __name__]


if __name__ == "__main__":
    sys.exit(main())
