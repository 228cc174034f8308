// The patient suggested from the scan's page, in the sorter: Rust reads the first page (Tesseract,
// on this computer) and looks its names and birth dates up; this lists up to three candidates with
// why, and marks the words that matched on the page. A suggestion is never chosen: clicking one
// shows its card to check, as a search result does. Patient data goes in with textContent.
import { call, describe } from "./api.js";
import { $, button, fillList, item } from "./dom.js";
import { shape } from "./icons.js";
import { latestOnly, Superseded } from "./latest.js";

const suggesting = latestOnly();

// How sure a candidate is, in words.
export function confidenceWord(confidence) {
  return { high: "Strong match", medium: "Possible match", low: "Weak match" }[confidence] ?? "Possible match";
}

// The line above the candidates.
export function suggestHeading(view) {
  if (view.note) return view.note;
  if (view.candidates.length === 0) {
    return "No patient of this clinic is named on the page: find the patient below.";
  }
  return "Suggested from the page: check the name and birth date against the paper before choosing.";
}

// One candidate's button text, in the banner's format.
export function candidateText(c) {
  const p = c.patient;
  return `${p.name} — Born ${p.born} — ID ${p.id} — ${confidenceWord(c.confidence)}: ${c.reason}`
    + (p.archived ? " — archived chart" : "")
    + (p.lookAlikes.length ? " — ⚠ similar to another patient" : "");
}

// A birth date on the page without its patient's name.
export function warningText(w) {
  return `${w.message} (${w.patient.name}, Born ${w.patient.born}, ID ${w.patient.id})`;
}

// The marks to draw on the page for some evidence: each word's area, a little larger than the
// word, kept on the page. Evidence from a PDF's text has no areas and draws nothing.
export function marksOf(evidence) {
  const pad = 0.004;
  const clamp = (v) => Math.min(1, Math.max(0, v));
  return evidence.flatMap((e) => e.areas.map((a) => {
    const x = clamp(a.x - pad);
    const y = clamp(a.y - pad);
    return { kind: e.kind, x, y, w: clamp(a.x + a.w + pad) - x, h: clamp(a.y + a.h + pad) - y };
  }));
}

// Draws `evidence` over the page (the SVG spans the image, in page fractions).
function mark(evidence) {
  $("sort-marks").replaceChildren(...marksOf(evidence).map((m) => shape("rect", {
    x: String(m.x), y: String(m.y), width: String(m.w), height: String(m.h),
    class: m.kind === "birthDate" ? "mark-birth" : "mark-name",
  })));
}

// The suggestion block leaves the sorter (another scan, or the sorter closed).
export function clearSuggestions() {
  $("sort-suggest").hidden = true;
  $("sort-suggestions").replaceChildren();
  fillList("sort-suggest-warnings", []);
  $("sort-marks").replaceChildren();
}

// Reads scan `scan`'s page and lists its candidates; `onChoose(id)` shows a candidate's card to
// confirm, `stillShown()` says whether the scan is still the one on screen.
export async function showSuggestions(scan, { onChoose, stillShown }) {
  clearSuggestions();
  $("sort-suggest").hidden = false;
  $("sort-suggest-text").textContent = "Reading the page for a patient's name and birth date…";
  let view;
  try {
    view = await suggesting(() => call("suggest_patient", { id: scan }));
  } catch (err) {
    if (err instanceof Superseded) return;
    view = { candidates: [], warnings: [], note: `No suggestion: ${describe(err)}` };
  }
  if (!stillShown()) return;
  $("sort-suggest-text").textContent = suggestHeading(view);
  $("sort-suggestions").replaceChildren(...view.candidates.map((c) => {
    const b = button(candidateText(c), () => onChoose(c.patient.id), { className: "suggestion" });
    b.dataset.id = c.patient.id;
    b.dataset.confidence = c.confidence;
    for (const event of ["focus", "mouseenter"]) b.addEventListener(event, () => mark(c.evidence));
    return item(b);
  }));
  fillList("sort-suggest-warnings", view.warnings.map(warningText));
  mark(view.candidates[0]?.evidence ?? view.warnings[0]?.evidence ?? []);
}
