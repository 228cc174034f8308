//! The history of uploaded files: what went to whom, when, as which attachment.

use crate::ContentHash;
use serde::Serialize;

/// One uploaded file. No signed URLs and no contents: links expire and files stay in the chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// The patient.
    pub patient_id: String,
    /// The note, if any.
    pub note_id: Option<String>,
    /// The attachment the server made.
    pub attachment_id: String,
    /// Its display name in the chart.
    pub name: String,
    /// The file's name on disk when it was sent.
    pub file_name: String,
    /// Content hash.
    pub hash: ContentHash,
    /// Size in bytes.
    pub size: u64,
    /// When the server confirmed it (RFC 3339, UTC).
    pub uploaded_at: String,
}

/// Which history entries to list, newest first.
#[derive(Debug, Clone, Default)]
pub struct HistoryQuery {
    /// Only this patient's.
    pub patient_id: Option<String>,
    /// Only entries whose name, file name, attachment id or patient id contains this (any case).
    pub text: Option<String>,
    /// At most this many (0: no limit).
    pub limit: usize,
}
