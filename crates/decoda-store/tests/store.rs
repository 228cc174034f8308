//! The queue and history on a real SQLite file in a temporary folder.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use decoda_store::{
    hash_file, Account, ContentHash, HistoryQuery, NewItem, RowState, Store, StoreError,
};
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
        hash: Some(hash_file(&path).unwrap()),
        size: bytes.len() as u64,
        modified: std::fs::metadata(&path).unwrap().modified().ok(),
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
    let previous = store
        .previous_upload("pat_1", a.hash.as_ref().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(previous.attachment_id, "att_1");
    assert!(
        store
            .previous_upload("pat_2", a.hash.as_ref().unwrap())
            .unwrap()
            .is_none(),
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
        hash = a.hash.clone().unwrap();
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

/// The permission bits of a file or folder.
#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Tests run as root in CI, and root opens anything: what is checked is the mode, not access.
#[cfg(unix)]
#[test]
fn the_folder_database_its_wal_and_shm_and_run_locks_are_private_to_their_owner() {
    let top = tempfile::tempdir().unwrap();
    let dir = top.path().join("data");
    let mut store = Store::open(&dir).unwrap();
    let run = store.begin_run().unwrap();
    let a = item(top.path(), "a.pdf", b"one", "pat_1");
    store.enqueue(&run, &[a]).unwrap();
    let db = dir.join("uploads.sqlite3");
    let lock = dir.join("runs").join(format!("{}.lock", run.run_id()));
    for (path, want) in [
        (dir.clone(), 0o700),
        (dir.join("runs"), 0o700),
        (db.clone(), 0o600),
        (dir.join("uploads.sqlite3-wal"), 0o600),
        (dir.join("uploads.sqlite3-shm"), 0o600),
        (lock, 0o600),
    ] {
        assert_eq!(
            mode(&path),
            want,
            "{} holds patient data and must be its owner's only",
            path.display()
        );
    }
}

#[cfg(unix)]
#[test]
fn a_data_folder_and_database_left_open_by_an_older_version_are_tightened() {
    use std::os::unix::fs::PermissionsExt;
    let top = tempfile::tempdir().unwrap();
    let dir = top.path().join("data");
    drop(Store::open(&dir).unwrap());
    let db = dir.join("uploads.sqlite3");
    let open = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    open(&dir, 0o755);
    open(&dir.join("runs"), 0o755);
    open(&db, 0o644);
    drop(Store::open(&dir).unwrap());
    assert_eq!(mode(&dir), 0o700, "the data folder is tightened");
    assert_eq!(
        mode(&dir.join("runs")),
        0o700,
        "the runs folder is tightened"
    );
    assert_eq!(mode(&db), 0o600, "the database is tightened");
}

#[test]
fn a_history_row_keeps_the_file_name_but_not_the_folders_it_was_in() {
    let dir = tempfile::tempdir().unwrap();
    let patient_folder = dir.path().join("Garcia, Maria");
    std::fs::create_dir(&patient_folder).unwrap();
    let mut store = Store::open(&dir.path().join("data")).unwrap();
    let run = store.begin_run().unwrap();
    let a = item(&patient_folder, "scan 1.pdf", b"one", "pat_1");
    let ids = store.enqueue(&run, std::slice::from_ref(&a)).unwrap();
    assert_eq!(
        store.rows(&run).unwrap()[0].path,
        a.path,
        "the queue keeps the full path: a resume needs it"
    );
    store.mark_uploaded(ids[0], "att_1", "Scan").unwrap();
    let history = store.history(&HistoryQuery::default()).unwrap();
    assert_eq!(history[0].file_name, "scan 1.pdf");
    let by_folder = store
        .history(&HistoryQuery {
            text: Some("Garcia".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(
        by_folder.is_empty(),
        "no folder name is kept: {by_folder:?}"
    );
}

/// The first schema, as version 0.1.0 wrote it, with full paths in the history.
const SCHEMA_V1: &str = r#"
CREATE TABLE queue (
    id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, patient_id TEXT NOT NULL, note_id TEXT,
    path TEXT NOT NULL, name TEXT, external_id TEXT, hash TEXT NOT NULL, size INTEGER NOT NULL,
    state TEXT NOT NULL, last_error TEXT, attachment_id TEXT, first_sent_at TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX queue_state ON queue(state);
CREATE INDEX queue_patient_hash ON queue(patient_id, hash);
CREATE TABLE history (
    id INTEGER PRIMARY KEY, patient_id TEXT NOT NULL, note_id TEXT, attachment_id TEXT NOT NULL,
    name TEXT NOT NULL, file_name TEXT NOT NULL, hash TEXT NOT NULL, size INTEGER NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX history_patient_hash ON history(patient_id, hash);
CREATE INDEX history_uploaded_at ON history(uploaded_at);
PRAGMA user_version = 1;
"#;

#[test]
fn an_older_database_with_full_paths_in_its_history_is_migrated_to_file_names() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("uploads.sqlite3");
    let hash = "ab".repeat(32);
    {
        let conn = rusqlite_conn(&db);
        conn.execute_batch(SCHEMA_V1).unwrap();
        let at = chrono::Utc::now().to_rfc3339();
        for (attachment, path) in [
            ("att_1", "/home/front-desk/Scans/Garcia, Maria/scan 1.pdf"),
            ("att_2", "plain.pdf"),
        ] {
            conn.execute(
                "INSERT INTO history (patient_id, attachment_id, name, file_name, hash, size,
                                      uploaded_at)
                 VALUES ('pat_1', ?1, 'Scan', ?2, ?3, 3, ?4)",
                rusqlite::params![attachment, path, hash, at],
            )
            .unwrap();
        }
        // A finished run's row, deleted as version 0.1.0 did: its bytes stay in free space.
        conn.execute(
            "INSERT INTO queue (run_id, patient_id, path, hash, size, state, created_at,
                                updated_at)
             VALUES ('r', 'pat_1', '/home/front-desk/Scans/Garcia, Maria/scan 2.pdf', ?1, 3,
                     'uploaded', 'x', 'x')",
            [&hash],
        )
        .unwrap();
        conn.execute("DELETE FROM queue", []).unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    let mut names: Vec<String> = store
        .history(&HistoryQuery::default())
        .unwrap()
        .into_iter()
        .map(|e| e.file_name)
        .collect();
    names.sort();
    assert_eq!(names, ["plain.pdf", "scan 1.pdf"]);
    assert!(
        store
            .previous_upload("pat_1", &ContentHash::from_hex(hash))
            .unwrap()
            .is_some(),
        "the duplicate guard still knows the upload"
    );
    drop(store);
    for file in ["uploads.sqlite3", "uploads.sqlite3-wal"] {
        let Ok(bytes) = std::fs::read(dir.path().join(file)) else {
            continue;
        };
        assert!(
            !String::from_utf8_lossy(&bytes).contains("Garcia"),
            "{file} still holds the old folder name"
        );
    }
}

/// The same patient id on the sandbox and on production, or in two tenants of one practice, is
/// not the same person: what one account uploaded or left unfinished is not seen by another.
#[test]
fn uploads_and_unfinished_files_belong_to_their_server_and_tenant() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Account::new("http://127.0.0.1:8787", "demo-clinic");
    let production = Account::new("https://api.decodahealth.com", "demo-clinic");
    let other_tenant = Account::new("http://127.0.0.1:8787/", "other-clinic");
    let a = item(dir.path(), "a.pdf", b"one", "pat_1001");
    let b = item(dir.path(), "b.pdf", b"two", "pat_1001");
    {
        let mut store = Store::open(dir.path())
            .unwrap()
            .for_account(sandbox.clone())
            .unwrap();
        let run = store.begin_run().unwrap();
        let ids = store.enqueue(&run, &[a.clone(), b.clone()]).unwrap();
        store.mark_sending(&ids).unwrap();
        store.mark_uploaded(ids[0], "att_1", "a.pdf").unwrap();
    }
    let store_for = |account: &Account| {
        Store::open(dir.path())
            .unwrap()
            .for_account(account.clone())
            .unwrap()
    };

    let same = store_for(&Account::new("http://127.0.0.1:8787/", "demo-clinic"));
    assert_eq!(
        same.previous_upload("pat_1001", a.hash.as_ref().unwrap())
            .unwrap()
            .unwrap()
            .attachment_id,
        "att_1",
        "the same server spelled with a trailing slash is the same account"
    );
    assert_eq!(same.abandoned().unwrap().len(), 1, "b was left unfinished");
    assert_eq!(same.history(&HistoryQuery::default()).unwrap().len(), 1);
    for elsewhere in [&production, &other_tenant] {
        let store = store_for(elsewhere);
        assert!(store
            .previous_upload("pat_1001", a.hash.as_ref().unwrap())
            .unwrap()
            .is_none());
        assert!(store
            .last_upload_of(a.hash.as_ref().unwrap())
            .unwrap()
            .is_none());
        assert!(
            store.abandoned().unwrap().is_empty(),
            "never resumed to {elsewhere:?}"
        );
        assert!(store.history(&HistoryQuery::default()).unwrap().is_empty());
    }
    let everything = Store::open(dir.path()).unwrap();
    assert_eq!(everything.abandoned().unwrap().len(), 1);
}

/// History written before accounts were recorded is read by every account (the chart is asked
/// before any of it counts as "already there"); unfinished rows from then are adopted by the first
/// account that opens the store, and never resumed to another.
#[test]
fn rows_from_before_accounts_were_recorded_are_adopted_or_confirmed() {
    let dir = tempfile::tempdir().unwrap();
    let a = item(dir.path(), "a.pdf", b"one", "pat_1001");
    let b = item(dir.path(), "b.pdf", b"two", "pat_1001");
    {
        let mut store = Store::open(dir.path()).unwrap();
        let run = store.begin_run().unwrap();
        let ids = store.enqueue(&run, &[a.clone(), b]).unwrap();
        store.mark_uploaded(ids[0], "att_1", "a.pdf").unwrap();
    }
    let open = |url: &str| {
        Store::open(dir.path())
            .unwrap()
            .for_account(Account::new(url, "demo-clinic"))
            .unwrap()
    };
    let first = open("http://127.0.0.1:8787");
    assert!(first
        .previous_upload("pat_1001", a.hash.as_ref().unwrap())
        .unwrap()
        .is_some());
    assert_eq!(first.abandoned().unwrap().len(), 1, "adopted by the first");
    let second = open("https://api.decodahealth.com");
    assert!(
        second
            .previous_upload("pat_1001", a.hash.as_ref().unwrap())
            .unwrap()
            .is_some(),
        "history is read by every account, and confirmed with the chart"
    );
    assert!(
        second.abandoned().unwrap().is_empty(),
        "an unfinished upload is never resumed to a second server"
    );
}

/// Version 4 lets a queue row wait for its hash (taken while the file is sent): an unfinished row
/// of an older database keeps its hash through the upgrade, and a row without one can be written.
#[test]
fn an_older_queue_keeps_its_rows_and_takes_rows_whose_hash_comes_later() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("uploads.sqlite3");
    let hash = "cd".repeat(32);
    {
        let conn = rusqlite_conn(&db);
        conn.execute_batch(SCHEMA_V1).unwrap();
        conn.execute(
            "INSERT INTO queue (run_id, patient_id, path, hash, size, state, created_at,
                                updated_at)
             VALUES ('dead-run', 'pat_1', '/scans/a.pdf', ?1, 3, 'sending', 'x', 'x')",
            [&hash],
        )
        .unwrap();
    }
    let mut store = Store::open(dir.path()).unwrap();
    let rows = store.abandoned().unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].hash, Some(ContentHash::from_hex(hash)));
    assert_eq!(rows[0].state, RowState::MaybeLanded);
    assert!(rows[0].modified.is_none());

    let run = store.begin_run().unwrap();
    let mut later = item(dir.path(), "b.pdf", b"four", "pat_1");
    let hash_b = later.hash.take().unwrap();
    let ids = store.enqueue(&run, &[later.clone()]).unwrap();
    let row = &store.rows(&run).unwrap()[0];
    assert_eq!(row.hash, None);
    assert_eq!(
        row.modified, later.modified,
        "the time is kept to the nanosecond"
    );
    assert_eq!(
        store.sizes_known("pat_1").unwrap(),
        std::collections::HashSet::from([3, 4]),
        "unfinished files' sizes are known"
    );
    assert!(
        store.mark_uploaded(ids[0], "att_9", "b").is_err(),
        "a row reaches the history only with its hash"
    );
    store.record_hash(ids[0], &hash_b).unwrap();
    store.mark_uploaded(ids[0], "att_9", "b").unwrap();
    assert!(store.previous_upload("pat_1", &hash_b).unwrap().is_some());
}

