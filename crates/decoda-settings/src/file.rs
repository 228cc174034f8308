//! The per-user settings file (TOML): server address, tenant, names encoding, limits.
//!
//! It holds nothing secret. A missing file means defaults; a broken one is an error that names the
//! file and the line, so that it can be fixed rather than silently ignored.

use crate::{Result, SettingsError};
use decoda_api::{NamesEncoding, ProxyUrl};
use decoda_engine::{Limits, RetryPolicy, Timeouts};
use serde::{Deserialize, Serialize};
use std::{
    io::Write,
    path::{Path, PathBuf},
};

/// One tebibyte, the largest size limit a file may set.
const TIB: u64 = 1 << 40;

/// The production API.
pub const DEFAULT_API_URL: &str = "https://api.decodahealth.com";

/// The contents of the settings file. Every field is optional in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SettingsFile {
    /// The API base URL; production when absent.
    pub api_url: Option<String>,
    /// The clinic's tenant.
    pub tenant: Option<String>,
    /// How `names`/`external_ids` are encoded (see the API notes).
    pub names_encoding: NamesEncoding,
    /// Size and batching limits.
    pub limits: Limits,
    /// Retry behaviour.
    pub retry: RetryPolicy,
    /// How long to wait on a stalled upload or for the server's answer.
    pub timeouts: Timeouts,
    /// Days the upload history is kept (default 365). The duplicate guard remembers uploads only as
    /// long as the history does.
    pub history_days: Option<u32>,
    /// Whether a history of uploads is kept at all (default yes). Without one, the duplicate
    /// guard cannot recognise a file sent before.
    pub keep_history: Option<bool>,
    /// The scanner inbox, if one is watched.
    pub inbox: Option<InboxSettings>,
    /// The network scanners (eSCL) this computer scans from.
    pub scanners: Option<ScannerSettings>,
    /// The proxy every request goes through (`http://proxy.clinic.local:3128`), except those for
    /// this computer. When absent, the system's proxy applies (`HTTPS_PROXY` and the like, and
    /// on Windows and macOS the system settings). Checked when the file is read; shown with any
    /// password hidden.
    pub proxy: Option<ProxyUrl>,
    /// Minutes without input after which the window clears the chosen patient, the results and
    /// the history (default 5, 1 to 60): an unattended screen shows no patient. Queued files stay,
    /// bound to their patient, and need a new confirmation.
    pub clear_patient_after_minutes: Option<u32>,
}

/// Network scanners, by address: IT lists the ones a workstation uses, so that `decoda scan`
/// (and, later, the window) needs no address typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScannerSettings {
    /// eSCL addresses, such as `http://192.168.1.40/eSCL`.
    pub addresses: Vec<String>,
}

/// A folder a scanner writes into, whose new files join the queue to wait for a patient.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InboxSettings {
    /// The watched folder.
    pub folder: Option<PathBuf>,
    /// Where a file goes once the server confirmed its upload; it stays in place when unset.
    pub sent_folder: Option<PathBuf>,
    /// Seconds a file's size must stay unchanged before it counts as fully written (default 2).
    pub settle_seconds: Option<u32>,
}

impl InboxSettings {
    /// The watched folder, when one is set.
    pub fn folder(&self) -> Option<&Path> {
        self.folder.as_deref().filter(|p| !p.as_os_str().is_empty())
    }

    /// The folder for confirmed files, when one is set.
    pub fn sent_folder(&self) -> Option<&Path> {
        self.sent_folder
            .as_deref()
            .filter(|p| !p.as_os_str().is_empty())
    }
}

/// Minutes without input before the window clears the chosen patient, when the file does not say.
pub const DEFAULT_CLEAR_PATIENT_MINUTES: u32 = 5;

/// The longest a chosen patient may stay on an unattended screen.
pub const MAX_CLEAR_PATIENT_MINUTES: u32 = 60;

/// How long the upload history is kept when the settings file does not say.
pub const DEFAULT_HISTORY_DAYS: u32 = 365;

/// The longest upload history that may be kept: ten years. Longer is a typo, and a number of days
/// reaching back before the calendar's start once made every start of the app panic.
pub const MAX_HISTORY_DAYS: u32 = 3650;

