//! Reading and fixing stored attachments: day-paged listing, renames, moving to another patient, deleting.
//!
//! Listing is how a client checks, after an ambiguous failure, whether its files already landed; renames are
//! how it repairs names a server decoded differently.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde_json::{json, Value};

use crate::model::{AttachmentDayPage, NoteAttachmentResponse};
use crate::problem::{json_rejection, ApiError, FieldError};
use crate::query::QueryParams;
use crate::state::SandboxState;

/// `GET /attachments?tz=&patient_id=&note_id=&date=`: a day page, or a plain list for a note.
pub(crate) async fn list(
    State(state): State<SandboxState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = QueryParams::parse(raw.as_deref());
    let tz = q.required("tz")?;
    if tz.trim().is_empty() {
        return Err(ApiError::invalid(
            &["query", "tz"],
            "Value error, tz must be an IANA time zone such as America/Chicago",
            "value_error",
            json!(tz),
        ));
    }
    let patient_id = q.get("patient_id").filter(|p| !p.is_empty());
    let date = match q.get("date") {
        Some("") | None => None,
        Some(_) => q.date("date")?,
    };
    let store = state.store();
    if let Some(note_id) = q.get("note_id").filter(|n| !n.is_empty()) {
        let list: Vec<NoteAttachmentResponse> = store
            .for_note(note_id, patient_id)
            .into_iter()
            .map(|s| s.response)
            .collect();
        return Ok(Json(list).into_response());
    }
    // The sandbox treats every zone as UTC: days are UTC days.
    let days = store.days(patient_id);
    let date = date
        .or_else(|| days.last().copied())
        .unwrap_or_else(|| Utc::now().date_naive());
    let page = AttachmentDayPage {
        date,
        data: store
            .on_day(patient_id, date)
            .into_iter()
            .map(|s| s.response)
            .collect(),
        next_date: days.range(..date).next_back().copied(),
    };
    Ok(Json(page).into_response())
}

/// `PUT /attachments/bulk-names` with `{"updates":[{"attachmentId","name"}]}`; all or nothing.
pub(crate) async fn rename_many(
    State(state): State<SandboxState>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Json<bool>, ApiError> {
    let Json(value) = body.map_err(|r| json_rejection(&r))?;
    let updates = parse_updates(&value)?;
    state
        .store()
        .rename_all(&updates)
        .map_err(|_| ApiError::not_found("Attachment"))?;
    Ok(Json(true))
}

fn parse_updates(value: &Value) -> Result<Vec<(String, String)>, ApiError> {
    let items = match value.get("updates") {
        None => return Err(ApiError::missing(&["body", "updates"])),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(ApiError::invalid(
                &["body", "updates"],
                "Input should be a valid list",
                "list_type",
                other.clone(),
            ))
        }
    };
    let mut errors = Vec::new();
    let mut updates = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let loc = |key: &str| vec![json!("body"), json!("updates"), json!(i), json!(key)];
        let id = string_field(item, "attachmentId", loc("attachmentId"), &mut errors);
        let name = string_field(item, "name", loc("name"), &mut errors);
        if let (Some(id), Some(name)) = (id, name) {
            updates.push((id, name));
        }
    }
    if errors.is_empty() {
        Ok(updates)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// The one string field of a small JSON body (`{"name": …}`), or the 422 FastAPI would give.
fn body_string(body: Result<Json<Value>, JsonRejection>, field: &str) -> Result<String, ApiError> {
    let Json(value) = body.map_err(|r| json_rejection(&r))?;
    let mut errors = Vec::new();
    string_field(
        &value,
        field,
        vec![json!("body"), json!(field)],
        &mut errors,
    )
    .ok_or(ApiError::Validation(errors))
}

fn string_field(
    item: &Value,
    key: &str,
    loc: Vec<Value>,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    match item.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        None | Some(Value::Null) => {
            errors.push(FieldError::new(
                loc,
                "Field required",
                "missing",
                Value::Null,
            ));
            None
        }
        Some(other) => {
            errors.push(FieldError::new(
                loc,
                "Input should be a valid string",
                "string_type",
                other.clone(),
            ));
            None
        }
    }
}

/// `PUT /attachments/{attachment_id}/name` with `{"name"}`.
pub(crate) async fn rename_one(
    State(state): State<SandboxState>,
    Path(attachment_id): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Json<bool>, ApiError> {
    let name = body_string(body, "name")?;
    state
        .store()
        .rename_all(&[(attachment_id, name)])
        .map_err(|_| ApiError::not_found("Attachment"))?;
    Ok(Json(true))
}

/// `PUT /attachments/{attachment_id}/patient` with `{"patientId"}`: files the attachment (and all
/// its versions: the sandbox keeps one) under another patient and drops its note link, since notes
/// belong to one patient. An unknown attachment or patient is a 404 that changes nothing.
pub(crate) async fn change_patient(
    State(state): State<SandboxState>,
    Path(attachment_id): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Json<bool>, ApiError> {
    let patient_id = body_string(body, "patientId")?;
    let mut store = state.store();
    if store.attachment(&attachment_id).is_none() {
        return Err(ApiError::not_found("Attachment"));
    }
    let patient = store
        .patient(&patient_id)
        .map(|p| p.summary.clone())
        .ok_or_else(|| ApiError::not_found("Patient"))?;
    store
        .move_to(&attachment_id, patient)
        .map_err(|_| ApiError::not_found("Attachment"))?;
    Ok(Json(true))
}

/// `DELETE /attachments/{attachment_id}`.
pub(crate) async fn remove(
    State(state): State<SandboxState>,
    Path(attachment_id): Path<String>,
) -> Result<Json<bool>, ApiError> {
    let removed = state
        .store()
        .remove(&attachment_id)
        .ok_or_else(|| ApiError::not_found("Attachment"))?;
    state.remove_files(&attachment_id, removed.file.as_deref());
    Ok(Json(true))
}
