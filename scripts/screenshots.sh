#!/usr/bin/env bash
# Renders every view of a fresh demo workspace to PNG (docs/screenshots/ by default), in English and
# German, light and dark. Usage: scripts/screenshots.sh [BUILD_DIR] [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
out=${2:-docs/screenshots}
cmake --build "$build" --target syncpilot >/dev/null
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
home=$(mktemp -d)   # a demo workspace of its own, and no remembered settings
trap 'rm -rf "$home"' EXIT
export HOME=$home XDG_CONFIG_HOME=$home/.config XDG_DATA_HOME=$home/.local/share XDG_RUNTIME_DIR=$home/run
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
"$build/app/syncpilot" --demo --lang en --screenshot "$out" 2>/dev/null
"$build/app/syncpilot" --demo --lang de --screenshot "$out/de" 2>/dev/null
"$build/app/syncpilot" --demo --lang en --palette dark --screenshot "$out/dark" 2>/dev/null
ls "$out"/*.png "$out"/de/*.png "$out"/dark/*.png
