// The window's behaviour: shows what Rust reports and forwards clicks. No secrets and no business
// rules live here; patient data is rendered with textContent only.
import { call, describe, inApp, onInboxChanged, onQueueChanged, startUpload } from "./api.js";
import { formatBytes, formatEta, progressText, typeLabel } from "./format.js";
import { latestOnly, Superseded } from "./latest.js";

const $ = (id) => document.getElementById(id);
let chosenPatient = null;
let queue = [];
let uploading = false;

function setStatus(id, text, isError = false) {
  const el = $(id);
  el.textContent = text;
  el.classList.toggle("error", isError);
}

// ---- Settings -------------------------------------------------------------------------------
function showSettings(show) {
  $("settings").hidden = !show;
  $("main").hidden = show;
  if (show) $("api-url").focus();
}

const SETTING_LABELS = { api_url: "server address", tenant: "tenant", inbox: "scanner inbox" };

function renderSettings(view) {
  const locked = new Set(view.locked);
  $("api-url").value = $("api-url").defaultValue = view.apiUrl;
  $("tenant").value = $("tenant").defaultValue = view.tenant || "";
  $("inbox-folder").value = view.inboxFolder || "";
  $("sent-folder").value = view.sentFolder || "";
  $("api-url").disabled = view.lockedByEnvironment || locked.has("api_url");
  $("tenant").disabled = view.lockedByEnvironment || locked.has("tenant");
  for (const id of ["inbox-folder", "sent-folder", "choose-inbox", "clear-inbox", "choose-sent", "clear-sent"]) {
    $(id).disabled = locked.has("inbox");
  }
  const shown = view.locked.filter((k) => k in SETTING_LABELS).map((k) => SETTING_LABELS[k]);
  $("managed-note").hidden = shown.length === 0;
  $("managed-note").textContent = shown.length
    ? `Set by your IT department and cannot be changed here: ${shown.join(", ")}.`
    : "";
  const problems = [];
  if (view.systemProblem) problems.push(`${view.systemProblem[0].toUpperCase()}${view.systemProblem.slice(1)}.`);
  if (view.inboxProblem) problems.push(`The scanner inbox is not watched: ${view.inboxProblem}`);
  $("system-problem").hidden = problems.length === 0;
  $("system-problem").textContent = problems.join(" ");
  $("inbox-state").textContent = view.inboxFolder && !view.inboxProblem
    ? `Scans in ${view.inboxFolder} join this list once fully written.`
    : "";
  $("key-state").textContent = view.keyFromEnvironment
    ? "(set by the environment)"
    : view.keySaved ? "(a key is saved)" : "(no key saved)";
  $("api-key").value = "";
}

async function loadSettings() {
  const view = await call("get_settings");
  renderSettings(view);
  if (!view.keySaved || !view.tenant) {
    showSettings(true);
    setStatus("settings-status", "Enter your clinic's tenant and API key to start.");
  }
}

