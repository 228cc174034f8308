// The window: wires the modules of each step together and starts them. No secrets and no business
// rules live in the page: it shows what Rust reports and forwards clicks (see api.js, the only
// module that calls Rust). Patient data is rendered with textContent only.
import { call, describe, inApp, onDragging, onInboxChanged, onQueueChanged, onSentByItself, onStacksSplit } from "./api.js";
import { $, setStatus } from "./dom.js";
import { initClosing } from "./closing.js";
import { clearHistory, initHistory, refreshHistory } from "./history.js";
import { clearedText, watchIdle } from "./idle.js";
import { choosePatient, chosenPatient, clearPatient, forgetPatient, initPatient, lockPatient } from "./patient.js";
import { closeMove, initMove } from "./move.js";
import { initPreviews } from "./previews.js";
import { currentQueue, initQueue, refreshQueue, scansToSort } from "./queue.js";
import { initScan, loadScanner, splitText } from "./scan.js";
import { initSettings, loadSettings, refreshSettings, showSettings } from "./settings.js";
import { closeSort, initSort, isSorting, renderSortPanel, sortingTo } from "./sort.js";
import { initViews } from "./views.js";
import { clearResults, closeConfirm, initUpload, isUploading, sentByItselfText, updateUploadButton } from "./upload.js";

// The first frame drawn after the page was read: the first paint, where the web view does not
// report one itself.
let firstFrame = null;
globalThis.requestAnimationFrame?.(() => {
  firstFrame = performance.now();
});

// How long ago the window first drew, for the launch log line (window_ready).
function firstPaintAgo() {
  const paint = performance.getEntriesByType?.("paint").find((e) => e.name === "first-contentful-paint");
  const at = paint?.startTime ?? firstFrame ?? performance.now();
  return Math.max(0, performance.now() - at);
}

async function start() {
  if (!inApp) {
    document.body.textContent = "Open this page inside the Decoda Uploader app.";
    return false;
  }
  // Which files go now depends on the patient: a new choice lists the queue again.
  // Another patient: the last one's results and sent files leave the window, so nothing shown
  // next to the new banner belongs to someone else.
  const newPatient = async () => {
    clearResults();
    await call("clear_uploaded");
  };
  initPatient({ onChange: refreshQueue, isLocked: isUploading, onNewPatient: newPatient });
  const rendered = (upload) => {
    updateUploadButton(upload);
    renderSortPanel();
  };
  initQueue({ patientId: () => chosenPatient()?.id ?? null, choosePatient, rendered });
  initPreviews();
  initUpload({ patient: chosenPatient, queue: currentQueue, refreshQueue, lockPatient });
  // Patient ids mean a person only on one server and tenant: another one clears the choice.
  initSettings({ onAccountChanged: forgetPatient });
  initHistory();
  // The history lists the latest uploads each time it is opened.
  initViews({ history: refreshHistory });
  // A moved file: the history lists it again, with the move.
  initMove({ onMoved: refreshHistory });
  // Scans from the scanner get their own patient, one at a time.
  initSort({ waiting: scansToSort, queue: currentQueue, refreshQueue, busy: isUploading });
  initScan({
    busy: isUploading,
    added: (text) => setStatus("upload-status", text),
  });

  const policy = await call("patient_policy");
  watchIdle({
    afterMs: policy.clearAfterMs,
    busy: () => isUploading() || isSorting(),
    onIdle: async () => {
      closeSort();
      closeMove();
      closeConfirm();
      clearResults();
      clearHistory();
      await clearPatient(clearedText(policy.clearAfterMs));
    },
  });

  await initClosing({ sendingTo: () => (isUploading() ? chosenPatient() : sortingTo()) });

  const info = await call("app_info");
  $("version").textContent = `Version ${info.version}`;
  await onQueueChanged(refreshQueue);
  await onInboxChanged(refreshSettings);
  // Files dragged over the window: the whole window is the drop zone, and says so.
  await onDragging((over) => document.body.classList.toggle("dragging", over));
  await onSentByItself((summary) => setStatus("upload-status", sentByItselfText(summary), summary.failed > 0));
  await onStacksSplit((splits) => setStatus("upload-status", splitText(splits)));
  await refreshQueue();
  await loadSettings().catch((err) => {
    showSettings(true);
    setStatus("settings-status", describe(err), true);
  });
  await loadScanner().catch((err) => setStatus("scanner-status", describe(err), true));
  return true;
}

start()
  .then((started) => started && call("window_ready", { firstPaintAgoMs: firstPaintAgo() }))
  .catch(() => {});
