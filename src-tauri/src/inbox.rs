//! The scanner inbox in the app: files a scanner writes into the watched folder join the queue
//! once fully written, marked as coming from the inbox, and wait there like any other file until
//! a person chooses and confirms the patient. After the server confirms a file's upload (or finds
//! the same content already in the chart), it is moved to the "sent" folder when one is set; a
//! file the app did not see confirmed is never moved or deleted.

use crate::{
    commands::files::{add_paths, lock, Origin, QUEUE_CHANGED},
    queue::ItemState,
    state::AppState,
};
use decoda_inbox::{Inbox, InboxConfig};
use std::{path::PathBuf, time::Duration};
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// The event the window listens to, to show or clear the inbox's status line.
pub const INBOX_CHANGED: &str = "inbox-changed";

/// (Re)starts watching the folder the settings name, or stops when none is set. Returns why
/// the folder cannot be watched, if it cannot; the reason is also kept for the settings screen.
pub fn restart<R: Runtime>(app: &AppHandle<R>) -> Option<String> {
    let state = app.state::<AppState>();
    // Stop the old watcher first: two watchers on one folder would add each file twice.
    lock(&state.inbox).take();
    let problem = match state.settings() {
        Ok(settings) => start(app, &settings.effective.inbox()).err(),
        Err(e) => Some(format!("the scanner inbox settings cannot be read: {e}")),
    };
    if let Some(p) = &problem {
        tracing::warn!("the scanner inbox is not watched: {p}");
    }
    *lock(&state.inbox_problem) = problem.clone();
    let _ = app.emit(INBOX_CHANGED, ());
    problem
}

fn start<R: Runtime>(
    app: &AppHandle<R>,
    settings: &decoda_settings::InboxSettings,
) -> Result<(), String> {
    let Some(folder) = settings.folder() else {
        return Ok(());
    };
    let mut config = InboxConfig::new(folder.to_path_buf());
    if let Some(seconds) = settings.settle_seconds {
        config.settle = Duration::from_secs(u64::from(seconds));
    }
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<PathBuf>();
    let inbox = Inbox::watch(config, move |path| {
        let _ = tx.send(path);
    })
    .map_err(|e| e.to_string())?;
    tauri::async_runtime::spawn(feed_queue(app.clone(), rx));
    *lock(&app.state::<AppState>().inbox) = Some(inbox);
    tracing::info!("scanner inbox watched");
    Ok(())
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
        let count = batch.len();
        match add_paths(&app, batch, Origin::Inbox).await {
            Ok(added) => tracing::info!("scanner inbox: {added} of {count} files added"),
            Err(e) => tracing::warn!("scanner inbox files could not be added: {}", e.kind()),
        }
    }
}

/// Moves each confirmed inbox file among `ids` to the sent folder, if one is set, and notes the
/// new place on the row. A file that cannot be moved stays where it is, with the reason noted.
pub fn move_confirmed<R: Runtime>(app: &AppHandle<R>, ids: &[u64]) {
    let state = app.state::<AppState>();
    let sent = match state.settings() {
        Ok(s) => s.effective.inbox().sent_folder().map(PathBuf::from),
        Err(_) => None,
    };
    let Some(sent) = sent else { return };
    let confirmed: Vec<(u64, PathBuf)> = {
        let queue = lock(&state.queue);
        ids.iter()
            .filter_map(|id| queue.get(*id))
            .filter(|item| item.from_inbox && confirmed_in_chart(&item.state))
            .map(|item| (item.id, item.path.clone()))
            .collect()
    };
    if confirmed.is_empty() {
        return;
    }
    let mut queue = lock(&state.queue);
    for (id, path) in confirmed {
        match decoda_inbox::move_to_sent(&path, &sent) {
            Ok(new_path) => queue.moved(id, new_path, "moved to the folder for sent scans"),
            Err(e) => {
                tracing::warn!("a sent scan stays in the inbox: the move failed");
                queue.note(id, format!("left in the scanner inbox: {e}"));
            }
        }
    }
    drop(queue);
    let _ = app.emit(QUEUE_CHANGED, ());
}

/// In the chart: uploaded now, found there after an interruption, or skipped because the same
/// content was uploaded to this patient before (the history holds its attachment).
fn confirmed_in_chart(state: &ItemState) -> bool {
    match state {
        ItemState::Uploaded { .. } => true,
        ItemState::Skipped { attachment_id, .. } => attachment_id.is_some(),
        _ => false,
    }
}
