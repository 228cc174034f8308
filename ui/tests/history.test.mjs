// `node --test ui/tests`: a history entry as the table shows it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { historyCells, historyStatus, patientNamed } from "../history.js";

test("an entry shows the time to the minute and the file's own name without its folder", () => {
  const entry = { uploadedAt: "2025-03-04T09:15:42.123Z", patientId: "pat_1001", name: "Referral",
    fileName: "/home/clinic/scans/referral.pdf", attachmentId: "att_9" };
  assert.deepEqual(historyCells(entry), ["2025-03-04 09:15", "patient pat_1001", "Referral", "referral.pdf", "att_9"]);
  assert.equal(historyCells({ ...entry, fileName: "C:\\Scans\\lab.txt" })[3], "lab.txt", "Windows paths too");
});

test("the status counts the entries found", () => {
  assert.equal(historyStatus([{}, {}]), "2 uploads.");
  assert.equal(historyStatus([{}]), "1 upload.");
  assert.equal(historyStatus([]), "No uploads found.");
});

test("an entry names its patient as Rust did (name, date of birth, ID) when it could", () => {
  const named = "GARCIA, Maria, born 12-Mar-1984 (42y), ID pat_1001";
  const entry = { uploadedAt: "2025-03-04T09:15:42.123Z", patientId: "pat_1001", name: "Referral",
    fileName: "referral.pdf", attachmentId: "att_9", patients: { pat_1001: named } };
  assert.equal(historyCells(entry)[1], named);
  assert.equal(patientNamed(entry, "pat_1003"), "patient pat_1003", "the id when the name could not be had");
});
