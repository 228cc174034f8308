//! Errors that must not be retried: each gets its own clear message.

use crate::support::*;
use decoda_engine::{
    api::{ApiError, NotFound, NoteId, PatientId},
    CancellationToken, FileProblem, FileSpec, FileStatus, Settings, Uploader,
};
use std::time::Duration;

#[tokio::test]
async fn a_wrong_key_is_an_authorisation_error_and_never_echoed() {
    let w = world().await;
    let bad = Uploader::new(
        client(&w.sandbox, "canary-wrong-key-123", Duration::from_secs(5)),
        Settings::default(),
    );
    let err = bad
        .confirm_patient(&PatientId::new(PATIENT))
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Unauthorized { .. }), "{err:?}");
    assert!(err.to_string().contains("API key or tenant was rejected"));
    assert!(
        !format!("{err} {err:?}").contains("canary"),
        "the key never appears in errors"
    );
}

#[tokio::test]
async fn an_unknown_patient_is_named() {
    let w = world().await;
    let err = w
        .uploader
        .confirm_patient(&PatientId::new("pat_nobody/../x y"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ApiError::NotFound(NotFound::Patient(id)) if id == "pat_nobody/../x y"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_note_of_another_patient_refuses_the_files_without_retrying() {
    let w = world().await;
    let paths = w.files(2);
    let mut job = w.job(paths.iter().map(FileSpec::new).collect()).await;
    job.note = Some(NoteId::new("note_2003"));
    let report = w.uploader.upload(job, None, CancellationToken::new()).await;
    for f in &report.files {
        let FileStatus::Failed {
            problem: FileProblem::Refused(why),
        } = &f.status
        else {
            panic!("{f:?}")
        };
        assert!(why.contains("note_2003"), "{why}");
    }
    assert_eq!(w.sandbox.state().uploads().len(), 1, "a 404 is not retried");
    assert!(w.sandbox.state().attachments().is_empty());
}

#[tokio::test]
async fn a_server_that_is_not_there_fails_each_file_with_the_reason() {
    let w = world().await;
    let base = w.sandbox.base_url();
    let patient = w
        .uploader
        .confirm_patient(&PatientId::new(PATIENT))
        .await
        .unwrap();
    let items = w
        .uploader
        .check(w.files(1).iter().map(FileSpec::new).collect())
        .await;
    w.sandbox.shutdown().await;
    let gone = Uploader::new(
        decoda_engine::api::Client::builder(
            decoda_engine::api::BaseUrl::parse(&base).unwrap(),
            "demo-clinic",
            decoda_engine::api::ApiKey::new("k"),
        )
        .build()
        .unwrap(),
        Settings {
            retry: fast_retries(),
            ..Settings::default()
        },
    );
    let job = decoda_engine::Job {
        patient,
        note: None,
        items,
    };
    let report = gone.upload(job, None, CancellationToken::new()).await;
    let FileStatus::Failed {
        problem: FileProblem::NotSent(why),
    } = &report.files[0].status
    else {
        panic!("{:?}", report.files[0])
    };
    assert!(why.contains("could not connect to Decoda"), "{why}");
    assert!(
        !why.contains("os error"),
        "said in words, the chain goes to diagnostics: {why}"
    );
}
