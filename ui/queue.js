// Step 2: the files to send, as Rust lists them for the chosen patient (list_queue). Whether a
// file goes now, may be edited or waits for another patient, and its status sentence, are
// decided in Rust; this module draws the rows and forwards edits and clicks.
import { call, describe } from "./api.js";
import { $, button, cell, item as listItem, setStatus } from "./dom.js";
import { formatBytes } from "./format.js";
import { typeIcon } from "./icons.js";
import { forgetPreviewCells, lazyPreview } from "./previews.js";

// How long until a file waiting for the network is tried again, as the row's status ends:
// " — next try in 1:05", or " — trying now" once the time has come.
export function countdown(retryAt, now) {
  const seconds = Math.ceil((retryAt - now) / 1000);
  if (seconds <= 0) return " — trying now";
  const minutes = Math.floor(seconds / 60);
  return ` — next try in ${minutes}:${String(seconds % 60).padStart(2, "0")}`;
}

// What one row shows, from one QueueView, at `now` (for a countdown).
export function queueRow(item, now = Date.now()) {
  const origin = item.fromInbox ? " (from the scanner inbox)" : "";
  const retry = item.retryAt ? countdown(item.retryAt, now) : "";
  return {
    image: (item.contentType || "").startsWith("image/"),
    status: item.status + retry + origin + (item.notes.length ? ` — ${item.notes.join("; ")}` : ""),
    size: item.size == null ? "" : formatBytes(item.size),
    type: item.contentType || "",
    editable: item.editable,
    sendAnyway: item.canSendAnyway,
    removable: item.removable,
  };
}

// The files that wait for a patient other than the chosen one (Rust's waitingFor), counted per
// patient in the order they are listed.
export function waitingPatients(queue) {
  const waiting = new Map();
  for (const item of queue) {
    if (!item.waitingFor) continue;
    const seen = waiting.get(item.waitingFor) ?? { count: 0, name: null };
    waiting.set(item.waitingFor, { count: seen.count + 1, name: seen.name ?? item.waitingForName ?? null });
  }
  const patients = [...waiting].map(([patientId, { count, name }]) => ({ patientId, name, count }));
  return { total: patients.reduce((sum, p) => sum + p.count, 0), patients };
}

export function resumedText(total) {
  return total === 1
    ? "1 file not sent yet, from an upload that was interrupted or failed, waits for another patient. It goes only to the patient it was meant for."
    : `${total} files not sent yet, from an upload that was interrupted or failed, wait for another patient. They go only to the patient they were meant for.`;
}

// Rust names the patient (name, date of birth, ID) once it knows them; until then, the id.
export function resumedChoice({ patientId, name, count }) {
  return `Choose ${name ?? `patient ${patientId}`} (${count === 1 ? "1 file" : `${count} files`})`;
}

// After a Remove the rows below move up, so the next file's Remove lands under the pointer: the
// second click of a double-click (or an impatient second click) would remove that file too. So
// from a Remove until the list is drawn again without the file, and then for a double-click's
// time, Remove buttons ignore clicks (they stay focusable, so the keyboard focus is not lost).
export const REMOVE_QUIET_MS = 500;

// When Remove may act again: `start()` at a Remove, `done()` once the list is drawn without the
// file (or the Remove failed), `wait()` how long until it may act (Infinity while one runs).
export function removeGuard(now = () => Date.now(), quietMs = REMOVE_QUIET_MS) {
  let running = false;
  let until = 0;
  return {
    allows: () => !running && now() >= until,
    start() { running = true; },
    done() { running = false; until = now() + quietMs; },
    wait: () => (running ? Infinity : Math.max(0, until - now())),
  };
}

const removal = removeGuard();
let removalTimer = null;

// Marks the list's Remove buttons unavailable while `removal` says so, and available again after.
function markRemoveButtons() {
  const wait = removal.wait();
  for (const b of $("queue").querySelectorAll("button.remove")) {
    if (wait > 0) b.setAttribute("aria-disabled", "true");
    else b.removeAttribute("aria-disabled");
  }
  clearTimeout(removalTimer);
  if (wait > 0 && wait !== Infinity) removalTimer = setTimeout(markRemoveButtons, wait);
}

async function removeFile(id) {
  if (!removal.allows()) return;
  removal.start();
  markRemoveButtons();
  try {
    await call("remove_file", { id });
    // Drawn here, not only on the queue-changed event: the guard must outlast the re-render.
    await refreshQueue();
  } catch (err) {
    setStatus("upload-status", describe(err), true);
  } finally {
    removal.done();
    markRemoveButtons();
  }
}

