//! What a suggestion says: up to three candidates with their evidence, and warnings.

use decoda_api::models::Patient;
use serde::Serialize;

use crate::words::Area;

/// How sure the suggestion is. Only [`Confidence::High`] means both the name and the birth date
/// were found on the page; nothing is ever chosen for the person, whatever the confidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Confidence {
    /// A weak hint: a clinician's name, or a name whose birth date on the page is different.
    Low,
    /// The full name (or the family name with the birth date), not both identifiers.
    Medium,
    /// The full name and the birth date, both on the page.
    High,
}

impl Confidence {
    pub(crate) fn of(score: f32) -> Self {
        if score >= 0.85 {
            Confidence::High
        } else if score >= 0.5 {
            Confidence::Medium
        } else {
            Confidence::Low
        }
    }
}

/// What kind of identifier a piece of evidence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum EvidenceKind {
    /// The patient's name (or part of it).
    Name,
    /// The patient's date of birth.
    BirthDate,
}

/// Words on the page that matched the patient, to highlight on the preview.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// Name or birth date.
    pub kind: EvidenceKind,
    /// The words as read.
    pub text: String,
    /// Where they are on the page (empty when the text came from a PDF's text layer).
    pub areas: Vec<Area>,
}

/// A patient the page may be about.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    /// The patient as the API describes them (name and birth date to show).
    pub patient: Patient,
    /// 0 to 1: how well the page matches.
    pub score: f32,
    /// The score in words.
    pub confidence: Confidence,
    /// Why, in a sentence: "name and birth date on the page".
    pub reason: String,
    /// The words that matched.
    pub evidence: Vec<Evidence>,
}

/// A patient the page mentions in a way that must not be taken as a suggestion: their birth date
/// is on the page but their name is not.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Warning {
    /// The patient concerned.
    pub patient: Patient,
    /// What to be careful of, in a sentence.
    pub message: String,
    /// The words concerned.
    pub evidence: Vec<Evidence>,
}

/// How the page's text was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TextSource {
    /// Text recognition on the page's image.
    Recognised,
    /// The PDF's own text layer (a letter printed to PDF).
    PdfText,
}

/// The patients a document's first page suggests.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    /// Up to three, best first.
    pub candidates: Vec<Candidate>,
    /// Patients whose birth date alone is on the page.
    pub warnings: Vec<Warning>,
    /// How many words were read: none means the page has no readable text.
    pub words: usize,
    /// How the text was obtained.
    pub source: TextSource,
    /// Degrees the page was turned clockwise to be read (a page scanned sideways or upside
    /// down), 0 when it was read as it is.
    pub turned: u16,
}

impl Suggestion {
    /// The best candidate, if any is at least of medium confidence: what a person is most
    /// likely to want to check first.
    pub fn best(&self) -> Option<&Candidate> {
        self.candidates
            .first()
            .filter(|c| c.confidence >= Confidence::Medium)
    }
}
