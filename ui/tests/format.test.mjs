// The UI's own logic, run with `node --test ui/tests`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatBytes, formatEta, progressText, typeLabel } from "../format.js";

test("sizes read naturally", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(1536), "1.5 KiB");
  assert.equal(formatBytes(5 * 1024 * 1024), "5.0 MiB");
});

test("time left is omitted until a speed is known, then rounded up", () => {
  assert.equal(formatEta(100, 0), "");
  assert.equal(formatEta(0, 10), "");
  assert.equal(formatEta(101, 10), "11 s left");
  assert.equal(formatEta(3700 * 10, 10), "1 h 1 min left");
});

test("100 % is shown as the server storing the files, not as done", () => {
  assert.equal(progressText(10, 10, 5, ""), "All sent; Decoda is storing the files…");
  assert.equal(progressText(512, 1024, 0, ""), "50 % (512 B of 1.0 KiB)");
});

test("file types get short labels people know", () => {
  assert.equal(typeLabel("application/pdf"), "PDF");
  assert.equal(typeLabel("text/plain"), "TXT");
  assert.equal(typeLabel("image/jpeg"), "JPG");
  assert.equal(typeLabel("image/svg+xml"), "SVG");
  assert.equal(typeLabel("application/x-dicom"), "DICO");
  assert.equal(typeLabel(null), "FILE");
});
