// The scan sorter's words and order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { coverText, nextScan, sortChosen, sortPanelText, sortPosition } from "../sort.js";

test("the panel counts scans waiting for their patient in words, and is empty without any", () => {
  assert.equal(sortPanelText(0), "");
  assert.equal(sortPanelText(1), "1 scan from the scanner is waiting for its patient.");
  assert.equal(sortPanelText(4), "4 scans from the scanner are waiting for their patient.");
});

test("the position names the scan, and its pages once known", () => {
  assert.equal(sortPosition({ index: 0, total: 3, fileName: "scan-1.pdf", pages: null }), "Scan 1 of 3: scan-1.pdf");
  assert.equal(sortPosition({ index: 1, total: 3, fileName: "scan-2.pdf", pages: 1 }), "Scan 2 of 3: scan-2.pdf, 1 page");
  assert.equal(sortPosition({ index: 2, total: 3, fileName: "scan-3.pdf", pages: 4 }), "Scan 3 of 3: scan-3.pdf, 4 pages");
});

test("the chosen patient is shown with every warning and a button that names them", () => {
  const p = { id: "pat_1", name: "GARCIA, Maria", born: "12-Mar-1984 (42y)", gender: "Female", archived: true,
    lookAlikes: ["GARCIA, Mario, born 12-Mar-1984 (42y), ID pat_2, has a similar name"] };
  const shown = sortChosen(p);
  assert.equal(shown.send, "Send this scan to GARCIA, Maria");
  assert.deepEqual(shown.warnings, ["This patient's chart is archived.", p.lookAlikes[0]]);
  assert.equal(shown.born, "12-Mar-1984 (42y)");
  assert.equal(sortChosen({ ...p, archived: false, lookAlikes: [] }).warnings.length, 0);
});

test("the next scan is the oldest waiting one not passed over in this sitting", () => {
  assert.equal(nextScan([4, 7, 9], new Set()), 4);
  assert.equal(nextScan([4, 7, 9], new Set([4])), 7);
  assert.equal(nextScan([4, 7], new Set([4, 7])), null);
  assert.equal(nextScan([], new Set()), null);
});

test("closing while sending names the patient when known, and says nothing is lost", async () => {
  const { closeQuestion } = await import("../closing.js");
  const text = closeQuestion({ name: "GARCIA, Maria" });
  assert.match(text, /^Files are still being sent to GARCIA, Maria\. If you close now, the upload stops/);
  assert.match(text, /stay in the list/);
  assert.match(closeQuestion(null), /^Files are still being sent\. /);
});

test("a cover sheet's patient is offered to look up, and a refused sheet says why", () => {
  assert.equal(coverText(null), "");
  assert.match(coverText({ patientId: "pat_1001", noPatient: null, sheet: true }), /^Its cover sheet names patient pat_1001\. Choose them below/);
  assert.match(coverText({ patientId: null, noPatient: "no cover sheet before these pages", sheet: false }),
    /^These pages came before the stack's first cover sheet, so no patient is proposed/);
  assert.equal(
    coverText({ patientId: null, noPatient: "the cover sheet is for another account (tenant x), not this one", sheet: true }),
    "Its cover sheet names no patient here: the cover sheet is for another account (tenant x), not this one. Find the patient named on the page.",
  );
});
