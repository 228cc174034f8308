// The history of uploads from this computer, searched in Rust (list_history); this module shows
// the entries it returns.
import { call, describe } from "./api.js";
import { $, cell, setStatus } from "./dom.js";

// One entry's cells: when (the stored timestamp, to the minute), patient id, name in
// chart, the file's own name without its folder, attachment id.
export function historyCells(h) {
  return [h.uploadedAt.slice(0, 16).replace("T", " "), h.patientId, h.name, h.fileName.split(/[\\/]/).pop(),
    h.attachmentId];
}

export function historyStatus(entries) {
  return entries.length ? `${entries.length} upload(s).` : "No uploads found.";
}

// The history leaves the window (it names patients): an unattended screen shows none.
export function clearHistory() {
  $("history").querySelector("tbody").replaceChildren();
  $("history").hidden = true;
  $("history-term").value = "";
  setStatus("history-status", "");
}

export function initHistory() {
  $("history-search").addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = $("history").querySelector("tbody");
    try {
      const entries = await call("list_history", { text: $("history-term").value });
      body.replaceChildren(...entries.map((h) => {
        const tr = document.createElement("tr");
        tr.append(...historyCells(h).map(cell));
        return tr;
      }));
      $("history").hidden = entries.length === 0;
      setStatus("history-status", historyStatus(entries));
    } catch (err) {
      setStatus("history-status", describe(err), true);
    }
  });
}
