// `node --test ui/tests`: the page helpers put text in as text. A few-line stand-in for the page
// is enough: these helpers use only getElementById, createElement, textContent and classList.
import { test } from "node:test";
import assert from "node:assert/strict";
import { button, cell, setStatus } from "../dom.js";

class FakeElement {
  constructor(tag) {
    this.tagName = tag.toUpperCase();
    this.textContent = "";
    this.attributes = {};
    this.dataset = {};
    this.listeners = {};
    this.classes = new Set();
    this.classList = { toggle: (c, on) => (on ? this.classes.add(c) : this.classes.delete(c)) };
  }
  set innerHTML(_) {
    throw new Error("innerHTML used: data would be read as markup");
  }
  setAttribute(name, value) {
    this.attributes[name] = value;
  }
  addEventListener(type, fn) {
    this.listeners[type] = fn;
  }
}
const byId = {};
globalThis.document = {
  getElementById: (id) => byId[id],
  createElement: (tag) => new FakeElement(tag),
};

test("a status line shows its text and marks errors, and a later plain text clears the mark", () => {
  byId.status = new FakeElement("p");
  setStatus("status", "Patient not found", true);
  assert.equal(byId.status.textContent, "Patient not found");
  assert.ok(byId.status.classes.has("error"));
  setStatus("status", "Saved.");
  assert.ok(!byId.status.classes.has("error"), "an old error's style does not stay on a new message");
});

test("cells and buttons take patient data as text", () => {
  const name = "<img src=x onerror=alert(1)>";
  assert.equal(cell(name).textContent, name);
  let clicked = 0;
  const b = button(name, () => (clicked += 1), { label: `Open ${name}`, focusKey: "1:remove", className: "patient-hit" });
  assert.equal(b.type, "button", "never a form's submit button");
  assert.equal(b.textContent, name);
  assert.equal(b.attributes["aria-label"], `Open ${name}`);
  assert.equal(b.dataset.focusKey, "1:remove");
  assert.equal(b.className, "patient-hit");
  b.listeners.click();
  assert.equal(clicked, 1);
});
