#!/usr/bin/env bash
# Builds the Linux installers (.deb and .rpm) from the release profile with the Tauri CLI; both
# build offline. The .deb and .rpm also carry the `decoda` command (built first, see
# tauri.conf.json's beforeBundleCommand). AppImage is not built: its tools are downloaded at build
# time, which this project's machines cannot do. Prints each package with its size.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
[ -x node_modules/.bin/tauri ] || npm ci --no-audit --no-fund --loglevel=error
npx tauri build --bundles deb,rpm --ci
for f in target/release/bundle/deb/*.deb target/release/bundle/rpm/*.rpm; do
  printf '%s\t%s bytes\n' "$f" "$(stat -c %s "$f")"
done
