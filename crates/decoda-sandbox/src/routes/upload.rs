//! The upload endpoints, `POST /attachments/bulk` and `POST /attachments`: the main job of every client.
//!
//! A request is streamed (files to disk, or counted in sink mode), recorded, validated like FastAPI would
//! (422, then 404 for an unknown patient or note), committed as one batch, and only then answered — with
//! any queued fault applied around those steps.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, SubsecRound, Utc};
use serde_json::json;

use crate::faults::{self, ActiveFault, Fault};
use crate::model::{
    BulkAttachmentUploadResponse, NoteAttachmentResponse, PatientSummary, StoredAttachment,
};
use crate::multipart::{self, FormEnd, FormSpec, ParsedForm, ReceivedFile, Storage};
use crate::names;
use crate::problem::{ApiError, FieldError};
use crate::record::{UploadRecord, BULK_ENDPOINT, SINGLE_ENDPOINT};
use crate::server::ConnectionControl;
use crate::state::SandboxState;
use crate::store::{Attachment, Note, Store};

/// Which upload endpoint a request came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Endpoint {
    Bulk,
    Single,
}

impl Endpoint {
    fn path(self) -> &'static str {
        match self {
            Self::Bulk => BULK_ENDPOINT,
            Self::Single => SINGLE_ENDPOINT,
        }
    }

    fn file_field(self) -> &'static str {
        match self {
            Self::Bulk => "attachments",
            Self::Single => "attachment",
        }
    }
}

/// `POST /attachments/bulk`.
pub(crate) async fn bulk(State(state): State<SandboxState>, request: Request) -> Response {
    upload(state, request, Endpoint::Bulk).await
}

/// `POST /attachments`.
pub(crate) async fn single(State(state): State<SandboxState>, request: Request) -> Response {
    upload(state, request, Endpoint::Single).await
}

