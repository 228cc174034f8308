// `node --test ui/tests`: rules about the UI's modules as a whole.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";

const dir = new URL("../", import.meta.url);
const modules = readdirSync(dir).filter((f) => f.endsWith(".js"));
const source = (f) => readFileSync(new URL(f, dir), "utf8");

test("no module writes markup: patient data goes in with textContent", () => {
  for (const f of modules) {
    assert.doesNotMatch(source(f), /innerHTML|outerHTML\s*=|insertAdjacentHTML|document\.write/, f);
  }
});

test("only api.js talks to Rust", () => {
  for (const f of modules.filter((f) => f !== "api.js")) {
    assert.doesNotMatch(source(f), /__TAURI__|\binvoke\(|new\s+\w*Channel/, f);
  }
});

test("the page loads main.js as a module, and no script is inline (the CSP forbids it)", () => {
  const html = readFileSync(new URL("index.html", dir), "utf8");
  const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1);
  assert.match(scripts[0][0], /type="module"/);
  assert.match(scripts[0][0], /src="main.js"/);
  assert.equal(scripts[0][1].trim(), "");
  assert.doesNotMatch(html, /\son[a-z]+=/, "no inline event handlers");
});

test("every module but main.js can be imported without a page: each waits to be started", async () => {
  for (const f of modules.filter((f) => f !== "main.js")) {
    await import(new URL(f, dir));
  }
  assert.ok(modules.includes("main.js") && modules.length > 5, `modules found: ${modules}`);
});

test("main.js links (every name it imports exists) and, outside the app, says where to open it", async () => {
  globalThis.document = { body: { textContent: "" } };
  await import(new URL("main.js", dir));
  assert.equal(document.body.textContent, "Open this page inside the Decoda Uploader app.");
});

test("index.html preloads every module main.js imports, so none waits for the one before it", () => {
  const html = readFileSync(new URL("index.html", dir), "utf8");
  const preloaded = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)"/g)].map((m) => m[1]).sort();
  assert.deepEqual(preloaded, modules.filter((f) => f !== "main.js").sort());
});
