//! The running inbox: a notify watcher feeding a background thread that lists, checks and hands
//! over files.

use std::collections::HashSet;
use std::fmt;
use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use notify::{RecommendedWatcher, RecursiveMode, Watcher};
use tracing::{debug, info, warn};

use crate::config::InboxConfig;
use crate::error::{InboxError, Result};
use crate::names::is_ignored_name;
use crate::tracker::Tracker;

/// What the background thread receives.
enum Message {
    /// Something the operating system reported about the folder.
    Event(notify::Result<notify::Event>),
    /// The inbox is being dropped.
    Stop,
}

/// A watched scanner inbox.
///
/// Dropping it stops the watcher and waits for the background thread to finish, so no callback
/// runs after the drop returns (unless the drop happens inside the callback itself, where waiting
/// would never end; the thread then stops right after the callback returns).
pub struct Inbox {
    folder: PathBuf,
    /// `Option` only so `Drop` can stop it before joining the thread.
    watcher: Option<RecommendedWatcher>,
    stop: Sender<Message>,
    worker: Option<JoinHandle<()>>,
}

impl fmt::Debug for Inbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inbox")
            .field("folder", &self.folder)
            .finish_non_exhaustive()
    }
}

impl Inbox {
    /// Starts watching `config.folder` and calls `on_ready` with each file once it is fully
    /// written.
    ///
    /// Files already in the folder are reported too, once settled. Paths are the configured folder
    /// joined with the file's name. `on_ready` runs on the inbox's own thread, one file at a time;
    /// it should hand the path on quickly (a slow callback delays the next files, it loses none).
    /// A panic in it is caught and logged, and watching goes on.
    ///
    /// Errors: the folder is missing, is not a folder, cannot be read, or the operating system
    /// refused to watch it.
    pub fn watch(
        config: InboxConfig,
        on_ready: impl Fn(PathBuf) + Send + 'static,
    ) -> Result<Inbox> {
        check_folder(&config.folder)?;
        let (sender, receiver) = mpsc::channel();
        let watcher = start_watcher(&config.folder, sender.clone())?;
        let folder = config.folder.clone();
        let worker = Worker {
            tracker: Tracker::new(config.settle),
            folder: config.folder.clone(),
            tick: config.tick(),
            listing_interval: config.listing_interval(),
            listing_failed: false,
            on_ready,
        };
        let worker = thread::Builder::new()
            .name("decoda-inbox".into())
            .spawn(move || worker.run(&receiver))
            .map_err(|error| InboxError::WatchFailed {
                path: folder.clone(),
                reason: format!("the background thread could not start: {error}"),
            })?;
        Ok(Inbox {
            folder,
            watcher: Some(watcher),
            stop: sender,
            worker: Some(worker),
        })
    }

    /// The folder being watched, as configured.
    pub fn folder(&self) -> &Path {
        &self.folder
    }
}

impl Drop for Inbox {
    fn drop(&mut self) {
        // Stop the events first so nothing new arrives while the thread winds down.
        drop(self.watcher.take());
        let _ = self.stop.send(Message::Stop);
        let Some(worker) = self.worker.take() else {
            return;
        };
        if worker.thread().id() == thread::current().id() {
            return;
        }
        if worker.join().is_err() {
            warn!("scanner inbox: the background thread ended with a panic");
        }
    }
}

/// Fails early, with a message an IT person can act on, when the folder cannot be watched.
fn check_folder(folder: &Path) -> Result<()> {
    if folder.as_os_str().is_empty() {
        return Err(InboxError::NoFolderSet);
    }
    match fs::metadata(folder) {
        Ok(metadata) if metadata.is_dir() => {}
        Ok(_) => return Err(InboxError::NotAFolder(folder.to_path_buf())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(InboxError::FolderMissing(folder.to_path_buf()));
        }
        Err(source) => return Err(unreadable(folder, source)),
    }
    fs::read_dir(folder).map_err(|source| unreadable(folder, source))?;
    Ok(())
}

fn unreadable(folder: &Path, source: std::io::Error) -> InboxError {
    InboxError::FolderUnreadable {
        path: folder.to_path_buf(),
        source,
    }
}

/// Starts a non-recursive watch that forwards every event to the background thread.
fn start_watcher(folder: &Path, sender: Sender<Message>) -> Result<RecommendedWatcher> {
    let failed = |error: notify::Error| InboxError::WatchFailed {
        path: folder.to_path_buf(),
        reason: describe(&error),
    };
    let mut watcher = notify::recommended_watcher(move |event| {
        // Fails only once the thread has stopped, when events no longer matter.
        let _ = sender.send(Message::Event(event));
    })
    .map_err(failed)?;
    watcher
        .watch(folder, RecursiveMode::NonRecursive)
        .map_err(failed)?;
    Ok(watcher)
}

