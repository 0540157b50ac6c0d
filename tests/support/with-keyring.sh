#!/usr/bin/env bash
# Usage: with-keyring.sh CMD...  -- CMD runs on a private D-Bus session bus with an unlocked gnome-keyring
# (Secret Service) in a fresh throwaway HOME. CMD's exit code is passed through.
# (test-infra.md §2.) SYNCPILOT_KEYRING_SANDBOX=1 tells tests that the keychain they see is this
# throwaway one, so they may use SyncPilot's real keychain service without touching a user's secrets.
set -euo pipefail
KR=$(mktemp -d /tmp/syncpilot-keyring.XXXXXX)
trap 'rm -rf "$KR" || true' EXIT
mkdir -m 700 "$KR/run"
rc=0
env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS -u GNOME_KEYRING_CONTROL \
    -u XDG_CURRENT_DESKTOP -u DESKTOP_SESSION -u KDE_FULL_SESSION \
    HOME="$KR" XDG_RUNTIME_DIR="$KR/run" XDG_DATA_HOME="$KR/data" XDG_CONFIG_HOME="$KR/config" XDG_CACHE_HOME="$KR/cache" \
    SYNCPILOT_KEYRING_SANDBOX=1 \
  dbus-run-session -- bash -c '
    # --unlock: password from stdin; creates the "login" keyring (= default collection), unlocked.
    printf %s test-keyring-pw | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null &
    kpid=$!
    for _ in $(seq 1 100); do   # wait until it owns org.freedesktop.secrets (else D-Bus autostarts a locked one)
      dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner \
        string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true" && break
      sleep 0.05
    done
    rc=0; "$@" || rc=$?
    kill "$kpid"; wait "$kpid" 2>/dev/null || true   # it may outlive the bus otherwise
    exit $rc' bash "$@" || rc=$?
exit $rc
