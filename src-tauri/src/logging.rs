//! The app's log: a file in the platform's log folder, a new one each day, a week of them kept.
//!
//! The folder is readable by its owner only (0700 on Unix) and so are the files (0600). The file
//! gets `info` and above unless `DECODA_LOG` asks for more. Nothing at those levels
//! holds a patient's name or a file's name (those are logged at `debug` at most), and the key is
//! never logged at all. The last warnings and errors are also kept in memory for "Copy
//! diagnostics".

use std::{
    collections::VecDeque,
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicI64, Ordering},
        Arc, Mutex,
    },
};
use tracing::{field::Field, Event, Level, Subscriber};
use tracing_appender::rolling::{RollingFileAppender, RollingWriter, Rotation};
use tracing_subscriber::{
    filter::Targets,
    fmt::MakeWriter,
    layer::{Context, SubscriberExt},
    util::SubscriberInitExt,
    Layer,
};

/// How many days of log files are kept.
pub const KEPT_LOG_FILES: usize = 7;
/// What the log file records unless `DECODA_LOG` says otherwise.
const FILE_LEVELS: &str = "warn,decoda_uploader_lib=info,decoda_engine=info,decoda_store=info,decoda_inbox=info,decoda_settings=info,decoda_api=info";

/// How many recent warnings and errors "Copy diagnostics" includes.
const RECENT: usize = 20;

/// `DECODA_LOG_DIR` if set, else the platform's place for logs: `~/.local/state/decoda-uploader/logs`
/// on Linux, `~/Library/Logs/Decoda Uploader` on macOS, `%LOCALAPPDATA%\decodahealth\decoda-uploader\data\logs` on Windows.
pub fn default_log_dir(env_override: Option<String>) -> Option<PathBuf> {
    if let Some(dir) = env_override.filter(|d| !d.trim().is_empty()) {
        return Some(PathBuf::from(dir));
    }
    if cfg!(target_os = "macos") {
        return directories::BaseDirs::new()
            .map(|b| b.home_dir().join("Library/Logs/Decoda Uploader"));
    }
    let dirs = directories::ProjectDirs::from("com", "decodahealth", "decoda-uploader")?;
    Some(
        dirs.state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .join("logs"),
    )
}

/// The last warnings and errors, newest last, for a support ticket.
#[derive(Debug, Clone, Default)]
pub struct RecentProblems(Arc<Mutex<VecDeque<String>>>);

impl RecentProblems {
    /// A copy of what is kept.
    pub fn lines(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }

    fn push(&self, line: String) {
        let mut lines = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if lines.len() == RECENT {
            lines.pop_front();
        }
        lines.push_back(line);
    }
}

impl<S: Subscriber> Layer<S> for RecentProblems {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let level = *event.metadata().level();
        // Only the app's own warnings: their wording is ours, and holds no names.
        if level > Level::WARN || !event.metadata().target().starts_with("decoda") {
            return;
        }
        let mut message = String::new();
        event.record(&mut |field: &Field, value: &dyn std::fmt::Debug| {
            if field.name() == "message" {
                message = format!("{value:?}");
            }
        });
        let now = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC");
        self.push(format!("{now} {level} {message}"));
    }
}

/// Where logging went.
#[derive(Debug, Clone, Default)]
pub struct LogInfo {
    /// The log folder, when the file could be opened.
    pub dir: Option<PathBuf>,
    /// Recent warnings and errors.
    pub recent: RecentProblems,
}

/// Starts logging to the log folder and standard error. A log folder that cannot be created
/// leaves the app running with standard error only.
pub fn init(dir: Option<PathBuf>) -> LogInfo {
    let recent = RecentProblems::default();
    // The app's own crates at `info`, everything else (web view, D-Bus, HTTP) at `warn` only.
    let filter = || {
        levels(std::env::var("DECODA_LOG").ok().as_deref())
            .unwrap_or_else(|| levels(Some(FILE_LEVELS)).unwrap_or_default())
    };
    let file = dir.as_ref().and_then(|d| match appender(d) {
        Ok(file) => Some(file),
        Err(e) => {
            eprintln!("Decoda Uploader: no log file in {}: {e}", d.display());
            None
        }
    });
    let dir = file.as_ref().and(dir);
    let file_layer = file.map(|writer| {
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_target(false)
            .with_writer(writer)
            .with_filter(filter())
    });
    let stderr_layer = tracing_subscriber::fmt::layer()
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_filter(Targets::new().with_default(Level::WARN));
    let _ = tracing_subscriber::registry()
        .with(file_layer)
        .with(stderr_layer)
        .with(recent.clone())
        .try_init();
    LogInfo { dir, recent }
}

/// Levels per crate, as in `DECODA_LOG=warn,decoda_engine=debug` (a plain list of targets, no
/// regular expressions: that parser would add half a megabyte to the installer).
fn levels(spec: Option<&str>) -> Option<Targets> {
    spec?.parse().ok()
}

/// The log files' names: `decoda-uploader.YYYY-MM-DD.log` (the date in UTC, as the appender
/// names them).
const PREFIX: &str = "decoda-uploader";
const SUFFIX: &str = "log";

/// The daily file appender, in a folder only this user account can open, writing files only it
/// can read (log lines can name files at `debug`, and the computer may be shared with other staff).
pub fn appender(dir: &Path) -> std::io::Result<PrivateAppender> {
    private_dir(dir)?;
    // Before the appender opens today's file, so that it opens a private one.
    let today = prepare_today(dir);
    let inner = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(PREFIX)
        .filename_suffix(SUFFIX)
        .max_log_files(KEPT_LOG_FILES)
        .build(dir)
        .map_err(std::io::Error::other)?;
    Ok(PrivateAppender {
        inner,
        dir: dir.to_owned(),
        prepared_day: AtomicI64::new(today),
    })
}

