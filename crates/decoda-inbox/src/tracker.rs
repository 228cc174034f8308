//! Which files might be ready, and how long each has stood still.
//!
//! Events and listings only say "look at this path"; whether a file is fully written is decided
//! here, from what the file system shows at each check. Time comes in as an argument so the rules
//! can be tested without waiting.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tracing::debug;

use crate::probe::{self, Access, Fingerprint, Stat};

/// The candidates and what has been handed over.
#[derive(Debug)]
pub(crate) struct Tracker {
    settle: Duration,
    /// Paths to look at on the next check.
    candidates: HashMap<PathBuf, Candidate>,
    /// The version of each file last handed over, so the same version is not handed over twice
    /// but a rewrite is.
    reported: HashMap<PathBuf, Fingerprint>,
}

/// What a candidate looked like when last checked.
#[derive(Debug, Default)]
struct Candidate {
    seen: Option<Seen>,
}

#[derive(Debug)]
struct Seen {
    fingerprint: Fingerprint,
    /// When this version was first seen: the settle period counts from here, not from the file's
    /// modification time, because a file renamed into place can carry an old time.
    since: Instant,
    /// Why a settled file is still held back, kept to log only changes.
    held: Option<Access>,
}

/// The outcome of one check of one candidate.
enum Verdict {
    Keep,
    Drop,
    Ready(Fingerprint),
}

impl Tracker {
    pub(crate) fn new(settle: Duration) -> Self {
        Self {
            settle,
            candidates: HashMap::new(),
            reported: HashMap::new(),
        }
    }

    /// Something happened at `path`: look at it on the next checks until it is settled.
    pub(crate) fn touch(&mut self, path: PathBuf) {
        self.candidates.entry(path).or_default();
    }

    /// A full listing found exactly `present`: all of them become candidates, and anything handed
    /// over earlier that is no longer there is forgotten.
    pub(crate) fn listed(&mut self, present: HashSet<PathBuf>) {
        self.reported.retain(|path, _| present.contains(path));
        for path in present {
            self.touch(path);
        }
    }

    /// Looks at every candidate and returns those that became ready, which count as handed over
    /// from now on.
    pub(crate) fn check(&mut self, now: Instant) -> Vec<PathBuf> {
        let settle = self.settle;
        let reported = &mut self.reported;
        let mut ready = Vec::new();
        self.candidates.retain(|path, candidate| {
            match judge(path, candidate, reported, settle, now) {
                Verdict::Keep => true,
                Verdict::Drop => false,
                Verdict::Ready(fingerprint) => {
                    reported.insert(path.clone(), fingerprint);
                    ready.push(path.clone());
                    false
                }
            }
        });
        ready
    }

    /// How many paths are being watched for settling; for tests.
    #[cfg(test)]
    fn pending(&self) -> usize {
        self.candidates.len()
    }
}

/// Decides about one candidate.
fn judge(
    path: &Path,
    candidate: &mut Candidate,
    reported: &mut HashMap<PathBuf, Fingerprint>,
    settle: Duration,
    now: Instant,
) -> Verdict {
    let fingerprint = match probe::stat(path) {
        Stat::File(fingerprint) => fingerprint,
        Stat::Gone => {
            reported.remove(path);
            return Verdict::Drop;
        }
        Stat::NotAFile | Stat::Unknown => return Verdict::Drop,
    };
    if reported.get(path) == Some(&fingerprint) {
        return Verdict::Drop;
    }
    let seen = match &mut candidate.seen {
        Some(seen) if seen.fingerprint == fingerprint => seen,
        other => {
            *other = Some(Seen::new(fingerprint, now));
            return Verdict::Keep;
        }
    };
    if now.saturating_duration_since(seen.since) < settle {
        return Verdict::Keep;
    }
    if fingerprint.len == 0 {
        // A scan is never empty. Writing to it brings an event, and the listing looks again.
        debug!(path = %path.display(), "scanner inbox: file is empty, waiting for content");
        return Verdict::Drop;
    }
    settled(path, seen, now)
}

/// A settled, non-empty file: hand it over if it can be read and nobody holds it locked.
fn settled(path: &Path, seen: &mut Seen, now: Instant) -> Verdict {
    match probe::access(path, seen.fingerprint) {
        Access::Ready => Verdict::Ready(seen.fingerprint),
        Access::Changed => {
            seen.since = now;
            Verdict::Keep
        }
        held @ (Access::Unreadable | Access::Locked) => {
            if seen.held != Some(held) {
                debug!(path = %path.display(), reason = ?held, "scanner inbox: file not ready yet");
                seen.held = Some(held);
            }
            Verdict::Keep
        }
    }
}

