//! A typed client for the part of the Decoda Health REST API that the uploader needs.
//!
//! It knows the wire contract (paths, headers, JSON shapes, multipart field names) and turns every
//! answer the server can give into either a typed model or one [`ApiError`] variant. It makes no
//! decisions about retries or batching: that is the upload engine's job, which sees the whole picture.

mod capped;
mod client;
mod error;
mod ids;
mod key;
pub mod models;
mod names;
pub mod network;

pub use capped::{read_capped, CappedReadError, MAX_RESPONSE_BYTES};
pub use client::{
    https_or_loopback, BaseUrl, BulkUpload, Client, ClientBuilder, FilePart, SingleUpload,
    MAX_RATE_LIMIT_WAIT,
};
pub use error::{ApiError, ErrorCategory, FieldError, NotFound, Result};
pub use ids::{AttachmentId, NoteId, PatientId};
pub use key::ApiKey;
pub use names::{EncodeError, NamesEncoding};
pub use network::ProxyUrl;