const MS_PER_HOUR: u64 = 60 * 60 * 1000;
const MS_PER_DAY: u64 = 24 * MS_PER_HOUR;

/// One numeric setting's value and the largest value it may have.
struct Bound {
    key: &'static str,
    value: u64,
    max: u64,
    unit: &'static str,
    /// The largest value in words, where the number alone is hard to read.
    max_in_words: Option<&'static str>,
}

impl SettingsFile {
    /// Days of upload history to keep: none when history is turned off, at most
    /// [`MAX_HISTORY_DAYS`].
    pub fn history_days(&self) -> u32 {
        if self.keep_history == Some(false) {
            return 0;
        }
        self.history_days
            .unwrap_or(DEFAULT_HISTORY_DAYS)
            .min(MAX_HISTORY_DAYS)
    }

    /// How long the window may go without input before it clears the chosen patient: at least a
    /// minute (zero would clear it while someone is reading it), at most an hour.
    pub fn clear_patient_after(&self) -> std::time::Duration {
        let minutes = self
            .clear_patient_after_minutes
            .unwrap_or(DEFAULT_CLEAR_PATIENT_MINUTES)
            .clamp(1, MAX_CLEAR_PATIENT_MINUTES);
        std::time::Duration::from_secs(u64::from(minutes) * 60)
    }

    /// The valid range of every numeric setting, checked whenever a file is read or edited. Each
    /// may be as small as zero; the largest values are:
    ///
    /// | setting | at most |
    /// |---|---|
    /// | `history_days` | 3650 (ten years) |
    /// | `clear_patient_after_minutes` | 60 (one hour; under one counts as one) |
    /// | `inbox.settle_seconds` | 3600 (one hour) |
    /// | `retry.max_attempts` | 20 |
    /// | `retry.initial_delay`, `retry.max_delay` (ms) | 3 600 000 (one hour) |
    /// | `retry.max_rate_limit_wait` (ms) | 86 400 000 (one day) |
    /// | `timeouts.stall`, `timeouts.answer` (ms) | 86 400 000 (one day) |
    /// | `limits.max_files_per_request` | 1000 |
    /// | `limits.parallel_requests` | 16 |
    /// | `limits.max_file_bytes`, `limits.max_bytes_per_request` | 1 TiB |
    ///
    /// Larger values are typos (or a unit mistaken), and some would once have overflowed the
    /// date and time arithmetic that uses them.
    fn bounds(&self) -> [Bound; 13] {
        let ms = |d: std::time::Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        let bound = |key, value, max, unit, max_in_words| Bound {
            key,
            value,
            max,
            unit,
            max_in_words,
        };
        let (retry, timeouts, limits) = (&self.retry, &self.timeouts, &self.limits);
        [
            bound(
                "clear_patient_after_minutes",
                self.clear_patient_after_minutes.map_or(0, u64::from),
                u64::from(MAX_CLEAR_PATIENT_MINUTES),
                "minutes",
                Some("one hour"),
            ),
            bound(
                "history_days",
                self.history_days.map_or(0, u64::from),
                u64::from(MAX_HISTORY_DAYS),
                "days",
                Some("ten years"),
            ),
            bound(
                "inbox.settle_seconds",
                self.inbox
                    .as_ref()
                    .and_then(|i| i.settle_seconds)
                    .map_or(0, u64::from),
                3600,
                "seconds",
                Some("one hour"),
            ),
            bound(
                "retry.max_attempts",
                u64::from(retry.max_attempts),
                20,
                "tries",
                None,
            ),
            bound(
                "retry.initial_delay",
                ms(retry.initial_delay),
                MS_PER_HOUR,
                "ms",
                Some("one hour"),
            ),
            bound(
                "retry.max_delay",
                ms(retry.max_delay),
                MS_PER_HOUR,
                "ms",
                Some("one hour"),
            ),
            bound(
                "retry.max_rate_limit_wait",
                ms(retry.max_rate_limit_wait),
                MS_PER_DAY,
                "ms",
                Some("one day"),
            ),
            bound(
                "timeouts.stall",
                ms(timeouts.stall),
                MS_PER_DAY,
                "ms",
                Some("one day"),
            ),
            bound(
                "timeouts.answer",
                ms(timeouts.answer),
                MS_PER_DAY,
                "ms",
                Some("one day"),
            ),
            bound(
                "limits.max_files_per_request",
                count(limits.max_files_per_request),
                1000,
                "files",
                None,
            ),
            bound(
                "limits.parallel_requests",
                count(limits.parallel_requests),
                16,
                "requests",
                None,
            ),
            bound(
                "limits.max_file_bytes",
                limits.max_file_bytes,
                TIB,
                "bytes",
                Some("1 TiB"),
            ),
            bound(
                "limits.max_bytes_per_request",
                limits.max_bytes_per_request,
                TIB,
                "bytes",
                Some("1 TiB"),
            ),
        ]
    }

