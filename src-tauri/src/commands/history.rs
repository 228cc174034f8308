//! The upload history: what this computer sent, to whom, as which attachment, and where it was
//! moved since.

use crate::{commands::patients::learn_names, error::UiResult, state::AppState};
use decoda_store::{HistoryEntry, HistoryQuery, MoveRecord};
use serde::Serialize;
use std::collections::HashMap;
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
    /// How each patient the row names is named (name, date of birth, ID), when they could be
    /// fetched: the history shows people, not ids alone.
    pub patients: HashMap<String, String>,
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
    drop(store);
    let rows: Vec<(HistoryEntry, Vec<MoveRecord>)> = entries
        .into_iter()
        .map(|entry| {
            let own = moves
                .iter()
                .filter(|m| m.attachment_id == entry.attachment_id)
                .cloned()
                .collect();
            (entry, own)
        })
        .collect();
    let mut ids: Vec<String> = rows.iter().flat_map(|(e, m)| patients_of(e, m)).collect();
    ids.sort();
    ids.dedup();
    learn_names(&state, &ids).await;
    let queue = state.queue();
    Ok(rows
        .into_iter()
        .map(|(entry, moves)| {
            let patients = patients_of(&entry, &moves)
                .filter_map(|id| queue.patient_name(&id).map(|n| (id, n.to_owned())))
                .collect();
            HistoryRow {
                entry,
                moves,
                patients,
            }
        })
        .collect())
}

/// The patients a history row names: the one the file is on, and those of its moves.
fn patients_of<'a>(
    entry: &'a HistoryEntry,
    moves: &'a [MoveRecord],
) -> impl Iterator<Item = String> + 'a {
    std::iter::once(entry.patient_id.clone()).chain(
        moves
            .iter()
            .flat_map(|m| m.from_patient_id.iter().chain([&m.to_patient_id]).cloned()),
    )
}
