// `node --test ui/tests`: how patients are named in search results and once chosen.
import { test } from "node:test";
import assert from "node:assert/strict";
import { hitText, noteLabel, patientLine, searchStatus } from "../patient.js";

const garcia = { id: "pat_1001", name: "Maria Garcia", dateOfBirth: "1984-03-12", archived: false, lookAlike: false };

test("a patient is always named with the date of birth and the id", () => {
  assert.equal(patientLine(garcia), "Maria Garcia — born 1984-03-12 — id pat_1001");
});

test("a result says when its chart is archived and when Rust found a look-alike", () => {
  assert.equal(hitText(garcia), "Maria Garcia — born 1984-03-12 — id pat_1001");
  assert.equal(hitText({ ...garcia, archived: true, lookAlike: true }),
    "Maria Garcia — born 1984-03-12 — id pat_1001 (archived) ⚠ same name as another patient");
});

test("look-alikes (as Rust marked them) are announced before the count", () => {
  const other = { ...garcia, id: "pat_1002", dateOfBirth: "1991-07-30" };
  assert.equal(searchStatus([garcia, other]), "2 found. Check the date of birth.",
    "the same name alone is not a look-alike: Rust decides");
  assert.equal(searchStatus([{ ...garcia, lookAlike: true }, { ...other, lookAlike: true }]),
    "Several patients have the same name: check the date of birth before choosing.");
  assert.equal(searchStatus([]), "No patient found.");
});

test("a note is named with its visit date when it has one", () => {
  assert.equal(noteLabel({ id: "n1", title: "Annual physical", visitDate: "2024-05-02" }), "Annual physical — 2024-05-02");
  assert.equal(noteLabel({ id: "n2", title: "Lab review", visitDate: null }), "Lab review");
});
