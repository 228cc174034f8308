//! The window comes back where and as large as it was left.
//!
//! Tauri's window-state plugin restores the window at start. It saves on a clean exit only, so
//! the app also saves half a second after the last move or resize: a window closed by a crash, a
//! kill or a logout still comes back as it was. The state file sits next to the settings file.

use std::sync::atomic::{AtomicU64, Ordering};
use std::{
    path::{Path, PathBuf},
    time::Duration,
};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// Size, position and maximised state; never visibility (a window saved hidden would not come back).
const FLAGS: StateFlags = StateFlags::SIZE
    .union(StateFlags::POSITION)
    .union(StateFlags::MAXIMIZED);

/// How long a window must stay put before its state is written.
const QUIET: Duration = Duration::from_millis(500);

/// Counts moves and resizes, so that only the last of a burst writes the file.
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// The plugin, keeping its file next to `settings_path`.
pub fn state_plugin<R: Runtime>(settings_path: &Path) -> tauri::plugin::TauriPlugin<R> {
    let file = state_file(settings_path);
    tauri_plugin_window_state::Builder::new()
        .with_state_flags(FLAGS)
        .with_filename(file.to_string_lossy())
        .build()
}

/// Where the window's state is kept: next to the settings file.
pub fn state_file(settings_path: &Path) -> PathBuf {
    settings_path.with_file_name("window-state.json")
}

/// Creates the settings folder if it is missing, owner-only on Unix like the app's other folders.
/// The plugin creates only its own default folder, not the one holding the settings file, so on
/// a first run (no settings saved yet) every save failed with "could not be saved". An existing
/// folder is left as it is: it may be one IT chose with `DECODA_CONFIG`.
pub fn prepare_state_folder(settings_path: &Path) -> std::io::Result<()> {
    let Some(dir) = state_file(settings_path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty() && !d.exists())
        .map(Path::to_path_buf)
    else {
        return Ok(());
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// The event that tells the window files are dragged over it (`true`) or no longer are, so the
/// whole window lights up as the drop zone.
pub const DRAGGING: &str = "dragging";

/// The event that asks the window whether to close while files are being sent.
pub const CLOSE_ASKED: &str = "close-asked";

/// Whether an upload is running, so closing the window must ask first: closing stops it, and a
/// person who closes by habit must not learn the next day that half a stack never arrived.
pub fn upload_running<R: Runtime>(window: &tauri::Window<R>) -> bool {
    window
        .try_state::<crate::state::AppState>()
        .is_some_and(|state| state.upload_slot().is_some())
}

/// "Stop and close": cancels the running upload, if any, and closes the window (which ends the
/// app). What was not confirmed in the chart stays in the crash-safe queue and is checked
/// against the chart before it is sent again, on the next start.
#[tauri::command]
pub fn close_anyway<R: Runtime>(app: AppHandle<R>) {
    app.state::<crate::state::AppState>().cancel_upload();
    tracing::info!("closed by the user while an upload was running");
    if let Some(window) = app.get_webview_window("main") {
        if let Err(e) = window.destroy() {
            tracing::warn!("the window could not be closed: {e}");
        }
    }
}

/// Shows the main window. It starts hidden (`"visible": false` in `tauri.conf.json`) and the
/// plugin restores its size and position as it is created, before the app's setup runs: shown
/// only now, it appears at its remembered size instead of at the default one and then jumping.
pub fn show_main<R: Runtime>(app: &AppHandle<R>) {
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    if let Err(e) = window.show() {
        tracing::warn!("the window could not be shown: {e}");
    }
}

/// Saves the window's state once it has stopped moving for [`QUIET`].
pub fn remember_soon<R: Runtime>(app: &AppHandle<R>) {
    let generation = GENERATION.fetch_add(1, Ordering::SeqCst) + 1;
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(QUIET).await;
        if GENERATION.load(Ordering::SeqCst) != generation {
            return;
        }
        if let Err(e) = save(&app) {
            tracing::warn!("the window's size and position could not be saved: {e}");
        }
    });
}

