//! Moving a misfiled upload to the right patient's chart, for the CLI and the app alike.
//!
//! A file sent to the wrong chart is a patient-safety problem, and fixing it must not make a
//! second one: the patient it goes to is fetched fresh and shown (name and date of birth) before
//! anything changes, a move to the patient it is already on is refused, and the server's `true`
//! is not taken as proof: the chart it went to is listed to confirm the file is there. Only then
//! is the move recorded locally, where the history entry follows the file (so the duplicate guard
//! asks the right chart) and the move itself keeps where the file was.

use decoda_engine::{
    api::{models::Patient, ApiError, AttachmentId, ErrorCategory, PatientId},
    Uploader,
};
use decoda_store::{HistoryEntry, MoveRecord, Store, StoreError};

/// Why a move was refused, failed, or could not be confirmed, in words for clinic staff.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MoveError {
    /// An id was left empty.
    #[error("give the {0}")]
    Blank(&'static str),
    /// The file is already on the patient it was to move to.
    #[error("the file is already in the chart of patient {0}; choose the patient it should go to")]
    SamePatient(String),
    /// A lookup or the move itself failed (an unknown attachment or patient, the network…):
    /// nothing was moved.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The server answered `true`, but the chart it went to does not list the file.
    #[error("the server said it moved the file, but patient {to}'s chart does not show it: it was not recorded as moved. Look in both charts before trying again")]
    NotMoved {
        /// The patient it was to go to.
        to: String,
    },
    /// The server answered `true`, and the chart could not be listed to confirm it.
    #[error("the server said it moved the file, but the chart could not be checked to confirm it ({0}); it was not recorded as moved. Look in the chart before trying again")]
    Unchecked(ApiError),
    /// The upload history could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The move was made and confirmed, but not recorded on this computer.
    #[error("the file was moved and the chart confirms it, but this computer's upload history could not be updated ({0})")]
    NotRecorded(StoreError),
}

impl MoveError {
    /// The kind of failure, for the CLI's exit status and the window's error kind (the same
    /// classification as every API failure); `None` for a failure of the local history.
    pub fn category(&self) -> Option<ErrorCategory> {
        match self {
            Self::Blank(_) | Self::SamePatient(_) => Some(ErrorCategory::Invalid),
            Self::Api(e) | Self::Unchecked(e) => Some(e.category()),
            Self::NotMoved { .. } => Some(ErrorCategory::Unreachable),
            Self::Store(_) | Self::NotRecorded(_) => None,
        }
    }
}

/// A move, ready to be confirmed by a person: the file, the patient it is on now (when this
/// computer knows it) and the patient it goes to, both as the server describes them now. Only
/// [`Move::confirm`] makes one, so a move is never sent to a patient nobody was shown.
#[derive(Debug, Clone)]
pub struct Move {
    attachment: AttachmentId,
    from: Option<Patient>,
    to: Patient,
    upload: Option<HistoryEntry>,
}

/// A move the server made, the chart confirmed and this computer recorded.
#[derive(Debug, Clone)]
pub struct Moved {
    /// The patient it was on, when known.
    pub from: Option<Patient>,
    /// The patient it is on now.
    pub to: Patient,
    /// What was recorded: attachment, from, to, when.
    pub record: MoveRecord,
}

