//! The inbox against a real file system and the platform's real watcher.
//!
//! Tests wait on the callback, never on the clock: each waits for a report with a generous
//! deadline, and "nothing else was reported" is proven by writing a later control file and waiting
//! until that one is reported. Sleeps appear only to pace a slow writer, which is the scenario
//! itself; the pause stays far below the settle period so a loaded machine does not matter.

use std::collections::HashMap;
use std::error::Error;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use decoda_inbox::{is_ignored_name, move_to_sent, Inbox, InboxConfig, InboxError};

type TestResult = Result<(), Box<dyn Error>>;

/// Short, so the tests are quick; the writers below pause far less than this.
const SETTLE: Duration = Duration::from_millis(600);
/// For the slow writers: 15 times their pause, so a busy machine cannot make a pause look like
/// the end of the file.
const SLOW_SETTLE: Duration = Duration::from_millis(1500);
/// A writer's pause between chunks.
const PAUSE: Duration = Duration::from_millis(100);
/// How long to wait for a report before calling it missing.
const DEADLINE: Duration = Duration::from_secs(30);

/// What the callback saw.
#[derive(Debug)]
struct Report {
    name: String,
    /// The file's size read inside the callback, when it was handed over.
    size: Option<u64>,
}

/// Watches `folder`, with listings rare enough that the tests exercise the change events.
fn start(folder: &Path, settle: Duration) -> Result<(Inbox, Receiver<Report>), InboxError> {
    let mut config = InboxConfig::new(folder.to_path_buf());
    config.settle = settle;
    config.rescan = Duration::from_secs(600);
    let (sender, reports) = mpsc::channel();
    let inbox = Inbox::watch(config, move |path: PathBuf| {
        let _ = sender.send(report(&path));
    })?;
    Ok((inbox, reports))
}

fn report(path: &Path) -> Report {
    Report {
        name: name_of(path),
        size: fs::metadata(path).map(|metadata| metadata.len()).ok(),
    }
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Receives reports until `name` is reported and returns all of them, that one last.
fn wait_for(reports: &Receiver<Report>, name: &str) -> Vec<Report> {
    let mut seen = Vec::new();
    loop {
        match reports.recv_timeout(DEADLINE) {
            Ok(report) => {
                let done = report.name == name;
                seen.push(report);
                if done {
                    return seen;
                }
            }
            Err(error) => panic!("{name} was not reported ({error}); reported instead: {seen:?}"),
        }
    }
}

/// Returns everything reported before two control files, written one after the other.
///
/// The first control file is written after whatever the test did, so anything due by then is
/// ready no later than it; a file ready in the same check may still be handed over just after it,
/// which the second control file, written only once the first is reported, catches.
fn reported_before_control(
    folder: &Path,
    reports: &Receiver<Report>,
) -> std::io::Result<Vec<Report>> {
    static CONTROLS: AtomicUsize = AtomicUsize::new(0);
    let mut seen = Vec::new();
    for _ in 0..2 {
        let name = format!("control-{}.pdf", CONTROLS.fetch_add(1, Ordering::Relaxed));
        fs::write(folder.join(&name), b"control")?;
        seen.extend(wait_for(reports, &name));
        seen.pop();
    }
    Ok(seen)
}

/// Writes `chunks` chunks of 4 KiB with a pause after each, like a scanner sending pages, and
/// checks after each chunk that nothing was reported yet.
fn write_slowly(path: &Path, chunks: usize, reports: &Receiver<Report>) -> std::io::Result<u64> {
    let mut file = File::create(path)?;
    for chunk in 1..=chunks {
        file.write_all(&[b'x'; 4096])?;
        if let Ok(early) = reports.try_recv() {
            panic!("{early:?} was reported while chunk {chunk} of {chunks} was being written");
        }
        thread::sleep(PAUSE);
    }
    file.sync_all()?;
    Ok(4096 * chunks as u64)
}

#[test]
fn a_slow_writer_is_reported_once_after_its_last_chunk_with_its_full_size() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (_inbox, reports) = start(dir.path(), SLOW_SETTLE)?;

    let full = write_slowly(&dir.path().join("scan.pdf"), 10, &reports)?;
    let seen = wait_for(&reports, "scan.pdf");

    assert_eq!(seen.len(), 1, "only the scan was written: {seen:?}");
    assert_eq!(
        seen[0].size,
        Some(full),
        "handed over before the last chunk was written"
    );
    let later = reported_before_control(dir.path(), &reports)?;
    assert!(
        later.is_empty(),
        "the scan must be reported once: {later:?}"
    );
    Ok(())
}

