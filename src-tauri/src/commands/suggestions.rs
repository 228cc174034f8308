//! The patient suggested from a scan's first page, for the sorter.
//!
//! The page is read on this computer (Tesseract, run as its own process off the window's thread)
//! and its names and birth dates are looked up with the patient search. The window lists up to
//! three candidates with the words that matched, highlighted on the page; the person still picks
//! one and checks it like any search result. Nothing is chosen for them.

use decoda_core::identity::{self, PatientCard};
use decoda_suggest::{Candidate, Confidence, Evidence, SuggestError, Tesseract, Warning};
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};
use tauri::State;
use tokio::sync::OnceCell;

use crate::{error::UiResult, state::AppState};

/// Tesseract, looked for once (at the first suggestion) and then reused; one page read at a
/// time, and only for the scan the sorter shows now (a person pressing Next Next Next does not
/// leave a page reading behind each press).
#[derive(Default)]
pub struct PageReader {
    tesseract: OnceCell<Option<Tesseract>>,
    one_at_a_time: tokio::sync::Mutex<()>,
    newest: AtomicU64,
}

impl PageReader {
    async fn tesseract(&self) -> Option<&Tesseract> {
        self.tesseract
            .get_or_init(|| async { Tesseract::locate().await.ok() })
            .await
            .as_ref()
    }
}

/// What the sorter shows of a suggestion.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SuggestionView {
    /// Best first, at most three.
    pub candidates: Vec<CandidateView>,
    /// Patients whose birth date alone is on the page.
    pub warnings: Vec<WarningView>,
    /// Why nothing could be suggested (recognition not installed, no page to read…).
    pub note: Option<String>,
}

/// One candidate, in the banner's format.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CandidateView {
    /// The patient, flagged against the other candidates (two of the same name are look-alikes).
    pub patient: PatientCard,
    /// High only for the full name and the birth date both on the page.
    pub confidence: Confidence,
    /// Why, in words.
    pub reason: String,
    /// The words that matched, with where they are on the page.
    pub evidence: Vec<Evidence>,
}

/// A patient whose birth date is on the page without their name.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WarningView {
    /// The patient.
    pub patient: PatientCard,
    /// What to be careful of.
    pub message: String,
    /// The words concerned.
    pub evidence: Vec<Evidence>,
}

/// Suggests the patient of the listed scan `id` from its first page. A page that cannot be read
/// (or a computer without text recognition) gets a note, not an error: the person searches as
/// usual. A failed patient search is an error, as any search's is.
#[tauri::command]
pub async fn suggest_patient(
    state: State<'_, AppState>,
    reader: State<'_, PageReader>,
    id: u64,
) -> UiResult<SuggestionView> {
    let path = state.queue().get(id).map(|item| item.path.clone());
    let Some(path) = path else {
        return Ok(noted("it is no longer in the list"));
    };
    let client = state.client()?;
    let mine = reader.newest.fetch_add(1, Ordering::SeqCst) + 1;
    let _turn = reader.one_at_a_time.lock().await;
    if reader.newest.load(Ordering::SeqCst) != mine {
        return Ok(noted("another scan is shown now"));
    }
    let tesseract = reader.tesseract().await;
    match decoda_suggest::suggest(&client, tesseract, &path).await {
        Ok(s) => Ok(view(s.candidates, s.warnings)),
        Err(SuggestError::Lookup(e)) => Err(e.into()),
        Err(e) => {
            tracing::debug!("no suggestion for a scan: {e}");
            Ok(noted(&e.to_string()))
        }
    }
}

fn noted(why: &str) -> SuggestionView {
    SuggestionView {
        candidates: Vec::new(),
        warnings: Vec::new(),
        note: Some(crate::error::sentence_case(why)),
    }
}

fn view(candidates: Vec<Candidate>, warnings: Vec<Warning>) -> SuggestionView {
    let today = identity::today();
    let patients: Vec<_> = candidates.iter().map(|c| c.patient.clone()).collect();
    SuggestionView {
        candidates: candidates
            .into_iter()
            .map(|c| CandidateView {
                patient: PatientCard::new(&c.patient, &patients, today),
                confidence: c.confidence,
                reason: c.reason,
                evidence: c.evidence,
            })
            .collect(),
        warnings: warnings
            .into_iter()
            .map(|w| WarningView {
                patient: PatientCard::new(&w.patient, &[], today),
                message: w.message,
                evidence: w.evidence,
            })
            .collect(),
        note: None,
    }
}
