//! The Decoda Uploader desktop app: a Tauri shell over the upload engine.
//!
//! All work happens in Rust commands that call the same engine and settings crates as the `decoda`
//! CLI; the web UI in `ui/` only shows state and forwards clicks. Files arrive by native drop (the
//! window gives real paths, which Rust streams from disk) or the system picker.

mod clipboard;
mod commands;
mod error;
mod inbox;
mod logging;
mod network_wait;
mod state;
mod window;

pub use error::UiError;
pub use state::AppState;

use serde::Serialize;
use tauri::{DragDropEvent, Emitter, Manager, Runtime, WindowEvent};

/// What the window may know about the app.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// The app's version.
    pub version: &'static str,
}

/// Tells the UI which version is running.
#[tauri::command]
fn app_info() -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
    }
}

/// The window drew its first screen `first_paint_ago_ms` ago and is now ready for input. Logged
/// (no patient data) with both moments on the computer's clock, in milliseconds since 1970, so
/// that the launch benchmark (`scripts/bench-launch.sh`) measures from the moment it started the
/// app, and support can read how long a slow computer takes to open the window.
#[tauri::command]
fn window_ready(first_paint_ago_ms: f64) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    let painted = now - first_paint_ago_ms.clamp(0.0, now);
    tracing::info!(
        "window ready: first paint at {painted:.0}, interactive at {now:.0} (ms since 1970)"
    );
}

/// Adds paths exactly as a window drop does. Compiled only with the `e2e` feature, for the
/// end-to-end tests, which cannot perform a native drag and drop under WebDriver.
#[cfg(feature = "e2e")]
#[tauri::command]
async fn e2e_drop_paths<R: Runtime>(
    app: tauri::AppHandle<R>,
    paths: Vec<std::path::PathBuf>,
) -> Result<usize, UiError> {
    commands::files::add_paths(&app, paths).await
}

macro_rules! app_commands {
    ($($extra:path),*) => {
        tauri::generate_handler![
            app_info,
            window_ready,
            commands::settings::get_settings,
            commands::settings::save_settings,
            commands::settings::test_connection,
            commands::settings::sign_out,
            commands::settings::choose_inbox_folder,
            commands::settings::clear_inbox_folder,
            commands::patients::search_patients,
            commands::patients::get_patient,
            commands::patients::patient_policy,
            commands::patients::list_notes,
            commands::files::list_queue,
            commands::files::pick_files,
            commands::files::remove_file,
            commands::files::edit_file,
            commands::files::clear_uploaded,
            commands::files::send_anyway,
            commands::history::list_history,
            commands::moves::prepare_move,
            commands::moves::move_upload,
            commands::files::preview,
            commands::scans::scan_preview,
            commands::suggestions::suggest_patient,
            commands::scanning::scanner,
            commands::scanning::save_scanner,
            commands::scanning::find_scanners,
            commands::scanning::scan_paper,
            commands::scanning::cancel_scan,
            commands::scanning::scan_page,
            commands::scanning::keep_scan,
            commands::scanning::discard_scan,
            commands::cover::print_cover_sheet,
            commands::files::thumbnail,
            commands::files::open_link,
            commands::upload::start_upload,
            commands::upload::cancel_upload,
            commands::diagnostics::copy_diagnostics,
            window::close_anyway
            $(, $extra)*
        ]
    };
}

/// The app's state, plugins, commands and drop handling on top of `base`: `run` passes a builder
/// that already holds the single-instance guard (it must come first), the IPC tests Tauri's mock
/// builder. `launch_args` are the paths of an "Open with" on the first launch.
pub fn builder<R: Runtime>(
    base: tauri::Builder<R>,
    state: AppState,
    launch_args: Vec<String>,
) -> tauri::Builder<R> {
    let window_state = window::state_plugin(state.settings_path());
    let builder = base
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(window_state)
        .manage(state)
        .manage(network_wait::NetworkWaits::default())
        .manage(commands::scanning::ScanDesk::default())
        .manage(commands::suggestions::PageReader::default());
    #[cfg(feature = "e2e")]
    let builder = builder.invoke_handler(app_commands!(e2e_drop_paths));
    #[cfg(not(feature = "e2e"))]
    let builder = builder.invoke_handler(app_commands!());
    builder
        .setup(move |app| {
            #[cfg(feature = "e2e")]
            app.add_capability(include_str!("../capabilities-e2e/e2e.json"))?;
            // The window-state plugin restored the hidden window's size and position as it was
            // created, before this runs: show it now, at that size.
            window::show_main(app.handle());
            let app = app.handle().clone();
            tauri::async_runtime::spawn_blocking(move || start_queue(&app, launch_args));
            Ok(())
        })
        .on_window_event(|window, event| match event {
            WindowEvent::DragDrop(DragDropEvent::Enter { .. }) => {
                let _ = window.emit(window::DRAGGING, true);
            }
            WindowEvent::DragDrop(DragDropEvent::Leave) => {
                let _ = window.emit(window::DRAGGING, false);
            }
            WindowEvent::DragDrop(DragDropEvent::Drop { paths, .. }) => {
                let _ = window.emit(window::DRAGGING, false);
                let app = window.app_handle().clone();
                let paths = paths.clone();
                tauri::async_runtime::spawn(async move {
                    if let Err(e) = commands::files::add_paths(&app, paths).await {
                        tracing::warn!("dropped files could not be added: {}", e.kind());
                    }
                });
            }
            WindowEvent::CloseRequested { api, .. } if window::upload_running(window) => {
                // Files are being sent: the window asks first (see `close_anyway`).
                api.prevent_close();
                let _ = window.emit(window::CLOSE_ASKED, ());
            }
            WindowEvent::Moved(_) | WindowEvent::Resized(_) => {
                window::remember_soon(window.app_handle());
            }
            _ => {}
        })
}