impl Move {
    /// Prepares moving `attachment_id` to `to`: finds the patient it is on now (`from`, or else
    /// this computer's upload history), refuses a move to that same patient, and fetches both
    /// patients fresh so they can be shown. Nothing is changed.
    ///
    /// The history is read before the returned future first waits, and the future does not hold
    /// the store, so it can run on any thread (the app's commands do).
    pub fn confirm<'a>(
        uploader: &'a Uploader,
        store: &Store,
        attachment_id: &str,
        from: Option<&str>,
        to: &str,
    ) -> impl std::future::Future<Output = Result<Self, MoveError>> + Send + 'a {
        let asked = Self::asked(store, attachment_id, from, to);
        async move {
            let (attachment_id, from, to, upload) = asked?;
            let to = uploader.confirm_patient(&PatientId::new(to)).await?;
            let from = match from {
                Some(id) => Some(uploader.confirm_patient(&PatientId::new(id)).await?),
                None => None,
            };
            if from.as_ref().is_some_and(|f| f.id == to.id) {
                return Err(MoveError::SamePatient(to.id.to_string()));
            }
            Ok(Self {
                attachment: AttachmentId::new(attachment_id),
                from,
                to,
                upload,
            })
        }
    }

    /// What [`Move::confirm`] asks the server about: the attachment, the patient it is on now
    /// (given, or from the history), the patient it goes to, and its history entry.
    #[allow(clippy::type_complexity)]
    fn asked(
        store: &Store,
        attachment_id: &str,
        from: Option<&str>,
        to: &str,
    ) -> Result<(String, Option<String>, String, Option<HistoryEntry>), MoveError> {
        let attachment_id = attachment_id.trim();
        let to = to.trim();
        if attachment_id.is_empty() {
            return Err(MoveError::Blank("attachment id"));
        }
        if to.is_empty() {
            return Err(MoveError::Blank("id of the patient to move it to"));
        }
        let upload = store.upload_of(attachment_id)?;
        let from = from
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .or_else(|| upload.as_ref().map(|u| u.patient_id.clone()));
        if from.as_deref() == Some(to) {
            return Err(MoveError::SamePatient(to.to_owned()));
        }
        Ok((attachment_id.to_owned(), from, to.to_owned(), upload))
    }

    /// The attachment to move.
    pub fn attachment(&self) -> &AttachmentId {
        &self.attachment
    }

    /// The patient it is on now, when this computer knows it.
    pub fn from(&self) -> Option<&Patient> {
        self.from.as_ref()
    }

    /// The patient it goes to.
    pub fn to(&self) -> &Patient {
        &self.to
    }

    /// What this computer recorded when it uploaded the file (its name, file name, day), if it did.
    pub fn upload(&self) -> Option<&HistoryEntry> {
        self.upload.as_ref()
    }

    /// Makes the move, confirms it in the chart it went to, and records it. Nothing is recorded
    /// unless the chart lists the file.
    pub async fn send(self, uploader: &Uploader, store: &mut Store) -> Result<Moved, MoveError> {
        tracing::debug!(attachment = %self.attachment, from = ?self.from.as_ref().map(|p| &p.id), to = %self.to.id, "moving an upload");
        uploader
            .client()
            .move_attachment(&self.attachment, &self.to.id)
            .await?;
        let day = self.upload.as_ref().and_then(upload_day);
        let landed = uploader
            .attachment_in_chart(&self.to.id, &self.attachment, day)
            .await
            .map_err(MoveError::Unchecked)?;
        if !landed {
            tracing::warn!("the server confirmed a move that the chart does not show");
            return Err(MoveError::NotMoved {
                to: self.to.id.to_string(),
            });
        }
        let record = store
            .record_move(
                self.attachment.as_str(),
                self.from.as_ref().map(|p| p.id.as_str()),
                self.to.id.as_str(),
            )
            .map_err(MoveError::NotRecorded)?;
        tracing::info!("an upload was moved to another patient's chart");
        Ok(Moved {
            from: self.from,
            to: self.to,
            record,
        })
    }
}

/// Moves a misfiled upload in one call (for a front end that has already shown both patients):
/// [`Move::confirm`], then [`Move::send`].
pub async fn move_attachment(
    uploader: &Uploader,
    store: &mut Store,
    attachment_id: &str,
    from: Option<&str>,
    to: &str,
) -> Result<Moved, MoveError> {
    Move::confirm(uploader, store, attachment_id, from, to)
        .await?
        .send(uploader, store)
        .await
}

/// The day (UTC) the file was uploaded, to ask the chart by; `None` when unreadable (the chart's
/// pages are then read from the newest).
fn upload_day(entry: &HistoryEntry) -> Option<chrono::NaiveDate> {
    chrono::DateTime::parse_from_rfc3339(&entry.uploaded_at)
        .ok()
        .map(|at| at.with_timezone(&chrono::Utc).date_naive())
}
