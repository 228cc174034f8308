//! `decoda suggest`: the patients each document's first page names, for a person to check.

use std::path::Path;

use decoda_api::models::Patient;
use decoda_core::identity::{today, PatientCard};
use decoda_suggest::{Candidate, Evidence, Suggestion, Tesseract, Warning};
use serde::Serialize;

use crate::args::SuggestArgs;
use crate::context::Context;
use crate::exit::{self, CliError};

/// One file's suggestion as `--json` prints it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SuggestedFile {
    file: String,
    /// How many words were read on the first page.
    words: usize,
    /// Degrees the page was turned clockwise to be read.
    turned: u16,
    /// Whether the text was recognised on the page's image or taken from the PDF's text.
    source: Option<decoda_suggest::TextSource>,
    candidates: Vec<JsonCandidate>,
    warnings: Vec<JsonWarning>,
    /// Why no suggestion could be made.
    error: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonCandidate {
    patient_id: String,
    /// As the banner shows it: `GARCIA, Maria`.
    name: String,
    date_of_birth: Option<String>,
    /// As the banner shows it: `30-Jul-1991 (35y)`.
    born: String,
    score: f32,
    confidence: decoda_suggest::Confidence,
    reason: String,
    evidence: Vec<Evidence>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonWarning {
    patient_id: String,
    name: String,
    date_of_birth: Option<String>,
    message: String,
}

/// Runs `decoda suggest`: exits 1 when a file could not be read or looked up.
pub async fn run(ctx: &Context, args: SuggestArgs) -> Result<u8, CliError> {
    let client = ctx.client()?;
    let tesseract = Tesseract::locate().await;
    let mut files = Vec::new();
    for path in &args.files {
        let found = decoda_suggest::suggest(&client, tesseract.as_ref().ok(), path).await;
        files.push(suggested_file(path, found));
    }
    Ok(exit::report_files(args.json, &files, print_file, |f| {
        f.error.is_some()
    }))
}

fn suggested_file(
    path: &Path,
    found: Result<Suggestion, decoda_suggest::SuggestError>,
) -> SuggestedFile {
    let file = path.display().to_string();
    match found {
        Ok(s) => SuggestedFile {
            file,
            words: s.words,
            turned: s.turned,
            source: Some(s.source),
            candidates: s.candidates.into_iter().map(json_candidate).collect(),
            warnings: s.warnings.into_iter().map(json_warning).collect(),
            error: None,
        },
        Err(e) => SuggestedFile {
            file,
            words: 0,
            turned: 0,
            source: None,
            candidates: Vec::new(),
            warnings: Vec::new(),
            error: Some(e.to_string()),
        },
    }
}

fn card(patient: &Patient) -> PatientCard {
    PatientCard::new(patient, &[], today())
}

fn json_candidate(c: Candidate) -> JsonCandidate {
    let card = card(&c.patient);
    JsonCandidate {
        patient_id: c.patient.id.to_string(),
        name: card.name,
        born: card.born,
        date_of_birth: c.patient.date_of_birth.clone(),
        score: (c.score * 100.0).round() / 100.0,
        confidence: c.confidence,
        reason: c.reason,
        evidence: c.evidence,
    }
}

fn json_warning(w: Warning) -> JsonWarning {
    JsonWarning {
        patient_id: w.patient.id.to_string(),
        name: card(&w.patient).name,
        date_of_birth: w.patient.date_of_birth.clone(),
        message: w.message,
    }
}

fn print_file(file: &SuggestedFile) {
    if let Some(error) = &file.error {
        println!("{}: {error}", file.file);
        return;
    }
    let turned = if file.turned == 0 {
        String::new()
    } else {
        format!(", turned {}° to be read", file.turned)
    };
    let read = format!("{} words read{turned}", file.words);
    if file.candidates.is_empty() {
        println!("{}: no patient suggested ({read})", file.file);
    } else {
        println!(
            "{}: {} ({read}); check before choosing:",
            file.file,
            count(file.candidates.len())
        );
    }
    for (n, c) in file.candidates.iter().enumerate() {
        let words: Vec<String> = c
            .evidence
            .iter()
            .map(|e| format!("\"{}\"", e.text))
            .collect();
        println!(
            "  {}. {}  Born {}  ID {}  {:?} confidence ({}): {}",
            n + 1,
            c.name,
            c.born,
            c.patient_id,
            c.confidence,
            c.reason,
            words.join(", ")
        );
    }
    for w in &file.warnings {
        println!("  warning: {} (ID {})", w.message, w.patient_id);
    }
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 patient suggested".into()
    } else {
        format!("{n} patients suggested")
    }
}
