// The window: wires the modules of each step together and starts them. No secrets and no business
// rules live in the page: it shows what Rust reports and forwards clicks (see api.js, the only
// module that calls Rust). Patient data is rendered with textContent only.
import { call, describe, inApp, onInboxChanged, onQueueChanged } from "./api.js";
import { $, setStatus } from "./dom.js";
import { initHistory } from "./history.js";
import { choosePatient, chosenPatient, forgetPatient, initPatient } from "./patient.js";
import { initPreviews } from "./previews.js";
import { currentQueue, initQueue, refreshQueue } from "./queue.js";
import { initSettings, loadSettings, refreshSettings, showSettings } from "./settings.js";
import { initUpload, updateUploadButton } from "./upload.js";

async function start() {
  if (!inApp) {
    document.body.textContent = "Open this page inside the Decoda Uploader app.";
    return;
  }
  // Which files go now depends on the patient: a new choice lists the queue again.
  initPatient({ onChange: refreshQueue });
  initQueue({ patientId: () => chosenPatient()?.id ?? null, choosePatient, rendered: updateUploadButton });
  initPreviews();
  initUpload({ patient: chosenPatient, queue: currentQueue, refreshQueue });
  // Patient ids mean a person only on one server and tenant: another one clears the choice.
  initSettings({ onAccountChanged: forgetPatient });
  initHistory();

  const info = await call("app_info");
  $("version").textContent = `Version ${info.version}`;
  await onQueueChanged(refreshQueue);
  await onInboxChanged(refreshSettings);
  await refreshQueue();
  await loadSettings().catch((err) => {
    showSettings(true);
    setStatus("settings-status", describe(err), true);
  });
}

start();
