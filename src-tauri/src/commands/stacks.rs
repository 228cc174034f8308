//! Scanned stacks split at their patient cover sheets, wherever they come from: pages scanned in
//! the window ([`crate::commands::scanning::keep_scan`]), a PDF dropped on the window or picked
//! ([`crate::commands::files::add_paths`]), or one the scanner inbox takes (`crate::inbox`).
//!
//! Each part becomes its own PDF (the JPEG pages as the scanner sent them, turns kept) saved in
//! the scans folder, and joins the list as a scan waiting for a person to choose its patient,
//! with what its sheet said (a proposal, never a choice). The sheets are not uploaded, and a
//! stack that was split is never listed or sent as a whole; its file is left where it is.
//!
//! Only a PDF whose every page is one JPEG (as scanners write them) is searched for codes, so
//! other files are added at once; very large documents are not searched at all.

use crate::{commands::files::check, error::UiResult, state::AppState, UiError};
use decoda_core::waiting::CoverProposal;
use decoda_engine::IntakeItem;
use serde::Serialize;
use std::path::{Path, PathBuf};
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// The event that tells the window stacks were split: how many, at how many sheets, into how
/// many documents ([`Splits`]).
pub const STACKS_SPLIT: &str = "stacks-split";

/// The largest file searched for cover sheets: a feeder's stack of a hundred pages at 300 dpi
/// stays under it. Its pages and parts are held in memory while it is split; anything larger is
/// added as it is.
const MAX_STACK_BYTES: u64 = 64 * 1024 * 1024;

/// The most pages searched for cover sheets (each takes a fraction of a second to search).
const MAX_STACK_PAGES: usize = 300;

/// One document made of a stack: its PDF (none for a cover sheet with no pages after it), and
/// what its cover sheet said, if the stack had sheets.
#[derive(Debug)]
pub struct Document {
    pdf: Option<Vec<u8>>,
    cover: Option<CoverProposal>,
}

/// The stack's documents, one per cover sheet (and one for pages before the first), or `None`
/// when it holds no cover sheet. Each page is its JPEG, its turn and its resolution.
pub fn split(pages: &[(&[u8], u16, u32)], tenant: &str) -> UiResult<Option<Vec<Document>>> {
    let jpegs: Vec<&[u8]> = pages.iter().map(|(jpeg, _, _)| *jpeg).collect();
    let Some(parts) = decoda_cover::split_pages(&jpegs, tenant) else {
        return Ok(None);
    };
    parts
        .into_iter()
        .map(|part| {
            let chosen: Vec<usize> = part.pages.iter().map(|n| n - 1).collect();
            Ok(Document {
                pdf: if chosen.is_empty() {
                    None
                } else {
                    Some(pdf_of(pages, &chosen)?)
                },
                cover: Some(CoverProposal {
                    patient_id: part.patient_id,
                    no_patient: part.no_patient,
                    sheet: part.cover_page.is_some(),
                }),
            })
        })
        .collect::<UiResult<_>>()
        .map(Some)
}

/// The stack's documents: one per cover sheet as [`split`] makes them, or, without any sheet,
/// the whole stack as one document.
pub fn documents_of(pages: &[(&[u8], u16, u32)], tenant: &str) -> UiResult<Vec<Document>> {
    if let Some(documents) = split(pages, tenant)? {
        return Ok(documents);
    }
    let all: Vec<usize> = (0..pages.len()).collect();
    Ok(vec![Document {
        pdf: Some(pdf_of(pages, &all)?),
        cover: None,
    }])
}

fn pdf_of(pages: &[(&[u8], u16, u32)], chosen: &[usize]) -> UiResult<Vec<u8>> {
    let chosen: Vec<(&[u8], u16, u32)> = chosen
        .iter()
        .filter_map(|i| pages.get(*i))
        .copied()
        .collect();
    decoda_pages::pdf_from_sized_pages(&chosen)
        .map_err(|e| UiError::Invalid(format!("the pages could not be made into a PDF: {e}")))
}

/// The documents, saved and checked, ready to be listed with their cover proposals.
#[derive(Debug, Default)]
pub struct Saved {
    /// Each document's checked file and what its sheet said.
    pub parts: Vec<(IntakeItem, Option<CoverProposal>)>,
    /// Cover sheets with no page after them (nothing was made of them).
    pub empty_sheets: usize,
    /// Cover sheets the stack was split at.
    pub sheets: usize,
}

/// How the documents of one stack are named in the scans folder: never after a patient (the
/// patient is chosen later), and never after the stack's own file (a stack holds papers of many
/// patients).
#[derive(Debug, Clone, Copy)]
pub enum Naming {
    /// "Scan {now}": pages scanned in the window; an earlier scan is never replaced.
    ScannedNow,
    /// "Scan {when the file was written}": the same part of the same file, made again (dropped
    /// twice, read again after a restart), is the same file, listed once.
    FileWritten(std::time::SystemTime),
}