    /// The first numeric setting outside its range (see [`Self::bounds`]), as a sentence.
    fn out_of_range(&self) -> Option<String> {
        self.bounds().into_iter().find(|b| b.value > b.max).map(|b| {
            let words = b.max_in_words.map(|w| format!(" ({w})")).unwrap_or_default();
            format!(
                "`{}` is {} {}, but it can be at most {} {}{words}; lower it, or remove it to use the default",
                b.key, b.value, b.unit, b.max, b.unit
            )
        })
    }

    /// The network scanners' addresses, without blanks.
    pub fn scanner_addresses(&self) -> Vec<String> {
        self.scanners
            .iter()
            .flat_map(|s| &s.addresses)
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty())
            .collect()
    }

    /// The scanner inbox settings (empty when none are set).
    pub fn inbox(&self) -> InboxSettings {
        self.inbox.clone().unwrap_or_default()
    }

    /// Why the scanner inbox these settings describe must not be watched, if it must not. The
    /// settings screen checks what a user types; this also covers what IT or a user wrote in a
    /// file. A scan left in the inbox after its upload is recognised by the sent folder (it is
    /// moved away) or by the upload history; with neither, it would come back as new.
    pub fn inbox_problem(&self) -> Option<String> {
        let inbox = self.inbox();
        let folder = inbox.folder()?;
        if !folder.is_absolute() {
            return Some(format!(
                "the scanner inbox folder must be a full path, not \"{}\"",
                folder.display()
            ));
        }
        match inbox.sent_folder() {
            Some(sent) if !sent.is_absolute() => Some(format!(
                "the sent folder must be a full path, not \"{}\"",
                sent.display()
            )),
            Some(sent) if same_folder(sent, folder) => {
                Some("the sent folder must not be the scanner inbox folder itself".into())
            }
            None if self.history_days() == 0 => Some(
                "the scanner inbox needs a sent folder while the upload history is off: \
                 otherwise a scan already sent would be listed again as new"
                    .into(),
            ),
            _ => None,
        }
    }
}

