//! The scanner inbox in the app: files a scanner writes into the watched folder join the queue
//! once fully written, marked as coming from the inbox, and wait there like any other file until
//! a person chooses the patient and presses Upload (which sends only the files listed then).
//!
//! A scan whose content this computer already uploaded (it was not moved aside, and the app
//! restarted) comes back marked "already uploaded", never as ready for whoever is chosen next;
//! one whose earlier upload did not finish comes back bound to that upload's patient; and one
//! whose past cannot be told (the history cannot be read, or, without a sent folder, the scan is
//! older than the history kept) is held until a person says it is new.
//! After the server confirms a scan is in the chart, it is moved to the "sent" folder when one is
//! set, and only if it is still the file that was listed; nothing else is ever moved or deleted.
//! A scanned stack split at its cover sheets is listed as its parts, never whole; it goes to the
//! sent folder once every part is in the chart, and stays in the inbox otherwise.

use crate::{
    commands::{
        files::{check, QUEUE_CHANGED},
        stacks,
    },
    state::AppState,
};
use decoda_core::scans::{history_horizon, look_up_scan, to_look_up, ScanRecord};
use decoda_inbox::{Inbox, InboxConfig};
use std::{collections::HashMap, path::PathBuf, time::Duration};
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// The event the window listens to, to show or clear the inbox's status line.
pub const INBOX_CHANGED: &str = "inbox-changed";

/// Scanners write in bursts; less than a second of quiet is not proof that a scan is complete.
const MIN_SETTLE: Duration = Duration::from_secs(1);

/// How often adding a batch is tried before the problem is shown.
const ADD_ATTEMPTS: u32 = 3;

/// How often a scanner inbox that cannot be watched is tried again.
const RETRY_EVERY: Duration = Duration::from_secs(30);

/// Starts watching (see [`restart`]) and, for as long as the app runs, tries again every
/// [`RETRY_EVERY`] while the folder cannot be watched: a network share mounted after the app
/// started, or a folder created later, is picked up without a restart.
pub fn watch_and_keep_trying<R: Runtime>(app: &AppHandle<R>) {
    restart(app);
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(RETRY_EVERY).await;
            let again = app.clone();
            let _ = tauri::async_runtime::spawn_blocking(move || retry_if_waiting(&again)).await;
        }
    });
}

/// Tries the inbox again if one is configured but not watched; returns whether it tried.
pub fn retry_if_waiting<R: Runtime>(app: &AppHandle<R>) -> bool {
    start_watching(app, Only::IfWaiting).is_some()
}

/// (Re)starts watching the folder the settings name, or stops when none is set. Returns why
/// the folder cannot be watched, if it cannot; the reason is also kept for the settings screen.
pub fn restart<R: Runtime>(app: &AppHandle<R>) -> Option<String> {
    start_watching(app, Only::Always).flatten()
}

/// When [`start_watching`] acts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Only {
    Always,
    /// Only if an inbox is configured but not watched (decided under the same lock as the swap,
    /// so a retry never replaces a watcher a settings save has just started).
    IfWaiting,
}

/// The swap behind [`restart`]: `None` when it did nothing, else the problem, if any.
fn start_watching<R: Runtime>(app: &AppHandle<R>, only: Only) -> Option<Option<String>> {
    let state = app.state::<AppState>();
    // One lock for the whole swap: the old watcher stops before the new one starts, so no two
    // watchers ever add the same file.
    let mut slot = state.inbox();
    if only == Only::IfWaiting && (slot.is_some() || state.inbox_problem().is_none()) {
        return None;
    }
    slot.take();
    let problem = match state.settings() {
        Ok(settings) => match settings
            .effective
            .inbox_problem()
            .map_or_else(|| start(app, &settings.effective.inbox()), Err)
        {
            Ok(inbox) => {
                *slot = inbox;
                None
            }
            Err(problem) => Some(problem),
        },
        Err(e) => Some(format!("the scanner inbox settings cannot be read: {e}")),
    };
    drop(slot);
    set_problem(app, problem.clone());
    Some(problem)
}

