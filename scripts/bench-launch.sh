#!/usr/bin/env bash
# Benchmarks the release build's start: launch to first paint and to an interactive window, and
# idle memory, against a hello-world Tauri window built the same way (bench/hello-tauri) and
# measured in the same run, under Xvfb, with a private keychain. Prints a Markdown table for
# docs/BENCHMARKS.md. Usage: bash scripts/bench-launch.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
# The measuring helpers are shared with the end-to-end benchmarks (e2e/), which import selenium.
python3 -c "import selenium, pytest" 2>/dev/null || python3 -m pip install -q --disable-pip-version-check selenium pytest
# Both as the installers build them: the release profile, the page served from the binary.
cargo build --release --locked --features tauri/custom-protocol -p decoda-uploader -p hello-tauri
export BENCH_HOME="$(mktemp -d)"
trap 'rm -rf "$BENCH_HOME"' EXIT
dbus-run-session -- bash -c '
  set -euo pipefail
  export HOME="$BENCH_HOME" XDG_DATA_HOME="$BENCH_HOME/.local/share"
  echo -n bench-only-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  for n in $(seq 90 120); do [ -e "/tmp/.X11-unix/X$n" ] || { display=":$n"; break; }; done
  Xvfb "$display" -screen 0 1280x1024x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb=$!
  trap "kill $xvfb 2>/dev/null || true" EXIT
  export DISPLAY="$display"
  for _ in $(seq 1 100); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
  # As in the end-to-end tests (scripts/e2e.sh): no WebKit sandbox, no compositing, in CI containers.
  export WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS=1 WEBKIT_DISABLE_COMPOSITING_MODE=1
  python3 scripts/bench_launch.py "$@"
' bash "$@"