$("settings-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  setStatus("settings-status", "Checking the key with the server…");
  const apiKey = $("api-key").value;
  $("api-key").value = "";
  try {
    const before = `${$("api-url").defaultValue}|${$("tenant").defaultValue}`;
    const view = await call("save_settings", {
      apiUrl: $("api-url").value,
      tenant: $("tenant").value,
      apiKey: apiKey || null,
    });
    renderSettings(view);
    setStatus("settings-status", "Saved.");
    // Patient ids mean a person only on one server and tenant: another one clears the choice.
    if (`${view.apiUrl}|${view.tenant || ""}` !== before) await forgetPatient();
  } catch (err) {
    setStatus("settings-status", describe(err), true);
  }
});
// The scanner inbox's folders are chosen in the system's folder chooser, which Rust opens: the
// page never names a folder.
for (const [button, command, which] of [["choose-inbox", "choose_inbox_folder", "inbox"],
  ["clear-inbox", "clear_inbox_folder", "inbox"], ["choose-sent", "choose_inbox_folder", "sent"],
  ["clear-sent", "clear_inbox_folder", "sent"]]) {
  $(button).addEventListener("click", async () => {
    try {
      renderSettings(await call(command, { which }));
      setStatus("settings-status", "");
    } catch (err) {
      setStatus("settings-status", describe(err), true);
    }
  });
}
$("test-connection").addEventListener("click", async () => {
  setStatus("settings-status", "Testing…");
  try {
    setStatus("settings-status", await call("test_connection"));
  } catch (err) {
    setStatus("settings-status", describe(err), true);
  }
});
$("sign-out").addEventListener("click", async () => {
  try {
    renderSettings(await call("sign_out"));
    setStatus("settings-status", "Signed out: the key was removed from this computer.");
  } catch (err) {
    setStatus("settings-status", describe(err), true);
  }
});
$("copy-diagnostics").addEventListener("click", async () => {
  try {
    const text = await call("diagnostics");
    const box = $("diagnostics");
    box.value = text;
    box.hidden = false;
    $("diagnostics-label").hidden = false;
    box.select();
    let copied = false;
    try {
      await navigator.clipboard.writeText(text);
      copied = true;
    } catch {
      copied = document.execCommand("copy");
    }
    setStatus("settings-status", copied
      ? "Diagnostics copied: paste them into your support ticket."
      : "Select the diagnostics below and copy them into your support ticket.");
  } catch (err) {
    setStatus("settings-status", describe(err), true);
  }
});
$("open-settings").addEventListener("click", () => showSettings(true));
$("close-settings").addEventListener("click", () => {
  showSettings(false);
  $("open-settings").focus();
});
$("settings").addEventListener("keydown", (e) => {
  if (e.key === "Escape") $("close-settings").click();
});

// ---- Patient --------------------------------------------------------------------------------
function patientLine(p) {
  return `${p.name} — born ${p.dateOfBirth} — id ${p.id}`;
}

$("patient-search").addEventListener("submit", async (e) => {
  e.preventDefault();
  const term = $("patient-term").value.trim();
  const list = $("patient-results");
  list.replaceChildren();
  setStatus("patient-status", "Searching…");
  try {
    const hits = await call("search_patients", { term });
    setStatus("patient-status", hits.length ? `${hits.length} found. Check the date of birth.` : "No patient found.");
    if (hits.some((p) => p.lookAlike)) {
      setStatus("patient-status", "Several patients have the same name: check the date of birth before choosing.");
    }
    for (const p of hits) {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.className = "patient-hit";
      b.dataset.id = p.id;
      b.textContent = patientLine(p) + (p.archived ? " (archived)" : "") + (p.lookAlike ? " ⚠ same name as another patient" : "");
      b.addEventListener("click", () => choosePatient(p.id));
      li.append(b);
      list.append(li);
    }
  } catch (err) {
    setStatus("patient-status", describe(err), true);
  }
});

// The chosen patient leaves the window (the server or tenant changed): choose again.
async function forgetPatient() {
  if (chosenPatient) {
    chosenPatient = null;
    $("patient-chosen").hidden = true;
    $("note").replaceChildren(new Option("No note", ""));
    setStatus("patient-status", "The server or tenant changed: search for the patient again.");
  }
  await refreshQueue();
}

// Choosing is a patient and their notes, fetched together and shown together; a later click
// makes an earlier one's answers stale, so one patient's notes never appear under another.
const choosing = latestOnly();

async function choosePatient(id) {
  let chosen;
  try {
    chosen = await choosing(async () => {
      const p = await call("get_patient", { id });
      const notes = await call("list_notes", { patientId: p.id }).then(
        (list) => ({ list }),
        (err) => ({ err }),
      );
      return { p, notes };
    });
  } catch (err) {
    if (err instanceof Superseded) return;
    setStatus("patient-status", describe(err), true);
    renderQueue();
    return;
  }
  const { p, notes } = chosen;
  chosenPatient = p;
  $("patient-name").textContent = p.name;
  $("patient-dob").textContent = p.dateOfBirth;
  $("patient-id").textContent = p.id;
  $("patient-archived").hidden = !p.archived;
  $("patient-chosen").hidden = false;
  $("patient-results").replaceChildren();
  setStatus("patient-status", `Chosen: ${patientLine(p)}`);
  const select = $("note");
  select.replaceChildren(new Option("No note", ""));
  for (const n of notes.list ?? []) {
    select.append(new Option(`${n.title}${n.visitDate ? " — " + n.visitDate : ""}`, n.id));
  }
  if (notes.err) setStatus("patient-status", describe(notes.err), true);
  // The chosen result's button is gone: keep the keyboard user at the next step.
  select.focus();
  // Which files go now depends on the patient: ask Rust again.
  await refreshQueue();
}

