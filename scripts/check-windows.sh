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

# The crates with code of their own for Windows also run their tests in their Windows build, under
# Wine: the settings (the Group Policy registry reader, the fleet file's owner and access-list
# reader, the layering), the scanner inbox (its probe for files a scanner still writes, moving sent
# files) and the store (its private folder), on Windows' APIs as Wine implements them. The Windows
# workflow runs every test on Windows itself.
crates=(decoda-settings decoda-inbox decoda-store)
if [ ! -x /usr/lib/wine/wine64 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends wine64 >/dev/null
fi
prefix="$(mktemp -d)"
trap '/usr/lib/wine/wineserver -k >/dev/null 2>&1 || true; rm -rf "$prefix"' EXIT
export WINEPREFIX="$prefix" WINEDEBUG=-all
/usr/lib/wine/wine64 wineboot --init >/dev/null 2>&1
x86_64-w64-mingw32-gcc -shared -O2 -o "$prefix/drive_c/windows/system32/bcryptprimitives.dll" \
  scripts/wine/bcryptprimitives.c scripts/wine/bcryptprimitives.def -ladvapi32
for crate in "${crates[@]}"; do
  tests="$(CARGO_TARGET_DIR=target/windows cargo test -p "$crate" --locked --target "$target" --no-run \
    --message-format=json | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["kind"] != ["bin"]:
        print(m["executable"])
    elif m.get("reason") == "compiler-message" and m["message"]["level"] == "error":
        sys.stderr.write(m["message"]["rendered"])')"
  [ -n "$tests" ] || { echo "check-windows: no Windows test build of $crate" >&2; exit 1; }
  while read -r exe; do
    (cd "crates/$crate" && /usr/lib/wine/wine64 "$exe") | grep -E '^test result' \
      || { echo "check-windows: $crate's $(basename "$exe") failed under Wine" >&2; exit 1; }
  done <<<"$tests"
done
echo "check-windows: the tests of ${crates[*]} pass in their Windows build, under Wine"
