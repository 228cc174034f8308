#!/usr/bin/env bash
# Builds the Linux installers (.deb and .rpm) from the release profile with the Tauri CLI; both
# build offline. The .deb and .rpm also carry the `decoda` command (built first, see
# tauri.conf.json's beforeBundleCommand). AppImage is not built: its tools are downloaded at build
# time, which this project's machines cannot do. The .deb is then recompressed with xz (below).
# Prints each package with its size.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
[ -x node_modules/.bin/tauri ] || npm ci --no-audit --no-fund --loglevel=error
npx tauri build --bundles deb,rpm --ci
# The Tauri CLI writes the .deb's files with gzip; Debian's own packages use xz. Repacked with
# xz at its highest level (whose large window also finds what the app and the `decoda` command
# share), the .deb is about 45% smaller; its contents, modes and control files are unchanged.
for deb in target/release/bundle/deb/*.deb; do
  raw=$(mktemp -d)
  dpkg-deb --raw-extract "$deb" "$raw/pkg"
  dpkg-deb -Zxz -z9 --root-owner-group --build "$raw/pkg" "$deb" >/dev/null
  rm -rf "$raw"
done
# Each installer must stay under 10 MiB (docs/BENCHMARKS.md): a change that grows one past it fails here.
limit=$((10 * 1024 * 1024))
for f in target/release/bundle/deb/*.deb target/release/bundle/rpm/*.rpm; do
  size="$(stat -c %s "$f")"
  printf '%s\t%s bytes\n' "$f" "$size"
  if [ "$size" -ge "$limit" ]; then
    echo "package.sh: $f is $size bytes, over the 10 MiB limit" >&2
    exit 1
  fi
done