/// The schema as version 4 left it (the last before moves were recorded).
const SCHEMA_V4: &str = r#"
CREATE TABLE queue (
    id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, patient_id TEXT NOT NULL, note_id TEXT,
    path TEXT NOT NULL, name TEXT, external_id TEXT, hash TEXT, size INTEGER NOT NULL,
    state TEXT NOT NULL, last_error TEXT, attachment_id TEXT, first_sent_at TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, account TEXT NOT NULL DEFAULT '',
    modified INTEGER
);
CREATE INDEX queue_state ON queue(state);
CREATE INDEX queue_patient_hash ON queue(patient_id, hash);
CREATE TABLE history (
    id INTEGER PRIMARY KEY, patient_id TEXT NOT NULL, note_id TEXT, attachment_id TEXT NOT NULL,
    name TEXT NOT NULL, file_name TEXT NOT NULL, hash TEXT NOT NULL, size INTEGER NOT NULL,
    uploaded_at TEXT NOT NULL, account TEXT NOT NULL DEFAULT ''
);
CREATE INDEX history_patient_hash ON history(patient_id, hash);
CREATE INDEX history_uploaded_at ON history(uploaded_at);
CREATE INDEX history_account_patient_hash ON history(account, patient_id, hash);
PRAGMA user_version = 4;
"#;

