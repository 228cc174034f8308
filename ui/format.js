// Pure formatting helpers, kept apart so they can be tested without a window (node --test).

export function formatBytes(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatEta(remainingBytes, bytesPerSec) {
  if (!(bytesPerSec > 0) || remainingBytes <= 0) return "";
  const secs = Math.ceil(remainingBytes / bytesPerSec);
  if (secs < 60) return `${secs} s left`;
  const mins = Math.floor(secs / 60);
  return mins < 60 ? `${mins} min ${secs % 60} s left` : `${Math.floor(mins / 60)} h ${mins % 60} min left`;
}

export function progressText(sent, total, bytesPerSec, eta) {
  if (total > 0 && sent >= total) return "All sent; Decoda is storing the files…";
  const pct = total > 0 ? Math.floor((sent / total) * 100) : 0;
  const speed = bytesPerSec > 0 ? `, ${formatBytes(Math.round(bytesPerSec))}/s` : "";
  return `${pct} % (${formatBytes(sent)} of ${formatBytes(total)}${speed})${eta ? ", " + eta : ""}`;
}

// A short label for a file type, shown where there is no picture (PDFs, text, unknown types).
export function typeLabel(contentType) {
  const known = { "application/pdf": "PDF", "text/plain": "TXT", "image/jpeg": "JPG", "image/tiff": "TIFF",
    "application/msword": "DOC", "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX" };
  if (!contentType) return "FILE";
  if (known[contentType]) return known[contentType];
  const sub = contentType.split("/").pop().split("+")[0].split(".").pop().replace(/^x-/, "");
  return sub ? sub.slice(0, 4).toUpperCase() : "FILE";
}
