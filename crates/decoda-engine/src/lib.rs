//! The upload engine: everything between "these files, this patient" and "this is what landed".
//!
//! It checks files before anything is sent, streams them from disk in bounded memory, splits large
//! selections into several bulk requests, retries only what is safe to retry, looks in the
//! patient's chart before re-sending anything that may already be there, and checks every answer
//! against what was sent. It knows nothing of terminals or windows: the CLI and the desktop app
//! both drive it and read its [`Progress`] events.

mod body;
mod fetch;
mod files;
pub use decoda_hash as hash;
mod limits;
mod problem;
mod progress;
mod recover;
mod retry;
mod sniff;
mod timeouts;
mod upload;
mod verify;

pub use decoda_api as api;
pub use files::{check_files, CheckedFile, FileSpec, IntakeItem};
pub use limits::Limits;
pub use problem::{human_size, FileProblem};
pub use progress::{BytesProgress, FileBytes, Phase, Progress, ProgressSink};
pub use recover::{CreatedDate, Landed};
pub use retry::RetryPolicy;
pub use sniff::sniff_content_type;
pub use timeouts::Timeouts;
pub use tokio_util::sync::CancellationToken;
pub use upload::{FileReport, FileStatus, Job, Report, Settings, Uploader};