/// Version 5 records moves of misfiled uploads: a version-4 database upgrades with its history
/// intact, and a move takes the history entry (and so the duplicate guard) to the new patient
/// while the move itself keeps where the file was.
#[test]
fn a_version_4_database_upgrades_and_a_move_takes_the_history_to_the_new_patient() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("uploads.sqlite3");
    let hash = ContentHash::from_hex("ef".repeat(32));
    {
        let conn = rusqlite_conn(&db);
        conn.execute_batch(SCHEMA_V4).unwrap();
        conn.execute(
            "INSERT INTO history (patient_id, note_id, attachment_id, name, file_name, hash, size,
                                  uploaded_at)
             VALUES ('pat_1001', 'note_2001', 'att_1', 'Consent', 'consent.pdf', ?1, 3,
                     '2026-11-02T09:30:00.000Z')",
            [hash.as_str()],
        )
        .unwrap();
    }
    let mut store = Store::open(dir.path())
        .unwrap()
        .for_account(Account::new("http://127.0.0.1:8787", "demo-clinic"))
        .unwrap();
    let version: i64 = rusqlite_conn(&db)
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 6, "upgraded to the current schema");
    let before = store
        .upload_of("att_1")
        .unwrap()
        .expect("kept through the upgrade");
    assert_eq!(before.patient_id, "pat_1001");
    assert!(store.moves(None).unwrap().is_empty());

    let moved = store
        .record_move("att_1", Some("pat_1001"), "pat_1002")
        .unwrap();
    assert_eq!(moved.from_patient_id.as_deref(), Some("pat_1001"));
    let after = store.upload_of("att_1").unwrap().unwrap();
    assert_eq!(after.patient_id, "pat_1002", "the history follows the file");
    assert_eq!(after.note_id, None, "the server dropped the note link");
    assert_eq!(
        after.uploaded_at, before.uploaded_at,
        "the chart is asked by that day"
    );
    assert!(
        store.previous_upload("pat_1001", &hash).unwrap().is_none(),
        "the file is no longer in the first chart: sending it there again is not a duplicate"
    );
    assert_eq!(
        store
            .previous_upload("pat_1002", &hash)
            .unwrap()
            .unwrap()
            .attachment_id,
        "att_1"
    );
    assert_eq!(
        store.moves(Some("att_1")).unwrap(),
        std::slice::from_ref(&moved)
    );
    assert!(store.moves(Some("att_2")).unwrap().is_empty());
    drop(store);
    let reopened = Store::open(dir.path()).unwrap();
    assert_eq!(
        reopened.moves(None).unwrap(),
        [moved],
        "a move survives reopening"
    );
}

