//! What can go wrong with the local database, in words a clinic worker (or their IT) can act on.

use std::path::PathBuf;

/// A failure of the local queue and history.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or written.
    #[error("the upload history at {path} cannot be used: {source}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// Why.
        source: rusqlite::Error,
    },
    /// A read or write failed.
    #[error("the upload history could not be updated: {0}")]
    Sql(#[from] rusqlite::Error),
    /// A folder or lock file could not be made.
    #[error("the upload history folder {path} cannot be used: {source}")]
    Folder {
        /// The folder or file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A folder or file of the history could not be made readable by this user account only.
    #[error("the upload history at {path} could not be made private to this user account ({source}); ask IT to check who owns it")]
    Private {
        /// The folder or file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// There is no per-user data folder on this system.
    #[error("this system has no folder for application data; set DECODA_DATA_DIR")]
    NoDataFolder,
    /// The database was written by a newer version of the app.
    #[error("the upload history was written by a newer version of Decoda Uploader (schema {found}); update this one")]
    NewerSchema {
        /// The schema version found.
        found: i64,
    },
}

/// Result of the store's operations.
pub type Result<T> = std::result::Result<T, StoreError>;
