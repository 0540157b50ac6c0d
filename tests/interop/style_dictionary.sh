#!/usr/bin/env bash
# Interop check (CTest label "interop"): the DTCG file SyncPilot writes must build with the real
# Style Dictionary (4.4.0, pinned in package-lock.json) without warnings or broken references,
# and every token must come out as a CSS variable with the value the sheet gave it (DESIGN.md §1
# "Targets": "accepted by Style Dictionary").
#
#   style_dictionary.sh CLI_PATH WORKDIR [CSV]
#
# Maps the bundled sample sheet (resources/demo/design-tokens.csv, or CSV) with
# `syncpilot-cli map` to WORKDIR/tokens/brand.tokens.json, builds it with sd.config.mjs (platforms
# css/variables with outputReferences, json/flat; warnings are errors, broken references throw)
# and checks the outputs: no "[object Object]", one CSS variable and one flat JSON entry per
# token, every token's CSS value as expected from the DTCG file (colours as hex or rgba(),
# aliases as var(--…)), references resolved in the flat JSON, and a known colour and alias of
# the sheet rendered as the sheet says.
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
    echo "usage: $0 CLI_PATH WORKDIR [CSV]" >&2
    exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cli_path=$1
workdir=$2
csv=${3:-$here/../../resources/demo/design-tokens.csv}

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

[[ -x $cli_path ]] || fail "the CLI $cli_path does not exist or is not executable (build the syncpilot-cli target)."
command -v node >/dev/null || fail "node is not installed (scripts/deps.sh test installs it)."
[[ -f $here/node_modules/style-dictionary/package.json ]] ||
    fail "$here/node_modules is missing: run npm ci in tests/interop, as test.sh does."
[[ -f $csv ]] || fail "the sample sheet $csv does not exist."

# WORKDIR is wiped on every run; refuse anything that does not look like ours.
if [[ -e $workdir ]]; then
    if [[ -n $(ls -A "$workdir") && ! -f $workdir/.syncpilot-interop ]]; then
        fail "$workdir exists and was not made by this script; refusing to wipe it."
    fi
    rm -rf -- "$workdir"
fi
mkdir -p "$workdir/tokens"
touch "$workdir/.syncpilot-interop"
workdir=$(cd "$workdir" && pwd)
tokens=$workdir/tokens/brand.tokens.json
css=$workdir/build/css/variables.css
flat=$workdir/build/json/tokens.json

# --- SyncPilot: sheet -> DTCG ------------------------------------------------------------------
if ! out=$("$cli_path" map --in "$csv" --out "$tokens" 2>&1); then
    echo "$out" >&2
    fail "syncpilot-cli map --in $csv --out $tokens failed"
fi
[[ -s $tokens ]] || fail "syncpilot-cli map did not write $tokens"

# --- Style Dictionary --------------------------------------------------------------------------
log=$workdir/style-dictionary.log
if ! (cd "$here" && SYNCPILOT_SD_WORK=$workdir npx --no-install style-dictionary build --config "$here/sd.config.mjs") \
    >"$log" 2>&1; then
    cat "$log" >&2
    fail "style-dictionary build failed on $tokens (log: $log)"
fi
[[ -s $css ]] || fail "Style Dictionary did not write $css"
[[ -s $flat ]] || fail "Style Dictionary did not write $flat"
if grep -n '\[object Object\]' "$css" "$flat" >&2; then
    fail "Style Dictionary wrote [object Object] (a value it could not render)"
fi
if grep -n -E ':\s*(undefined|NaN|null);' "$css" >&2; then
    fail "Style Dictionary wrote an undefined value"
fi

# --- Every token, checked against the DTCG file -------------------------------------------------
# Expected CSS value of each token, from the DTCG file itself: "#rrggbb" colours as they are,
# "#rrggbbaa" as rgba() (Style Dictionary's color/css), aliases as var(--sp-…), dimensions,
# numbers, booleans and strings as written.
node --input-type=module - "$tokens" "$css" "$flat" <<'EOF'
import fs from 'node:fs';

const [tokensPath, cssPath, flatPath] = process.argv.slice(2);
const doc = JSON.parse(fs.readFileSync(tokensPath, 'utf8'));
const css = fs.readFileSync(cssPath, 'utf8');
const flat = JSON.parse(fs.readFileSync(flatPath, 'utf8'));
const problems = [];

const tokens = [];
(function walk(node, path) {
    for (const [key, child] of Object.entries(node)) {
        if (key.startsWith('$') || typeof child !== 'object' || child === null) continue;
        if ('$value' in child) tokens.push({ path: [...path, key], token: child });
        else walk(child, [...path, key]);
    }
})(doc, []);

