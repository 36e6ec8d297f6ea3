"""Export speed and memory: `optiviz export` against the blog's own pipeline, side by side.

    python -m benchmarks.export [--steps 100] [--size 2000x1125] [--repeat 1] [--against DIR]

The blog's 4-optimizer comparison (resources/presets/blog.json), one frame per
step at 2000×1125, written as a GIF:

    optiviz export       the real command, ``python -m optiviz_gui.cli export ... -o out.gif``
                         (big enough that the GIF is encoded in a second process)
    encoder in a thread  the same, with the encoder in a thread of the drawing process
    DIR                  (--against) the same command from another checkout, e.g. an
                         older commit: ``git archive REV | tar -x -C DIR``
    blog pipeline        benchmarks/blog_pipeline.py: matplotlib savefig per frame, then
                         a GIF writer holding every frame (needs matplotlib: the "bench" extra)

Each runs as its own process, started from a small wrapper process that
reports the child's wall time, CPU time (user + system, its own and its
children's) and peak resident memory (``resource.getrusage(RUSAGE_CHILDREN)
.ru_maxrss``, the largest of its processes; also the sum over its processes
sampled every 10 ms), so the figures include interpreter start-up and
imports. The optiviz variants must write the same bytes; the benchmark says
whether they did. Targets (issue 4): ≥ 20× faster than the blog's pipeline,
peak memory ≤ 400 MB. With --repeat N the variants run in turn N times and
the best wall time of each is kept (the machine has 2 cores, shared).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs argv as a child process and prints what the child cost, as JSON. Besides the
# largest peak of any one process (ru_maxrss), it samples every 10 ms the resident
# memory of the child and all its descendants together (optiviz encodes in a second
# process), from /proc where there is one.
_WRAPPER = r"""
import json, os, resource, subprocess, sys, tempfile, threading, time

def tree_rss(pid):
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            pass
    return total

def sample(proc, peak):
    while proc.returncode is None:
        peak[0] = max(peak[0], tree_rss(proc.pid))
        time.sleep(0.01)

t0 = time.perf_counter()
with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
    proc = subprocess.Popen(sys.argv[1:], stdout=out, stderr=err)
    peak = [0]
    threading.Thread(target=sample, args=(proc, peak), daemon=True).start()
    proc.wait()
    wall = time.perf_counter() - t0
    together = peak[0]
    err.seek(0)
    stderr = err.read().decode(errors="replace")
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": u.ru_utime + u.ru_stime, "rss_mb": u.ru_maxrss / 1024,
                  "together_mb": together / 2**20, "code": proc.returncode,
                  "stderr": stderr[-2000:]}))
"""


def measure(argv: list[str], env: dict | None = None, cwd: Path = ROOT) -> dict:
    out = subprocess.run([sys.executable, "-c", _WRAPPER, *argv], capture_output=True,
                         text=True, env=env, cwd=cwd, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["code"] != 0:
        raise SystemExit(f"{' '.join(argv[:4])} ... failed:\n{result['stderr']}")
    return result


def gif_facts(path: Path) -> str:
    from PIL import Image
    im = Image.open(path)
    loop = im.info.get("loop")
    durations = []
    for i in range(im.n_frames):
        im.seek(i)
        durations.append(im.info.get("duration", 0))
    return (f"{im.n_frames} frames, {im.size[0]}x{im.size[1]}, "
            f"loop={'forever' if loop == 0 else loop}, "
            f"durations {min(durations)}-{max(durations)} ms, {path.stat().st_size / 1e6:.1f} MB")


def session_file(folder: Path, steps: int) -> Path:
    from optiviz_gui.resources import resource_path
    obj = json.loads(resource_path("presets", "blog.json").read_text(encoding="utf-8"))
    obj["steps"] = steps
    path = folder / "blog.json"
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path


def best(runs: list[dict]) -> dict:
    return min(runs, key=lambda r: r["wall"])


# `optiviz export` with the GIF encoder forced into a thread of the drawing process
_THREAD = """
import sys
from optiviz_gui.export import gif_pipe
gif_pipe.default_backend = lambda size, count: "thread"
from optiviz_gui.cli import main
sys.exit(main(sys.argv[1:]))
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--size", default="2000x1125")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--skip-blog", action="store_true", help="measure optiviz only")
    ap.add_argument("--against", metavar="DIR",
                    help="another checkout of OptiViz (e.g. `git archive` of an older commit) "
                         "measured in the same run, its GIF compared byte for byte")
    args = ap.parse_args(argv or [])

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        session = session_file(tmp, args.steps)
        export = ["export", str(session), "--size", args.size, "-o"]
        variants = [("optiviz export", [sys.executable, "-m", "optiviz_gui.cli"], env, ROOT),
                    ("encoder in a thread", [sys.executable, "-c", _THREAD], env, ROOT)]
        if args.against:
            other = Path(args.against).resolve()
            variants.append((f"{other.name}", [sys.executable, "-m", "optiviz_gui.cli"],
                             {**env, "PYTHONPATH": str(other)}, other))
        runs: dict[str, list[dict]] = {name: [] for name, *_ in variants}
        for _ in range(args.repeat):                 # interleaved: drift hits all alike
            for i, (name, command, variant_env, cwd) in enumerate(variants):
                out = tmp / f"variant{i}.gif"
                runs[name].append(measure(command + export + [str(out)], variant_env, cwd))
        rows = [(name, best(runs[name]), gif_facts(tmp / f"variant{i}.gif"))
                for i, (name, *_) in enumerate(variants)]
        first = (tmp / "variant0.gif").read_bytes()
        same = [name for i, (name, *_) in enumerate(variants)
                if i and (tmp / f"variant{i}.gif").read_bytes() == first]
        if not args.skip_blog:
            try:
                import matplotlib  # noqa: F401
            except ImportError:
                print("matplotlib is not installed (pip install matplotlib): "
                      "measuring optiviz only.")
            else:
                blog_gif = tmp / "blog.gif"
                blog = best([measure([sys.executable, "-m", "benchmarks.blog_pipeline",
                                      str(blog_gif), "--steps", str(args.steps),
                                      "--size", args.size], env)
                             for _ in range(args.repeat)])
                rows.append(("blog pipeline", blog, gif_facts(blog_gif)))

    print(f"Export of the blog comparison, {args.steps} steps at {args.size} (GIF), "
          f"best wall of {args.repeat}:")
    print(f"  {'':20s} {'wall s':>7s} {'CPU s':>7s} {'peak MB':>8s} {'all MB':>7s}  output")
    for name, r, facts in rows:
        print(f"  {name:20s} {r['wall']:7.2f} {r['cpu']:7.2f} {r['rss_mb']:8.0f} "
              f"{r['together_mb']:7.0f}  {facts}")
    ours = rows[0][1]
    for name, r, _ in rows[1:]:
        print(f"  {name}: {r['wall'] / ours['wall']:.2f}x the wall time of optiviz export, "
              f"{r['cpu'] / ours['cpu']:.2f}x its CPU")
    print(f"  the same GIF bytes as optiviz export: {', '.join(same) or 'none'} "
          f"(of {len(variants) - 1} other variants)")
    print("  (peak MB: the largest process; all MB: all its processes at once, sampled; "
          "targets: >= 20x faster than the blog pipeline, <= 400 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