/// Keeps the reason for the settings screen and tells the window, when it changed (the retries
/// find the same problem every time: it is logged and shown once).
fn set_problem<R: Runtime>(app: &AppHandle<R>, problem: Option<String>) {
    let state = app.state::<AppState>();
    let mut current = state.inbox_problem();
    if *current == problem {
        return;
    }
    if problem.is_some() {
        tracing::warn!("the scanner inbox is not watched (see the settings screen)");
    }
    *current = problem;
    drop(current);
    let _ = app.emit(INBOX_CHANGED, ());
}

fn start<R: Runtime>(
    app: &AppHandle<R>,
    settings: &decoda_settings::InboxSettings,
) -> Result<Option<Inbox>, String> {
    let Some(folder) = settings.folder() else {
        return Ok(None);
    };
    let mut config = InboxConfig::new(folder.to_path_buf());
    if let Some(seconds) = settings.settle_seconds {
        config.settle = Duration::from_secs(u64::from(seconds)).max(MIN_SETTLE);
    }
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<PathBuf>();
    let inbox = Inbox::watch(config, move |path| {
        let _ = tx.send(path);
    })
    .map_err(|e| e.to_string())?;
    tauri::async_runtime::spawn(feed_queue(app.clone(), rx));
    tracing::info!("scanner inbox watched");
    Ok(Some(inbox))
}

/// Adds ready files to the queue, as many at a time as have arrived (a bulk drop of scans is one
/// addition, not hundreds). Ends when the watcher stops.
async fn feed_queue<R: Runtime>(
    app: AppHandle<R>,
    mut rx: tokio::sync::mpsc::UnboundedReceiver<PathBuf>,
) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while let Ok(more) = rx.try_recv() {
            batch.push(more);
        }
        add_with_retries(&app, batch).await;
    }
}

/// The watcher hands each file over once; a batch that cannot be added is tried again, then
/// reported on screen rather than dropped silently.
async fn add_with_retries<R: Runtime>(app: &AppHandle<R>, batch: Vec<PathBuf>) {
    let count = batch.len();
    for attempt in 1..=ADD_ATTEMPTS {
        match add(app, batch.clone()).await {
            Ok(added) => {
                tracing::info!("scanner inbox: {added} of {count} files added");
                return;
            }
            Err(e) if attempt < ADD_ATTEMPTS => {
                tracing::warn!(
                    "scanner inbox files could not be added ({}); trying again",
                    e.kind()
                );
                tokio::time::sleep(Duration::from_secs(u64::from(attempt))).await;
            }
            Err(e) => {
                tracing::warn!("scanner inbox files could not be added: {}", e.kind());
                set_problem(
                    app,
                    Some(format!(
                        "{count} new scan(s) could not be added to the list ({e}); restart the app to try again"
                    )),
                );
            }
        }
    }
}

/// Checks the files, looks each up in the upload history, and adds them: a scan uploaded before
/// goes in as "already uploaded", in the same step, so it is never listed as ready.
///
/// A new scanned stack with patient cover sheets is listed as its parts instead
/// ([`crate::commands::stacks`]), each looked up too (a part sent before, from this stack read
/// again after a restart, is "already uploaded"); the stack stays in the inbox, and goes to the
/// sent folder once every part is in the chart. The other scans are listed first.
async fn add<R: Runtime>(app: &AppHandle<R>, batch: Vec<PathBuf>) -> crate::error::UiResult<usize> {
    let mut checked = check(app, batch).await?;
    let known = look_up_off_thread(app, to_look_up(&checked)).await;
    let state = app.state::<AppState>();
    // A stack with a past (sent whole before, an unfinished upload, one that cannot be told) is
    // listed whole as before, with that past.
    let candidates = stacks::take_candidates(&mut checked, |path| {
        matches!(known.get(path), Some(ScanRecord::New(_)))
    });
    let mut added = state.queue().add_scans(checked, &known).len();
    let _ = app.emit(QUEUE_CHANGED, ());
    if candidates.is_empty() {
        return Ok(added);
    }
    let (whole, mut split) = stacks::split_files(app, candidates).await;
    let parts_known = look_up_off_thread(
        app,
        split
            .iter()
            .flat_map(|file| to_look_up_parts(&file.saved.parts))
            .collect(),
    )
    .await;
    let mut parts = 0;
    {
        let mut queue = state.queue();
        added += queue.add_scans(whole, &known).len();
        for file in &mut split {
            let listed = std::mem::take(&mut file.saved.parts);
            let paths: Vec<PathBuf> = listed.iter().map(|(item, _)| item.path.clone()).collect();
            parts += queue.add_parts(listed, &parts_known).len();
            queue.split_from_inbox(&file.path, &paths);
        }
    }
    let _ = app.emit(QUEUE_CHANGED, ());
    stacks::announce(app, &split, parts);
    Ok(added + parts)
}

