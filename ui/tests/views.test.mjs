// The window's views: one shown at a time, and the header says which.
import { test } from "node:test";
import assert from "node:assert/strict";
import { VIEWS, viewState } from "../views.js";

test("exactly one view is shown, and its button is the current one", () => {
  for (const name of Object.keys(VIEWS)) {
    const state = viewState(name);
    assert.equal(state.filter((v) => v.shown).length, 1, name);
    assert.equal(state.find((v) => v.shown).section, VIEWS[name].section);
  }
  assert.deepEqual(viewState("history").map((v) => v.shown), [false, true, false]);
});
