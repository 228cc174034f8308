//! Rows of the persistent queue: one file to send to one patient, and where it got to.

use crate::ContentHash;
use serde::Serialize;
use std::{path::PathBuf, time::SystemTime};

/// Where a queued file got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RowState {
    /// Written down, nothing sent yet.
    Queued,
    /// Its request is going out (if the process dies now, it may have landed).
    Sending,
    /// Its request went out and no answer came: look in the chart before sending it again.
    MaybeLanded,
    /// In the chart (and in the history).
    Uploaded,
    /// Not sent, with the reason; sent again on the next try.
    Failed,
    /// Not sent on purpose (already uploaded, or a duplicate in the same selection).
    Skipped,
    /// It may have landed, and the person removed it from the list: it is not offered again, but
    /// the chart is looked at before its content is sent to its patient again.
    SetAside,
}

impl RowState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::MaybeLanded => "maybe_landed",
            Self::Uploaded => "uploaded",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
            Self::SetAside => "set_aside",
        }
    }

    pub(crate) fn parse(s: &str) -> Self {
        match s {
            "queued" => Self::Queued,
            "sending" => Self::Sending,
            "maybe_landed" => Self::MaybeLanded,
            "uploaded" => Self::Uploaded,
            "skipped" => Self::Skipped,
            "set_aside" => Self::SetAside,
            _ => Self::Failed,
        }
    }

    /// Whether work remains for this row.
    pub fn is_unfinished(self) -> bool {
        !matches!(self, Self::Uploaded | Self::Skipped)
    }
}

/// A file to write into the queue.
#[derive(Debug, Clone)]
pub struct NewItem {
    /// The patient whose chart receives it.
    pub patient_id: String,
    /// The note it is attached to, if any.
    pub note_id: Option<String>,
    /// Where it is on disk.
    pub path: PathBuf,
    /// Its display name in the chart, if set.
    pub name: Option<String>,
    /// Its external id, if set.
    pub external_id: Option<String>,
    /// Its content hash, when it was taken before sending (the file may be a duplicate); `None`
    /// when it is taken while the file is sent, and stored with [`crate::Store::record_hash`].
    pub hash: Option<ContentHash>,
    /// Its size in bytes.
    pub size: u64,
    /// Its modification time when it was checked: with the size, what tells whether the file of a
    /// row without a hash is still the one that went out.
    pub modified: Option<SystemTime>,
}

/// A queued file as stored.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueRow {
    /// The row's id.
    pub id: i64,
    /// The run that owns it.
    pub run_id: String,
    /// The patient.
    pub patient_id: String,
    /// The note, if any.
    pub note_id: Option<String>,
    /// The file.
    pub path: PathBuf,
    /// Display name, if set.
    pub name: Option<String>,
    /// External id, if set.
    pub external_id: Option<String>,
    /// Content hash; `None` when the file was not hashed before sending and its bytes never all
    /// left (or the process died before the hash was stored).
    pub hash: Option<ContentHash>,
    /// Size in bytes.
    pub size: u64,
    /// Modification time when it was checked, if known.
    #[serde(skip)]
    pub modified: Option<SystemTime>,
    /// Where it got to.
    pub state: RowState,
    /// Why it was not sent, if it was not.
    pub last_error: Option<String>,
    /// The attachment it became, once uploaded.
    pub attachment_id: Option<String>,
    /// When its first request started (RFC 3339), the lower bound when looking for it in the chart.
    pub first_sent_at: Option<String>,
}