#[test]
fn a_file_renamed_into_place_is_reported_under_its_final_name_only() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (_inbox, reports) = start(dir.path(), SLOW_SETTLE)?;

    let partial = dir.path().join("scan.pdf.part");
    let full = write_slowly(&partial, 10, &reports)?;
    fs::rename(&partial, dir.path().join("scan.pdf"))?;
    fs::write(dir.path().join("letter.tmp"), b"a letter")?;
    fs::rename(dir.path().join("letter.tmp"), dir.path().join("letter.pdf"))?;

    let mut seen = wait_for(&reports, "scan.pdf");
    if !seen.iter().any(|report| report.name == "letter.pdf") {
        seen.extend(wait_for(&reports, "letter.pdf"));
    }
    seen.extend(reported_before_control(dir.path(), &reports)?);
    let mut names: Vec<&str> = seen.iter().map(|report| report.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["letter.pdf", "scan.pdf"],
        "final names only, once each"
    );
    let scan = seen.iter().find(|report| report.name == "scan.pdf");
    assert_eq!(scan.and_then(|report| report.size), Some(full));
    Ok(())
}

#[test]
fn two_hundred_files_are_each_reported_once_including_those_there_before() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut expected = Vec::new();
    for number in 0..50 {
        let name = format!("before {number:03}.pdf");
        fs::write(dir.path().join(&name), format!("scan {number}"))?;
        expected.push(name);
    }
    write_litter(dir.path(), "before")?;
    let (_inbox, reports) = start(dir.path(), SETTLE)?;
    for number in 0..150 {
        let name = format!("after {number:03}.jpg");
        fs::write(dir.path().join(&name), format!("photo {number}"))?;
        expected.push(name);
    }
    write_litter(dir.path(), "after")?;

    let mut counts: HashMap<String, usize> = HashMap::new();
    let started = Instant::now();
    while expected.iter().any(|name| !counts.contains_key(name)) {
        assert!(
            started.elapsed() < DEADLINE * 2,
            "still missing after a minute"
        );
        match reports.recv_timeout(DEADLINE) {
            Ok(report) => *counts.entry(report.name).or_default() += 1,
            Err(error) => panic!("files are missing ({error}); got {} of 200", counts.len()),
        }
    }
    for report in reported_before_control(dir.path(), &reports)? {
        *counts.entry(report.name).or_default() += 1;
    }

    assert_eq!(
        counts.len(),
        200,
        "exactly the 200 files, no litter: {counts:?}"
    );
    for name in &expected {
        assert_eq!(
            counts.get(name),
            Some(&1),
            "{name} must be reported exactly once"
        );
    }
    Ok(())
}

/// Hidden, temporary and system files, which must never be reported.
fn write_litter(folder: &Path, tag: &str) -> std::io::Result<()> {
    for name in [
        format!(".{tag}.pdf"),
        format!("~${tag}.docx"),
        format!("{tag}.tmp"),
        format!("{tag}.pdf.part"),
        format!("{tag}.pdf.crdownload"),
    ] {
        assert!(
            is_ignored_name(name.as_ref()),
            "the test's litter must be litter"
        );
        fs::write(folder.join(name), b"not a scan")?;
    }
    Ok(())
}

#[cfg(unix)]
#[test]
fn an_exclusively_locked_file_waits_until_it_is_unlocked() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut locked = File::create(dir.path().join("locked.pdf"))?;
    locked.lock()?;
    locked.write_all(b"%PDF-1.7 written under a lock")?;
    let (_inbox, reports) = start(dir.path(), SETTLE)?;

    // The control files are written after the locked one, so by the time they are reported the
    // locked file has stood still for longer than the settle period too.
    let before_unlock = reported_before_control(dir.path(), &reports)?;
    assert!(
        before_unlock.is_empty(),
        "a locked file must wait: {before_unlock:?}"
    );

    locked.unlock()?;
    let seen = wait_for(&reports, "locked.pdf");
    assert_eq!(seen.len(), 1, "only the unlocked file was due: {seen:?}");
    assert_eq!(seen[0].size, Some(29));
    Ok(())
}

