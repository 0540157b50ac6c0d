#!/usr/bin/env bash
# Interop check (CTest label "interop"): the flagd file SyncPilot publishes must make OpenFeature's
# own evaluator, @openfeature/flagd-core (pinned in package-lock.json), decide exactly like
# `syncpilot-cli flag eval` for every flag and every targeting key (DESIGN.md §1, "bit for bit").
#
#   run_interop.sh CLI_PATH WORKDIR [FLAGD_SCHEMA_DIR]
#
# Builds a fresh SQLite workspace in WORKDIR through the CLI with flags covering 0 %, 0.1 %, 1 %,
# 5 %, 25 %, 33.3 %, 50 %, 66.7 %, 99.9 %, 100 %, switched-off flags, sync flags under the kill
# switch, key-list and rule segments (every operator) included and excluded, and prerequisite
# chains; writes 12 000 deterministic ASCII targeting keys, many with attributes; exports flagd,
# validates it against flagd's schema (FLAGD_SCHEMA_DIR, default ../shared/testdata/flagd/schemas)
# and diffs both evaluators. Fails on any difference, listing the first ones.
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
    echo "usage: $0 CLI_PATH WORKDIR [FLAGD_SCHEMA_DIR]" >&2
    exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cli_path=$1
workdir=$2
schema_dir=${3:-$here/../../../shared/testdata/flagd/schemas}
key_count=12000

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

[[ -x $cli_path ]] || fail "the CLI $cli_path does not exist or is not executable (build the syncpilot-cli target)."
command -v node >/dev/null || fail "node is not installed (scripts/deps.sh test installs it)."
[[ -d $here/node_modules/@openfeature/flagd-core ]] ||
    fail "$here/node_modules is missing: run npm ci in tests/interop, as test.sh does."
[[ -f $schema_dir/flags.json && -f $schema_dir/targeting.json ]] ||
    fail "flagd's JSON schemas are not in $schema_dir (flags.json and targeting.json, from ../shared/testdata/flagd/schemas)."

# WORKDIR is wiped on every run; refuse anything that does not look like ours.
if [[ -e $workdir ]]; then
    if [[ -n $(ls -A "$workdir") && ! -f $workdir/.syncpilot-interop ]]; then
        fail "$workdir exists and was not made by this script; refusing to wipe it."
    fi
    rm -rf -- "$workdir"
fi
mkdir -p "$workdir"
touch "$workdir/.syncpilot-interop"
workdir=$(cd "$workdir" && pwd)
ws=$workdir/workspace.sqlite
keys=$workdir/keys.tsv
flagd=$workdir/flags.flagd.json

cli() {
    local out
    if ! out=$("$cli_path" --workspace "$ws" "$@" 2>&1); then
        echo "$out" >&2
        fail "syncpilot-cli $* failed"
    fi
}

started=$SECONDS

# --- targeting keys -----------------------------------------------------------------------------
# Deterministic (Park–Miller generator, exact in awk's doubles), printable ASCII only, no TAB.
# Kinds: emails, uuid-like, very short, long (up to ~100 chars) with punctuation and spaces, user-N,
# paths and device ids, numeric strings, punctuation-heavy. About 45 % of lines carry attributes.
awk -v n="$key_count" '
function rnd(m) { seed = (16807 * seed) % 2147483647; return int(seed / 2147483647 * m) }
function pick(list,    parts, c) { c = split(list, parts, " "); return parts[rnd(c) + 1] }
function hex(len,    s, i) { s = ""; for (i = 0; i < len; ++i) s = s substr("0123456789abcdef", rnd(16) + 1, 1); return s }
function chars(len, set,    s, i) { s = ""; for (i = 0; i < len; ++i) s = s substr(set, rnd(length(set)) + 1, 1); return s }
BEGIN {
    seed = 20240917
    printable = ""
    for (c = 33; c <= 126; ++c) printable = printable sprintf("%c", c)
    inner = printable " "          # a space inside a key, never at its ends
    short = "abcxyzQRS0123456789-_.:@+~!"
    for (i = 1; i <= n; ++i) {
        kind = i % 10
        email = ""
        if (kind <= 1) {
            key = pick("anna bob chloe dmitri eve fatima gus hiro ines jo") "." pick("smith lee garcia muller tanaka") i "@" \
                  pick("acme.com acme.com example.org mail.test legacy-corp.net sub.acme.com acme.com.evil.io")
            email = key
        } else if (kind <= 3) {
            key = hex(8) "-" hex(4) "-4" hex(3) "-" substr("89ab", rnd(4) + 1, 1) hex(3) "-" hex(12)
        } else if (kind == 4) {
            key = chars(1 + rnd(3), short)
        } else if (kind == 5) {
            len = 40 + rnd(61)
            key = chars(1, printable) chars(len - 2, inner) chars(1, printable)
        } else if (kind == 6) {
            key = "user-" i
        } else if (kind == 7) {
            key = rnd(2) ? "tenant/" pick("north-co south-co acme globex") "/user/" i : "device:" hex(6) "/" i
        } else if (kind == 8) {
            key = (i * 7919) % 1000003 ""
        } else {
            key = pick("o'\''brien+ \"quoted\" back\\slash {json: a=b&c= %20 $flagd. ~tilde| <tag>") i pick("! ? # ; , ) ] }")
        }
        line = key
        if (rnd(100) < 45) {
            if (email != "" && rnd(2)) line = line "\temail=" email
            else if (rnd(4) == 0) line = line "\temail=" pick("ops@acme.com dev@example.org qa@sub.acme.com x@ACME.COM")
            if (rnd(3) == 0) line = line "\tclient=" pick("legacy-1.2 legacy-2.0 ios-17.1 web-5 LEGACY-3 android-legacy-1")
            if (rnd(2) == 0) line = line "\tregion=" pick("north south east west North")
            if (rnd(2) == 0) line = line "\tplan=" pick("pro free team enterprise pro free Pro")
            if (rnd(3) == 0) line = line "\tcountry=" pick("DE AT CH US FR de")
            if (rnd(25) == 0) line = line "\tnote=a=b c"
            if (rnd(40) == 0) line = line "\tplan="
        }
        print line
    }
}' >"$keys"
[[ $(wc -l <"$keys") -eq $key_count ]] || fail "expected $key_count keys in $keys"

