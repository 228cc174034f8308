// Moving a misfiled upload to the right patient's chart, from the results and from the history:
// find the patient, choose, then a confirmation naming both patients in the banner's format with
// every warning, opened on Cancel, so Enter alone never moves anything. Which files may be moved
// and every check are Rust's (prepare_move, move_upload). Patient data goes in with textContent.
import { call, describe } from "./api.js";
import { $, fillList, setStatus } from "./dom.js";
import { latestOnly, Superseded } from "./latest.js";
import { searchInto } from "./patient.js";

// The button on each uploaded file and each history row.
export const MOVE_TEXT = "Move to another patient…";

// What a screen reader announces for that button: its visible text (so speech control finds it
// by what it shows), then which file.
export function moveLabel(name) {
  return `${MOVE_TEXT} ${name}`;
}

// A patient as the confirmation shows them, in the banner's order; `null` (not known on this
// computer) says so in words.
export function patientShown(p) {
  if (!p) return { name: "Not known", born: "Not known", gender: "Not known", id: "Not known" };
  return { name: p.name, born: p.born, gender: p.gender, id: p.id };
}

// What the confirmation says, from prepare_move's plan: the file, FROM and TO, every warning,
// and a button that names the patient it goes to.
export function moveShown(plan) {
  return {
    file: plan.name ? `“${plan.name}” (attachment ${plan.attachmentId})` : `Attachment ${plan.attachmentId}`,
    from: patientShown(plan.from),
    to: patientShown(plan.to),
    warnings: plan.warnings,
    move: `Move to ${plan.to.name}`,
  };
}

// What a result card and the status line say once the move is made (move_upload's answer).
export function movedText(done) {
  return `Moved to ${done.to.name}, born ${done.to.born}, ID ${done.to.id}.`;
}

// A stored time (RFC 3339, UTC) to the minute, as the history shows its times.
function minute(at) {
  return at.slice(0, 16).replace("T", " ");
}

// A history entry's moves, oldest first, in words (empty when it never moved).
export function historyMovesText(moves = [], named = (id) => id) {
  return moves
    .map((m) => `Moved ${m.fromPatientId ? `from ${named(m.fromPatientId)} ` : ""}to ${named(m.toPatientId)} on ${minute(m.movedAt)}`)
    .join("; ");
}

let moved = async () => {};
let current = null; // { attachmentId, name, resolve, opener }
const searching = latestOnly();
const preparing = latestOnly();

// `onMoved(done)` runs after every move (the history is listed again).
export function initMove({ onMoved }) {
  moved = onMoved;
  $("move-search").addEventListener("submit", (e) => {
    e.preventDefault();
    search();
  });
  $("move-close").addEventListener("click", () => finish(null));
  $("move-cancel").addEventListener("click", () => finish(null));
  $("move-back").addEventListener("click", showFind);
  $("move-send").addEventListener("click", send);
  $("move-dialog").addEventListener("close", () => finish(null)); // Escape
}

// Opens the dialog for one uploaded file; resolves with move_upload's answer, or null if nothing
// was moved. Focus goes back to `opener` (if it is still on the page) when the dialog closes.
export function openMove({ attachmentId, name, opener }) {
  if (current) finish(null);
  return new Promise((resolve) => {
    current = { attachmentId, name, resolve, opener };
    $("move-file").textContent = `File: ${name}`;
    $("move-term").value = "";
    showFind();
    $("move-dialog").showModal();
    $("move-term").focus();
  });
}

// The dialog leaves the window (it names patients): an unattended screen shows none.
export function closeMove() {
  finish(null);
}

function finish(answer) {
  if (!current) return;
  const { resolve, opener } = current;
  current = null;
  const dialog = $("move-dialog");
  if (dialog.open) dialog.close();
  $("move-results").replaceChildren();
  setStatus("move-status", "");
  resolve(answer);
  if (opener?.isConnected) opener.focus();
}

function showFind() {
  $("move-file").hidden = false;
  $("move-find").hidden = false;
  $("move-confirm").hidden = true;
  $("move-results").replaceChildren();
  setStatus("move-status", "");
  $("move-term").focus();
}

function search() {
  return searchInto({ term: $("move-term").value, list: "move-results", status: "move-status",
    className: "move-hit", onChoose: prepare, latest: searching });
}

async function prepare(patientId) {
  const asked = current;
  if (!asked) return;
  setStatus("move-status", "Checking both patients with Decoda…");
  let plan;
  try {
    plan = await preparing(() => call("prepare_move", { attachmentId: asked.attachmentId, toPatientId: patientId }));
  } catch (err) {
    if (!(err instanceof Superseded) && current === asked) setStatus("move-status", describe(err), true);
    return;
  }
  if (current !== asked) return; // Closed meanwhile.
  showConfirm(moveShown(plan), plan.to.id);
}

function showConfirm(shown, toId) {
  $("move-confirm-file").textContent = shown.file;
  for (const [side, p] of [["from", shown.from], ["to", shown.to]]) {
    for (const field of ["name", "born", "gender", "id"]) $(`move-${side}-${field}`).textContent = p[field];
  }
  fillList("move-warnings", shown.warnings);
  $("move-send").textContent = shown.move;
  $("move-send").dataset.to = toId;
  $("move-send").disabled = false;
  setStatus("move-status", "");
  $("move-file").hidden = true;
  $("move-find").hidden = true;
  $("move-confirm").hidden = false;
  $("move-cancel").focus();
}

async function send() {
  const asked = current;
  if (!asked) return;
  $("move-send").disabled = true;
  setStatus("move-status", "Moving…");
  let done;
  try {
    done = await call("move_upload", { attachmentId: asked.attachmentId, toPatientId: $("move-send").dataset.to });
  } catch (err) {
    if (current === asked) {
      setStatus("move-status", describe(err), true);
      $("move-send").disabled = false;
    }
    return;
  }
  if (current !== asked) return; // The window was cleared meanwhile: it shows nothing more.
  await moved(done);
  finish(done);
}