impl Seen {
    fn new(fingerprint: Fingerprint, since: Instant) -> Self {
        Self {
            fingerprint,
            since,
            held: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Tracker;
    use std::collections::HashSet;
    use std::fs;
    use std::io::Write;
    use std::time::{Duration, Instant};

    const SETTLE: Duration = Duration::from_secs(2);

    #[test]
    fn a_file_is_ready_only_after_standing_still_for_the_settle_period() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("scan.pdf");
        fs::write(&path, b"page one")?;
        let mut tracker = Tracker::new(SETTLE);
        let start = Instant::now();
        tracker.touch(path.clone());

        assert!(
            tracker.check(start).is_empty(),
            "first sight starts the clock"
        );
        let almost = start + SETTLE - Duration::from_millis(1);
        assert!(tracker.check(almost).is_empty(), "not settled yet");
        assert_eq!(tracker.check(start + SETTLE), vec![path]);
        assert_eq!(
            tracker.pending(),
            0,
            "a handed-over file is no longer a candidate"
        );
        Ok(())
    }

    #[test]
    fn growth_restarts_the_settle_clock() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("scan.pdf");
        let mut file = fs::File::create(&path)?;
        file.write_all(b"page one")?;
        let mut tracker = Tracker::new(SETTLE);
        let start = Instant::now();
        tracker.touch(path.clone());
        assert!(tracker.check(start).is_empty());

        file.write_all(b"page two")?;
        let later = start + SETTLE;
        assert!(
            tracker.check(later).is_empty(),
            "it grew, so the clock starts again"
        );
        // The scanner is done and closes it (on Windows, a file open to write is never taken).
        drop(file);
        assert_eq!(tracker.check(later + SETTLE), vec![path]);
        Ok(())
    }

    #[test]
    fn the_same_version_is_handed_over_once_and_a_rewrite_again() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("scan.pdf");
        fs::write(&path, b"first")?;
        let mut tracker = Tracker::new(SETTLE);
        let start = Instant::now();
        tracker.touch(path.clone());
        tracker.check(start);
        assert_eq!(tracker.check(start + SETTLE), vec![path.clone()]);

        tracker.touch(path.clone());
        let unchanged = start + SETTLE * 3;
        assert!(
            tracker.check(unchanged).is_empty(),
            "same version, already handed over"
        );
        assert!(
            tracker.check(unchanged + SETTLE).is_empty(),
            "and still not"
        );

        fs::write(&path, b"second, longer")?;
        tracker.touch(path.clone());
        let rewritten = start + SETTLE * 5;
        tracker.check(rewritten);
        assert_eq!(tracker.check(rewritten + SETTLE), vec![path]);
        Ok(())
    }

    #[test]
    fn an_empty_file_is_dropped_until_something_points_at_it_again() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("scan.pdf");
        fs::write(&path, b"")?;
        let mut tracker = Tracker::new(SETTLE);
        let start = Instant::now();
        tracker.touch(path.clone());
        tracker.check(start);
        assert!(
            tracker.check(start + SETTLE).is_empty(),
            "empty files are never handed over"
        );
        assert_eq!(
            tracker.pending(),
            0,
            "an empty file does not stay a candidate"
        );

        fs::write(&path, b"content")?;
        tracker.touch(path.clone());
        let later = start + SETTLE * 2;
        tracker.check(later);
        assert_eq!(tracker.check(later + SETTLE), vec![path]);
        Ok(())
    }

    #[test]
    fn a_listing_forgets_files_that_went_away() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("scan.pdf");
        fs::write(&path, b"content")?;
        let mut tracker = Tracker::new(SETTLE);
        let start = Instant::now();
        tracker.listed(HashSet::from([path.clone()]));
        tracker.check(start);
        assert_eq!(tracker.check(start + SETTLE), vec![path.clone()]);

        tracker.listed(HashSet::new());
        tracker.listed(HashSet::from([path.clone()]));
        let later = start + SETTLE * 2;
        tracker.check(later);
        assert_eq!(
            tracker.check(later + SETTLE),
            vec![path],
            "a file that left and came back (same version) is new to the inbox"
        );
        Ok(())
    }

    #[test]
    fn folders_and_vanished_paths_are_dropped() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let folder = dir.path().join("sent");
        fs::create_dir(&folder)?;
        let mut tracker = Tracker::new(SETTLE);
        tracker.touch(folder);
        tracker.touch(dir.path().join("gone.pdf"));
        assert!(tracker.check(Instant::now()).is_empty());
        assert_eq!(tracker.pending(), 0, "neither can ever become ready");
        Ok(())
    }
}
