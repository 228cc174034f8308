//! Finding and confirming the patient, and listing their notes.

use crate::{error::UiResult, state::AppState};
use decoda_core::{identity, PatientCard};
use decoda_engine::api::PatientId;
use serde::Serialize;
use tauri::State;
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// A patient as the window shows them: the core's card (`GARCIA, Maria`, `Born 12-Mar-1984
/// (42y)`, gender, id, archived, and the patients they could be confused with), the same
/// wherever a patient is named.
pub type PatientView = PatientCard;

/// Searches by name, date of birth (in the forms of [`decoda_core::finding::DATE_FORMS`]), phone
/// or id; each result is flagged against the others.
#[tauri::command]
pub async fn search_patients(
    state: State<'_, AppState>,
    term: String,
) -> UiResult<Vec<PatientView>> {
    let hits = decoda_core::find_patients(&state.client()?, &term, 20).await?;
    let cards = identity::cards(&hits, identity::today());
    let mut queue = state.queue();
    for card in &cards {
        queue.learn_patient(card);
    }
    Ok(cards)
}

/// Fetches one patient fresh from the server, to confirm the choice, with the patients a search
/// by their family name finds that they could be confused with (so a patient found by id or date
/// of birth is checked too).
#[tauri::command]
pub async fn get_patient(state: State<'_, AppState>, id: String) -> UiResult<PatientView> {
    let client = state.client()?;
    let p = client.patient(&PatientId::new(id.trim())).await?;
    let card = identity::card_of(&client, &p).await;
    state.queue().learn_patient(&card);
    Ok(card)
}

/// Patients files are bound to, asked for by id so the window can name them (name, date of
/// birth and id) instead of showing an id alone; the list is drawn again once they are known.
/// At most [`NAMES_AT_ONCE`] per call; one that cannot be fetched keeps its id.
pub(crate) async fn name_patients<R: Runtime>(app: AppHandle<R>, ids: Vec<String>) {
    if learn_names(&app.state::<AppState>(), &ids).await {
        let _ = app.emit(crate::commands::files::QUEUE_CHANGED, ());
    }
}

/// Fetches the patients of `ids` the window cannot name yet (at most [`NAMES_AT_ONCE`]) and
/// remembers their names; returns whether any was learned. One that cannot be fetched keeps its id.
pub(crate) async fn learn_names(state: &AppState, ids: &[String]) -> bool {
    let unknown: Vec<&String> = {
        let queue = state.queue();
        ids.iter()
            .filter(|id| queue.patient_name(id).is_none())
            .take(NAMES_AT_ONCE)
            .collect()
    };
    if unknown.is_empty() {
        return false;
    }
    let Ok(client) = state.client() else {
        return false;
    };
    let today = identity::today();
    let mut learned = false;
    for id in unknown {
        match client.patient(&PatientId::new(id.as_str())).await {
            Ok(p) => {
                state
                    .queue()
                    .learn_patient(&PatientCard::new(&p, &[], today));
                learned = true;
            }
            Err(e) => tracing::debug!("a patient could not be named: {e}"),
        }
    }
    learned
}

/// Patients named per call of [`name_patients`].
const NAMES_AT_ONCE: usize = 20;

/// How the window treats a chosen patient.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PatientPolicy {
    /// Milliseconds without input after which the window clears the chosen patient, the results
    /// and the history (`clear_patient_after_minutes`, which IT can lock): an unattended screen
    /// shows no patient.
    pub clear_after_ms: u64,
}

/// The window's rules for a chosen patient, from the settings.
#[tauri::command]
pub fn patient_policy(state: State<'_, AppState>) -> UiResult<PatientPolicy> {
    let after = state.settings()?.effective.clear_patient_after();
    Ok(PatientPolicy {
        clear_after_ms: e2e_clear_after_ms()
            .unwrap_or_else(|| u64::try_from(after.as_millis()).unwrap_or(u64::MAX)),
    })
}

/// End-to-end builds only: a shorter wait (`DECODA_E2E_CLEAR_PATIENT_MS`), so the tests see the
/// window clear itself without waiting a minute. Installed builds have no such override.
#[cfg(feature = "e2e")]
fn e2e_clear_after_ms() -> Option<u64> {
    std::env::var("DECODA_E2E_CLEAR_PATIENT_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
}

#[cfg(not(feature = "e2e"))]
fn e2e_clear_after_ms() -> Option<u64> {
    None
}

/// A note as the window lists it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteView {
    /// The id.
    pub id: String,
    /// Title, or "Untitled note".
    pub title: String,
    /// The visit's date (YYYY-MM-DD), if known.
    pub visit_date: Option<String>,
}

/// The patient's notes, newest first as the server gives them.
#[tauri::command]
pub async fn list_notes(state: State<'_, AppState>, patient_id: String) -> UiResult<Vec<NoteView>> {
    let page = state
        .client()?
        .notes(&PatientId::new(patient_id), 1, 50)
        .await?;
    Ok(page
        .data
        .into_iter()
        .map(|n| NoteView {
            id: n.id.to_string(),
            title: n
                .title
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| "Untitled note".into()),
            visit_date: n.visit_date.map(|d| d.chars().take(10).collect()),
        })
        .collect())
}
