//! Rows of the persistent queue matched with files on disk: which row is which file, and whether a
//! file an interrupted upload was sending is still the one that went out.
//!
//! A row carries its file's content hash once it was taken: before sending, for a file that could
//! be a copy of another, or while sending, stored before the answer was accepted. A row whose hash
//! was never stored (the process stopped before the file's last byte left, or before the hash was
//! written) is recognised by its path, size and modification time instead.

use decoda_store::{hash_file, ContentHash, QueueRow};
use std::{io, path::Path, time::SystemTime};

/// A file as it is now, to compare with a queue row.
#[derive(Debug, Clone, Copy)]
pub struct OnDisk<'a> {
    /// Where it is.
    pub path: &'a Path,
    /// Its size.
    pub size: u64,
    /// Its modification time, if the file system gives one.
    pub modified: Option<SystemTime>,
    /// Its content hash, if taken.
    pub hash: Option<&'a ContentHash>,
}

/// Whether an unfinished queue row is this file: the same content when the row has a hash (a file
/// without one cannot be compared, so it is not that row), else the same file, unchanged.
pub fn is_row_of(row: &QueueRow, file: &OnDisk<'_>) -> bool {
    match &row.hash {
        Some(theirs) => file.hash == Some(theirs),
        None => {
            row.path == file.path
                && row.size == file.size
                && (row.modified.is_none() || row.modified == file.modified)
        }
    }
}

/// A queued file as it is now.
#[derive(Debug)]
pub enum QueuedFile {
    /// It still has the content its row went out with: its hash.
    Same(ContentHash),
    /// It changed since (another document under the same name, perhaps): it must not be sent in
    /// the place of the one that went out.
    Changed,
    /// It cannot be read now.
    Unreadable(io::Error),
}

/// Reads the file of a queue row and says whether it is still what the row went out with: the same
/// hash, or for a row without one, the same size and modification time.
pub fn queued_file_now(row: &QueueRow) -> QueuedFile {
    let before = match std::fs::metadata(&row.path) {
        Ok(meta) => meta,
        Err(e) => return QueuedFile::Unreadable(e),
    };
    let now = match hash_file(&row.path) {
        Ok(hash) => hash,
        Err(e) => return QueuedFile::Unreadable(e),
    };
    let same = match &row.hash {
        Some(then) => *then == now,
        None => {
            before.len() == row.size
                && (row.modified.is_none() || row.modified == before.modified().ok())
        }
    };
    if same {
        QueuedFile::Same(now)
    } else {
        QueuedFile::Changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use decoda_store::Store;

    fn row_of(dir: &Path, path: &Path, hash: Option<ContentHash>) -> QueueRow {
        let mut store = Store::open(&dir.join("data")).unwrap();
        let run = store.begin_run().unwrap();
        let mut item = crate::testing::queued(path, "pat_1001");
        item.hash = hash;
        store.enqueue(&run, &[item]).unwrap();
        store.rows(&run).unwrap().remove(0)
    }

    #[test]
    fn a_row_without_a_hash_is_its_file_while_size_and_time_are_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let scan = dir.path().join("scan0001.pdf");
        std::fs::write(&scan, b"%PDF-1.4 first page").unwrap();
        let row = row_of(dir.path(), &scan, None);
        assert!(row.hash.is_none() && row.modified.is_some());
        let QueuedFile::Same(hash) = queued_file_now(&row) else {
            panic!("an unchanged file is the one that went out");
        };
        assert_eq!(hash, hash_file(&scan).unwrap());
        let meta = std::fs::metadata(&scan).unwrap();
        let mut file = OnDisk {
            path: &scan,
            size: meta.len(),
            modified: meta.modified().ok(),
            hash: None,
        };
        assert!(is_row_of(&row, &file));
        file.size += 1;
        assert!(!is_row_of(&row, &file), "another size is another file");

        // The scanner writes another page under the same name and size.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&scan, b"%PDF-1.4 other page").unwrap();
        assert!(matches!(queued_file_now(&row), QueuedFile::Changed));
    }

    #[test]
    fn a_row_with_a_hash_is_its_content_wherever_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let scan = dir.path().join("scan0001.pdf");
        std::fs::write(&scan, b"%PDF-1.4 first page").unwrap();
        let hash = hash_file(&scan).unwrap();
        let row = row_of(dir.path(), &scan, Some(hash.clone()));
        let copy = dir.path().join("copy.pdf");
        let file = |path, hash| OnDisk {
            path,
            size: 19,
            modified: None,
            hash,
        };
        assert!(is_row_of(&row, &file(&copy, Some(&hash))));
        assert!(
            !is_row_of(&row, &file(&scan, None)),
            "a file not hashed cannot be said to be the row's content"
        );
        std::fs::write(&scan, b"%PDF-1.4 other page").unwrap();
        assert!(matches!(queued_file_now(&row), QueuedFile::Changed));
        std::fs::remove_file(&scan).unwrap();
        assert!(matches!(queued_file_now(&row), QueuedFile::Unreadable(_)));
    }
}
