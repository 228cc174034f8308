// `node --test ui/tests`: the page strip of a scan: order, turns, removal, and what keep_scan gets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { foundLabel, foundText, keptPages, keptText, movePage, removePage, scanDoneText, scanOptions, splitText,
  turnPage } from "../scan.js";

const three = [0, 1, 2].map((index) => ({ index, turn: 0, thumb: null }));

test("pages move one place at a time and stay put at either end", () => {
  assert.deepEqual(movePage(three, 2, -1).map((p) => p.index), [0, 2, 1]);
  assert.deepEqual(movePage(three, 0, -1).map((p) => p.index), [0, 1, 2]);
  assert.deepEqual(movePage(three, 2, 1).map((p) => p.index), [0, 1, 2]);
});

test("a page turns a quarter at a time, back to upright after four", () => {
  let pages = three;
  for (let i = 0; i < 3; i += 1) pages = turnPage(pages, 1);
  assert.equal(pages[1].turn, 270);
  assert.equal(turnPage(pages, 1)[1].turn, 0);
  assert.equal(three[1].turn, 0, "the list given is not changed");
});

test("keep_scan gets the kept pages in their order, each with its place in hand and its turn", () => {
  const edited = turnPage(movePage(removePage(three, 1), 1, -1), 0);
  assert.deepEqual(keptPages(edited), [{ index: 2, turn: 90 }, { index: 0, turn: 0 }]);
});

test("a scan that stopped says why and that the pages received are kept", () => {
  assert.equal(scanDoneText({ pages: 3, stopped: null }, 3), "3 pages scanned. Check them (order, turn, remove), then add them to the list.");
  const jam = scanDoneText({ pages: 2, stopped: "The scanner's feeder stopped (a page is jammed)" }, 2);
  assert.match(jam, /jammed\)\. The 2 pages received before it stopped are below/);
  assert.equal(scanDoneText({ pages: 0, stopped: "The scanner's feeder is empty" }, 0), "The scanner's feeder is empty.");
});

test("the glass scans one side, whatever the box says", () => {
  assert.deepEqual(scanOptions({ glass: true, twoSided: true, grey: false, resolution: "200" }),
    { glass: true, twoSided: false, grey: false, resolution: 200 });
});

test("kept pages say whether the stack was split at cover sheets, and about sheets with no pages", () => {
  assert.equal(keptText({ documents: [4], emptySheets: 0 }), "The scan was added to the list. Press Sort scans to give it its patient.");
  assert.equal(
    keptText({ documents: [4, 5], emptySheets: 1 }),
    "The stack was split at its cover sheets into 2 documents; each waits for its patient. 1 cover sheet had no pages after it. Press Sort scans to give each its patient.",
  );
});

test("dropped or inbox stacks split at their cover sheets are described, the sheets left out", () => {
  assert.equal(
    splitText({ stacks: 1, sheets: 2, documents: 2, emptySheets: 0 }),
    "A scanned stack was split at 2 cover sheets into 2 documents; the cover sheets are not sent. Press Sort scans to give each document its patient.",
  );
  assert.equal(
    splitText({ stacks: 2, sheets: 3, documents: 1, emptySheets: 1 }),
    "2 scanned stacks were split at 3 cover sheets into 1 document; the cover sheets are not sent. 1 cover sheet had no pages after it. Press Sort scans to give each document its patient.",
  );
});

test("scanners found on the network are named with their address, and none found says what to do", () => {
  assert.match(foundText([]), /^No scanner answered on this network\. Type its address/);
  assert.equal(foundText([{}]), "1 scanner found: choose one, then press Check and save scanner.");
  assert.match(foundText([{}, {}]), /^2 scanners found/);
  assert.equal(foundLabel({ name: "Brother MFC-L2750DW", url: "http://192.168.1.40/eSCL" }),
    "Brother MFC-L2750DW — http://192.168.1.40/eSCL");
});
