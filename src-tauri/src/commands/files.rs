//! The queue: adding files (drop, picker), editing and removing them, previews and thumbnails.

use crate::{commands::stacks, error::UiResult, state::AppState, UiError};
use base64::Engine as _;
use decoda_core::waiting::{QueueItem, QueueList};
use decoda_engine::{
    api::{read_capped, CappedReadError},
    check_files, FileSpec,
};
use std::{collections::HashMap, io::Cursor, path::PathBuf, time::Duration};
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

/// The event the window listens to, to re-read the queue.
pub const QUEUE_CHANGED: &str = "queue-changed";

/// Checks paths (expanding folders) and adds them to the queue; returns how many were new. A
/// window drop, the picker, "Open with" and the test-only drop command all come through here
/// (the scanner inbox adds through [`check`] too, see `crate::inbox`). A scanned stack with
/// patient cover sheets is listed as its parts, each waiting for its own patient
/// ([`crate::commands::stacks`]); the other files are listed first, without waiting for it.
pub async fn add_paths<R: Runtime>(app: &AppHandle<R>, paths: Vec<PathBuf>) -> UiResult<usize> {
    let mut checked = check(app, paths).await?;
    let candidates = stacks::take_candidates(&mut checked, |_| true);
    let state = app.state::<AppState>();
    let mut added = state.queue().add(checked, false).len();
    let _ = app.emit(QUEUE_CHANGED, ());
    if candidates.is_empty() {
        return Ok(added);
    }
    let (whole, mut split) = stacks::split_files(app, candidates).await;
    let mut parts = 0;
    {
        let mut queue = state.queue();
        added += queue.add(whole, false).len();
        for file in &mut split {
            let listed = std::mem::take(&mut file.saved.parts);
            parts += queue.add_parts(listed, &HashMap::new()).len();
        }
    }
    let _ = app.emit(QUEUE_CHANGED, ());
    stacks::announce(app, &split, parts);
    Ok(added + parts)
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

/// The queue as the window shows it while `patient_id` is chosen (or none): each file with
/// whether it would go now, what may be done with it and its status sentence, and what the
/// Upload button does.
#[tauri::command]
pub fn list_queue<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    patient_id: Option<String>,
) -> QueueList {
    let (list, to_name) = {
        let mut queue = state.queue();
        (queue.list(patient_id.as_deref()), queue.patients_to_name())
    };
    if !to_name.is_empty() {
        tauri::async_runtime::spawn(crate::commands::patients::name_patients(app, to_name));
    }
    list
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
    let item = state.queue().remove(id);
    if let Some(removed) = item.as_ref().and_then(QueueItem::removed) {
        if let Err(e) = forget_unfinished(&state, &removed) {
            tracing::warn!("a removed file stays in the upload queue: {}", e.kind());
        }
    }
    let _ = app.emit(QUEUE_CHANGED, ());
    item.is_some()
}

/// Drops what the persistent queue keeps of a removed item, as the upload core says
/// (`decoda_core::forget_removed`).
fn forget_unfinished(state: &AppState, removed: &decoda_core::Removed<'_>) -> UiResult<()> {
    decoda_core::forget_removed(&mut state.store()?, removed)?;
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
    state.queue().edit(id, &name, external_id.as_deref())
}

/// "Send anyway": a file skipped because its content is already in the chart is made ready.
#[tauri::command]
pub fn send_anyway<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, id: u64) -> bool {
    let done = state.queue().force(id);
    let _ = app.emit(QUEUE_CHANGED, ());
    done
}

/// Puts the unfinished files of interrupted uploads (the app or the CLI was killed, the computer
/// lost power) back in the queue, each bound to its patient. Called once at start.
pub fn resume_interrupted<R: Runtime>(app: &AppHandle<R>) -> UiResult<usize> {
    let state = app.state::<AppState>();
    let rows = state.store()?.abandoned()?;
    let added = state.queue().add_resumed(rows);
    let _ = app.emit(QUEUE_CHANGED, ());
    Ok(added)
}

