#!/usr/bin/env bash
# The screenshot command renders every view of the demo workspace: six PNG files, each a full
# window (at least 1000×600) with real content (more than a handful of distinct colours).
# Usage: screenshots.sh SYNCPILOT_BINARY
set -euo pipefail
app=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp XDG_CONFIG_HOME=$tmp/.config XDG_DATA_HOME=$tmp/.local/share XDG_RUNTIME_DIR=$tmp/run
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
QT_QPA_PLATFORM=offscreen "$app" --demo --screenshot "$tmp/shots"
for view in overview flags rollouts sync health audit; do
  f=$tmp/shots/$view.png
  [ -s "$f" ] || { echo "FAIL: $view.png missing"; exit 1; }
  read -r w h < <(python3 - "$f" <<'PY'
import struct, sys
with open(sys.argv[1], 'rb') as fh:
    head = fh.read(24)
assert head[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
print(*struct.unpack('>II', head[16:24]))
PY
)
  [ "$w" -ge 1000 ] && [ "$h" -ge 600 ] || { echo "FAIL: $view.png is ${w}x${h}"; exit 1; }
  # A blank or single-colour window compresses to almost nothing.
  size=$(stat -c %s "$f")
  [ "$size" -gt 20000 ] || { echo "FAIL: $view.png is nearly empty ($size bytes)"; exit 1; }
  echo "ok: $view.png ${w}x${h} $size bytes"
done
