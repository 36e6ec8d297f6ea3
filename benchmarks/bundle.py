"""Launch-to-window time of the PyInstaller bundle beside the pip install's.

    bash packaging/build.sh                       # dist/optiviz/optiviz
    xvfb-run -a -s "-screen 0 1600x1200x24" python -m benchmarks.bundle

OPTIVIZ_BUNDLE points at another build (the executable or its folder).

Each launch opens the default example (2-D and 3-D views) and is timed from the
process start to the moment the X server reports the "OptiViz" window viewable
(polled with xwininfo every 20 ms, so figures are good to about 30 ms), then
closed. A second figure is the whole run of `--quit-after 0`: start, first event
loop turn, close, exit. One warm-up launch each, then the best and the median of
REPEAT. Target (issue 5): the bundle's window within 2 s.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEAT = 5
POLL = 0.02
GUARD = 60.0


def find_bundle() -> Path | None:
    given = os.environ.get("OPTIVIZ_BUNDLE")
    exe = Path(given) if given else ROOT / "dist" / "optiviz" / "optiviz"
    exe = exe / "optiviz" if exe.is_dir() else exe
    return exe if exe.is_file() else None


def viewable_window(env) -> bool:
    """True once a window titled OptiViz... is viewable on the X server."""
    tree = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True,
                          env=env).stdout
    for line in tree.splitlines():
        if '"OptiViz' in line:
            wid = line.split()[0]
            info = subprocess.run(["xwininfo", "-id", wid], capture_output=True, text=True,
                                  env=env).stdout
            if "IsViewable" in info:
                return True
    return False


def time_to_window(cmd: list[str], env) -> float:
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd + ["--quit-after", str(GUARD)], env=env,
                                stdout=subprocess.DEVNULL, stderr=err)
        try:
            while proc.poll() is None and time.perf_counter() - start < GUARD:
                if viewable_window(env):
                    return time.perf_counter() - start
                time.sleep(POLL)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        err.seek(0)
        tail = err.read().decode(errors="replace")[-2000:]
        raise RuntimeError(f"no window from {cmd[0]} (exit status {proc.returncode}):\n{tail}")


def time_quit_after_zero(cmd: list[str], env) -> float:
    start = time.perf_counter()
    subprocess.run(cmd + ["--quit-after", "0"], env=env, check=True, timeout=GUARD,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def figures(fn, cmd, env) -> tuple[float, float]:
    fn(cmd, env)                                  # warm-up: disk cache, font cache
    times = [fn(cmd, env) for _ in range(REPEAT)]
    return min(times), statistics.median(times)


def main() -> None:
    if not os.environ.get("DISPLAY"):
        print("needs an X display: xvfb-run -a -s '-screen 0 1600x1200x24' python -m benchmarks.bundle")
        return
    if shutil.which("xwininfo") is None:
        print("needs xwininfo (Debian package x11-utils)")
        return
    bundle = find_bundle()
    if bundle is None:
        print("no bundle: run `bash packaging/build.sh` first, or set OPTIVIZ_BUNDLE")
        return
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "XDG_CONFIG_HOME": home}
        commands = {"bundle": [str(bundle)],
                    "pip install": [sys.executable, "-m", "optiviz_gui.cli"]}
        print(f"bundle: {bundle}")
        print(f"{'':12s} {'to window: best':>16s} {'median':>8s}   {'--quit-after 0: best':>21s} {'median':>8s}")
        for name, cmd in commands.items():
            wb, wm = figures(time_to_window, cmd, env)
            qb, qm = figures(time_quit_after_zero, cmd, env)
            print(f"{name:12s} {wb:15.2f}s {wm:7.2f}s   {qb:20.2f}s {qm:7.2f}s")
    print("target: the bundle's window within 2 s")


if __name__ == "__main__":
    main()