// ---- Queue ----------------------------------------------------------------------------------
function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

// What had the keyboard focus inside the queue, so a re-render (the queue changes while the user
// works) neither loses the focus nor what was being typed.
function saveQueueFocus(body) {
  const active = document.activeElement;
  if (!active || !body.contains(active) || !active.dataset.focusKey) return null;
  const rows = [...body.children];
  return {
    key: active.dataset.focusKey,
    row: rows.indexOf(active.closest("tr")),
    value: active.tagName === "INPUT" ? active.value : null,
    selection: active.tagName === "INPUT" ? [active.selectionStart, active.selectionEnd] : null,
  };
}

function restoreQueueFocus(body, saved) {
  if (!saved) return;
  let target = body.querySelector(`[data-focus-key="${saved.key}"]`);
  if (target && saved.value !== null && !target.disabled) {
    target.value = saved.value;
    target.setSelectionRange(...saved.selection);
  }
  if (!target || target.disabled) {
    // The row went (removed) or froze (sending): the nearest row's Remove, else "Add files…".
    const rows = body.children;
    const row = rows[Math.min(saved.row, rows.length - 1)];
    target = row?.querySelector("button") || $("add-files");
  }
  target.focus();
}

function renderQueue() {
  const body = $("queue").querySelector("tbody");
  const focus = saveQueueFocus(body);
  previewObserver.disconnect();
  onScreen.clear();
  const rows = document.createDocumentFragment();
  for (const item of queue) {
    const tr = document.createElement("tr");
    tr.dataset.id = item.id;
    tr.className = `state-${item.state}`;
    const preview = document.createElement("td");
    preview.className = "preview";
    preview.textContent = typeLabel(item.contentType);
    if ((item.contentType || "").startsWith("image/")) lazyPreview(preview, item.id);
    const name = document.createElement("input");
    name.dataset.focusKey = `${item.id}:name`;
    name.value = item.name;
    name.setAttribute("aria-label", `Name in chart for ${item.fileName}`);
    const ext = document.createElement("input");
    ext.dataset.focusKey = `${item.id}:ext`;
    ext.value = item.externalId || "";
    ext.setAttribute("aria-label", `External id for ${item.fileName}`);
    // Whether it can be edited or sent, and its status sentence, are decided in Rust.
    name.disabled = ext.disabled = !item.editable;
    const save = () => call("edit_file", { id: item.id, name: name.value, externalId: ext.value || null });
    name.addEventListener("change", save);
    ext.addEventListener("change", save);
    const nameCell = document.createElement("td");
    nameCell.append(name);
    const extCell = document.createElement("td");
    extCell.append(ext);
    const origin = item.fromInbox ? " (from the scanner inbox)" : "";
    const status = cell(item.status + origin + (item.notes.length ? ` — ${item.notes.join("; ")}` : ""));
    status.className = "status";
    const actions = document.createElement("td");
    if (item.state === "skipped") {
      const again = document.createElement("button");
      again.type = "button";
      again.dataset.focusKey = `${item.id}:again`;
      again.textContent = "Send anyway";
      again.setAttribute("aria-label", `Send ${item.fileName} anyway`);
      again.addEventListener("click", () => call("send_anyway", { id: item.id }));
      actions.append(again);
    }
    if (item.state !== "sending") {
      const remove = document.createElement("button");
      remove.type = "button";
      remove.dataset.focusKey = `${item.id}:remove`;
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", `Remove ${item.fileName}`);
      remove.addEventListener("click", () => call("remove_file", { id: item.id }));
      actions.append(remove);
    }
    tr.append(preview, nameCell, extCell, cell(item.size == null ? "" : formatBytes(item.size)), cell(item.contentType || ""), status, actions);
    rows.append(tr);
  }
  body.replaceChildren(rows);
  restoreQueueFocus(body, focus);
  renderResumed();
  updateUploadButton();
}

