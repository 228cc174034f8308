//! Cancellation stops promptly and says what landed.

use crate::support::*;
use decoda_engine::{CancellationToken, FileProblem, FileSpec, FileStatus, Phase, Progress};
use decoda_sandbox::{Fault, FaultRule};
use std::time::Duration;

#[tokio::test]
async fn cancel_while_the_server_holds_the_answer_reports_unconfirmed_files() {
    let w = world_with(decoda_sandbox::Config::default(), small_batches(2)).await;
    w.sandbox
        .state()
        .push_fault(FaultRule::once(Fault::Hang).on_path("/attachments/bulk"));
    let paths = w.files(2);
    let job = w.job(paths.iter().map(FileSpec::new).collect()).await;
    let cancel = CancellationToken::new();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let trigger = cancel.clone();
    // Cancel as soon as the engine reports the body is out and it is waiting for the server.
    let watcher = tokio::spawn(async move {
        while let Some(e) = rx.recv().await {
            if matches!(
                e,
                Progress::Phase {
                    phase: Phase::ServerProcessing,
                    ..
                }
            ) {
                trigger.cancel();
            }
        }
    });
    let report = tokio::time::timeout(
        Duration::from_secs(10),
        w.uploader.upload(job, Some(tx), cancel),
    )
    .await
    .expect("cancel must stop the upload promptly");
    watcher.await.unwrap();
    for f in &report.files {
        assert!(
            matches!(
                &f.status,
                FileStatus::Failed {
                    problem: FileProblem::Unconfirmed(_)
                }
            ),
            "{f:?}"
        );
    }
}

#[tokio::test]
async fn cancel_before_sending_sends_nothing() {
    let w = world().await;
    let paths = w.files(3);
    let job = w.job(paths.iter().map(FileSpec::new).collect()).await;
    let cancel = CancellationToken::new();
    cancel.cancel();
    let report = w.uploader.upload(job, None, cancel).await;
    assert!(report.files.iter().all(|f| matches!(
        f.status,
        FileStatus::Failed {
            problem: FileProblem::Cancelled
        }
    )));
    assert!(w.sandbox.state().uploads().is_empty());
}
