//! Whether the fleet file can be trusted: only administrators may be able to write it.
//!
//! The system-wide file locks settings for every account on the computer, so whoever can write it
//! controls where everyone's files go. Its folder must therefore be writable by administrators
//! only, or a standard user could plant one before IT deploys theirs (on Windows anyone may create
//! folders under `C:\ProgramData`), or keep write access to IT's file later. A file that fails
//! the check is set aside, saying who else can write what, and the user's own settings apply.
//!
//! The facts come from an [`Ownership`] source (the operating system's, or a fake in tests); the
//! rule is in [`check_admin_only`]:
//! - the file: owned by an administrator, and nobody else may change it;
//! - its folder: owned by an administrator, and nobody else may add, remove or rename entries;
//! - the folders above: nobody else may remove or rename what is in them (others may create
//!   their own entries there, as in `C:\ProgramData` or `/tmp`).

#[cfg(unix)]
mod unix;
#[cfg(windows)]
mod windows;

use std::path::Path;

/// Who, besides administrators, can change a file or folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Guard {
    /// Owned by an administrator (root; Administrators, SYSTEM or TrustedInstaller on Windows),
    /// or by the account running the app: a file that account planted can only change its own
    /// settings, never another account's (whose app refuses it).
    pub trusted_owner: bool,
    /// Who else (not an administrator, not the account running the app) may change it: a file's
    /// content or permissions, or a folder's entries (remove, rename) or permissions. Names for
    /// the message ("BUILTIN\Users", "group 20").
    pub changed_by: Vec<String>,
    /// Who else may create new entries in it (folders only).
    pub added_to_by: Vec<String>,
}

/// Where the facts about a path come from.
pub trait Ownership {
    /// Who can change `path`. An error means the facts cannot be read: the file is not trusted.
    fn guard(&self, path: &Path) -> std::io::Result<Guard>;
}

/// The operating system's own answer.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemOwnership;

impl Ownership for SystemOwnership {
    fn guard(&self, path: &Path) -> std::io::Result<Guard> {
        #[cfg(unix)]
        return unix::guard(path);
        #[cfg(windows)]
        return windows::guard(path);
        #[cfg(not(any(unix, windows)))]
        {
            let _ = path;
            Err(std::io::Error::other(
                "this system's file permissions cannot be read",
            ))
        }
    }
}

/// Checks that only administrators can write the fleet file at `path` (which exists), its folder,
/// and the folders above it. The error is a sentence for IT: what can be written, and by whom.
pub fn check_admin_only(path: &Path, source: &dyn Ownership) -> Result<(), String> {
    let read = |p: &Path| {
        source
            .guard(p)
            .map_err(|e| format!("who may change {} cannot be read ({e})", p.display()))
    };
    let file = read(path)?;
    if !file.trusted_owner {
        return Err(format!(
            "{} is not owned by an administrator",
            path.display()
        ));
    }
    refuse_writers(path, &file.changed_by, "change it")?;
    for (depth, folder) in path.ancestors().skip(1).enumerate() {
        if folder.as_os_str().is_empty() {
            break;
        }
        let guard = read(folder)?;
        refuse_writers(folder, &guard.changed_by, "remove or rename what is in it")?;
        if depth == 0 {
            if !guard.trusted_owner {
                return Err(format!(
                    "its folder {} is not owned by an administrator",
                    folder.display()
                ));
            }
            refuse_writers(folder, &guard.added_to_by, "create files in it")?;
        }
    }
    Ok(())
}

fn refuse_writers(path: &Path, who: &[String], can: &str) -> Result<(), String> {
    if who.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{} can be written by others than administrators ({} can {can}); only administrators may be able to write it",
        path.display(),
        who.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::path::PathBuf;

    /// Facts set by the test, path by path; a path not set is an administrator's, closed.
    #[derive(Default)]
    struct Fake(HashMap<PathBuf, Guard>);

    impl Fake {
        fn with(mut self, path: &str, guard: Guard) -> Self {
            self.0.insert(PathBuf::from(path), guard);
            self
        }
    }

    impl Ownership for Fake {
        fn guard(&self, path: &Path) -> std::io::Result<Guard> {
            if path == Path::new("/unreadable") {
                return Err(std::io::Error::other("access denied"));
            }
            Ok(self.0.get(path).cloned().unwrap_or(Guard {
                trusted_owner: true,
                ..Guard::default()
            }))
        }
    }

    fn users(what: &str) -> Vec<String> {
        vec![what.to_owned()]
    }

    const FILE: &str = "/ProgramData/Decoda Uploader/config.toml";

    #[test]
    fn a_file_only_administrators_can_write_is_trusted_even_where_users_may_create_folders() {
        let fake = Fake::default().with(
            "/ProgramData",
            Guard {
                trusted_owner: true,
                changed_by: vec![],
                added_to_by: users("BUILTIN\\Users"),
            },
        );
        assert_eq!(check_admin_only(Path::new(FILE), &fake), Ok(()));
    }

    #[test]
    fn a_folder_a_user_created_or_can_write_is_refused_with_who() {
        let planted = Fake::default().with(
            "/ProgramData/Decoda Uploader",
            Guard {
                trusted_owner: false,
                changed_by: users("CLINIC\\frontdesk"),
                added_to_by: vec![],
            },
        );
        let why = check_admin_only(Path::new(FILE), &planted).unwrap_err();
        assert!(
            why.contains("CLINIC\\frontdesk can remove or rename"),
            "{why}"
        );

        let open = Fake::default().with(
            "/ProgramData/Decoda Uploader",
            Guard {
                trusted_owner: true,
                changed_by: vec![],
                added_to_by: users("BUILTIN\\Users"),
            },
        );
        let why = check_admin_only(Path::new(FILE), &open).unwrap_err();
        assert!(
            why.contains("BUILTIN\\Users can create files in it"),
            "{why}"
        );
    }

    #[test]
    fn a_file_others_can_change_or_that_an_administrator_does_not_own_is_refused() {
        let writable = Fake::default().with(
            FILE,
            Guard {
                trusted_owner: true,
                changed_by: users("Everyone"),
                added_to_by: vec![],
            },
        );
        assert!(check_admin_only(Path::new(FILE), &writable)
            .unwrap_err()
            .contains("Everyone can change it"));
        let owned = Fake::default().with(
            FILE,
            Guard {
                trusted_owner: false,
                ..Guard::default()
            },
        );
        assert!(check_admin_only(Path::new(FILE), &owned)
            .unwrap_err()
            .contains("not owned by an administrator"));
    }

    #[test]
    fn a_folder_higher_up_where_others_can_replace_entries_is_refused() {
        let fake = Fake::default().with(
            "/ProgramData",
            Guard {
                trusted_owner: true,
                changed_by: users("BUILTIN\\Users"),
                added_to_by: vec![],
            },
        );
        assert!(check_admin_only(Path::new(FILE), &fake)
            .unwrap_err()
            .starts_with("/ProgramData can be written"));
    }

    #[test]
    fn facts_that_cannot_be_read_mean_no_trust() {
        let why =
            check_admin_only(Path::new("/unreadable/config.toml"), &Fake::default()).unwrap_err();
        assert!(why.contains("cannot be read (access denied)"), "{why}");
    }
}
