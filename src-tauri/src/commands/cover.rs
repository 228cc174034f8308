//! "Print cover sheet" on the patient banner: a page naming the chosen patient, to put on top of
//! their paper before a stack for several patients is scanned (the scan is then split at the
//! sheets, each part proposed for its sheet's patient).

use crate::{error::UiResult, state::AppState, UiError};
use decoda_cover::{CoverCode, SheetText};
use decoda_engine::api::PatientId;
use serde::Serialize;
use std::path::{Path, PathBuf};
use tauri::{AppHandle, Runtime, State};

/// What "Print cover sheet" did.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CoverSheetMade {
    /// Where the sheet was saved.
    pub path: PathBuf,
    /// Whether the computer's PDF viewer was asked to open it (to print it); it runs on its own,
    /// so whether it shows the sheet is not known here: the window names the file either way.
    pub opened: bool,
}

/// The one cover sheet the app keeps: each new one replaces it, and the app removes it when it
/// starts (it names a patient).
pub fn sheet_path(data_dir: &Path) -> PathBuf {
    data_dir.join("Cover sheet.pdf")
}

/// Makes the cover sheet of the patient (fetched fresh, so the sheet names them as the chart does
/// now) and opens it in the computer's PDF viewer to be printed.
#[tauri::command]
pub async fn print_cover_sheet<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    patient_id: String,
) -> UiResult<CoverSheetMade> {
    let tenant = state
        .tenant()?
        .ok_or_else(|| UiError::NotSignedIn("Set the tenant in Settings first.".into()))?;
    let client = state.client()?;
    let patient = client.patient(&PatientId::new(patient_id.trim())).await?;
    let card = decoda_core::PatientCard::new(&patient, &[], decoda_core::identity::today());
    let text = SheetText::new(&card.name, &card.born, &card.gender, &card.id);
    let pdf = decoda_cover::cover_sheet_pdf(&CoverCode::new(&tenant, &card.id), &text)
        .map_err(UiError::Invalid)?;
    let path = sheet_path(state.data_dir());
    std::fs::create_dir_all(state.data_dir())
        .and_then(|()| std::fs::write(&path, pdf))
        .map_err(|e| UiError::History(format!("the cover sheet could not be saved: {e}")))?;
    let opened = open(&app, &path);
    Ok(CoverSheetMade { path, opened })
}

fn open<R: Runtime>(app: &AppHandle<R>, path: &Path) -> bool {
    use tauri_plugin_opener::OpenerExt;
    match app.opener().open_path(path.to_string_lossy(), None::<&str>) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!("the cover sheet could not be opened: {e}");
            false
        }
    }
}

/// Removes the last cover sheet, if one was left from an earlier run.
pub fn forget_last(data_dir: &Path) {
    match std::fs::remove_file(sheet_path(data_dir)) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => tracing::warn!("the last cover sheet could not be removed: {}", e.kind()),
    }
}
