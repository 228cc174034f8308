#!/usr/bin/env bash
# Installs what is missing, builds, starts the loopback sandbox with demo data, and opens the app
# pointed at it. Stop with Ctrl-C (the sandbox stops with the app).
#
#   bash scripts/start.sh           # as a new user would
#   bash scripts/start.sh --check   # the same steps, unattended: builds, starts the sandbox and the
#                                   # app under a virtual display, waits until the sandbox accepts the
#                                   # demo key and the window is on screen, stops both, exits 0 (CI)
set -euo pipefail
cd "$(dirname "$0")/.."

check=false
case "${1:-}" in
  --check) check=true ;;
  "") ;;
  *) echo "usage: bash scripts/start.sh [--check]" >&2; exit 2 ;;
esac

bash scripts/setup-system.sh
# Every binary this script starts: the app, the sandbox and the `decoda` command. A plain
# `cargo build` in the workspace root builds only the app's package.
cargo build --locked --workspace --bins

port="${DECODA_SANDBOX_PORT:-8787}"
key=sandbox-demo-key
tenant=demo-clinic
url="http://127.0.0.1:$port"
pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_all EXIT

# Polls `check` every 0.1 s, at most `tries` times, while process `pid` lives; 0 once it passes.
wait_for() {
  local check=$1 tries=$2 pid=$3
  for _ in $(seq 1 "$tries"); do
    "$check" && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# With a stand-in network scanner on the next port, its feeder loaded with a stack for two
# patients behind their cover sheets (Settings → Network scanner takes the address it prints).
scanner_port=$((port + 1))
./target/debug/decoda-sandbox --port "$port" --scanner --scanner-port "$scanner_port" \
  --feeder-stack "cover:pat_1001,page,page,cover:pat_1003,page" &
pids+=($!)

# Waits until the sandbox answers an authenticated request with the demo key (not just a health
# check: the key and tenant the app is given must be the ones the sandbox accepts).
sandbox_ready() {
  curl -fsS -H "API-KEY: $key" -H "TENANT: $tenant" "$url/user/patient/pat_1001" >/dev/null 2>&1
}
if ! wait_for sandbox_ready 100 "${pids[0]}"; then
  echo "The sandbox did not start on $url (is the port taken? set DECODA_SANDBOX_PORT)." >&2
  exit 1
fi

export DECODA_API_URL="$url" DECODA_TENANT="$tenant" DECODA_API_KEY="$key"

if [ "$check" = true ]; then
  # A virtual display of our own, so the check never opens a window on a real desktop.
  for n in $(seq 130 160); do
    [ -e "/tmp/.X11-unix/X$n" ] || { display=":$n"; break; }
  done
  Xvfb "$display" -screen 0 1280x1024x24 -nolisten tcp >/dev/null 2>&1 &
  pids+=($!)
  export DISPLAY="$display"
  for _ in $(seq 1 100); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
  # WebKit's sandbox needs user namespaces that CI containers running as root may not give.
  export WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS=1 WEBKIT_DISABLE_COMPOSITING_MODE=1
  # A private data folder, so the check leaves nothing in the user's own.
  data="$(mktemp -d)"
  trap 'stop_all; rm -rf "$data"' EXIT
  DECODA_DATA_DIR="$data" ./target/debug/decoda-uploader &
  app=$!
  pids+=("$app")
  window_shown() { xwininfo -root -tree 2>/dev/null | grep -q '"Decoda Uploader"'; }
  if ! wait_for window_shown 600 "$app"; then
    echo "start.sh --check: the app's window did not appear (the app exited or hung)." >&2
    exit 1
  fi
  if ! kill -0 "$app" 2>/dev/null; then
    echo "start.sh --check: the app exited after showing its window." >&2
    exit 1
  fi
  echo "start.sh --check: the sandbox accepts the demo key on $url and the app's window is shown."
  exit 0
fi

echo "To scan paper from the stand-in scanner: Settings → Network scanner → http://127.0.0.1:$scanner_port/eSCL"
echo "The CLI works against the sandbox in this shell's environment too, e.g.:"
echo "  DECODA_API_URL=$DECODA_API_URL DECODA_TENANT=$tenant DECODA_API_KEY=$key ./target/debug/decoda patient --search garcia"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found: starting the app under a virtual display (Xvfb); you will not see its window." >&2
  xvfb-run -a ./target/debug/decoda-uploader
  exit
fi
./target/debug/decoda-uploader
