// Reports the page's first paint to the benchmark, measured as the app measures its own
// (ui/main.js: the web view's first-contentful-paint, or the first frame where it reports none).
requestAnimationFrame(() => {
  const paint = performance.getEntriesByType("paint").find((e) => e.name === "first-contentful-paint");
  const at = paint?.startTime ?? performance.now();
  window.__TAURI_INTERNALS__.invoke("painted", { firstPaintAgoMs: Math.max(0, performance.now() - at) });
});
