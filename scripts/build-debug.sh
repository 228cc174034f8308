#!/usr/bin/env bash
# The debug build of every binary that the end-to-end tests and the benchmark's smoke run use: the
# app (with its WebDriver test command), the sandbox and the CLI. One command with one feature set,
# so the second caller finds everything built instead of compiling the dependencies again.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked --workspace --bins --features decoda-uploader/e2e
