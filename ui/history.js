// The history of uploads from this computer, searched in Rust (list_history); this module shows
// the entries it returns.
import { call, describe } from "./api.js";
import { $, button, cell, setStatus } from "./dom.js";
import { historyMovesText, MOVE_TEXT, moveLabel, movedText, openMove } from "./move.js";

// A patient of a history row as Rust named them (name, date of birth, ID), or their id.
export function patientNamed(h, id) {
  return h.patients?.[id] ?? `patient ${id}`;
}

// One entry's cells: when (the stored timestamp, to the minute), the patient it is on, name in
// chart, the file's own name without its folder, attachment id.
export function historyCells(h) {
  return [h.uploadedAt.slice(0, 16).replace("T", " "), patientNamed(h, h.patientId), h.name,
    h.fileName.split(/[\\/]/).pop(), h.attachmentId];
}

export function historyStatus(entries) {
  if (!entries.length) return "No uploads found.";
  return entries.length === 1 ? "1 upload." : `${entries.length} uploads.`;
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
    await refreshHistory();
  });
}

// Lists the history again (after a search, or a move).
export async function refreshHistory() {
  const body = $("history").querySelector("tbody");
  try {
    const entries = await call("list_history", { text: $("history-term").value });
    body.replaceChildren(...entries.map((h) => {
      const tr = document.createElement("tr");
      tr.append(...historyCells(h).map(cell));
      const moves = cell(historyMovesText(h.moves, (id) => patientNamed(h, id)));
      moves.className = "moved";
      const actions = document.createElement("td");
      const label = h.name || h.fileName;
      actions.append(button(MOVE_TEXT, async (e) => {
        const done = await openMove({ attachmentId: h.attachmentId, name: label, opener: e.currentTarget });
        if (!done) return;
        setStatus("history-status", movedText(done));
        // The rows were listed again: the focus goes to the same file's button.
        body.querySelector(`[data-focus-key="${CSS.escape(`move-${h.attachmentId}`)}"]`)?.focus();
      }, { label: moveLabel(label), className: "move", focusKey: `move-${h.attachmentId}` }));
      tr.append(moves, actions);
      return tr;
    }));
    $("history").hidden = entries.length === 0;
    setStatus("history-status", historyStatus(entries));
  } catch (err) {
    setStatus("history-status", describe(err), true);
  }
}
