#!/usr/bin/env bash
# Builds the .deb with CPack and checks what it installs and what it depends on.
# Run by CTest as `packaging.deb` (tests/packaging/CMakeLists.txt passes all arguments):
#   check_deb.sh --cpack CPACK --config BUILD/CPackConfig.cmake --work-dir DIR --package NAME
#                --version X.Y.Z --maintainer "Name <mail>" --summary TEXT --app-id REVERSE.DNS.ID
# Exit status: 0 all checks passed, 1 some check failed (each one is listed), 77 skipped
# (a Debian tool is missing and CI is not "true").
set -uo pipefail

cpack="" config="" work="" package="" version="" maintainer="" summary="" app_id=""
while [ $# -gt 0 ]; do
    if [ $# -lt 2 ]; then echo "check_deb.sh: option '$1' needs a value" >&2; exit 2; fi
    case "$1" in
        --cpack) cpack="$2" ;;
        --config) config="$2" ;;
        --work-dir) work="$2" ;;
        --package) package="$2" ;;
        --version) version="$2" ;;
        --maintainer) maintainer="$2" ;;
        --summary) summary="$2" ;;
        --app-id) app_id="$2" ;;
        *) echo "check_deb.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift 2
done
for v in cpack config work package version maintainer summary app_id; do
    if [ -z "${!v}" ]; then echo "check_deb.sh: --${v//_/-} is required" >&2; exit 2; fi
done

# Runtime pieces the package must depend on: what dpkg-shlibdeps finds in the executables, plus the
# plugins Qt dlopen()s (SQL drivers, TLS backend, platform plugins) that it cannot see.
required_depends=(libc6 libqt6core6 libqt6widgets6 libqt6sql6-sqlite libqt6sql6-psql
                  libqt6network6 libqt6gui6 ca-certificates)
required_recommends=(libsecret-1-0 "gnome-keyring | kwalletmanager")
icon_sizes=(16 32 48 64 128 256)

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok:   $*"; }