let queue = [];
let upload = null;
let toSort = [];
let hooks = { patientId: () => null, choosePatient: async () => {}, rendered: () => {} };

// The queue as last listed by Rust.
export function currentQueue() {
  return queue;
}

// The scans waiting for a person to give them their patient, oldest first, as last listed.
export function scansToSort() {
  return toSort;
}

// `patientId()` is the chosen patient's id (or null), `choosePatient(id)` chooses one, and
// `rendered(upload)` runs after every drawing of the rows, with what Rust said Upload does.
export function initQueue(given) {
  hooks = given;
  $("add-files").addEventListener("click", () =>
    call("pick_files").catch((err) => setStatus("upload-status", describe(err), true)));
}

// The queue as Rust sees it for the chosen patient: which files would go, and why not, and what
// Upload does.
export async function refreshQueue() {
  ({ items: queue, upload, toSort } = await call("list_queue", { patientId: hooks.patientId() }));
  renderQueue();
}

function input(value, focusKey, label) {
  const el = document.createElement("input");
  el.dataset.focusKey = focusKey;
  el.value = value;
  el.setAttribute("aria-label", label);
  return el;
}

function row(item) {
  const shown = queueRow(item);
  const tr = document.createElement("tr");
  tr.dataset.id = item.id;
  tr.className = `state-${item.state}`;
  const preview = document.createElement("td");
  preview.className = "preview";
  preview.append(typeIcon(item.contentType));
  if (shown.image) lazyPreview(preview, item.id);
  const name = input(item.name, `${item.id}:name`, `Name in chart for ${item.fileName}`);
  const ext = input(item.externalId || "", `${item.id}:ext`, `External id for ${item.fileName}`);
  name.disabled = ext.disabled = !shown.editable;
  const save = () => call("edit_file", { id: item.id, name: name.value, externalId: ext.value || null });
  name.addEventListener("change", save);
  ext.addEventListener("change", save);
  const nameCell = document.createElement("td");
  nameCell.append(name);
  const extCell = document.createElement("td");
  extCell.append(ext);
  const status = cell(shown.status);
  status.className = "status";
  const actions = document.createElement("td");
  if (shown.sendAnyway) {
    actions.append(button("Send anyway", () => call("send_anyway", { id: item.id }),
      { label: `Send anyway ${item.fileName}`, focusKey: `${item.id}:again` }));
  }
  if (shown.removable) {
    actions.append(button("Remove", () => removeFile(item.id),
      { label: `Remove ${item.fileName}`, focusKey: `${item.id}:remove`, className: "remove" }));
  }
  tr.append(preview, nameCell, extCell, cell(shown.size), cell(shown.type), status, actions);
  return tr;
}

export function renderQueue() {
  const body = $("queue").querySelector("tbody");
  const focus = saveQueueFocus(body);
  forgetPreviewCells();
  const rows = document.createDocumentFragment();
  for (const item of queue) rows.append(row(item));
  body.replaceChildren(rows);
  restoreQueueFocus(body, focus);
  markRemoveButtons();
  tickCountdowns();
  renderResumed();
  hooks.rendered(upload);
}

// Rows of files waiting for the network count down each second; only their status cells change.
let ticking = null;
function tickCountdowns() {
  const waiting = queue.filter((i) => i.retryAt);
  if (waiting.length === 0) {
    clearInterval(ticking);
    ticking = null;
    return;
  }
  ticking ??= setInterval(() => {
    const body = $("queue").querySelector("tbody");
    for (const item of queue.filter((i) => i.retryAt)) {
      const status = body.querySelector(`tr[data-id="${item.id}"] td.status`);
      if (status) status.textContent = queueRow(item).status;
    }
  }, 1000);
}

// Files not sent yet (back from an interrupted upload, or failed earlier) wait for their own
// patient: say so, and offer to choose that patient (whose name and date of birth are then shown
// as for any choice).
function renderResumed() {
  const { total, patients } = waitingPatients(queue);
  $("resumed").hidden = patients.length === 0;
  $("resumed-text").textContent = resumedText(total);
  $("resumed-patients").replaceChildren(...patients.map((p) =>
    listItem(button(resumedChoice(p), () => hooks.choosePatient(p.patientId)))));
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
    const near = rows[Math.min(saved.row, rows.length - 1)];
    target = near?.querySelector("button") || $("add-files");
  }
  target.focus();
}