// Files not sent yet (back from an interrupted upload, or failed earlier) wait for their own
// patient: say so, and offer to choose that patient (whose name and date of birth are then shown
// as for any choice).
function renderResumed() {
  const waiting = new Map();
  for (const item of queue) {
    if (item.waitingFor) waiting.set(item.waitingFor, (waiting.get(item.waitingFor) || 0) + 1);
  }
  $("resumed").hidden = waiting.size === 0;
  const total = [...waiting.values()].reduce((a, b) => a + b, 0);
  $("resumed-text").textContent = `${total} file(s) not sent yet, from an upload that was interrupted or failed, wait for another patient. They go only to the patient they were meant for.`;
  const list = $("resumed-patients");
  list.replaceChildren();
  for (const [patientId, count] of waiting) {
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = `Choose patient ${patientId} (${count} file(s))`;
    b.addEventListener("click", () => choosePatient(patientId));
    li.append(b);
    list.append(li);
  }
}

// Previews are made in Rust for rows that are on screen once scrolling pauses, at most two at a
// time, and kept by queue id so a re-render does not ask again. Rows scrolled past are skipped, so
// a fast scroll through 2,000 files stays smooth and does not queue 2,000 image decodes behind the
// rows the user stops at.
const previews = new Map();
const onScreen = new Set();
let previewsInFlight = 0;
let scrolling = null;
window.addEventListener("scroll", () => {
  clearTimeout(scrolling);
  scrolling = setTimeout(() => {
    scrolling = null;
    pumpPreviews();
  }, 150);
}, { passive: true });
const previewObserver = new IntersectionObserver((entries) => {
  for (const e of entries) {
    if (e.isIntersecting) onScreen.add(e.target);
    else onScreen.delete(e.target);
  }
  pumpPreviews();
});

function lazyPreview(td, id) {
  td.dataset.previewId = id;
  if (previews.has(id)) showPreview(td, previews.get(id));
  else previewObserver.observe(td);
}

function pumpPreviews() {
  if (scrolling !== null) return;
  for (const td of onScreen) {
    if (previewsInFlight >= 2) return;
    onScreen.delete(td);
    if (!td.isConnected) continue;
    previewObserver.unobserve(td);
    previewsInFlight += 1;
    loadPreview(td, Number(td.dataset.previewId)).finally(() => {
      previewsInFlight -= 1;
      pumpPreviews();
    });
  }
}

async function loadPreview(td, id) {
  const url = await call("preview", { id }).catch(() => null);
  if (!url) return;
  previews.set(id, url);
  // Decoded off the page's main work, then swapped in within a frame: the row keeps its size.
  const img = new Image();
  img.decoding = "async";
  img.src = url;
  await img.decode().catch(() => {});
  requestAnimationFrame(() => {
    if (td.isConnected) showPreview(td, url, img);
  });
}

function showPreview(td, url, img = new Image()) {
  img.src = url;
  img.alt = "";
  td.replaceChildren(img);
}

// The queue as Rust sees it for the chosen patient: which files would go, and why not.
async function refreshQueue() {
  queue = await call("list_queue", { patientId: chosenPatient?.id ?? null });
  renderQueue();
}

$("add-files").addEventListener("click", () => call("pick_files").catch((err) => setStatus("upload-status", describe(err), true)));

// ---- Upload ---------------------------------------------------------------------------------
function updateUploadButton() {
  const sendable = queue.some((i) => i.sendable);
  $("upload").disabled = uploading || !chosenPatient || !sendable;
  $("upload-hint").textContent = uploading ? ""
    : !chosenPatient ? "Choose the patient first (step 1)."
    : !sendable && queue.some((i) => i.state === "uploaded") ? "Everything listed has been sent. Add files to send more."
    : !sendable ? "Add the files to send (step 2)."
    : `Ready to send ${queue.filter((i) => i.sendable).length} file(s) to ${patientLine(chosenPatient)}.`;
  $("upload").textContent = queue.some((i) => i.state === "failed" && i.sendable) ? "Upload (retry failed files)" : "Upload";
}

