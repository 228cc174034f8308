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
    pub async fn confirm(
        uploader: &Uploader,
        store: &Store,
        attachment_id: &str,
        from: Option<&str>,
        to: &str,
    ) -> Result<Self, MoveError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use decoda_engine::{
        api::{ApiKey, BaseUrl, Client, FilePart, NotFound, SingleUpload},
        Settings,
    };

    struct World {
        sandbox: decoda_sandbox::Sandbox,
        uploader: Uploader,
        dir: tempfile::TempDir,
    }

    async fn world_with(config: decoda_sandbox::Config) -> World {
        let key = config.api_key.clone();
        let sandbox = decoda_sandbox::spawn(config, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let client = Client::builder(
            BaseUrl::parse(&sandbox.base_url()).unwrap(),
            "demo-clinic",
            ApiKey::new(key),
        )
        .build()
        .unwrap();
        World {
            sandbox,
            uploader: Uploader::new(client, Settings::default()),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    async fn world() -> World {
        world_with(decoda_sandbox::Config::default()).await
    }

    impl World {
        fn store(&self) -> Store {
            Store::open(&self.dir.path().join("data")).unwrap()
        }

        /// Uploads a file to `patient` (on a note, for pat_1001), recorded in the local history when `recorded`;
        /// returns its attachment id.
        async fn uploaded(&self, patient: &str, recorded: bool) -> String {
            let path = self.dir.path().join("consent.pdf");
            std::fs::write(&path, b"%PDF-1.4 consent").unwrap();
            let bytes = std::fs::read(&path).unwrap();
            let attachment = self
                .uploader
                .client()
                .upload_one(SingleUpload {
                    patient_id: PatientId::new(patient),
                    // note_2001 is one of pat_1001's notes.
                    note_id: (patient == "pat_1001").then(|| "note_2001".into()),
                    name: None,
                    external_id: None,
                    file: FilePart {
                        file_name: "consent.pdf".into(),
                        content_type: "application/pdf".into(),
                        length: bytes.len() as u64,
                        body: bytes.into(),
                    },
                })
                .await
                .unwrap();
            if recorded {
                let mut store = self.store();
                let run = store.begin_run().unwrap();
                let ids = store
                    .enqueue(&run, &[crate::testing::queued(&path, patient)])
                    .unwrap();
                store
                    .mark_uploaded(ids[0], attachment.id.as_str(), "consent.pdf")
                    .unwrap();
                store.finish_run(&run).unwrap();
            }
            attachment.id.to_string()
        }

        fn patient_of(&self, attachment: &str) -> String {
            self.sandbox
                .state()
                .attachments()
                .into_iter()
                .find(|a| a.response.id == attachment)
                .unwrap()
                .patient_id
        }
    }

    #[tokio::test]
    async fn a_move_lands_in_the_new_chart_and_the_history_follows_it() {
        let w = world().await;
        let id = w.uploaded("pat_1001", true).await;
        let mut store = w.store();
        let planned = Move::confirm(&w.uploader, &store, &id, None, " pat_1002 ")
            .await
            .unwrap();
        assert_eq!(
            planned.from().map(|p| p.id.as_str()),
            Some("pat_1001"),
            "the patient it is on comes from the history"
        );
        assert_eq!(planned.to().date_of_birth.as_deref(), Some("1991-07-30"));
        assert_eq!(planned.upload().unwrap().file_name, "consent.pdf");
        let moved = planned.send(&w.uploader, &mut store).await.unwrap();
        assert_eq!(w.patient_of(&id), "pat_1002");
        assert_eq!(moved.record.from_patient_id.as_deref(), Some("pat_1001"));
        assert_eq!(moved.record.to_patient_id, "pat_1002");
        assert_eq!(store.moves(Some(&id)).unwrap(), [moved.record]);
        let entry = store.upload_of(&id).unwrap().unwrap();
        assert_eq!(
            entry.patient_id, "pat_1002",
            "the duplicate guard asks the new chart"
        );
        assert_eq!(entry.note_id, None);
    }

    #[tokio::test]
    async fn a_move_to_the_patient_it_is_on_is_refused_and_nothing_is_sent() {
        let w = world().await;
        let id = w.uploaded("pat_1001", true).await;
        let mut store = w.store();
        for from in [None, Some("pat_1001")] {
            let refused = move_attachment(&w.uploader, &mut store, &id, from, "pat_1001")
                .await
                .unwrap_err();
            assert!(matches!(refused, MoveError::SamePatient(_)), "{refused:?}");
            assert_eq!(refused.category(), Some(ErrorCategory::Invalid));
        }
        assert!(store.moves(None).unwrap().is_empty());
        assert_eq!(w.patient_of(&id), "pat_1001");
        assert_eq!(
            w.sandbox.state().attachments()[0]
                .response
                .note_id
                .as_deref(),
            Some("note_2001"),
            "no request changed it"
        );
    }

    #[tokio::test]
    async fn an_unknown_attachment_or_patient_is_a_clear_error_and_nothing_is_recorded() {
        let w = world().await;
        let id = w.uploaded("pat_1001", true).await;
        let mut store = w.store();
        let unknown = move_attachment(
            &w.uploader,
            &mut store,
            "att_nope",
            Some("pat_1001"),
            "pat_1002",
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&unknown, MoveError::Api(ApiError::NotFound(NotFound::Attachment(a))) if a == "att_nope"),
            "{unknown:?}"
        );
        assert_eq!(unknown.to_string(), "no attachment with id `att_nope`");
        assert_eq!(unknown.category(), Some(ErrorCategory::NotFound));
        let nobody = move_attachment(&w.uploader, &mut store, &id, None, "pat_0")
            .await
            .unwrap_err();
        assert!(
            matches!(&nobody, MoveError::Api(ApiError::NotFound(NotFound::Patient(p))) if p == "pat_0"),
            "{nobody:?}"
        );
        let blank = move_attachment(&w.uploader, &mut store, " ", None, "pat_1002")
            .await
            .unwrap_err();
        assert!(matches!(blank, MoveError::Blank(_)), "{blank:?}");
        assert!(store.moves(None).unwrap().is_empty());
        assert_eq!(
            store.upload_of(&id).unwrap().unwrap().patient_id,
            "pat_1001"
        );
    }

    /// The server's `true` is not proof: a move the chart does not show is an error and is not
    /// recorded, so the history still names the chart the file is in.
    #[tokio::test]
    async fn a_true_answer_without_the_move_fails_the_check_and_is_not_recorded() {
        let w = world().await;
        let id = w.uploaded("pat_1001", true).await;
        w.sandbox.state().push_fault(
            decoda_sandbox::FaultRule::once(decoda_sandbox::Fault::AnswerOnly {
                json: "true".into(),
            })
            .on_path(&format!("/attachments/{id}/patient")),
        );
        let mut store = w.store();
        let error = move_attachment(&w.uploader, &mut store, &id, None, "pat_1002")
            .await
            .unwrap_err();
        assert!(
            matches!(&error, MoveError::NotMoved { to } if to == "pat_1002"),
            "{error:?}"
        );
        assert!(error.to_string().contains("does not show it"), "{error}");
        assert_eq!(w.patient_of(&id), "pat_1001");
        assert!(store.moves(None).unwrap().is_empty());
        assert_eq!(
            store.upload_of(&id).unwrap().unwrap().patient_id,
            "pat_1001"
        );
    }

    /// A file this computer did not upload (no history) is moved all the same, and checked by the
    /// chart's listing, which is all a contract-only server offers (its answers do not say whose
    /// chart a file is in).
    #[tokio::test]
    async fn a_file_not_known_locally_is_moved_and_checked_by_the_listing() {
        let w = world_with(decoda_sandbox::Config {
            contract_only: true,
            ..decoda_sandbox::Config::default()
        })
        .await;
        let id = w.uploaded("pat_1003", false).await;
        let mut store = w.store();
        let planned = Move::confirm(&w.uploader, &store, &id, None, "pat_1004")
            .await
            .unwrap();
        assert!(planned.from().is_none(), "not known on this computer");
        assert!(planned.upload().is_none());
        let moved = planned.send(&w.uploader, &mut store).await.unwrap();
        assert_eq!(w.patient_of(&id), "pat_1004");
        assert_eq!(moved.record.from_patient_id, None);
        assert_eq!(store.moves(None).unwrap().len(), 1);
    }
}
