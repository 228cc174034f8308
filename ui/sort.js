// The scan sorter: scans from the scanner's folder hold papers of many patients, so each one is
// shown large, one at a time, and a person finds and confirms its own patient before it is sent.
// A scan never goes to the patient chosen in the window. Which scans wait, the patient's card and
// its warnings, and the binding are Rust's (list_queue's toSort, get_patient, start_upload's
// assignScan). Patient data goes in with textContent.
import { call, describe, startUpload } from "./api.js";
import { $, fillList, setStatus } from "./dom.js";
import { latestOnly, Superseded } from "./latest.js";
import { patientLine, searchInto } from "./patient.js";
import { clearSuggestions, showSuggestions } from "./suggest.js";

// The line above the scan lists: how many scans wait for their patient.
export function sortPanelText(count) {
  if (count === 0) return "";
  return count === 1
    ? "1 scan from the scanner is waiting for its patient."
    : `${count} scans from the scanner are waiting for their patient.`;
}

// Which scan is shown: "Scan 2 of 5: scan-0002.pdf, 3 pages".
export function sortPosition({ index, total, fileName, pages }) {
  const length = pages ? `, ${pages === 1 ? "1 page" : `${pages} pages`}` : "";
  return `Scan ${index + 1} of ${total}: ${fileName}${length}`;
}

// The chosen patient as the sorter shows them before sending: the banner's values, every
// warning, and a button that names the patient.
export function sortChosen(p) {
  return {
    name: p.name,
    born: p.born,
    gender: p.gender,
    id: p.id,
    warnings: [...(p.archived ? ["This patient's chart is archived."] : []), ...p.lookAlikes],
    send: `Send this scan to ${p.name}`,
  };
}

// What the scan's cover sheet said, when its stack had sheets: the patient it names is only
// looked up (the person chooses and checks), or why it names no one. "" without a sheet.
export function coverText(cover) {
  if (!cover) return "";
  if (!cover.sheet) {
    return "These pages came before the stack's first cover sheet, so no patient is proposed: find the patient named on the page.";
  }
  if (cover.patientId) {
    return `Its cover sheet names patient ${cover.patientId}. Choose them below, then check the name and date of birth against the paper.`;
  }
  return `Its cover sheet names no patient here: ${cover.noPatient}. Find the patient named on the page.`;
}

// The next scan to show: the first waiting one not passed over in this sitting, or null.
export function nextScan(waiting, passed) {
  return waiting.find((id) => !passed.has(id)) ?? null;
}

let hooks = { waiting: () => [], queue: () => [], refreshQueue: async () => {}, busy: () => false };
let sitting = null; // { scan, patient, passed, sending }
const searching = latestOnly();
const choosing = latestOnly();
const previewing = latestOnly();

// `waiting()` is the scans Rust lists as waiting for their patient, `queue()` the queue as last
// listed, `refreshQueue()` lists it again, `busy()` whether the window's own upload is running.
export function initSort(given) {
  hooks = given;
  $("sort-open").addEventListener("click", openSort);
  $("sort-search").addEventListener("submit", (e) => {
    e.preventDefault();
    search();
  });
  $("sort-send").addEventListener("click", send);
  $("sort-next").addEventListener("click", () => {
    if (!sitting || sitting.sending) return;
    sitting.passed.add(sitting.scan);
    showNext();
  });
  $("sort-close").addEventListener("click", closeSort);
  $("sort-dialog").addEventListener("cancel", (e) => {
    if (sitting?.sending) e.preventDefault(); // Escape does not hide a scan being sent.
  });
  $("sort-dialog").addEventListener("close", () => finish());
}

// The panel above the list, after every listing.
export function renderSortPanel() {
  const count = hooks.waiting().length;
  $("sort").hidden = count === 0;
  $("sort-text").textContent = sortPanelText(count);
}

// Whether a scan is being sent from the sorter.
export function isSorting() {
  return Boolean(sitting?.sending);
}

// The patient a scan is being sent to from the sorter, or null.
export function sortingTo() {
  return sitting?.sending ? sitting.patient : null;
}

function openSort() {
  sitting = { scan: null, patient: null, passed: new Set(), done: 0, sending: false };
  $("sort-dialog").showModal();
  showNext();
}

// The sorter leaves the window (it names patients): an unattended screen shows none. A scan
// being sent finishes; its outcome stays in the list.
export function closeSort() {
  const dialog = $("sort-dialog");
  if (dialog.open) dialog.close();
  finish();
}

function finish() {
  if (!sitting) return;
  sitting = null;
  clearPatient();
  clearSuggestions();
  $("sort-image").removeAttribute("src");
  setStatus("sort-status", "");
  const back = !$("sort").hidden ? $("sort-open") : $("add-files");
  back.focus();
}