# Key-list segments take keys from the same file (first field), deduplicated, plus keys nobody sends.
awk -F'\t' 'NR % 47 == 0 && !seen[$1]++ { print $1 } END { print "ghost-key-1" }' "$keys" >"$workdir/seg-beta.keys"
awk -F'\t' '(NR % 61 == 0 || NR % 141 == 0) && !seen[$1]++ { print $1 }' "$keys" >"$workdir/seg-block.keys" # overlaps beta at NR % 141
awk -F'\t' 'NR % 53 == 0 && !seen[$1]++ { print $1 }' "$keys" >"$workdir/seg-mixed.keys"

# --- workspace ----------------------------------------------------------------------------------
cli init
cli segment create seg-beta --keys-file "$workdir/seg-beta.keys"
cli segment create seg-block --keys-file "$workdir/seg-block.keys"
cli segment create seg-acme --rule "email ends_with @acme.com"
cli segment create seg-legacy --rule "client starts_with legacy-"
cli segment create seg-north-pro --rule "region == north" --rule "plan == pro"
cli segment create seg-dach --rule "country in DE,AT,CH"
cli segment create seg-not-free --rule "plan != free"
cli segment create seg-user-prefix --rule "targetingKey starts_with user-"
cli segment create seg-mixed --keys-file "$workdir/seg-mixed.keys" --rule "plan in team,enterprise" --rule "region != south"

