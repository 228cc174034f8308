// The sorter's suggestion from the page: its words and the marks drawn on the page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { candidateText, confidenceWord, marksOf, suggestHeading, warningText } from "../suggest.js";

const garcia = { id: "pat_1002", name: "GARCIA, Maria", born: "30-Jul-1991 (35y)", gender: "Female",
  archived: false, lookAlikes: [] };

test("a candidate is named as the banner names a patient, with how sure and why", () => {
  const c = { patient: garcia, confidence: "high", reason: "name and birth date on the page", evidence: [] };
  assert.equal(candidateText(c),
    "GARCIA, Maria — Born 30-Jul-1991 (35y) — ID pat_1002 — Strong match: name and birth date on the page");
  const doubtful = { ...c, confidence: "low", patient: { ...garcia, archived: true, lookAlikes: ["x"] } };
  assert.match(candidateText(doubtful), /Weak match: .* — archived chart — ⚠ similar to another patient$/);
  assert.equal(confidenceWord("medium"), "Possible match");
});

test("the heading asks for a check, says when nobody is named, and passes Rust's note on", () => {
  assert.match(suggestHeading({ candidates: [{}], warnings: [], note: null }), /check the name and birth date/);
  assert.match(suggestHeading({ candidates: [], warnings: [], note: null }), /No patient of this clinic is named/);
  const note = "Suggestions from the page are unavailable: text recognition (Tesseract) is not installed on this computer";
  assert.equal(suggestHeading({ candidates: [], warnings: [], note }), note);
});

test("a birth date without its name is a warning naming the patient it belongs to", () => {
  const w = { patient: garcia, message: "The birth date of Maria Garcia is on the page, but the name is not: check whose page this is.", evidence: [] };
  assert.equal(warningText(w), `${w.message} (GARCIA, Maria, Born 30-Jul-1991 (35y), ID pat_1002)`);
});

test("marks cover each matched word with a margin, stay on the page, and text without areas draws none", () => {
  const evidence = [
    { kind: "name", text: "GARCIA, Maria", areas: [{ x: 0.1, y: 0.2, w: 0.1, h: 0.02 }, { x: 0.99, y: 0.999, w: 0.05, h: 0.05 }] },
    { kind: "birthDate", text: "07/30/1991", areas: [] },
  ];
  const marks = marksOf(evidence);
  assert.equal(marks.length, 2);
  assert.equal(marks[0].kind, "name");
  assert.ok(marks[0].x < 0.1 && marks[0].x + marks[0].w > 0.2);
  for (const m of marks) assert.ok(m.x >= 0 && m.y >= 0 && m.x + m.w <= 1 && m.y + m.h <= 1, JSON.stringify(m));
  assert.deepEqual(marksOf([{ kind: "name", text: "x", areas: [] }]), []);
});
