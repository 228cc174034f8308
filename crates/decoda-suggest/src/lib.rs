//! The patient suggested from the text on a document's first page.
//!
//! Most of what a front desk uploads is paper: a referral letter, a consent form, an insurance
//! card. The page usually names its patient, so the first page is read (by Tesseract, on this
//! computer; nothing leaves it for this), its names and dates are looked up with the patient
//! search, and up to three patients are offered with the words that matched them.
//!
//! A suggestion is only ever offered, never chosen: the person picks the patient and confirms
//! them as without it. Only the full name *and* the birth date on the page make a high-confidence
//! candidate; a birth date without the name is a warning, never a candidate.

mod dates;
mod error;
mod matching;
mod ocr;
mod page;
mod suggestion;
mod terms;
mod words;

use std::collections::HashMap;
use std::path::Path;

use decoda_api::models::Patient;
use decoda_api::Client;
use futures_util::stream::{self, StreamExt, TryStreamExt};

pub use error::SuggestError;
pub use matching::MAX_CANDIDATES;
pub use ocr::{Reading, Tesseract};
pub use page::{first_page, FirstPage};
pub use suggestion::{
    Candidate, Confidence, Evidence, EvidenceKind, Suggestion, TextSource, Warning,
};
pub use terms::{MAX_DATE_SEARCHES, MAX_NAME_SEARCHES};
pub use words::{Area, Word};

/// How many patients each search asks for.
const PER_SEARCH: u32 = 10;
/// Searches in flight at once.
const SEARCHES_AT_ONCE: usize = 4;

/// The words on a document's first page and how they were obtained.
#[derive(Debug, Clone)]
pub struct PageText {
    /// The words, in reading order.
    pub words: Vec<Word>,
    /// Recognised from an image, or taken from a PDF's text.
    pub source: TextSource,
    /// Degrees the page was turned clockwise to be read.
    pub turned: u16,
}

/// Reads the first page of `path`. Images need Tesseract; a PDF with a text layer does not.
pub async fn read_first_page(
    path: &Path,
    tesseract: Option<&Tesseract>,
) -> Result<PageText, SuggestError> {
    let owned = path.to_owned();
    let page = tokio::task::spawn_blocking(move || first_page(&owned))
        .await
        .map_err(|e| SuggestError::NoPage(e.to_string()))??;
    match page {
        FirstPage::Text(words) => Ok(PageText {
            words,
            source: TextSource::PdfText,
            turned: 0,
        }),
        FirstPage::Image(image) => {
            let tesseract = tesseract.ok_or(SuggestError::Unavailable)?;
            let reading = tesseract.read(&image).await?;
            let words = reading
                .words
                .into_iter()
                .map(|mut w| {
                    w.area = w.area.map(|a| a.unturned(reading.turned));
                    w
                })
                .collect();
            Ok(PageText {
                words,
                source: TextSource::Recognised,
                turned: reading.turned,
            })
        }
    }
}

/// Suggests patients for a page already read: looks its names and dates up with the patient
/// search and matches the patients found against the page.
pub async fn suggest_for_page(
    client: &Client,
    page: &PageText,
) -> Result<Suggestion, SuggestError> {
    let today = chrono::Local::now().date_naive();
    let dates = dates::dates_in(&page.words, today);
    let terms = terms::search_terms(&page.words, &dates);
    tracing::debug!(
        searches = terms.len(),
        words = page.words.len(),
        "looking up the page's names and dates"
    );
    let found: Vec<Vec<Patient>> = stream::iter(terms)
        .map(|term| async move { client.search_patients(&term, PER_SEARCH).await })
        .buffer_unordered(SEARCHES_AT_ONCE)
        .try_collect()
        .await?;
    let mut patients: HashMap<String, Patient> = HashMap::new();
    for patient in found.into_iter().flatten() {
        patients
            .entry(patient.id.as_str().to_owned())
            .or_insert(patient);
    }
    let mut patients: Vec<Patient> = patients.into_values().collect();
    patients.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
    let page = matching::Page {
        words: &page.words,
        dates: &dates,
        source: page.source,
        turned: page.turned,
    };
    Ok(matching::suggest(&page, &patients))
}

/// Reads the first page of `path` and suggests the patients it names.
pub async fn suggest(
    client: &Client,
    tesseract: Option<&Tesseract>,
    path: &Path,
) -> Result<Suggestion, SuggestError> {
    let page = read_first_page(path, tesseract).await?;
    suggest_for_page(client, &page).await
}
