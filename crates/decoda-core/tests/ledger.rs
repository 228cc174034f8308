//! The ledger against the loopback sandbox and a real SQLite queue.
//!
//! One read per file: a file no other can be a copy of is hashed while it is sent, its hash is
//! stored before its answer is recorded, and a run that died before the hash was stored is still
//! recognised in the chart. A file that may have landed and was removed from the list is not
//! offered again, and the chart is looked at before its content goes to its patient again.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{world, World};
use decoda_core::{plan, Outcome, Selected, Target};
use decoda_engine::{CancellationToken, FileSpec, FileStatus, Progress};
use decoda_store::{hash_file, NewItem};
use std::path::Path;

const PATIENT: &str = "pat_1001";

/// What the ledger tests do with the world.
trait Sends {
    async fn send(&self, path: &Path) -> (Outcome, Vec<Progress>, usize);
}

impl Sends for World {
    /// Plans and sends `path` to the patient; returns its outcome and every progress event.
    async fn send(&self, path: &Path) -> (Outcome, Vec<Progress>, usize) {
        let mut store = self.store();
        let run = store.begin_run().unwrap();
        let target = Target::confirm(&self.uploader, PATIENT, None)
            .await
            .unwrap();
        let selection = vec![Selected::new(FileSpec::new(path))];
        let prepared = plan(&mut store, &run, &self.uploader, &target, selection)
            .await
            .unwrap();
        let looked = prepared.looked_in_chart;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut outcomes = prepared
            .send(
                store,
                &run,
                &self.uploader,
                Some(tx),
                CancellationToken::new(),
            )
            .await
            .unwrap();
        let mut events = Vec::new();
        while let Ok(event) = rx.try_recv() {
            events.push(event);
        }
        (outcomes.remove(0), events, looked)
    }
}

#[tokio::test]
async fn a_file_of_no_known_size_is_hashed_while_sent_and_its_hash_recorded_before_its_answer() {
    let w = world().await;
    let scan = w.file("referral.pdf", b"%PDF-1.4 a referral letter, one page");
    let expected = hash_file(&scan).unwrap();

    let (outcome, events, _) = w.send(&scan).await;
    assert!(
        matches!(
            outcome,
            Outcome::Sent(ref r) if matches!(r.status, FileStatus::Uploaded { .. })
        ),
        "{outcome:?}"
    );
    let hashed = events
        .iter()
        .position(|e| matches!(e, Progress::Hashed { hash, .. } if *hash == expected))
        .expect("the hash of the bytes sent is reported");
    let done = events
        .iter()
        .position(|e| matches!(e, Progress::FileDone { uploaded: true, .. }))
        .unwrap();
    assert!(
        hashed < done,
        "the hash comes before the answer: {events:?}"
    );
    let earlier = w.store().previous_upload(PATIENT, &expected).unwrap();
    assert!(
        earlier.is_some(),
        "the history holds the hash taken while sending"
    );

    // The same file again: its size is now known, so it is hashed first and found in the chart.
    let (again, _, _) = w.send(&scan).await;
    assert!(
        matches!(again, Outcome::Skipped { ref reason, .. } if reason.contains("already in this patient's chart")),
        "{again:?}"
    );
    assert_eq!(w.sandbox.state().attachments().len(), 1, "sent once");
}

#[tokio::test]
async fn a_run_that_died_before_the_hash_was_stored_is_found_in_the_chart_by_its_file() {
    let w = world().await;
    let scan = w.file("scan0001.pdf", b"%PDF-1.4 lab results, page one");
    // A first run sent the file and died before anything was recorded: the chart has it, and the
    // queue has only its row, written before sending, without a hash.
    let (first, _, _) = w.send(&scan).await;
    assert!(matches!(first, Outcome::Sent(_)));
    let data = w.dir.path().join("data");
    std::fs::remove_dir_all(&data).unwrap();
    {
        let mut store = w.store();
        let run = store.begin_run().unwrap();
        let meta = std::fs::metadata(&scan).unwrap();
        let row = NewItem {
            patient_id: PATIENT.into(),
            note_id: None,
            path: scan.clone(),
            name: Some("scan0001.pdf".into()),
            external_id: None,
            hash: None,
            size: meta.len(),
            modified: meta.modified().ok(),
        };
        let ids = store.enqueue(&run, &[row]).unwrap();
        store.mark_sending(&ids).unwrap();
    }

    let (outcome, _, looked) = w.send(&scan).await;
    assert_eq!(looked, 1, "the file the dead run was sending is looked for");
    assert!(
        matches!(outcome, Outcome::FoundInChart { .. }),
        "found by its content, not sent again: {outcome:?}"
    );
    assert_eq!(w.sandbox.state().attachments().len(), 1, "sent once");
    assert!(
        w.store().abandoned().unwrap().is_empty(),
        "the dead run's row is settled"
    );
}

#[tokio::test]
async fn a_file_that_may_have_landed_and_was_removed_is_looked_for_before_it_is_sent_again() {
    let w = world().await;
    let scan = w.file("scan0002.pdf", b"%PDF-1.4 discharge letter");
    // Sent by a run that died before its answer came: the chart has it, the queue says it may.
    let (first, _, _) = w.send(&scan).await;
    assert!(matches!(first, Outcome::Sent(_)));
    std::fs::remove_dir_all(w.dir.path().join("data")).unwrap();
    let row = {
        let mut store = w.store();
        let run = store.begin_run().unwrap();
        let meta = std::fs::metadata(&scan).unwrap();
        let item = NewItem {
            patient_id: PATIENT.into(),
            note_id: None,
            path: scan.clone(),
            name: None,
            external_id: None,
            hash: Some(hash_file(&scan).unwrap()),
            size: meta.len(),
            modified: meta.modified().ok(),
        };
        let ids = store.enqueue(&run, &[item]).unwrap();
        store.mark_sending(&ids).unwrap();
        ids[0]
    };

    // The person removes it from the list in the app.
    let removed = decoda_core::Removed {
        row: Some(row),
        patient: Some(PATIENT),
        path: &scan,
        listed_hash: None,
    };
    decoda_core::forget_removed(&mut w.store(), &removed).unwrap();
    assert!(
        w.store().abandoned().unwrap().is_empty(),
        "not offered again at the next start"
    );

    // Dropped again for the same patient: looked for in the chart, found, not sent twice.
    let (again, _, looked) = w.send(&scan).await;
    assert_eq!(looked, 1);
    assert!(matches!(again, Outcome::FoundInChart { .. }), "{again:?}");
    assert_eq!(w.sandbox.state().attachments().len(), 1, "sent once");
    assert!(
        w.store().set_aside(PATIENT).unwrap().is_empty(),
        "settled once found"
    );
}
