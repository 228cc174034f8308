//! The JSON shapes the sandbox answers with, named after the schemas of Decoda's OpenAPI document.
//!
//! They are written out here (not shared with the client crate) so the stand-in stays an independent second
//! reading of the documentation: a client bug cannot be hidden by a shared type.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `UserType` for every patient record.
pub const PATIENT_TYPE: &str = "PATIENT";

/// `PatientSummary`: the patient as embedded in attachments and notes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatientSummary {
    /// Patient id.
    pub id: String,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Preferred name or nickname.
    pub preferred_name: Option<String>,
    /// Date of birth, `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    /// Phone number as entered.
    pub phone_number: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Always `PATIENT`.
    #[serde(rename = "type")]
    pub user_type: String,
    /// The clinic's own identifier (e.g. an MRN).
    pub external_id: Option<String>,
    /// Whether the patient is archived.
    pub is_archived: Option<bool>,
    /// Gender as entered.
    pub gender: Option<String>,
    /// When the record was created.
    pub created_date: DateTime<Utc>,
}

/// `PatientChart`: the full record of `GET /user/patient/{id}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatientChart {
    /// The summary fields.
    #[serde(flatten)]
    pub summary: PatientSummary,
    /// Street address.
    pub address: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State.
    pub state: Option<String>,
    /// Postal code.
    pub zip_code: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// Pronouns.
    pub pronouns: Option<String>,
    /// Memberships (always empty in the sandbox).
    pub memberships: Vec<Value>,
}

/// `PatientSummaryWithMemberships`: one search result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatientSummaryWithMemberships {
    /// The summary fields.
    #[serde(flatten)]
    pub summary: PatientSummary,
    /// Memberships (always empty in the sandbox).
    pub memberships: Vec<Value>,
}

/// `NoteAttachmentNote`: the note an attachment belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteAttachmentNote {
    /// Note id.
    pub id: String,
    /// When the note was created.
    pub created_date: DateTime<Utc>,
}

/// `NoteAttachmentResponse`: one stored attachment as the API returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteAttachmentResponse {
    /// Attachment id (UUID v4).
    pub id: String,
    /// The note it is attached to.
    pub note_id: Option<String>,
    /// `{tenant}/patients/{patient_id}/{id}/{filename}`.
    pub gcs_path: String,
    /// The file name as parsed from the part's `Content-Disposition`.
    pub original_filename: String,
    /// Where the exact bytes can be fetched (`/__files/{id}?sig=…`).
    pub signed_url: String,
    /// Where a PNG thumbnail can be fetched; `None` in sink mode.
    pub thumbnail_signed_url: Option<String>,
    /// Always `null`.
    pub annotations: Option<Vec<Value>>,
    /// Display name.
    pub name: String,
    /// When it was stored.
    pub created_date: DateTime<Utc>,
    /// The client's identifier for the file.
    pub external_id: Option<String>,
    /// The patient it belongs to.
    pub patient: Option<PatientSummary>,
    /// The note it belongs to.
    pub note: Option<NoteAttachmentNote>,
    /// Always `null`.
    pub provider: Option<Value>,
    /// Always empty.
    pub tags: Vec<Value>,
}

/// `BulkAttachmentUploadResponse`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BulkAttachmentUploadResponse {
    /// The stored attachments in upload order.
    pub attachments: Vec<NoteAttachmentResponse>,
}

/// `AttachmentDayPage`: one local day of a patient's attachments.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentDayPage {
    /// The day, `YYYY-MM-DD`.
    pub date: chrono::NaiveDate,
    /// The attachments created that day, newest first.
    pub data: Vec<NoteAttachmentResponse>,
    /// The previous day with any attachment, the cursor for the next page.
    pub next_date: Option<chrono::NaiveDate>,
}

/// `NoteListItem`: one row of `GET /notes/list`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteListItem {
    /// Note id.
    pub id: String,
    /// Always `null`.
    pub event_id: Option<String>,
    /// Short summary.
    pub summary: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Always `null`.
    pub template_id: Option<String>,
    /// When the note was created.
    pub created_date: DateTime<Utc>,
    /// When the visit took place.
    pub visit_date: DateTime<Utc>,
    /// When the note was last edited.
    pub last_edited_date: DateTime<Utc>,
    /// Always `false`.
    pub ai_generated: bool,
    /// The patient.
    pub patient: PatientSummary,
    /// Always empty.
    pub providers: Vec<Value>,
    /// Always 1.
    pub version: u32,
    /// Always empty.
    pub source_documents: Vec<Value>,
    /// Always `false`.
    pub has_answers: bool,
    /// Always empty.
    pub answers: Vec<Value>,
    /// Always empty.
    pub questions: Vec<Value>,
    /// Always `false`.
    pub is_pinned: bool,
}

/// `Page[…]`: a page of rows and the total count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The rows of this page.
    pub data: Vec<T>,
    /// How many rows match in all.
    pub total: usize,
}

/// An attachment as the sandbox stored it: the API's answer plus what tests want to check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredAttachment {
    /// What the API returned for it (kept up to date by renames and moves).
    #[serde(flatten)]
    pub response: NoteAttachmentResponse,
    /// The patient it is filed under (the truth, even when a fault lied in the response).
    pub patient_id: String,
    /// SHA-256 of the received bytes, lowercase hex; empty in sink mode.
    pub sha256: String,
    /// Number of bytes received.
    pub size: u64,
    /// The part's `Content-Type` header, if any.
    pub content_type: Option<String>,
}
