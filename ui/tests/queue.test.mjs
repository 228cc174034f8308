// `node --test ui/tests`: what a queue row shows is what Rust reported for it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { REMOVE_QUIET_MS, countdown, queueRow, removeGuard, resumedChoice, resumedText, waitingPatients } from "../queue.js";

// A QueueView as list_queue returns it (its state flattened in, camelCase).
function view(fields = {}) {
  return {
    id: 1, path: "/scans/a.pdf", fileName: "a.pdf", name: "a.pdf", externalId: null, size: 2048,
    contentType: "application/pdf", state: "ready", notes: [], patientId: null, fromInbox: false,
    sendable: true, editable: true, canSendAnyway: false, removable: true, waitingFor: null, status: "Ready",
    ...fields,
  };
}

test("the status is Rust's sentence, with where the file came from and its notes", () => {
  assert.equal(queueRow(view({ status: "Cannot send: the file is empty" })).status, "Cannot send: the file is empty");
  assert.equal(queueRow(view({ fromInbox: true })).status, "Ready (from the scanner inbox)");
  assert.equal(queueRow(view({ state: "uploaded", status: "Uploaded", notes: ["name repaired", "external id came back wrong"] })).status,
    "Uploaded — name repaired; external id came back wrong");
});

test("editing follows Rust's editable flag, not the state", () => {
  assert.equal(queueRow(view({ state: "ready", editable: false })).editable, false,
    "a ready file Rust says is frozen stays frozen");
  assert.equal(queueRow(view({ state: "uploaded", editable: true })).editable, true);
});

test("Send anyway and Remove follow Rust's flags, not the state", () => {
  const skipped = queueRow(view({ state: "skipped", canSendAnyway: true, status: "Not sent: already in the chart" }));
  assert.deepEqual([skipped.sendAnyway, skipped.removable], [true, true]);
  const sending = queueRow(view({ state: "sending", removable: false, status: "Sending…" }));
  assert.deepEqual([sending.sendAnyway, sending.removable], [false, false], "removing a file mid-send is not offered");
  assert.deepEqual([queueRow(view({ state: "skipped" })).sendAnyway, queueRow(view({ state: "sending" })).removable],
    [false, true], "the state alone offers nothing and takes nothing away");
});

test("size and type cells say nothing when Rust does not know them", () => {
  const unknown = queueRow(view({ size: null, contentType: null }));
  assert.deepEqual([unknown.size, unknown.type, unknown.image], ["", "", false]);
  const photo = queueRow(view({ size: 0, contentType: "image/png" }));
  assert.deepEqual([photo.size, photo.type, photo.image], ["0 B", "image/png", true]);
});

test("files waiting for other patients are counted per patient, in listed order", () => {
  const queue = [
    view({ id: 1, waitingFor: "pat_2" }),
    view({ id: 2 }),
    view({ id: 3, waitingFor: "pat_1" }),
    view({ id: 4, waitingFor: "pat_2" }),
  ];
  assert.deepEqual(waitingPatients(queue), {
    total: 3,
    patients: [{ patientId: "pat_2", name: null, count: 2 }, { patientId: "pat_1", name: null, count: 1 }],
  });
  assert.deepEqual(waitingPatients([view()]), { total: 0, patients: [] });
});

test("a file bound to a patient waits only when Rust says so", () => {
  assert.deepEqual(waitingPatients([view({ patientId: "pat_1", waitingFor: null })]).patients, [],
    "a bound file whose patient is chosen is not announced as waiting");
});

test("the resumed notice names the count and each patient to choose", () => {
  assert.match(resumedText(3), /^3 files not sent yet/);
  assert.match(resumedText(1), /^1 file not sent yet, .* waits for another patient\. It goes only/);
  assert.match(resumedText(3), /go only to the patient they were meant for/);
  assert.equal(resumedChoice({ patientId: "pat_1001", name: null, count: 2 }), "Choose patient pat_1001 (2 files)");
  assert.equal(resumedChoice({ patientId: "pat_1001", name: "GARCIA, Maria, born 12-Mar-1984 (42y), ID pat_1001", count: 1 }),
    "Choose GARCIA, Maria, born 12-Mar-1984 (42y), ID pat_1001 (1 file)", "named once Rust knows the patient");
});

test("a waiting patient is named as soon as one of their files carries Rust's name for them", () => {
  const named = "GARCIA, Maria, born 12-Mar-1984 (42y), ID pat_1001";
  const queue = [view({ waitingFor: "pat_1001" }), view({ id: 2, waitingFor: "pat_1001", waitingForName: named })];
  assert.deepEqual(waitingPatients(queue).patients, [{ patientId: "pat_1001", name: named, count: 2 }]);
});

test("a second click right after Remove removes nothing, even once the next row moved up", () => {
  let clock = 1000;
  const guard = removeGuard(() => clock);
  assert.equal(guard.allows(), true);
  guard.start();
  assert.equal(guard.allows(), false, "while the first Remove runs");
  assert.equal(guard.wait(), Infinity);
  clock += 2000;
  assert.equal(guard.allows(), false, "however long Rust takes, until the list is drawn again");
  guard.done();
  clock += REMOVE_QUIET_MS - 1;
  assert.equal(guard.allows(), false, "a double-click's second click on the row that moved up");
  assert.equal(guard.wait(), 1);
  clock += 1;
  assert.equal(guard.allows(), true, "a deliberate next Remove works");
});

test("a file waiting for the network counts down to its next try", () => {
  assert.equal(countdown(65_000, 0), " — next try in 1:05");
  assert.equal(countdown(9_001, 0), " — next try in 0:10");
  assert.equal(countdown(1_000, 1_000), " — trying now");
  const row = queueRow({ status: "Waiting for the network, sends by itself", retryAt: 42_000, notes: [], fromInbox: false,
    contentType: "text/plain" }, 0);
  assert.equal(row.status, "Waiting for the network, sends by itself — next try in 0:42");
});