function showNext() {
  const scan = nextScan(hooks.waiting(), sitting.passed);
  sitting.scan = scan;
  clearPatient();
  clearSuggestions();
  $("sort-find").hidden = scan === null;
  $("sort-next").hidden = scan === null;
  if (scan === null) {
    $("sort-cover").hidden = true;
    $("sort-position").textContent = "Every scan listed now has its patient, or was passed over.";
    $("sort-image").hidden = true;
    $("sort-no-image").hidden = true;
    $("sort-close").focus();
    return;
  }
  const listed = hooks.queue().find((i) => i.id === scan);
  const index = sitting.passed.size + sitting.done;
  const total = index + hooks.waiting().filter((id) => !sitting.passed.has(id)).length;
  $("sort-position").textContent = sortPosition({ index, total, fileName: listed?.fileName ?? "", pages: null });
  showPreview(scan, { index, total, fileName: listed?.fileName ?? "" });
  showSuggestions(scan, { onChoose: choose, stillShown: () => sitting?.scan === scan });
  $("sort-cover-text").textContent = coverText(listed?.cover);
  setStatus("sort-cover-status", "");
  $("sort-cover").hidden = !listed?.cover;
  $("sort-term").focus();
  if (listed?.cover?.patientId) {
    // The sheet's patient is looked up, never chosen: the person picks them from the results.
    // The lookup reports under the sheet's note, so "Sent to …" of the last scan stays in view.
    $("sort-term").value = listed.cover.patientId;
    search("sort-cover-status");
  }
}

async function showPreview(scan, position) {
  $("sort-image").hidden = true;
  $("sort-no-image").hidden = false;
  $("sort-no-image").textContent = "Loading the page…";
  let preview;
  try {
    preview = await previewing(() => call("scan_preview", { id: scan }));
  } catch (err) {
    if (err instanceof Superseded) return;
    preview = { image: null, pages: null, note: describe(err) };
  }
  if (sitting?.scan !== scan) return;
  $("sort-position").textContent = sortPosition({ ...position, pages: preview.pages });
  if (preview.image) {
    $("sort-image").src = preview.image;
    $("sort-image").hidden = false;
    $("sort-no-image").hidden = true;
  } else {
    $("sort-no-image").textContent = `No preview: ${preview.note}`;
  }
}

function clearPatient() {
  if (sitting) sitting.patient = null;
  $("sort-term").value = "";
  $("sort-results").replaceChildren();
  $("sort-chosen").hidden = true;
  $("sort-send").disabled = true;
  setStatus("sort-status", "");
}

function search(status = "sort-status") {
  if (!sitting?.scan) return null;
  $("sort-chosen").hidden = true;
  return searchInto({ term: $("sort-term").value, list: "sort-results", status,
    className: "sort-hit", onChoose: choose, latest: searching });
}

async function choose(id) {
  const scan = sitting?.scan;
  let p;
  try {
    p = await choosing(() => call("get_patient", { id }));
  } catch (err) {
    if (!(err instanceof Superseded)) setStatus("sort-status", describe(err), true);
    return;
  }
  if (!sitting || sitting.scan !== scan) return; // Another scan is shown meanwhile.
  sitting.patient = p;
  const shown = sortChosen(p);
  for (const field of ["name", "born", "gender", "id"]) $(`sort-${field}`).textContent = shown[field];
  fillList("sort-warnings", shown.warnings);
  $("sort-send").textContent = shown.send;
  $("sort-send").disabled = false;
  $("sort-results").replaceChildren();
  $("sort-chosen").hidden = false;
  setStatus("sort-status", "Check the name and date of birth against the page before sending.");
  // Not the Send button: an Enter meant for the search list never sends the scan.
  $("sort-chosen").focus();
}

async function send() {
  const asked = sitting;
  if (!asked?.patient || asked.sending) return;
  if (hooks.busy()) {
    setStatus("sort-status", "Another upload is running: send this scan when it has finished.", true);
    return;
  }
  const { scan, patient } = asked;
  asked.sending = true;
  $("sort-send").disabled = true;
  for (const el of $("sort-search").elements) el.disabled = true;
  setStatus("sort-status", `Sending to ${patientLine(patient)}…`);
  let outcome;
  try {
    const summary = await startUpload(patient.id, null, [scan], () => {}, scan);
    outcome = summary.uploaded.length === 1
      ? { text: `Sent to ${patientLine(patient)}.`, error: false }
      : { text: `Not sent: it stays in the list, waiting for ${patient.name}.`, error: true };
  } catch (err) {
    outcome = { text: describe(err), error: true };
  } finally {
    asked.sending = false;
    for (const el of $("sort-search").elements) el.disabled = false;
  }
  await hooks.refreshQueue();
  if (sitting !== asked) return; // Closed meanwhile (the window was left alone).
  if (!hooks.waiting().includes(scan)) asked.done += 1;
  if (outcome.error && hooks.waiting().includes(scan)) {
    // Still waiting (the patient could not be confirmed): the person may try again.
    setStatus("sort-status", outcome.text, true);
    $("sort-send").disabled = false;
    return;
  }
  showNext();
  setStatus("sort-status", outcome.text, outcome.error);
}
