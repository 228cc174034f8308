//! The Decoda Uploader desktop app: a Tauri shell over the upload engine.
//!
//! This first version opens the window and answers one command; the queue, patient picker and
//! upload flow call the same engine crates the `decoda` CLI uses.

use serde::Serialize;

/// What the window may know about the app: never the key, only whether one is needed.
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

/// Builds and runs the app until its window closes.
pub fn run() {
    let result = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![app_info])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("Decoda Uploader could not start: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_info_reports_the_package_version() {
        assert_eq!(app_info().version, env!("CARGO_PKG_VERSION"));
    }
}
