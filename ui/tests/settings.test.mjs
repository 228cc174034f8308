// `node --test ui/tests`: what the settings screen shows for the view Rust returns.
import { test } from "node:test";
import assert from "node:assert/strict";
import { settingsScreen } from "../settings.js";

// A SettingsView as get_settings returns it (src-tauri/src/commands/settings.rs).
function view(fields = {}) {
  return {
    apiUrl: "https://api.decoda.example/", tenant: "demo-clinic", keySaved: true, keyFromEnvironment: false,
    lockedByEnvironment: false, locked: [], lockedFields: { apiUrl: false, tenant: false, inbox: false },
    needsSetup: false, systemProblem: null, inboxFolder: null, sentFolder: null, inboxProblem: null, ...fields,
  };
}

test("nothing is locked or wrong on a plain workstation", () => {
  assert.deepEqual(settingsScreen(view()), {
    apiUrlLocked: false, tenantLocked: false, inboxLocked: false, managedNote: "", problem: "",
    inboxState: "", keyState: "(a key is saved)", keyLocked: false,
    keyHint: "Paste a new key to replace the saved one",
  });
});

test("what IT locked is disabled and named in words", () => {
  const shown = settingsScreen(view({ locked: ["api_url", "tenant", "inbox", "limits"],
    lockedFields: { apiUrl: true, tenant: true, inbox: true } }));
  assert.deepEqual([shown.apiUrlLocked, shown.tenantLocked, shown.inboxLocked], [true, true, true]);
  assert.equal(shown.managedNote, "Set by your IT department and cannot be changed here: server address, tenant, scanner inbox.",
    "a locked setting the screen does not show is not named");
});

test("fields are disabled as Rust's lockedFields say, whatever else the view holds", () => {
  const shown = settingsScreen(view({ lockedByEnvironment: true, lockedFields: { apiUrl: true, tenant: true, inbox: false } }));
  assert.deepEqual([shown.apiUrlLocked, shown.tenantLocked, shown.inboxLocked], [true, true, false]);
  assert.equal(shown.managedNote, "", "the environment is not IT's file");
  const unlocked = settingsScreen(view({ lockedByEnvironment: true, locked: ["inbox"] }));
  assert.deepEqual([unlocked.apiUrlLocked, unlocked.tenantLocked, unlocked.inboxLocked], [false, false, false]);
});

test("problems read as sentences, and an unwatched inbox is not announced as watched", () => {
  const shown = settingsScreen(view({ systemProblem: "the system file could not be read", inboxFolder: "/scans",
    inboxProblem: "the folder does not exist" }));
  assert.equal(shown.problem, "The system file could not be read. The scanner inbox is not watched: the folder does not exist");
  assert.equal(shown.inboxState, "");
  assert.equal(settingsScreen(view({ inboxFolder: "/scans" })).inboxState, "Scans in /scans join this list once fully written.");
});

test("the key's state never shows the key, only where it comes from", () => {
  assert.equal(settingsScreen(view({ keyFromEnvironment: true })).keyState, "(set by the environment)");
  assert.equal(settingsScreen(view({ keySaved: false })).keyState, "(no key saved)");
});

test("the key field's hint says what the key's state says", () => {
  const none = settingsScreen(view({ keySaved: false }));
  assert.deepEqual([none.keyState, none.keyHint, none.keyLocked],
    ["(no key saved)", "Paste your clinic's API key", false], "nothing saved: nothing to replace");
  const saved = settingsScreen(view());
  assert.deepEqual([saved.keyState, saved.keyHint, saved.keyLocked],
    ["(a key is saved)", "Paste a new key to replace the saved one", false]);
  const env = settingsScreen(view({ keyFromEnvironment: true }));
  assert.equal(env.keyLocked, true, "a key from the environment cannot be replaced here");
  assert.match(env.keyHint, /cannot be changed here/);
});