/// A move recorded for one server and tenant is that account's: another account's history and
/// moves are untouched.
#[test]
fn moves_belong_to_their_server_and_tenant() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Account::new("http://127.0.0.1:8787", "demo-clinic");
    let production = Account::new("https://api.decodahealth.com", "demo-clinic");
    let open = |account: &Account| {
        Store::open(dir.path())
            .unwrap()
            .for_account(account.clone())
            .unwrap()
    };
    for account in [&sandbox, &production] {
        let mut store = open(account);
        let run = store.begin_run().unwrap();
        let ids = store
            .enqueue(&run, &[item(dir.path(), "a.pdf", b"one", "pat_1001")])
            .unwrap();
        store.mark_uploaded(ids[0], "att_1", "a.pdf").unwrap();
    }
    let mut store = open(&sandbox);
    store.record_move("att_1", None, "pat_1002").unwrap();
    assert_eq!(
        store.upload_of("att_1").unwrap().unwrap().patient_id,
        "pat_1002"
    );
    let other = open(&production);
    assert!(other.moves(None).unwrap().is_empty());
    assert_eq!(
        other.upload_of("att_1").unwrap().unwrap().patient_id,
        "pat_1001",
        "the same id on another server is another file"
    );
}

/// Moves name patients, so the retention setting prunes them as it prunes uploads.
#[test]
fn old_moves_are_pruned_with_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store.record_move("att_1", Some("pat_1"), "pat_2").unwrap();
    store
        .prune_history_before(chrono::Utc::now() - chrono::Duration::days(1))
        .unwrap();
    assert_eq!(store.moves(None).unwrap().len(), 1, "a recent move stays");
    store
        .prune_history_before(chrono::Utc::now() + chrono::Duration::seconds(1))
        .unwrap();
    assert!(store.moves(None).unwrap().is_empty());
}

