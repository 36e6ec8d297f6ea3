#!/usr/bin/env bash
# Build the OptiViz bundle with PyInstaller, from a checkout with the project installed
# (pip install -e ".[package]").
#
#   bash packaging/build.sh               one folder:  dist/optiviz/optiviz
#   bash packaging/build.sh --onefile     one file:    dist/optiviz-onefile/optiviz
#   bash packaging/build.sh --dist DIR    put the result under DIR instead of dist/
#   bash packaging/build.sh --work DIR    PyInstaller's work files in DIR instead of build/
#
# PYTHON selects the interpreter (default: python3).  Prints the bundle's path and size.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
DIST="$ROOT/dist"
WORKROOT="$ROOT/build"
ONEFILE=0

while [ $# -gt 0 ]; do
    case "$1" in
        --onefile) ONEFILE=1 ;;
        --dist) DIST="$(mkdir -p "$2" && cd "$2" && pwd)"; shift ;;
        --dist=*) DIST="$(mkdir -p "${1#--dist=}" && cd "${1#--dist=}" && pwd)" ;;
        --work) WORKROOT="$(mkdir -p "$2" && cd "$2" && pwd)"; shift ;;
        -h|--help) awk 'NR>1 && /^#/ {sub(/^# ?/, ""); print; next} NR>1 {exit}' "$0"; exit 0 ;;
        *) echo "build.sh: unknown option '$1' (see --help)." >&2; exit 2 ;;
    esac
    shift
done

if ! "$PYTHON" -c "import PyInstaller, optiviz_gui" 2>/dev/null; then
    echo "build.sh: $PYTHON cannot import PyInstaller and optiviz_gui; run: pip install -e \".[package]\"" >&2
    exit 2
fi

if [ "$ONEFILE" = 1 ]; then NAME=optiviz-onefile; else NAME=optiviz; fi
WORK="$WORKROOT/pyinstaller-$NAME"
STAGE="$WORK/dist"                      # PyInstaller writes here; moved into place below
rm -rf "$STAGE"

cd "$ROOT"
OPTIVIZ_ONEFILE="$ONEFILE" "$PYTHON" -m PyInstaller --noconfirm --log-level WARN \
    --distpath "$STAGE" --workpath "$WORK" packaging/optiviz.spec

rm -rf "${DIST:?}/$NAME"
mkdir -p "$DIST"
if [ "$ONEFILE" = 1 ]; then
    mkdir -p "$DIST/$NAME"
    mv "$STAGE/optiviz" "$DIST/$NAME/optiviz"
else
    mv "$STAGE/optiviz" "$DIST/$NAME"
fi
rm -rf "$STAGE"

echo "built $DIST/$NAME/optiviz ($(du -sh "$DIST/$NAME" | cut -f1))"