/// The daily appender, which creates its files with the default mode (0644 under a usual umask),
/// made private: each day's file is created 0600 before the appender opens it (it then keeps
/// that mode), and files left more open (by an older version, or a rollover racing midnight) are
/// tightened once a day.
#[derive(Debug)]
pub struct PrivateAppender {
    inner: RollingFileAppender,
    dir: PathBuf,
    /// The UTC day (days since 1970) whose file was last prepared.
    prepared_day: AtomicI64,
}

impl<'a> MakeWriter<'a> for PrivateAppender {
    type Writer = RollingWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        if self.prepared_day.load(Ordering::Acquire) != utc_day(chrono::Utc::now()) {
            self.prepared_day
                .store(prepare_today(&self.dir), Ordering::Release);
        }
        self.inner.make_writer()
    }
}

/// The UTC day (days since 1970) of `at`: the appender starts a new file when it changes.
fn utc_day(at: chrono::DateTime<chrono::Utc>) -> i64 {
    at.timestamp().div_euclid(24 * 60 * 60)
}

/// Creates today's file owner-only, tightens the folder's other log files, and returns the day.
/// A failure is not fatal: the line is still logged, in a folder only the owner can open.
fn prepare_today(dir: &Path) -> i64 {
    let now = chrono::Utc::now();
    let today = dir.join(format!("{PREFIX}.{}.{SUFFIX}", now.format("%Y-%m-%d")));
    let _ = private_file(&today);
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(PREFIX) && name.ends_with(SUFFIX) {
                let _ = tighten(&entry.path(), 0o600);
            }
        }
    }
    utc_day(now)
}

/// Creates the log folder (and missing parents) 0700 on Unix, and tightens it if it exists.
fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    tighten(dir, 0o700)
}

/// Creates an empty log file 0600 on Unix (an existing one is left to [`tighten`]).
fn private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(drop)
}

/// Sets `mode` on Unix when the file or folder allows more than that (elsewhere the per-user
/// folder's own access rules apply).
fn tighten(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let now = std::fs::metadata(path)?.permissions().mode() & 0o777;
        if now & !mode != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_gets_info_and_up_and_recent_problems_are_kept_without_debug_detail() {
        let dir = tempfile::tempdir().unwrap();
        let recent = RecentProblems::default();
        let subscriber = tracing_subscriber::registry()
            .with(
                tracing_subscriber::fmt::layer()
                    .with_ansi(false)
                    .with_writer(appender(dir.path()).unwrap())
                    .with_filter(Targets::new().with_default(Level::INFO)),
            )
            .with(recent.clone());
        tracing::subscriber::with_default(subscriber, || {
            tracing::debug!("adding Maria Garcia scan.pdf");
            tracing::info!("upload finished: 3 sent, 0 failed");
            for i in 0..25 {
                tracing::warn!("the server did not answer ({i})");
            }
        });
        let logs: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(logs.len(), 1, "{logs:?}");
        let name = logs[0].file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with("decoda-uploader.") && name.ends_with(".log"),
            "{name}"
        );
        let text = std::fs::read_to_string(&logs[0]).unwrap();
        assert!(text.contains("upload finished: 3 sent"), "{text}");
        assert!(
            !text.contains("Maria") && !text.contains("scan.pdf"),
            "{text}"
        );
        let lines = recent.lines();
        assert_eq!(lines.len(), RECENT, "only the last {RECENT} are kept");
        assert!(
            lines[RECENT - 1].ends_with("WARN the server did not answer (24)"),
            "{lines:?}"
        );
        assert!(lines.iter().all(|l| !l.contains("upload finished")));
    }

    /// Tests run as root in CI, and root opens anything: what is checked is the mode.
    #[cfg(unix)]
    #[test]
    fn the_log_folder_and_its_files_are_private_to_their_owner() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let top = tempfile::tempdir().unwrap();
        let dir = top.path().join("logs");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let older = dir.join("decoda-uploader.2020-01-01.log");
        std::fs::write(&older, "an older version's log\n").unwrap();
        std::fs::set_permissions(&older, std::fs::Permissions::from_mode(0o644)).unwrap();
        let subscriber = tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(appender(&dir).unwrap()),
        );
        tracing::subscriber::with_default(subscriber, || tracing::warn!("written"));
        assert_eq!(mode(&dir), 0o700, "the log folder is its owner's only");
        let files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 2, "{files:?}");
        for file in files {
            assert_eq!(mode(&file), 0o600, "{} is its owner's only", file.display());
        }
    }

    #[test]
    fn log_levels_are_read_per_crate_and_a_bad_spec_falls_back() {
        let file = levels(Some(FILE_LEVELS)).unwrap();
        assert!(file.would_enable("decoda_engine::upload", &Level::INFO));
        assert!(!file.would_enable("hyper::client", &Level::INFO));
        assert!(levels(Some("decoda_engine=loud")).is_none());
        assert!(levels(None).is_none());
    }

    #[test]
    fn the_log_folder_can_be_chosen() {
        assert_eq!(
            default_log_dir(Some("/tmp/x".into())),
            Some(PathBuf::from("/tmp/x"))
        );
        let platform = default_log_dir(None).unwrap();
        assert!(platform.ends_with("logs") || platform.ends_with("Decoda Uploader"));
    }
}