/// A notify error in plain words, without the paths its own message appends.
fn describe(error: &notify::Error) -> String {
    match &error.kind {
        notify::ErrorKind::MaxFilesWatch => "this computer's limit on watched folders is reached; \
             ask IT to raise it (on Linux: fs.inotify.max_user_watches) or close other programs \
             that watch folders"
            .into(),
        notify::ErrorKind::Io(error) => error.to_string(),
        notify::ErrorKind::Generic(message) => message.clone(),
        notify::ErrorKind::PathNotFound => "the folder was not found".into(),
        _ => "the operating system refused to watch it".into(),
    }
}

/// The background thread's state.
struct Worker<F> {
    folder: PathBuf,
    tracker: Tracker,
    tick: Duration,
    listing_interval: Duration,
    /// Whether the last listing failed, so a lasting outage is warned about once.
    listing_failed: bool,
    on_ready: F,
}

impl<F: Fn(PathBuf)> Worker<F> {
    /// Lists the folder, then handles events as they come and checks candidates every tick,
    /// listing again every `listing_interval` or when the watcher says events were lost.
    fn run(mut self, messages: &Receiver<Message>) {
        let mut next_check = Instant::now();
        let mut next_listing = next_check;
        loop {
            let now = Instant::now();
            if now >= next_check {
                if now >= next_listing {
                    self.list();
                    next_listing = now + self.listing_interval;
                }
                self.check();
                next_check = now + self.tick;
            }
            match messages.recv_timeout(next_check.saturating_duration_since(Instant::now())) {
                Ok(Message::Event(event)) => {
                    if self.on_event(event) {
                        next_listing = Instant::now();
                    }
                }
                Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                Err(RecvTimeoutError::Timeout) => {}
            }
        }
    }

    /// Makes the event's paths candidates. Returns whether a full listing is needed because
    /// events may have been lost.
    fn on_event(&mut self, event: notify::Result<notify::Event>) -> bool {
        match event {
            Ok(event) => {
                for path in &event.paths {
                    if let Some(path) = self.candidate_path(path) {
                        self.tracker.touch(path);
                    }
                }
                event.need_rescan()
            }
            Err(error) => {
                warn!("scanner inbox: the folder watcher reported a problem; listing the folder");
                debug!(%error, "scanner inbox: watcher error");
                true
            }
        }
    }

    /// The path to track for an event's path: a file directly in the inbox with a name that is
    /// not ignored, spelled as the configured folder plus the name.
    fn candidate_path(&self, path: &Path) -> Option<PathBuf> {
        if path == self.folder {
            return None;
        }
        let name = path.file_name()?;
        (!is_ignored_name(name)).then(|| self.folder.join(name))
    }

    /// Lists the folder: the fallback for shares that send no events, and how files already there
    /// at start are found.
    fn list(&mut self) {
        let entries = match fs::read_dir(&self.folder) {
            Ok(entries) => entries,
            Err(error) => {
                if !self.listing_failed {
                    warn!("scanner inbox: the folder cannot be listed; will keep trying");
                    debug!(%error, folder = %self.folder.display(), "scanner inbox: listing failed");
                }
                self.listing_failed = true;
                return;
            }
        };
        if self.listing_failed {
            info!("scanner inbox: the folder can be listed again");
            self.listing_failed = false;
        }
        let present: HashSet<PathBuf> = entries
            .filter_map(std::result::Result::ok)
            .filter(|entry| !entry.file_type().is_ok_and(|kind| kind.is_dir()))
            .filter(|entry| !is_ignored_name(&entry.file_name()))
            .map(|entry| self.folder.join(entry.file_name()))
            .collect();
        self.tracker.listed(present);
    }

    fn check(&mut self) {
        for path in self.tracker.check(Instant::now()) {
            self.hand_over(path);
        }
    }

    /// Calls the callback, containing a panic so one bad file cannot stop the inbox. Nothing of
    /// the inbox is borrowed mutably or locked during the call, so nothing can be left poisoned.
    fn hand_over(&self, path: PathBuf) {
        debug!(path = %path.display(), "scanner inbox: file is fully written");
        let on_ready = &self.on_ready;
        if panic::catch_unwind(AssertUnwindSafe(|| on_ready(path))).is_err() {
            warn!("scanner inbox: the code receiving a ready file panicked; still watching");
        }
    }
}
