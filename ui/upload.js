// Step 3: the Upload button, the upload's progress and cancel, and the results. Which files go is
// what Rust marked sendable for the chosen patient; Rust confirms the patient again before it
// sends anything.
import { call, describe, startUpload } from "./api.js";
import { $, button, fillList, item, setStatus } from "./dom.js";
import { formatEta, progressText } from "./format.js";
import { typeIcon } from "./icons.js";
import { MOVE_TEXT, moveLabel, movedText, openMove } from "./move.js";
import { patientLine } from "./patient.js";

// The Upload button and the hint under it, from what Rust said Upload does (list_queue's
// `upload`, or null before the first listing), the chosen patient (or null) and whether an
// upload is running.
export function uploadControls({ upload, patient, uploading }) {
  const action = patient ? upload?.action : "choosePatient";
  return {
    disabled: uploading || action !== "upload",
    hint: uploading ? ""
      : action === "choosePatient" ? "Choose the patient first (step 1)."
      : action === "allSent" ? "Everything listed has been sent. Add files to send more."
      : action === "addFiles" ? "Add the files to send (step 2)."
      : action === "upload" ? `Ready to send ${files(upload.files)} to ${patientLine(patient)}.`
      : "",
    label: action === "upload" && upload.retry ? "Upload (retry failed files)" : "Upload",
  };
}

// The files that go: those the person saw listed as going when they pressed Upload.
export function sendableIds(queue) {
  return queue.filter((i) => i.sendable).map((i) => i.id);
}

// The progress bar and its line for one cumulative "bytes" event.
export function progressShown(event) {
  return {
    max: Math.max(event.total, 1),
    value: event.sent,
    text: progressText(event.sent, event.total, event.bytesPerSec, formatEta(event.total - event.sent, event.bytesPerSec)),
  };
}

// The status line once an upload finished: Rust counted this upload's files not sent again.
export function summaryStatus(summary, seconds) {
  const again = summary.skipped ? `, ${summary.skipped} already in the chart (not sent again)` : "";
  return {
    text: `${summary.uploaded.length} uploaded, ${summary.failed} not uploaded${again} (${seconds.toFixed(1)} s).`,
    isError: summary.failed > 0,
  };
}

// What the status line says after files that waited for the network were sent by themselves.
export function sentByItselfText(summary) {
  const failed = summary.failed ? `; ${files(summary.failed)} not uploaded (they stay in the list)` : "";
  return `Decoda answered again, and the app sent ${files(summary.uploaded.length)} to ${patientLine(summary.patient)}${failed}.`;
}

// A file's row while it is sent: how much of it has gone, as "Sending… 45%".
export function fileProgressText(sent, size) {
  const percent = size > 0 ? Math.min(100, Math.floor((sent / size) * 100)) : 100;
  return `Sending… ${percent}%`;
}

// Each file that moved shows its own progress in its row's status (not a live region either).
function showFileProgress(files) {
  for (const [id, sent, size] of files) {
    const status = document.querySelector(`#queue tr[data-id="${id}"] td.status`);
    if (status) status.textContent = fileProgressText(sent, size);
  }
}

// What the status line (a live region) says for an upload stage: each stage is announced once per
// upload, however many batches repeat it (`announced` remembers them); `null` when nothing new is
// to be said.
export function announcement(announced, text) {
  if (!text || announced.has(text)) return null;
  announced.add(text);
  return text;
}

// Whose chart the results are in.
export function resultsPatient(patient) {
  return `${patient.name}, born ${patient.born}`;
}

// `1 file`, `3 files`.
export function files(count) {
  return count === 1 ? "1 file" : `${count} files`;
}

// What the confirmation before sending says: the patient in the banner's format, how many files,
// the note if any, every warning the banner shows again, and a button that names the patient.
export function confirmShown({ patient, count, note }) {
  return {
    name: patient.name,
    born: patient.born,
    id: patient.id,
    what: note ? `${files(count)}, attached to the note “${note}”.` : `${files(count)}, not attached to a note.`,
    warnings: [...(patient.archived ? ["This patient's chart is archived."] : []), ...patient.lookAlikes],
    send: `Send ${files(count)} to ${patient.name}`,
  };
}

let uploading = false;
let hooks = {
  patient: () => null, queue: () => [], refreshQueue: async () => {}, lockPatient: () => {},
};

// Whether files are being sent (the patient cannot be changed meanwhile).
export function isUploading() {
  return uploading;
}

// What Rust last said Upload does; the queue's drawing passes it anew each time.
let uploadAction = null;

export function updateUploadButton(upload = uploadAction) {
  uploadAction = upload;
  const shown = uploadControls({ upload, patient: hooks.patient(), uploading });
  $("upload").disabled = shown.disabled;
  $("upload-hint").textContent = shown.hint;
  $("upload").textContent = shown.label;
}

