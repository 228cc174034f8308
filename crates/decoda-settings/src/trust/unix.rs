//! Ownership on Linux and macOS: the owner's uid and the permission bits.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::Guard;

/// Group and others' write bits, and the sticky bit (only an entry's owner may remove it).
const GROUP_WRITE: u32 = 0o020;
const OTHER_WRITE: u32 = 0o002;
const STICKY: u32 = 0o1000;

pub(super) fn guard(path: &Path) -> std::io::Result<Guard> {
    let meta = std::fs::metadata(path)?;
    let mode = meta.mode();
    let mut writers = Vec::new();
    // The administrators' group (root's, gid 0) may write; any other group is other people.
    if mode & GROUP_WRITE != 0 && meta.gid() != 0 {
        writers.push(format!("group {}", meta.gid()));
    }
    if mode & OTHER_WRITE != 0 {
        writers.push("every user".to_owned());
    }
    let folder = meta.is_dir();
    // In a sticky folder (such as /tmp) others may create entries but not remove or rename ours.
    let changed_by = if folder && mode & STICKY != 0 {
        Vec::new()
    } else {
        writers.clone()
    };
    Ok(Guard {
        trusted_owner: meta.uid() == 0 || meta.uid() == effective_uid(),
        changed_by,
        added_to_by: if folder { writers } else { Vec::new() },
    })
}

/// The account running the app.
fn effective_uid() -> u32 {
    rustix::process::geteuid().as_raw()
}
