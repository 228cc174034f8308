// `node --test ui/tests`: the texts of moving a misfiled upload, from what Rust returned.
import { test } from "node:test";
import assert from "node:assert/strict";
import { historyMovesText, MOVE_TEXT, moveLabel, movedText, moveShown, patientShown } from "../move.js";

const garcia = {
  id: "pat_1001", name: "GARCIA, Maria", born: "12-Mar-1984 (42y)", gender: "Female", archived: false, lookAlikes: [],
};
const chen = {
  id: "pat_1003", name: "CHEN, James", born: "02-Nov-1975 (50y)", gender: "Male", archived: false, lookAlikes: [],
};

test("the button says what it does, and which file to a screen reader", () => {
  assert.equal(MOVE_TEXT, "Move to another patient…");
  assert.equal(moveLabel("referral.pdf"), "Move to another patient… referral.pdf");
});

test("the confirmation names both patients in the banner's order and the button names the new one", () => {
  const shown = moveShown({ attachmentId: "att_9", name: "Referral", from: garcia, to: chen, warnings: [] });
  assert.deepEqual(shown.from, { name: "GARCIA, Maria", born: "12-Mar-1984 (42y)", gender: "Female", id: "pat_1001" });
  assert.deepEqual(shown.to, { name: "CHEN, James", born: "02-Nov-1975 (50y)", gender: "Male", id: "pat_1003" });
  assert.equal(shown.move, "Move to CHEN, James");
  assert.equal(shown.file, "“Referral” (attachment att_9)");
  assert.deepEqual(shown.warnings, []);
});

test("every warning Rust gave is repeated, and a patient not known says so in words", () => {
  const warnings = ["Another patient has the same name: GARCIA, Maria, born 30-Jul-1991 (34y), ID pat_1002"];
  const shown = moveShown({ attachmentId: "att_9", name: null, from: null, to: garcia, warnings });
  assert.deepEqual(shown.warnings, warnings);
  assert.equal(shown.file, "Attachment att_9");
  assert.deepEqual(patientShown(null), { name: "Not known", born: "Not known", gender: "Not known", id: "Not known" });
  assert.equal(shown.move, "Move to GARCIA, Maria");
});

test("after a move the card names the patient with the date of birth", () => {
  assert.equal(movedText({ attachmentId: "att_9", from: garcia, to: chen, movedAt: "2026-05-01T10:00:00Z" }),
    "Moved to CHEN, James, born 02-Nov-1975 (50y), ID pat_1003.");
});

test("a history row says where its file was moved, and when, oldest first", () => {
  assert.equal(historyMovesText([]), "");
  assert.equal(historyMovesText(undefined), "");
  assert.equal(historyMovesText([
    { attachmentId: "att_9", fromPatientId: "pat_1001", toPatientId: "pat_1003", movedAt: "2026-05-01T10:02:33.1Z" },
    { attachmentId: "att_9", fromPatientId: null, toPatientId: "pat_1004", movedAt: "2026-05-02T08:00:00Z" },
  ]), "Moved from pat_1001 to pat_1003 on 2026-05-01 10:02; Moved to pat_1004 on 2026-05-02 08:00");
});

test("a move names its patients as the history row names them", () => {
  const names = { pat_1001: "GARCIA, Maria, born 12-Mar-1984 (42y), ID pat_1001" };
  const named = (id) => names[id] ?? `patient ${id}`;
  assert.equal(historyMovesText([
    { attachmentId: "att_9", fromPatientId: "pat_1001", toPatientId: "pat_1003", movedAt: "2026-05-01T10:02:33.1Z" },
  ], named), "Moved from GARCIA, Maria, born 12-Mar-1984 (42y), ID pat_1001 to patient pat_1003 on 2026-05-01 10:02");
});
