// `node --test ui/tests`: previews load for rows on screen, two at a time, none while scrolling.
import { test } from "node:test";
import assert from "node:assert/strict";
import { previewPump } from "../previews.js";

// A loader whose loads finish when the test says so.
function loader() {
  const started = [];
  const finish = new Map();
  const load = (target) => {
    started.push(target.name);
    return new Promise((resolve) => finish.set(target.name, resolve));
  };
  return { started, load, finish: async (name) => { finish.get(name)(); await new Promise((r) => setTimeout(r, 0)); } };
}
const row = (name) => ({ name, isConnected: true });
const seen = (...rows) => rows.map((target) => ({ target, isIntersecting: true }));

test("at most two previews load at a time; the next starts when one finishes", async () => {
  const { started, load, finish } = loader();
  const pump = previewPump(load);
  pump.update(seen(row("a"), row("b"), row("c")));
  assert.deepEqual(started, ["a", "b"]);
  await finish("a");
  assert.deepEqual(started, ["a", "b", "c"]);
});

test("nothing loads while scrolling; rows scrolled past are skipped", () => {
  const { started, load } = loader();
  const pump = previewPump(load);
  pump.pause();
  const a = row("a");
  pump.update(seen(a, row("b")));
  pump.update([{ target: a, isIntersecting: false }]);
  assert.deepEqual(started, []);
  pump.resume();
  assert.deepEqual(started, ["b"], "the row that left the screen is not loaded");
});

test("rows no longer on the page, or forgotten by a re-render, are not loaded", () => {
  const { started, load } = loader();
  const pump = previewPump(load);
  pump.pause();
  pump.update(seen({ name: "gone", isConnected: false }, row("kept")));
  pump.resume();
  assert.deepEqual(started, ["kept"]);
  pump.pause();
  pump.update(seen(row("old")));
  pump.clear();
  pump.resume();
  assert.deepEqual(started, ["kept"], "a cleared row is not loaded");
});

test("a preview that fails frees its place", async () => {
  const started = [];
  const pump = previewPump((t) => {
    started.push(t.name);
    if (t.name === "bad") throw new Error("no preview");
    return new Promise(() => {});
  }, { limit: 1 });
  pump.update(seen(row("bad"), row("next")));
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(started, ["bad", "next"]);
});
