// The settings screen: server, tenant, key, the scanner inbox's folders, diagnostics. What is
// saved, locked or wrong is reported by Rust (get_settings and friends); this module shows it.
import { call, describe } from "./api.js";
import { $, setStatus } from "./dom.js";
import { showView } from "./views.js";

const SETTING_LABELS = { api_url: "server address", tenant: "tenant", inbox: "scanner inbox" };

// What the screen shows for a settings view from Rust: plain data, no page.
export function settingsScreen(view) {
  const shown = view.locked.filter((k) => k in SETTING_LABELS).map((k) => SETTING_LABELS[k]);
  const problems = [];
  if (view.systemProblem) problems.push(`${view.systemProblem[0].toUpperCase()}${view.systemProblem.slice(1)}.`);
  if (view.inboxProblem) problems.push(`The scanner inbox is not watched: ${view.inboxProblem}`);
  return {
    apiUrlLocked: view.lockedFields.apiUrl,
    tenantLocked: view.lockedFields.tenant,
    inboxLocked: view.lockedFields.inbox,
    managedNote: shown.length ? `Set by your IT department and cannot be changed here: ${shown.join(", ")}.` : "",
    problem: problems.join(" "),
    inboxState: view.inboxFolder && !view.inboxProblem
      ? `Scans in ${view.inboxFolder} join this list once fully written.`
      : "",
    keyState: view.keyFromEnvironment
      ? "(set by the environment)"
      : view.keySaved ? "(a key is saved)" : "(no key saved)",
    // The field's hint follows the same facts as keyState: it offered to "replace the saved one"
    // when none was saved, and a key from the environment cannot be changed here at all.
    keyLocked: view.keyFromEnvironment,
    keyHint: view.keyFromEnvironment
      ? "Set by the environment (DECODA_API_KEY): it cannot be changed here"
      : view.keySaved ? "Paste a new key to replace the saved one" : "Paste your clinic's API key",
  };
}

export function showSettings(show) {
  showView(show ? "settings" : "send", show ? "api-url" : "open-settings");
}

export function renderSettings(view) {
  const screen = settingsScreen(view);
  $("api-url").value = $("api-url").defaultValue = view.apiUrl;
  $("tenant").value = $("tenant").defaultValue = view.tenant || "";
  $("inbox-folder").value = view.inboxFolder || "";
  $("sent-folder").value = view.sentFolder || "";
  $("api-url").disabled = screen.apiUrlLocked;
  $("tenant").disabled = screen.tenantLocked;
  for (const id of ["inbox-folder", "sent-folder", "choose-inbox", "clear-inbox", "choose-sent", "clear-sent"]) {
    $(id).disabled = screen.inboxLocked;
  }
  $("managed-note").hidden = !screen.managedNote;
  $("managed-note").textContent = screen.managedNote;
  $("system-problem").hidden = !screen.problem;
  $("system-problem").textContent = screen.problem;
  $("inbox-state").textContent = screen.inboxState;
  $("key-state").textContent = screen.keyState;
  $("api-key").placeholder = screen.keyHint;
  $("api-key").disabled = screen.keyLocked;
  $("api-key").value = "";
}

export async function loadSettings() {
  const view = await call("get_settings");
  renderSettings(view);
  // The app cannot work yet (first run, or signed out): the screen opens by itself.
  if (view.needsSetup) {
    showSettings(true);
    setStatus("settings-status", "Enter your clinic's tenant and API key to start.");
  }
}

// Runs a settings command; its error goes to the screen's status line.
async function attempt(action) {
  try {
    await action();
  } catch (err) {
    setStatus("settings-status", describe(err), true);
  }
}

// `onAccountChanged` runs when a save moved the app to another server or tenant.
export function initSettings({ onAccountChanged }) {
  $("settings-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    setStatus("settings-status", "Checking the key with the server…");
    const apiKey = $("api-key").value;
    $("api-key").value = "";
    await attempt(async () => {
      const view = await call("save_settings", {
        apiUrl: $("api-url").value,
        tenant: $("tenant").value,
        apiKey: apiKey || null,
      });
      renderSettings(view);
      setStatus("settings-status", "Saved.");
      if (view.accountChanged) await onAccountChanged();
    });
  });
  // The scanner inbox's folders are chosen in the system's folder chooser, which Rust opens: the
  // page never names a folder.
  for (const [id, command, which] of [["choose-inbox", "choose_inbox_folder", "inbox"],
    ["clear-inbox", "clear_inbox_folder", "inbox"], ["choose-sent", "choose_inbox_folder", "sent"],
    ["clear-sent", "clear_inbox_folder", "sent"]]) {
    $(id).addEventListener("click", () => attempt(async () => {
      renderSettings(await call(command, { which }));
      setStatus("settings-status", "");
    }));
  }
  $("test-connection").addEventListener("click", () => {
    setStatus("settings-status", "Testing…");
    return attempt(async () => setStatus("settings-status", await call("test_connection")));
  });
  $("sign-out").addEventListener("click", () => attempt(async () => {
    renderSettings(await call("sign_out"));
    setStatus("settings-status", "Signed out: the key was removed from this computer.");
  }));
  $("copy-diagnostics").addEventListener("click", () => attempt(copyDiagnostics));
  $("open-settings").addEventListener("click", () => showSettings(true));
  $("close-settings").addEventListener("click", () => showSettings(false));
  $("settings").addEventListener("keydown", (e) => {
    if (e.key === "Escape") $("close-settings").click();
  });
}

// Rust puts the report on the clipboard (the web view's clipboard API refuses without a
// permission the window is not given); the report is also shown, to select by hand if it could not.
async function copyDiagnostics() {
  const { text, copied } = await call("copy_diagnostics");
  const box = $("diagnostics");
  box.value = text;
  box.hidden = false;
  $("diagnostics-label").hidden = false;
  box.select();
  setStatus("settings-status", copied
    ? "Diagnostics copied: paste them into your support ticket."
    : "Select the diagnostics below and copy them into your support ticket.");
}

// The scanner inbox changed state (watched, or a problem): show the settings again, quietly.
export function refreshSettings() {
  return call("get_settings").then(renderSettings).catch(() => {});
}
