#!/usr/bin/env bash
# Time to safety, end to end (tests/benchmarks/README.md, "Time to safety, end to end"): from the
# start of `syncpilot-cli rollback --all` to the published flagd file holding the off state, and on
# to an OpenFeature flagd provider in another process (provider_watch.mjs: @openfeature/server-sdk +
# @openfeature/flagd-provider, in-process resolver, offline file source) evaluating every flag off.
# A measurement, not a test: not registered with CTest, no pass/fail on the numbers.
#
#   run.sh CLI_PATH [RUNS]        (RUNS default 5)
#
# Environment (all optional):
#   TTS_FLAGS=50          sync-tagged flags to create (and watch)
#   TTS_KEYS=32           targeting keys the provider evaluates every flag for, per sweep
#   TTS_MAX_DELAY_MS=5007 run i of RUNS waits a random time in [(i-1)/RUNS, i/RUNS) x N ms between
#                         the provider's READY and the rollback (stratified), so the runs land
#                         spread over one period of the provider's 5007 ms file poll instead of
#                         all at one phase (0: roll back right after READY: always the same
#                         phase, which measures a single point of the poll cycle)
#   TTS_PREWATCH_MS=N     experiment: provider_watch.mjs --prewatch-ms N (see that file)
#   TTS_KEEP=1            keep the temporary workspace directory
#
# Per run it starts a fresh provider on the published file (so the restored "on" state is what it
# loads and checks at READY), rolls back, waits for ALL_OFF, then `restore`s for the next run.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
    echo "usage: $0 CLI_PATH [RUNS]" >&2
    exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cli_path=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
runs=${2:-5}
flag_count=${TTS_FLAGS:-50}
key_count=${TTS_KEYS:-32}
max_delay_ms=${TTS_MAX_DELAY_MS:-5007}
prewatch_ms=${TTS_PREWATCH_MS:-0}

fail() {
    echo "FAIL: $*" >&2
    exit 1
}
[[ $runs =~ ^[1-9][0-9]*$ ]] || fail "RUNS must be a positive number, got \"$runs\""
[[ -x $cli_path ]] || fail "the CLI $cli_path does not exist or is not executable (build the syncpilot-cli target)."
command -v node >/dev/null || fail "node is not installed (scripts/deps.sh test installs it)."
command -v npm >/dev/null || fail "npm is not installed."

if [[ ! -d $here/node_modules/@openfeature/flagd-provider || ! -d $here/node_modules/@openfeature/server-sdk ]]; then
    echo "installing the pinned npm packages (npm ci in $here)" >&2
    (cd "$here" && npm ci --no-audit --no-fund >&2) || fail "npm ci in $here failed"
fi

workdir=$(mktemp -d "${TMPDIR:-/tmp}/syncpilot-tts.XXXXXX")
watcher_pid=
cleanup() {
    if [[ -n $watcher_pid ]] && kill -0 "$watcher_pid" 2>/dev/null; then
        kill "$watcher_pid" 2>/dev/null || true
        wait "$watcher_pid" 2>/dev/null || true
    fi
    if [[ ${TTS_KEEP:-0} == 1 ]]; then
        echo "kept $workdir" >&2
    else
        rm -rf -- "$workdir"
    fi
}
trap cleanup EXIT
ws=$workdir/workspace.sqlite
flagd=$workdir/flags.flagd.json

cli() {
    local out
    if ! out=$("$cli_path" --workspace "$ws" "$@" 2>&1); then
        echo "$out" >&2
        fail "syncpilot-cli $* failed"
    fi
}
now_ms() { date +%s%3N; }

