#!/usr/bin/env bash
# The Debian/Ubuntu packages OptiViz needs (docs/architecture.md, "Platform notes"): Qt's libraries and its
# xcb platform plugin, a headless X server for the tests, and a font. Installs only what is
# missing; does nothing where apt-get is not available.
set -euo pipefail
PACKAGES=(
  libgl1 libegl1 libfontconfig1 libglib2.0-0 libxkbcommon0 libdbus-1-3
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
  libxcb-render-util0 libxcb-shape0
  xvfb xauth fonts-dejavu-core
)
command -v apt-get >/dev/null || { echo "system-deps: no apt-get here; install the Qt/OpenGL libraries yourself"; exit 0; }
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
