"""The layering rules, checked: import-linter's contracts in pyproject.toml all hold.

- layers run one way: cli > ui > export > core (no upward import, no circle between them);
- ui/ by role, one way: window > controls > dialogs > render > views > style;
- core/ and export/ never import Qt, pyqtgraph or OpenGL.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_every_import_linter_contract_holds():
    beside = Path(sys.executable).parent / "lint-imports"
    lint = str(beside) if beside.is_file() else shutil.which("lint-imports")
    if lint is None:
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    result = subprocess.run([lint, str(ROOT / "pyproject.toml")], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ", 0 broken." in result.stdout, result.stdout
    kept = [line for line in result.stdout.splitlines() if line.rstrip().endswith(" KEPT")]
    for name in ("layers run one way: cli > ui > export > core",
                 "ui/ by role, one way", "core/ never imports Qt", "export/ never imports Qt"):
        assert any(line.startswith(name) for line in kept), (name, result.stdout)


def test_importing_core_and_export_loads_no_gui_library():
    code = ("import sys, optiviz_gui.core.session, optiviz_gui.core.trajectory,"
            " optiviz_gui.export.writers, optiviz_gui.export.trajectories;"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'OpenGL')];"
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_importing_the_ui_changes_no_environment_variable():
    """Process-wide settings belong to the process that starts the app, not to imports."""
    code = ("import os; before = dict(os.environ);"
            "import optiviz_gui.ui.window.main_window, optiviz_gui.ui.views.surface.view,"
            " optiviz_gui.ui.render.frames, optiviz_gui.ui.render.headless;"
            "changed = {k for k in set(before) | set(os.environ) if before.get(k) != os.environ.get(k)};"
            "print(sorted(changed)); raise SystemExit(1 if changed else 0)")
    env = {k: v for k, v in __import__("os").environ.items() if k != "PYOPENGL_PLATFORM"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