# --- workspace ----------------------------------------------------------------------------------
echo "setting up $flag_count sync flags in $ws ..." >&2
cli init
percents=(1 5 10 25 33.3 50 66.7 75 90 99.9 100)
flags=()
for ((i = 0; i < flag_count; ++i)); do
    key=$(printf 'sync-%03d' "$i")
    # every fifth flag at 100 %, the rest spread over the percentages above
    if ((i % 5 == 4)); then p=100; else p=${percents[i % ${#percents[@]}]}; fi
    cli flag create "$key" --tag sync --on --percent "$p" --reason "time-to-safety setup"
    flags+=("$key")
done
# a few flags not tagged sync: rollback --all leaves them on (not watched)
for i in 1 2 3; do
    cli flag create "other-$i" --on --percent 50 --reason "time-to-safety setup"
done
cli publish flagd "$flagd"
[[ -s $flagd ]] || fail "publish flagd did not write $flagd"

# --- runs ---------------------------------------------------------------------------------------
cli_wall=()
cli_internal=()
file_after_t0=()
file_to_provider=()
file_to_changed=()
total=()
expected_on=
printf '%-4s %9s %12s %12s %14s %18s %18s %14s\n' run delay_ms cli_wall_ms cli_inner_ms t0_to_mtime_ms file_to_changed_ms file_to_all_off_ms t0_to_all_off >&2
for ((run = 1; run <= runs; ++run)); do
    out=$workdir/watch.$run.out
    err=$workdir/watch.$run.err
    : >"$out"
    watch_args=(--file "$flagd" --keys "$key_count" --every-ms 5 --timeout-ms 30000)
    ((prewatch_ms > 0)) && watch_args+=(--prewatch-ms "$prewatch_ms")
    node "$here/provider_watch.mjs" "${watch_args[@]}" "${flags[@]}" >"$out" 2>"$err" &
    watcher_pid=$!

    # READY (or the watcher died)
    ready_deadline=$(($(now_ms) + 30000))
    until grep -q '^READY ' "$out"; do
        if ! kill -0 "$watcher_pid" 2>/dev/null; then
            wait "$watcher_pid" || true
            cat "$err" >&2
            fail "run $run: provider_watch.mjs exited before READY"
        fi
        (($(now_ms) < ready_deadline)) || fail "run $run: provider_watch.mjs not READY within 30 s"
        sleep 0.02
    done
    on=$(sed -n 's/^READY .* on=\([0-9]*\).*/\1/p' "$out")
    if [[ -z $expected_on ]]; then
        expected_on=$on
        echo "provider READY: $(grep '^READY ' "$out" | cut -d' ' -f3-)" >&2
    elif [[ $on != "$expected_on" ]]; then
        fail "run $run: the provider sees $on flags on at READY, run 1 saw $expected_on (restore incomplete?)"
    fi

    delay=0
    if ((max_delay_ms > 0)); then
        slot=$(((max_delay_ms + runs - 1) / runs))
        delay=$(((run - 1) * max_delay_ms / runs + (RANDOM * 32768 + RANDOM) % slot))
        sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    fi

    t0=$(now_ms)
    if ! rb=$("$cli_path" --workspace "$ws" --json rollback --all --reason drill 2>"$workdir/rollback.$run.err"); then
        cat "$workdir/rollback.$run.err" >&2
        fail "run $run: syncpilot-cli rollback --all failed"
    fi
    t1=$(now_ms)
    mtime=$(stat -c '%.3Y' "$flagd" | tr -d .)
    inner=$(printf '%s' "$rb" | sed -n 's/.*"elapsedMs": *\([0-9]*\).*/\1/p' | head -n1)

    if ! wait "$watcher_pid"; then
        watcher_pid=
        cat "$err" >&2
        fail "run $run: the provider did not see every flag off"
    fi
    watcher_pid=
    all_off=$(sed -n 's/^ALL_OFF \([0-9]*\).*/\1/p' "$out")
    changed=$(sed -n 's/^CHANGED \([0-9]*\).*/\1/p' "$out" | head -n1)
    [[ -n $all_off ]] || fail "run $run: no ALL_OFF line from provider_watch.mjs"

    cli_wall+=($((t1 - t0)))
    cli_internal+=("${inner:-0}")
    file_after_t0+=($((mtime - t0)))
    file_to_provider+=($((all_off - t1)))
    file_to_changed+=($((${changed:-$all_off} - t1)))
    total+=($((all_off - t0)))
    printf '%-4s %9d %12d %12s %14d %18d %18d %14d\n' "$run" "$delay" $((t1 - t0)) "${inner:-?}" $((mtime - t0)) \
        $((${changed:-$all_off} - t1)) $((all_off - t1)) $((all_off - t0)) >&2

    cli restore --reason "time-to-safety: back on for the next run"
done

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
minmax() { printf '%s\n' "$@" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s–%s", lo, hi }'; }

echo
echo "time to safety: syncpilot-cli rollback --all -> flagd file -> @openfeature/flagd-provider" \
    "$(node -p "require('$here/node_modules/@openfeature/flagd-provider/package.json').version") (in-process, offline file)," \
    "server-sdk $(node -p "require('$here/node_modules/@openfeature/server-sdk/package.json').version"), node $(node --version)"
echo "  $flag_count sync flags watched x $key_count targeting keys, $runs runs, rollback at a stratified random phase over 0..$max_delay_ms ms after READY$( ((prewatch_ms > 0)) && echo ", prewatch poll $prewatch_ms ms")"
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
printf '  %-46s median %6s ms  (%s)\n' "CLI wall time, start to file written:" "$(median "${cli_wall[@]}")" "$(minmax "${cli_wall[@]}")"
printf '  %-46s median %6s ms  (%s)\n' "  of which rollback inside the CLI (elapsedMs):" "$(median "${cli_internal[@]}")" "$(minmax "${cli_internal[@]}")"
printf '  %-46s median %6s ms  (%s)\n' "file to provider reloaded (CHANGED):" "$(median "${file_to_changed[@]}")" "$(minmax "${file_to_changed[@]}")"
printf '  %-46s median %6s ms  (%s)\n' "file to provider evaluating all off:" "$(median "${file_to_provider[@]}")" "$(minmax "${file_to_provider[@]}")"
printf '  %-46s median %6s ms  (%s)\n' "end to end, t0 to all off:" "$(median "${total[@]}")" "$(minmax "${total[@]}")"
