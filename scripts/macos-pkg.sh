#!/usr/bin/env bash
# The macOS installer package for MDM: Decoda Uploader.app (built by `tauri build --target
# universal-apple-darwin`) installed in /Applications, whose postinstall script puts the decoda
# command on PATH (/etc/paths.d) and makes the fleet file's folder. With --sign it is signed with
# APPLE_INSTALLER_IDENTITY, notarised (APPLE_ID, APPLE_PASSWORD, APPLE_TEAM_ID), stapled, and
# checked as MDM and Gatekeeper will check it.
set -euo pipefail
cd "$(dirname "$0")/.."
release=target/universal-apple-darwin/release
app="$release/bundle/macos/Decoda Uploader.app"
version="$(python3 -c 'import json; print(json.load(open("tauri.conf.json"))["version"])')"
out="$release/bundle/pkg"
pkg="$out/Decoda Uploader_${version}_universal.pkg"
mkdir -p "$out"
test -x "$app/Contents/MacOS/decoda" || { echo "the app does not carry the decoda command" >&2; exit 1; }

sign=()
[ "${1:-}" = "--sign" ] && sign=(--sign "$APPLE_INSTALLER_IDENTITY" --timestamp)
productbuild --component "$app" /Applications --scripts src-tauri/macos/pkg-scripts \
  --identifier com.decodahealth.uploader.pkg --version "$version" "${sign[@]}" "$pkg"

if [ "${1:-}" = "--sign" ]; then
  xcrun notarytool submit "$pkg" --apple-id "$APPLE_ID" --password "$APPLE_PASSWORD" --team-id "$APPLE_TEAM_ID" --wait
  xcrun stapler staple "$pkg"
  pkgutil --check-signature "$pkg"
  spctl --assess --type install --verbose "$pkg"
  xcrun stapler validate "$pkg"
  codesign --verify --strict --verbose=2 "$app/Contents/MacOS/decoda"
fi
pkgutil --payload-files "$pkg" | grep -q 'Decoda Uploader.app/Contents/MacOS/decoda' || { echo "the package lacks the decoda command" >&2; exit 1; }
echo "macos-pkg: $pkg"