/// "Upload more": clears the uploaded files.
#[tauri::command]
pub fn clear_uploaded<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) {
    state.queue().clear_uploaded();
    let _ = app.emit(QUEUE_CHANGED, ());
}

/// A small local preview of a queued image, as a `data:` URL; `None` for other types and for
/// images the decoder cannot read. An image too large to decode safely is an error that says so
/// (the file itself can still be sent).
#[tauri::command]
pub async fn preview(state: State<'_, AppState>, id: u64) -> UiResult<Option<String>> {
    let item = state.queue().items().iter().find(|i| i.id == id).cloned();
    let Some(item) = item else { return Ok(None) };
    if !item
        .content_type
        .as_deref()
        .is_some_and(|t| t.starts_with("image/"))
    {
        return Ok(None);
    }
    tauri::async_runtime::spawn_blocking(move || small_png(&item.path))
        .await
        .unwrap_or(Ok(None))
}

/// Previews are shown 3rem wide: twice that in pixels stays sharp on high-density screens.
const PREVIEW_SIDE: u32 = 96;

/// The widest and tallest image previewed. Cameras and scanners stay well under it; a header
/// claiming more is most likely broken or crafted.
const MAX_PREVIEW_DIMENSION: u32 = 20_000;

/// The most memory one preview's decoder may take (a 16-megapixel photo needs about 48 MiB). The
/// decoder's own default, 512 MiB, times two previews made at once is more than a clinic's
/// computer can spare for a thumbnail.
const MAX_PREVIEW_ALLOC: u64 = 64 * 1024 * 1024;

/// What the window shows for an image over those limits.
pub(crate) const PREVIEW_TOO_LARGE: &str =
    "preview unavailable: the image is too large to preview (it can still be sent)";

fn small_png(path: &std::path::Path) -> UiResult<Option<String>> {
    let img = match decode_for_preview(path) {
        Ok(img) => img,
        Err(image::ImageError::Limits(_)) => {
            return Err(UiError::Invalid(PREVIEW_TOO_LARGE.into()));
        }
        Err(_) => return Ok(None),
    };
    let mut out = Cursor::new(Vec::new());
    if img
        .thumbnail(PREVIEW_SIDE, PREVIEW_SIDE)
        .write_to(&mut out, image::ImageFormat::Png)
        .is_err()
    {
        return Ok(None);
    }
    Ok(Some(data_url("image/png", out.get_ref())))
}

/// Decodes `path` under [`preview_limits`]: an image over them is refused from its header,
/// before any pixel buffer is allocated.
pub(crate) fn decode_for_preview(
    path: &std::path::Path,
) -> image::ImageResult<image::DynamicImage> {
    let mut reader = image::ImageReader::open(path)?.with_guessed_format()?;
    reader.limits(preview_limits());
    reader.decode()
}

pub(crate) fn preview_limits() -> image::Limits {
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_PREVIEW_DIMENSION);
    limits.max_image_height = Some(MAX_PREVIEW_DIMENSION);
    limits.max_alloc = Some(MAX_PREVIEW_ALLOC);
    limits
}

