#!/usr/bin/env bash
# Install what is missing, build, run every test through CTest (unit, integration, gui, interop,
# packaging) against SQLite and a throwaway PostgreSQL cluster. Exits non-zero on any failure.
# Extra arguments go to ctest (e.g. ./test.sh -L unit, ./test.sh -R audit).
set -euo pipefail
cd "$(dirname "$0")"
scripts/deps.sh test
cmake --preset release -DSYNCPILOT_BUILD_TESTS=ON -DSYNCPILOT_BUILD_BENCHMARKS=ON >/dev/null
cmake --build --preset release -j"$(nproc)"
# The interop peers (flagd-core …) are pinned in tests/interop/package-lock.json.
(cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)
# Every test sees SYNCPILOT_TEST_DB_URL pointing at a PostgreSQL started just for this run.
exec tests/support/pg-throwaway.sh tests/support/with-keyring.sh ctest --test-dir build/release --output-on-failure -j2 "$@"
