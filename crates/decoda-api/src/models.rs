//! The JSON shapes the uploader reads and writes, as the OpenAPI document names them.
//!
//! Only the fields the uploader uses are typed; unknown fields are ignored so that the server can
//! grow without breaking us. Optional fields default to `None` even where the spec says "required",
//! when the uploader can do without them, because the error responses are undocumented and the
//! success ones have changed before.

use crate::{AttachmentId, NoteId, PatientId};
use serde::{Deserialize, Serialize};

/// `NoteAttachmentResponse`: one stored file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// The attachment's id.
    pub id: AttachmentId,
    /// The note it is linked to, if any.
    #[serde(default)]
    pub note_id: Option<NoteId>,
    /// Where the server keeps it (opaque).
    #[serde(default)]
    pub gcs_path: String,
    /// The file name the server took from the multipart part.
    pub original_filename: String,
    /// A temporary link to the file. Show it; never store it.
    pub signed_url: String,
    /// A temporary link to a thumbnail, or `None` when the server made none.
    #[serde(default)]
    pub thumbnail_signed_url: Option<String>,
    /// The display name.
    pub name: String,
    /// When the server created it (RFC 3339).
    pub created_date: String,
    /// The caller's own id for the file, if one was sent.
    #[serde(default)]
    pub external_id: Option<String>,
    /// The patient it belongs to, as the server sees it.
    #[serde(default)]
    pub patient: Option<PatientSummary>,
}

/// `BulkAttachmentUploadResponse`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkUploadResponse {
    /// The stored files; the contract does not promise their order or count.
    pub attachments: Vec<Attachment>,
}

/// `AttachmentDayPage`: a patient's attachments created on one local day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentDayPage {
    /// The day (YYYY-MM-DD in the requested time zone).
    pub date: String,
    /// Attachments created that day.
    pub data: Vec<Attachment>,
    /// The previous day that has attachments, the cursor for the next page.
    #[serde(default)]
    pub next_date: Option<String>,
}

/// `PatientChart`, reduced to what identifies a patient to a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Patient {
    /// The patient's id.
    pub id: PatientId,
    /// Given name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// The name the patient goes by, if different.
    #[serde(default)]
    pub preferred_name: Option<String>,
    /// Date of birth, YYYY-MM-DD: the second identifier staff check.
    #[serde(default)]
    pub date_of_birth: Option<String>,
    /// Whether the chart is archived.
    #[serde(default)]
    pub is_archived: Option<bool>,
    /// The clinic's own id for the patient, if any.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Gender as the chart records it (free text in the contract), shown on the banner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
}

/// `PatientSummary` / `PatientSummaryWithMemberships`: a search hit or an attachment's patient.
pub type PatientSummary = Patient;

impl Patient {
    /// The legal name folded for comparison (case and spacing ignored), so that two charts whose
    /// names a person could confuse compare equal even when one shows a preferred name.
    pub fn name_key(&self) -> String {
        [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .flat_map(str::split_whitespace)
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// "First Last", with the preferred name in brackets when it differs, for people to read.
    pub fn display_name(&self) -> String {
        let full = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let full = if full.is_empty() {
            "(no name on file)".to_owned()
        } else {
            full
        };
        match self.preferred_name.as_deref().map(str::trim) {
            Some(p) if !p.is_empty() && Some(p) != self.first_name.as_deref() => {
                format!("{full} ({p})")
            }
            _ => full,
        }
    }
}

/// `NoteListItem`, reduced to what lets a person pick the right note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteSummary {
    /// The note's id.
    pub id: NoteId,
    /// Its title, if it has one.
    #[serde(default)]
    pub title: Option<String>,
    /// The visit it records (RFC 3339).
    #[serde(default)]
    pub visit_date: Option<String>,
    /// The patient it belongs to.
    #[serde(default)]
    pub patient: Option<PatientSummary>,
}

/// A page of `GET /notes/list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotePage {
    /// The notes on this page.
    pub data: Vec<NoteSummary>,
    /// How many notes there are in all.
    #[serde(default)]
    pub total: u64,
}

/// One item of `PUT /attachments/bulk-names`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NameUpdate {
    /// The attachment to rename.
    pub attachment_id: AttachmentId,
    /// Its new display name.
    pub name: String,
}

/// The body of `PUT /attachments/{attachment_id}/patient` (`ChangeAttachmentPatientRequest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatientChange {
    /// The patient whose chart the attachment moves to.
    pub patient_id: PatientId,
}

/// The body of `PUT /attachments/bulk-names`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameUpdates {
    /// One rename per attachment.
    pub updates: Vec<NameUpdate>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_parses_the_documented_shape_and_ignores_extras() {
        let json = r#"{"id":"a1","noteId":null,"gcsPath":"t/p","originalFilename":"x y.pdf",
            "signedUrl":"https://s/x","thumbnailSignedUrl":null,"annotations":null,"name":"X",
            "createdDate":"2026-11-26T10:00:00Z","externalId":"e1","tags":[],"somethingNew":1,
            "patient":{"id":"p1","firstName":"Ann","lastName":"Lee","dateOfBirth":"1980-02-03","type":"PATIENT","createdDate":"2020-01-01T00:00:00Z"}}"#;
        let a: Attachment = serde_json::from_str(json).unwrap();
        assert_eq!(a.original_filename, "x y.pdf");
        assert_eq!(a.patient.unwrap().id, PatientId::new("p1"));
        assert_eq!(a.thumbnail_signed_url, None);
    }

    #[test]
    fn display_name_shows_preferred_name_only_when_different() {
        let mut p: Patient = serde_json::from_str(
            r#"{"id":"p","firstName":"Robert","lastName":"Lee","preferredName":"Bob"}"#,
        )
        .unwrap();
        assert_eq!(p.display_name(), "Robert Lee (Bob)");
        p.preferred_name = Some("Robert".into());
        assert_eq!(p.display_name(), "Robert Lee");
    }

    #[test]
    fn name_key_ignores_case_spacing_and_the_preferred_name() {
        let a: Patient =
            serde_json::from_str(r#"{"id":"a","firstName":"Maria","lastName":"Garcia"}"#).unwrap();
        let b: Patient = serde_json::from_str(
            r#"{"id":"b","firstName":" maria ","lastName":"GARCIA","preferredName":"Mari"}"#,
        )
        .unwrap();
        assert_eq!(a.name_key(), b.name_key());
    }
}
