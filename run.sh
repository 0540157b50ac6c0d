#!/usr/bin/env bash
# Quick start: install what is missing, build, open SyncPilot on its own demo workspace.
set -euo pipefail
cd "$(dirname "$0")"
scripts/deps.sh run
cmake --preset release -DSYNCPILOT_BUILD_TESTS=OFF -DSYNCPILOT_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build --preset release -j"$(nproc)"
exec build/release/app/syncpilot --demo "$@"
