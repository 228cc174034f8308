//! The queue: adding files (drop, picker), editing and removing them, previews and thumbnails.

use crate::{error::UiResult, queue::QueueItem, state::AppState, UiError};
use base64::Engine as _;
use decoda_engine::{check_files, FileSpec};
use std::{io::Cursor, path::PathBuf, time::Duration};
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

/// The event the window listens to, to re-read the queue.
pub const QUEUE_CHANGED: &str = "queue-changed";

/// Checks paths (expanding folders) and adds them to the queue; returns how many were new. A
/// window drop, the picker, "Open with" and the test-only drop command all come through here
/// (the scanner inbox adds through [`check`] too, see `crate::inbox`).
pub async fn add_paths<R: Runtime>(app: &AppHandle<R>, paths: Vec<PathBuf>) -> UiResult<usize> {
    let checked = check(app, paths).await?;
    let added = lock(&app.state::<AppState>().queue).add(checked, false);
    let _ = app.emit(QUEUE_CHANGED, ());
    Ok(added.len())
}

/// The engine's checks on each path (off the async threads: folders are walked, files opened).
pub async fn check<R: Runtime>(
    app: &AppHandle<R>,
    paths: Vec<PathBuf>,
) -> UiResult<Vec<decoda_engine::IntakeItem>> {
    let limits = app.state::<AppState>().settings()?.effective.limits;
    let specs: Vec<FileSpec> = paths.into_iter().map(FileSpec::new).collect();
    tauri::async_runtime::spawn_blocking(move || check_files(&specs, &limits))
        .await
        .map_err(|_| UiError::Invalid("the files could not be checked".into()))
}

pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The queue as the window shows it.
#[tauri::command]
pub fn list_queue(state: State<'_, AppState>) -> Vec<QueueItem> {
    lock(&state.queue).items().to_vec()
}

/// Opens the system's file picker and adds what the user chose.
#[tauri::command]
pub async fn pick_files<R: Runtime>(app: AppHandle<R>) -> UiResult<usize> {
    use tauri_plugin_dialog::DialogExt;
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Add files")
        .pick_files(move |picked| {
            let _ = tx.send(picked);
        });
    let picked = rx.await.ok().flatten().unwrap_or_default();
    let paths: Vec<PathBuf> = picked
        .into_iter()
        .filter_map(|p| p.into_path().ok())
        .collect();
    if paths.is_empty() {
        return Ok(0);
    }
    add_paths(&app, paths).await
}

/// Removes a file from the queue. A file that was resumed, or that failed in this session, is
/// also unfinished work in the persistent queue: the user removed it, so it must not come back
/// at the next start.
#[tauri::command]
pub fn remove_file<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, id: u64) -> bool {
    let item = lock(&state.queue).get(id).cloned();
    let removed = lock(&state.queue).remove(id);
    if let Some(item) = item.filter(|_| removed) {
        if let Err(e) = forget_unfinished(&state, &item) {
            tracing::warn!("a removed file stays in the upload queue: {}", e.kind());
        }
    }
    let _ = app.emit(QUEUE_CHANGED, ());
    removed
}

/// Drops the persistent queue's unfinished rows for a removed item: its own row (resumed), or
/// the failed earlier tries of the same file (the same content, when its hash was taken) for the
/// same patient. A try that may have reached the chart stays on record, so the chart is looked
/// at before that content is sent to that patient again.
fn forget_unfinished(state: &AppState, item: &crate::queue::QueueItem) -> UiResult<()> {
    if item.row_id.is_none() && item.patient_id.is_none() {
        return Ok(());
    }
    let mut store = state.store()?;
    let rows: Vec<i64> = match (item.row_id, &item.patient_id) {
        (Some(row), _) => vec![row],
        (None, Some(patient)) => store
            .abandoned()?
            .into_iter()
            .filter(|r| r.state == decoda_store::RowState::Failed)
            .filter(|r| r.patient_id == *patient && r.path == item.path)
            .filter(|r| item.listed_hash.as_ref().is_none_or(|h| *h == r.hash))
            .map(|r| r.id)
            .collect(),
        (None, None) => Vec::new(),
    };
    if !rows.is_empty() {
        store.remove(&rows)?;
    }
    Ok(())
}

/// Sets a file's display name and external id.
#[tauri::command]
pub fn edit_file(
    state: State<'_, AppState>,
    id: u64,
    name: String,
    external_id: Option<String>,
) -> bool {
    lock(&state.queue).edit(id, &name, external_id.as_deref())
}

