//! Scanning paper in the window, from the network scanner the settings name (eSCL): the pages
//! come in one by one, the person checks them (reorders, turns or drops a page), and the kept
//! pages become one PDF that joins the list as a scan waiting for its own patient. Nothing
//! scanned is ever sent without a person choosing its patient in the scan sorter.

use crate::{
    commands::{files::data_url, stacks},
    error::UiResult,
    state::{lock, AppState},
    UiError,
};
use decoda_engine::CancellationToken;
use decoda_scan::{ColourMode, Page, ScanError, ScanRequest, Scanner, Source};
use decoda_settings::{edit_user_file, Edit, Setting};
use serde::{Deserialize, Serialize};
use std::{collections::HashMap, io::Cursor, path::PathBuf, sync::Mutex};
use tauri::{ipc::Channel, AppHandle, Emitter, Manager, Runtime, State};

/// The scan in hand (until it is kept or thrown away) and the running job's cancel token.
#[derive(Debug, Default)]
pub struct ScanDesk {
    in_hand: Mutex<InHand>,
    running: Mutex<Option<CancellationToken>>,
}

/// The pages in hand and the resolution they were scanned at, which sizes them in the PDF: kept
/// under one lock, so the two never disagree.
#[derive(Debug, Default)]
struct InHand {
    pages: Vec<Page>,
    resolution: u32,
}

/// The scanner the settings name, as the window shows it.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ScannerView {
    /// Its eSCL address, if one is set.
    pub address: Option<String>,
    /// Its make and model, when it answered.
    pub name: Option<String>,
    /// Whether the system-wide file sets it (then the settings screen cannot change it).
    pub locked: bool,
}

/// The scanner the settings name (the first, if several), without asking it anything.
#[tauri::command]
pub fn scanner(state: State<'_, AppState>) -> UiResult<ScannerView> {
    let settings = state.settings()?;
    Ok(ScannerView {
        address: settings.effective.scanner_addresses().into_iter().next(),
        name: None,
        locked: settings.is_locked(Setting::Scanners),
    })
}

/// A scanner that announced itself on the clinic's network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoundScannerView {
    /// Its make and model as it announces them, or its name on the network.
    pub name: String,
    /// Its eSCL address, for the settings' scanner field.
    pub url: String,
}

/// How long the window listens for scanners' answers: most answer within a second, sleeping
/// ones later.
const FIND_SCANNERS_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// The scanners that answer on the local network (mDNS / DNS-SD), so nobody has to type an
/// address; the person picks one and saves it as any address (checked with the scanner first).
#[tauri::command]
pub async fn find_scanners(state: State<'_, AppState>) -> UiResult<Vec<FoundScannerView>> {
    state.settings()?.check_unlocked(Setting::Scanners)?;
    let found = decoda_scan::discovery::discover_on_port(state.mdns_port(), FIND_SCANNERS_WAIT)
        .await
        .map_err(|e| UiError::Network(crate::error::sentence_case(&e.to_string())))?;
    Ok(found
        .into_iter()
        .map(|s| FoundScannerView {
            name: s.name,
            url: s.url,
        })
        .collect())
}

/// Saves the scanner's address after asking it what it is (so a typo is caught here, not at the
/// scanner with paper in hand); an empty address removes it.
#[tauri::command]
pub async fn save_scanner(state: State<'_, AppState>, address: String) -> UiResult<ScannerView> {
    let settings = state.settings()?;
    settings.check_unlocked(Setting::Scanners)?;
    let address = address.trim().to_owned();
    if address.is_empty() {
        edit_user_file(state.settings_path(), &[Edit::Remove("scanners")])?;
        return Ok(ScannerView {
            address: None,
            name: None,
            locked: false,
        });
    }
    let scanner = Scanner::new(&address).map_err(scan_error)?;
    let caps = scanner.capabilities().await.map_err(scan_error)?;
    let value = toml::Value::try_from(decoda_settings::ScannerSettings {
        addresses: vec![scanner.address().to_string()],
    })
    .map_err(|e| UiError::Invalid(format!("the scanner cannot be saved: {e}")))?;
    edit_user_file(state.settings_path(), &[Edit::Set("scanners", value)])?;
    Ok(ScannerView {
        address: Some(scanner.address().to_string()),
        name: Some(caps.make_and_model).filter(|n| !n.is_empty()),
        locked: false,
    })
}

