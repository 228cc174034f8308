#!/usr/bin/env bash
# Compiles and lints the whole workspace, tests included, for Windows (x86_64-pc-windows-gnu, with
# Debian's MinGW cross compiler for the C parts), so that code behind `cfg(windows)` (the fleet
# file's access-list check, the inbox's probe, notifications) and platform guards in tests are
# checked on every change here; the Windows workflow runs them. Skipped, saying so, only where the
# Windows target cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-pc-windows-gnu
if ! rustup target list --installed | grep -qx "$target"; then
  if ! rustup target add "$target"; then
    echo "check-windows: skipped: the $target target cannot be installed on this machine" >&2
    exit 0
  fi
fi
if ! command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends gcc-mingw-w64-x86-64 >/dev/null
fi
CARGO_TARGET_DIR=target/windows cargo clippy --workspace --all-targets --locked --target "$target" -- -D warnings
echo "check-windows: the workspace compiles and passes clippy for Windows"
