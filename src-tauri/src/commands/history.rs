//! The upload history: what this computer sent, to whom, as which attachment, and where it was
//! moved since.

use crate::{error::UiResult, state::AppState};
use decoda_store::{HistoryEntry, HistoryQuery, MoveRecord};
use serde::Serialize;
use tauri::State;

/// A history entry as the window lists it: the entry, and the moves of its file, oldest first.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryRow {
    /// What was sent (the patient is the one it is on now: the entry follows a moved file).
    #[serde(flatten)]
    pub entry: HistoryEntry,
    /// Where the file was moved from and to, and when.
    pub moves: Vec<MoveRecord>,
}

/// Lists history entries, newest first, filtered by `text` (name, file, attachment or patient id).
#[tauri::command]
pub async fn list_history(
    state: State<'_, AppState>,
    text: Option<String>,
) -> UiResult<Vec<HistoryRow>> {
    let text = text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    let store = state.store()?;
    let entries = store.history(&HistoryQuery {
        patient_id: None,
        text,
        limit: 200,
    })?;
    let moves = store.moves(None)?;
    Ok(entries
        .into_iter()
        .map(|entry| HistoryRow {
            moves: moves
                .iter()
                .filter(|m| m.attachment_id == entry.attachment_id)
                .cloned()
                .collect(),
            entry,
        })
        .collect())
}
