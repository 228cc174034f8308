//! Moving a confirmed file out of the inbox without ever losing or overwriting anything.
//!
//! A plain rename replaces an existing file on every platform we ship on, so the move is done as
//! "link under the new name, then unlink the old one": creating the link fails if the name is
//! taken, atomically, and the next numbered name is tried. Where links cannot be made (another
//! drive, FAT or some network shares) the file is copied into a newly created file, synced to
//! disk, and only then is the original removed.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions};
use std::io::{self, ErrorKind};
use std::path::{Path, PathBuf};

use tracing::debug;

use crate::error::{InboxError, Result};

/// How far the numbering goes before giving up: far beyond any real sent folder.
const MAX_NUMBER: u32 = 9_999;

/// Moves a confirmed file into `sent_folder` (created if missing) and returns its new path.
///
/// Never overwrites: a name already taken gets " (2)", " (3)", ... before the extension. Falls
/// back to copy + fsync + remove when the file cannot be renamed or linked across devices, and
/// removes the original only after the copy is complete and synced. On any failure the original
/// stays where it was. A file that is already in `sent_folder` is left alone.
pub fn move_to_sent(file: &Path, sent_folder: &Path) -> Result<PathBuf> {
    let name = check_source(file, sent_folder)?;
    prepare_folder(sent_folder)?;
    if is_inside(file, sent_folder) {
        return Ok(file.to_path_buf());
    }
    for number in 1..=MAX_NUMBER {
        let target = sent_folder.join(numbered_name(name, number));
        match place(file, &target) {
            Ok(()) => {
                debug!(from = %file.display(), to = %target.display(), "scanner inbox: moved to sent");
                return Ok(target);
            }
            Err(error) if error.kind() == ErrorKind::AlreadyExists => {}
            Err(error) => return Err(move_error(file, sent_folder, error)),
        }
    }
    Err(InboxError::NoFreeName {
        folder: sent_folder.to_path_buf(),
        name: name.to_string_lossy().into_owned(),
    })
}

/// The file's name, once it is known to be something that can be moved.
fn check_source<'a>(file: &'a Path, sent_folder: &Path) -> Result<&'a OsStr> {
    let metadata = fs::symlink_metadata(file).map_err(|error| match error.kind() {
        ErrorKind::NotFound => InboxError::SourceMissing(file.to_path_buf()),
        _ => move_error(file, sent_folder, error),
    })?;
    if metadata.is_dir() {
        return Err(InboxError::NotAFile(file.to_path_buf()));
    }
    file.file_name()
        .ok_or_else(|| InboxError::NotAFile(file.to_path_buf()))
}

fn prepare_folder(sent_folder: &Path) -> Result<()> {
    fs::create_dir_all(sent_folder).map_err(|source| InboxError::SentFolder {
        path: sent_folder.to_path_buf(),
        source,
    })
}

/// Whether `file` already sits directly in `folder` (moving it would only rename it).
fn is_inside(file: &Path, folder: &Path) -> bool {
    let parent = match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    match (fs::canonicalize(parent), fs::canonicalize(folder)) {
        (Ok(parent), Ok(folder)) => parent == folder,
        _ => false,
    }
}

fn move_error(file: &Path, sent_folder: &Path, source: io::Error) -> InboxError {
    if source.kind() == ErrorKind::NotFound && fs::symlink_metadata(file).is_err() {
        return InboxError::SourceMissing(file.to_path_buf());
    }
    InboxError::Move {
        file: file.to_path_buf(),
        sent_folder: sent_folder.to_path_buf(),
        source,
    }
}

/// `scan.pdf` for 1, `scan (2).pdf` for 2: the number goes before the extension so the file still
/// opens with the right program.
fn numbered_name(name: &OsStr, number: u32) -> OsString {
    if number <= 1 {
        return name.to_os_string();
    }
    let path = Path::new(name);
    let mut numbered = path.file_stem().unwrap_or(name).to_os_string();
    numbered.push(format!(" ({number})"));
    if let Some(extension) = path.extension() {
        numbered.push(".");
        numbered.push(extension);
    }
    numbered
}

/// Puts `file` at `target`, failing with `AlreadyExists` if that name is taken.
fn place(file: &Path, target: &Path) -> io::Result<()> {
    match fs::hard_link(file, target) {
        Ok(()) => unlink_original(file, target),
        Err(error) if matches!(error.kind(), ErrorKind::AlreadyExists | ErrorKind::NotFound) => {
            Err(error)
        }
        Err(error) if error.kind() == ErrorKind::CrossesDevices => copy_then_remove(file, target),
        // No hard links here (FAT, some shares, protected_hardlinks): rename, checking first.
        Err(_) => rename_unless_taken(file, target),
    }
}