/// "Send anyway": a file skipped because its content is already in the chart is made ready.
#[tauri::command]
pub fn send_anyway<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, id: u64) -> bool {
    let done = lock(&state.queue).force(id);
    let _ = app.emit(QUEUE_CHANGED, ());
    done
}

/// Puts the unfinished files of interrupted uploads (the app or the CLI was killed, the computer
/// lost power) back in the queue, each bound to its patient. Called once at start.
pub fn resume_interrupted<R: Runtime>(app: &AppHandle<R>) -> UiResult<usize> {
    let state = app.state::<AppState>();
    let rows = state.store()?.abandoned()?;
    let added = lock(&state.queue).add_resumed(rows);
    let _ = app.emit(QUEUE_CHANGED, ());
    Ok(added)
}

/// "Upload more": clears the uploaded files.
#[tauri::command]
pub fn clear_uploaded<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) {
    lock(&state.queue).clear_uploaded();
    let _ = app.emit(QUEUE_CHANGED, ());
}

/// A small local preview of a queued image, as a `data:` URL; `None` for other types.
#[tauri::command]
pub async fn preview(state: State<'_, AppState>, id: u64) -> UiResult<Option<String>> {
    let item = lock(&state.queue)
        .items()
        .iter()
        .find(|i| i.id == id)
        .cloned();
    let Some(item) = item else { return Ok(None) };
    if !item
        .content_type
        .as_deref()
        .is_some_and(|t| t.starts_with("image/"))
    {
        return Ok(None);
    }
    let made = tauri::async_runtime::spawn_blocking(move || small_png(&item.path)).await;
    Ok(made.ok().flatten())
}

/// Previews are shown 3rem wide: twice that in pixels stays sharp on high-density screens.
const PREVIEW_SIDE: u32 = 96;

fn small_png(path: &std::path::Path) -> Option<String> {
    let img = image::ImageReader::open(path)
        .ok()?
        .with_guessed_format()
        .ok()?
        .decode()
        .ok()?;
    let mut out = Cursor::new(Vec::new());
    img.thumbnail(PREVIEW_SIDE, PREVIEW_SIDE)
        .write_to(&mut out, image::ImageFormat::Png)
        .ok()?;
    Some(data_url("image/png", out.get_ref()))
}

fn data_url(content_type: &str, bytes: &[u8]) -> String {
    format!(
        "data:{content_type};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// Fetches a thumbnail the server returned and hands it over as a `data:` URL, so the page needs no
/// remote image source in its CSP and the webview keeps no patient images in its disk cache. Only
/// links that an upload in this run returned are fetched: the window cannot make Rust fetch
/// anything else.
#[tauri::command]
pub async fn thumbnail(state: State<'_, AppState>, url: String) -> UiResult<String> {
    if !lock(&state.thumbnails).contains(&url) {
        return Err(UiError::Invalid("not a thumbnail this app received".into()));
    }
    let parsed =
        url::Url::parse(&url).map_err(|_| UiError::Invalid("not a thumbnail address".into()))?;
    let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if parsed.scheme() != "https" && !(parsed.scheme() == "http" && loopback) {
        return Err(UiError::Invalid(
            "thumbnails are only fetched over https".into(),
        ));
    }
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .map_err(|e| UiError::Network(e.to_string()))?;
    let response = http
        .get(parsed)
        .send()
        .await
        .map_err(|_| UiError::Network("the thumbnail could not be fetched".into()))?;
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if !response.status().is_success() || !content_type.starts_with("image/") {
        return Err(UiError::Network(
            "the server has no thumbnail for this file".into(),
        ));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|_| UiError::Network("the thumbnail could not be fetched".into()))?;
    if bytes.len() > 4 * 1024 * 1024 {
        return Err(UiError::Network("the thumbnail is too large".into()));
    }
    Ok(data_url(&content_type, &bytes))
}

/// Opens a file's link in the system browser, never in the app's own webview.
#[tauri::command]
pub fn open_link<R: Runtime>(app: AppHandle<R>, url: String) -> UiResult<()> {
    use tauri_plugin_opener::OpenerExt;
    let parsed = url::Url::parse(&url).map_err(|_| UiError::Invalid("not a web address".into()))?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return Err(UiError::Invalid("only web addresses can be opened".into()));
    }
    app.opener()
        .open_url(parsed.as_str(), None::<&str>)
        .map_err(|_| UiError::Invalid("no browser could be opened".into()))
}
