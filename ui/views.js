// The window's three views: sending files, the history, and settings. One is shown at a time;
// the header's buttons switch between them and mark the current one for screen readers.
import { $ } from "./dom.js";

// Each view's section and the header button that shows it.
export const VIEWS = {
  send: { section: "main", button: "view-send" },
  history: { section: "history-view", button: "view-history" },
  settings: { section: "settings", button: "open-settings" },
};

// Which sections are hidden and which button is current when `name` is shown.
export function viewState(name) {
  return Object.entries(VIEWS).map(([key, v]) => ({ ...v, shown: key === name }));
}

let current = "send";
let opened = {};

// `onOpen[name]()` runs each time that view is shown (the history lists itself again).
export function initViews(onOpen = {}) {
  opened = onOpen;
  $("view-send").addEventListener("click", () => showView("send"));
  $("view-history").addEventListener("click", () => showView("history"));
  $("history-view").addEventListener("keydown", (e) => {
    if (e.key === "Escape") showView("send");
  });
}

// The view now shown.
export function currentView() {
  return current;
}

// Shows one view; the keyboard focus goes to its first field, or stays on the button pressed.
export function showView(name, focus = null) {
  current = name;
  for (const v of viewState(name)) {
    $(v.section).hidden = !v.shown;
    if (v.shown) $(v.button).setAttribute("aria-current", "page");
    else $(v.button).removeAttribute("aria-current");
  }
  opened[name]?.();
  (focus ? $(focus) : $(VIEWS[name].button)).focus();
}
