#!/usr/bin/env bash
# Installs the built .deb for real and takes it through what clinic IT and staff do: apt resolves
# its dependencies, the app starts from the command its desktop entry names with a file ("Open
# with") and lists it, a file is uploaded to the sandbox, a newer package is installed over it and
# then removed, and the user's settings, queue and history are still there after each. Then the
# .rpm's metadata, file list and digests are checked, and the `decoda` in its payload is run.
# Needs root on a throw-away machine (CI): it installs and removes a system package.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "install-test.sh installs a system package: run it as root on a throw-away machine (CI)." >&2
  exit 1
fi
deb=(target/release/bundle/deb/*.deb)
rpm=(target/release/bundle/rpm/*.rpm)
[ -f "${deb[0]}" ] && [ -f "${rpm[0]}" ] || { echo "build the packages first: bash scripts/package.sh" >&2; exit 1; }
command -v rpm >/dev/null && command -v cpio >/dev/null && command -v desktop-file-validate >/dev/null || \
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rpm cpio desktop-file-utils >/dev/null

echo "== install ${deb[0]}"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./${deb[0]}" >/dev/null
desktop="/usr/share/applications/Decoda Uploader.desktop"
test -x /usr/bin/decoda-uploader
test -x /usr/bin/decoda
# Text recognition for patient suggestions is recommended, not bundled (apt installs it by default).
dpkg-deb -f "${deb[0]}" Recommends | grep -q 'tesseract-ocr-eng' || { echo "the .deb does not recommend tesseract-ocr-eng" >&2; exit 1; }
desktop-file-validate "$desktop"
grep -qx 'Exec=decoda-uploader %F' "$desktop"
grep -q '^MimeType=.*application/pdf;' "$desktop"
for size in 32x32 128x128 256x256@2; do test -s "/usr/share/icons/hicolor/$size/apps/decoda-uploader.png"; done
decoda --version

home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
# The test runs with a private HOME (where the app keeps the user's data); the toolchain stays where it is.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export DECODA_TEST_HOME="$home" DECODA_INSTALLED_DESKTOP="$desktop"
dbus-run-session -- bash -c '
  set -euo pipefail
  export HOME="$DECODA_TEST_HOME" XDG_DATA_HOME="$DECODA_TEST_HOME/.local/share"
  echo -n test-only-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  bash scripts/e2e.sh e2e/test_installed.py
'
settings="$home/.config/decoda-uploader/settings.toml"
history="$home/.local/share/decoda-uploader/uploads.sqlite3"
test -s "$settings" && test -s "$history"
before="$(sha256sum "$settings" "$history")"

# An upgrade, as IT rolls out a newer release over the installed one: the same package with a
# higher version (repacked, so no second build is needed). apt must take it as an upgrade, leave
# the user's files alone, and the upgraded `decoda` must read the history the app wrote.
echo "== upgrade"
old_version="$(dpkg-query -W -f='${Version}' decoda-uploader)"
new_version="$old_version+upgrade-test"
repack="$home/repack"
mkdir -p "$repack"
dpkg-deb -R "${deb[0]}" "$repack/root"
sed -i "s/^Version: .*/Version: $new_version/" "$repack/root/DEBIAN/control"
dpkg-deb -b --root-owner-group "$repack/root" "$repack/newer.deb" >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$repack/newer.deb" >/dev/null
[ "$(dpkg-query -W -f='${Version}' decoda-uploader)" = "$new_version" ] || { echo "apt did not upgrade the package" >&2; exit 1; }
[ "$(sha256sum "$settings" "$history")" = "$before" ] || { echo "upgrading the package changed the user's data" >&2; exit 1; }
HOME="$home" XDG_DATA_HOME="$home/.local/share" decoda history | grep -qF 'referral scan.png' || \
  { echo "the upgraded decoda does not list the upload the app recorded" >&2; exit 1; }
echo "an upgrade from $old_version to $new_version keeps the user's data, and reads it"

echo "== remove"
DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq decoda-uploader >/dev/null
! test -e /usr/bin/decoda-uploader
! test -e /usr/bin/decoda
[ "$(sha256sum "$settings" "$history")" = "$before" ] || { echo "removing the package changed the user's data" >&2; exit 1; }
echo "the user's settings, queue and history survive removal"

echo "== ${rpm[0]}"
info="$(rpm -qip "${rpm[0]}")"
echo "$info" | head -4
grep -q '^Name *: decoda-uploader' <<<"$info"
files="$(rpm -qlp "${rpm[0]}")"
for f in /usr/bin/decoda-uploader /usr/bin/decoda "$desktop" /usr/share/icons/hicolor/128x128/apps/decoda-uploader.png; do
  grep -qxF "$f" <<<"$files" || { echo "the .rpm lacks $f" >&2; exit 1; }
done
# The payload is zstd (tauri.conf.json, docs/BENCHMARKS.md): its digests must hold, and the `decoda` unpacked from
# it must run.
rpm -K --nosignature "${rpm[0]}" | grep -q 'digests OK' || { echo "the .rpm's digests do not match" >&2; exit 1; }
rpm -qpR "${rpm[0]}" | grep -qF 'rpmlib(PayloadIsZstd)' || { echo "the .rpm does not declare its zstd payload" >&2; exit 1; }
unpacked="$(mktemp -d)"
# rpm2cpio exits 1 even when it copied the whole payload: the bundler does not record the payload's unpacked size
# (ARCHIVESIZE) for it to compare with. What was unpacked is checked instead.
{ rpm2cpio "${rpm[0]}" || true; } | (cd "$unpacked" && cpio -idm --quiet)
"$unpacked/usr/bin/decoda" --version | grep -q '^decoda ' || { echo "the .rpm's decoda does not run" >&2; exit 1; }
rm -rf "$unpacked"
rpm -qpR "${rpm[0]}" | grep -q 'webkit2gtk' || { echo "the .rpm does not require webkit2gtk" >&2; exit 1; }
rpm -qp --recommends "${rpm[0]}" | grep -q 'tesseract' || { echo "the .rpm does not recommend tesseract" >&2; exit 1; }
echo "install test passed"
