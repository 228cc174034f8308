//! Moving a misfiled upload, against the loopback sandbox and a real SQLite history: both patients
//! confirmed, the move checked in the chart it went to, and recorded.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{world, world_with, World};
use decoda_core::{move_attachment, Move, MoveError};
use decoda_engine::api::{ApiError, ErrorCategory, FilePart, NotFound, PatientId, SingleUpload};

/// What the move tests do with the world.
trait Moves {
    async fn uploaded(&self, patient: &str, recorded: bool) -> String;
    fn patient_of(&self, attachment: &str) -> String;
}

impl Moves for World {
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
                .enqueue(&run, &[common::queued(&path, patient)])
                .unwrap();
            store
                .mark_uploaded(ids[0], attachment.id.as_str(), "consent.pdf")
                .unwrap();
            store.finish_run(&run).unwrap();
        }
        attachment.id.to_string()
    }

    fn patient_of(&self, attachment: &str) -> String {
        self.sandbox.state().patient_of(attachment).unwrap()
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
