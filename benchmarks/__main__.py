"""Every benchmark, each printing its figures beside a baseline measured in the same run.

    python -m benchmarks               # all of them (GUI ones need a display: xvfb-run -a)
    python -m benchmarks grid optimizers

Machines are noisy: read the ratios, not the absolute times.
"""

import importlib
import os
import sys

ALL = ["grid", "optimizers", "kernels", "maps", "mlp", "views", "edit", "window", "export",
       "long", "incremental", "hover3d", "run_memory", "bundle"]


def main(names: list[str]) -> int:
    for name in names or ALL:
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ImportError as e:
            print(f"-- {name}: skipped ({e})\n")
            continue
        print(f"######## {name} ########")
        environment = dict(os.environ)
        try:
            module.main()
        finally:            # a benchmark that sets OPTIVIZ_KERNELS sets it for itself only
            os.environ.clear()
            os.environ.update(environment)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