# Each flag with what its results must look like: mixed (both on and off), all-on or all-off.
declare -A expect=()
flag() { # flag KEY EXPECTATION [create options...]
    local key=$1
    expect[$key]=$2
    shift 2
    cli flag create "$key" "$@"
}
# Plain percentages (flagd fractional only).
flag p0 all-off --on --percent 0
flag p0-1 mixed --on --percent 0.1
flag p1 mixed --on --percent 1
flag p5 mixed --on --percent 5
flag p25 mixed --on --percent 25
flag p33-3 mixed --on --percent 33.3
flag p50 mixed --on --percent 10
cli flag set p50 --percent 50
flag p66-7 mixed --on --percent 66.7
flag p99-9 mixed --on --percent 99.9
flag p100 all-on --on --percent 100
# Switched off, with a percentage that would otherwise turn keys on.
flag off-50 all-off --percent 50
flag off-100 all-off --on --percent 100 --include-segment seg-beta
cli flag set off-100 --off
# Sync flags go under the kill switch below; non-sync tags stay live.
flag sync-50 all-off --tag sync --on --percent 50
flag sync-100-inc all-off --tag sync --tag checkout --on --percent 100 --include-segment seg-beta
flag sync-0-inc all-off --tag sync --include-segment seg-acme --description "Sync path for acme staff"
cli flag set sync-0-inc --on
flag ui-33-3 mixed --tag ui --tag beta --on --percent 33.3 --description "Not sync: the kill switch leaves it alone"
# Segments: key lists and rules, included and excluded.
flag inc-beta-10 mixed --on --percent 10 --include-segment seg-beta
flag exc-block-50 mixed --on --percent 50 --exclude-segment seg-block
flag inc-acme-0 mixed --on --include-segment seg-acme
flag inc-rules-5 mixed --on --percent 5 --include-segment seg-legacy --include-segment seg-dach --include-segment seg-user-prefix
flag exc-notfree-100 mixed --on --percent 100 --exclude-segment seg-not-free
flag exc-northpro-75 mixed --on --percent 75 --exclude-segment seg-north-pro
flag inc-exc-40 mixed --on --percent 40 --include-segment seg-beta --exclude-segment seg-block
flag inc-mixed-2-5 mixed --on --percent 2.5 --include-segment seg-mixed
flag segs-via-set mixed --on --percent 20
cli flag set segs-via-set --include-segment seg-dach --exclude-segment seg-legacy
flag segs-cleared mixed --on --percent 30 --include-segment seg-beta --exclude-segment seg-acme
cli flag set segs-cleared --no-segments
# Prerequisites: a 3-flag chain of partial flags, an off prerequisite, a killed prerequisite,
# several prerequisites, prerequisites with their own segments, one set after creation.
flag chain-a mixed --on --percent 60
flag chain-b mixed --on --percent 50 --requires chain-a
flag chain-c mixed --on --percent 70 --requires chain-b
flag req-off all-off --on --percent 100 --requires off-50
flag req-partial mixed --on --percent 100 --requires p33-3
flag req-two mixed --on --percent 50 --requires p50 --requires chain-a
flag req-killed all-off --on --percent 100 --requires sync-50
flag req-segments mixed --on --percent 20 --requires inc-beta-10 --include-segment seg-dach --exclude-segment seg-north-pro
flag req-excluded-prereq mixed --on --percent 100 --requires exc-northpro-75 --requires inc-acme-0
flag req-set mixed --on --percent 90
cli flag set req-set --requires chain-c
cli flag set req-set --requires chain-c --requires p99-9

cli killswitch on --reason "interop test: sync flags must read KILL_SWITCH"
cli flag set sync-50 --percent 60 # a change under the kill switch keeps the flag killed

cli export flagd --out "$flagd"
setup_done=$SECONDS

# --- evaluate with both -------------------------------------------------------------------------
mapfile -t flags < <(node "$here/flagd_core_eval.mjs" --schema-dir "$schema_dir" "$flagd" --list-flags)
[[ ${#flags[@]} -eq ${#expect[@]} ]] ||
    fail "the export has ${#flags[@]} flags, the script created ${#expect[@]}: ${flags[*]}"
for f in "${flags[@]}"; do
    [[ -n ${expect[$f]:-} ]] || fail "the export has a flag the script did not create: $f"
done

mkdir -p "$workdir/cli" "$workdir/flagd-core" "$workdir/cli-json"
node "$here/flagd_core_eval.mjs" "$flagd" "$keys" --out-dir "$workdir/flagd-core" "${flags[@]}" ||
    fail "flagd-core could not evaluate the export (see above)"
for f in "${flags[@]}"; do
    "$cli_path" --workspace "$ws" flag eval "$f" --keys-file "$keys" >"$workdir/cli/$f.tsv" ||
        fail "syncpilot-cli flag eval $f --keys-file $keys failed"
    "$cli_path" --workspace "$ws" --json flag eval "$f" --keys-file "$keys" >"$workdir/cli-json/$f.json" ||
        fail "syncpilot-cli --json flag eval $f --keys-file $keys failed"
done

# --- compare ------------------------------------------------------------------------------------
lines=$(awk -F'\t' '$0 !~ /^[ \t\r]*$/' "$keys" | wc -l)
diffs=$workdir/differences.txt
summary=$workdir/summary.txt
: >"$diffs"
: >"$summary"
problems=()
evaluations=0
for f in "${flags[@]}"; do
    cli_out=$workdir/cli/$f.tsv
    core_out=$workdir/flagd-core/$f.tsv
    [[ $(wc -l <"$cli_out") -eq $lines ]] || problems+=("$f: the CLI printed $(wc -l <"$cli_out") lines for $lines keys")
    [[ $(wc -l <"$core_out") -eq $lines ]] || problems+=("$f: flagd-core printed $(wc -l <"$core_out") lines for $lines keys")
    # Line by line: same key in the same position (keys may repeat), same value.
    awk -F'\t' -v flag="$f" -v src="$keys" '
        NR == FNR { key[FNR] = $1; val[FNR] = $2; n = FNR; next }
        { if (FNR > n || key[FNR] != $1 || val[FNR] != $2)
              printf "%s\tline %d\tkey %s\tsyncpilot-cli=%s\tflagd-core=%s\n", flag, FNR, (FNR > n ? $1 : key[FNR]), (FNR > n ? "(none)" : val[FNR]), $2 }
        END { for (i = FNR + 1; i <= n; ++i) printf "%s\tline %d\tkey %s\tsyncpilot-cli=%s\tflagd-core=(none)\n", flag, i, key[i], val[i] }
    ' "$cli_out" "$core_out" >>"$diffs"
    on=$(awk -F'\t' '$2 == "on"' "$cli_out" | wc -l)
    bad=$(awk -F'\t' '$2 != "on" && $2 != "off"' "$cli_out" | wc -l)
    [[ $bad -eq 0 ]] || problems+=("$f: $bad CLI lines are neither on nor off")
    evaluations=$((evaluations + 2 * lines))
    # The JSON form must agree with the text form, and gives the reasons for the summary.
    json_on=$(grep -c '"value": true' "$workdir/cli-json/$f.json" || true)
    [[ $json_on -eq $on ]] || problems+=("$f: flag eval --json says $json_on on, the text form $on")
    reasons=$(grep -o '"reason": "[A-Z_]*"' "$workdir/cli-json/$f.json" | sed 's/.*: "\(.*\)"/\1/' | sort | uniq -c |
        awk '{ printf "%s%s=%d", sep, $2, $1; sep = " " }')
    case ${expect[$f]} in
        mixed) [[ $on -gt 0 && $on -lt $lines ]] || problems+=("$f: expected both on and off results, got $on on of $lines") ;;
        all-on) [[ $on -eq $lines ]] || problems+=("$f: expected every key on, got $on of $lines") ;;
        all-off) [[ $on -eq 0 ]] || problems+=("$f: expected every key off, got $on on") ;;
    esac
    printf '  %-20s %-8s %6d on / %6d  (%6.2f %%)  %s\n' "$f" "${expect[$f]}" "$on" "$lines" \
        "$(awk -v a="$on" -v b="$lines" 'BEGIN { print 100 * a / b }')" "$reasons" >>"$summary"
