"""PyInstaller entry point: the bundle's `optiviz` runs the same main() as the pip command."""
import sys

from optiviz_gui.cli import main

if __name__ == "__main__":
    sys.exit(main())
