// `node --test ui/tests`: only the newest of overlapping requests is used.
import { test } from "node:test";
import assert from "node:assert/strict";
import { latestOnly, Superseded } from "../latest.js";

function later(value, ms, fail = false) {
  return () => new Promise((resolve, reject) => setTimeout(() => (fail ? reject(value) : resolve(value)), ms));
}

test("a late answer to an older request is discarded", async () => {
  const run = latestOnly();
  const a = run(later("notes of A", 30));
  const b = run(later("notes of B", 1));
  assert.equal(await b, "notes of B");
  await assert.rejects(a, Superseded);
});

test("an older request's error is discarded too", async () => {
  const run = latestOnly();
  const a = run(later(new Error("A failed"), 20, true));
  const b = run(later("B", 1));
  assert.equal(await b, "B");
  await assert.rejects(a, Superseded);
});

test("the newest request's own error reaches the caller", async () => {
  const run = latestOnly();
  await assert.rejects(run(later(new Error("B failed"), 1, true)), /B failed/);
});

test("requests one after another are all answered", async () => {
  const run = latestOnly();
  assert.equal(await run(later(1, 1)), 1);
  assert.equal(await run(later(2, 1)), 2);
});
