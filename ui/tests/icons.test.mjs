// `node --test ui/tests`: a file's type icon: its colour family and its label, put in as text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { typeIcon, typeKind } from "../icons.js";

test("each content type has a colour family, and an unknown one is plain", () => {
  assert.equal(typeKind("application/pdf"), "pdf");
  assert.equal(typeKind("image/tiff"), "image");
  assert.equal(typeKind("text/plain"), "text");
  assert.equal(typeKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document"), "office");
  assert.equal(typeKind("application/msword"), "office");
  assert.equal(typeKind("application/octet-stream"), "other");
  assert.equal(typeKind(null), "other");
});

test("the icon is a hidden SVG page whose label is text, coloured by kind", () => {
  const made = [];
  globalThis.document = {
    createElementNS: (ns, name) => {
      const el = { ns, name, attributes: {}, children: [], textContent: "" };
      el.setAttribute = (k, v) => { el.attributes[k] = v; };
      el.append = (...kids) => el.children.push(...kids);
      made.push(el);
      return el;
    },
  };
  const icon = typeIcon("application/pdf");
  assert.equal(icon.ns, "http://www.w3.org/2000/svg");
  assert.equal(icon.attributes["aria-hidden"], "true");
  assert.match(icon.attributes.class, /\btype-pdf\b/);
  const label = icon.children.find((c) => c.name === "text");
  assert.equal(label.textContent, "PDF");
  assert.ok(made.every((el) => el.ns === "http://www.w3.org/2000/svg"));
});
