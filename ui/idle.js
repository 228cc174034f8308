// An unattended window shows no patient: after a period without input (Rust's policy, which IT can
// lock) the chosen patient, the results and the history leave the window. Never while files are
// being sent: then it waits until the upload ends and the period has passed again.

// The kinds of input that count as someone at the window.
export const INPUT_EVENTS = ["keydown", "pointerdown", "pointermove", "wheel", "touchstart"];

// A timer that calls `onIdle` once `afterMs` pass without `touch()`; while `busy()` it waits
// another period instead. `setTimer`/`clearTimer` are the clock (the page's, or a test's).
export function idleTimer({ afterMs, onIdle, busy = () => false, setTimer = setTimeout, clearTimer = clearTimeout }) {
  let handle = null;
  const arm = () => {
    if (handle !== null) clearTimer(handle);
    handle = setTimer(() => {
      handle = null;
      if (busy()) arm();
      else onIdle();
    }, afterMs);
  };
  arm();
  return {
    touch: arm,
    stop() {
      if (handle !== null) clearTimer(handle);
      handle = null;
    },
  };
}

// What the window says once it cleared itself.
export function clearedText(afterMs) {
  const minutes = Math.round(afterMs / 60000);
  const after = minutes >= 1 ? `${minutes} minute${minutes === 1 ? "" : "s"}` : "a while";
  return `The patient was cleared after ${after} without use. Search for the patient again; files in the list are kept.`;
}

// Watches the page's input and clears it when idle.
export function watchIdle({ afterMs, onIdle, busy }) {
  const timer = idleTimer({ afterMs, onIdle, busy });
  for (const kind of INPUT_EVENTS) {
    document.addEventListener(kind, timer.touch, { capture: true, passive: true });
  }
  return timer;
}
