//! What this computer's records say of a scan found in the scanner inbox, before it is listed.
//!
//! A scan left in the inbox (no sent folder, or the app restarted) must not look new to whoever
//! is chosen next: its content is looked up in the upload history and among unfinished uploads,
//! and one whose past cannot be told is held with the reason rather than listed as ready.

use decoda_engine::IntakeItem;
use decoda_store::{hash_file, ContentHash, HistoryEntry, QueueRow, Store};
use std::{
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
};

/// What the records say of one scan's content.
#[derive(Debug, Clone)]
pub enum ScanRecord {
    /// Nothing: a new scan.
    New(ContentHash),
    /// Uploaded before: its latest upload.
    Uploaded(ContentHash, HistoryEntry),
    /// An earlier try to send it, to this patient (the id), did not finish.
    Unfinished(ContentHash, String),
    /// Whether it was sent before cannot be told, and why (with its hash, when one was taken).
    Unknown(String, Option<ContentHash>),
}

/// The scans among `checked` whose records are looked up: only files that passed the checks are
/// hashed, so a refused one (too big, unreadable) keeps its reason and is never read in full.
pub fn to_look_up(checked: &[IntakeItem]) -> Vec<PathBuf> {
    checked
        .iter()
        .filter(|item| item.result.is_ok())
        .map(|item| item.path.clone())
        .collect()
}

/// How far back the history reaches, when that matters: without a sent folder, a scan older than
/// the history kept cannot be told from one sent before its record was pruned. `None` when a sent
/// folder is set (sent scans leave the inbox) or the history reaches before the clock's start.
pub fn history_horizon(history_days: u32, has_sent_folder: bool) -> Option<SystemTime> {
    if has_sent_folder {
        return None;
    }
    SystemTime::now().checked_sub(Duration::from_secs(u64::from(history_days) * 24 * 60 * 60))
}

/// Hashes the scan at `path` and looks its content up in the history (any patient) and among
/// `unfinished` uploads.
pub fn look_up_scan(
    store: &Store,
    unfinished: &[QueueRow],
    horizon: Option<SystemTime>,
    history_days: u32,
    path: &Path,
) -> ScanRecord {
    let hash = match hash_file(path) {
        Ok(hash) => hash,
        Err(e) => return ScanRecord::Unknown(e.to_string(), None),
    };
    match store.last_upload_of(&hash) {
        Err(e) => ScanRecord::Unknown(e.to_string(), Some(hash)),
        Ok(Some(entry)) => ScanRecord::Uploaded(hash, entry),
        Ok(None) => {
            let meta = std::fs::metadata(path).ok();
            let on_disk = crate::OnDisk {
                path,
                size: meta.as_ref().map_or(0, std::fs::Metadata::len),
                modified: meta.and_then(|m| m.modified().ok()),
                hash: Some(&hash),
            };
            if let Some(row) = unfinished.iter().find(|r| crate::is_row_of(r, &on_disk)) {
                let patient = row.patient_id.clone();
                return ScanRecord::Unfinished(hash, patient);
            }
            let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
            match (horizon, modified) {
                (Some(horizon), Some(modified)) if modified < horizon => ScanRecord::Unknown(
                    format!("it is older than the {history_days} days of upload history kept"),
                    Some(hash),
                ),
                _ => ScanRecord::New(hash),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_scan_is_not_read_to_be_looked_up() {
        let dir = tempfile::tempdir().unwrap();
        let scan = dir.path().join("scan.pdf");
        let empty = dir.path().join("empty.pdf");
        std::fs::write(&scan, b"%PDF-1.4 page").unwrap();
        std::fs::write(&empty, b"").unwrap();
        let specs = [&scan, &empty].map(decoda_engine::FileSpec::new);
        let checked = decoda_engine::check_files(&specs, &decoda_engine::Limits::default());
        assert_eq!(to_look_up(&checked), [scan]);
    }

    #[test]
    fn the_horizon_matters_only_without_a_sent_folder_and_never_panics() {
        assert!(history_horizon(365, true).is_none());
        let horizon = history_horizon(1, false).unwrap();
        assert!(horizon < SystemTime::now());
        assert!(history_horizon(u32::MAX, false).is_none_or(|h| h < horizon));
    }

    #[test]
    fn a_scan_is_new_uploaded_unfinished_or_too_old_to_tell() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("data")).unwrap();
        let scan = dir.path().join("scan0001.pdf");
        std::fs::write(&scan, b"%PDF-1.4 page").unwrap();
        assert!(matches!(
            look_up_scan(&store, &[], None, 365, &scan),
            ScanRecord::New(_)
        ));
        let in_the_future = SystemTime::now() + Duration::from_secs(3600);
        assert!(matches!(
            look_up_scan(&store, &[], Some(in_the_future), 365, &scan),
            ScanRecord::Unknown(why, Some(_)) if why.contains("older than the 365 days")
        ));
        let run = store.begin_run().unwrap();
        let item = crate::testing::queued(&scan, "pat_1001");
        let ids = store.enqueue(&run, &[item]).unwrap();
        let rows = store.rows(&run).unwrap();
        assert!(matches!(
            look_up_scan(&store, &rows, None, 365, &scan),
            ScanRecord::Unfinished(_, patient) if patient == "pat_1001"
        ));
        store
            .mark_uploaded(ids[0], "att_1", "scan0001.pdf")
            .unwrap();
        assert!(matches!(
            look_up_scan(&store, &[], None, 365, &scan),
            ScanRecord::Uploaded(_, entry) if entry.attachment_id == "att_1"
        ));
    }
}
