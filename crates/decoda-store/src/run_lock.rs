//! Which runs are alive: a run holds an exclusive lock on its own file while it may send.
//!
//! The operating system drops the lock when the process ends, however it ends (`kill -9`, a crash,
//! a power cut), so a free lock proves that nobody is still sending that run's files, and its
//! unfinished rows can be taken over without racing a live process (the app and the CLI share the
//! database).

use crate::{private, Result, StoreError};
use std::{
    fs::File,
    path::{Path, PathBuf},
};

/// A held run lock; dropping it (or the process ending) frees it.
#[derive(Debug)]
pub struct RunLock {
    run_id: String,
    path: PathBuf,
    _file: File,
}

impl RunLock {
    /// Takes the lock of a new run in `dir`.
    pub(crate) fn acquire(dir: &Path, run_id: &str) -> Result<Self> {
        let path = lock_path(dir, run_id);
        let file = open(&path)?;
        file.lock().map_err(|source| StoreError::Folder {
            path: path.clone(),
            source,
        })?;
        Ok(Self {
            run_id: run_id.to_owned(),
            path,
            _file: file,
        })
    }

    /// The run's id, as written on its queue rows.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whether the run's owner is gone: its lock file is missing or can be locked.
pub(crate) fn is_abandoned(dir: &Path, run_id: &str) -> bool {
    let path = lock_path(dir, run_id);
    if !path.exists() {
        return true;
    }
    match open(&path) {
        Ok(file) => file.try_lock().is_ok(),
        Err(_) => false,
    }
}

fn lock_path(dir: &Path, run_id: &str) -> PathBuf {
    dir.join(format!("{run_id}.lock"))
}

/// Opens (creating, readable by this user account only) a run's lock file.
fn open(path: &Path) -> Result<File> {
    private::file_options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|source| StoreError::Folder {
            path: path.to_owned(),
            source,
        })
}
