// `node --test ui/tests`: the Upload button and the upload's texts, from what Rust reported.
import { test } from "node:test";
import assert from "node:assert/strict";
import { confirmShown, progressShown, resultsPatient, sendableIds, summaryStatus, uploadControls, sentByItselfText, announcement, fileProgressText } from "../upload.js";

const garcia = {
  id: "pat_1001", name: "GARCIA, Maria", born: "12-Mar-1984 (42y)", gender: "Female", archived: false, lookAlikes: [],
};
const file = (id, state, sendable) => ({ id, state, sendable });
// What Upload does, as list_queue's `upload` says (crates/decoda-core/src/waiting.rs).
const upload = (files, retry = false) => ({ action: "upload", files, retry });

test("no patient: Upload is off and step 1 is named", () => {
  for (const [given, patient] of [[upload(1), null], [{ action: "choosePatient" }, garcia], [null, garcia]]) {
    const shown = uploadControls({ upload: given, patient, uploading: false });
    assert.equal(shown.disabled, true);
    assert.equal(shown.hint, given ? "Choose the patient first (step 1)." : "");
  }
});

test("the count and whether it retries come from Rust", () => {
  const shown = uploadControls({ upload: upload(2, true), patient: garcia, uploading: false });
  assert.equal(shown.disabled, false);
  assert.equal(shown.hint, "Ready to send 2 files to GARCIA, Maria, born 12-Mar-1984 (42y), ID pat_1001.");
  assert.equal(shown.label, "Upload (retry failed files)");
});

test("nothing to send: Upload is off and step 2 is named", () => {
  const shown = uploadControls({ upload: { action: "addFiles" }, patient: garcia, uploading: false });
  assert.equal(shown.disabled, true);
  assert.equal(shown.hint, "Add the files to send (step 2).");
  assert.equal(shown.label, "Upload");
});

test("Upload retries only when Rust says so", () => {
  assert.equal(uploadControls({ upload: upload(2), patient: garcia, uploading: false }).label, "Upload");
});

test("after everything was sent the hint says so", () => {
  const shown = uploadControls({ upload: { action: "allSent" }, patient: garcia, uploading: false });
  assert.equal(shown.disabled, true);
  assert.equal(shown.hint, "Everything listed has been sent. Add files to send more.");
});

test("while uploading the button is off and the hint is empty", () => {
  const shown = uploadControls({ upload: upload(1), patient: garcia, uploading: true });
  assert.deepEqual([shown.disabled, shown.hint], [true, ""]);
});

test("only the files shown as going are sent", () => {
  assert.deepEqual(sendableIds([file(1, "ready", true), file(2, "ready", false), file(3, "failed", true)]), [1, 3]);
});

test("the summary counts what Rust reported and is an error when a file failed", () => {
  const summary = { patient: garcia, uploaded: [{}, {}], failed: 0, skipped: 0 };
  assert.deepEqual(summaryStatus(summary, 1.234), { text: "2 uploaded, 0 not uploaded (1.2 s).", isError: false });
  assert.deepEqual(summaryStatus({ ...summary, failed: 1, skipped: 3 }, 10),
    { text: "2 uploaded, 1 not uploaded, 3 already in the chart (not sent again) (10.0 s).", isError: true });
});

test("the progress bar never has a zero maximum and the line says the server is storing at 100 %", () => {
  assert.deepEqual(progressShown({ event: "bytes", sent: 0, total: 0, bytesPerSec: 0 }),
    { max: 1, value: 0, text: "0 % (0 B of 0 B)" });
  assert.equal(progressShown({ event: "bytes", sent: 4096, total: 4096, bytesPerSec: 100 }).text,
    "All sent; Decoda is storing the files…");
  assert.equal(progressShown({ event: "bytes", sent: 1024, total: 2048, bytesPerSec: 512 }).text,
    "50 % (1.0 KiB of 2.0 KiB, 512 B/s), 2 s left");
});

test("the results name the patient with the date of birth", () => {
  assert.equal(resultsPatient(garcia), "GARCIA, Maria, born 12-Mar-1984 (42y)");
});

test("the confirmation names the patient, the count and the note, repeats every warning, and its button names the patient", () => {
  const warning = "Another patient has the same name: GARCIA, Maria, born 30-Jul-1991 (35y), ID pat_1002";
  const shown = confirmShown({ patient: { ...garcia, archived: true, lookAlikes: [warning] }, count: 3, note: "Follow-up" });
  assert.equal(shown.send, "Send 3 files to GARCIA, Maria");
  assert.equal(shown.what, "3 files, attached to the note “Follow-up”.");
  assert.deepEqual(shown.warnings, ["This patient's chart is archived.", warning]);
  assert.equal(shown.born, "12-Mar-1984 (42y)");
  const one = confirmShown({ patient: garcia, count: 1, note: null });
  assert.equal(one.send, "Send 1 file to GARCIA, Maria");
  assert.equal(one.what, "1 file, not attached to a note.");
  assert.deepEqual(one.warnings, []);
});

test("a send made by itself after the network came back names the patient and what failed", () => {
  const patient = { id: "pat_1", name: "GARCIA, Maria", born: "12-Mar-1984 (42y)" };
  assert.equal(sentByItselfText({ patient, uploaded: [{}, {}], failed: 0 }),
    "Decoda answered again, and the app sent 2 files to GARCIA, Maria, born 12-Mar-1984 (42y), ID pat_1.");
  assert.match(sentByItselfText({ patient, uploaded: [{}], failed: 1 }), /the app sent 1 file to .*; 1 file not uploaded \(they stay in the list\)\.$/);
});

test("a stage that every batch repeats is announced once per upload", () => {
  const said = new Set();
  const storing = "All sent; Decoda is storing the files…";
  assert.equal(announcement(said, "Sending…"), "Sending…");
  assert.equal(announcement(said, storing), storing);
  assert.equal(announcement(said, "Sending…"), null, "the next batch's stages are not said again");
  assert.equal(announcement(said, storing), null);
  assert.equal(announcement(said, ""), null);
});

test("each file's row shows how much of it has gone", () => {
  assert.equal(fileProgressText(0, 1000), "Sending… 0%");
  assert.equal(fileProgressText(455, 1000), "Sending… 45%");
  assert.equal(fileProgressText(1000, 1000), "Sending… 100%");
  assert.equal(fileProgressText(0, 0), "Sending… 100%", "an empty part is all sent");
});
