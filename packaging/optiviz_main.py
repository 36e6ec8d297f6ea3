"""PyInstaller entry point: the bundle's `optiviz` runs the same main() as the pip command."""
import multiprocessing
import sys

from optiviz_gui.core.kernels import child

if __name__ == "__main__":
    if sys.argv[1:2] == [child.FLAG]:        # core/kernels' compiling child process
        sys.exit(child.main())
    # A spawned GIF encoder (optiviz_gui/export/gif_pipe.py: exports from the app, where
    # Qt is loaded and forking is unsafe) starts this executable again; PyInstaller's
    # freeze_support runs the multiprocessing child then and exits, before the app starts.
    multiprocessing.freeze_support()
    from optiviz_gui.cli import main
    sys.exit(main())
