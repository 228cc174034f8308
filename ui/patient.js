// Step 1: finding the patient, the chosen patient and their notes. Who matches a search, and
// which results look alike, is decided in Rust; this module shows the results and remembers the
// choice. Patient data is rendered with textContent only.
import { call, describe } from "./api.js";
import { $, button, item, setStatus } from "./dom.js";
import { latestOnly, Superseded } from "./latest.js";

// Name and date of birth together, always: the two identifiers a person checks.
export function patientLine(p) {
  return `${p.name} — born ${p.dateOfBirth} — id ${p.id}`;
}

// One search result's button text.
export function hitText(p) {
  return patientLine(p) + (p.archived ? " (archived)" : "") + (p.lookAlike ? " ⚠ same name as another patient" : "");
}

// The status line after a search.
export function searchStatus(hits) {
  if (hits.some((p) => p.lookAlike)) {
    return "Several patients have the same name: check the date of birth before choosing.";
  }
  return hits.length ? `${hits.length} found. Check the date of birth.` : "No patient found.";
}

// One note in the note chooser.
export function noteLabel(n) {
  return `${n.title}${n.visitDate ? " — " + n.visitDate : ""}`;
}

let chosen = null;
let changed = async () => {};

// The patient the window has chosen ({id, name, dateOfBirth, archived, …}), or null.
export function chosenPatient() {
  return chosen;
}

// `onChange` runs once the chosen patient changed (which files go now depends on it).
export function initPatient({ onChange }) {
  changed = onChange;
  $("patient-search").addEventListener("submit", async (e) => {
    e.preventDefault();
    const term = $("patient-term").value.trim();
    const list = $("patient-results");
    list.replaceChildren();
    setStatus("patient-status", "Searching…");
    try {
      const hits = await call("search_patients", { term });
      setStatus("patient-status", searchStatus(hits));
      for (const p of hits) {
        const b = button(hitText(p), () => choosePatient(p.id), { className: "patient-hit" });
        b.dataset.id = p.id;
        list.append(item(b));
      }
    } catch (err) {
      setStatus("patient-status", describe(err), true);
    }
  });
}

// The chosen patient leaves the window (the server or tenant changed): choose again.
export async function forgetPatient() {
  if (chosen) {
    chosen = null;
    $("patient-chosen").hidden = true;
    $("note").replaceChildren(new Option("No note", ""));
    setStatus("patient-status", "The server or tenant changed: search for the patient again.");
  }
  await changed();
}

// Choosing is a patient and their notes, fetched together and shown together; a later click
// makes an earlier one's answers stale, so one patient's notes never appear under another.
const choosing = latestOnly();

export async function choosePatient(id) {
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
  chosen = p;
  $("patient-name").textContent = p.name;
  $("patient-dob").textContent = p.dateOfBirth;
  $("patient-id").textContent = p.id;
  $("patient-archived").hidden = !p.archived;
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