/// Whether two paths name the same folder, however they are spelled (when both exist).
fn same_folder(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// `DECODA_CONFIG` if set, else `settings.toml` in the platform's config folder.
pub fn default_settings_path(env_override: Option<String>) -> Result<PathBuf> {
    if let Some(path) = env_override.filter(|p| !p.trim().is_empty()) {
        return Ok(PathBuf::from(path));
    }
    directories::ProjectDirs::from("com", "decodahealth", "decoda-uploader")
        .map(|dirs| dirs.config_dir().join("settings.toml"))
        .ok_or(SettingsError::NoSettingsFolder)
}

impl SettingsFile {
    /// Reads one file alone (no system layer); a missing file gives the defaults.
    pub fn load(path: &Path) -> Result<Self> {
        match crate::fleet::read_table(path)? {
            Some(table) => Self::from_table(table, path),
            None => Ok(Self::default()),
        }
    }

    /// The settings in a parsed table; `path` names the file in errors.
    pub(crate) fn from_table(table: toml::Table, path: &Path) -> Result<Self> {
        let invalid = |reason| SettingsError::Invalid {
            path: path.to_path_buf(),
            reason,
        };
        let file = Self::deserialize(table).map_err(|e| invalid(crate::fleet::one_line(&e)))?;
        match file.out_of_range() {
            Some(reason) => Err(invalid(reason)),
            None => Ok(file),
        }
    }
}

/// A change to one top-level key of the user's settings file.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Set the key to this value.
    Set(&'static str, toml::Value),
    /// Remove the key (the system file's value or the default applies again).
    Remove(&'static str),
}

/// Applies `edits` to the user's settings file and leaves every other key as it was. This is the
/// only way the app and `decoda login` write it: a whole file would pin every default over the
/// system file's values. The result is checked before it is written, so an edit can never leave
/// a file the app cannot read, and written atomically: a crash leaves the old file or the new.
pub fn edit_user_file(path: &Path, edits: &[Edit]) -> Result<SettingsFile> {
    let mut table = crate::fleet::read_table(path)?.unwrap_or_default();
    for edit in edits {
        match edit {
            Edit::Set(key, value) => {
                table.insert((*key).to_owned(), value.clone());
            }
            Edit::Remove(key) => {
                table.remove(*key);
            }
        }
    }
    let settings = SettingsFile::from_table(table.clone(), path)?;
    let text = toml::to_string_pretty(&table).map_err(|e| write_error(path, &e))?;
    write_atomically(path, &text)?;
    Ok(settings)
}

fn write_error(path: &Path, e: &dyn std::fmt::Display) -> SettingsError {
    SettingsError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| write_error(path, &e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| write_error(path, &e))?;
    tmp.write_all(text.as_bytes())
        .map_err(|e| write_error(path, &e))?;
    tmp.persist(path).map_err(|e| write_error(path, &e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inbox_that_would_relist_sent_scans_or_move_them_nowhere_is_refused() {
        let abs = |p: &str| std::env::temp_dir().join(p);
        let with =
            |folder: PathBuf, sent: Option<PathBuf>, keep_history: Option<bool>| SettingsFile {
                inbox: Some(InboxSettings {
                    folder: Some(folder),
                    sent_folder: sent,
                    settle_seconds: None,
                }),
                keep_history,
                ..SettingsFile::default()
            };
        assert_eq!(
            SettingsFile::default().inbox_problem(),
            None,
            "no inbox, no problem"
        );
        assert_eq!(with(abs("in"), None, None).inbox_problem(), None);
        assert_eq!(
            with(abs("in"), Some(abs("sent")), Some(false)).inbox_problem(),
            None
        );
        let problems = [
            with("scans".into(), None, None),
            with(abs("in"), Some("sent".into()), None),
            with(abs("in"), Some(abs("in")), None),
            with(abs("in"), None, Some(false)),
        ]
        .map(|s| s.inbox_problem().expect("refused"));
        assert!(problems[0].contains("full path"), "{}", problems[0]);
        assert!(
            problems[1].contains("sent folder must be a full path"),
            "{}",
            problems[1]
        );
        assert!(
            problems[2].contains("must not be the scanner inbox"),
            "{}",
            problems[2]
        );
        assert!(problems[3].contains("history is off"), "{}", problems[3]);

        // The same folder spelled another way is still the same folder.
        let dir = tempfile::tempdir().unwrap();
        let inbox = dir.path().join("in");
        std::fs::create_dir(&inbox).unwrap();
        let detour = dir.path().join("in").join("..").join("in");
        let same = with(inbox, Some(detour), None).inbox_problem();
        assert!(same.is_some_and(|p| p.contains("must not be the scanner inbox")));
    }

    #[test]
    fn missing_file_is_defaults_and_round_trip_keeps_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/settings.toml");
        assert_eq!(SettingsFile::load(&path).unwrap(), SettingsFile::default());
        let mut s = SettingsFile {
            tenant: Some("clinic".into()),
            names_encoding: NamesEncoding::Comma,
            proxy: Some(ProxyUrl::parse("http://clinic:pa%40ss@proxy.clinic.local:3128").unwrap()),
            ..SettingsFile::default()
        };
        s.limits.max_files_per_request = 7;
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, toml::to_string_pretty(&s).unwrap()).unwrap();
        assert_eq!(SettingsFile::load(&path).unwrap(), s);
    }

    #[test]
    fn edits_touch_only_their_keys_and_are_checked_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, "history_days = 30\n[retry]\nmax_attempts = 2\n").unwrap();
        edit_user_file(
            &path,
            &[
                Edit::Set("tenant", "clinic".into()),
                Edit::Remove("history_days"),
            ],
        )
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("tenant = \"clinic\""), "{text}");
        assert!(text.contains("max_attempts = 2"), "{text}");
        assert!(
            !text.contains("history_days") && !text.contains("[limits]"),
            "no defaults are written: {text}"
        );
        let bad = edit_user_file(&path, &[Edit::Set("tenant", 3.into())]);
        assert!(bad.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "unchanged");
    }

    #[test]
    fn a_syntax_error_names_the_line_but_never_repeats_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, "tenant = \"a\"\napi_key = sk_live_canary\n").unwrap();
        let err = SettingsFile::load(&path).unwrap_err().to_string();
        assert!(err.contains("line 2"), "{err}");
        assert!(!err.contains("sk_live_canary"), "{err}");
    }

    #[test]
    fn numbers_too_large_for_a_setting_are_refused_with_the_setting_and_its_range() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        let cases = [
            (
                "history_days = 4294967295\n",
                "`history_days` is 4294967295 days",
                "3650 days (ten years)",
            ),
            (
                "[timeouts]\nanswer = 9223372036854775807\n",
                "`timeouts.answer`",
                "86400000 ms (one day)",
            ),
            (
                "[timeouts]\nstall = 86400001\n",
                "`timeouts.stall`",
                "one day",
            ),
            (
                "[retry]\nmax_rate_limit_wait = 9999999999999\n",
                "`retry.max_rate_limit_wait`",
                "one day",
            ),
            (
                "[retry]\nmax_delay = 9223372036854775807\n",
                "`retry.max_delay`",
                "one hour",
            ),
            (
                "[retry]\ninitial_delay = 3600001\n",
                "`retry.initial_delay`",
                "one hour",
            ),
            (
                "[retry]\nmax_attempts = 4294967295\n",
                "`retry.max_attempts`",
                "at most 20 tries",
            ),
            (
                "[inbox]\nsettle_seconds = 4294967295\n",
                "`inbox.settle_seconds`",
                "one hour",
            ),
            (
                "[limits]\nparallel_requests = 1000000\n",
                "`limits.parallel_requests`",
                "at most 16",
            ),
            (
                "[limits]\nmax_files_per_request = 1001\n",
                "`limits.max_files_per_request`",
                "at most 1000",
            ),
            (
                "[limits]\nmax_file_bytes = 9223372036854775807\n",
                "`limits.max_file_bytes`",
                "1 TiB",
            ),
        ];
        for (text, names, range) in cases {
            std::fs::write(&path, text).unwrap();
            let err = SettingsFile::load(&path).unwrap_err();
            assert!(
                matches!(err, SettingsError::Invalid { .. }),
                "{text}: refused as invalid, not a panic: {err:?}"
            );
            let err = err.to_string();
            assert!(err.contains(names) && err.contains(range), "{text}: {err}");
        }
        std::fs::write(
            &path,
            "history_days = 3650\n[timeouts]\nanswer = 86400000\n[retry]\nmax_attempts = 20\n",
        )
        .unwrap();
        let at_the_limit = SettingsFile::load(&path).unwrap();
        assert_eq!(at_the_limit.history_days(), MAX_HISTORY_DAYS);

        let edited = edit_user_file(
            &path,
            &[Edit::Set("history_days", 4_294_967_295_i64.into())],
        );
        assert!(edited.is_err(), "an edit cannot save a value out of range");
        assert!(
            std::fs::read_to_string(&path).unwrap().contains("3650"),
            "unchanged"
        );
    }

    #[test]
    fn history_days_built_in_code_is_still_bounded() {
        let file = SettingsFile {
            history_days: Some(u32::MAX),
            ..SettingsFile::default()
        };
        assert_eq!(file.history_days(), MAX_HISTORY_DAYS);
    }

    #[test]
    fn a_broken_file_names_the_problem() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, "tenant = 3\n").unwrap();
        let err = SettingsFile::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("settings.toml") && err.contains("tenant"),
            "{err}"
        );
        std::fs::write(&path, "api_key = \"x\"\n").unwrap();
        assert!(
            SettingsFile::load(&path).is_err(),
            "a key in the file is refused, not ignored"
        );
    }
}
