//! `decoda cover-sheet` and `decoda split`: patient cover sheets, printed and found again in
//! scanned stacks.

use crate::{
    args::{CoverSheetArgs, SplitArgs},
    context::Context,
    exit::{self, CliError},
    scan::{refuse_existing, write_new},
};
use decoda_core::Target;
use decoda_cover::{
    classify, codes_in, codes_in_jpeg, split as split_stack, CoverCode, PageKind, Part, SheetText,
};
use decoda_engine::{Settings, Uploader};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// Writes the cover sheet of a confirmed patient.
pub async fn sheet(ctx: &Context, args: CoverSheetArgs) -> Result<u8, CliError> {
    refuse_existing(&args.out)?;
    let tenant = ctx.resolved.tenant()?.to_owned();
    let uploader = Uploader::new(ctx.client()?, Settings::default());
    let target = Target::confirm(&uploader, &args.patient, None).await?;
    let card = target.card();
    let code = CoverCode::new(&tenant, &card.id);
    let text = SheetText::new(&card.name, &card.born, &card.gender, &card.id);
    let pdf = decoda_cover::cover_sheet_pdf(&code, &text).map_err(CliError::Usage)?;
    write_new(&args.out, &pdf).map_err(|e| {
        CliError::Usage(format!(
            "the sheet could not be saved as {}: {e}",
            args.out.display()
        ))
    })?;
    eprintln!("Cover sheet for {}: {}", card.line(), args.out.display());
    if card.archived {
        eprintln!("Warning: this patient's chart is archived.");
    }
    Ok(exit::OK)
}

/// One file of `decoda split --json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SplitFile {
    file: String,
    pages: usize,
    parts: Vec<JsonPart>,
    /// Why the file could not be read, when it could not.
    error: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonPart {
    pages: Vec<usize>,
    cover_page: Option<usize>,
    patient_id: Option<String>,
    /// The proposed patient in the banner's format, when the API could be asked.
    patient: Option<String>,
    no_patient: Option<String>,
}

/// Prints how each stack splits; exits 1 when a file could not be read.
pub async fn split(ctx: &Context, args: SplitArgs) -> Result<u8, CliError> {
    let tenant = ctx.resolved.tenant()?.to_owned();
    let mut cards = Cards::new(ctx);
    let mut files = Vec::new();
    for path in &args.files {
        let file = match page_kinds(path, &tenant) {
            Ok(kinds) => {
                let mut parts = Vec::new();
                for part in split_stack(&kinds) {
                    let patient = match &part.patient_id {
                        Some(id) => cards.line(id).await,
                        None => None,
                    };
                    parts.push(json_part(part, patient));
                }
                SplitFile {
                    file: path.display().to_string(),
                    pages: kinds.len(),
                    parts,
                    error: None,
                }
            }
            Err(why) => SplitFile {
                file: path.display().to_string(),
                pages: 0,
                parts: Vec::new(),
                error: Some(why),
            },
        };
        files.push(file);
    }
    Ok(exit::report_files(args.json, &files, print_file, |f| {
        f.error.is_some()
    }))
}

fn json_part(part: Part, patient: Option<String>) -> JsonPart {
    JsonPart {
        pages: part.pages,
        cover_page: part.cover_page,
        patient_id: part.patient_id,
        patient,
        no_patient: part.no_patient,
    }
}

/// Each page of a stack, classified by the codes on it. A PDF page that is not one scanned image
/// is a content page (a cover sheet is always scanned, so it is an image).
fn page_kinds(path: &Path, tenant: &str) -> Result<Vec<PageKind>, String> {
    let is_pdf = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    if is_pdf {
        let pages = decoda_pages::page_jpegs(path).map_err(|e| e.to_string())?;
        return Ok(pages
            .iter()
            .map(|jpeg| match jpeg {
                Some(jpeg) => classify(&codes_in_jpeg(jpeg).unwrap_or_default(), tenant),
                None => PageKind::Content,
            })
            .collect());
    }
    let page =
        image::open(path).map_err(|e| format!("it cannot be read as a PDF or an image ({e})"))?;
    Ok(vec![classify(&codes_in(&page.to_luma8()), tenant)])
}

fn print_file(file: &SplitFile) {
    if let Some(why) = &file.error {
        println!("{}: {why}", file.file);
        return;
    }
    let parts = file.parts.len();
    println!(
        "{}: {} page{}, {parts} part{}",
        file.file,
        file.pages,
        if file.pages == 1 { "" } else { "s" },
        if parts == 1 { "" } else { "s" }
    );
    for part in &file.parts {
        let pages = if part.pages.is_empty() {
            "no pages".to_owned()
        } else {
            format!("pages {}", ranges(&part.pages))
        };
        let whom = match (&part.patient, &part.patient_id, &part.no_patient) {
            (Some(line), _, _) => format!("proposed for {line}"),
            (None, Some(id), _) => format!("proposed for patient {id}"),
            (None, None, Some(why)) => format!("no patient: {why}"),
            (None, None, None) => "no patient".to_owned(),
        };
        let sheet = part
            .cover_page
            .map(|p| format!(" (cover sheet: page {p})"))
            .unwrap_or_default();
        println!("  {pages}: {whom}{sheet}");
    }
}

/// `1-4, 6, 8-9`.
fn ranges(pages: &[usize]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut start = None;
    for (i, &page) in pages.iter().enumerate() {
        let first = *start.get_or_insert(page);
        if pages.get(i + 1) != Some(&(page + 1)) {
            out.push(if first == page {
                page.to_string()
            } else {
                format!("{first}-{page}")
            });
            start = None;
        }
    }
    out.join(", ")
}

/// Proposed patients as the banner shows them, each asked of the API once; without a key (or
/// when the API cannot be reached), only ids are shown.
struct Cards<'c> {
    ctx: &'c Context,
    uploader: Option<Option<Uploader>>,
    seen: HashMap<String, Option<String>>,
}

impl<'c> Cards<'c> {
    fn new(ctx: &'c Context) -> Self {
        Self {
            ctx,
            uploader: None,
            seen: HashMap::new(),
        }
    }

    async fn line(&mut self, patient_id: &str) -> Option<String> {
        if let Some(line) = self.seen.get(patient_id) {
            return line.clone();
        }
        let ctx = self.ctx;
        let uploader = self.uploader.get_or_insert_with(|| {
            ctx.client()
                .ok()
                .map(|c| Uploader::new(c, Settings::default()))
        });
        let line = match uploader {
            Some(uploader) => Target::confirm(uploader, patient_id, None)
                .await
                .ok()
                .map(|t| t.card().line()),
            None => None,
        };
        self.seen.insert(patient_id.to_owned(), line.clone());
        line
    }
}

#[cfg(test)]
mod tests {
    use super::ranges;

    #[test]
    fn pages_are_shown_as_ranges() {
        assert_eq!(ranges(&[1, 2, 3, 4, 6, 8, 9]), "1-4, 6, 8-9");
        assert_eq!(ranges(&[5]), "5");
        assert_eq!(ranges(&[]), "");
    }
}
