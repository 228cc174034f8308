#!/usr/bin/env bash
# Runs every test: unit and integration tests of all crates against the loopback sandbox, the UI's
# own logic (node --test), and the app end to end under a virtual display with WebDriver; all with
# a real Secret Service keychain in a private D-Bus session (so no test touches your own keychain).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh

# A private session bus with gnome-keyring's Secret Service, unlocked with a throw-away password,
# and a private HOME so the test keyring never mixes with a real one.
export DECODA_TEST_HOME="$(mktemp -d)"
trap 'rm -rf "$DECODA_TEST_HOME"' EXIT
dbus-run-session -- bash -c '
  set -euo pipefail
  export HOME="$DECODA_TEST_HOME" XDG_DATA_HOME="$DECODA_TEST_HOME/.local/share"
  export CARGO_HOME="${CARGO_HOME:-'"${CARGO_HOME:-$HOME/.cargo}"'}" RUSTUP_HOME="${RUSTUP_HOME:-'"${RUSTUP_HOME:-$HOME/.rustup}"'}"
  echo -n test-only-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  # setup-system.sh installed the keychain, SANE'"'"'s scanner client and poppler: their tests must run, not skip.
  export DECODA_REQUIRE_KEYCHAIN=1 DECODA_REQUIRE_SYSTEM_TOOLS=1
  cargo test --workspace --locked "$@"
  node --test ui/tests/
  bash scripts/e2e.sh
' bash "$@"
