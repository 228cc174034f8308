// A file's type as a small page icon with its label ("PDF", "JPG"), for rows and result tiles that
// have no picture (yet): the kind sets its colour, so a PDF among photos stands out at a glance.
// Drawn as SVG through the DOM (no markup strings, nothing the strict CSP refuses).
import { typeLabel } from "./format.js";

const SVG = "http://www.w3.org/2000/svg";

// The colour family of a content type: pdf, image, text, office or other.
export function typeKind(contentType) {
  const type = contentType || "";
  if (type === "application/pdf") return "pdf";
  if (type.startsWith("image/")) return "image";
  if (type.startsWith("text/")) return "text";
  if (/msword|officedocument|opendocument|rtf/.test(type)) return "office";
  return "other";
}

// An SVG element with its attributes (never markup).
export function shape(name, attributes) {
  const el = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, value);
  return el;
}

// The icon for `contentType`: decorative (the type is also written out in the row), so hidden
// from screen readers.
export function typeIcon(contentType) {
  const svg = shape("svg", { viewBox: "0 0 32 40", class: `type-icon type-${typeKind(contentType)}`,
    "aria-hidden": "true", focusable: "false" });
  const label = shape("text", { x: "16", y: "33", "text-anchor": "middle", class: "type-label" });
  label.textContent = typeLabel(contentType);
  svg.append(
    shape("path", { d: "M3 1h18l8 8v30H3z", class: "type-page" }),
    shape("path", { d: "M21 1v8h8", class: "type-fold" }),
    shape("rect", { x: "1", y: "24", width: "30", height: "12", rx: "2", class: "type-band" }),
    label,
  );
  return svg;
}
