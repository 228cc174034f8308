//! Injected faults: every file ends uploaded exactly once, or reported.

use crate::support::*;
use decoda_engine::{
    CancellationToken, FileProblem, FileSpec, FileStatus, Phase, Progress, Settings, Timeouts,
};
use decoda_sandbox::{Fault, FaultRule};
use std::time::Duration;

async fn survives(fault: Fault) -> (World, decoda_engine::Report, Vec<std::path::PathBuf>) {
    let w = world_with(decoda_sandbox::Config::default(), small_batches(3)).await;
    w.sandbox
        .state()
        .push_fault(FaultRule::once(fault).on_path("/attachments/bulk"));
    let paths = w.files(7);
    let report = w.upload(&paths).await;
    w.assert_each_stored_once(&report, &paths);
    (w, report, paths)
}

#[tokio::test]
async fn server_error_500_is_retried_once_without_duplicates() {
    let (w, _, _) = survives(Fault::Status500).await;
    assert!(w
        .sandbox
        .state()
        .uploads()
        .iter()
        .any(|u| u.outcome.contains("status500")));
}

#[tokio::test]
async fn proxy_502_html_page_is_retried_without_duplicates() {
    survives(Fault::BadGatewayHtml).await;
}

#[tokio::test]
async fn connection_dropped_mid_body_is_resent() {
    let (w, report, _) = survives(Fault::DropMidBody { after_bytes: 600 }).await;
    assert!(w
        .sandbox
        .state()
        .uploads()
        .iter()
        .any(|u| u.outcome.contains("dropMidBody")));
    assert!(report.files.iter().all(|f| matches!(
        f.status,
        FileStatus::Uploaded {
            found_after_interruption: false,
            ..
        }
    )));
}

#[tokio::test]
async fn answer_lost_after_the_files_landed_is_found_in_the_chart_not_resent() {
    let (w, report, _) = survives(Fault::DropAfterStore).await;
    let recovered = report
        .files
        .iter()
        .filter(|f| {
            matches!(
                f.status,
                FileStatus::Uploaded {
                    found_after_interruption: true,
                    ..
                }
            )
        })
        .count();
    assert_eq!(
        recovered, 3,
        "the first batch of three was found in the chart"
    );
    let stored_requests = w
        .sandbox
        .state()
        .uploads()
        .iter()
        .filter(|u| file_parts(u).len() == 3 && u.outcome != "stored")
        .count();
    assert_eq!(
        stored_requests, 1,
        "the faulted request was the only one for that batch"
    );
}

#[tokio::test]
async fn malformed_json_answer_is_checked_against_the_chart() {
    let (_, report, _) = survives(Fault::MalformedJson).await;
    assert!(report.files.iter().any(|f| matches!(
        f.status,
        FileStatus::Uploaded {
            found_after_interruption: true,
            ..
        }
    )));
}

#[tokio::test]
async fn an_answer_that_leaves_out_a_stored_file_finds_it_in_the_chart_instead_of_resending() {
    let (w, report, _) = survives(Fault::LoseLast).await;
    assert_eq!(
        w.sandbox.state().uploads().len(),
        3,
        "no re-send: the left-out file was in the chart"
    );
    let recovered: Vec<usize> = report
        .files
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            matches!(
                f.status,
                FileStatus::Uploaded {
                    found_after_interruption: true,
                    ..
                }
            )
        })
        .map(|(i, _)| i)
        .collect();
    assert_eq!(recovered, [2], "the last file of the first batch");
}

#[tokio::test]
async fn answer_after_the_client_timeout_is_found_in_the_chart() {
    let w = world().await;
    let settings = Settings {
        retry: fast_retries(),
        timeouts: Timeouts {
            answer: Duration::from_millis(300),
            ..Timeouts::default()
        },
        ..Settings::default()
    };
    let uploader = decoda_engine::Uploader::new(
        client(&w.sandbox, "sandbox-demo-key", Duration::from_secs(5)),
        settings,
    );
    w.sandbox
        .state()
        .push_fault(FaultRule::once(Fault::Delay { ms: 1500 }).on_path("/attachments/bulk"));
    let paths = w.files(2);
    let job = w.job(paths.iter().map(FileSpec::new).collect()).await;
    let report = uploader.upload(job, None, CancellationToken::new()).await;
    w.assert_each_stored_once(&report, &paths);
    assert!(report.files.iter().all(|f| matches!(
        f.status,
        FileStatus::Uploaded {
            found_after_interruption: true,
            ..
        }
    )));
}