#[test]
fn an_empty_file_waits_for_content() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (_inbox, reports) = start(dir.path(), SETTLE)?;
    let path = dir.path().join("empty.pdf");
    File::create(&path)?;

    let while_empty = reported_before_control(dir.path(), &reports)?;
    assert!(
        while_empty.is_empty(),
        "an empty file is never a scan: {while_empty:?}"
    );

    fs::write(&path, b"now with pages")?;
    let seen = wait_for(&reports, "empty.pdf");
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].size, Some(14));
    Ok(())
}

#[test]
fn subfolders_and_ignored_names_are_never_reported() -> TestResult {
    let dir = tempfile::tempdir()?;
    fs::create_dir(dir.path().join("old"))?;
    fs::write(dir.path().join("old").join("inside.pdf"), b"in a subfolder")?;
    let (_inbox, reports) = start(dir.path(), SETTLE)?;

    fs::create_dir(dir.path().join("sent"))?;
    fs::write(dir.path().join("sent").join("sent.pdf"), b"in a subfolder")?;
    fs::write(dir.path().join("old").join("later.pdf"), b"in a subfolder")?;
    for name in [
        "Thumbs.db",
        "desktop.ini",
        ".DS_Store",
        "scan.swp",
        "x.download",
    ] {
        fs::write(dir.path().join(name), b"not a scan")?;
    }
    write_litter(dir.path(), "litter")?;
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("old"), dir.path().join("link to folder"))?;

    let seen = reported_before_control(dir.path(), &reports)?;
    assert!(
        seen.is_empty(),
        "none of these is a scan in the inbox: {seen:?}"
    );
    Ok(())
}

#[test]
fn a_rewritten_file_is_reported_again() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (_inbox, reports) = start(dir.path(), SETTLE)?;
    let path = dir.path().join("scan.pdf");

    fs::write(&path, b"first scan")?;
    let first = wait_for(&reports, "scan.pdf");
    assert_eq!(first.last().and_then(|report| report.size), Some(10));

    fs::write(&path, b"second, longer scan")?;
    let second = wait_for(&reports, "scan.pdf");
    assert_eq!(second.len(), 1, "{second:?}");
    assert_eq!(second[0].size, Some(19), "the new version is handed over");
    Ok(())
}

#[test]
fn a_panicking_callback_does_not_stop_the_inbox() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut config = InboxConfig::new(dir.path().to_path_buf());
    config.settle = SETTLE;
    let (sender, reports) = mpsc::channel();
    let _inbox = Inbox::watch(config, move |path: PathBuf| {
        let _ = sender.send(report(&path));
        assert!(
            name_of(&path) != "boom.pdf",
            "the app's callback fails on this file"
        );
    })?;

    fs::write(dir.path().join("boom.pdf"), b"trouble")?;
    wait_for(&reports, "boom.pdf");
    fs::write(dir.path().join("fine.pdf"), b"a good scan")?;
    let seen = wait_for(&reports, "fine.pdf");
    assert_eq!(
        seen.len(),
        1,
        "the inbox kept going after the panic: {seen:?}"
    );
    Ok(())
}

#[test]
fn dropping_the_inbox_stops_its_thread() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (inbox, reports) = start(dir.path(), SETTLE)?;
    assert_eq!(inbox.folder(), dir.path());
    drop(inbox);
    fs::write(dir.path().join("after.pdf"), b"too late")?;
    assert_eq!(
        reports.recv_timeout(DEADLINE).err(),
        Some(RecvTimeoutError::Disconnected),
        "the callback must be gone once the drop returns"
    );
    Ok(())
}

#[test]
fn watching_a_missing_folder_says_so_and_where_to_fix_it() -> TestResult {
    let dir = tempfile::tempdir()?;
    let missing = dir.path().join("Scans");
    let error = Inbox::watch(InboxConfig::new(missing.clone()), |_| {}).err();

    assert!(
        matches!(&error, Some(InboxError::FolderMissing(path)) if path == &missing),
        "{error:?}"
    );
    let message = error.map(|error| error.to_string()).unwrap_or_default();
    assert!(message.contains("does not exist"), "{message}");
    assert!(message.contains("scanner inbox setting"), "{message}");
    assert!(message.contains("Scans"), "the folder is named: {message}");
    Ok(())
}

