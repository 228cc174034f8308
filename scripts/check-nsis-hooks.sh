#!/usr/bin/env bash
# Compiles the NSIS installer's hooks (src-tauri/windows/hooks.nsh) with makensis, warnings as
# errors, inside a stand-in for the installer script the Tauri CLI generates: the hooks in the same
# sections, the same `UpdateMode` variable, and `decoda.exe` where the hooks take it from
# (target/release, two folders above the generated script). A misspelt instruction, constant or
# variable, or a path that does not resolve, fails here rather than in the Windows workflow.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v makensis >/dev/null || \
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nsis >/dev/null
hooks="$PWD/src-tauri/windows/hooks.nsh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/target/release/nsis/x64"
: >"$work/target/release/decoda.exe"
cat >"$work/target/release/nsis/x64/installer.nsi" <<NSI
Unicode true
!include LogicLib.nsh
Name "Decoda Uploader (hooks check)"
OutFile "check-setup.exe"
InstallDir "\$PROGRAMFILES64\\Decoda Uploader"
RequestExecutionLevel admin
Var UpdateMode
!include "$hooks"
Section Install
  StrCpy \$UpdateMode 0
  !insertmacro NSIS_HOOK_POSTINSTALL
  WriteUninstaller "\$INSTDIR\\uninstall.exe"
SectionEnd
Section Uninstall
  !insertmacro NSIS_HOOK_PREUNINSTALL
SectionEnd
NSI
(cd "$work/target/release/nsis/x64" && makensis -WX -V2 installer.nsi)
test -s "$work/target/release/nsis/x64/check-setup.exe"
echo "check-nsis-hooks: the installer hooks compile without warnings"
