//! What the sandbox saw of each upload request, so tests can assert on the wire format a client produced.
//!
//! Kept even for requests that failed or were cut off by a fault ("as far as they were read"): a test of a
//! retry must be able to see the first, aborted attempt.

use serde::{Deserialize, Serialize};

/// Path of the bulk upload endpoint.
pub const BULK_ENDPOINT: &str = "/attachments/bulk";
/// Path of the single upload endpoint.
pub const SINGLE_ENDPOINT: &str = "/attachments";

/// One upload request as received.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadRecord {
    /// `/attachments/bulk` or `/attachments`.
    pub endpoint: String,
    /// The `patient_id` field.
    pub patient_id: Option<String>,
    /// The `note_id` field.
    pub note_id: Option<String>,
    /// The raw `names` field.
    pub names: Option<String>,
    /// The raw `external_ids` field.
    pub external_ids: Option<String>,
    /// The raw `name` field (single endpoint).
    pub name: Option<String>,
    /// The raw `external_id` field (single endpoint).
    pub external_id: Option<String>,
    /// Every multipart field name in the order received.
    pub field_order: Vec<String>,
    /// Every part in the order received.
    pub parts: Vec<PartRecord>,
    /// What happened: `stored`, `sink`, `fault:<kind>` or `rejected:<status>`.
    pub outcome: String,
}

/// One multipart part as received.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartRecord {
    /// The `name` parameter of its `Content-Disposition`.
    pub field: String,
    /// The `filename` parameter as the sandbox parsed it.
    pub file_name: Option<String>,
    /// The raw `Content-Disposition` header value (lossy UTF-8).
    pub content_disposition: String,
    /// The part's `Content-Type` header.
    pub content_type: Option<String>,
    /// Bytes received for this part.
    pub size: u64,
    /// SHA-256 of those bytes, lowercase hex (empty for sink-mode files).
    pub sha256: String,
    /// False when the body ended (or was cut) before the part did.
    pub complete: bool,
}

impl UploadRecord {
    /// An empty record for a request to `endpoint`.
    pub(crate) fn new(endpoint: &str) -> Self {
        Self {
            endpoint: endpoint.to_owned(),
            ..Self::default()
        }
    }
}