/// Removes the old name after linking; if that fails, removes the new link so nothing changed.
fn unlink_original(file: &Path, target: &Path) -> io::Result<()> {
    fs::remove_file(file).inspect_err(|_| {
        let _ = fs::remove_file(target);
    })
}

/// Best effort where links are impossible: the check and the rename are two steps, so a file
/// created in between by someone else could still be replaced. Only the app writes to the sent
/// folder, so that does not happen in practice.
fn rename_unless_taken(file: &Path, target: &Path) -> io::Result<()> {
    if fs::symlink_metadata(target).is_ok() {
        return Err(ErrorKind::AlreadyExists.into());
    }
    match fs::rename(file, target) {
        Err(error) if error.kind() == ErrorKind::CrossesDevices => copy_then_remove(file, target),
        other => other,
    }
}

/// Copies into a newly created `target`, syncs it, and only then removes `file`. On any failure
/// the partial copy (which this function created) is removed and the original is untouched.
fn copy_then_remove(file: &Path, target: &Path) -> io::Result<()> {
    let mut source = File::open(file)?;
    let mut copy = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(target)?;
    let result = fill_copy(&mut source, &mut copy, target).and_then(|()| fs::remove_file(file));
    if result.is_err() {
        drop(copy);
        let _ = fs::remove_file(target);
    }
    result
}

fn fill_copy(source: &mut File, copy: &mut File, target: &Path) -> io::Result<()> {
    let expected = source.metadata()?;
    let copied = io::copy(source, copy)?;
    if copied != expected.len() {
        return Err(io::Error::other(
            "the file changed while it was being copied",
        ));
    }
    // Keep the scan's own time and permissions; failing to is no reason to stop.
    if let Ok(modified) = expected.modified() {
        let _ = copy.set_modified(modified);
    }
    let _ = copy.set_permissions(expected.permissions());
    copy.sync_all()?;
    sync_folder(target);
    Ok(())
}

/// Makes the new folder entry durable before the original goes. Windows has no way to sync a
/// folder from std, and some network shares refuse; the file's own data is synced either way.
fn sync_folder(target: &Path) {
    #[cfg(unix)]
    if let Some(folder) = target.parent() {
        if let Err(error) = File::open(folder).and_then(|folder| folder.sync_all()) {
            debug!(%error, "scanner inbox: could not sync the sent folder");
        }
    }
    #[cfg(not(unix))]
    let _ = target;
}

#[cfg(test)]
mod tests {
    use super::{copy_then_remove, numbered_name};
    use std::ffi::OsStr;
    use std::fs;
    use std::io::ErrorKind;

    fn numbered(name: &str, number: u32) -> String {
        numbered_name(OsStr::new(name), number)
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn the_number_goes_before_the_extension() {
        assert_eq!(numbered("scan.pdf", 1), "scan.pdf");
        assert_eq!(numbered("scan.pdf", 2), "scan (2).pdf");
        assert_eq!(numbered("Scan 0001.PDF", 3), "Scan 0001 (3).PDF");
        assert_eq!(numbered("archive.tar.gz", 2), "archive.tar (2).gz");
        assert_eq!(numbered("no extension", 2), "no extension (2)");
    }

    #[test]
    fn the_copy_fallback_copies_syncs_and_then_removes_the_original() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("scan.pdf");
        let target = dir.path().join("copy.pdf");
        fs::write(&file, b"%PDF-1.7 the whole scan")?;
        copy_then_remove(&file, &target)?;
        assert_eq!(fs::read(&target)?, b"%PDF-1.7 the whole scan");
        assert!(!file.exists(), "the original goes once the copy is safe");
        Ok(())
    }

    #[test]
    fn the_copy_fallback_never_overwrites() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("scan.pdf");
        let target = dir.path().join("taken.pdf");
        fs::write(&file, b"new scan")?;
        fs::write(&target, b"earlier scan")?;
        let error = copy_then_remove(&file, &target).err();
        assert_eq!(error.map(|e| e.kind()), Some(ErrorKind::AlreadyExists));
        assert_eq!(
            fs::read(&target)?,
            b"earlier scan",
            "the taken name is untouched"
        );
        assert_eq!(fs::read(&file)?, b"new scan", "the original stays");
        Ok(())
    }
}