pub(crate) fn data_url(content_type: &str, bytes: &[u8]) -> String {
    format!(
        "data:{content_type};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// The largest thumbnail fetched. The server's are a few KiB; anything near this is not a
/// thumbnail, and it is refused before it can fill the app's memory.
const MAX_THUMBNAIL_BYTES: u64 = 4 * 1024 * 1024;

/// Fetches a thumbnail the server returned and hands it over as a `data:` URL, so the page needs no
/// remote image source in its CSP and the webview keeps no patient images in its disk cache. Only
/// links that an upload in this run returned are fetched: the window cannot make Rust fetch
/// anything else.
#[tauri::command]
pub async fn thumbnail(state: State<'_, AppState>, url: String) -> UiResult<String> {
    if !state.returned_thumbnail(&url) {
        return Err(UiError::Invalid("not a thumbnail this app received".into()));
    }
    fetch_thumbnail(&url).await
}

/// Fetches `url` as an image, as a `data:` URL: over https (plain http only on this computer,
/// for the sandbox), with no redirect followed (one could lead to plain http or to any host),
/// and at most [`MAX_THUMBNAIL_BYTES`], refused by its declared length first and cut off while
/// it streams otherwise.
async fn fetch_thumbnail(url: &str) -> UiResult<String> {
    let parsed =
        url::Url::parse(url).map_err(|_| UiError::Invalid("not a thumbnail address".into()))?;
    let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if parsed.scheme() != "https" && !(parsed.scheme() == "http" && loopback) {
        return Err(UiError::Invalid(
            "thumbnails are only fetched over https".into(),
        ));
    }
    let unreachable = || UiError::Network("the thumbnail could not be fetched".into());
    let http = decoda_engine::api::network::client_builder()
        .timeout(Duration::from_secs(20))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| UiError::Network(e.to_string()))?;
    let response = http.get(parsed).send().await.map_err(|_| unreachable())?;
    if response.status().is_redirection() {
        return Err(UiError::Network(
            "the thumbnail link points elsewhere, and it is not followed".into(),
        ));
    }
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
    let bytes = read_capped(response, MAX_THUMBNAIL_BYTES)
        .await
        .map_err(|e| match e {
            CappedReadError::TooLarge { .. } => {
                UiError::Network("the thumbnail is too large".into())
            }
            _ => unreachable(),
        })?;
    Ok(data_url(&content_type, &bytes))
}

/// Opens a file's link in the system browser, never in the app's own webview. Only a link that an
/// upload in this run returned is opened: the window cannot make the app send the user's browser
/// anywhere else (a look-alike sign-in page, a download, another program's link handler).
#[tauri::command]
pub fn open_link<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    url: String,
) -> UiResult<()> {
    use tauri_plugin_opener::OpenerExt;
    let link = returned_link(&state, &url)?;
    app.opener()
        .open_url(link.as_str(), None::<&str>)
        .map_err(|_| UiError::Invalid("no browser could be opened".into()))
}