/// Saves each document with pages in the scans folder (numbered "part n of m" when there are
/// several) and checks it as any file is checked.
pub async fn save<R: Runtime>(
    app: &AppHandle<R>,
    documents: Vec<Document>,
    naming: Naming,
) -> UiResult<Saved> {
    let state = app.state::<AppState>();
    let folder = decoda_pages::scans_folder(state.data_dir());
    let when = match naming {
        Naming::ScannedNow => chrono::Local::now(),
        Naming::FileWritten(time) => chrono::DateTime::from(time),
    };
    let stem = format!("Scan {}", when.format("%Y-%m-%d %H%M%S"));
    let count = documents.iter().filter(|d| d.pdf.is_some()).count();
    let mut saved = Saved::default();
    let mut made = Vec::new();
    for document in documents {
        saved.sheets += usize::from(document.cover.as_ref().is_some_and(|c| c.sheet));
        let Some(pdf) = document.pdf else {
            saved.empty_sheets += 1;
            continue;
        };
        let name = match count {
            1 => stem.clone(),
            _ => format!("{stem} part {} of {count}", made.len() + 1),
        };
        let written = match naming {
            Naming::ScannedNow => decoda_pages::save_new_pdf(&folder, &name, &pdf),
            Naming::FileWritten(_) => decoda_pages::save_pdf_once(&folder, &name, &pdf),
        };
        let path =
            written.map_err(|e| UiError::History(format!("the scan could not be saved: {e}")))?;
        made.push((path, document.cover));
    }
    let paths: Vec<PathBuf> = made.iter().map(|(path, _)| path.clone()).collect();
    let checked = check(app, paths).await?;
    saved.parts = checked
        .into_iter()
        .zip(made)
        .map(|(item, (_, cover))| (item, cover))
        .collect();
    Ok(saved)
}

/// A file that was split, and its saved parts.
#[derive(Debug)]
pub struct SplitFile {
    /// The stack's own file (left where it is).
    pub path: PathBuf,
    /// Its parts.
    pub saved: Saved,
}

/// Takes out of `checked` the files that may be scanned stacks: PDFs that passed the checks and
/// that `may_split` allows. The rest stay, to be added at once.
pub fn take_candidates(
    checked: &mut Vec<IntakeItem>,
    may_split: impl Fn(&Path) -> bool,
) -> Vec<IntakeItem> {
    let (candidates, rest): (Vec<_>, Vec<_>) =
        std::mem::take(checked).into_iter().partition(|item| {
            item.result
                .as_ref()
                .is_ok_and(|f| f.content_type == "application/pdf")
                && may_split(&item.path)
        });
    *checked = rest;
    candidates
}

/// Splits each candidate that is a scanned stack with cover sheets (read off the async threads)
/// and saves its parts. Returns the candidates that are not stacks, or could not be split (added
/// as they are, as before), and the files that were split.
pub async fn split_files<R: Runtime>(
    app: &AppHandle<R>,
    candidates: Vec<IntakeItem>,
) -> (Vec<IntakeItem>, Vec<SplitFile>) {
    if candidates.is_empty() {
        return (candidates, Vec::new());
    }
    let tenant = match app.state::<AppState>().tenant() {
        Ok(tenant) => tenant.unwrap_or_default(),
        Err(_) => return (candidates, Vec::new()),
    };
    let mut whole = Vec::new();
    let mut split_files = Vec::new();
    for item in candidates {
        let path = item.path.clone();
        let tenant = tenant.clone();
        let read = tauri::async_runtime::spawn_blocking(move || read_stack(&path, &tenant)).await;
        let Ok(Some((documents, written))) = read else {
            whole.push(item);
            continue;
        };
        match save(app, documents, Naming::FileWritten(written)).await {
            Ok(saved) => split_files.push(SplitFile {
                path: item.path.clone(),
                saved,
            }),
            Err(e) => {
                tracing::debug!(
                    "{} is added whole: its parts could not be saved ({e})",
                    item.path.display()
                );
                whole.push(item);
            }
        }
    }
    (whole, split_files)
}

/// The documents of the stack at `path`, with when the file was written, when it is a scan
/// with cover sheets; `None` for anything else (logged at debug level: file names are patient
/// data).
fn read_stack(path: &Path, tenant: &str) -> Option<(Vec<Document>, std::time::SystemTime)> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.len() > MAX_STACK_BYTES {
        tracing::debug!("{} is too large to look for cover sheets", path.display());
        return None;
    }
    let pages = match decoda_pages::scanned_pages(path, MAX_STACK_PAGES) {
        Ok(pages) => pages?,
        Err(e) => {
            tracing::debug!("{} was not looked at for cover sheets: {e}", path.display());
            return None;
        }
    };
    let pages: Vec<(&[u8], u16, u32)> = pages
        .iter()
        .map(|p| (p.jpeg.as_slice(), p.turn, p.dpi))
        .collect();
    match split(&pages, tenant) {
        Ok(documents) => Some((
            documents?,
            meta.modified()
                .unwrap_or_else(|_| std::time::SystemTime::now()),
        )),
        Err(e) => {
            tracing::debug!(
                "{} could not be split at its cover sheets: {e}",
                path.display()
            );
            None
        }
    }
}

/// What the window is told of the stacks split in one addition.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Splits {
    /// Files split.
    pub stacks: usize,
    /// Cover sheets they were split at.
    pub sheets: usize,
    /// Documents listed.
    pub documents: usize,
    /// Cover sheets with no page after them.
    pub empty_sheets: usize,
}

/// Tells the window about the stacks split (if any), so it can say so.
pub fn announce<R: Runtime>(app: &AppHandle<R>, split: &[SplitFile], listed: usize) {
    if split.is_empty() {
        return;
    }
    let splits = Splits {
        stacks: split.len(),
        sheets: split.iter().map(|f| f.saved.sheets).sum(),
        documents: listed,
        empty_sheets: split.iter().map(|f| f.saved.empty_sheets).sum(),
    };
    tracing::info!(
        "{} scanned stack(s) split at {} cover sheet(s) into {} document(s)",
        splits.stacks,
        splits.sheets,
        splits.documents
    );
    let _ = app.emit(STACKS_SPLIT, splits);
}
