"""PyInstaller entry point: the bundle's `optiviz` runs the same main() as the pip command."""
import sys

from optiviz_gui.core.kernels import child

if __name__ == "__main__":
    if sys.argv[1:2] == [child.FLAG]:        # core/kernels' compiling child process
        sys.exit(child.main())
    from optiviz_gui.cli import main

    sys.exit(main())
