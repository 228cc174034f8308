//! The queue and history on a real SQLite file in a temporary folder.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use decoda_store::{hash_file, ContentHash, HistoryQuery, NewItem, RowState, Store, StoreError};
use std::path::Path;

fn item(dir: &Path, name: &str, bytes: &[u8], patient: &str) -> NewItem {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    NewItem {
        patient_id: patient.into(),
        note_id: None,
        path: path.clone(),
        name: Some(name.into()),
        external_id: None,
        hash: hash_file(&path).unwrap(),
        size: bytes.len() as u64,
    }
}

#[test]
fn a_confirmed_file_moves_to_the_history_and_the_run_leaves_only_unsent_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let run = store.begin_run().unwrap();
    let a = item(dir.path(), "a.pdf", b"one", "pat_1");
    let b = item(dir.path(), "b.pdf", b"two", "pat_1");
    let ids = store.enqueue(&run, &[a.clone(), b]).unwrap();
    assert!(store
        .rows(&run)
        .unwrap()
        .iter()
        .all(|r| r.state == RowState::Queued));

    store.mark_sending(&ids).unwrap();
    store.mark_uploaded(ids[0], "att_1", "a.pdf").unwrap();
    store
        .mark(ids[1], RowState::Failed, "the server answered 500")
        .unwrap();
    let previous = store.previous_upload("pat_1", &a.hash).unwrap().unwrap();
    assert_eq!(previous.attachment_id, "att_1");
    assert!(
        store.previous_upload("pat_2", &a.hash).unwrap().is_none(),
        "per patient"
    );

    store.finish_run(&run).unwrap();
    let left = store.rows(&run).unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].state, RowState::Failed);
    assert_eq!(
        left[0].last_error.as_deref(),
        Some("the server answered 500")
    );
    assert!(left[0].first_sent_at.is_some());
}

#[test]
fn rows_of_a_live_run_are_not_abandoned_and_those_of_a_dead_one_are() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let run = store.begin_run().unwrap();
    let ids = store
        .enqueue(
            &run,
            &[
                item(dir.path(), "a.pdf", b"one", "pat_1"),
                item(dir.path(), "b.pdf", b"two", "pat_1"),
            ],
        )
        .unwrap();
    store.mark_sending(&ids[..1]).unwrap();
    assert!(store.abandoned().unwrap().is_empty(), "its lock is held");

    drop(run); // as when the process dies: the lock is released
    let abandoned = store.abandoned().unwrap();
    let states: Vec<RowState> = abandoned.iter().map(|r| r.state).collect();
    assert_eq!(states, [RowState::MaybeLanded, RowState::Queued]);

    let next = store.begin_run().unwrap();
    store.take_over(&next, &ids).unwrap();
    assert!(
        store.abandoned().unwrap().is_empty(),
        "now owned by a live run"
    );
    let rows = store.rows(&next).unwrap();
    assert_eq!(
        rows[0].state,
        RowState::MaybeLanded,
        "still to be looked for in the chart"
    );
}

#[test]
fn what_was_committed_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let hash;
    {
        let mut store = Store::open(dir.path()).unwrap();
        let run = store.begin_run().unwrap();
        let a = item(dir.path(), "a.pdf", b"one", "pat_1");
        hash = a.hash.clone();
        let ids = store.enqueue(&run, &[a]).unwrap();
        store.mark_uploaded(ids[0], "att_9", "a.pdf").unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(
        store
            .previous_upload("pat_1", &hash)
            .unwrap()
            .unwrap()
            .attachment_id,
        "att_9"
    );
}

#[test]
fn history_is_searchable_newest_first_and_pruned_by_age() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let run = store.begin_run().unwrap();
    let items = [
        item(dir.path(), "consent 100%.pdf", b"1", "pat_1"),
        item(dir.path(), "x-ray.png", b"2", "pat_1"),
        item(dir.path(), "lab.pdf", b"3", "pat_2"),
    ];
    let ids = store.enqueue(&run, &items).unwrap();
    for (i, id) in ids.iter().enumerate() {
        store
            .mark_uploaded(*id, &format!("att_{i}"), &format!("doc {i}"))
            .unwrap();
    }
    let all = store.history(&HistoryQuery::default()).unwrap();
    assert_eq!(
        all.iter()
            .map(|e| e.attachment_id.as_str())
            .collect::<Vec<_>>(),
        ["att_2", "att_1", "att_0"]
    );
    let mine = store
        .history(&HistoryQuery {
            patient_id: Some("pat_1".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(mine.len(), 2);
    let percent = store
        .history(&HistoryQuery {
            text: Some("100%".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        percent.len(),
        1,
        "% is matched literally, not as a wildcard"
    );
    let limited = store
        .history(&HistoryQuery {
            limit: 1,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(limited.len(), 1);
    assert_eq!(
        store.prune_history(30).unwrap(),
        0,
        "nothing is 30 days old"
    );
    let later = chrono::Utc::now() + chrono::Duration::minutes(1);
    assert_eq!(store.prune_history_before(later).unwrap(), 3);
}

#[test]
fn a_database_from_a_newer_version_is_refused_not_damaged() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    let conn = rusqlite_conn(&dir.path().join("uploads.sqlite3"));
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = Store::open(dir.path()).unwrap_err();
    assert!(
        matches!(err, StoreError::NewerSchema { found: 99 }),
        "{err}"
    );
    assert!(err.to_string().contains("newer version"));
}

fn rusqlite_conn(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

#[test]
fn hashes_round_trip_as_hex() {
    let h = ContentHash::from_hex("ab".repeat(32));
    assert_eq!(h.to_string(), h.as_str());
}
