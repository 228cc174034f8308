// Closing the window while files are being sent asks first: closing stops the upload. The
// question opens on "Keep sending", so a reflex Enter or a second click on the close button
// loses nothing. Rust keeps the window open until "Stop and close" (close_anyway).
import { call, onCloseAsked } from "./api.js";
import { $ } from "./dom.js";

// What the question says, naming the patient the files go to when the window knows them.
export function closeQuestion(patient) {
  const whom = patient ? ` to ${patient.name}` : "";
  return `Files are still being sent${whom}. If you close now, the upload stops: files not yet `
    + "in the chart stay in the list and are checked against the chart before they are sent again.";
}

// `sendingTo()` is the patient files are being sent to, or null.
export async function initClosing({ sendingTo }) {
  $("close-keep").addEventListener("click", () => $("close-dialog").close());
  $("close-anyway").addEventListener("click", () => call("close_anyway"));
  await onCloseAsked(() => {
    const dialog = $("close-dialog");
    $("close-what").textContent = closeQuestion(sendingTo());
    if (!dialog.open) dialog.showModal();
    $("close-keep").focus();
  });
}