$("upload").addEventListener("click", async () => {
  if (!chosenPatient) return;
  uploading = true;
  updateUploadButton();
  $("cancel").hidden = false;
  $("cancel").focus();
  $("progress").hidden = false;
  $("progress").value = 0;
  const started = Date.now();
  setStatus("upload-status", `Sending to ${patientLine(chosenPatient)}…`);
  try {
    const shown = queue.filter((i) => i.sendable).map((i) => i.id);
    const summary = await startUpload(chosenPatient.id, $("note").value, shown, (event) => {
      if (event.event === "bytes") {
        $("progress").max = Math.max(event.total, 1);
        $("progress").value = event.sent;
        // Not a live region: a screen reader would read every tick. Phases go to upload-status.
        $("progress-text").textContent = progressText(event.sent, event.total, event.bytesPerSec, formatEta(event.total - event.sent, event.bytesPerSec));
      } else if (event.event === "status") {
        setStatus("upload-status", event.text);
      }
    });
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    const skipped = (await call("list_queue", { patientId: chosenPatient.id })).filter((i) => i.state === "skipped").length;
    setStatus("upload-status", `${summary.uploaded.length} uploaded, ${summary.failed} not uploaded${skipped ? `, ${skipped} already in the chart (not sent again)` : ""} (${secs} s).`, summary.failed > 0);
    showResults(summary);
  } catch (err) {
    setStatus("upload-status", describe(err), true);
  } finally {
    uploading = false;
    $("cancel").hidden = true;
    $("progress").hidden = true;
    $("progress-text").textContent = "";
    await refreshQueue();
    const next = !$("results").hidden ? $("results-title") : !$("upload").disabled ? $("upload") : $("add-files");
    next.focus();
  }
});

$("cancel").addEventListener("click", () => call("cancel_upload"));

function showResults(summary) {
  if (!summary.uploaded.length) return;
  $("results").hidden = false;
  $("results-patient").textContent = `${summary.patient.name} (born ${summary.patient.dateOfBirth})`;
  const grid = $("results-grid");
  for (const file of summary.uploaded) {
    const li = document.createElement("li");
    li.className = "result";
    const figure = document.createElement("div");
    figure.className = "thumb";
    figure.textContent = typeLabel(file.contentType);
    if (file.thumbnailUrl) {
      call("thumbnail", { url: file.thumbnailUrl }).then((dataUrl) => {
        const img = document.createElement("img");
        img.src = dataUrl;
        img.alt = `Thumbnail of ${file.name}`;
        figure.replaceChildren(img);
      }).catch(() => {});
    }
    const name = document.createElement("p");
    name.textContent = file.name;
    const open = document.createElement("button");
    open.type = "button";
    open.textContent = "Open";
    open.setAttribute("aria-label", `Open ${file.name} in the browser`);
    open.addEventListener("click", () => call("open_link", { url: file.signedUrl }));
    li.append(figure, name, open);
    grid.append(li);
  }
}

$("upload-more").addEventListener("click", async () => {
  await call("clear_uploaded");
  $("results-grid").replaceChildren();
  $("results").hidden = true;
  setStatus("upload-status", "");
  $("add-files").focus();
});

// ---- History -------------------------------------------------------------------------------
$("history-search").addEventListener("submit", async (e) => {
  e.preventDefault();
  const body = $("history").querySelector("tbody");
  try {
    const entries = await call("list_history", { text: $("history-term").value });
    body.replaceChildren(...entries.map((h) => {
      const tr = document.createElement("tr");
      tr.append(cell(h.uploadedAt.slice(0, 16).replace("T", " ")), cell(h.patientId), cell(h.name),
        cell(h.fileName.split(/[\\/]/).pop()), cell(h.attachmentId));
      return tr;
    }));
    $("history").hidden = entries.length === 0;
    setStatus("history-status", entries.length ? `${entries.length} upload(s).` : "No uploads found.");
  } catch (err) {
    setStatus("history-status", describe(err), true);
  }
});

// ---- Start ----------------------------------------------------------------------------------
async function start() {
  if (!inApp) {
    document.body.textContent = "Open this page inside the Decoda Uploader app.";
    return;
  }
  const info = await call("app_info");
  $("version").textContent = `Version ${info.version}`;
  await onQueueChanged(refreshQueue);
  await onInboxChanged(() => call("get_settings").then(renderSettings).catch(() => {}));
  await refreshQueue();
  await loadSettings().catch((err) => {
    showSettings(true);
    setStatus("settings-status", describe(err), true);
  });
}

start();
