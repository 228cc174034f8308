//! After a lost answer, "it landed" is decided by content, never by name; an answer that does not
//! say whose chart a file went to is checked against the chart.

use crate::support::*;
use decoda_engine::{CancellationToken, FileProblem, FileSpec, FileStatus, Phase, Progress};
use decoda_sandbox::{Config, Fault, FaultRule};
use std::path::{Path, PathBuf};

/// Another workstation's scan, already in the chart under the name every scanner uses.
async fn scan_from_another_workstation(w: &World, bytes: &[u8]) -> PathBuf {
    let other = w.dir.path().join("other workstation");
    std::fs::create_dir_all(&other).unwrap();
    let path = other.join("scan0001.pdf");
    std::fs::write(&path, bytes).unwrap();
    let report = w.upload(std::slice::from_ref(&path)).await;
    assert!(report.all_uploaded(), "{:#?}", report.files);
    path
}

/// The connection drops once the whole body has been read, and nothing is stored: the client
/// cannot know whether the file landed.
fn drop_after_the_body() -> FaultRule {
    FaultRule::once(Fault::DropMidBody {
        after_bytes: u64::MAX,
    })
    .on_path("/attachments/bulk")
}

fn found_after_interruption(status: &FileStatus) -> bool {
    matches!(
        status,
        FileStatus::Uploaded {
            found_after_interruption: true,
            ..
        }
    )
}

#[tokio::test]
async fn a_same_named_scan_from_another_workstation_is_not_taken_for_a_lost_file() {
    same_named_scan_is_not_taken(Config::default()).await;
}

#[tokio::test]
async fn a_same_named_scan_with_dates_without_a_time_zone_is_not_taken_either() {
    same_named_scan_is_not_taken(Config {
        contract_only: true,
        ..Config::default()
    })
    .await;
}

async fn same_named_scan_is_not_taken(config: Config) {
    let w = world_with(config, decoda_engine::Settings::default()).await;
    let ours = b"%PDF-1.4 our referral letter, page one\n".repeat(40);
    // One with other bytes of the same length (only the hash tells them apart), one shorter.
    let mut same_size = ours.clone();
    same_size[10] ^= 0x20;
    let theirs_same_size = scan_from_another_workstation(&w, &same_size).await;
    let theirs_shorter = scan_from_another_workstation(&w, b"%PDF-1.4 short").await;
    let path = w.file("scan0001.pdf", &ours);
    w.sandbox.state().push_fault(drop_after_the_body());

    let report = w.upload(std::slice::from_ref(&path)).await;

    assert!(
        w.sandbox.state().pending_faults().is_empty(),
        "the fault fired"
    );
    assert!(report.all_uploaded(), "{:#?}", report.files);
    assert!(
        !found_after_interruption(&report.files[0].status),
        "sent again, not 'found': {:?}",
        report.files[0].status
    );
    assert_eq!(w.copies_of(&path), 1, "our scan is in the chart, once");
    assert_eq!(w.copies_of(&theirs_same_size), 1);
    assert_eq!(w.copies_of(&theirs_shorter), 1);
    assert_eq!(w.sandbox.state().attachments().len(), 3);
}

#[tokio::test]
async fn a_lost_answer_for_a_file_that_landed_is_found_by_its_content() {
    let w = world().await;
    let path = w.file("scan0001.pdf", &b"%PDF-1.4 consent form\n".repeat(30));
    w.sandbox
        .state()
        .push_fault(FaultRule::once(Fault::DropAfterStore).on_path("/attachments/bulk"));

    let report = w.upload(std::slice::from_ref(&path)).await;

    assert!(w.sandbox.state().pending_faults().is_empty());
    assert!(
        found_after_interruption(&report.files[0].status),
        "{:?}",
        report.files[0].status
    );
    assert_eq!(w.copies_of(&path), 1, "not sent twice");
}

#[tokio::test]
async fn a_same_named_file_whose_content_cannot_be_compared_stays_maybe_landed() {
    let data = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: Some(data.path().to_path_buf()),
        ..Config::default()
    };
    let w = world_with(config, decoda_engine::Settings::default()).await;
    scan_from_another_workstation(&w, b"%PDF-1.4 somebody else's scan").await;
    // The chart lists it, but its bytes can no longer be downloaded.
    remove_stored_files(&data.path().join("files"));
    let path = w.file("scan0001.pdf", &b"%PDF-1.4 ours\n".repeat(20));
    w.sandbox.state().push_fault(drop_after_the_body());

    let report = w.upload(std::slice::from_ref(&path)).await;

    let FileStatus::Failed { problem } = &report.files[0].status else {
        panic!("should stay unconfirmed: {:?}", report.files[0].status);
    };
    assert!(
        problem.may_have_landed(),
        "the next try looks in the chart first"
    );
    let FileProblem::Unconfirmed(why) = problem else {
        panic!("{problem:?}");
    };
    assert!(why.contains("could not be compared"), "{why}");
    assert_eq!(w.copies_of(&path), 0, "not sent a second time blindly");
}

