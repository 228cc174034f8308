//! Moving a misfiled upload to the right patient's chart: adapters over the core's
//! [`decoda_core::Move`], which fetches both patients fresh, refuses a move to the same patient,
//! checks the chart it went to and records the move.
//!
//! The window may move only files this app sent: returned by an upload in this run, or in this
//! computer's upload history. Any other id is refused before anything is asked of the server.

use crate::{commands::patients::PatientView, error::UiResult, state::AppState, UiError};
use decoda_core::{identity, Move, PatientCard};
use serde::Serialize;
use tauri::State;

/// A move as the confirmation shows it; nothing has been sent.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MovePlan {
    /// The attachment to move.
    pub attachment_id: String,
    /// Its name in the chart, from this computer's history, when known.
    pub name: Option<String>,
    /// The patient it is on now, when this computer knows it.
    pub from: Option<PatientView>,
    /// The patient it goes to, with the patients they could be confused with.
    pub to: PatientView,
    /// What to check before moving, in words: an archived chart, look-alikes, an unknown origin.
    pub warnings: Vec<String>,
}

/// A move the server made, the chart confirmed and this computer recorded.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MoveDone {
    /// The attachment moved.
    pub attachment_id: String,
    /// The patient it was on, when known.
    pub from: Option<PatientView>,
    /// The patient it is on now.
    pub to: PatientView,
    /// When (RFC 3339, UTC).
    pub moved_at: String,
}

/// Prepares moving `attachment_id` to `to_patient_id`: both patients fetched fresh and shown in
/// the banner's format, with what to check. Nothing is sent.
#[tauri::command]
pub async fn prepare_move(
    state: State<'_, AppState>,
    attachment_id: String,
    to_patient_id: String,
) -> UiResult<MovePlan> {
    let (uploader, store, from) = known(&state, &attachment_id)?;
    let planned = Move::confirm(
        &uploader,
        &store,
        &attachment_id,
        from.as_deref(),
        &to_patient_id,
    )
    .await?;
    let to = identity::card_of(uploader.client(), planned.to()).await;
    let from = planned.from().map(card);
    let mut warnings = Vec::new();
    if from.is_none() {
        warnings.push(
            "This computer does not know which patient the file is on now: check it in Decoda."
                .to_owned(),
        );
    }
    if to.archived {
        warnings.push("The patient it goes to has an archived chart.".to_owned());
    }
    warnings.extend(to.look_alikes.iter().cloned());
    Ok(MovePlan {
        attachment_id: planned.attachment().to_string(),
        name: planned.upload().map(|u| u.name.clone()),
        from,
        to,
        warnings,
    })
}

/// Moves `attachment_id` to `to_patient_id` (the patient the confirmation showed; fetched fresh
/// again by the core), checks the chart it went to, and records the move.
#[tauri::command]
pub async fn move_upload(
    state: State<'_, AppState>,
    attachment_id: String,
    to_patient_id: String,
) -> UiResult<MoveDone> {
    let (uploader, mut store, from) = known(&state, &attachment_id)?;
    let moved = decoda_core::move_attachment(
        &uploader,
        &mut store,
        &attachment_id,
        from.as_deref(),
        &to_patient_id,
    )
    .await?;
    state.remember_uploaded(&moved.record.attachment_id, moved.to.id.as_str());
    Ok(MoveDone {
        attachment_id: moved.record.attachment_id,
        from: moved.from.as_ref().map(card),
        to: card(&moved.to),
        moved_at: moved.record.moved_at,
    })
}

/// The uploader, the store and the patient the file is on as this run knows it, if the window
/// may move this attachment: one an upload returned in this run or in the history.
fn known(
    state: &AppState,
    attachment_id: &str,
) -> UiResult<(decoda_engine::Uploader, decoda_store::Store, Option<String>)> {
    let id = attachment_id.trim();
    let store = state.store()?;
    let this_run = state.uploaded_to(id);
    if this_run.is_none() && (id.is_empty() || store.upload_of(id)?.is_none()) {
        return Err(UiError::Invalid(format!(
            "only files sent from this computer can be moved here, and `{id}` is not in its upload history"
        )));
    }
    Ok((state.uploader()?, store, this_run))
}

/// A patient's card without the look-alike search (shown after the fact, or as the patient the
/// file leaves).
fn card(patient: &decoda_engine::api::models::Patient) -> PatientCard {
    PatientCard::new(patient, &[], identity::today())
}