/// The link, if an upload in this run returned it and it is a web address; the check
/// [`open_link`] makes before anything is launched.
pub(crate) fn returned_link(state: &AppState, url: &str) -> UiResult<url::Url> {
    if !state.returned_link(url) {
        return Err(UiError::Invalid(
            "this link did not come from Decoda for a file uploaded now, so it is not opened"
                .into(),
        ));
    }
    let parsed = url::Url::parse(url).map_err(|_| UiError::Invalid("not a web address".into()))?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return Err(UiError::Invalid("only web addresses can be opened".into()));
    }
    Ok(parsed)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;

    /// A one-request server answering `head`, then up to `body_bytes` bytes (see
    /// `decoda_sandbox::raw`); the task returns how many body bytes got out.
    async fn serve_once(head: String, body_bytes: u64) -> (String, tokio::task::JoinHandle<u64>) {
        let (addr, task) = decoda_sandbox::raw::serve_once(&head, body_bytes, 0).await;
        (format!("http://{addr}/thumb.png"), task)
    }

    const PNG_UNTIL_CLOSE: &str =
        "HTTP/1.1 200 OK\r\ncontent-type: image/png\r\nconnection: close\r\n\r\n";

    #[tokio::test]
    async fn a_small_thumbnail_becomes_a_data_url() {
        let (url, _server) = serve_once(PNG_UNTIL_CLOSE.into(), 64 * 1024).await;
        let data = fetch_thumbnail(&url).await.unwrap();
        assert!(
            data.starts_with("data:image/png;base64,"),
            "{}",
            &data[..40]
        );
    }

    #[tokio::test]
    async fn a_redirect_is_refused_not_followed() {
        let (target, _image) = serve_once(PNG_UNTIL_CLOSE.into(), 1024).await;
        let head = format!("HTTP/1.1 302 Found\r\nlocation: {target}\r\ncontent-length: 0\r\n\r\n");
        let (url, _redirect) = serve_once(head, 0).await;
        let err = fetch_thumbnail(&url).await.unwrap_err().to_string();
        assert!(
            err.contains("points elsewhere"),
            "a redirect, even to an image, is not followed: {err}"
        );
    }

    #[tokio::test]
    async fn an_oversized_thumbnail_is_refused_without_reading_it_all() {
        let (url, server) = serve_once(PNG_UNTIL_CLOSE.into(), 64 * MIB).await;
        let err = fetch_thumbnail(&url).await.unwrap_err().to_string();
        assert!(err.contains("too large"), "{err}");
        let sent = tokio::time::timeout(Duration::from_secs(10), server)
            .await
            .expect("the client hung up")
            .unwrap();
        assert!(
            sent < 32 * MIB,
            "reading stopped soon after the 4 MiB cap: the server sent {sent} bytes"
        );
    }

    #[tokio::test]
    async fn an_over_long_content_length_is_refused_before_the_body_arrives() {
        let head =
            "HTTP/1.1 200 OK\r\ncontent-type: image/png\r\ncontent-length: 1073741824\r\n\r\n";
        let (url, _server) = serve_once(head.into(), 0).await;
        let started = std::time::Instant::now();
        let err = fetch_thumbnail(&url).await.unwrap_err().to_string();
        assert!(err.contains("too large"), "{err}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "refused at once"
        );
    }

    /// A PNG whose header claims `width` x `height` RGBA pixels, followed by a few bytes of image
    /// data: what a broken or crafted file looks like.
    pub(crate) fn png_claiming(width: u32, height: u32) -> Vec<u8> {
        fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
            let mut out = (data.len() as u32).to_be_bytes().to_vec();
            out.extend_from_slice(kind);
            out.extend_from_slice(data);
            let crc = crc32(&[kind.as_slice(), data].concat());
            out.extend_from_slice(&crc.to_be_bytes());
            out
        }
        let mut header = width.to_be_bytes().to_vec();
        header.extend_from_slice(&height.to_be_bytes());
        header.extend_from_slice(&[8, 6, 0, 0, 0]);
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"IHDR", &header));
        png.extend(chunk(b"IDAT", &[0x78, 0x9c, 0x63, 0x00, 0x00]));
        png.extend(chunk(b"IEND", &[]));
        png
    }

    /// The PNG chunk checksum (CRC-32, as zlib computes it).
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for byte in bytes {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn limit_error(path: &std::path::Path) -> image::error::LimitErrorKind {
        match decode_for_preview(path) {
            Err(image::ImageError::Limits(e)) => e.kind(),
            other => panic!("refused by the preview limits, got {:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn an_image_claiming_60000_pixels_a_side_is_refused_quickly_from_its_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.png");
        std::fs::write(&path, png_claiming(60_000, 60_000)).unwrap();
        let started = std::time::Instant::now();
        let err = small_png(&path).unwrap_err().to_string();
        assert!(err.contains("preview unavailable"), "{err}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "refused at once, not decoded"
        );
        assert_eq!(
            limit_error(&path),
            image::error::LimitErrorKind::DimensionError,
            "refused by its width and height, before the decoder weighs its memory"
        );
    }

    #[test]
    fn an_image_within_the_decoders_default_but_over_64_mib_is_refused_before_allocating() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("large.png");
        // 6000 x 6000 RGBA is 144 MB: under the decoder's 512 MiB default.
        std::fs::write(&path, png_claiming(6_000, 6_000)).unwrap();
        assert_eq!(
            limit_error(&path),
            image::error::LimitErrorKind::InsufficientMemory,
            "refused by its size before its pixel buffer was allocated, not by missing pixels"
        );
        let err = small_png(&path).unwrap_err().to_string();
        assert!(err.contains("preview unavailable"), "{err}");
    }

    #[tokio::test]
    async fn plain_http_off_this_computer_is_refused() {
        let err = fetch_thumbnail("http://example.com/t.png")
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("https"), "{err}");
    }
}
