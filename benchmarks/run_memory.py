"""Peak memory of `optiviz run`: streamed CSV and JSON against building the whole text first.

    python -m benchmarks.run_memory [--steps 1000000] [--json-steps 100000]

A session of 9 optimizers on the blog's regression surface, every run to
--steps (CSV) or --json-steps (JSON, which carries every step's optimizer
state and is about 12 times the size):

    optiviz run          the real command, ``python -m optiviz_gui.cli run S -o F``
    whole text first     the same numbers the way `optiviz run` wrote them before:
                         every run computed and kept, the whole text built in memory
                         (CSV in a StringIO; JSON as one object and one json.dumps),
                         then written

Each runs in its own process under benchmarks/export.py's wrapper, which
reports wall time, CPU time and the peak resident memory (ru_maxrss). Both
variants must write the same bytes; the benchmark says whether they did.
The trajectories alone cost 40 bytes a step a run (9 × 10⁶ steps: 360 MB
if all are kept). Target (issue): 9 × 10⁶ steps under 500 MB.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from .export import ROOT, measure

OPTIMIZERS = [
    {"name": "sgd", "lr": 0.01},
    {"name": "sgd", "lr": 0.01, "momentum": 0.9},
    {"name": "sgd", "lr": 0.01, "momentum": 0.9, "nesterov": True},
    {"name": "rmsprop", "lr": 0.01},
    {"name": "adam", "lr": 0.01},
    {"name": "adamw", "lr": 0.01},
    {"name": "adagrad", "lr": 0.1},
    {"name": "adamax", "lr": 0.01},
    {"name": "nadam", "lr": 0.01},
]

# The text built whole, then written: the CSV as trajectories.py built it before
# it streamed (its code, verbatim), the JSON as one object dumped at once.
_WHOLE_TEXT = r"""
import csv, io, json, sys
from optiviz_gui.core import session
from optiviz_gui.core.files import write_text_atomic
from optiviz_gui.export import trajectories

path, out = sys.argv[1:]
sim = session.load(path)
if out.endswith(".csv"):
    sim.seek(sim.steps)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["optimizer", "step", "x", "y", "loss", "grad_x", "grad_y"])
    for label, t in zip(sim.labels(), sim.trajectories):
        for k, ((x, y), f, (gx, gy)) in enumerate(zip(t.params, t.loss, t.grad)):
            w.writerow([label, k, repr(float(x)), repr(float(y)), repr(float(f)),
                        repr(float(gx)), repr(float(gy))])
    text = buf.getvalue()
else:
    obj = trajectories.trajectories_object(sim)
    obj["runs"] = [{**run, "history": list(run["history"])} for run in obj["runs"]]
    text = json.dumps(obj, indent=1, allow_nan=False) + "\n"
write_text_atomic(out, text)
"""


def session_file(folder: Path, steps: int, name: str) -> Path:
    from optiviz_gui.resources import resource_path
    obj = json.loads(resource_path("presets", "blog.json").read_text(encoding="utf-8"))
    obj["steps"] = steps
    obj["optimizers"] = OPTIMIZERS
    path = folder / name
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path


def same_bytes(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(1 << 24), fb.read(1 << 24)
            if x != y:
                return False
            if not x:
                return True


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=1_000_000, help="steps a run, CSV")
    ap.add_argument("--json-steps", type=int, default=100_000, help="steps a run, JSON")
    args = ap.parse_args(argv or [])

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for kind, steps in (("csv", args.steps), ("json", args.json_steps)):
            session = session_file(tmp, steps, f"nine-{kind}.json")
            streamed, whole = tmp / f"streamed.{kind}", tmp / f"whole.{kind}"
            ours = measure([sys.executable, "-m", "optiviz_gui.cli", "run", str(session),
                            "-o", str(streamed)])
            before = measure([sys.executable, "-c", _WHOLE_TEXT, str(session), str(whole)],
                             cwd=ROOT)
            size = streamed.stat().st_size / 1e6
            same = same_bytes(streamed, whole)
            rows.append((kind, steps, ours, before, size, same))
            streamed.unlink()
            whole.unlink()

    print("Peak memory of `optiviz run`, 9 optimizers on the blog surface:")
    print(f"  {'':34s} {'wall s':>7s} {'CPU s':>7s} {'peak MB':>8s}")
    for kind, steps, ours, before, size, same in rows:
        what = f"{kind.upper()}, 9 x {steps:,} steps ({size:,.0f} MB)"
        print(f"  {what}")
        for name, r in (("optiviz run (streamed)", ours), ("whole text first (before)", before)):
            print(f"    {name:32s} {r['wall']:7.1f} {r['cpu']:7.1f} {r['rss_mb']:8.0f}")
        print(f"    {before['rss_mb'] / ours['rss_mb']:.1f}x less memory streamed; "
              f"same bytes: {'yes' if same else 'NO'}")
    print("  (target: 9 x 10^6 steps of CSV under 500 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