/// What the person asked of a scan.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanOptions {
    /// The glass instead of the feeder.
    pub glass: bool,
    /// Both sides of each sheet.
    pub two_sided: bool,
    /// Shades of grey instead of colour.
    pub grey: bool,
    /// Dots per inch.
    pub resolution: u32,
}

/// How a scan ended.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ScanOutcome {
    /// Pages in hand (this scan's, after any kept from before).
    pub pages: usize,
    /// Why the scanner stopped before the end of the stack, in words; the pages received stay.
    pub stopped: Option<String>,
}

/// Scans from the configured scanner, telling `on_page` the number of pages in hand after each.
/// The pages are added to those already in hand (a stack scanned in two goes is one document).
#[tauri::command]
pub async fn scan_paper(
    state: State<'_, AppState>,
    desk: State<'_, ScanDesk>,
    options: ScanOptions,
    on_page: Channel<usize>,
) -> UiResult<ScanOutcome> {
    let address = state
        .settings()?
        .effective
        .scanner_addresses()
        .into_iter()
        .next()
        .ok_or_else(|| {
            UiError::Invalid("no scanner is set up: add its address in Settings".into())
        })?;
    let scanner = Scanner::new(&address).map_err(scan_error)?;
    // One document has one resolution: its pages are sized by it.
    let before = {
        let in_hand = lock(&desk.in_hand);
        let held_at = in_hand.resolution;
        if !in_hand.pages.is_empty() && held_at != options.resolution {
            return Err(UiError::Invalid(format!(
                "The pages in hand were scanned at {held_at} dpi: scan the rest at {held_at} dpi too, or add these to the list first"
            )));
        }
        in_hand.pages.len()
    };
    let cancel = CancellationToken::new();
    {
        let mut running = lock(&desk.running);
        if running.is_some() {
            return Err(UiError::Busy("a scan is already running".into()));
        }
        *running = Some(cancel.clone());
    }
    let request = ScanRequest {
        source: if options.glass {
            Source::Flatbed
        } else {
            Source::Feeder
        },
        duplex: options.two_sided && !options.glass,
        resolution: options.resolution,
        colour: if options.grey {
            ColourMode::Grey
        } else {
            ColourMode::Colour
        },
    };
    let scanned = scanner
        .scan(&request, &cancel, |n| {
            let _ = on_page.send(before + n);
        })
        .await;
    *lock(&desk.running) = None;
    let stopped = scanned.stopped.map(|e| sentence(&e));
    let mut in_hand = lock(&desk.in_hand);
    if !scanned.pages.is_empty() {
        in_hand.resolution = request.resolution;
    }
    in_hand.pages.extend(scanned.pages);
    tracing::info!("scan ended: {} pages in hand", in_hand.pages.len());
    Ok(ScanOutcome {
        pages: in_hand.pages.len(),
        stopped,
    })
}

/// Stops the running scan; the pages already received stay in hand.
#[tauri::command]
pub fn cancel_scan(desk: State<'_, ScanDesk>) {
    if let Some(cancel) = lock(&desk.running).as_ref() {
        cancel.cancel();
    }
}

/// The longest side of a page's thumbnail, in pixels.
const THUMBNAIL_SIDE: u32 = 320;

/// A page in hand as a small JPEG `data:` URL, for the window's page strip.
#[tauri::command]
pub async fn scan_page(desk: State<'_, ScanDesk>, index: usize) -> UiResult<String> {
    let jpeg = lock(&desk.in_hand)
        .pages
        .get(index)
        .map(|p| p.jpeg.clone())
        .ok_or_else(|| UiError::Invalid("that page is no longer in hand".into()))?;
    tauri::async_runtime::spawn_blocking(move || thumbnail(&jpeg))
        .await
        .unwrap_or_else(|_| Err(UiError::Invalid("the page could not be shown".into())))
}

fn thumbnail(jpeg: &[u8]) -> UiResult<String> {
    let page = image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg)
        .map_err(|_| UiError::Invalid("the page could not be shown".into()))?;
    let small = page.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE).to_rgb8();
    let mut out = Cursor::new(Vec::new());
    small
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .map_err(|_| UiError::Invalid("the page could not be shown".into()))?;
    Ok(data_url("image/jpeg", out.get_ref()))
}

