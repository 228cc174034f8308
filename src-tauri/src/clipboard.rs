//! The system clipboard, written from Rust for "Copy diagnostics".
//!
//! On Linux through GTK, which the window already links (its clipboard is served by the app's
//! own main loop, so the text stays available after the command returns, and a clipboard manager
//! is offered a copy). Elsewhere through `arboard` without its image support: the app only ever
//! copies text.

use tauri::{AppHandle, Runtime};

/// Why the clipboard was not written; only logged (the window shows the report to copy by hand).
#[derive(Debug, thiserror::Error)]
pub enum ClipboardError {
    /// The window's main loop is not running (a test harness, or the app shutting down).
    #[error("the window's main loop did not answer")]
    NoMainLoop,
    /// The platform's clipboard refused.
    #[cfg(not(target_os = "linux"))]
    #[error("the clipboard refused the text: {0}")]
    Refused(String),
}

/// How long the main loop gets to take the text.
const MAIN_LOOP_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// Puts `text` on the system clipboard.
pub async fn write_text<R: Runtime>(
    app: &AppHandle<R>,
    text: String,
) -> Result<(), ClipboardError> {
    let (done, answer) = tokio::sync::oneshot::channel();
    app.run_on_main_thread(move || {
        let _ = done.send(platform::write_text(text));
    })
    .map_err(|_| ClipboardError::NoMainLoop)?;
    match tokio::time::timeout(MAIN_LOOP_WAIT, answer).await {
        Ok(Ok(result)) => result,
        _ => Err(ClipboardError::NoMainLoop),
    }
}

#[cfg(target_os = "linux")]
mod platform {
    use super::ClipboardError;

    /// On the main thread: GTK's clipboard, which the app serves for as long as it runs.
    pub fn write_text(text: String) -> Result<(), ClipboardError> {
        if !gtk::is_initialized_main_thread() {
            return Err(ClipboardError::NoMainLoop);
        }
        let clipboard = gtk::Clipboard::get(&gtk::gdk::SELECTION_CLIPBOARD);
        clipboard.set_text(&text);
        // Offers the text to a clipboard manager, so it outlives the app.
        clipboard.store();
        Ok(())
    }
}

#[cfg(not(target_os = "linux"))]
mod platform {
    use super::ClipboardError;

    /// On the main thread: the system clipboard keeps the text once set.
    pub fn write_text(text: String) -> Result<(), ClipboardError> {
        arboard::Clipboard::new()
            .and_then(|mut clipboard| clipboard.set_text(text))
            .map_err(|e| ClipboardError::Refused(e.to_string()))
    }
}
