// The few ways the other modules touch the page. Text always goes in as textContent, so nothing
// that came from a chart or a file name is ever read as markup.

export const $ = (id) => document.getElementById(id);

// A status line: its text, shown as an error or not.
export function setStatus(id, text, isError = false) {
  const el = $(id);
  el.textContent = text;
  el.classList.toggle("error", isError);
}

export function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

// A plain button (never a form's submit); `label` is what a screen reader announces when the
// visible text alone would be ambiguous, `focusKey` lets a re-render give the focus back.
export function button(text, onClick, { label, focusKey, className } = {}) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  if (className) b.className = className;
  if (label) b.setAttribute("aria-label", label);
  if (focusKey) b.dataset.focusKey = focusKey;
  b.addEventListener("click", onClick);
  return b;
}

// A list item holding one element.
export function item(child, className) {
  const li = document.createElement("li");
  if (className) li.className = className;
  li.append(child);
  return li;
}

// Fills the list `id` with one item per text (warnings, look-alikes), hidden when there are none.
export function fillList(id, texts) {
  const list = $(id);
  list.hidden = texts.length === 0;
  list.replaceChildren(...texts.map((text) => {
    const li = document.createElement("li");
    li.textContent = text;
    return li;
  }));
}
