//! The history of uploaded files: what went to whom, when, as which attachment.

use crate::ContentHash;
use serde::Serialize;
use std::path::Path;

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
    /// The file's name on disk when it was sent, without its folder (folder names are often
    /// patients' names, and the history is kept for months; the screens show only the name).
    pub file_name: String,
    /// Content hash.
    pub hash: ContentHash,
    /// Size in bytes.
    pub size: u64,
    /// When the server confirmed it (RFC 3339, UTC).
    pub uploaded_at: String,
}

/// A misfiled upload moved to another patient's chart, as this computer recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MoveRecord {
    /// The attachment that was moved.
    pub attachment_id: String,
    /// The patient it was on, when this computer knew it.
    pub from_patient_id: Option<String>,
    /// The patient it is on now.
    pub to_patient_id: String,
    /// When the move was made and checked (RFC 3339, UTC).
    pub moved_at: String,
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

/// The last part of a stored path: what the history keeps of where a file was. A path with no
/// name part (never a file the queue holds) keeps nothing.
pub(crate) fn file_name_only(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map_or_else(String::new, |name| name.to_string_lossy().into_owned())
}
