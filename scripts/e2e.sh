#!/usr/bin/env bash
# End-to-end tests of the real app window under a virtual display, driven by WebDriver
# (tauri-driver + WebKitWebDriver), against the real sandbox. Expects a D-Bus session with a
# Secret Service (scripts/test.sh provides one); screenshots go to target/e2e-out/.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v tauri-driver >/dev/null 2>&1 || cargo install tauri-driver --locked
python3 -c "import selenium, pytest" 2>/dev/null || python3 -m pip install -q --disable-pip-version-check selenium pytest
# axe-core (package.json) checks every view for accessibility problems.
[ -f node_modules/axe-core/axe.min.js ] || npm ci --no-audit --no-fund --loglevel=error
bash scripts/build-debug.sh

xvfb_pid=""
if [ -z "${DISPLAY:-}" ]; then
  for n in $(seq 90 120); do
    [ -e "/tmp/.X11-unix/X$n" ] || { display=":$n"; break; }
  done
  Xvfb "$display" -screen 0 1280x1024x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb_pid=$!
  export DISPLAY="$display"
  for _ in $(seq 1 100); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
fi
trap '[ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true' EXIT
# WebKit's sandbox needs user namespaces that CI containers running as root may not give.
export WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS=1 WEBKIT_DISABLE_COMPOSITING_MODE=1
# With arguments, they choose what to run (e.g. the app benchmark); by default every e2e test.
[ $# -gt 0 ] || set -- e2e
python3 -m pytest -q -p no:cacheprovider "$@"