// `patient()` is the chosen patient (or null), `queue()` the queue as last listed,
// `refreshQueue()` lists it again, and `lockPatient(on)` switches the patient search off and on.
export function initUpload(given) {
  hooks = given;
  $("upload").addEventListener("click", upload);
  $("cancel").addEventListener("click", () => call("cancel_upload"));
  $("upload-more").addEventListener("click", async () => {
    await call("clear_uploaded");
    $("results-grid").replaceChildren();
    $("results").hidden = true;
    setStatus("upload-status", "");
    $("add-files").focus();
  });
}

// Asks before anything is sent: a modal naming the patient, focused on Cancel, so no Enter
// pressed in a field ever sends. Resolves true only when the person chose Send.
function confirmUpload(shown) {
  const dialog = $("confirm-upload");
  $("confirm-name").textContent = shown.name;
  $("confirm-born").textContent = shown.born;
  $("confirm-id").textContent = shown.id;
  $("confirm-what").textContent = shown.what;
  fillList("confirm-warnings", shown.warnings);
  $("confirm-send").textContent = shown.send;
  return new Promise((resolve) => {
    const done = (answer) => {
      $("confirm-send").onclick = null;
      $("confirm-cancel").onclick = null;
      dialog.onclose = null;
      if (dialog.open) dialog.close();
      resolve(answer);
    };
    $("confirm-send").onclick = () => done(true);
    $("confirm-cancel").onclick = () => done(false);
    dialog.onclose = () => done(false); // Escape
    dialog.showModal();
    $("confirm-cancel").focus();
  });
}

async function upload() {
  const patient = hooks.patient();
  if (!patient) return;
  const ids = sendableIds(hooks.queue());
  const note = $("note").value ? $("note").selectedOptions[0]?.text : null;
  if (!(await confirmUpload(confirmShown({ patient, count: ids.length, note })))) {
    $("upload").focus();
    return;
  }
  uploading = true;
  hooks.lockPatient(true);
  updateUploadButton();
  $("cancel").hidden = false;
  $("cancel").focus();
  $("status-bar").hidden = false;
  $("progress").value = 0;
  const started = Date.now();
  const announced = new Set();
  setStatus("upload-status", `Sending to ${patientLine(patient)}…`);
  try {
    const summary = await startUpload(patient.id, $("note").value, ids, (event) => {
      if (event.event === "bytes") {
        const shown = progressShown(event);
        $("progress").max = shown.max;
        $("progress").value = shown.value;
        // Not a live region: a screen reader would read every tick. Phases go to upload-status.
        $("progress-text").textContent = `${shown.text} — to ${patient.name}`;
        showFileProgress(event.files);
      } else if (event.event === "status") {
        const said = announcement(announced, event.text);
        if (said) setStatus("upload-status", said);
      }
    });
    const seconds = (Date.now() - started) / 1000;
    const status = summaryStatus(summary, seconds);
    setStatus("upload-status", status.text, status.isError);
    showResults(summary);
  } catch (err) {
    setStatus("upload-status", describe(err), true);
  } finally {
    uploading = false;
    hooks.lockPatient(false);
    $("cancel").hidden = true;
    $("status-bar").hidden = true;
    $("progress-text").textContent = "";
    await hooks.refreshQueue();
    const next = !$("results").hidden ? $("results-title") : !$("upload").disabled ? $("upload") : $("add-files");
    next.focus();
  }
}

// The confirmation leaves the window unanswered (it names the patient): nothing is sent.
export function closeConfirm() {
  const dialog = $("confirm-upload");
  if (dialog.open) dialog.close(); // Its close handler answers "no".
}

// The results leave the window (they name the patient): an unattended screen shows none.
export function clearResults() {
  $("results-grid").replaceChildren();
  $("results").hidden = true;
  setStatus("upload-status", "");
}

function showResults(summary) {
  if (!summary.uploaded.length) return;
  $("results").hidden = false;
  $("results-patient").textContent = resultsPatient(summary.patient);
  const grid = $("results-grid");
  for (const file of summary.uploaded) {
    const figure = document.createElement("div");
    figure.className = "thumb";
    figure.append(typeIcon(file.contentType));
    if (file.thumbnailUrl) {
      call("thumbnail", { url: file.thumbnailUrl }).then((dataUrl) => {
        const img = document.createElement("img");
        img.src = dataUrl;
        img.alt = `Thumbnail of ${file.name}`;
        figure.replaceChildren(img);
      }).catch(() => {});
    }
    const name = document.createElement("p");
    name.textContent = file.name;
    const open = button("Open", () => call("open_link", { url: file.signedUrl }),
      { label: `Open ${file.name} in the browser` });
    const moved = document.createElement("p");
    moved.className = "moved";
    moved.setAttribute("role", "status");
    const move = button(MOVE_TEXT, async () => {
      const done = await openMove({ attachmentId: file.attachmentId, name: file.name, opener: move });
      if (!done) return;
      moved.textContent = movedText(done);
      setStatus("upload-status", `${file.name}: ${movedText(done)}`);
    }, { label: moveLabel(file.name), className: "move" });
    const li = item(figure, "result");
    li.append(name, open, move, moved);
    grid.append(li);
  }
}
