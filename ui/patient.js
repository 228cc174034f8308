// Step 1: finding the patient, the chosen patient and their notes. Who matches a search, and
// which results look alike, is decided in Rust; this module shows the results and remembers the
// choice. Patient data is rendered with textContent only.
import { call, describe } from "./api.js";
import { $, button, fillList, item, setStatus } from "./dom.js";
import { latestOnly, Superseded } from "./latest.js";

// Name and date of birth together, always: the two identifiers a person checks, in the banner's
// format (Rust writes each value: `GARCIA, Maria`, `12-Mar-1984 (42y)`).
export function patientLine(p) {
  return `${p.name}, born ${p.born}, ID ${p.id}`;
}

// One search result's button text.
export function hitText(p) {
  return `${p.name} — Born ${p.born} — Gender ${p.gender} — ID ${p.id}`
    + (p.archived ? " — archived chart" : "")
    + (p.lookAlikes.length ? " — ⚠ similar to another patient" : "");
}

// The status line after a search.
export function searchStatus(hits) {
  if (hits.some((p) => p.lookAlikes.length)) {
    return "Some of these patients could be confused with each other: check the date of birth and ID before choosing.";
  }
  return hits.length ? `${hits.length} found. Check the date of birth.` : "No patient found.";
}

// What the banner shows of the chosen patient, and the warnings it keeps while they are chosen.
export function bannerShown(p) {
  return {
    name: p.name,
    born: p.born,
    gender: p.gender,
    id: p.id,
    preferred: p.preferredName ?? null,
    archived: p.archived,
    warnings: p.lookAlikes,
  };
}

// One note in the note chooser.
export function noteLabel(n) {
  return `${n.title}${n.visitDate ? " — " + n.visitDate : ""}`;
}

// One patient search into a result list, as the patient step, the move and the scan sorter
// show it: the status line says what was found (and warns of look-alikes), and each result is a
// button (class `className`) that calls `onChoose(id)`. `latest` (a latestOnly) drops the answer
// of a search a newer one has replaced.
export async function searchInto({ term, list, status, className, onChoose, latest = (f) => f() }) {
  $(list).replaceChildren();
  setStatus(status, "Searching…");
  try {
    const hits = await latest(() => call("search_patients", { term: term.trim() }));
    setStatus(status, searchStatus(hits));
    for (const p of hits) {
      const b = button(hitText(p), () => onChoose(p.id), { className });
      b.dataset.id = p.id;
      $(list).append(item(b));
    }
  } catch (err) {
    if (!(err instanceof Superseded)) setStatus(status, describe(err), true);
  }
}

let chosen = null;
let changed = async () => {};
let locked = () => false;
let newPatient = async () => {};

// The patient the window has chosen (Rust's card: {id, name, born, gender, lookAlikes, …}), or
// null.
export function chosenPatient() {
  return chosen;
}

// `onChange` runs once the chosen patient changed (which files go now depends on it); while
// `isLocked()` (files are being sent) the patient cannot be changed; `onNewPatient` runs before
// another patient than the last one is shown (what was sent to the last one leaves the window).
export function initPatient({ onChange, isLocked = () => false, onNewPatient = async () => {} }) {
  changed = onChange;
  locked = isLocked;
  newPatient = onNewPatient;
  $("patient-search").addEventListener("submit", (e) => {
    e.preventDefault();
    searchInto({ term: $("patient-term").value, list: "patient-results", status: "patient-status",
      className: "patient-hit", onChoose: choosePatient });
  });
  $("print-cover-sheet").addEventListener("click", printCoverSheet);
}

// What the window says once the chosen patient's cover sheet was made.
export function coverSheetText(name, { opened, path }) {
  return opened
    ? `The cover sheet for ${name} is opening in your PDF viewer (saved as ${path}): print it and put it on top of ${name}'s pages before scanning.`
    : `The cover sheet for ${name} could not be opened here; it is saved as ${path}: print it from there.`;
}

async function printCoverSheet() {
  const patient = chosen;
  if (!patient) return;
  setStatus("patient-status", `Making the cover sheet for ${patient.name}…`);
  try {
    const made = await call("print_cover_sheet", { patientId: patient.id });
    if (chosen?.id === patient.id) setStatus("patient-status", coverSheetText(patient.name, made));
  } catch (err) {
    setStatus("patient-status", describe(err), true);
  }
}

// The chosen patient leaves the window (the server or tenant changed): choose again.
export async function forgetPatient() {
  await clearPatient("The server or tenant changed: search for the patient again.");
}

// The chosen patient, the search and its results leave the window, saying why; files already
// bound to a patient stay bound (Rust keeps them).
export async function clearPatient(why) {
  const had = chosen !== null || $("patient-results").childElementCount > 0;
  chosen = null;
  $("patient-banner").hidden = true;
  $("patient-chosen").hidden = true;
  $("patient-results").replaceChildren();
  $("patient-term").value = "";
  $("note").replaceChildren(new Option("No note", ""));
  if (had) setStatus("patient-status", why);
  await changed();
}

// While files are being sent the patient cannot be changed: the search is switched off.
export function lockPatient(on) {
  for (const el of $("patient-search").elements) el.disabled = on;
  for (const b of $("patient-results").querySelectorAll("button")) b.disabled = on;
}

// Choosing is a patient and their notes, fetched together and shown together; a later click
// makes an earlier one's answers stale, so one patient's notes never appear under another.
const choosing = latestOnly();

export async function choosePatient(id) {
  if (locked()) {
    setStatus("patient-status", "The patient cannot be changed while files are being sent.", true);
    return;
  }
  let answer;
  try {
    answer = await choosing(async () => {
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
    return;
  }
  const { p, notes } = answer;
  if (locked()) return; // An upload started while the patient was being fetched.
  if (chosen?.id !== p.id) await newPatient();
  chosen = p;
  showBanner(bannerShown(p));
  $("patient-chosen").hidden = false;
  $("patient-results").replaceChildren();
  setStatus("patient-status", `Chosen: ${patientLine(p)}`);
  const select = $("note");
  select.replaceChildren(new Option("No note", ""));
  for (const n of notes.list ?? []) select.append(new Option(noteLabel(n), n.id));
  if (notes.err) setStatus("patient-status", describe(notes.err), true);
  // The chosen result's button is gone: keep the keyboard user at the next step.
  select.focus();
  await changed();
}

function showBanner(shown) {
  $("patient-name").textContent = shown.name;
  $("patient-born").textContent = shown.born;
  $("patient-gender").textContent = shown.gender;
  $("patient-id").textContent = shown.id;
  $("patient-preferred").hidden = !shown.preferred;
  $("patient-preferred-name").textContent = shown.preferred ?? "";
  $("patient-archived").hidden = !shown.archived;
  $("patient-look-alike").hidden = shown.warnings.length === 0;
  fillList("patient-look-alikes", shown.warnings);
  $("patient-banner").hidden = false;
}
