// The only module that talks to the Rust side. With withGlobalTauri off, the IPC entry point is
// window.__TAURI_INTERNALS__, which Tauri injects into its own pages only.
const ipc = window.__TAURI_INTERNALS__;

async function showVersion() {
  const el = document.getElementById("version");
  if (!ipc) {
    el.textContent = "Not running inside the app.";
    return;
  }
  const info = await ipc.invoke("app_info");
  el.textContent = `Version ${info.version}`;
}

showVersion();