/// Writes the window's state now, creating the settings folder first if it is still missing.
pub fn save<R: Runtime>(app: &AppHandle<R>) -> Result<(), String> {
    use tauri::Manager;
    if let Some(state) = app.try_state::<crate::AppState>() {
        prepare_state_folder(state.settings_path()).map_err(|e| e.to_string())?;
    }
    app.save_window_state(FLAGS).map_err(|e| e.to_string())
}

/// Uploads shorter than this end while the person is still looking: no notification.
pub const LONG_UPLOAD: Duration = Duration::from_secs(10);

/// What a system notification says when an upload ends. It names no patient and no file: a
/// notification can be seen by anyone passing the screen and stays in the system's history.
pub fn upload_notice(uploaded: usize, not_uploaded: usize) -> (String, String) {
    let files = |n: usize| {
        if n == 1 {
            "1 file".to_owned()
        } else {
            format!("{n} files")
        }
    };
    if not_uploaded == 0 {
        (
            "Upload finished".into(),
            format!("{} uploaded to the patient's chart.", files(uploaded)),
        )
    } else {
        (
            "Upload needs attention".into(),
            format!(
                "{} not uploaded; they wait in Decoda Uploader with the reason. {} uploaded.",
                files(not_uploaded),
                files(uploaded)
            ),
        )
    }
}

/// Whether to notify: the upload was long and the window is not in front.
pub fn should_notify(elapsed: Duration, window_focused: bool) -> bool {
    elapsed >= LONG_UPLOAD && !window_focused
}

/// Shows a system notification when a long upload ends while the window is in the background.
pub fn tell_if_away<R: Runtime>(
    app: &AppHandle<R>,
    elapsed: Duration,
    uploaded: usize,
    not_uploaded: usize,
) {
    use tauri::Manager;
    let focused = app
        .get_webview_window("main")
        .and_then(|w| w.is_focused().ok())
        .unwrap_or(true);
    if !should_notify(elapsed, focused) {
        return;
    }
    let (title, body) = upload_notice(uploaded, not_uploaded);
    // Showing goes through the session bus and may block: not on an async thread.
    tauri::async_runtime::spawn_blocking(move || {
        let mut notice = notify_rust::Notification::new();
        notice
            .appname("Decoda Uploader")
            .summary(&title)
            .body(&body);
        #[cfg(windows)]
        if let Some(id) = windows_app_id() {
            notice.app_id(id);
        }
        let shown = notice.show();
        if let Err(e) = shown {
            tracing::warn!("the upload notification could not be shown: {e}");
        }
    });
}

/// The id Windows shows a notification under: the installers register the app's identifier on
/// its Start menu shortcut, and without it a toast says "Windows PowerShell". Not for a build run
/// from `target\` (no shortcut registers the id there, and Windows would drop the toast).
#[cfg(windows)]
fn windows_app_id() -> Option<&'static str> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    let from_build = dir.ends_with("target\\debug") || dir.ends_with("target\\release");
    (!from_build).then_some("com.decodahealth.uploader")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_long_uploads_in_the_background_notify() {
        assert!(should_notify(LONG_UPLOAD, false));
        assert!(!should_notify(LONG_UPLOAD, true), "the window is in front");
        assert!(
            !should_notify(Duration::from_secs(3), false),
            "a short upload"
        );
    }

    #[test]
    fn notices_count_files_and_name_nobody() {
        assert_eq!(
            upload_notice(12, 0),
            (
                "Upload finished".into(),
                "12 files uploaded to the patient's chart.".into()
            )
        );
        let (title, body) = upload_notice(1, 1);
        assert_eq!(title, "Upload needs attention");
        assert!(body.starts_with("1 file not uploaded"), "{body}");
    }
}
