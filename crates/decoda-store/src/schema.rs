//! The database layout and its upgrades, versioned with SQLite's `user_version`.

use crate::{Result, StoreError};
use rusqlite::Connection;

/// Each entry upgrades the schema by one version; never edit one that has shipped, add another.
const MIGRATIONS: &[&str] = &[r#"
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
"#];

/// Brings the database to the current schema, refusing one from a newer version.
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let current = MIGRATIONS.len() as i64;
    if found > current {
        return Err(StoreError::NewerSchema { found });
    }
    for (version, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
