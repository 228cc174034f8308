//! Turning what the user gave (files and folders) into files that are fit to send.
//!
//! Every check happens here, before any byte goes out, so that one bad file is reported by name
//! while the good ones still go. Folders are expanded in name order, skipping hidden and system
//! files that no one means to upload.

use crate::{hash::ContentHash, sniff::sniff, FileProblem, Limits};
use serde::Serialize;
use std::{
    collections::HashSet,
    fs,
    path::{Path, PathBuf},
    time::SystemTime,
};

/// One path the user chose, with optional per-file details.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileSpec {
    /// A file or a folder.
    pub path: PathBuf,
    /// The display name in the chart (default: the file's name).
    pub name: Option<String>,
    /// The clinic's own id for the file, if any.
    pub external_id: Option<String>,
}

impl FileSpec {
    /// A spec with just a path.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            ..Self::default()
        }
    }
}

/// A file that passed every check, with what will be sent for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckedFile {
    /// Where it is on disk.
    pub path: PathBuf,
    /// The multipart `filename`: the file's own name, control characters replaced.
    pub file_name: String,
    /// The display name to set in the chart.
    pub display_name: String,
    /// The external id to set, if any.
    pub external_id: Option<String>,
    /// Size in bytes at check time.
    pub size: u64,
    /// The content type sniffed from the bytes.
    pub content_type: String,
    /// Modification time at check time, to notice a file that changes before it is sent.
    #[serde(skip)]
    pub modified: Option<SystemTime>,
    /// The content hash, when taken before sending (a file that could be a copy of another):
    /// the bytes sent are checked against it. `None` otherwise; the engine then takes it while
    /// the file is sent, which is what a file found in the chart after a lost answer is compared
    /// with.
    #[serde(skip)]
    pub content_hash: Option<ContentHash>,
}

/// The outcome of checking one file (a folder yields one item per file inside it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeItem {
    /// The position of the spec it came from (a folder yields several items), so what the person
    /// chose for that spec (send anyway, the content listed) stays with each of its files.
    pub spec: usize,
    /// The path as given, or as found inside a given folder.
    pub path: PathBuf,
    /// The file, ready to send, or why it cannot be.
    pub result: Result<CheckedFile, FileProblem>,
}

/// Checks every spec, expanding folders. Blocking: call from a blocking thread in async code.
pub fn check_files(specs: &[FileSpec], limits: &Limits) -> Vec<IntakeItem> {
    let mut seen = HashSet::new();
    let mut items = Vec::new();
    for (index, spec) in specs.iter().enumerate() {
        let is_dir = fs::metadata(&spec.path)
            .map(|m| m.is_dir())
            .unwrap_or(false);
        if !is_dir {
            items.push(check_one(
                index,
                &spec.path,
                spec.name.clone(),
                spec.external_id.clone(),
                limits,
                &mut seen,
            ));
            continue;
        }
        if spec.name.is_some() || spec.external_id.is_some() {
            items.push(IntakeItem {
                spec: index,
                path: spec.path.clone(),
                result: Err(FileProblem::NameForFolder),
            });
            continue;
        }
        let entries = expand_folder(&spec.path);
        if entries.is_empty() {
            items.push(IntakeItem {
                spec: index,
                path: spec.path.clone(),
                result: Err(FileProblem::EmptyFolder),
            });
        }
        for entry in entries {
            items.push(match entry {
                Ok(path) => check_one(index, &path, None, None, limits, &mut seen),
                Err((path, problem)) => IntakeItem {
                    spec: index,
                    path,
                    result: Err(problem),
                },
            });
        }
    }
    items
}

fn expand_folder(root: &Path) -> Vec<Result<PathBuf, (PathBuf, FileProblem)>> {
    walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored(e.file_name()))
        .filter_map(|entry| match entry {
            Ok(e) if e.file_type().is_dir() => None,
            Ok(e) => Some(Ok(e.into_path())),
            Err(err) => {
                let path = err
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| root.to_path_buf());
                let problem = if err.loop_ancestor().is_some() {
                    FileProblem::LinkLoop
                } else {
                    io_problem(err.io_error())
                };
                Some(Err((path, problem)))
            }
        })
        .collect()
}

/// Hidden files and the litter operating systems leave in folders.
fn is_ignored(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.')
        || name.eq_ignore_ascii_case("Thumbs.db")
        || name.eq_ignore_ascii_case("desktop.ini")
}

