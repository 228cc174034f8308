// Scanning paper from the network scanner the settings name: the pages come in one by one, the
// person checks them (puts one earlier or later, turns it, removes it), and the kept pages join
// the list as one scan waiting for its own patient, given in the scan sorter like any scan. Rust
// holds the pages and makes the PDF (scan_paper, scan_page, keep_scan); this module draws the
// page strip and keeps its order.
import { call, describe, scanPaper } from "./api.js";
import { $, button, item, setStatus } from "./dom.js";

// The pages in hand, in the order they will be kept: each with its place among the pages Rust
// holds, its turn (clockwise degrees) and its thumbnail once loaded.
let pages = [];
// How many pages Rust holds (removed ones included, until the scan is kept or discarded).
let held = 0;
let scanning = false;
let hooks = { busy: () => false, added: () => {} };

// A page moved `delta` places (−1 earlier, +1 later); the list as it was at either end.
export function movePage(list, at, delta) {
  const to = at + delta;
  if (to < 0 || to >= list.length) return list;
  const moved = [...list];
  [moved[at], moved[to]] = [moved[to], moved[at]];
  return moved;
}

// A page turned a quarter clockwise.
export function turnPage(list, at) {
  return list.map((p, i) => (i === at ? { ...p, turn: (p.turn + 90) % 360 } : p));
}

export function removePage(list, at) {
  return list.filter((_, i) => i !== at);
}

// What keep_scan is given: each kept page's place among those Rust holds, and its turn.
export function keptPages(list) {
  return list.map(({ index, turn }) => ({ index, turn }));
}

function count(n) {
  return n === 1 ? "1 page" : `${n} pages`;
}

// The status line after a scan: how many pages are in hand and, if the scanner stopped early,
// why (the pages received are kept).
export function scanDoneText({ pages: inHand, stopped }, added) {
  if (stopped) {
    return added > 0
      ? `${stopped}. The ${count(added)} received before it stopped are below; scan the rest, or add these to the list.`
      : `${stopped}.`;
  }
  return `${count(inHand)} scanned. Check them (order, turn, remove), then add them to the list.`;
}

// The options as scan_paper takes them, from the dialog's fields.
export function scanOptions({ glass, twoSided, grey, resolution }) {
  return { glass, twoSided: twoSided && !glass, grey, resolution: Number(resolution) };
}

// `busy()`: whether the window's own upload runs; `added(text)`: after a scan joined the list,
// with what to say of it.
export function initScan(given) {
  hooks = given;
  $("scan-open").addEventListener("click", openScan);
  $("scan-form").addEventListener("submit", (e) => {
    e.preventDefault();
    startScan();
  });
  $("scan-stop").addEventListener("click", () => call("cancel_scan").catch(() => {}));
  $("scan-keep").addEventListener("click", keep);
  $("scan-discard").addEventListener("click", discard);
  $("scan-close").addEventListener("click", () => $("scan-dialog").close());
  $("scan-dialog").addEventListener("cancel", (e) => {
    if (scanning) e.preventDefault(); // Escape does not hide a scan that is still coming in.
  });
  $("save-scanner").addEventListener("click", saveScanner);
  $("find-scanners").addEventListener("click", findScanners);
}

// The line after looking for scanners on the network.
export function foundText(found) {
  if (found.length === 0) {
    return "No scanner answered on this network. Type its address: IT or the scanner's own panel gives it.";
  }
  return `${found.length === 1 ? "1 scanner" : `${found.length} scanners`} found: choose one, then press Check and save scanner.`;
}

// One scanner found on the network, as its button says it.
export function foundLabel(scanner) {
  return `${scanner.name} — ${scanner.url}`;
}

async function findScanners() {
  $("find-scanners").disabled = true;
  fillFound([]);
  setStatus("scanner-status", "Looking for scanners on the network (a few seconds)…");
  try {
    const found = await call("find_scanners");
    fillFound(found);
    setStatus("scanner-status", foundText(found));
  } catch (err) {
    setStatus("scanner-status", describe(err), true);
  } finally {
    $("find-scanners").disabled = $("scanner-address").readOnly;
  }
}

function fillFound(found) {
  $("found-scanners").hidden = found.length === 0;
  $("found-scanners").replaceChildren(...found.map((scanner) => item(button(foundLabel(scanner), () => {
    $("scanner-address").value = scanner.url;
    $("save-scanner").focus();
    setStatus("scanner-status", `${scanner.name} chosen: press Check and save scanner to use it.`);
  }))));
}

// Reads which scanner the settings name: fills the settings field and shows Scan paper when
// there is one.
export async function loadScanner() {
  const scanner = await call("scanner");
  showScanner(scanner);
}

function showScanner(scanner) {
  $("scanner-address").value = scanner.address ?? "";
  $("scanner-address").readOnly = scanner.locked;
  $("save-scanner").disabled = scanner.locked;
  $("find-scanners").disabled = scanner.locked;
  $("scan-open").hidden = !scanner.address;
}

