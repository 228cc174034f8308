//! The first page of a file, as an image to read or as the PDF's own text.

use std::path::Path;

use crate::error::SuggestError;
use crate::words::Word;

/// What there is to read on a document's first page.
#[derive(Debug)]
pub enum FirstPage {
    /// An image: a photo, a scan, or the JPEG a scanner put in a PDF (taken out as it is).
    Image(Vec<u8>),
    /// The words of a PDF's text layer (no positions).
    Text(Vec<Word>),
}

const IMAGE_TYPES: [&str; 9] = [
    "jpg", "jpeg", "png", "tif", "tiff", "bmp", "gif", "webp", "pnm",
];

/// Reads the first page of `path`: an image file as it is, a scanned PDF's first JPEG, or the
/// text of a PDF that has no page image.
pub fn first_page(path: &Path) -> Result<FirstPage, SuggestError> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if IMAGE_TYPES.contains(&extension.as_str()) {
        return std::fs::read(path)
            .map(FirstPage::Image)
            .map_err(|e| SuggestError::NoPage(format!("it cannot be read ({})", e.kind())));
    }
    if extension != "pdf" {
        return Err(SuggestError::NoPage(
            "only scans, photos and PDFs are read for suggestions".into(),
        ));
    }
    let first = decoda_pages::first_page(path).map_err(|e| SuggestError::NoPage(e.to_string()))?;
    if let Some(jpeg) = first.jpeg {
        return Ok(FirstPage::Image(jpeg));
    }
    pdf_text(path)
}

fn pdf_text(path: &Path) -> Result<FirstPage, SuggestError> {
    let doc = lopdf::Document::load(path).map_err(|e| SuggestError::NoPage(e.to_string()))?;
    let text = doc.extract_text(&[1]).unwrap_or_default();
    let words = crate::words::words_of_text(&text);
    if words.is_empty() {
        return Err(SuggestError::NoPage(
            "the PDF's first page is neither a scanned image nor text".into(),
        ));
    }
    Ok(FirstPage::Text(words))
}