fn io_problem(err: Option<&std::io::Error>) -> FileProblem {
    match err.map(std::io::Error::kind) {
        Some(std::io::ErrorKind::NotFound) => FileProblem::Missing,
        Some(std::io::ErrorKind::PermissionDenied) => {
            FileProblem::Unreadable("permission denied".to_owned())
        }
        _ => FileProblem::Unreadable(
            err.map(|e| e.kind().to_string())
                .unwrap_or_else(|| "unknown error".into()),
        ),
    }
}

fn check_one(
    spec: usize,
    path: &Path,
    name: Option<String>,
    external_id: Option<String>,
    limits: &Limits,
    seen: &mut HashSet<PathBuf>,
) -> IntakeItem {
    let result = check_file(path, name, external_id, limits, seen);
    IntakeItem {
        spec,
        path: path.to_path_buf(),
        result,
    }
}

fn check_file(
    path: &Path,
    name: Option<String>,
    external_id: Option<String>,
    limits: &Limits,
    seen: &mut HashSet<PathBuf>,
) -> Result<CheckedFile, FileProblem> {
    let meta = fs::metadata(path).map_err(|e| io_problem(Some(&e)))?;
    if !meta.is_file() {
        return Err(FileProblem::NotAFile);
    }
    let canonical = fs::canonicalize(path).map_err(|e| io_problem(Some(&e)))?;
    if !seen.insert(canonical) {
        return Err(FileProblem::ListedTwice);
    }
    if meta.len() == 0 {
        return Err(FileProblem::Empty);
    }
    if meta.len() > limits.max_file_bytes {
        return Err(FileProblem::TooLarge {
            size: meta.len(),
            limit: limits.max_file_bytes,
        });
    }
    // Sniffing opens and reads the file, which also proves it is readable.
    let sniffed = sniff(path).map_err(|e| io_problem(Some(&e)))?;
    if let Some(what) = sniffed
        .program_or_archive
        .filter(|_| !limits.allow_programs_and_archives)
    {
        return Err(FileProblem::ProgramOrArchive(what.to_owned()));
    }
    let content_type = sniffed.content_type;
    let file_name = wire_file_name(path);
    let display_name = name
        .map(|n| one_line(&n))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| {
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
    Ok(CheckedFile {
        path: path.to_path_buf(),
        file_name,
        display_name,
        external_id: external_id.map(|e| one_line(&e)).filter(|e| !e.is_empty()),
        size: meta.len(),
        content_type,
        modified: meta.modified().ok(),
        content_hash: None,
    })
}

/// A name or id as one line: line breaks, tabs and other control characters (pasted from a
/// document or a spreadsheet cell) become single spaces, and the ends are trimmed.
fn one_line(text: &str) -> String {
    text.split(char::is_control)
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The multipart file name: the file's own name with control characters (which cannot travel in
/// a header) replaced by `_`. The display name travels separately, unaltered, in `names`.
fn wire_file_name(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    name.chars()
        .map(|c| if c.is_control() { '_' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.join(name);
        fs::write(&p, bytes).unwrap();
        p
    }

    /// A file name with a comma and double quotes; Windows allows no double quotes in one.
    const TRICKY: &str = if cfg!(windows) {
        "scan 1, 'final'.pdf"
    } else {
        "scan 1, \"final\".pdf"
    };

    #[test]
    fn each_bad_file_gets_its_own_reason_and_good_ones_pass() {
        let dir = tempfile::tempdir().unwrap();
        let good = write(dir.path(), TRICKY, b"%PDF-1.4 hello");
        let empty = write(dir.path(), "empty.png", b"");
        let big = write(dir.path(), "big.bin", &[7u8; 2048]);
        let limits = Limits {
            max_file_bytes: 1024,
            ..Limits::default()
        };
        let specs = [
            FileSpec {
                name: Some(" Consent form ".into()),
                ..FileSpec::new(&good)
            },
            FileSpec::new(&empty),
            FileSpec::new(&big),
            FileSpec::new(dir.path().join("nope.pdf")),
            FileSpec::new(&good),
        ];
        let items = check_files(&specs, &limits);
        let ok = items[0].result.as_ref().unwrap();
        assert_eq!(ok.display_name, "Consent form");
        assert_eq!(ok.file_name, TRICKY);
        assert_eq!(ok.content_type, "application/pdf");
        assert_eq!(items[1].result, Err(FileProblem::Empty));
        assert!(matches!(
            items[2].result,
            Err(FileProblem::TooLarge {
                size: 2048,
                limit: 1024
            })
        ));
        assert_eq!(items[3].result, Err(FileProblem::Missing));
        assert_eq!(items[4].result, Err(FileProblem::ListedTwice));
    }

    #[test]
    fn programs_and_archives_are_refused_by_content_unless_allowed() {
        let dir = tempfile::tempdir().unwrap();
        // An executable named like a scan, and a zip named like a photo.
        let mut exe = [b"MZ".as_slice(), &[0x90; 62]].concat();
        exe[0x3c] = 0x40;
        exe.extend_from_slice(b"PE\0\0");
        let exe = write(dir.path(), "scan0001.pdf", &exe);
        let zip = write(dir.path(), "photo.jpg", b"PK\x03\x04\x14\0\0\0rest");
        let pdf = write(dir.path(), "letter.pdf", b"%PDF-1.4 letter");
        let specs = [
            FileSpec::new(&exe),
            FileSpec::new(&zip),
            FileSpec::new(&pdf),
        ];
        let items = check_files(&specs, &Limits::default());
        assert_eq!(
            items[0].result,
            Err(FileProblem::ProgramOrArchive("a program".into()))
        );
        assert_eq!(
            items[1].result,
            Err(FileProblem::ProgramOrArchive("an archive".into()))
        );
        assert!(items[2].result.is_ok());
        let allowed = Limits {
            allow_programs_and_archives: true,
            ..Limits::default()
        };
        assert!(check_files(&specs, &allowed)
            .iter()
            .all(|i| i.result.is_ok()));
    }

    #[test]
    fn folders_expand_in_order_without_hidden_or_system_files() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        write(dir.path(), "b.txt", b"b");
        write(dir.path(), "a.txt", b"a");
        write(dir.path(), ".DS_Store", b"x");
        write(dir.path(), "Thumbs.db", b"x");
        write(&dir.path().join("sub"), "c.txt", b"c");
        let items = check_files(&[FileSpec::new(dir.path())], &Limits::default());
        let names: Vec<_> = items
            .iter()
            .map(|i| i.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.txt", "b.txt", "c.txt"]);
        assert!(items.iter().all(|i| i.result.is_ok()));
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_is_reported_not_followed_forever() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", b"a");
        std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
        let items = check_files(&[FileSpec::new(dir.path())], &Limits::default());
        assert!(
            items.iter().any(|i| i.result == Err(FileProblem::LinkLoop)),
            "{items:?}"
        );
        assert!(items.iter().any(|i| i.result.is_ok()));
    }

    #[test]
    fn pasted_names_and_ids_become_one_line() {
        assert_eq!(
            one_line("  Consent\r\nform\tsigned "),
            "Consent form signed"
        );
        assert_eq!(one_line("\n"), "");
    }

    #[test]
    fn a_folder_with_nothing_to_send_says_so() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".hidden"), b"x").unwrap();
        let items = check_files(&[FileSpec::new(dir.path())], &Limits::default());
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].result, Err(FileProblem::EmptyFolder));
    }

    #[test]
    fn control_characters_never_reach_the_header() {
        assert_eq!(wire_file_name(Path::new("/x/a\nb\r.pdf")), "a_b_.pdf");
    }

    /// One path component: no separator (on Windows, neither slash nor backslash, nor a colon).
    const ONE_COMPONENT: &str = if cfg!(windows) {
        "[^/\\\\:\\x00]{1,60}"
    } else {
        "[^/\\x00]{1,60}"
    };

    proptest::proptest! {
        /// The multipart file name never carries a control character (which would break the
        /// header or could inject one), and any other name travels unchanged.
        #[test]
        fn wire_file_names_are_header_safe_and_otherwise_unchanged(name in ONE_COMPONENT) {
            let wire = wire_file_name(Path::new(&name));
            proptest::prop_assert!(!wire.chars().any(char::is_control));
            if !name.chars().any(char::is_control) && name != "." && name != ".." {
                let own = Path::new(&name).file_name().map(|n| n.to_string_lossy().into_owned());
                proptest::prop_assert_eq!(Some(wire), own);
            }
        }

        /// A pasted name becomes one trimmed line, and a name that already is one is unchanged.
        #[test]
        fn names_become_one_line(name in "\\PC{0,40}", junk in "[\\r\\n\\t ]{0,3}") {
            let pasted = format!("{junk}{name}{junk}");
            let line = one_line(&pasted);
            proptest::prop_assert!(!line.chars().any(char::is_control));
            proptest::prop_assert_eq!(line.trim(), line.as_str());
            let plain: String = name.split_whitespace().collect::<Vec<_>>().join(" ");
            proptest::prop_assert_eq!(one_line(&plain), plain);
        }
    }
}