async function saveScanner() {
  setStatus("scanner-status", "Asking the scanner…");
  try {
    const scanner = await call("save_scanner", { address: $("scanner-address").value });
    showScanner(scanner);
    setStatus("scanner-status", scanner.address
      ? `Saved: ${scanner.name ?? "the scanner"} answered.`
      : "No scanner is set up.");
  } catch (err) {
    setStatus("scanner-status", describe(err), true);
  }
}

function openScan() {
  $("scan-dialog").showModal();
  if (!pages.length) {
    setStatus("scan-status", "Put the pages in the scanner's feeder (or one page on the glass), then press Scan.");
  }
  renderPages();
  $("scan-start").focus();
}

function setScanning(on) {
  scanning = on;
  $("scan-start").disabled = on;
  $("scan-stop").hidden = !on;
  $("scan-keep").disabled = on || pages.length === 0;
  $("scan-discard").disabled = on || pages.length === 0;
}

async function startScan() {
  if (scanning) return;
  const options = scanOptions({
    glass: $("scan-glass").checked,
    twoSided: $("scan-two-sided").checked,
    grey: $("scan-grey").checked,
    resolution: $("scan-resolution").value,
  });
  const before = held;
  setScanning(true);
  setStatus("scan-status", "Scanning…");
  try {
    const outcome = await scanPaper(options, (inHand) => {
      setStatus("scan-status", `Scanning… ${count(inHand - before)} received`);
    });
    const added = outcome.pages - before;
    for (let index = before; index < outcome.pages; index += 1) pages.push({ index, turn: 0, thumb: null });
    held = outcome.pages;
    setStatus("scan-status", scanDoneText(outcome, added), Boolean(outcome.stopped));
  } catch (err) {
    setStatus("scan-status", describe(err), true);
  } finally {
    setScanning(false);
    renderPages();
  }
}

// What the window says once kept pages joined the list.
export function keptText({ documents, emptySheets }) {
  const split = documents.length > 1
    ? `The stack was split at its cover sheets into ${documents.length} documents; each waits for its patient.`
    : "The scan was added to the list.";
  const empty = emptySheets === 1
    ? " 1 cover sheet had no pages after it."
    : emptySheets > 1 ? ` ${emptySheets} cover sheets had no pages after them.` : "";
  return `${split}${empty} Press Sort scans to give ${documents.length > 1 ? "each" : "it"} its patient.`;
}

// What the window says once dropped, picked or inbox files held scanned stacks that were split at
// their cover sheets (the "stacks-split" event): the stacks themselves are not in the list.
export function splitText({ stacks, sheets, documents, emptySheets }) {
  const plural = (n, one, many) => (n === 1 ? `1 ${one}` : `${n} ${many}`);
  const what = stacks === 1 ? "A scanned stack was" : `${stacks} scanned stacks were`;
  const empty = emptySheets === 1
    ? " 1 cover sheet had no pages after it."
    : emptySheets > 1 ? ` ${emptySheets} cover sheets had no pages after them.` : "";
  return `${what} split at ${plural(sheets, "cover sheet", "cover sheets")} into ${plural(documents, "document", "documents")}; `
    + `the cover sheets are not sent.${empty} Press Sort scans to give each document its patient.`;
}

async function keep() {
  try {
    const kept = await call("keep_scan", { pages: keptPages(pages) });
    pages = [];
    held = 0;
    $("scan-dialog").close();
    hooks.added(keptText(kept));
  } catch (err) {
    setStatus("scan-status", describe(err), true);
  }
}

async function discard() {
  await call("discard_scan").catch(() => {});
  pages = [];
  held = 0;
  setStatus("scan-status", "The pages were discarded. Nothing was added to the list.");
  renderPages();
  setScanning(false);
}

function edit(change) {
  pages = change(pages);
  renderPages();
}

function renderPages() {
  const strip = $("scan-pages");
  strip.replaceChildren(...pages.map((page, at) => pageTile(page, at)));
  $("scan-keep").disabled = scanning || pages.length === 0;
  $("scan-discard").disabled = scanning || pages.length === 0;
  // One document, one resolution: more pages for it are scanned as the first ones were.
  $("scan-resolution").disabled = scanning || held > 0;
}

function pageTile(page, at) {
  const li = document.createElement("li");
  li.className = "scan-page";
  const img = document.createElement("img");
  img.alt = `Page ${at + 1}`;
  img.className = `turn-${page.turn}`;
  if (page.thumb) img.src = page.thumb;
  else {
    call("scan_page", { index: page.index }).then((thumb) => {
      page.thumb = thumb;
      img.src = thumb;
    }).catch(() => {});
  }
  const label = document.createElement("p");
  label.textContent = page.turn ? `Page ${at + 1}, turned ${page.turn}°` : `Page ${at + 1}`;
  const tools = document.createElement("div");
  tools.className = "buttons";
  tools.append(
    button("Earlier", () => edit((l) => movePage(l, at, -1)), { label: `Move page ${at + 1} earlier` }),
    button("Later", () => edit((l) => movePage(l, at, 1)), { label: `Move page ${at + 1} later` }),
    button("Turn", () => edit((l) => turnPage(l, at)), { label: `Turn page ${at + 1} a quarter clockwise` }),
    button("Remove", () => edit((l) => removePage(l, at)), { label: `Remove page ${at + 1}` }),
  );
  li.append(img, label, tools);
  return li;
}
