//! Checking the answer: names repaired, external ids reported, the wrong patient caught.

use crate::support::*;
use decoda_engine::{
    api::NamesEncoding, CancellationToken, FileProblem, FileSpec, FileStatus, Settings,
};
use decoda_sandbox::{Config, Fault, FaultRule, NamesEncoding as ServerEncoding};

fn uploaded_name(status: &FileStatus) -> String {
    match status {
        FileStatus::Uploaded { attachment, .. } => attachment.name.clone(),
        other => panic!("not uploaded: {other:?}"),
    }
}

#[tokio::test]
async fn names_garbled_by_a_comma_server_are_repaired_and_reported() {
    let config = Config {
        names_encoding: ServerEncoding::Comma,
        ..Config::default()
    };
    let w = world_with(config, Settings::default()).await;
    let paths = w.files(2);
    let specs = vec![
        FileSpec {
            name: Some("Referral, Dr. Who".into()),
            ..FileSpec::new(&paths[0])
        },
        FileSpec {
            name: Some("Lab results".into()),
            ..FileSpec::new(&paths[1])
        },
    ];
    let report = w
        .uploader
        .upload(w.job(specs).await, None, CancellationToken::new())
        .await;
    assert_eq!(uploaded_name(&report.files[0].status), "Referral, Dr. Who");
    assert_eq!(uploaded_name(&report.files[1].status), "Lab results");
    assert!(
        report.files[0].notes[0].contains("corrected"),
        "{:?}",
        report.files[0].notes
    );
    let stored: Vec<String> = w
        .sandbox
        .state()
        .attachments()
        .iter()
        .map(|a| a.response.name.clone())
        .collect();
    assert_eq!(
        stored,
        ["Referral, Dr. Who", "Lab results"],
        "the server now holds the right names"
    );
}

#[tokio::test]
async fn the_comma_setting_sends_commas_safely_and_repairs_them_afterwards() {
    let config = Config {
        names_encoding: ServerEncoding::Comma,
        ..Config::default()
    };
    let settings = Settings {
        names_encoding: NamesEncoding::Comma,
        ..Settings::default()
    };
    let w = world_with(config, settings).await;
    let paths = w.files(2);
    let specs = vec![
        FileSpec {
            name: Some("X-ray, left knee".into()),
            external_id: Some("E1".into()),
            ..FileSpec::new(&paths[0])
        },
        FileSpec {
            external_id: Some("E,2".into()),
            ..FileSpec::new(&paths[1])
        },
    ];
    let report = w
        .uploader
        .upload(w.job(specs).await, None, CancellationToken::new())
        .await;
    assert_eq!(
        w.sandbox.state().uploads()[0].names.as_deref(),
        Some("X-ray  left knee")
    );
    assert_eq!(uploaded_name(&report.files[0].status), "X-ray, left knee");
    assert!(
        matches!(&report.files[1].status, FileStatus::Failed { problem: FileProblem::NotEncodable(_) }),
        "an external id with a comma cannot be sent in the comma encoding and cannot be fixed later"
    );
}

#[tokio::test]
async fn a_json_server_keeps_external_ids_and_a_comma_server_mangles_them_visibly() {
    let config = Config {
        names_encoding: ServerEncoding::Comma,
        ..Config::default()
    };
    let w = world_with(config, Settings::default()).await;
    let paths = w.files(1);
    let specs = vec![FileSpec {
        external_id: Some("MRN-9".into()),
        ..FileSpec::new(&paths[0])
    }];
    let report = w
        .uploader
        .upload(w.job(specs).await, None, CancellationToken::new())
        .await;
    assert!(matches!(
        report.files[0].status,
        FileStatus::Uploaded { .. }
    ));
    assert!(
        report.files[0]
            .notes
            .iter()
            .any(|n| n.contains("external id") && n.contains("`MRN-9`")),
        "{:?}",
        report.files[0].notes
    );
}

#[tokio::test]
async fn an_answer_naming_another_patient_is_reported_as_misfiled() {
    let w = world().await;
    w.sandbox
        .state()
        .push_fault(FaultRule::once(Fault::WrongPatient).on_path("/attachments/bulk"));
    let paths = w.files(2);
    let report = w.upload(&paths).await;
    for f in &report.files {
        let FileStatus::Failed {
            problem: FileProblem::WrongPatient(other),
        } = &f.status
        else {
            panic!("{f:?}")
        };
        assert_ne!(other, PATIENT);
    }
    assert!(!report.all_uploaded());
}
