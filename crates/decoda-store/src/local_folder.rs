//! Where the queue and history live: the computer's own (local) application data folder.
//!
//! On Windows the platform's "data" folder is the *roaming* profile, which Group Policy often
//! redirects to a file share; SQLite's write-ahead log needs shared memory on a local disk and
//! breaks there. So the database lives in the local folder (`%LOCALAPPDATA%`), as the logs do.
//! Version 0.1 kept it in the roaming folder: the first start of a newer version moves it.
//! On Linux and macOS the two folders are the same.

use std::io;
use std::path::Path;

/// The name a folder that could not be moved whole is left under, once copied.
const MOVED_SUFFIX: &str = "moved to the local folder";

/// Moves the app's data from `roaming` to `local` when `local` has none yet and `roaming` has
/// some: renamed in one step on the same disk, otherwise copied (a redirected profile is on
/// another computer) and the old folder renamed aside, never deleted. Returns whether anything
/// was moved.
pub(crate) fn move_from_roaming(roaming: &Path, local: &Path, marker: &str) -> io::Result<bool> {
    if roaming == local || !roaming.join(marker).exists() || local.join(marker).exists() {
        return Ok(false);
    }
    if let Some(parent) = local.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let local_is_empty = std::fs::read_dir(local).map_or(true, |mut d| d.next().is_none());
    if local_is_empty {
        let _ = std::fs::remove_dir(local);
        if std::fs::rename(roaming, local).is_ok() {
            return Ok(true);
        }
    }
    copy_tree(roaming, local)?;
    let mut aside = roaming.as_os_str().to_owned();
    aside.push(format!(" ({MOVED_SUFFIX})"));
    std::fs::rename(roaming, aside)?;
    Ok(true)
}

fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if !target.exists() {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_roaming_folder_moves_to_the_local_one_once_and_nothing_is_lost() {
        let dir = tempfile::tempdir().unwrap();
        let roaming = dir.path().join("Roaming").join("decoda-uploader");
        let local = dir.path().join("Local").join("decoda-uploader");
        std::fs::create_dir_all(roaming.join("runs")).unwrap();
        std::fs::write(roaming.join("uploads.sqlite3"), b"db").unwrap();
        std::fs::write(roaming.join("runs").join("1.lock"), b"").unwrap();

        assert!(move_from_roaming(&roaming, &local, "uploads.sqlite3").unwrap());
        assert_eq!(std::fs::read(local.join("uploads.sqlite3")).unwrap(), b"db");
        assert!(local.join("runs").join("1.lock").exists());
        assert!(!roaming.exists());
        assert!(
            !move_from_roaming(&roaming, &local, "uploads.sqlite3").unwrap(),
            "once only"
        );
    }

    #[test]
    fn a_local_folder_with_its_own_database_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let (roaming, local) = (dir.path().join("r"), dir.path().join("l"));
        for (folder, bytes) in [(&roaming, b"old"), (&local, b"new")] {
            std::fs::create_dir_all(folder).unwrap();
            std::fs::write(folder.join("uploads.sqlite3"), bytes).unwrap();
        }
        assert!(!move_from_roaming(&roaming, &local, "uploads.sqlite3").unwrap());
        assert_eq!(
            std::fs::read(local.join("uploads.sqlite3")).unwrap(),
            b"new"
        );
        assert!(roaming.join("uploads.sqlite3").exists());
    }

    #[test]
    fn into_a_local_folder_already_in_use_the_data_is_copied_and_the_old_folder_kept_aside() {
        let dir = tempfile::tempdir().unwrap();
        let (roaming, local) = (dir.path().join("r"), dir.path().join("l"));
        std::fs::create_dir_all(&roaming).unwrap();
        std::fs::write(roaming.join("uploads.sqlite3"), b"db").unwrap();
        std::fs::create_dir_all(local.join("logs")).unwrap();
        assert!(move_from_roaming(&roaming, &local, "uploads.sqlite3").unwrap());
        assert_eq!(std::fs::read(local.join("uploads.sqlite3")).unwrap(), b"db");
        assert!(local.join("logs").exists());
        let aside = dir.path().join(format!("r ({MOVED_SUFFIX})"));
        assert!(
            aside.join("uploads.sqlite3").exists(),
            "kept, never deleted"
        );
    }
}
