#!/usr/bin/env bash
# Benchmarks the desktop app (launch time, idle memory, listing 2,000 dropped files) under Xvfb.
# Needs a D-Bus session: run as `dbus-run-session -- bash scripts/bench-app.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/e2e.sh -s e2e/bench_app.py
