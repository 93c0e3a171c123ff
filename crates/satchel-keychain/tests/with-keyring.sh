#!/usr/bin/env bash
# Runs a command with both real keyrings that satchel-keychain's tests need, and nothing of the
# user's own: a fresh anonymous kernel session keyring (`keyctl session -`) and a private session
# D-Bus (`dbus-run-session`) with gnome-keyring's Secret Service on it, unlocked with a throwaway
# password. The daemon keeps its "login" keyring under a temporary XDG_DATA_HOME, so nothing is
# written to the real $HOME (toolchain.md §6.2, §6.3). Exits with the command's status.
#
#   crates/satchel-keychain/tests/with-keyring.sh cargo test -p satchel-keychain
#
# Needs the apt packages keyutils, gnome-keyring and dbus (dbus-run-session, dbus-send).
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 <command> [args...]" >&2
    exit 2
fi
for tool in keyctl dbus-run-session dbus-send gnome-keyring-daemon; do
    if ! command -v "$tool" >/dev/null; then
        echo "$0: '$tool' is missing; install the apt packages keyutils, gnome-keyring and dbus" >&2
        exit 127
    fi
done

# Inner stage: we are inside the new session keyring and the private bus.
if [[ "${1-}" == "--inner" ]]; then
    shift
    # --foreground keeps the daemon our child, so it is ours to stop by its pid; the password
    # on stdin creates and unlocks the throwaway login keyring without a prompt.
    printf '%s' "satchel-test-keyring" |
        gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
    daemon=$!
    trap 'kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true' EXIT
    for _ in $(seq 1 100); do
        if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
            org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
            grep -q "boolean true"; then
            break
        fi
        sleep 0.1
    done
    status=0
    "$@" || status=$?
    exit "$status"
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/satchel-keyring.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -m 700 "$scratch/run" "$scratch/data" "$scratch/config" "$scratch/cache"
export XDG_RUNTIME_DIR=$scratch/run XDG_DATA_HOME=$scratch/data
export XDG_CONFIG_HOME=$scratch/config XDG_CACHE_HOME=$scratch/cache
# Without a display gnome-keyring cannot prompt; make sure it never tries the user's one.
unset DISPLAY WAYLAND_DISPLAY

status=0
keyctl session - dbus-run-session -- "$(readlink -f "$0")" --inner "$@" || status=$?
exit "$status"
