//! What can go wrong with the scanner inbox, worded for the clinic worker or the IT person who
//! set the workstation up: each message says what is wrong and where to look.

use std::io;
use std::path::PathBuf;

/// Why the inbox could not start, or a confirmed file could not be moved to the sent folder.
///
/// Messages name the folder or file because the person fixing it needs to know which one; callers
/// that log these errors should treat them as patient data (file names often hold patient names).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InboxError {
    /// No inbox folder was configured at all.
    #[error("no scanner inbox folder is set; choose the scanner's output folder in the settings")]
    NoFolderSet,
    /// The configured inbox folder is not there (unplugged drive, unmounted share, typo).
    #[error(
        "the scanner inbox folder {} does not exist; check the scanner inbox setting and that the \
         drive or network share is connected",
        .0.display()
    )]
    FolderMissing(PathBuf),
    /// The configured inbox is a file, not a folder.
    #[error(
        "the scanner inbox {} is a file, not a folder; check the scanner inbox setting",
        .0.display()
    )]
    NotAFolder(PathBuf),
    /// The folder exists but this user may not list it.
    #[error(
        "the scanner inbox folder {} cannot be read ({source}); check that the user signed in to \
         this computer may open it",
        path.display()
    )]
    FolderUnreadable {
        /// The inbox folder.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// The operating system would not let us watch the folder, or the watcher thread could not
    /// start.
    #[error("could not start watching the scanner inbox folder {}: {reason}", path.display())]
    WatchFailed {
        /// The inbox folder.
        path: PathBuf,
        /// What went wrong, in plain words.
        reason: String,
    },
    /// The file to move is gone: someone moved or deleted it after the upload.
    #[error(
        "the file {} is no longer there, so it could not be moved to the sent folder; it may \
         have been moved or deleted already",
        .0.display()
    )]
    SourceMissing(PathBuf),
    /// Only files are moved; a folder or device was given.
    #[error("{} is not a file, so it was not moved to the sent folder", .0.display())]
    NotAFile(PathBuf),
    /// The sent folder could not be created or is not a folder.
    #[error(
        "the sent folder {} could not be created or used ({source}); check the sent folder \
         setting and its permissions",
        path.display()
    )]
    SentFolder {
        /// The sent folder.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// Every numbered name up to the limit is already taken in the sent folder.
    #[error(
        "the sent folder {} already holds too many files named like {}; tidy the sent folder",
        folder.display(),
        name
    )]
    NoFreeName {
        /// The sent folder.
        folder: PathBuf,
        /// The file's name, shown as text.
        name: String,
    },
    /// Reading, copying or removing failed part way; the original file was left in place.
    #[error(
        "could not move {} to the sent folder {} ({source}); the original was left where it was",
        file.display(),
        sent_folder.display()
    )]
    Move {
        /// The file that was to be moved.
        file: PathBuf,
        /// The sent folder.
        sent_folder: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
}

/// Shorthand for results of this crate.
pub type Result<T, E = InboxError> = std::result::Result<T, E>;
