//! Looking at one file without disturbing the scanner that may still be writing it.

use std::fs::{self, File};
use std::io;
use std::path::Path;
use std::time::SystemTime;

/// One version of a file as seen from outside: a rewrite changes at least one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fingerprint {
    /// Size in bytes.
    pub(crate) len: u64,
    /// Last modification, where the platform reports one.
    pub(crate) modified: Option<SystemTime>,
}

impl Fingerprint {
    fn of(metadata: &fs::Metadata) -> Self {
        Self {
            len: metadata.len(),
            modified: metadata.modified().ok(),
        }
    }
}

/// What is at a path right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stat {
    /// Nothing: deleted, or renamed away.
    Gone,
    /// A folder, a device, or a symbolic link (to anything): never handed over.
    NotAFile,
    /// Something went wrong looking: try again at the next listing.
    Unknown,
    /// A regular file.
    File(Fingerprint),
}

/// Looks at `path` itself, not following a symbolic link. A scan folder is often shared: anyone
/// who can write to it could plant a link to any file the user can read (their documents, another
/// patient's letter), and it would be listed as a scan. A link is not a scan.
pub(crate) fn stat(path: &Path) -> Stat {
    match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.is_file() => Stat::File(Fingerprint::of(&metadata)),
        Ok(_) => Stat::NotAFile,
        Err(error) if error.kind() == io::ErrorKind::NotFound => Stat::Gone,
        Err(_) => Stat::Unknown,
    }
}

/// Whether a settled file may be handed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Open, not locked, and still the same version.
    Ready,
    /// It cannot be opened for reading. On Windows this is how a file the scanner still holds
    /// open shows up (a sharing violation).
    Unreadable,
    /// Another program holds an exclusive lock on it: it is still being written.
    Locked,
    /// It changed between the look and the open.
    Changed,
}

/// Opens `path` as no writer may still hold it, and checks that the opened file is still the
/// version in `expected`.
pub(crate) fn access(path: &Path, expected: Fingerprint) -> Access {
    let file = match open_unwritten(path) {
        Ok(file) => file,
        Err(Opened::Locked) => return Access::Locked,
        Err(Opened::Failed) => return Access::Unreadable,
    };
    match file.metadata() {
        Ok(metadata) if Fingerprint::of(&metadata) == expected => Access::Ready,
        Ok(_) => Access::Changed,
        Err(_) => Access::Unreadable,
    }
}

/// Why a file could not be opened as finished.
enum Opened {
    /// A writer still holds it.
    Locked,
    /// It cannot be opened at all.
    Failed,
}

/// Opens the file, tries a shared lock and releases it at once: a writer holding an exclusive
/// lock (as scanners' software does on Linux and macOS) keeps it from being taken.
#[cfg(not(windows))]
fn open_unwritten(path: &Path) -> Result<File, Opened> {
    use std::fs::TryLockError;
    let file = File::open(path).map_err(|_| Opened::Failed)?;
    match file.try_lock_shared() {
        Ok(()) => {
            // Closing the file releases the lock too; unlocking first keeps the window short.
            let _ = file.unlock();
        }
        Err(TryLockError::WouldBlock) => return Err(Opened::Locked),
        // Some network file systems cannot lock at all: that says nothing about the writer, and
        // refusing here would hold such files back for ever.
        Err(TryLockError::Error(_)) => {}
    }
    Ok(file)
}

/// Opens the file sharing it for reading only: while a scanner still has it open to write, the
/// open fails with a sharing violation. No byte-range lock is taken, which on Windows would make
/// the scanner's own writes fail while it is held.
#[cfg(windows)]
fn open_unwritten(path: &Path) -> Result<File, Opened> {
    use std::os::windows::fs::OpenOptionsExt;
    /// `FILE_SHARE_READ`: others may read, nobody may hold it open to write or delete.
    const SHARE_READ: u32 = 0x1;
    /// `ERROR_SHARING_VIOLATION`.
    const SHARING_VIOLATION: i32 = 32;
    std::fs::OpenOptions::new()
        .read(true)
        .share_mode(SHARE_READ)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(SHARING_VIOLATION) => Opened::Locked,
            _ => Opened::Failed,
        })
}

#[cfg(test)]
mod tests {
    use super::{access, stat, Access, Stat};
    use std::fs;

    #[test]
    fn a_missing_path_is_gone_and_a_folder_is_not_a_file() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        assert_eq!(stat(&dir.path().join("missing.pdf")), Stat::Gone);
        assert_eq!(stat(dir.path()), Stat::NotAFile);
        Ok(())
    }

    /// Windows: a file a scanner still holds open to write is not taken, and once closed it is;
    /// the check itself locks nothing, so the scanner's writes never fail because of it.
    #[cfg(windows)]
    #[test]
    fn a_file_still_open_for_writing_is_not_ready_and_the_check_blocks_no_write(
    ) -> std::io::Result<()> {
        use std::io::Write;
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("scan.pdf");
        let mut writer = fs::File::create(&path)?;
        writer.write_all(b"%PDF-1.7")?;
        let Stat::File(fingerprint) = stat(&path) else {
            panic!("a written file must be seen as a file");
        };
        assert_eq!(
            access(&path, fingerprint),
            Access::Locked,
            "the scanner holds it"
        );
        writer.write_all(b" more")?;
        drop(writer);
        let Stat::File(fingerprint) = stat(&path) else {
            panic!("a written file must be seen as a file");
        };
        assert_eq!(access(&path, fingerprint), Access::Ready);
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_not_a_file_whatever_it_points_at() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let private = dir.path().join("private letter.pdf");
        fs::write(&private, b"%PDF-1.4 not a scan")?;
        let planted = dir.path().join("scan0001.pdf");
        std::os::unix::fs::symlink(&private, &planted)?;
        assert!(matches!(stat(&private), Stat::File(_)));
        assert_eq!(stat(&planted), Stat::NotAFile);
        Ok(())
    }

    #[cfg(not(windows))]
    #[test]
    fn an_unlocked_file_is_ready_and_an_exclusively_locked_one_is_not() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("scan.pdf");
        fs::write(&path, b"%PDF-1.7")?;
        let Stat::File(fingerprint) = stat(&path) else {
            panic!("a written file must be seen as a file");
        };
        assert_eq!(access(&path, fingerprint), Access::Ready);

        let writer = fs::OpenOptions::new().append(true).open(&path)?;
        writer.lock()?;
        assert_eq!(
            access(&path, fingerprint),
            Access::Locked,
            "the scanner holds it"
        );
        writer.unlock()?;
        assert_eq!(
            access(&path, fingerprint),
            Access::Ready,
            "the check must not keep a lock"
        );
        Ok(())
    }

    #[test]
    fn a_file_that_grew_since_the_look_has_changed() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("scan.pdf");
        fs::write(&path, b"first")?;
        let Stat::File(fingerprint) = stat(&path) else {
            panic!("a written file must be seen as a file");
        };
        fs::write(&path, b"first and more")?;
        assert_eq!(access(&path, fingerprint), Access::Changed);
        Ok(())
    }
}
