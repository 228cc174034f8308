//! Folders and files that only their owner can open.
//!
//! The queue, the history and the run locks name patients and files, and a clinic computer is
//! often shared by several staff accounts. On Unix, folders are created 0700 and files 0600 (not
//! the 0755/0644 a usual umask gives), and ones an older version left more open are tightened
//! when the store opens them. Elsewhere the per-user folder's own access rules apply (on Windows
//! the profile's ACLs, which already keep other users out).

use std::{fs, io, path::Path};

/// Owner-only access to a folder.
#[cfg(unix)]
const DIR_MODE: u32 = 0o700;
/// Owner-only reading and writing of a file.
#[cfg(unix)]
const FILE_MODE: u32 = 0o600;
/// Group and other permission bits, which nothing here should carry.
#[cfg(unix)]
const OTHERS: u32 = 0o077;

/// Creates `path` and any missing parents, owner-only, and tightens `path` if it already
/// existed more open.
pub(crate) fn create_dir(path: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    builder.create(path)?;
    tighten(path)
}

/// Options that create a file owner-only. An existing file keeps its mode: see [`tighten`].
pub(crate) fn file_options() -> fs::OpenOptions {
    #[allow(unused_mut)] // only Unix sets a mode
    let mut options = fs::OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    options
}

/// Takes group and other access away from an existing file or folder; a missing one is left as
/// it is (SQLite's side files come and go).
pub(crate) fn tighten(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = match fs::metadata(path) {
            Ok(meta) => meta.permissions().mode() & 0o7777,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        if mode & OTHERS != 0 {
            fs::set_permissions(path, fs::Permissions::from_mode(mode & !OTHERS))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