#[test]
fn watching_a_file_instead_of_a_folder_is_refused() -> TestResult {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("scan.pdf");
    fs::write(&file, b"a file")?;
    let error = Inbox::watch(InboxConfig::new(file), |_| {}).err();
    assert!(
        matches!(error, Some(InboxError::NotAFolder(_))),
        "{error:?}"
    );
    Ok(())
}

#[test]
fn move_to_sent_creates_the_folder_and_never_overwrites() -> TestResult {
    let dir = tempfile::tempdir()?;
    let sent = dir.path().join("Sent").join("2026");
    let file = dir.path().join("scan.pdf");
    let mut moved = Vec::new();
    for content in ["first", "second", "third"] {
        fs::write(&file, content)?;
        moved.push(move_to_sent(&file, &sent)?);
        assert!(!file.exists(), "the original must be gone after the move");
    }

    let names: Vec<String> = moved.iter().map(|path| name_of(path)).collect();
    assert_eq!(names, ["scan.pdf", "scan (2).pdf", "scan (3).pdf"]);
    for (path, content) in moved.iter().zip(["first", "second", "third"]) {
        assert_eq!(path.parent(), Some(sent.as_path()));
        assert_eq!(
            fs::read_to_string(path)?,
            content,
            "nothing may be overwritten"
        );
    }
    Ok(())
}

#[test]
fn move_to_sent_of_a_missing_file_says_it_is_no_longer_there() -> TestResult {
    let dir = tempfile::tempdir()?;
    let missing = dir.path().join("scan.pdf");
    let error = move_to_sent(&missing, &dir.path().join("sent")).err();

    assert!(
        matches!(&error, Some(InboxError::SourceMissing(path)) if path == &missing),
        "{error:?}"
    );
    let message = error.map(|error| error.to_string()).unwrap_or_default();
    assert!(
        message.contains("scan.pdf") && message.contains("no longer there"),
        "{message}"
    );
    Ok(())
}

#[test]
fn move_to_sent_refuses_a_folder() -> TestResult {
    let dir = tempfile::tempdir()?;
    let folder = dir.path().join("scans");
    fs::create_dir(&folder)?;
    let error = move_to_sent(&folder, &dir.path().join("sent")).err();
    assert!(matches!(error, Some(InboxError::NotAFile(_))), "{error:?}");
    assert!(folder.is_dir(), "the folder stays where it was");
    Ok(())
}

#[test]
fn a_file_moved_to_a_sent_folder_inside_the_inbox_is_not_reported_again() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (_inbox, reports) = start(dir.path(), SETTLE)?;
    fs::write(dir.path().join("scan.pdf"), b"a scan")?;
    wait_for(&reports, "scan.pdf");

    let moved = move_to_sent(&dir.path().join("scan.pdf"), &dir.path().join("sent"))?;
    assert_eq!(fs::read(&moved)?, b"a scan");
    let later = reported_before_control(dir.path(), &reports)?;
    assert!(
        later.is_empty(),
        "the sent folder is a subfolder: {later:?}"
    );
    Ok(())
}

/// `/dev/shm` is a separate file system on most Linux machines, which forces the copy fallback.
#[cfg(target_os = "linux")]
#[test]
fn move_to_sent_across_file_systems_copies_then_removes() -> TestResult {
    use std::os::unix::fs::MetadataExt;
    let inbox = tempfile::tempdir()?;
    let Ok(other) = tempfile::tempdir_in("/dev/shm") else {
        eprintln!("skipped: no /dev/shm");
        return Ok(());
    };
    if fs::metadata(inbox.path())?.dev() == fs::metadata(other.path())?.dev() {
        eprintln!("skipped: /dev/shm is on the same file system as the temporary folder");
        return Ok(());
    }
    let file = inbox.path().join("scan.pdf");
    let content = vec![7u8; 300_000];
    fs::write(&file, &content)?;
    fs::write(other.path().join("scan.pdf"), b"already sent earlier")?;

    let moved = move_to_sent(&file, other.path())?;
    assert_eq!(name_of(&moved), "scan (2).pdf");
    assert_eq!(fs::read(&moved)?, content, "the copy must be complete");
    assert_eq!(
        fs::read(other.path().join("scan.pdf"))?,
        b"already sent earlier"
    );
    assert!(!file.exists(), "the original goes once the copy is safe");
    Ok(())
}
