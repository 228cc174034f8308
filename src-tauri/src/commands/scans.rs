//! The scan sorter's large preview: a person gives each scan its patient while seeing the page
//! itself, so the preview must be big enough to read a name on it.

use crate::{
    commands::files::{data_url, decode_for_preview, preview_limits},
    error::UiResult,
    state::AppState,
};
use serde::Serialize;
use std::{io::Cursor, path::Path};
use tauri::State;

/// What the sorter shows of one scan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanPreview {
    /// The page (the image itself, or a PDF's first page), as a `data:` URL, when it can be shown.
    pub image: Option<String>,
    /// How many pages a PDF has.
    pub pages: Option<usize>,
    /// Why there is no image, in words for the person sorting.
    pub note: Option<String>,
}

/// The longest side of the sorter's preview, in pixels: a letter's name line stays legible at
/// the default window size, and a 300 dpi page is scaled down about three times.
const SCAN_PREVIEW_SIDE: u32 = 1400;

/// The largest PDF whose first page is shown: a scanned stack of a hundred pages at 300 dpi stays
/// well under it.
const MAX_PDF_PREVIEW_BYTES: u64 = 128 * 1024 * 1024;

/// The scan's page, large: an image itself, or the JPEG a scanner put on a PDF's first page.
/// Made off the window's thread; a scan that cannot be shown says why instead.
#[tauri::command]
pub async fn scan_preview(state: State<'_, AppState>, id: u64) -> UiResult<ScanPreview> {
    let item = state.queue().get(id).cloned();
    let Some(item) = item else {
        return Ok(without_image("it is no longer in the list"));
    };
    let kind = item.content_type.unwrap_or_default();
    let path = item.path;
    let made = tauri::async_runtime::spawn_blocking(move || preview_of(&path, &kind)).await;
    Ok(made.unwrap_or_else(|_| without_image("the preview could not be made")))
}

fn preview_of(path: &Path, content_type: &str) -> ScanPreview {
    if content_type == "application/pdf" {
        return pdf_preview(path);
    }
    if !content_type.starts_with("image/") {
        return without_image("this kind of file is not shown here");
    }
    match decode_for_preview(path) {
        Ok(image) => page_preview(&image, None),
        Err(image::ImageError::Limits(_)) => {
            without_image("the image is too large to show (it can still be sent)")
        }
        Err(_) => without_image("the image cannot be read"),
    }
}

fn pdf_preview(path: &Path) -> ScanPreview {
    // The whole document is read to find its first page: a very large one is not, so that a
    // preview can never take the memory a clinic's computer needs for its work.
    if std::fs::metadata(path).is_ok_and(|m| m.len() > MAX_PDF_PREVIEW_BYTES) {
        return without_image("the document is too large to show here (it can still be sent)");
    }
    let first = match decoda_pages::first_page(path) {
        Ok(first) => first,
        Err(e) => {
            tracing::debug!("a scan's first page could not be read: {e}");
            return without_image("it cannot be read as a PDF");
        }
    };
    let pages = Some(first.pages);
    let Some(jpeg) = first.jpeg else {
        return ScanPreview {
            pages,
            ..without_image("its first page is not a scanned image")
        };
    };
    let mut reader = image::ImageReader::with_format(Cursor::new(jpeg), image::ImageFormat::Jpeg);
    reader.limits(preview_limits());
    match reader.decode() {
        Ok(image) => page_preview(&image, pages),
        Err(_) => ScanPreview {
            pages,
            ..without_image("its first page's image cannot be read")
        },
    }
}

/// The page scaled down to fit [`SCAN_PREVIEW_SIDE`] (never up), as a JPEG (a page is a
/// photograph of paper; a PNG of it would be several times larger to pass to the window).
fn page_preview(image: &image::DynamicImage, pages: Option<usize>) -> ScanPreview {
    let fits = image.width().max(image.height()) <= SCAN_PREVIEW_SIDE;
    let scaled = if fits {
        image.to_rgb8()
    } else {
        image
            .thumbnail(SCAN_PREVIEW_SIDE, SCAN_PREVIEW_SIDE)
            .to_rgb8()
    };
    let mut out = Cursor::new(Vec::new());
    match scaled.write_to(&mut out, image::ImageFormat::Jpeg) {
        Ok(()) => ScanPreview {
            image: Some(data_url("image/jpeg", out.get_ref())),
            pages,
            note: None,
        },
        Err(_) => ScanPreview {
            pages,
            ..without_image("the preview could not be made")
        },
    }
}

fn without_image(why: &str) -> ScanPreview {
    ScanPreview {
        image: None,
        pages: None,
        note: Some(why.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(width, height, image::Rgb([250, 250, 240]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
        out.into_inner()
    }

    fn shown_size(preview: &ScanPreview) -> (u32, u32) {
        use base64::Engine;
        let url = preview.image.as_deref().expect("an image");
        let data = url.strip_prefix("data:image/jpeg;base64,").unwrap();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap();
        let img = image::load_from_memory(&bytes).unwrap();
        (img.width(), img.height())
    }

    #[test]
    fn a_scanned_pdf_shows_its_first_page_scaled_to_fit_with_its_page_count() {
        let dir = tempfile::tempdir().unwrap();
        let pdf = dir.path().join("scan.pdf");
        let pages = [jpeg(2480, 3508), jpeg(100, 100)];
        std::fs::write(&pdf, decoda_pages::pdf_from_jpegs(&pages, 300).unwrap()).unwrap();
        let preview = preview_of(&pdf, "application/pdf");
        assert_eq!(preview.pages, Some(2));
        assert_eq!(shown_size(&preview), (990, 1400), "an A4 page, fitted");
    }

    #[test]
    fn an_image_is_shown_itself_and_other_files_say_why_not() {
        let dir = tempfile::tempdir().unwrap();
        let photo = dir.path().join("card.jpg");
        std::fs::write(&photo, jpeg(800, 500)).unwrap();
        let preview = preview_of(&photo, "image/jpeg");
        assert_eq!(shown_size(&preview), (800, 500), "never scaled up");
        assert_eq!(preview.pages, None);

        let letter = dir.path().join("letter.pdf");
        std::fs::write(&letter, b"%PDF-1.4 typed, not scanned").unwrap();
        let preview = preview_of(&letter, "application/pdf");
        assert!(preview.image.is_none());
        assert_eq!(preview.note.as_deref(), Some("it cannot be read as a PDF"));
        let text = preview_of(&letter, "text/plain");
        assert_eq!(
            text.note.as_deref(),
            Some("this kind of file is not shown here")
        );
    }
}