#[test]
fn a_wait_for_the_network_outlives_a_restart_and_belongs_to_its_account() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Account::new("http://127.0.0.1:8787", "demo-clinic");
    let production = Account::new("https://api.decodahealth.com", "demo-clinic");
    {
        let store = Store::open(dir.path())
            .unwrap()
            .for_account(sandbox.clone())
            .unwrap();
        store.wait_for_network("pat_1").unwrap();
        store.wait_for_network("pat_2").unwrap();
        store.wait_for_network("pat_1").unwrap();
    }
    let store = Store::open(dir.path())
        .unwrap()
        .for_account(sandbox)
        .unwrap();
    assert_eq!(store.network_waits().unwrap(), ["pat_1", "pat_2"]);
    store.network_answered("pat_1").unwrap();
    assert_eq!(store.network_waits().unwrap(), ["pat_2"]);
    let other = Store::open(dir.path())
        .unwrap()
        .for_account(production)
        .unwrap();
    assert!(
        other.network_waits().unwrap().is_empty(),
        "the same id on another server is another person"
    );
}

/// The app's start-up thread, its commands and the CLI may open a database that does not exist
/// yet at the same moment: each must find it created once, at the current schema.
#[test]
fn a_new_database_opened_by_many_at_once_is_created_once() {
    let dir = tempfile::tempdir().unwrap();
    let opened: Vec<_> = (0..6)
        .map(|_| {
            let dir = dir.path().to_owned();
            std::thread::spawn(move || Store::open(&dir).map(|_| ()))
        })
        .collect();
    for (i, thread) in opened.into_iter().enumerate() {
        if let Err(e) = thread.join().unwrap() {
            panic!("opener {i} failed: {e}");
        }
    }
    let store = Store::open(dir.path()).unwrap();
    assert!(store.abandoned().unwrap().is_empty());
}
