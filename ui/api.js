// The only module that talks to the Rust side. Every call goes to one of the app's own commands;
// errors arrive as {kind, message}. Importing it outside the app (node --test) is harmless: `inApp`
// is then false and nothing is called.
const tauri = globalThis.__TAURI__;

export const inApp = Boolean(tauri);

export function call(command, args = {}) {
  return tauri.core.invoke(command, args);
}

export function onQueueChanged(handler) {
  return tauri.event.listen("queue-changed", handler);
}

export function onInboxChanged(handler) {
  return tauri.event.listen("inbox-changed", handler);
}

// Files that waited for the network were sent by the app itself once Decoda answered again.
export function onSentByItself(handler) {
  return tauri.event.listen("sent-by-itself", (e) => handler(e.payload));
}

// Scanned stacks among added files were split at their cover sheets: {stacks, sheets, documents,
// emptySheets}.
export function onStacksSplit(handler) {
  return tauri.event.listen("stacks-split", (e) => handler(e.payload));
}

// Files are dragged over the window (true) or no longer are (false).
export function onDragging(handler) {
  return tauri.event.listen("dragging", (e) => handler(e.payload === true));
}

// The window was asked to close while files are being sent (Rust kept it open).
export function onCloseAsked(handler) {
  return tauri.event.listen("close-asked", handler);
}

// Starts an upload; `onEvent` receives cumulative progress events over a Channel.
// Only the files in `fileIds` go: those the person saw listed when they pressed Upload.
// `assignScan` is a scan the person gave this patient in the scan sorter (Rust binds it to the
// patient once it has confirmed them).
export function startUpload(patientId, noteId, fileIds, onEvent, assignScan = null) {
  const channel = new tauri.core.Channel();
  channel.onmessage = onEvent;
  return call("start_upload", { patientId, noteId: noteId || null, fileIds, assignScan, onEvent: channel });
}

// Scans from the network scanner in the settings; `onPage` gets the number of pages in hand after
// each page arrives.
export function scanPaper(options, onPage) {
  const channel = new tauri.core.Channel();
  channel.onmessage = onPage;
  return call("scan_paper", { options, onPage: channel });
}

// An error as a sentence for the user.
export function describe(err) {
  if (err && typeof err === "object" && "message" in err) return err.message;
  return String(err);
}
