//! The upload core that the CLI and the desktop app both call: every rule that decides what
//! reaches a patient's chart exists here once.
//!
//! [`ledger`] plans and records an upload around the engine: each file is checked, hashed and
//! compared with its listing; a file already in this patient's chart (the chart confirms it) or
//! listed twice is skipped; a file an interrupted upload may have sent is looked for in the chart
//! first; every file is written to the local queue before a byte leaves, and to the history as
//! soon as its answer is verified. [`scans`] says what the records know of a scan found in the
//! scanner inbox before it is listed. [`waiting`] is the list of files waiting to be sent, as a
//! front end shows it: what each file may do while a patient is chosen, which of them an upload
//! takes, and what became of them; the window only displays what it decides. [`moving`] moves a
//! misfiled upload to another patient's chart: both patients shown, the move checked in the chart
//! it went to, and recorded.

pub mod finding;
mod forget;
pub mod identity;
pub mod ledger;
pub mod moving;
mod queued;
pub mod scans;
mod target;
pub mod waiting;

pub use finding::{find_patients, FindError};
pub use forget::{forget_removed, Removed};
pub use identity::PatientCard;
pub use ledger::{plan, LedgerError, Outcome, Prepared, Selected};
pub use moving::{move_attachment, Move, MoveError, Moved};
pub use queued::{is_row_of, queued_file_now, OnDisk, QueuedFile};
pub use target::Target;

/// What the core's tests share.
#[cfg(test)]
pub(crate) mod testing {
    use decoda_store::{hash_file, NewItem};
    use std::path::Path;

    /// The queue row of the file at `path` for `patient`, with its real hash and size.
    pub(crate) fn queued(path: &Path, patient: &str) -> NewItem {
        NewItem {
            patient_id: patient.into(),
            note_id: None,
            path: path.to_path_buf(),
            name: None,
            external_id: None,
            hash: Some(hash_file(path).unwrap()),
            size: std::fs::metadata(path).unwrap().len(),
            modified: std::fs::metadata(path).unwrap().modified().ok(),
        }
    }
}
