#!/usr/bin/env python3
"""Checks the Windows and macOS installer configuration, which cannot be built on this machine.

The Tauri configuration as each platform's build merges it (tauri.conf.json, then
tauri.<platform>.conf.json, then for the offline MSI src-tauri/windows/offline.conf.json; JSON Merge
Patch, RFC 7396) is validated against the Tauri CLI's own schema and held to what clinic IT needs:
per-machine installs, WebView2 never downloaded by the MSI (a prerequisite, or carried by the
offline variant), the MSI's upgrade code pinned, file types offered in "Open with" only. The WiX
fragment and the NSIS hooks it names are read as the bundler reads them and checked for the fleet
folder's access list, the decoda command on PATH and the "Open with" entries.

Run by .ci/run; needs the npm packages (npm ci) and Python's jsonschema.
"""

import json
import pathlib
import re
import sys
import uuid
import xml.etree.ElementTree as ET

import jsonschema

ROOT = pathlib.Path(__file__).resolve().parent.parent
WIX = "{http://schemas.microsoft.com/wix/2006/wi}"
# The code every MSI of this product carries: Tauri's default for "Decoda Uploader" (so 0.1
# installs upgrade in place), pinned so that renaming the product cannot break upgrades.
UPGRADE_CODE = uuid.uuid5(uuid.NAMESPACE_DNS, "Decoda Uploader.exe.app.x64")
# Access an SDDL ACE may grant only to administrators (BA) and SYSTEM (SY): anything that writes.
WRITE_RIGHTS = re.compile(r"^(FA|GA|GW|.*(WD|WO|SD|DC|CC|WP|FW).*)$")
READ_ONLY_MASK = 0x1200A9  # read and execute: list, read data, attributes, permissions, synchronize

problems = []


def check(ok, what):
    if not ok:
        problems.append(what)


def merge(base, patch):
    """JSON Merge Patch (RFC 7396), as the Tauri CLI merges configuration files."""
    if not isinstance(patch, dict):
        return patch
    out = dict(base) if isinstance(base, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge(out.get(key), value)
    return out


def load(path):
    return json.loads((ROOT / path).read_text())


def validate(config, name, schema):
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(config), key=str)
    for e in errors[:5]:
        problems.append(f"{name}: {'/'.join(map(str, e.absolute_path))}: {e.message}")


def extensions(config):
    return [ext for assoc in config["bundle"].get("fileAssociations", []) for ext in assoc["ext"]]


def check_windows(base, schema):
    windows = merge(base, load("tauri.windows.conf.json"))
    offline = merge(windows, load("src-tauri/windows/offline.conf.json"))
    validate(windows, "Windows configuration", schema)
    validate(offline, "offline Windows configuration", schema)
    w = windows["bundle"].get("windows", {})
    check(w.get("nsis", {}).get("installMode") == "perMachine", "NSIS must install per machine")
    check(w.get("webviewInstallMode") == {"type": "skip"},
          "the MSI must not download WebView2 (webviewInstallMode skip; the fragment checks for it)")
    check(offline["bundle"]["windows"].get("webviewInstallMode", {}).get("type") == "offlineInstaller",
          "the offline variant must carry the WebView2 runtime (offlineInstaller)")
    code = w.get("wix", {}).get("upgradeCode")
    check(code is not None and uuid.UUID(code) == UPGRADE_CODE, f"the MSI upgrade code must be pinned to {UPGRADE_CODE}")
    check("fileAssociations" not in windows["bundle"],
          "on Windows the file types are registered for Open with only (fleet.wxs, hooks.nsh), not as associations")
    exts = extensions(base)
    check(exts, "the base configuration lists the file types")
    groups = w.get("wix", {}).get("componentGroupRefs", [])
    for fragment in w.get("wix", {}).get("fragmentPaths", []):
        check_fragment(ROOT / fragment, groups, exts)
    hooks = w.get("nsis", {}).get("installerHooks")
    check(hooks is not None, "the NSIS installer must have its hooks")
    if hooks:
        check_hooks(ROOT / hooks, exts)