#[tokio::test]
async fn rate_limit_waits_as_long_as_the_server_asks() {
    let w = world().await;
    w.sandbox.state().push_fault(
        FaultRule::once(Fault::RateLimited {
            retry_after_secs: 1,
        })
        .on_path("/attachments/bulk"),
    );
    let paths = w.files(2);
    let job = w.job(paths.iter().map(FileSpec::new).collect()).await;
    let (report, events) = w.upload_watching(job, CancellationToken::new()).await;
    w.assert_each_stored_once(&report, &paths);
    let waits = retry_waits(&events);
    assert_eq!(
        waits,
        [1000],
        "Retry-After is honoured, not the fast backoff"
    );
}

#[tokio::test]
async fn persistent_failure_gives_up_after_the_configured_tries_and_says_so() {
    let w = world().await;
    w.sandbox.state().push_fault(
        FaultRule::once(Fault::Status500)
            .on_path("/attachments/bulk")
            .times(10),
    );
    let paths = w.files(2);
    let report = w.upload(&paths).await;
    for why in not_sent_reasons(&report) {
        assert!(why.contains("gave up after 4 tries"), "{why}");
    }
    assert!(w.sandbox.state().attachments().is_empty());
    assert_eq!(w.sandbox.state().uploads().len(), 4);
}

#[tokio::test]
async fn too_large_for_the_server_is_split_until_it_fits() {
    let w = world().await;
    w.sandbox
        .state()
        .push_fault(FaultRule::once(Fault::PayloadTooLarge).on_path("/attachments/bulk"));
    let paths = w.files(4);
    let report = w.upload(&paths).await;
    w.assert_each_stored_once(&report, &paths);
    let parts: Vec<usize> = w.batch_sizes();
    assert_eq!(
        parts[1..],
        [2, 2],
        "after a 413 the batch went as two halves: {parts:?}"
    );
}

/// Why each file was not sent; panics if one was sent or failed another way.
fn not_sent_reasons(report: &decoda_engine::Report) -> Vec<String> {
    report
        .files
        .iter()
        .map(|f| match &f.status {
            FileStatus::Failed {
                problem: FileProblem::NotSent(why),
            } => why.clone(),
            other => panic!("not sent, with the reason: {other:?}"),
        })
        .collect()
}

/// The waits the engine announced before its retries, in milliseconds.
fn retry_waits(events: &[Progress]) -> Vec<u64> {
    events
        .iter()
        .filter_map(|e| match e {
            Progress::Phase {
                phase: Phase::Retrying { wait_ms, .. },
                ..
            } => Some(*wait_ms),
            _ => None,
        })
        .collect()
}

/// A 429 carrying only `X-RateLimit-Reset` with `reset`; returns the waits the engine announced.
async fn rate_limited_by_reset_only(reset: String) -> Vec<u64> {
    let w = world().await;
    w.sandbox.state().push_fault(
        FaultRule::once(Fault::RateLimitedWith {
            retry_after: None,
            rate_limit_reset: Some(reset),
        })
        .on_path("/attachments/bulk"),
    );
    let paths = w.files(2);
    let job = w.job(paths.iter().map(FileSpec::new).collect()).await;
    let (report, events) = w.upload_watching(job, CancellationToken::new()).await;
    w.assert_each_stored_once(&report, &paths);
    assert!(
        w.sandbox.state().pending_faults().is_empty(),
        "the 429 was sent"
    );
    retry_waits(&events)
}

#[tokio::test]
async fn rate_limit_with_only_a_reset_in_seconds_is_waited_out() {
    let waits = rate_limited_by_reset_only("2".into()).await;
    assert_eq!(waits, [2000], "X-RateLimit-Reset: 2 is two seconds");
}

#[tokio::test]
async fn rate_limit_with_only_a_reset_as_unix_time_is_waited_out() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let waits = rate_limited_by_reset_only((now + 2).to_string()).await;
    assert_eq!(waits.len(), 1, "one wait: {waits:?}");
    assert!(
        (500..=2000).contains(&waits[0]),
        "a reset two seconds from now is waited as the time left, not as {} s: {waits:?}",
        now + 2
    );
}

#[tokio::test]
async fn an_absurd_retry_after_gives_up_with_a_reason_instead_of_panicking() {
    let w = world().await;
    w.sandbox.state().push_fault(
        FaultRule::once(Fault::RateLimitedWith {
            retry_after: Some("1e20".into()),
            rate_limit_reset: Some("1e300".into()),
        })
        .on_path("/attachments/bulk"),
    );
    let paths = w.files(2);
    let report = w.upload(&paths).await;
    for why in not_sent_reasons(&report) {
        assert!(why.contains("too long to wait"), "{why}");
    }
    assert!(w.sandbox.state().attachments().is_empty(), "nothing stored");
}