fn to_look_up_parts(
    parts: &[(
        decoda_engine::IntakeItem,
        Option<decoda_core::waiting::CoverProposal>,
    )],
) -> Vec<PathBuf> {
    parts
        .iter()
        .filter(|(item, _)| item.result.is_ok())
        .map(|(item, _)| item.path.clone())
        .collect()
}

/// [`look_up`], off the async threads (it hashes each file).
async fn look_up_off_thread<R: Runtime>(
    app: &AppHandle<R>,
    paths: Vec<PathBuf>,
) -> HashMap<PathBuf, ScanRecord> {
    if paths.is_empty() {
        return HashMap::new();
    }
    let store_state = app.clone();
    let to_hash = paths.clone();
    tauri::async_runtime::spawn_blocking(move || {
        look_up(&store_state.state::<AppState>(), &to_hash)
    })
    .await
    .unwrap_or_else(|e| {
        let why = format!("the check stopped unexpectedly: {e}");
        paths
            .into_iter()
            .map(|p| (p, ScanRecord::Unknown(why.clone(), None)))
            .collect()
    })
}

/// Hashes each of `paths` and looks its content up in the upload history and among unfinished
/// uploads, as the upload core says (`decoda_core::scans`).
fn look_up(state: &AppState, paths: &[PathBuf]) -> HashMap<PathBuf, ScanRecord> {
    let records = state.store().and_then(|store| {
        let unfinished = store.abandoned()?;
        let settings = state.settings()?.effective;
        let days = settings.history_days();
        let horizon = history_horizon(days, settings.inbox().sent_folder().is_some());
        Ok((store, unfinished, horizon, days))
    });
    paths
        .iter()
        .map(|path| {
            let lookup = match &records {
                Err(e) => ScanRecord::Unknown(e.to_string(), None),
                Ok((store, unfinished, horizon, days)) => {
                    look_up_scan(store, unfinished, *horizon, *days, path)
                }
            };
            (path.clone(), lookup)
        })
        .collect()
}

/// Moves each confirmed scan among `ids` to the sent folder, if one is set, and notes the new
/// place on the row, as the upload core says which scans go
/// ([`decoda_core::waiting::Queue::scans_to_file`]). One that cannot be moved stays where it is
/// with the reason noted. The moves run off the async threads and outside the queue's lock (a
/// network share can be slow).
pub async fn move_confirmed<R: Runtime>(app: &AppHandle<R>, ids: &[u64]) {
    let state = app.state::<AppState>();
    let Ok(settings) = state.settings() else {
        return;
    };
    let inbox = settings.effective.inbox();
    let (Some(folder), Some(sent)) = (inbox.folder(), inbox.sent_folder()) else {
        return;
    };
    let (candidates, stacks) = {
        let queue = state.queue();
        (queue.scans_to_file(ids, folder), queue.stacks_to_file(ids))
    };
    if candidates.is_empty() && stacks.is_empty() {
        return;
    }
    let sent = sent.to_path_buf();
    let (filed, stacks_filed) = tauri::async_runtime::spawn_blocking(move || {
        (move_all(candidates, &sent), move_all(stacks, &sent))
    })
    .await
    .unwrap_or_default();
    let mut queue = state.queue();
    queue.record_filed(filed);
    queue.record_stacks_filed(stacks_filed);
    drop(queue);
    let _ = app.emit(QUEUE_CHANGED, ());
}

/// Moves each file that may go to the `sent` folder; keeps why one did not.
fn move_all<K>(
    files: Vec<(K, Result<PathBuf, String>)>,
    sent: &std::path::Path,
) -> Vec<(K, Result<PathBuf, String>)> {
    files
        .into_iter()
        .map(|(key, path)| {
            let moved = path.and_then(|path| {
                decoda_inbox::move_to_sent(&path, sent).map_err(|e| e.to_string())
            });
            (key, moved)
        })
        .collect()
}