def check_fragment(path, groups, exts):
    tree = ET.parse(path)
    root = tree.getroot()
    check(root.tag == f"{WIX}Wix", f"{path.name}: not a WiX 3 source (root {root.tag})")
    fragment = root.find(f"{WIX}Fragment")
    check(fragment is not None, f"{path.name}: no Fragment")
    if fragment is None:
        return
    defined = {g.get("Id") for g in fragment.iter(f"{WIX}ComponentGroup")}
    for group in groups:
        check(group in defined, f"{path.name}: componentGroupRefs names {group}, which it does not define")
    conditions = [c for c in fragment.findall(f"{WIX}Condition") if "WebView2" in (c.get("Message") or "")]
    check(conditions and "Installed" in (conditions[0].text or ""),
          f"{path.name}: a launch condition must require WebView2 (except on removal)")
    searched = {p.get("Id") for p in fragment.findall(f"{WIX}Property") if p.find(f"{WIX}RegistrySearch") is not None}
    for condition in conditions:
        for prop in re.findall(r"\b(DECODA_[A-Z0-9_]+)\b", condition.text or ""):
            check(prop in searched, f"{path.name}: the WebView2 condition reads {prop}, which nothing searches for")
    check_fleet_folder(path, fragment)
    components = list(fragment.iter(f"{WIX}Component"))
    for component in components:
        check(component.get("Win64") == "yes", f"{path.name}: component {component.get('Id')} must be 64-bit")
    envs = [e for e in fragment.iter(f"{WIX}Environment") if e.get("Name") == "PATH"]
    check(any(e.get("Value") == "[INSTALLDIR]" and e.get("System") == "yes" and e.get("Part") == "last" for e in envs),
          f"{path.name}: the app's folder must be appended to the system PATH")
    files = [f for f in fragment.iter(f"{WIX}File") if f.get("Name") == "decoda.exe"]
    check(files and files[0].get("Source") == "..\\..\\decoda.exe",
          f"{path.name}: decoda.exe must come from target\\release (relative to target\\release\\wix\\x64)")
    keys = {(v.get("Key"), v.get("Name")) for v in fragment.iter(f"{WIX}RegistryValue")}
    for ext in exts:
        check((f"Software\\Classes\\.{ext}\\OpenWithProgids", "DecodaUploader.Document") in keys,
              f"{path.name}: .{ext} must offer the app in Open with")
    check(not list(fragment.iter(f"{WIX}ProgId")) and not list(fragment.iter(f"{WIX}Extension")),
          f"{path.name}: no ProgId/Extension (they would make the app a default handler)")


def check_fleet_folder(path, fragment):
    folders = [d for d in fragment.iter(f"{WIX}Directory") if d.get("Name") == "Decoda Uploader"]
    parent = {child: p for p in fragment.iter() for child in p}
    check(folders and parent.get(folders[0]) is not None and parent[folders[0]].get("Id") == "CommonAppDataFolder",
          f"{path.name}: the fleet folder must be ProgramData\\Decoda Uploader")
    if not folders:
        return
    folder_id = folders[0].get("Id")
    owners = [c for c in fragment.iter(f"{WIX}Component") if c.get("Directory") == folder_id]
    sddl = [p.get("Sddl") for c in owners for p in c.iter(f"{WIX}PermissionEx")]
    check(len(sddl) == 1, f"{path.name}: the fleet folder needs one access list (PermissionEx Sddl)")
    if len(sddl) != 1:
        return
    check(re.match(r"^O:(BA|SY)", sddl[0]) is not None, f"{path.name}: the fleet folder must be owned by Administrators or SYSTEM")
    dacl = re.search(r"D:([A-Z]*)((\([^)]*\))+)$", sddl[0])
    check(dacl is not None and "P" in dacl.group(1), f"{path.name}: the fleet folder's access list must be protected (D:P…)")
    if not dacl:
        return
    for ace in re.findall(r"\(([^)]*)\)", dacl.group(2)):
        kind, _flags, rights, _obj, _inherit, who = ace.split(";")
        if kind != "A" or who in ("BA", "SY"):
            continue
        writes = rights.startswith("0x") and int(rights, 16) & ~READ_ONLY_MASK or (not rights.startswith("0x") and WRITE_RIGHTS.match(rights))
        check(not writes, f"{path.name}: {who} may write the fleet folder ({rights})")


def check_hooks(path, exts):
    text = path.read_text()
    for macro in ("NSIS_HOOK_POSTINSTALL", "NSIS_HOOK_PREUNINSTALL"):
        check(f"!macro {macro}" in text, f"{path.name}: {macro} is not defined")
    check('File "/oname=$INSTDIR\\decoda.exe"' in text, f"{path.name}: decoda.exe must be installed beside the app")
    check("/inheritance:r" in text and "*S-1-5-32-545:(OI)(CI)RX" in text,
          f"{path.name}: the fleet folder must be closed to users (read only, nothing inherited)")
    for ext in exts:
        check(f'DECODA_OPEN_WITH "{ext}"' in text and f'DECODA_NOT_OPEN_WITH "{ext}"' in text,
              f"{path.name}: .{ext} must be offered in Open with, and withdrawn on removal")


def check_macos(base, schema):
    macos = merge(base, load("tauri.macos.conf.json"))
    validate(macos, "macOS configuration", schema)
    files = macos["bundle"].get("macOS", {}).get("files", {})
    check(files.get("MacOS/decoda") == "target/universal-apple-darwin/release/decoda",
          "the macOS app must carry the decoda command (Contents/MacOS/decoda)")
    check(macos["bundle"].get("macOS", {}).get("minimumSystemVersion"), "the macOS minimum version must be set")


def main():
    schema = json.loads((ROOT / "node_modules/@tauri-apps/cli/config.schema.json").read_text())
    base = load("tauri.conf.json")
    validate(base, "tauri.conf.json", schema)
    check_windows(base, schema)
    check_macos(base, schema)
    for p in problems:
        print(f"check-installer-config: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print("check-installer-config: the Windows and macOS installer configuration is as IT needs it")


if __name__ == "__main__":
    main()
