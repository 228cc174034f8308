//! `GET /notes/list`: the notes a client may attach files to.

use axum::extract::{RawQuery, State};
use axum::Json;

use super::patients::paginate;
use crate::model::{NoteListItem, Page};
use crate::problem::ApiError;
use crate::query::QueryParams;
use crate::state::SandboxState;

/// `GET /notes/list?patient_id=&page=1&per_page=20`, most recent visit first.
pub(crate) async fn list(
    State(state): State<SandboxState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page<NoteListItem>>, ApiError> {
    let q = QueryParams::parse(raw.as_deref());
    let page = q.int("page", 1)?.max(1);
    let per_page = q.int("per_page", 20)?.clamp(1, 1000);
    let patient_id = q.get("patient_id").filter(|p| !p.is_empty());
    let notes = state.store().notes(patient_id);
    Ok(Json(paginate(notes, page, per_page)))
}
