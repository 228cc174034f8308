//! The database layout and its upgrades, versioned with SQLite's `user_version`.

use crate::{history::file_name_only, Result, StoreError};
use rusqlite::{params, Connection, Transaction};

/// One upgrade of the schema: SQL, or Rust where SQL cannot say it.
enum Migration {
    Sql(&'static str),
    Rust(fn(&Transaction<'_>) -> rusqlite::Result<()>),
}

/// The version from which the history keeps file names only: a database older than this may
/// still hold full paths in free space, so it is rewritten once after the upgrade.
const FILE_NAMES_ONLY: i64 = 2;

/// Each entry upgrades the schema by one version; never edit one that has shipped, add another.
const MIGRATIONS: &[Migration] = &[
    Migration::Sql(
        r#"
CREATE TABLE queue (
    id            INTEGER PRIMARY KEY,
    run_id        TEXT NOT NULL,
    patient_id    TEXT NOT NULL,
    note_id       TEXT,
    path          TEXT NOT NULL,
    name          TEXT,
    external_id   TEXT,
    hash          TEXT NOT NULL,
    size          INTEGER NOT NULL,
    state         TEXT NOT NULL,
    last_error    TEXT,
    attachment_id TEXT,
    first_sent_at TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX queue_state ON queue(state);
CREATE INDEX queue_patient_hash ON queue(patient_id, hash);
CREATE TABLE history (
    id            INTEGER PRIMARY KEY,
    patient_id    TEXT NOT NULL,
    note_id       TEXT,
    attachment_id TEXT NOT NULL,
    name          TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    hash          TEXT NOT NULL,
    size          INTEGER NOT NULL,
    uploaded_at   TEXT NOT NULL
);
CREATE INDEX history_patient_hash ON history(patient_id, hash);
CREATE INDEX history_uploaded_at ON history(uploaded_at);
"#,
    ),
    Migration::Rust(history_keeps_file_names_only),
    // Version 3: rows record the account (server address and tenant) whose chart they are for;
    // rows written before stay '' and are read by every account, as they were.
    Migration::Sql(
        r#"
ALTER TABLE queue ADD COLUMN account TEXT NOT NULL DEFAULT '';
ALTER TABLE history ADD COLUMN account TEXT NOT NULL DEFAULT '';
CREATE INDEX history_account_patient_hash ON history(account, patient_id, hash);
"#,
    ),
    // Version 4: a queue row may be written before its file is hashed (the hash is taken while the
    // file is sent, and stored before the answer is accepted), so `hash` may be NULL; `modified`
    // (nanoseconds since 1970, as the file system said when it was checked) tells whether a file
    // whose row has no hash yet is still the one that went out. SQLite cannot drop a NOT NULL
    // constraint, so the table is rebuilt.
    Migration::Sql(
        r#"
CREATE TABLE queue_v4 (
    id            INTEGER PRIMARY KEY,
    run_id        TEXT NOT NULL,
    patient_id    TEXT NOT NULL,
    note_id       TEXT,
    path          TEXT NOT NULL,
    name          TEXT,
    external_id   TEXT,
    hash          TEXT,
    size          INTEGER NOT NULL,
    state         TEXT NOT NULL,
    last_error    TEXT,
    attachment_id TEXT,
    first_sent_at TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    account       TEXT NOT NULL DEFAULT '',
    modified      INTEGER
);
INSERT INTO queue_v4 (id, run_id, patient_id, note_id, path, name, external_id, hash, size, state,
                      last_error, attachment_id, first_sent_at, created_at, updated_at, account)
SELECT id, run_id, patient_id, note_id, path, name, external_id, hash, size, state,
       last_error, attachment_id, first_sent_at, created_at, updated_at, account
FROM queue;
DROP TABLE queue;
ALTER TABLE queue_v4 RENAME TO queue;
CREATE INDEX queue_state ON queue(state);
CREATE INDEX queue_patient_hash ON queue(patient_id, hash);
"#,
    ),
    // Version 5: moves of misfiled uploads to another patient's chart. The history row of a moved
    // file takes its new patient (so the duplicate guard and the history screens follow the
    // file); this table keeps where it was, where it went, and when. `from_patient_id` is NULL
    // when this computer did not know where the file was.
    Migration::Sql(
        r#"
CREATE TABLE moves (
    id              INTEGER PRIMARY KEY,
    account         TEXT NOT NULL DEFAULT '',
    attachment_id   TEXT NOT NULL,
    from_patient_id TEXT,
    to_patient_id   TEXT NOT NULL,
    moved_at        TEXT NOT NULL
);
CREATE INDEX moves_account_attachment ON moves(account, attachment_id);
CREATE INDEX history_attachment ON history(attachment_id);
"#,
    ),
    // Version 6: the patients whose files wait for the network to come back and are then sent by
    // themselves (a person confirmed them before the network went); kept so that a restart
    // while the network is down goes on waiting instead of dropping the promise.
    Migration::Sql(
        r#"
CREATE TABLE network_waits (
    account    TEXT NOT NULL DEFAULT '',
    patient_id TEXT NOT NULL,
    since      TEXT NOT NULL,
    PRIMARY KEY (account, patient_id)
);
"#,
    ),
];

/// Brings the database to the current schema, refusing one from a newer version.
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let current = MIGRATIONS.len() as i64;
    if found > current {
        return Err(StoreError::NewerSchema { found });
    }
    for (version, migration) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        // Each step takes the write lock first and looks again: the app and the CLI (or the
        // app's own threads) opening a new database at once must not both run a step.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if now > version as i64 {
            continue;
        }
        match migration {
            Migration::Sql(sql) => tx.execute_batch(sql)?,
            Migration::Rust(step) => step(&tx)?,
        }
        tx.pragma_update(None, "user_version", version as i64 + 1)?;
        tx.commit()?;
    }
    if found > 0 && found < FILE_NAMES_ONLY {
        scrub(conn);
    }
    Ok(())
}

/// Version 2: the history keeps each file's name without the folders it was in. Folder names are
/// often patients' names, the history is kept for months, and its screens show only the name.
/// (The queue keeps full paths: its rows are needed to resume, and go once their files are done.)
fn history_keeps_file_names_only(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let rows: Vec<(i64, String)> = tx
        .prepare("SELECT id, file_name FROM history")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut update = tx.prepare("UPDATE history SET file_name = ?2 WHERE id = ?1")?;
    for (id, path) in rows {
        let name = file_name_only(&path);
        if name != path {
            update.execute(params![id, name])?;
        }
    }
    Ok(())
}

/// Rewrites the whole database once, so that the paths an older version stored (and rows it
/// deleted without overwriting them) do not linger in free space or in the write-ahead log.
/// Best effort: the upgrade itself is already committed, and another process may hold the file.
fn scrub(conn: &Connection) {
    let done = conn
        .execute_batch("VACUUM")
        .and_then(|()| conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())));
    if let Err(e) = done {
        tracing::warn!("the upload history could not be compacted after its upgrade: {e}");
    }
}