/// A page to keep: which page in hand, turned clockwise by how many degrees.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeptPage {
    /// The page's place among the pages in hand.
    pub index: usize,
    /// 0, 90, 180 or 270.
    pub turn: u16,
}

/// What keeping a scan added to the list.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct KeptScan {
    /// The documents added, each waiting for its own patient: one, or one per cover sheet.
    pub documents: Vec<u64>,
    /// Cover sheets with no page after them (nothing was made of them).
    pub empty_sheets: usize,
}

/// Makes the kept pages, in the order given, into documents (JPEGs as the scanner sent them,
/// turns as page rotations) and adds them to the list, each a scan waiting for its own patient.
/// A stack with patient cover sheets is split at them: each part is one document, proposed for
/// the patient on its sheet (a person still chooses and confirms), and the sheets are left out.
/// The pages in hand are let go.
#[tauri::command]
pub async fn keep_scan<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    desk: State<'_, ScanDesk>,
    pages: Vec<KeptPage>,
) -> UiResult<KeptScan> {
    let (chosen, resolution): (Vec<(Page, u16)>, u32) = {
        let in_hand = lock(&desk.in_hand);
        let chosen = pages
            .iter()
            .map(|k| {
                in_hand
                    .pages
                    .get(k.index)
                    .map(|p| (p.clone(), k.turn))
                    .ok_or_else(|| UiError::Invalid("a page is no longer in hand".into()))
            })
            .collect::<UiResult<_>>()?;
        (chosen, in_hand.resolution)
    };
    if chosen.is_empty() {
        return Err(UiError::Invalid(
            "keep at least one page, or discard the scan".into(),
        ));
    }
    let tenant = state.tenant()?.unwrap_or_default();
    let documents = tauri::async_runtime::spawn_blocking(move || {
        let pages: Vec<(&[u8], u16, u32)> = chosen
            .iter()
            .map(|(page, turn)| (page.jpeg.as_ref(), *turn, resolution))
            .collect();
        stacks::documents_of(&pages, &tenant)
    })
    .await
    .map_err(|_| UiError::Invalid("the pages could not be made into a document".into()))??;
    let saved = stacks::save(&app, documents, stacks::Naming::ScannedNow).await?;
    let kept = KeptScan {
        documents: state.queue().add_parts(saved.parts, &HashMap::new()),
        empty_sheets: saved.empty_sheets,
    };
    lock(&desk.in_hand).pages.clear();
    let _ = app.emit(crate::commands::files::QUEUE_CHANGED, ());
    Ok(kept)
}

/// Lets go of the pages in hand without keeping them.
#[tauri::command]
pub fn discard_scan(desk: State<'_, ScanDesk>) {
    lock(&desk.in_hand).pages.clear();
}

/// Once the chart has them, the documents scanned here leave the computer: no copy of a
/// patient's paper stays behind.
pub fn remove_confirmed<R: Runtime>(app: &AppHandle<R>, ids: &[u64]) {
    let state = app.state::<AppState>();
    let folder = decoda_pages::scans_folder(state.data_dir());
    let done: Vec<PathBuf> = {
        let queue = state.queue();
        ids.iter()
            .filter_map(|id| queue.get(*id))
            .filter(|item| {
                matches!(item.state, decoda_core::waiting::ItemState::Uploaded { .. })
                    && item.path.parent() == Some(folder.as_path())
            })
            .map(|item| item.path.clone())
            .collect()
    };
    for path in done {
        if let Err(e) = std::fs::remove_file(&path) {
            tracing::warn!(
                "an uploaded scan could not be removed from the data folder: {}",
                e.kind()
            );
        }
    }
}

fn sentence(e: &ScanError) -> String {
    crate::error::sentence_case(&e.to_string())
}

fn scan_error(e: ScanError) -> UiError {
    match e {
        ScanError::InvalidAddress(_) | ScanError::NotOffered(_) => UiError::Invalid(sentence(&e)),
        ScanError::Cancelled => UiError::Cancelled(sentence(&e)),
        ScanError::Busy => UiError::Busy(sentence(&e)),
        _ => UiError::Network(sentence(&e)),
    }
}
