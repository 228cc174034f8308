//! Forgetting a file the person removed from the list.

use decoda_store::{ContentHash, RowState, Store, StoreError};
use std::path::Path;

/// A file removed from the window's list, as the persistent queue may know it.
#[derive(Debug, Clone, Copy)]
pub struct Removed<'a> {
    /// Its own row, for a file resumed from an interrupted upload.
    pub row: Option<i64>,
    /// The patient it was bound to, for a file that failed on the way to them.
    pub patient: Option<&'a str>,
    /// Where it is.
    pub path: &'a Path,
    /// Its content when it was listed, when a hash was taken.
    pub listed_hash: Option<&'a ContentHash>,
}

/// Drops the persistent queue's unfinished rows for a removed file: its own row (resumed), or the
/// failed earlier tries of the same file (the same content, when its hash was taken) for the same
/// patient, so it does not come back at the next start. A try that may have reached the chart
/// stays on record (a resumed one is set aside: not offered again), so the chart is looked at
/// before that content is sent to that patient again. Returns how many rows went.
pub fn forget_removed(store: &mut Store, removed: &Removed<'_>) -> Result<usize, StoreError> {
    let rows: Vec<i64> = match (removed.row, removed.patient) {
        (Some(row), _) if may_have_landed(store, row)? => {
            store.mark(row, RowState::SetAside, SET_ASIDE)?;
            Vec::new()
        }
        (Some(row), _) => vec![row],
        (None, Some(patient)) => store
            .abandoned()?
            .into_iter()
            .filter(|r| r.state == RowState::Failed)
            .filter(|r| r.patient_id == patient && r.path == removed.path)
            .filter(|r| match (removed.listed_hash, &r.hash) {
                (Some(listed), Some(theirs)) => listed == theirs,
                // Either was not hashed: the same path and patient are the same file's tries.
                _ => true,
            })
            .map(|r| r.id)
            .collect(),
        (None, None) => Vec::new(),
    };
    if !rows.is_empty() {
        store.remove(&rows)?;
    }
    Ok(rows.len())
}

/// Why a removed file's row is kept.
const SET_ASIDE: &str =
    "removed from the list; it may be in the chart, which is checked before it is sent again";

/// Whether a row's file was going out when its run ended (and may be in the chart).
fn may_have_landed(store: &Store, row: i64) -> Result<bool, StoreError> {
    let state = store.row(row)?.map(|r| r.state);
    Ok(matches!(
        state,
        Some(RowState::Sending | RowState::MaybeLanded | RowState::SetAside)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_tries_go_and_a_try_that_may_have_landed_stays() {
        let dir = tempfile::tempdir().unwrap();
        let scan = dir.path().join("scan0001.pdf");
        std::fs::write(&scan, b"%PDF-1.4 page").unwrap();
        let item = |patient: &str| crate::testing::queued(&scan, patient);
        let data = dir.path().join("data");
        {
            let mut store = Store::open(&data).unwrap();
            let run = store.begin_run().unwrap();
            let ids = store
                .enqueue(
                    &run,
                    &[item("pat_1001"), item("pat_1001"), item("pat_1002")],
                )
                .unwrap();
            store.mark(ids[0], RowState::Failed, "500").unwrap();
            store
                .mark(ids[1], RowState::MaybeLanded, "no answer")
                .unwrap();
            store.mark(ids[2], RowState::Failed, "500").unwrap();
        }
        let mut store = Store::open(&data).unwrap();
        let removed = Removed {
            row: None,
            patient: Some("pat_1001"),
            path: &scan,
            listed_hash: None,
        };
        assert_eq!(forget_removed(&mut store, &removed).unwrap(), 1);
        let left: Vec<(String, RowState)> = store
            .abandoned()
            .unwrap()
            .into_iter()
            .map(|r| (r.patient_id, r.state))
            .collect();
        assert_eq!(
            left,
            [
                ("pat_1001".to_owned(), RowState::MaybeLanded),
                ("pat_1002".to_owned(), RowState::Failed)
            ],
            "the try that may have landed, and another patient's, stay"
        );
    }
}