async fn upload(state: SandboxState, request: Request, endpoint: Endpoint) -> Response {
    let (parts, body) = request.into_parts();
    let fault = parts.extensions.get::<ActiveFault>().map(|f| f.0.clone());
    let conn = parts.extensions.get::<ConnectionControl>().cloned();
    let record = UploadRecord::new(endpoint.path());
    if declared_length(&parts.headers).is_some_and(|len| len > state.max_body_bytes()) {
        return reject(&state, record, too_large());
    }
    let spec = form_spec(&state, endpoint, fault.as_ref());
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let form = multipart::read_form(body, content_type, &spec).await;
    let record = filled(record, &form);
    if let Some(fault) = fault.as_ref().filter(|f| f.stores_nothing()) {
        form.discard_files().await;
        state.record_upload(with_outcome(record, format!("fault:{}", fault.label())));
        return refuse(fault, conn.as_ref()).await;
    }
    if let Some(error) = read_error(&form.end) {
        form.discard_files().await;
        return reject(&state, record, error);
    }
    let stored = match endpoint {
        Endpoint::Bulk => store_bulk(&state, &form),
        Endpoint::Single => store_single(&state, &form),
    };
    let responses = match stored {
        Ok(responses) => responses,
        Err(error) => {
            form.discard_files().await;
            return reject(&state, record, error);
        }
    };
    discard_unused(&form, &responses).await;
    state.record_upload(with_outcome(
        record,
        success_outcome(&state, fault.as_ref()),
    ));
    let response = answer(
        endpoint,
        distort(&state, endpoint, responses, fault.as_ref()),
    );
    faults::finish(fault.as_ref(), response, conn.as_ref()).await
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

fn form_spec(state: &SandboxState, endpoint: Endpoint, fault: Option<&Fault>) -> FormSpec {
    let storage = if fault.is_some_and(Fault::stores_nothing) {
        Storage::HashOnly
    } else if state.sink() {
        Storage::CountOnly
    } else {
        Storage::Disk(state.files_dir().to_path_buf())
    };
    let cut_after = match fault {
        Some(Fault::DropMidBody { after_bytes }) => Some(*after_bytes),
        _ => None,
    };
    FormSpec {
        file_field: endpoint.file_field(),
        storage,
        max_body: state.max_body_bytes(),
        cut_after,
    }
}

fn filled(mut record: UploadRecord, form: &ParsedForm) -> UploadRecord {
    let text = |name: &str| form.text(name).map(str::to_owned);
    record.patient_id = text("patient_id");
    record.note_id = text("note_id");
    record.names = text("names");
    record.external_ids = text("external_ids");
    record.name = text("name");
    record.external_id = text("external_id");
    record.field_order.clone_from(&form.field_order);
    record.parts.clone_from(&form.parts);
    record
}

fn with_outcome(mut record: UploadRecord, outcome: String) -> UploadRecord {
    record.outcome = outcome;
    record
}

fn success_outcome(state: &SandboxState, fault: Option<&Fault>) -> String {
    match fault {
        Some(fault) => format!("fault:{}", fault.label()),
        None if state.sink() => "sink".to_owned(),
        None => "stored".to_owned(),
    }
}

fn reject(state: &SandboxState, record: UploadRecord, error: ApiError) -> Response {
    let outcome = format!("rejected:{}", error.status().as_u16());
    state.record_upload(with_outcome(record, outcome));
    error.into_response()
}

fn too_large() -> ApiError {
    ApiError::detail(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large")
}

/// The answer to a request a fault refuses (after the body was read and recorded).
async fn refuse(fault: &Fault, conn: Option<&ConnectionControl>) -> Response {
    match fault {
        Fault::DropMidBody { .. } => faults::drop_connection(conn).await,
        Fault::Hang => faults::hang(conn).await,
        other => other
            .refusal()
            .unwrap_or_else(|| StatusCode::INTERNAL_SERVER_ERROR.into_response()),
    }
}

fn read_error(end: &FormEnd) -> Option<ApiError> {
    match end {
        FormEnd::Complete => None,
        FormEnd::TooLarge => Some(too_large()),
        FormEnd::Cut | FormEnd::Broken(_) => Some(ApiError::detail(
            StatusCode::BAD_REQUEST,
            "There was an error parsing the body",
        )),
        FormEnd::Disk(error) => {
            tracing::warn!(%error, "could not store an upload");
            Some(ApiError::detail(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Could not store the file",
            ))
        }
    }
}

fn store_bulk(
    state: &SandboxState,
    form: &ParsedForm,
) -> Result<Vec<NoteAttachmentResponse>, ApiError> {
    required_fields(form, "attachments")?;
    let encoding = state.names_encoding();
    let mut store = state.store();
    let (patient, note) = resolve(&store, form)?;
    let names = names::decode(form.text("names"), encoding, "names")?;
    let external_ids = names::decode(form.text("external_ids"), encoding, "external_ids")?;
    let created = now();
    let base = state.base_url();
    let batch: Vec<Attachment> = form
        .files
        .iter()
        .enumerate()
        .map(|(i, file)| {
            let given = Given {
                name: names.get(i).cloned().flatten(),
                external_id: external_ids.get(i).cloned().flatten(),
            };
            new_attachment(state, &base, file, given, &patient, note.as_ref(), created)
        })
        .collect();
    Ok(commit(&mut store, batch))
}

fn store_single(
    state: &SandboxState,
    form: &ParsedForm,
) -> Result<Vec<NoteAttachmentResponse>, ApiError> {
    required_fields(form, "attachment")?;
    let mut store = state.store();
    let (patient, note) = resolve(&store, form)?;
    let Some(file) = form.files.last() else {
        return Err(ApiError::missing(&["body", "attachment"]));
    };
    let given = Given {
        name: form
            .text("name")
            .filter(|n| !n.is_empty())
            .map(str::to_owned),
        external_id: form
            .text("external_id")
            .filter(|e| !e.is_empty())
            .map(str::to_owned),
    };
    let attachment = new_attachment(
        state,
        &state.base_url(),
        file,
        given,
        &patient,
        note.as_ref(),
        now(),
    );
    Ok(commit(&mut store, vec![attachment]))
}

fn commit(store: &mut Store, batch: Vec<Attachment>) -> Vec<NoteAttachmentResponse> {
    let responses = batch.iter().map(|a| a.stored.response.clone()).collect();
    store.add(batch);
    responses
}

/// FastAPI's form validation: `patient_id` and at least one file, each with a filename.
fn required_fields(form: &ParsedForm, file_field: &str) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if form.text("patient_id").is_none() {
        errors.push(FieldError::missing(&["body", "patient_id"]));
    }
    if form.files.is_empty() {
        errors.push(FieldError::missing(&["body", file_field]));
    }
    for (i, file) in form.files.iter().enumerate() {
        if file.file_name.is_none() {
            let mut loc = vec![json!("body"), json!(file_field)];
            if file_field == "attachments" {
                loc.push(json!(i));
            }
            errors.push(FieldError::new(
                loc,
                "Value error, Expected UploadFile, received: <class 'str'>",
                "value_error",
                serde_json::Value::Null,
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// The patient and (optional) note named by the form; the note must belong to the patient.
fn resolve(store: &Store, form: &ParsedForm) -> Result<(PatientSummary, Option<Note>), ApiError> {
    let patient_id = form.text("patient_id").unwrap_or_default();
    let patient = store
        .patient(patient_id)
        .map(|p| p.summary.clone())
        .ok_or_else(|| ApiError::not_found("Patient"))?;
    let note = match form.text("note_id").filter(|n| !n.is_empty()) {
        None => None,
        Some(note_id) => Some(
            store
                .note(note_id)
                .filter(|n| n.patient_id == patient.id)
                .cloned()
                .ok_or_else(|| ApiError::not_found("Note"))?,
        ),
    };
    Ok((patient, note))
}

/// What the client asked for one file.
struct Given {
    name: Option<String>,
    external_id: Option<String>,
}

fn new_attachment(
    state: &SandboxState,
    base: &str,
    file: &ReceivedFile,
    given: Given,
    patient: &PatientSummary,
    note: Option<&Note>,
    created: DateTime<Utc>,
) -> Attachment {
    let filename = file.file_name.clone().unwrap_or_default();
    let sig = format!("{:032x}", rand::random::<u128>());
    let id = &file.id;
    let response = NoteAttachmentResponse {
        id: id.clone(),
        note_id: note.map(|n| n.id.clone()),
        gcs_path: format!("{}/patients/{}/{id}/{filename}", state.tenant(), patient.id),
        original_filename: filename.clone(),
        signed_url: format!("{base}/__files/{id}?sig={sig}"),
        thumbnail_signed_url: file
            .path
            .as_ref()
            .map(|_| format!("{base}/__thumbnails/{id}.png?sig={sig}")),
        annotations: None,
        name: given.name.unwrap_or(filename),
        created_date: created,
        external_id: given.external_id,
        patient: Some(patient.clone()),
        note: note.map(Note::reference),
        provider: None,
        tags: Vec::new(),
    };
    Attachment {
        stored: StoredAttachment {
            response,
            patient_id: patient.id.clone(),
            sha256: file.sha256.clone(),
            size: file.size,
            content_type: file.content_type.clone(),
        },
        sig,
        file: file.path.clone(),
    }
}

fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Deletes files of parts that were received but not stored (a repeated single-upload field).
async fn discard_unused(form: &ParsedForm, stored: &[NoteAttachmentResponse]) {
    for file in &form.files {
        if let Some(path) = file
            .path
            .as_ref()
            .filter(|_| !stored.iter().any(|r| r.id == file.id))
        {
            let _ = tokio::fs::remove_file(path).await;
        }
    }
}

/// Applies the faults that lie in the answer (the stored records stay true).
fn distort(
    state: &SandboxState,
    endpoint: Endpoint,
    mut responses: Vec<NoteAttachmentResponse>,
    fault: Option<&Fault>,
) -> Vec<NoteAttachmentResponse> {
    match fault {
        Some(Fault::LoseLast) if endpoint == Endpoint::Bulk => {
            responses.pop();
        }
        Some(Fault::WrongPatient) => {
            let store = state.store();
            for response in &mut responses {
                let real = response
                    .patient
                    .as_ref()
                    .map(|p| p.id.clone())
                    .unwrap_or_default();
                response.patient = store.other_patient(&real);
            }
        }
        _ => {}
    }
    responses
}

fn answer(endpoint: Endpoint, mut responses: Vec<NoteAttachmentResponse>) -> Response {
    match endpoint {
        Endpoint::Bulk => Json(BulkAttachmentUploadResponse {
            attachments: responses,
        })
        .into_response(),
        Endpoint::Single => match responses.pop() {
            Some(one) => Json(one).into_response(),
            None => ApiError::detail(StatusCode::INTERNAL_SERVER_ERROR, "nothing stored")
                .into_response(),
        },
    }
}
