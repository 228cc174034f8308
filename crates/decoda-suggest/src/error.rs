//! Why a suggestion could not be made, in words for the person at the desk.

use decoda_api::ApiError;

/// Why no suggestion could be made. None of these stop a file from being sent: the person
/// chooses the patient as they would without a suggestion.
#[derive(Debug, thiserror::Error)]
pub enum SuggestError {
    /// Tesseract is not installed (a recommended package, not part of the app).
    #[error("suggestions from the page are unavailable: text recognition (Tesseract) is not installed on this computer")]
    Unavailable,
    /// Tesseract is installed without its English data.
    #[error("suggestions from the page are unavailable: text recognition (Tesseract) has no English language data installed")]
    NoEnglish,
    /// The file cannot be read, or is of a kind with no page to read.
    #[error("this file has no page to read: {0}")]
    NoPage(String),
    /// Tesseract failed on the page.
    #[error("the page could not be read: {0}")]
    Recognition(String),
    /// The patient search failed.
    #[error("the patients named on the page could not be looked up: {0}")]
    Lookup(#[from] ApiError),
}
