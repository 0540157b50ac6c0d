#!/usr/bin/env bash
# Installs what SyncPilot needs to build, run and test, on Debian 12 / Ubuntu 24.04.
# As root: apt-get installs whatever is missing. Otherwise: prints the exact command and fails.
# Usage: scripts/deps.sh [run|test]   (run = build + GUI; test = also the test tools)
set -euo pipefail
want=${1:-test}

RUN_PKGS=(cmake ninja-build g++ pkg-config
          qt6-base-dev qt6-charts-dev libqt6opengl6-dev qt6-networkauth-dev qt6-l10n-tools qt6-tools-dev qt6-tools-dev-tools
          qtkeychain-qt6-dev libqt6sql6-sqlite libqt6sql6-psql libsecret-1-0
          libgl-dev fonts-dejavu-core qt6-translations-l10n)
TEST_PKGS=(postgresql-15 postgresql-client-15 libbenchmark-dev libgtest-dev dpkg-dev file
           xvfb xauth gnome-keyring dbus-daemon nodejs npm jq curl openssl
           clang libclang-rt-14-dev desktop-file-utils appstream)

pkgs=("${RUN_PKGS[@]}")
[ "$want" = test ] && pkgs+=("${TEST_PKGS[@]}")

missing=()
for p in "${pkgs[@]}"; do
  # npm may come with nodejs from elsewhere; accept any working npm
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then continue; fi
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done

[ "${#missing[@]}" -eq 0 ] && exit 0

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" != 0 ]; then
  echo "SyncPilot needs these packages: ${missing[*]}" >&2
  echo "Run as root:" >&2
  echo "  sudo sh -c '$cmd'" >&2
  exit 1
fi
echo "Installing: ${missing[*]}"
sh -c "$cmd"
