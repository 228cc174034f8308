#!/usr/bin/env bash
# macOS release builds only: a temporary keychain holding the Developer ID Application certificate
# (APPLE_CERTIFICATE, base64 .p12, with APPLE_CERTIFICATE_PASSWORD) and the Developer ID Installer
# certificate (APPLE_INSTALLER_CERTIFICATE, APPLE_INSTALLER_CERTIFICATE_PASSWORD), unlocked and
# searched first, so codesign and productbuild find the identities. The runner is thrown away after.
set -euo pipefail
keychain="$RUNNER_TEMP/decoda-signing.keychain-db"
password="$(uuidgen)"
security create-keychain -p "$password" "$keychain"
security set-keychain-settings -lut 3600 "$keychain"
security unlock-keychain -p "$password" "$keychain"
import() {
  local file="$RUNNER_TEMP/$1.p12"
  printf '%s' "$2" | base64 --decode > "$file"
  security import "$file" -k "$keychain" -P "$3" -T /usr/bin/codesign -T /usr/bin/productbuild -T /usr/bin/productsign
  rm -f "$file"
}
import application "$APPLE_CERTIFICATE" "$APPLE_CERTIFICATE_PASSWORD"
import installer "$APPLE_INSTALLER_CERTIFICATE" "$APPLE_INSTALLER_CERTIFICATE_PASSWORD"
security set-key-partition-list -S apple-tool:,apple: -s -k "$password" "$keychain" >/dev/null
# shellcheck disable=SC2046 # the list is one path per line, as `security` prints it
security list-keychains -d user -s "$keychain" $(security list-keychains -d user | tr -d '"')
