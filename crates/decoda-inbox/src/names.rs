//! Which names in the inbox are never handed over: files a scanner or copy tool is still writing
//! under a temporary name, hidden files, and the litter operating systems leave in folders.

use std::ffi::OsStr;

/// Endings of temporary or partial files: scanners, browsers and copy tools write under these and
/// rename to the final name when done, so the final name is the one to report.
const PARTIAL_SUFFIXES: [&str; 6] = [
    ".tmp",
    ".part",
    ".partial",
    ".crdownload",
    ".download",
    ".swp",
];

/// System files that appear in shared folders and are never scans.
const SYSTEM_NAMES: [&str; 3] = ["thumbs.db", "desktop.ini", ".ds_store"];

/// Whether a file name is one the inbox ignores.
///
/// Ignored: hidden names (`.x`), Office lock files (`~$x`), temporary and partial downloads
/// (`*.tmp`, `*.part`, `*.partial`, `*.crdownload`, `*.download`, `*.swp`) and system litter
/// (`Thumbs.db`, `desktop.ini`, `.DS_Store`). Case does not matter, because Windows and macOS
/// shares mix cases freely. Public so the app and tests apply the same rule as the watcher.
pub fn is_ignored_name(name: &OsStr) -> bool {
    let name = name.to_string_lossy().to_lowercase();
    name.is_empty()
        || name.starts_with('.')
        || name.starts_with("~$")
        || SYSTEM_NAMES.contains(&name.as_str())
        || PARTIAL_SUFFIXES.iter().any(|suffix| name.ends_with(suffix))
}

#[cfg(test)]
mod tests {
    use super::is_ignored_name;
    use std::ffi::OsStr;

    fn ignored(name: &str) -> bool {
        is_ignored_name(OsStr::new(name))
    }

    #[test]
    fn scans_and_documents_are_not_ignored() {
        for name in [
            "scan.pdf",
            "Scan 0001.PDF",
            "photo.jpeg",
            "IMG_1234.HEIC",
            "report.tmp.pdf",
            "part.pdf",
            "download",
            "no extension",
            "~notlock.pdf",
            "thumbs.db.pdf",
        ] {
            assert!(
                !ignored(name),
                "{name:?} is an ordinary file and must be handed over"
            );
        }
    }

    #[test]
    fn hidden_files_are_ignored() {
        for name in [".hidden.pdf", ".", "..", ".DS_Store", ".scan.pdf.swp"] {
            assert!(
                ignored(name),
                "{name:?} is hidden and must not be handed over"
            );
        }
    }

    #[test]
    fn office_lock_files_are_ignored() {
        assert!(
            ignored("~$letter.docx"),
            "Word's lock file is not a document"
        );
    }

    #[test]
    fn partial_and_temporary_names_are_ignored_in_any_case() {
        for name in [
            "scan.tmp",
            "scan.TMP",
            "scan.pdf.part",
            "scan.pdf.Partial",
            "scan.pdf.crdownload",
            "scan.pdf.download",
            "scan.swp",
            "~WRL0001.tmp",
        ] {
            assert!(
                ignored(name),
                "{name:?} is still being written under a temporary name"
            );
        }
    }

    #[test]
    fn system_litter_is_ignored_in_any_case() {
        for name in [
            "Thumbs.db",
            "THUMBS.DB",
            "desktop.ini",
            "Desktop.ini",
            ".DS_Store",
        ] {
            assert!(
                ignored(name),
                "{name:?} is left by the operating system, not a scan"
            );
        }
    }

    #[test]
    fn an_empty_name_is_ignored() {
        assert!(ignored(""), "an empty name cannot be a file in the inbox");
    }

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_unicode_are_judged_by_their_readable_part() {
        use std::os::unix::ffi::OsStrExt;
        let scan = OsStr::from_bytes(b"scan\xff.pdf");
        let partial = OsStr::from_bytes(b"scan\xff.pdf.part");
        assert!(
            !is_ignored_name(scan),
            "an odd byte must not hide a real scan"
        );
        assert!(
            is_ignored_name(partial),
            "an odd byte must not reveal a partial file"
        );
    }
}
