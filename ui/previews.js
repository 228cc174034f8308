// Previews of queued images. Rust makes them (as data: URLs) for rows that are on screen once
// scrolling pauses, at most two at a time, and they are kept by queue id so a re-render does not
// ask again. Rows scrolled past are skipped, so a fast scroll through 2,000 files stays smooth and
// does not queue 2,000 image decodes behind the rows the user stops at.
import { call } from "./api.js";

// Which visible targets to load, and when: fed with IntersectionObserver entries
// ({target, isIntersecting}), it calls `load(target)` (which returns a promise) for targets on
// screen, oldest first, at most `limit` at a time and none while paused; a target that left the
// page (`isConnected` false) or the screen before its turn is never loaded.
export function previewPump(load, { limit = 2 } = {}) {
  const onScreen = new Set();
  let inFlight = 0;
  let paused = false;
  function pump() {
    if (paused) return;
    for (const target of onScreen) {
      if (inFlight >= limit) return;
      onScreen.delete(target);
      if (!target.isConnected) continue;
      inFlight += 1;
      // A preview is a nicety: one that fails to load frees its place like one that loads.
      new Promise((resolve) => resolve(load(target))).catch(() => {}).finally(() => {
        inFlight -= 1;
        pump();
      });
    }
  }
  return {
    update(entries) {
      for (const e of entries) {
        if (e.isIntersecting) onScreen.add(e.target);
        else onScreen.delete(e.target);
      }
      pump();
    },
    clear() {
      onScreen.clear();
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      pump();
    },
  };
}

const previews = new Map();
let observer = null;
let pump = null;

export function initPreviews() {
  pump = previewPump((td) => {
    observer.unobserve(td);
    return loadPreview(td, Number(td.dataset.previewId));
  });
  observer = new IntersectionObserver((entries) => pump.update(entries));
  let scrolling = null;
  window.addEventListener("scroll", () => {
    clearTimeout(scrolling);
    pump.pause();
    scrolling = setTimeout(() => {
      scrolling = null;
      pump.resume();
    }, 150);
  }, { passive: true });
}

// The rows are about to be drawn again: forget the old cells.
export function forgetPreviewCells() {
  observer.disconnect();
  pump.clear();
}

// Shows the preview of queue item `id` in the cell `td`, now if it is known, else once on screen.
export function lazyPreview(td, id) {
  td.dataset.previewId = id;
  if (previews.has(id)) showPreview(td, previews.get(id));
  else observer.observe(td);
}

async function loadPreview(td, id) {
  const url = await call("preview", { id }).catch(() => null);
  if (!url) return;
  previews.set(id, url);
  // Decoded off the page's main work, then swapped in within a frame: the row keeps its size.
  const img = new Image();
  img.decoding = "async";
  img.src = url;
  await img.decode().catch(() => {});
  requestAnimationFrame(() => {
    if (td.isConnected) showPreview(td, url, img);
  });
}

function showPreview(td, url, img = new Image()) {
  img.src = url;
  img.alt = "";
  td.replaceChildren(img);
}