const declared = new Map();
for (const line of css.split('\n')) {
    const m = /^\s*(--[^:]+):\s*(.*?);(\s*\/\*\*.*\*\/)?\s*$/.exec(line);
    if (m) {
        if (declared.has(m[1])) problems.push(`${m[1]} is declared twice in the CSS`);
        declared.set(m[1], m[2]);
    }
}

const varName = (path) => `--sp-${path.join('-')}`;
const simple = (path) => path.every((segment) => /^[a-z0-9-]+$/.test(segment));
function expected(value) {
    if (typeof value === 'string' && /^\{.+\}$/.test(value)) return `var(${varName(value.slice(1, -1).split('.'))})`;
    if (typeof value === 'string' && /^#[0-9a-f]{8}$/.test(value)) {
        const [r, g, b, a] = [1, 3, 5, 7].map((i) => parseInt(value.slice(i, i + 2), 16));
        return a === 255 ? value.slice(0, 7) : `rgba(${r}, ${g}, ${b}, ${Math.round((100 * a) / 255) / 100})`;
    }
    return String(value);
}

let checked = 0;
let aliases = 0;
for (const { path, token } of tokens) {
    const name = varName(path);
    if (!simple(path)) {
        if (![...declared.keys()].some((k) => k.startsWith(`--sp-${path[0]}`))) problems.push(`no CSS variable for ${path.join('.')}`);
        continue;
    }
    if (!declared.has(name)) {
        problems.push(`${path.join('.')}: no ${name} in the CSS`);
        continue;
    }
    const want = expected(token.$value);
    if (declared.get(name) !== want) problems.push(`${name}: CSS has "${declared.get(name)}", the DTCG file says ${JSON.stringify(token.$value)} (expected "${want}")`);
    if (want.startsWith('var(')) {
        ++aliases;
        if (!declared.has(want.slice(4, -1))) problems.push(`${name} refers to ${want}, which the CSS does not declare`);
    }
    ++checked;
}

const valueCount = (fs.readFileSync(tokensPath, 'utf8').match(/"\$value":/g) || []).length;
if (valueCount !== tokens.length) problems.push(`the file has ${valueCount} "$value" members but ${tokens.length} tokens were found`);
if (declared.size !== tokens.length) problems.push(`${tokens.length} tokens in the DTCG file, ${declared.size} CSS variables`);
if (Object.keys(flat).length !== tokens.length) problems.push(`${tokens.length} tokens, ${Object.keys(flat).length} entries in the flat JSON`);
for (const [key, value] of Object.entries(flat)) {
    if (typeof value === 'string' && value.includes('{')) problems.push(`flat JSON ${key} = ${value}: reference not resolved`);
}
if (aliases === 0) problems.push('the sample has no alias token, so references were not checked');
if (checked < tokens.length * 0.9) problems.push(`only ${checked} of ${tokens.length} tokens have names simple enough to check`);

if (problems.length) {
    console.error(problems.slice(0, 30).join('\n'));
    process.exit(1);
}
console.log(`  ${tokens.length} tokens -> ${declared.size} CSS variables, ${Object.keys(flat).length} flat JSON entries; ` +
    `${checked} values checked (${aliases} var() references)`);
EOF

# --- A known colour and a known alias, straight from the sheet ---------------------------------
# The first sheet row whose Light cell is a hex colour, and the first whose Light cell is a
# reference; header "Name,Type,Description,Light,Dark".
# (mawk has no {n} intervals, hence the length test.)
colour_name='' alias_name=''
read -r colour_name colour_value < <(awk -F, 'NR > 1 && length($4) == 7 && $4 ~ /^#[0-9a-fA-F]+$/ { print $1, tolower($4); exit }' "$csv") || true
read -r alias_name alias_target < <(awk -F, 'NR > 1 && $4 ~ /^[{].*[}]$/ { gsub(/[{}]/, "", $4); print $1, $4; exit }' "$csv") || true
[[ -n ${colour_name:-} && -n ${alias_name:-} ]] || fail "the sheet $csv has no plain colour or no alias row to check"
want_colour="--sp-${colour_name//\//-}: $colour_value;"
want_alias="--sp-${alias_name//\//-}: var(--sp-${alias_target//\//-});"
grep -qF -- "$want_colour" "$css" || fail "expected \"$want_colour\" in $css"
grep -qF -- "$want_alias" "$css" || fail "expected \"$want_alias\" in $css"

echo "interop.style_dictionary: $(basename "$csv") -> syncpilot-cli map -> style-dictionary $(node -p "require('$here/node_modules/style-dictionary/package.json').version")"
echo "  known colour: $want_colour"
echo "  known alias:  $want_alias"
echo "PASS"
