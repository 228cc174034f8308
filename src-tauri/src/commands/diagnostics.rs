//! "Copy diagnostics": what support needs for a ticket, and nothing a patient could be named by.
//!
//! Versions, the settings in force (whether a key is set, never the key), where the app keeps its
//! files, how many files wait in each state, and the recent warnings and errors (which by design
//! hold no patient or file names).

use crate::{error::UiResult, logging::LogInfo, state::AppState};
use decoda_core::waiting::ItemState;
use serde::Serialize;
use std::{collections::BTreeMap, fmt::Write};
use tauri::{AppHandle, Manager, Runtime, State};

/// What "Copy diagnostics" did: the report (the window also shows it, so it can be selected by
/// hand) and whether it is on the clipboard.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CopiedDiagnostics {
    /// The report, as plain text for a support ticket.
    pub text: String,
    /// Whether the system clipboard now holds it.
    pub copied: bool,
}

/// Makes the diagnostics report and puts it on the system clipboard. Rust writes it, so the
/// window needs no clipboard permission (the web view's own clipboard API is refused without a
/// user gesture it recognises, which is why the button used to copy nothing).
#[tauri::command]
pub async fn copy_diagnostics<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> UiResult<CopiedDiagnostics> {
    let log = app.try_state::<LogInfo>().map(|l| (*l).clone());
    let text = report(&state, log.unwrap_or_default())?;
    let copied = match crate::clipboard::write_text(&app, text.clone()).await {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!("the diagnostics could not be put on the clipboard: {e}");
            false
        }
    };
    Ok(CopiedDiagnostics { text, copied })
}

pub(crate) fn report(state: &AppState, log: LogInfo) -> UiResult<String> {
    let mut out = String::new();
    let _ = writeln!(out, "Decoda Uploader {}", env!("CARGO_PKG_VERSION"));
    let webview = tauri::webview_version().unwrap_or_else(|_| "unknown".into());
    let _ = writeln!(
        out,
        "System: {} {} (Tauri {}, web view {webview})",
        std::env::consts::OS,
        std::env::consts::ARCH,
        tauri::VERSION
    );
    let _ = writeln!(
        out,
        "Report made: {}",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
    );
    out.push_str("\nSettings\n");
    match state.resolve() {
        Ok(resolved) => {
            for (label, value) in resolved.summary() {
                let _ = writeln!(out, "  {label}: {value}");
            }
        }
        Err(e) => {
            let _ = writeln!(out, "  cannot be read: {e}");
        }
    }
    out.push_str("\nFolders\n");
    let _ = writeln!(out, "  Settings file: {}", state.settings_path().display());
    let _ = writeln!(out, "  Queue and history: {}", state.data_dir().display());
    let logs = log
        .dir
        .map_or_else(|| "not written".to_owned(), |d| d.display().to_string());
    let _ = writeln!(out, "  Logs: {logs}");
    let _ = writeln!(out, "\nFiles in the list: {}", queue_counts(state));
    out.push_str("\nRecent warnings and errors\n");
    let recent = log.recent.lines();
    if recent.is_empty() {
        out.push_str("  none\n");
    }
    for line in recent {
        let _ = writeln!(out, "  {line}");
    }
    out.push_str("\nThis report holds no API key and no patient or file names.\n");
    Ok(out)
}

/// "2 ready, 1 failed", by state, without names.
fn queue_counts(state: &AppState) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for item in state.queue().items() {
        let label = match item.state {
            ItemState::Ready => "ready",
            ItemState::Refused { .. } => "cannot be sent",
            ItemState::Sending => "sending",
            ItemState::Uploaded { .. } => "uploaded",
            ItemState::Failed { .. } => "failed",
            ItemState::Skipped { .. } => "already uploaded",
        };
        *counts.entry(label).or_default() += 1;
    }
    if counts.is_empty() {
        return "none".into();
    }
    counts
        .into_iter()
        .map(|(label, n)| format!("{n} {label}"))
        .collect::<Vec<_>>()
        .join(", ")
}
