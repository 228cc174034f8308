// `node --test ui/tests`: an unattended window clears the patient, but never in the middle of an upload.
import { test } from "node:test";
import assert from "node:assert/strict";
import { clearedText, idleTimer } from "../idle.js";

// A clock the test moves by hand.
function clock() {
  let now = 0;
  let timers = [];
  return {
    setTimer: (fn, ms) => { const t = { fn, at: now + ms }; timers.push(t); return t; },
    clearTimer: (t) => { timers = timers.filter((x) => x !== t); },
    advance(ms) {
      now += ms;
      for (const t of timers.filter((x) => x.at <= now)) {
        timers = timers.filter((x) => x !== t);
        t.fn();
      }
    },
  };
}

test("the patient is cleared once the period passes without input, and input starts it again", () => {
  const c = clock();
  let cleared = 0;
  const timer = idleTimer({ afterMs: 1000, onIdle: () => cleared++, ...c });
  c.advance(900);
  timer.touch();
  c.advance(900);
  assert.equal(cleared, 0, "input a moment ago: not idle");
  c.advance(100);
  assert.equal(cleared, 1);
  c.advance(5000);
  assert.equal(cleared, 1, "once per idle period");
});

test("never during an upload: it waits for another period once the upload is over", () => {
  const c = clock();
  let busy = true;
  let cleared = 0;
  idleTimer({ afterMs: 1000, onIdle: () => cleared++, busy: () => busy, ...c });
  c.advance(1000);
  assert.equal(cleared, 0);
  busy = false;
  c.advance(1000);
  assert.equal(cleared, 1);
});

test("the window says why the patient left", () => {
  assert.equal(clearedText(300000),
    "The patient was cleared after 5 minutes without use. Search for the patient again; files in the list are kept.");
  assert.match(clearedText(60000), /after 1 minute without/);
});
