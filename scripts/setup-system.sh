#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the app, its tests and its benchmark need, if any is missing.
# Safe to run again: it installs nothing when everything is there.
set -euo pipefail

packages=(
  libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev librsvg2-dev
  libayatana-appindicator3-dev build-essential pkg-config libssl-dev libdbus-1-dev file xdg-utils
  nodejs xvfb x11-apps x11-utils webkit2gtk-driver gnome-keyring dbus-x11 libsecret-tools curl time
  xclip sane-airscan sane-utils poppler-utils tesseract-ocr tesseract-ocr-eng
)

if ! command -v cargo >/dev/null 2>&1; then
  echo "Rust is not installed: install it from https://rustup.rs and run this again." >&2
  exit 1
fi
if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "This script installs Debian/Ubuntu packages; on other systems install the equivalents of:" >&2
  printf '  %s\n' "${packages[@]}" >&2
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