#[tokio::test]
async fn an_answer_without_the_patient_is_checked_against_the_chart() {
    let config = Config {
        contract_only: true,
        ..Config::default()
    };
    let w = world_with(config, decoda_engine::Settings::default()).await;
    let paths = w.files(3);
    let job = w.job(paths.iter().map(FileSpec::new).collect()).await;

    let (report, events) = w.upload_watching(job, CancellationToken::new()).await;

    w.assert_each_stored_once(&report, &paths);
    assert!(
        events.iter().any(|e| matches!(
            e,
            Progress::Phase {
                phase: Phase::CheckingChart,
                files
            } if files.len() == 3
        )),
        "the chart was consulted for the answer's attachments"
    );
}

#[tokio::test]
async fn an_answer_without_the_patient_is_not_counted_when_the_chart_cannot_be_checked() {
    let config = Config {
        contract_only: true,
        ..Config::default()
    };
    let w = world_with(config, decoda_engine::Settings::default()).await;
    w.sandbox
        .state()
        .push_fault(FaultRule::once(Fault::Status500).on_path("/attachments"));
    let paths = w.files(2);

    let report = w.upload(&paths).await;

    assert!(w.sandbox.state().pending_faults().is_empty());
    for file in &report.files {
        assert!(
            matches!(
                &file.status,
                FileStatus::Failed { problem: FileProblem::Unconfirmed(why) }
                    if why.contains("did not say whose chart")
            ),
            "{:?}",
            file.status
        );
    }
    for p in &paths {
        assert_eq!(w.copies_of(p), 1, "stored once and not sent again");
    }
}

#[tokio::test]
async fn dates_without_a_time_zone_still_find_a_file_that_landed() {
    let config = Config {
        contract_only: true,
        ..Config::default()
    };
    let w = world_with(config, decoda_engine::Settings::default()).await;
    let path = w.file("scan0001.pdf", &b"%PDF-1.4 lab results\n".repeat(25));
    w.sandbox
        .state()
        .push_fault(FaultRule::once(Fault::DropAfterStore).on_path("/attachments/bulk"));

    let report = w.upload(std::slice::from_ref(&path)).await;

    assert!(
        found_after_interruption(&report.files[0].status),
        "{:?}",
        report.files[0].status
    );
    assert_eq!(w.copies_of(&path), 1);
}

fn remove_stored_files(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            remove_stored_files(&path);
        } else {
            std::fs::remove_file(path).unwrap();
        }
    }
}

/// An upload interrupted weeks ago, with other scans filed on that patient on many days since:
/// the look in the chart cannot read back to the first try, so it must not say "not there" (the
/// file would be sent a second time), but that it cannot tell.
#[tokio::test]
async fn a_chart_too_long_to_read_back_to_the_first_try_cannot_tell() {
    let w = world().await;
    let ours = w.file("scan0001.pdf", &b"%PDF-1.4 ours\n".repeat(10));
    let others: Vec<PathBuf> = (0..70)
        .map(|i| {
            w.file(
                &format!("other {i}.txt"),
                format!("other scan {i}").as_bytes(),
            )
        })
        .collect();
    let mut all = others.clone();
    all.push(ours.clone());
    assert!(w.upload(&all).await.all_uploaded());
    let now = chrono::Utc::now();
    let state = w.sandbox.state();
    for a in state.attachments() {
        let days = if a.response.original_filename == "scan0001.pdf" {
            80
        } else {
            // One scan a day for the last 70 days.
            1 + a.response.original_filename[6..a.response.original_filename.len() - 4]
                .parse::<i64>()
                .unwrap()
        };
        assert!(state.set_created_date(&a.response.id, now - chrono::Duration::days(days)));
    }
    let checked = w.uploader.check(vec![FileSpec::new(&ours)]).await;
    let file = checked[0].result.clone().unwrap();

    let landed = w
        .uploader
        .find_in_chart(
            &decoda_engine::api::PatientId::new(PATIENT),
            now - chrono::Duration::days(81),
            &[&file],
        )
        .await
        .unwrap();

    assert!(
        matches!(&landed[0], decoda_engine::Landed::Unknown(why) if why.contains("too many days")),
        "{:?}",
        landed[0]
    );
}