done

# Plain percentage flags must land near their percentage (12 000 keys: 1 sd is under 0.5 points).
share_between() { # FLAG LOW HIGH (percent)
    local on pct
    on=$(awk -F'\t' '$2 == "on"' "$workdir/cli/$1.tsv" | wc -l)
    pct=$(awk -v a="$on" -v b="$lines" 'BEGIN { printf "%.3f", 100 * a / b }')
    awk -v p="$pct" -v lo="$2" -v hi="$3" 'BEGIN { exit !(p >= lo && p <= hi) }' ||
        problems+=("$1: $pct % on, expected between $2 and $3 %")
}
share_between p0-1 0.01 0.4
share_between p1 0.5 1.5
share_between p5 3 7
share_between p25 22 28
share_between p33-3 30.3 36.3
share_between p50 47 53
share_between p66-7 63.7 69.7
share_between p99-9 99.6 99.99
# A prerequisite at 100 % on top of p33-3 is exactly p33-3.
cmp -s "$workdir/cli/p33-3.tsv" "$workdir/cli/req-partial.tsv" || problems+=("req-partial differs from its only prerequisite p33-3")
# Every evaluation reason must have occurred somewhere, or the flag set does not cover what it claims.
for r in DISABLED KILL_SWITCH PREREQUISITE_OFF SEGMENT_EXCLUDED SEGMENT_INCLUDED SPLIT; do
    grep -q "\"reason\": \"$r\"" "$workdir"/cli-json/*.json || problems+=("no evaluation had reason $r")
done

with_attrs=$(grep -c $'\t' "$keys" || true)
echo "interop.flagd_core: syncpilot-cli vs @openfeature/flagd-core $(node -p "require('$here/node_modules/@openfeature/flagd-core/package.json').version")"
echo "  flags: ${#flags[@]}   targeting keys: $lines ($with_attrs with attributes)   evaluations: $((evaluations / 2)) per evaluator, $evaluations in all"
echo "  export: $flagd ($(wc -c <"$flagd") bytes, valid against flagd's flags.json schema)"
echo "  setup $((setup_done - started)) s, evaluation and comparison $((SECONDS - setup_done)) s"
echo "  per flag (syncpilot-cli results; reasons from flag eval --json):"
cat "$summary"

ndiff=$(wc -l <"$diffs")
if [[ $ndiff -gt 0 ]]; then
    echo "FAIL: $ndiff evaluation(s) differ between syncpilot-cli and flagd-core; the first ones:" >&2
    head -n 30 "$diffs" >&2
    echo "(all differences: $diffs; workspace: $ws; export: $flagd; keys: $keys)" >&2
    exit 1
fi
if [[ ${#problems[@]} -gt 0 ]]; then
    printf 'FAIL: %s\n' "${problems[@]}" >&2
    exit 1
fi
echo "PASS: 0 differences in $evaluations evaluations."
