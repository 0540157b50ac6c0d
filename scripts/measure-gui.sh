#!/usr/bin/env bash
# Measures the GUI's start-up against DESIGN.md §4: first window in ≤ 700 ms and ≤ 250 MB resident
# on a workspace with 1 000 000 run records and 100 000 audit entries.
# Usage: scripts/measure-gui.sh [BUILD_DIR] [WORKSPACE]   (defaults build/release, /tmp/syncpilot-big.sqlite)
# Generates the workspace once (gen_big_workspace), then starts the app five times on the offscreen
# platform (xvfb-run works too) with --measure-startup and prints what each start reported.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
ws=${2:-/tmp/syncpilot-big.sqlite}
cmake --build "$build" --target syncpilot gen_big_workspace >/dev/null
if [ ! -e "$ws" ]; then
  echo "generating $ws (1 000 000 run records, 100 000 audit entries)…"
  "$build/tests/benchmarks/gen_big_workspace" "$ws" 1000000 100000
fi
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
home=$(mktemp -d)          # fresh settings: no remembered window layout
trap 'rm -rf "$home"' EXIT
for i in 1 2 3 4 5; do
  echo "run $i:"
  HOME=$home XDG_CONFIG_HOME=$home/.config "$build/app/syncpilot" --workspace "$ws" --measure-startup 2>/dev/null | sed 's/^/  /'
done
