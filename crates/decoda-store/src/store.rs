//! The database: opening it safely, and every change as one transaction.

use crate::{
    history::file_name_only,
    private,
    run_lock::{self, RunLock},
    schema, ContentHash, HistoryEntry, HistoryQuery, MoveRecord, NewItem, QueueRow, Result,
    RowState, StoreError,
};
use chrono::{SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::{
    path::{Path, PathBuf},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

const DB_FILE: &str = "uploads.sqlite3";
const RUNS_DIR: &str = "runs";

/// The per-user folder for the queue and history: `DECODA_DATA_DIR` if set, else the platform's
/// local data folder (`~/.local/share/decoda-uploader` on Linux, `%LOCALAPPDATA%` on Windows,
/// never the roaming profile: see [`crate::local_folder`]).
pub fn default_data_dir(env_override: Option<String>) -> Result<PathBuf> {
    if let Some(dir) = env_override.filter(|d| !d.trim().is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    let dirs = directories::ProjectDirs::from("com", "decodahealth", "decoda-uploader")
        .ok_or(StoreError::NoDataFolder)?;
    let local = dirs.data_local_dir().to_owned();
    match crate::local_folder::move_from_roaming(dirs.data_dir(), &local, DB_FILE) {
        Ok(true) => tracing::info!("the upload history moved to the computer's local data folder"),
        Ok(false) => {}
        Err(e) => {
            tracing::warn!("the upload history could not be moved to the local data folder: {e}")
        }
    }
    Ok(local)
}

/// Whose charts the rows belong to: the server address and the tenant. Patient ids are only
/// unique within one: `pat_1001` of the sandbox, of production, and of another tenant of the same
/// practice are three people. The queue and the history are kept per account, so a file sent to
/// one is never "already there" on another, and an interrupted upload is never resumed to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account(String);

impl Account {
    /// The account of a server address (as the client normalised it) and a tenant. The database
    /// keeps a hash of the two, not the address itself: it holds no links.
    pub fn new(base_url: &str, tenant: &str) -> Self {
        let mut hasher = decoda_hash::ContentHasher::new();
        hasher.update(base_url.trim_end_matches('/').as_bytes());
        hasher.update(b"\n");
        hasher.update(tenant.trim().as_bytes());
        Self(hasher.finish().as_str().to_owned())
    }
}

/// The open queue and history.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    runs: PathBuf,
    /// The account this store works for; `None` sees every account's rows (tools and tests).
    account: Option<Account>,
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Creates (or tightens) a folder of the store, readable by this user account only.
fn folder(path: &Path) -> Result<()> {
    private::create_dir(path).map_err(|source| StoreError::Private {
        path: path.to_owned(),
        source,
    })
}

/// Creates the database file owner-only before SQLite opens it, since SQLite gives its `-wal`
/// and `-shm` files the database file's mode; a database (or side file) an older version left
/// readable by others is tightened.
fn private_database(path: &Path) -> Result<()> {
    let private_err = |path: &Path| {
        let path = path.to_owned();
        move |source| StoreError::Private { path, source }
    };
    private::file_options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(private_err(path))?;
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        let side = PathBuf::from(side);
        private::tighten(&side).map_err(private_err(&side))?;
    }
    Ok(())
}

impl Store {
    /// Opens (creating if needed) the database in `dir`, in WAL mode, upgraded to this version.
    /// The folder and its files are made private to this user account, and deleted rows are
    /// overwritten on disk (`secure_delete`), not left in free pages.
    pub fn open(dir: &Path) -> Result<Self> {
        let runs = dir.join(RUNS_DIR);
        folder(dir)?;
        folder(&runs)?;
        let path = dir.join(DB_FILE);
        private_database(&path)?;
        let open_err = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        let mut conn = Connection::open(&path).map_err(open_err)?;
        conn.pragma_update(None, "secure_delete", "ON")
            .map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(open_err)?;
        schema::migrate(&mut conn)?;
        Ok(Self {
            conn,
            runs,
            account: None,
        })
    }

    /// The same store, working for one account: what it writes is recorded against it, and what
    /// it reads (unfinished files, earlier uploads, history) is that account's. History written
    /// before accounts were recorded is read by every account (the chart is asked before any of it
    /// counts). Unfinished rows from then are adopted by the first account that opens the store
    /// after the upgrade (the settings, and so the account, are the ones they were made with), so
    /// they are never resumed to a second server or tenant.
    pub fn for_account(mut self, account: Account) -> Result<Self> {
        self.conn.execute(
            "UPDATE queue SET account = ?1 WHERE account = ''",
            [account.0.as_str()],
        )?;
        self.account = Some(account);
        Ok(self)
    }

    /// Starts a run: the lock that tells other processes this run's files are being sent.
    pub fn begin_run(&self) -> Result<RunLock> {
        RunLock::acquire(&self.runs, &uuid::Uuid::new_v4().to_string())
    }

    /// Writes files into the queue for `run`, all or none, before anything is sent.
    pub fn enqueue(&mut self, run: &RunLock, items: &[NewItem]) -> Result<Vec<i64>> {
        self.enqueue_replacing(run, items, &[])
    }

    /// Writes files into the queue for `run` and deletes the rows they replace (the same files
    /// left by an interrupted run), in one transaction: a crash leaves one set or the other.
    pub fn enqueue_replacing(
        &mut self,
        run: &RunLock,
        items: &[NewItem],
        replacing: &[i64],
    ) -> Result<Vec<i64>> {
        let account = self.account_text();
        let tx = self.conn.transaction()?;
        for id in replacing {
            tx.execute("DELETE FROM queue WHERE id = ?1", [id])?;
        }
        let at = now();
        let mut ids = Vec::with_capacity(items.len());
        {
            let mut insert = tx.prepare(
                "INSERT INTO queue (run_id, patient_id, note_id, path, name, external_id, hash, size,
                                    state, created_at, updated_at, account, modified)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'queued', ?9, ?9, ?10, ?11)",
            )?;
            for item in items {
                insert.execute(params![
                    run.run_id(),
                    item.patient_id,
                    item.note_id,
                    item.path.to_string_lossy(),
                    item.name,
                    item.external_id,
                    item.hash.as_ref().map(ContentHash::as_str),
                    item.size as i64,
                    at,
                    account,
                    item.modified.and_then(to_nanos),
                ])?;
                ids.push(tx.last_insert_rowid());
            }
        }
        tx.commit()?;
        Ok(ids)
    }

    /// Stores the hash of a row's file as it was sent. Called before the answer about the file is
    /// accepted, so a row that reaches the history, or that a crash leaves behind, has it.
    pub fn record_hash(&mut self, id: i64, hash: &ContentHash) -> Result<()> {
        self.conn.execute(
            "UPDATE queue SET hash = ?2 WHERE id = ?1",
            params![id, hash.as_str()],
        )?;
        Ok(())
    }

    /// The sizes of the files this patient already has in the history (of this account) or in an
    /// unfinished queue row: a file of any other size cannot be one of them, so it needs no hash
    /// before it is sent (it is hashed while it is sent).
    pub fn sizes_known(&self, patient_id: &str) -> Result<std::collections::HashSet<u64>> {
        let mut stmt = self.conn.prepare(
            "SELECT size FROM history WHERE patient_id = ?1
                 AND (?2 IS NULL OR account = ?2 OR account = '')
             UNION
             SELECT size FROM queue WHERE patient_id = ?1
                 AND state IN ('queued', 'sending', 'maybe_landed', 'failed', 'set_aside')
                 AND (?2 IS NULL OR account = ?2)",
        )?;
        let sizes = stmt
            .query_map(params![patient_id, self.account_filter()], |r| {
                r.get::<_, i64>(0)
            })?
            .map(|size| size.map(|s| s as u64))
            .collect::<rusqlite::Result<_>>()?;
        Ok(sizes)
    }

    /// Marks rows as going out, remembering when they first did.
    pub fn mark_sending(&mut self, ids: &[i64]) -> Result<()> {
        let tx = self.conn.transaction()?;
        let at = now();
        for id in ids {
            tx.execute(
                "UPDATE queue SET state = 'sending', first_sent_at = COALESCE(first_sent_at, ?2),
                                  updated_at = ?2
                 WHERE id = ?1 AND state IN ('queued', 'failed', 'maybe_landed', 'sending')",
                params![id, at],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Marks a row uploaded and records it in the history, in one transaction. The history keeps
    /// the file's name, not its folder (see [`HistoryEntry::file_name`]).
    pub fn mark_uploaded(&mut self, id: i64, attachment_id: &str, name: &str) -> Result<()> {
        self.mark_uploaded_at(id, attachment_id, name, Utc::now())
    }

    /// [`Store::mark_uploaded`] for a file that reached the chart at `uploaded_at`, earlier than
    /// now: one found there after an interrupted upload. The history must say when it really
    /// landed, since the chart is later asked for it by that day.
    pub fn mark_uploaded_at(
        &mut self,
        id: i64,
        attachment_id: &str,
        name: &str,
        uploaded_at: chrono::DateTime<Utc>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let at = uploaded_at.to_rfc3339_opts(SecondsFormat::Millis, true);
        tx.execute(
            "UPDATE queue SET state = 'uploaded', attachment_id = ?2, last_error = NULL,
                              updated_at = ?3 WHERE id = ?1",
            params![id, attachment_id, at],
        )?;
        let file_name = tx
            .query_row("SELECT path FROM queue WHERE id = ?1", [id], |r| {
                r.get::<_, String>(0)
            })
            .optional()?
            .map(|path| file_name_only(&path));
        tx.execute(
            "INSERT INTO history (patient_id, note_id, attachment_id, name, file_name, hash, size,
                                  uploaded_at, account)
             SELECT patient_id, note_id, ?2, ?3, ?5, hash, size, ?4, account
             FROM queue WHERE id = ?1",
            params![id, attachment_id, name, at, file_name],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Marks a row as not sent (failed) or not to be sent (skipped), with the reason.
    pub fn mark(&mut self, id: i64, state: RowState, reason: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE queue SET state = ?2, last_error = ?3, updated_at = ?4 WHERE id = ?1",
            params![id, state.as_str(), reason, now()],
        )?;
        Ok(())
    }

    /// Unfinished rows whose run is over (its process ended, however it ended). Rows that were
    /// going out are reported as [`RowState::MaybeLanded`].
    pub fn abandoned(&self) -> Result<Vec<QueueRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT run_id FROM queue
             WHERE state IN ('queued', 'sending', 'maybe_landed', 'failed') AND
                   (?1 IS NULL OR account = ?1)",
        )?;
        let runs: Vec<String> = stmt
            .query_map([self.account_filter()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut rows = Vec::new();
        for run in runs
            .iter()
            .filter(|r| run_lock::is_abandoned(&self.runs, r))
        {
            let mut stmt = self.conn.prepare(
                "SELECT * FROM queue WHERE run_id = ?1
                 AND state IN ('queued', 'sending', 'maybe_landed', 'failed')
                 AND (?2 IS NULL OR account = ?2) ORDER BY id",
            )?;
            for row in stmt.query_map(params![run, self.account_filter()], row_to_queue)? {
                let mut row = row?;
                if row.state == RowState::Sending {
                    row.state = RowState::MaybeLanded;
                }
                rows.push(row);
            }
        }
        Ok(rows)
    }

    /// The rows of this patient's files that may have landed and that the person removed from the
    /// list ([`RowState::SetAside`]): not offered again, but looked for in the chart before the
    /// same content is sent to the patient again.
    pub fn set_aside(&self, patient_id: &str) -> Result<Vec<QueueRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT * FROM queue WHERE state = 'set_aside' AND patient_id = ?1
             AND (?2 IS NULL OR account = ?2) ORDER BY id",
        )?;
        let rows = stmt
            .query_map(params![patient_id, self.account_filter()], row_to_queue)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// One row, as stored.
    pub fn row(&self, id: i64) -> Result<Option<QueueRow>> {
        Ok(self
            .conn
            .query_row("SELECT * FROM queue WHERE id = ?1", [id], row_to_queue)
            .optional()?)
    }

    /// Moves abandoned rows into `run`, which now answers for them; rows that were going out stay
    /// marked as possibly landed until the chart has been checked.
    pub fn take_over(&mut self, run: &RunLock, ids: &[i64]) -> Result<()> {
        let tx = self.conn.transaction()?;
        let at = now();
        for id in ids {
            tx.execute(
                "UPDATE queue SET run_id = ?2, updated_at = ?3,
                        state = CASE state WHEN 'sending' THEN 'maybe_landed' ELSE state END
                 WHERE id = ?1",
                params![id, run.run_id(), at],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Deletes rows (the user removed the files, or a new row replaces them).
    pub fn remove(&mut self, ids: &[i64]) -> Result<()> {
        let tx = self.conn.transaction()?;
        for id in ids {
            tx.execute("DELETE FROM queue WHERE id = ?1", [id])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Ends a run: its finished rows leave the queue (the history keeps the uploads); rows that
    /// were not sent stay, with their reasons, for the next try.
    pub fn finish_run(&mut self, run: &RunLock) -> Result<()> {
        self.conn.execute(
            "DELETE FROM queue WHERE run_id = ?1 AND state IN ('uploaded', 'skipped')",
            [run.run_id()],
        )?;
        Ok(())
    }

    /// The rows of a run, in queue order.
    pub fn rows(&self, run: &RunLock) -> Result<Vec<QueueRow>> {
        let mut stmt = self
            .conn
            .prepare("SELECT * FROM queue WHERE run_id = ?1 ORDER BY id")?;
        let rows = stmt
            .query_map([run.run_id()], row_to_queue)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The newest upload of these bytes to this patient, if any.
    pub fn previous_upload(
        &self,
        patient_id: &str,
        hash: &ContentHash,
    ) -> Result<Option<HistoryEntry>> {
        Ok(self
            .conn
            .query_row(
                "SELECT * FROM history WHERE patient_id = ?1 AND hash = ?2
                 AND (?3 IS NULL OR account = ?3 OR account = '')
                 ORDER BY uploaded_at DESC LIMIT 1",
                params![patient_id, hash.as_str(), self.account_filter()],
                row_to_history,
            )
            .optional()?)
    }

    /// The latest upload of this content to any patient: a scan found in the inbox again (after a
    /// restart, when it was not moved aside) must not look new to whoever is chosen next.
    pub fn last_upload_of(&self, hash: &ContentHash) -> Result<Option<HistoryEntry>> {
        Ok(self
            .conn
            .query_row(
                "SELECT * FROM history WHERE hash = ?1
                 AND (?2 IS NULL OR account = ?2 OR account = '')
                 ORDER BY uploaded_at DESC LIMIT 1",
                params![hash.as_str(), self.account_filter()],
                row_to_history,
            )
            .optional()?)
    }

    /// History entries, newest first.
    pub fn history(&self, query: &HistoryQuery) -> Result<Vec<HistoryEntry>> {
        let like = query.text.as_deref().map(|t| {
            format!(
                "%{}%",
                t.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            )
        });
        let limit = if query.limit == 0 {
            -1
        } else {
            query.limit as i64
        };
        let mut stmt = self.conn.prepare(
            "SELECT * FROM history
             WHERE (?1 IS NULL OR patient_id = ?1)
               AND (?2 IS NULL OR name LIKE ?2 ESCAPE '\\' OR file_name LIKE ?2 ESCAPE '\\'
                    OR attachment_id LIKE ?2 ESCAPE '\\' OR patient_id LIKE ?2 ESCAPE '\\')
               AND (?4 IS NULL OR account = ?4 OR account = '')
             ORDER BY uploaded_at DESC, id DESC LIMIT ?3",
        )?;
        let entries = stmt
            .query_map(
                params![query.patient_id, like, limit, self.account_filter()],
                row_to_history,
            )?
            .collect::<rusqlite::Result<_>>()?;
        Ok(entries)
    }

    /// The newest history entry of an attachment: which patient this computer last knew it on
    /// (a move updates it), and the day it was uploaded (the chart is asked by that day).
    pub fn upload_of(&self, attachment_id: &str) -> Result<Option<HistoryEntry>> {
        Ok(self
            .conn
            .query_row(
                "SELECT * FROM history WHERE attachment_id = ?1
                 AND (?2 IS NULL OR account = ?2 OR account = '')
                 ORDER BY uploaded_at DESC, id DESC LIMIT 1",
                params![attachment_id, self.account_filter()],
                row_to_history,
            )
            .optional()?)
    }

    /// Records a move the server made and the chart confirmed, in one transaction: the move
    /// (from, to, when) is kept, and the attachment's history entries take the new patient, with
    /// no note (the server drops note links), so the duplicate guard and the history follow the
    /// file to the chart it is in now.
    pub fn record_move(
        &mut self,
        attachment_id: &str,
        from_patient_id: Option<&str>,
        to_patient_id: &str,
    ) -> Result<MoveRecord> {
        let account = self.account_text();
        let filter = self.account_filter().map(str::to_owned);
        let moved_at = now();
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO moves (account, attachment_id, from_patient_id, to_patient_id, moved_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                account,
                attachment_id,
                from_patient_id,
                to_patient_id,
                moved_at
            ],
        )?;
        tx.execute(
            "UPDATE history SET patient_id = ?2, note_id = NULL
             WHERE attachment_id = ?1 AND (?3 IS NULL OR account = ?3 OR account = '')",
            params![attachment_id, to_patient_id, filter],
        )?;
        tx.commit()?;
        Ok(MoveRecord {
            attachment_id: attachment_id.to_owned(),
            from_patient_id: from_patient_id.map(str::to_owned),
            to_patient_id: to_patient_id.to_owned(),
            moved_at,
        })
    }

    /// The moves recorded for this account, oldest first; only an attachment's when one is given.
    pub fn moves(&self, attachment_id: Option<&str>) -> Result<Vec<MoveRecord>> {
        let mut stmt = self.conn.prepare(
            "SELECT attachment_id, from_patient_id, to_patient_id, moved_at FROM moves
             WHERE (?1 IS NULL OR attachment_id = ?1) AND (?2 IS NULL OR account = ?2)
             ORDER BY moved_at, id",
        )?;
        let moves = stmt
            .query_map(params![attachment_id, self.account_filter()], |r| {
                Ok(MoveRecord {
                    attachment_id: r.get(0)?,
                    from_patient_id: r.get(1)?,
                    to_patient_id: r.get(2)?,
                    moved_at: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(moves)
    }

    /// Records that this patient's unsent files wait for the network and go by themselves once
    /// the server answers ([`Store::network_answered`] ends it).
    pub fn wait_for_network(&self, patient_id: &str) -> Result<()> {
        self.conn.execute(
            "INSERT OR IGNORE INTO network_waits (account, patient_id, since) VALUES (?1, ?2, ?3)",
            params![self.account_text(), patient_id, now()],
        )?;
        Ok(())
    }

    /// The patients whose files wait for the network, for this account, longest waiting first.
    pub fn network_waits(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT patient_id FROM network_waits WHERE (?1 IS NULL OR account = ?1)
             ORDER BY since, patient_id",
        )?;
        let patients = stmt
            .query_map(params![self.account_filter()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(patients)
    }

    /// The server answered for this patient: their files no longer wait for the network.
    pub fn network_answered(&self, patient_id: &str) -> Result<()> {
        self.conn.execute(
            "DELETE FROM network_waits WHERE patient_id = ?1 AND (?2 IS NULL OR account = ?2)",
            params![patient_id, self.account_filter()],
        )?;
        Ok(())
    }

    /// The account written on new rows ('' when this store works for none).
    fn account_text(&self) -> String {
        self.account
            .as_ref()
            .map(|a| a.0.clone())
            .unwrap_or_default()
    }

    /// The account rows are read for, as a query parameter (`NULL`: every account).
    fn account_filter(&self) -> Option<&str> {
        self.account.as_ref().map(|a| a.0.as_str())
    }

    /// Deletes history entries older than `days` days (the retention setting); returns how many
    /// went. A retention reaching back before the calendar's start keeps everything: the date
    /// arithmetic is checked, so no setting can make the start-up prune panic.
    pub fn prune_history(&mut self, days: u32) -> Result<usize> {
        let cutoff = chrono::Duration::try_days(i64::from(days))
            .and_then(|age| Utc::now().checked_sub_signed(age));
        match cutoff {
            Some(cutoff) => self.prune_history_before(cutoff),
            None => Ok(0),
        }
    }

    /// Deletes history entries, and records of moves, from before `cutoff`; returns how many
    /// history entries went. Moves name patients too, so they are kept no longer than uploads.
    pub fn prune_history_before(&mut self, cutoff: chrono::DateTime<Utc>) -> Result<usize> {
        let cutoff = cutoff.to_rfc3339_opts(SecondsFormat::Millis, true);
        let tx = self.conn.transaction()?;
        let pruned = tx.execute("DELETE FROM history WHERE uploaded_at < ?1", [&cutoff])?;
        tx.execute("DELETE FROM moves WHERE moved_at < ?1", [&cutoff])?;
        tx.commit()?;
        Ok(pruned)
    }
}

fn row_to_queue(r: &Row<'_>) -> rusqlite::Result<QueueRow> {
    Ok(QueueRow {
        id: r.get("id")?,
        run_id: r.get("run_id")?,
        patient_id: r.get("patient_id")?,
        note_id: r.get("note_id")?,
        path: PathBuf::from(r.get::<_, String>("path")?),
        name: r.get("name")?,
        external_id: r.get("external_id")?,
        hash: r
            .get::<_, Option<String>>("hash")?
            .map(ContentHash::from_hex),
        size: r.get::<_, i64>("size")? as u64,
        modified: r.get::<_, Option<i64>>("modified")?.map(from_nanos),
        state: RowState::parse(&r.get::<_, String>("state")?),
        last_error: r.get("last_error")?,
        attachment_id: r.get("attachment_id")?,
        first_sent_at: r.get("first_sent_at")?,
    })
}

/// A modification time as nanoseconds since 1970, as the queue keeps it (`None` before 1970 or
/// past 2262, which no file the check accepted has).
fn to_nanos(at: SystemTime) -> Option<i64> {
    at.duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_nanos()).ok())
}

fn from_nanos(nanos: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_nanos(nanos.max(0).unsigned_abs())
}

fn row_to_history(r: &Row<'_>) -> rusqlite::Result<HistoryEntry> {
    Ok(HistoryEntry {
        patient_id: r.get("patient_id")?,
        note_id: r.get("note_id")?,
        attachment_id: r.get("attachment_id")?,
        name: r.get("name")?,
        file_name: r.get("file_name")?,
        hash: ContentHash::from_hex(r.get::<_, String>("hash")?),
        size: r.get::<_, i64>("size")? as u64,
        uploaded_at: r.get("uploaded_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deleted_rows_are_overwritten_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let on: i64 = store
            .conn
            .query_row("PRAGMA secure_delete", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            on, 1,
            "deleted queue and history rows must not linger in free pages"
        );
    }
}
