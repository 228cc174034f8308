//! The upload history: what this computer sent, to whom, as which attachment.

use crate::{error::UiResult, state::AppState};
use decoda_store::{HistoryEntry, HistoryQuery};
use tauri::State;

/// Lists history entries, newest first, filtered by `text` (name, file, attachment or patient id).
#[tauri::command]
pub async fn list_history(
    state: State<'_, AppState>,
    text: Option<String>,
) -> UiResult<Vec<HistoryEntry>> {
    let text = text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    Ok(state.store()?.history(&HistoryQuery {
        patient_id: None,
        text,
        limit: 200,
    })?)
}