# --- tools ------------------------------------------------------------------------------------------
missing=()
for tool in dpkg dpkg-deb dpkg-shlibdeps desktop-file-validate appstreamcli; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ! -x "$cpack" ] && ! command -v "$cpack" >/dev/null 2>&1; then missing+=("$cpack"); fi
if [ ${#missing[@]} -gt 0 ]; then
    msg="missing tools: ${missing[*]} (Debian: apt-get install dpkg-dev desktop-file-utils appstream)"
    if [ "${CI:-}" = "true" ]; then echo "FAIL: $msg" >&2; exit 1; fi
    echo "SKIP: $msg"; exit 77
fi
if [ ! -f "$config" ]; then
    echo "FAIL: $config not found: configure the project first (cmake -S . -B build/...)" >&2; exit 1
fi

# --- build the package ------------------------------------------------------------------------------
rm -rf "$work"
mkdir -p "$work/out" "$work/root"
echo "== $cpack -G DEB --config $config -B $work/out"
if ! "$cpack" -G DEB --config "$config" -B "$work/out" >"$work/cpack.log" 2>&1; then
    cat "$work/cpack.log" >&2
    find "$work/out/_CPack_Packages" -name '*.log' -print -exec cat {} \; >&2 2>/dev/null
    echo "FAIL: cpack -G DEB failed (log above)" >&2
    exit 1
fi
cat "$work/cpack.log"

arch=$(dpkg --print-architecture)
deb="$work/out/${package}_${version}_${arch}.deb"
if [ ! -f "$deb" ]; then
    echo "FAIL: expected package file $(basename "$deb") was not produced; $work/out has:" >&2
    ls -l "$work/out" >&2
    exit 1
fi
ok "built $(basename "$deb")"

# --- control fields ---------------------------------------------------------------------------------
field() { dpkg-deb -f "$deb" "$1" 2>/dev/null; }
expect_field() {
    local name=$1 want=$2 got
    got=$(field "$name")
    if [ "$got" = "$want" ]; then ok "$name: $got"; else fail "control field $name is '$got', expected '$want'"; fi
}
expect_field Package "$package"
expect_field Version "$version"
expect_field Architecture "$arch"
expect_field Maintainer "$maintainer"

description=$(field Description)
synopsis=$(printf '%s\n' "$description" | head -n 1)
long_lines=$(printf '%s\n' "$description" | tail -n +2 | grep -c '[^[:space:].]')
if [ "$synopsis" = "$summary" ]; then ok "Description synopsis: $synopsis"
else fail "Description synopsis is '$synopsis', expected '$summary'"; fi
if [ "${#synopsis}" -gt 80 ]; then fail "Description synopsis is ${#synopsis} characters (Debian policy: under 80)"; fi
if [ "$long_lines" -ge 1 ]; then ok "Description has an extended description ($long_lines lines)"
else fail "Description has no extended description"; fi
if printf '%s\n' "$description" | grep -qi 'CPack'; then
    fail "Description still contains CPack's placeholder text"
fi
for f in Section Priority Installed-Size; do
    if [ -n "$(field "$f")" ]; then ok "$f: $(field "$f")"; else fail "control field $f is missing"; fi
done

# Normalise a relationship field to one group per line: "a | b" with version constraints dropped.
relations() {
    field "$1" | tr ',' '\n' | sed -e 's/([^)]*)//g' -e 's/[[:space:]]\+/ /g' -e 's/^ //' -e 's/ $//' \
        | sed -e 's/ *| */ | /g' | grep -v '^$'
}
depends=$(relations Depends)
recommends=$(relations Recommends)
for pkg in "${required_depends[@]}"; do
    if printf '%s\n' "$depends" | grep -qxF -- "$pkg"; then ok "Depends: $pkg"
    else fail "Depends lacks '$pkg' (Depends: $(field Depends))"; fi
done
for grp in "${required_recommends[@]}"; do
    if printf '%s\n' "$recommends" | grep -qxF -- "$grp"; then ok "Recommends: $grp"
    else fail "Recommends lacks '$grp' (Recommends: $(field Recommends))"; fi
done
# Every package named in Depends must exist (a typo would make the .deb uninstallable).
while IFS= read -r grp; do
    for pkg in ${grp//|/ }; do
        if ! apt-cache show "$pkg" >/dev/null 2>&1 && ! dpkg-query -W "$pkg" >/dev/null 2>&1; then
            fail "Depends names '$pkg', which neither apt nor dpkg knows"
        fi
    done
done <<<"$depends"

# --- file list --------------------------------------------------------------------------------------
if ! dpkg-deb -c "$deb" >"$work/contents.txt"; then
    echo "FAIL: dpkg-deb -c cannot read $deb" >&2; exit 1
fi
# mode<TAB>owner<TAB>path, symlink targets dropped
awk '{ p = $6; for (i = 7; i <= NF && $i != "->"; i++) p = p " " $i; print $1 "\t" $2 "\t" p }' \
    "$work/contents.txt" >"$work/files.tsv"

expect_file() {   # path mode-regex what
    local path=$1 mode_re=$2 what=$3 line
    line=$(awk -F'\t' -v p="$path" '$3 == p' "$work/files.tsv")
    if [ -z "$line" ]; then fail "$what missing: $path is not in the package"; return; fi
    local mode owner
    mode=$(cut -f1 <<<"$line"); owner=$(cut -f2 <<<"$line")
    if ! [[ $mode =~ $mode_re ]]; then fail "$what $path has mode $mode (expected $mode_re)"; return; fi
    if [ "$owner" != "root/root" ]; then fail "$what $path is owned by $owner (expected root/root)"; return; fi
    ok "$path ($mode)"
}
exe_re='^-rwxr-xr-x$'
data_re='^-rw-r--r--$'
expect_file ./usr/bin/syncpilot "$exe_re" "GUI executable"
expect_file ./usr/bin/syncpilot-cli "$exe_re" "CLI executable"
expect_file "./usr/share/applications/$app_id.desktop" "$data_re" "desktop entry"
expect_file "./usr/share/metainfo/$app_id.metainfo.xml" "$data_re" "AppStream metainfo"
for s in "${icon_sizes[@]}"; do
    expect_file "./usr/share/icons/hicolor/${s}x${s}/apps/$app_id.png" "$data_re" "${s}px icon"
done
expect_file "./usr/share/icons/hicolor/scalable/apps/$app_id.svg" "$data_re" "scalable icon"

outside=$(cut -f3 "$work/files.tsv" | grep -v -e '^\./$' -e '^\./usr/' || true)
[ -z "$outside" ] || fail "files outside /usr: $(tr '\n' ' ' <<<"$outside")"
devel=$(cut -f3 "$work/files.tsv" | grep -E '^\./usr/(include|local)/|/cmake/|\.(a|h|hpp|la)$' || true)
[ -z "$devel" ] || fail "development or stray files in the package: $(tr '\n' ' ' <<<"$devel")"

# --- extracted files --------------------------------------------------------------------------------
root="$work/root"
if ! dpkg-deb -x "$deb" "$root"; then echo "FAIL: dpkg-deb -x failed" >&2; exit 1; fi

for exe in syncpilot syncpilot-cli; do
    bin="$root/usr/bin/$exe"
    [ -f "$bin" ] || continue                       # already reported above
    if [ "$(head -c 4 "$bin" | od -An -c | tr -d ' ')" != '177ELF' ]; then
        fail "usr/bin/$exe is not an ELF executable"; continue
    fi
    unresolved=$(ldd "$bin" 2>&1 | grep 'not found' || true)
    if [ -n "$unresolved" ]; then fail "usr/bin/$exe has unresolved libraries: $unresolved"
    else ok "usr/bin/$exe is ELF and all its libraries resolve"; fi
done

desktop="$root/usr/share/applications/$app_id.desktop"
if [ -f "$desktop" ]; then
    if out=$(desktop-file-validate "$desktop" 2>&1) && [ -z "$out" ]; then ok "desktop-file-validate"
    else fail "desktop-file-validate $app_id.desktop:"$'\n'"$out"; fi
    exec_cmd=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$desktop" | head -n 1)
    icon=$(sed -n 's/^Icon=//p' "$desktop" | head -n 1)
    if [ -n "$exec_cmd" ] && [ -f "$root/usr/bin/$exec_cmd" ]; then ok "Exec=$exec_cmd is in the package"
    else fail "desktop entry Exec='$exec_cmd' is not a program in /usr/bin of the package"; fi
    if [ "$icon" = "$app_id" ]; then ok "Icon=$icon"
    else fail "desktop entry Icon='$icon', expected '$app_id' (the installed icon name)"; fi
fi

metainfo="$root/usr/share/metainfo/$app_id.metainfo.xml"
if [ -f "$metainfo" ]; then
    if out=$(appstreamcli validate --no-net "$metainfo" 2>&1); then ok "appstreamcli validate --no-net"
    else fail "appstreamcli validate --no-net $app_id.metainfo.xml:"$'\n'"$out"; fi
    if grep -qF "<id>$app_id</id>" "$metainfo"; then ok "metainfo <id>$app_id</id>"
    else fail "metainfo <id> is not $app_id"; fi
    if grep -qF ">$app_id.desktop</launchable>" "$metainfo"; then ok "metainfo launchable $app_id.desktop"
    else fail "metainfo <launchable> does not name $app_id.desktop"; fi
    latest=$(sed -n 's/.*<release [^>]*version="\([^"]*\)".*/\1/p' "$metainfo" | head -n 1)
    if [ "$latest" = "$version" ]; then ok "metainfo newest release is $latest"
    else fail "metainfo newest <release> is '$latest' but the package is $version: add a <release> entry to packaging/$app_id.metainfo.xml"; fi
fi

png_size() {   # width x height from the IHDR chunk
    local w h
    w=$(od -An -tu1 -j16 -N4 "$1" | awk '{ print ($1 * 16777216) + ($2 * 65536) + ($3 * 256) + $4 }')
    h=$(od -An -tu1 -j20 -N4 "$1" | awk '{ print ($1 * 16777216) + ($2 * 65536) + ($3 * 256) + $4 }')
    echo "${w}x${h}"
}
for s in "${icon_sizes[@]}"; do
    png="$root/usr/share/icons/hicolor/${s}x${s}/apps/$app_id.png"
    [ -f "$png" ] || continue
    if [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" != "89504e470d0a1a0a" ]; then
        fail "${s}x${s} icon is not a PNG file"; continue
    fi
    got=$(png_size "$png")
    if [ "$got" = "${s}x${s}" ]; then ok "${s}x${s} icon is a ${got} PNG"
    else fail "${s}x${s}/apps/$app_id.png is ${got} pixels"; fi
done
svg="$root/usr/share/icons/hicolor/scalable/apps/$app_id.svg"
if [ -f "$svg" ] && ! grep -q '<svg' "$svg"; then fail "scalable icon is not an SVG file"; fi

echo
echo "Depends: $(field Depends)"
echo "Recommends: $(field Recommends)"
if [ "$failures" -gt 0 ]; then
    echo "FAIL: $failures packaging check(s) failed for $(basename "$deb") (see FAIL lines above)" >&2
    exit 1
fi
echo "PASS: $(basename "$deb")"