/// Removes the last run's cover sheet (it names a patient), brings back what the last run left
/// (interrupted uploads, waits for the network), adds the files the app was opened with, and
/// starts watching the scanner inbox. Run off the main thread: the queue's database is opened
/// (and on a first run created) here, and the window shows and its page loads meanwhile. The
/// window lists the queue as each step announces a change.
fn start_queue<R: Runtime>(app: &tauri::AppHandle<R>, launch_args: Vec<String>) {
    commands::cover::forget_last(app.state::<AppState>().data_dir());
    if let Err(e) = commands::files::resume_interrupted(app) {
        tracing::warn!("interrupted uploads could not be resumed: {}", e.kind());
    }
    network_wait::resume(app);
    open_with(app, launch_args, None);
    inbox::watch_and_keep_trying(app);
}

/// A second launch (for example "Open with" on a file) hands its files to the running window and
/// brings it forward instead of opening another. On Linux this needs the session bus; without one
/// the app runs without the guard rather than failing to start.
fn single_instance<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    if cfg!(target_os = "linux") && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        return builder;
    }
    builder.plugin(tauri_plugin_single_instance::init(|app, argv, cwd| {
        open_with(
            app,
            argv.into_iter().skip(1).collect(),
            Some(std::path::PathBuf::from(cwd)),
        );
        if let Some(window) = app.get_webview_window("main") {
            let _ = window.unminimize();
            let _ = window.set_focus();
        }
    }))
}

/// Adds the paths among launch arguments (relative ones resolved against `cwd`) to the queue.
fn open_with<R: Runtime>(
    app: &tauri::AppHandle<R>,
    args: Vec<String>,
    cwd: Option<std::path::PathBuf>,
) {
    let paths: Vec<std::path::PathBuf> = args
        .into_iter()
        .filter(|a| !a.starts_with('-'))
        .map(std::path::PathBuf::from)
        .map(|p| match (&cwd, p.is_relative()) {
            (Some(dir), true) => dir.join(p),
            _ => p,
        })
        .filter(|p| p.exists())
        .collect();
    if paths.is_empty() {
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = commands::files::add_paths(&app, paths).await {
            tracing::warn!("files opened with the app could not be added: {}", e.kind());
        }
    });
}

/// Builds and runs the app until its window closes.
pub fn run() {
    // First, before any thread starts: the key leaves the environment, so that neither the web
    // view's processes nor the browser that "Open" starts inherit it.
    let env_key = decoda_settings::Resolved::take_key_from_environment();
    let log = logging::init(logging::default_log_dir(
        std::env::var("DECODA_LOG_DIR").ok(),
    ));
    tracing::info!("Decoda Uploader {} starting", env!("CARGO_PKG_VERSION"));
    let state = match AppState::from_environment(env_key) {
        Ok(s) => s,
        Err(e) => cannot_start(&e),
    };
    let base = single_instance(tauri::Builder::<tauri::Wry>::new()).manage(log);
    let launch_args = std::env::args().skip(1).collect();
    let app = match builder(base, state, launch_args).build(tauri::generate_context!()) {
        Ok(app) => app,
        Err(e) => cannot_start(&e),
    };
    app.run(opened);
}

/// Files opened with the app on macOS ("Open With", a file dropped on the Dock icon) arrive as an
/// event, not as arguments as on Windows and Linux: they join the list the same way.
fn opened<R: Runtime>(app: &tauri::AppHandle<R>, event: tauri::RunEvent) {
    #[cfg(target_os = "macos")]
    if let tauri::RunEvent::Opened { urls } = event {
        let paths = urls
            .into_iter()
            .filter_map(|url| url.to_file_path().ok())
            .map(|path| path.to_string_lossy().into_owned())
            .collect();
        open_with(app, paths, None);
    }
    #[cfg(not(target_os = "macos"))]
    let _ = (app, event);
}

/// Says why the app cannot start where the person sees it: a Windows or macOS app has no console,
/// so the reason is logged and shown in a dialog as well as printed. No dialog without a display
/// (a Linux session without one), where only the log and the console can tell.
fn cannot_start(why: &dyn std::fmt::Display) -> ! {
    tracing::error!("the app could not start: {why}");
    eprintln!("Decoda Uploader could not start: {why}");
    let display = !cfg!(target_os = "linux")
        || std::env::var_os("DISPLAY").is_some()
        || std::env::var_os("WAYLAND_DISPLAY").is_some();
    if display {
        rfd::MessageDialog::new()
            .set_level(rfd::MessageLevel::Error)
            .set_title("Decoda Uploader could not start")
            .set_description(format!(
                "{why}\n\nIf this happens again, please tell your IT department: the app's log has the details."
            ))
            .set_buttons(rfd::MessageButtons::Ok)
            .show();
    }
    std::process::exit(1);
}

#[cfg(test)]
mod ipc_split_tests;
#[cfg(test)]
mod ipc_tests;
#[cfg(test)]
mod network_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_info_reports_the_package_version() {
        assert_eq!(app_info().version, env!("CARGO_PKG_VERSION"));
    }
}
