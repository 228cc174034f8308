// `node --test ui/tests`: how patients are named in search results, on the banner and once chosen.
import { test } from "node:test";
import assert from "node:assert/strict";
import { bannerShown, coverSheetText, hitText, noteLabel, patientLine, searchStatus } from "../patient.js";

// A patient as Rust's card names them.
const garcia = {
  id: "pat_1001", name: "GARCIA, Maria", preferredName: null, born: "12-Mar-1984 (42y)", gender: "Female",
  archived: false, lookAlikes: [],
};
const warning = "Another patient has the same name: GARCIA, Maria, born 30-Jul-1991 (35y), ID pat_1002";

test("a patient is always named with the date of birth and the id, in the banner's format", () => {
  assert.equal(patientLine(garcia), "GARCIA, Maria, born 12-Mar-1984 (42y), ID pat_1001");
});

test("a result says when its chart is archived and when Rust found a look-alike", () => {
  assert.equal(hitText(garcia), "GARCIA, Maria — Born 12-Mar-1984 (42y) — Gender Female — ID pat_1001");
  assert.equal(hitText({ ...garcia, archived: true, lookAlikes: [warning] }),
    "GARCIA, Maria — Born 12-Mar-1984 (42y) — Gender Female — ID pat_1001 — archived chart — ⚠ similar to another patient");
});

test("look-alikes (as Rust found them) are announced before the count", () => {
  const other = { ...garcia, id: "pat_1002", born: "30-Jul-1991 (35y)" };
  assert.equal(searchStatus([garcia, other]), "2 found. Check the date of birth.",
    "the same name alone is not a look-alike: Rust decides");
  assert.equal(searchStatus([{ ...garcia, lookAlikes: [warning] }, other]),
    "Some of these patients could be confused with each other: check the date of birth and ID before choosing.");
  assert.equal(searchStatus([]), "No patient found.");
});

test("the banner keeps the look-alike warnings and the preferred name once the patient is chosen", () => {
  const shown = bannerShown({ ...garcia, preferredName: "Mari", lookAlikes: [warning] });
  assert.deepEqual(shown, {
    name: "GARCIA, Maria", born: "12-Mar-1984 (42y)", gender: "Female", id: "pat_1001", preferred: "Mari",
    archived: false, warnings: [warning],
  });
  assert.equal(bannerShown(garcia).preferred, null);
});

test("a note is named with its visit date when it has one", () => {
  assert.equal(noteLabel({ id: "n1", title: "Annual physical", visitDate: "2024-05-02" }), "Annual physical — 2024-05-02");
  assert.equal(noteLabel({ id: "n2", title: "Lab review", visitDate: null }), "Lab review");
});

test("the cover sheet says it is open to print, or where it was saved when no viewer opened", () => {
  assert.equal(
    coverSheetText("GARCIA, Maria", { opened: true, path: "/d/Cover sheet.pdf" }),
    "The cover sheet for GARCIA, Maria is opening in your PDF viewer (saved as /d/Cover sheet.pdf): print it and put it on top of GARCIA, Maria's pages before scanning.",
  );
  assert.match(coverSheetText("GARCIA, Maria", { opened: false, path: "/d/Cover sheet.pdf" }), /saved as \/d\/Cover sheet\.pdf/);
});
