#!/usr/bin/env bash
# Installs what is missing, builds, starts the loopback sandbox with demo data, and opens the app
# pointed at it. Stop with Ctrl-C (the sandbox stops with the app).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
cargo build --locked --bins

port="${DECODA_SANDBOX_PORT:-8787}"
./target/debug/decoda-sandbox --port "$port" &
sandbox=$!
trap 'kill "$sandbox" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$port/__sandbox/health" >/dev/null 2>&1 && break
  sleep 0.1
done

export DECODA_API_URL="http://127.0.0.1:$port" DECODA_TENANT=demo-clinic DECODA_API_KEY=sandbox-demo-key
echo "The CLI works against the sandbox in this shell's environment too, e.g.:"
echo "  DECODA_API_URL=$DECODA_API_URL DECODA_TENANT=demo-clinic DECODA_API_KEY=sandbox-demo-key ./target/debug/decoda patient --search garcia"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found: starting the app under a virtual display (Xvfb); you will not see its window." >&2
  xvfb-run -a ./target/debug/decoda-uploader
  exit
fi
./target/debug/decoda-uploader
