#!/usr/bin/env bash
# Builds the mapping fuzzer with clang (libFuzzer + ASan + UBSan) into BUILD_DIR and runs it for
# FUZZ_SECONDS (default 15) from the seed corpus. Exit 0: no crash. Exit 1: a crash (the input is
# printed and kept under BUILD_DIR/artifacts) or a build failure. Exit 77 (a CTest skip): no clang
# with libFuzzer on this machine, unless CI=true, where that is a failure.
# Usage: run_fuzz.sh BUILD_DIR
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
build="${1:?usage: run_fuzz.sh BUILD_DIR}"
seconds="${FUZZ_SECONDS:-15}"

missing() {
    echo "fuzz.mapping: $1" >&2
    echo "  install with: apt-get install clang libclang-rt-14-dev" >&2
    if [[ "${CI:-}" == "true" ]]; then
        echo "  CI=true: the fuzz run cannot be skipped" >&2
        exit 1
    fi
    exit 77
}

cxx="${FUZZ_CXX:-$(command -v clang++ || true)}"
[[ -n "$cxx" ]] || missing "clang++ not found (GCC has no libFuzzer)"
runtime="$("$cxx" -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null || true)"
if [[ -z "$runtime" || ! -f "$runtime" ]]; then
    # Debian keeps the runtime under the resource directory rather than the library search path.
    runtime="$("$cxx" -print-resource-dir)/lib/linux/libclang_rt.fuzzer-x86_64.a"
fi
[[ -f "$runtime" ]] || missing "the libFuzzer runtime (libclang_rt.fuzzer-x86_64.a) is not installed"

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$here/standalone" -B "$build" "${generator[@]}" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 >/dev/null || { echo "fuzz.mapping: build failed; rerun: cmake --build $build" >&2; exit 1; }

# Work on a copy: new inputs libFuzzer finds must not land in the source tree.
work="$build/corpus"
artifacts="$build/artifacts"
mkdir -p "$work" "$artifacts"
cp -f "$here"/corpus/* "$work"/
rm -f "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-*

status=0
"$build/fuzz_mapping" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -max_len=4096 -artifact_prefix="$artifacts/" "$work" || status=$?

shopt -s nullglob
found=("$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-*)
if (( status != 0 || ${#found[@]} > 0 )); then
    echo "fuzz.mapping: the fuzzer failed (exit $status)" >&2
    for f in "${found[@]}"; do
        echo "--- $f ($(stat -c %s "$f") bytes), base64:" >&2
        base64 "$f" >&2
        echo "--- as text:" >&2
        head -c 2000 "$f" | cat -v >&2
        echo >&2
    done
    echo "reproduce: $build/fuzz_mapping ${found[0]:-}" >&2
    exit 1
fi
echo "fuzz.mapping: no crash in ${seconds}s"
