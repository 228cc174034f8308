//! The pages of scanned documents.
//!
//! Scanners write PDFs that hold one JPEG per page, so the first page of a scan is shown by
//! taking that JPEG out as it is, without rendering the PDF (which would need a PDF engine the
//! web view does not have and the package should not carry). A PDF whose first page is not a
//! single embedded JPEG (a letter printed to PDF) has no preview: the sorter says so.
//!
//! The other way round, [`pdf_from_jpegs`] puts JPEG pages together as one PDF without
//! re-encoding them: what the scanner sent is what the chart gets.

use image::ImageDecoder;
use lopdf::{dictionary, Document, Object, Stream};
use std::path::Path;

/// Why the pages of a document cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum PagesError {
    /// The file is not a PDF this app can read (damaged, encrypted or not a PDF).
    #[error("it cannot be read as a PDF ({0})")]
    NotReadable(String),
    /// A page given to [`pdf_from_jpegs`] is not a JPEG image.
    #[error("page {page} is not a JPEG image ({reason})")]
    NotJpeg {
        /// Which page, counted from 1.
        page: usize,
        /// What the image reader said.
        reason: String,
    },
}

/// The first page of a PDF as the scanner made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstPage {
    /// How many pages the document has.
    pub pages: usize,
    /// The page's JPEG, as embedded, when the page is one JPEG image.
    pub jpeg: Option<Vec<u8>>,
}

/// Reads how many pages `path` has and, when its first page is a single JPEG image (as
/// scanners write them), that image.
pub fn first_page(path: &Path) -> Result<FirstPage, PagesError> {
    let doc = load(path)?;
    let pages = doc.get_pages();
    let jpeg = pages
        .values()
        .next()
        .and_then(|page| page_jpeg(&doc, *page));
    Ok(FirstPage {
        pages: pages.len(),
        jpeg,
    })
}

/// Every page of `path`, in order, as its JPEG (as embedded) when the page is one JPEG image,
/// else `None`: what a scanned stack is read from to find its cover sheets.
pub fn page_jpegs(path: &Path) -> Result<Vec<Option<Vec<u8>>>, PagesError> {
    let doc = load(path)?;
    Ok(doc
        .get_pages()
        .values()
        .map(|page| page_jpeg(&doc, *page))
        .collect())
}

/// A page of a scanned PDF as the scanner made it: its one JPEG image as embedded, its turn
/// (`/Rotate`: 0, 90, 180 or 270) and the resolution its image fills the page at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedPage {
    /// The page's JPEG, as embedded (not re-encoded).
    pub jpeg: Vec<u8>,
    /// Clockwise degrees the page is shown turned by.
    pub turn: u16,
    /// Dots per inch: the image's width over the page's.
    pub dpi: u32,
}

/// Every page of `path` as [`ScannedPage`]s, when the document is a scan: at most `max_pages`
/// pages, each one 8-bit JPEG image in grey or colour. `None` for any other document (a letter
/// printed to PDF, a page with text or two images, CMYK), which is then left as it is.
pub fn scanned_pages(
    path: &Path,
    max_pages: usize,
) -> Result<Option<Vec<ScannedPage>>, PagesError> {
    let doc = load(path)?;
    let pages = doc.get_pages();
    if pages.is_empty() || pages.len() > max_pages {
        return Ok(None);
    }
    Ok(pages
        .values()
        .map(|page| scanned_page(&doc, *page))
        .collect())
}

fn scanned_page(doc: &Document, page: lopdf::ObjectId) -> Option<ScannedPage> {
    let images = doc.get_page_images(page).ok()?;
    let [only] = images.as_slice() else {
        return None;
    };
    let plain = matches!(
        only.color_space.as_deref(),
        Some("DeviceGray" | "DeviceRGB" | "ICCBased")
    );
    if !is_jpeg(only) || !plain || only.bits_per_component.is_some_and(|b| b != 8) {
        return None;
    }
    let dict = doc.get_dictionary(page).ok()?;
    let turn = match inherited(doc, dict, b"Rotate").and_then(|r| r.as_i64().ok()) {
        Some(r) => match r.rem_euclid(360) {
            90 => 90,
            180 => 180,
            270 => 270,
            _ => 0,
        },
        None => 0,
    };
    let page_width = inherited(doc, dict, b"MediaBox")
        .and_then(|b| b.as_array().ok())
        .and_then(|b| {
            let side = |i: usize| b.get(i).and_then(|n| n.as_float().ok());
            Some(f64::from((side(2)? - side(0)?).abs()))
        })
        .filter(|w| *w >= 1.0)?;
    let dpi = (only.width as f64 * POINTS_PER_INCH / page_width).round();
    Some(ScannedPage {
        jpeg: only.content.to_vec(),
        turn,
        dpi: (dpi.clamp(1.0, 10_000.0)) as u32,
    })
}

/// A page attribute the page may inherit from the page tree above it (`/Rotate`, `/MediaBox`).
fn inherited<'d>(doc: &'d Document, page: &'d lopdf::Dictionary, key: &[u8]) -> Option<&'d Object> {
    let mut node = page;
    for _ in 0..32 {
        if let Ok(value) = node.get(key) {
            return doc.dereference(value).ok().map(|(_, v)| v);
        }
        node = doc
            .get_dictionary(node.get(b"Parent").ok()?.as_reference().ok()?)
            .ok()?;
    }
    None
}

fn load(path: &Path) -> Result<Document, PagesError> {
    Document::load(path).map_err(|e| PagesError::NotReadable(e.to_string()))
}

fn page_jpeg(doc: &Document, page: lopdf::ObjectId) -> Option<Vec<u8>> {
    let images = doc.get_page_images(page).ok()?;
    match images.as_slice() {
        [only] if is_jpeg(only) => Some(only.content.to_vec()),
        _ => None,
    }
}

fn is_jpeg(image: &lopdf::xobject::PdfImage<'_>) -> bool {
    matches!(image.filters.as_deref(), Some([only]) if only == "DCTDecode")
}

/// Where documents scanned on this computer wait for their upload, in the data folder: the same
/// for `decoda scan` and the window.
pub fn scans_folder(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("scans")
}

/// Saves a scanned document in `folder` (made if missing) as `{stem}.pdf`, or `{stem} (1).pdf`
/// and so on when that name is taken: an earlier scan is never replaced. Written through to the
/// disk before the path is returned.
pub fn save_new_pdf(folder: &Path, stem: &str, pdf: &[u8]) -> std::io::Result<std::path::PathBuf> {
    save_pdf(folder, stem, pdf, false)
}

/// [`save_new_pdf`], except that a file under one of those names that already holds exactly
/// `pdf` is returned as it is: the same part of the same stack, made again (the stack was
/// dropped twice, or read again after a restart), is one file, never a second copy.
pub fn save_pdf_once(folder: &Path, stem: &str, pdf: &[u8]) -> std::io::Result<std::path::PathBuf> {
    save_pdf(folder, stem, pdf, true)
}

fn save_pdf(
    folder: &Path,
    stem: &str,
    pdf: &[u8],
    reuse_same: bool,
) -> std::io::Result<std::path::PathBuf> {
    use std::io::Write as _;
    std::fs::create_dir_all(folder)?;
    for n in 0..100 {
        let name = match n {
            0 => format!("{stem}.pdf"),
            n => format!("{stem} ({n}).pdf"),
        };
        let path = folder.join(name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                file.write_all(pdf)?;
                file.sync_all()?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if reuse_same && std::fs::read(&path).is_ok_and(|held| held == pdf) {
                    return Ok(path);
                }
            }
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        "a hundred scans already have this name",
    ))
}

/// PDF user space units per inch.
const POINTS_PER_INCH: f64 = 72.0;

/// Puts JPEG pages together as one PDF, each page embedded as it is (no re-encoding), sized
/// for `dpi` (the resolution the pages were scanned at).
pub fn pdf_from_jpegs(pages: &[Vec<u8>], dpi: u32) -> Result<Vec<u8>, PagesError> {
    let upright: Vec<(&[u8], u16)> = pages.iter().map(|p| (p.as_slice(), 0)).collect();
    pdf_from_pages(&upright, dpi)
}

/// [`pdf_from_jpegs`] with each page turned clockwise by its angle (0, 90, 180 or 270 degrees;
/// others count as 0). The turn is the page's `/Rotate`: the image stays as the scanner sent it.
pub fn pdf_from_pages(pages: &[(&[u8], u16)], dpi: u32) -> Result<Vec<u8>, PagesError> {
    let sized: Vec<(&[u8], u16, u32)> = pages.iter().map(|(j, t)| (*j, *t, dpi)).collect();
    pdf_from_sized_pages(&sized)
}

/// [`pdf_from_pages`] with each page's own resolution (JPEG, turn, dpi): pages taken out of
/// another scan keep their size.
pub fn pdf_from_sized_pages(pages: &[(&[u8], u16, u32)]) -> Result<Vec<u8>, PagesError> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut kids = Vec::with_capacity(pages.len());
    for (i, (jpeg, turn, dpi)) in pages.iter().enumerate() {
        let (jpeg, dpi) = (*jpeg, *dpi);
        let (width, height, gray) = jpeg_header(jpeg).map_err(|reason| PagesError::NotJpeg {
            page: i + 1,
            reason,
        })?;
        let image = Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Image",
                "Width" => width,
                "Height" => height,
                "ColorSpace" => if gray { "DeviceGray" } else { "DeviceRGB" },
                "BitsPerComponent" => 8,
                "Filter" => "DCTDecode",
            },
            jpeg.to_vec(),
        );
        let image_id = doc.add_object(image);
        let scale = POINTS_PER_INCH / f64::from(dpi.max(1));
        let (w, h) = (f64::from(width) * scale, f64::from(height) * scale);
        let content = format!("q {w:.2} 0 0 {h:.2} 0 0 cm /Im0 Do Q");
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), Object::Real(w as f32), Object::Real(h as f32)],
            "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => image_id } },
            "Contents" => content_id,
            "Rotate" => i64::from(if matches!(turn, 90 | 180 | 270) { *turn } else { 0 }),
        });
        kids.push(page.into());
    }
    let count = i64::try_from(kids.len()).unwrap_or(i64::MAX);
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| PagesError::NotReadable(e.to_string()))?;
    Ok(out)
}

/// A JPEG's size and whether it is grey, from its header alone.
fn jpeg_header(jpeg: &[u8]) -> Result<(u32, u32, bool), String> {
    let reader =
        image::ImageReader::with_format(std::io::Cursor::new(jpeg), image::ImageFormat::Jpeg);
    let decoder = reader.into_decoder().map_err(|e| e.to_string())?;
    let (width, height) = decoder.dimensions();
    let gray = matches!(
        decoder.color_type(),
        image::ColorType::L8 | image::ColorType::L16
    );
    Ok((width, height, gray))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(width: u32, height: u32, shade: u8) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(width, height, image::Rgb([shade, 40, 90]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
        out.into_inner()
    }

    #[test]
    fn the_first_page_of_a_scan_is_its_jpeg_as_embedded() {
        let dir = tempfile::tempdir().unwrap();
        let pages = [jpeg(60, 80, 10), jpeg(60, 80, 200), jpeg(40, 30, 90)];
        let pdf = dir.path().join("scan.pdf");
        std::fs::write(&pdf, pdf_from_jpegs(&pages, 300).unwrap()).unwrap();
        let first = first_page(&pdf).unwrap();
        assert_eq!(first.pages, 3);
        assert_eq!(
            first.jpeg.as_deref(),
            Some(pages[0].as_slice()),
            "not re-encoded"
        );
    }

    #[test]
    fn every_page_of_a_scan_is_read_back_as_embedded_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let pages = [jpeg(60, 80, 10), jpeg(60, 80, 200), jpeg(40, 30, 90)];
        let pdf = dir.path().join("scan.pdf");
        std::fs::write(&pdf, pdf_from_jpegs(&pages, 300).unwrap()).unwrap();
        let read: Vec<Vec<u8>> = page_jpegs(&pdf).unwrap().into_iter().flatten().collect();
        assert_eq!(read, pages);
    }

    #[test]
    fn a_turned_page_is_rotated_in_the_pdf_and_its_image_kept_as_sent() {
        let pages = [jpeg(60, 80, 10), jpeg(60, 80, 200)];
        let pdf = pdf_from_pages(&[(&pages[0], 90), (&pages[1], 45)], 300).unwrap();
        let doc = Document::load_mem(&pdf).unwrap();
        let turns: Vec<i64> = doc
            .get_pages()
            .values()
            .map(|id| {
                doc.get_dictionary(*id)
                    .unwrap()
                    .get(b"Rotate")
                    .unwrap()
                    .as_i64()
                    .unwrap()
            })
            .collect();
        assert_eq!(turns, [90, 0], "45 is not a page turn");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("turned.pdf");
        std::fs::write(&file, &pdf).unwrap();
        let read: Vec<Vec<u8>> = page_jpegs(&file).unwrap().into_iter().flatten().collect();
        assert_eq!(read, pages);
    }

    #[test]
    fn a_scan_saved_under_a_taken_name_gets_a_number_and_replaces_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let folder = scans_folder(dir.path());
        let first = save_new_pdf(&folder, "Scan 2026-11-30 081500", b"%PDF-one").unwrap();
        let second = save_new_pdf(&folder, "Scan 2026-11-30 081500", b"%PDF-two").unwrap();
        assert_eq!(first.file_name().unwrap(), "Scan 2026-11-30 081500.pdf");
        assert_eq!(
            second.file_name().unwrap(),
            "Scan 2026-11-30 081500 (1).pdf"
        );
        assert_eq!(std::fs::read(&first).unwrap(), b"%PDF-one");
        assert_eq!(std::fs::read(&second).unwrap(), b"%PDF-two");
    }

    #[test]
    fn the_same_part_saved_twice_is_one_file_and_a_different_one_gets_a_number() {
        let dir = tempfile::tempdir().unwrap();
        let first = save_pdf_once(dir.path(), "Scan part 1", b"%PDF-one").unwrap();
        let again = save_pdf_once(dir.path(), "Scan part 1", b"%PDF-one").unwrap();
        let other = save_pdf_once(dir.path(), "Scan part 1", b"%PDF-two").unwrap();
        assert_eq!(first, again);
        assert_eq!(other.file_name().unwrap(), "Scan part 1 (1).pdf");
        assert_eq!(std::fs::read(&first).unwrap(), b"%PDF-one");
    }

    #[test]
    fn a_scan_is_read_with_each_pages_turn_and_resolution_and_other_pdfs_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let pages = [jpeg(600, 300, 10), jpeg(300, 150, 200)];
        let pdf = pdf_from_sized_pages(&[(&pages[0], 270, 300), (&pages[1], 0, 150)]).unwrap();
        let scan = dir.path().join("scan.pdf");
        std::fs::write(&scan, pdf).unwrap();
        let read = scanned_pages(&scan, 10).unwrap().unwrap();
        let summary: Vec<_> = read
            .iter()
            .map(|p| (p.jpeg.clone(), p.turn, p.dpi))
            .collect();
        assert_eq!(
            summary,
            [(pages[0].clone(), 270, 300), (pages[1].clone(), 0, 150)]
        );
        assert_eq!(scanned_pages(&scan, 1).unwrap(), None, "over the page cap");

        let mut doc = Document::load_mem(&std::fs::read(&scan).unwrap()).unwrap();
        let first = *doc.get_pages().values().next().unwrap();
        let page = doc.get_dictionary_mut(first).unwrap();
        page.remove(b"Rotate");
        page.set("Resources", dictionary! {});
        let typed = dir.path().join("typed.pdf");
        doc.save(&typed).unwrap();
        assert_eq!(
            scanned_pages(&typed, 10).unwrap(),
            None,
            "a page without its image"
        );
    }

    #[test]
    fn pages_are_sized_for_the_resolution_they_were_scanned_at() {
        let pdf = pdf_from_jpegs(&[jpeg(600, 300, 1)], 300).unwrap();
        let doc = Document::load_mem(&pdf).unwrap();
        let page = *doc.get_pages().values().next().unwrap();
        let media = doc.get_dictionary(page).unwrap().get(b"MediaBox").unwrap();
        let sides: Vec<f32> = media
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o.as_float().unwrap())
            .collect();
        assert_eq!(sides, [0.0, 0.0, 144.0, 72.0], "2 by 1 inches");
    }

    #[test]
    fn a_pdf_without_a_jpeg_page_has_no_preview_and_junk_is_not_a_pdf() {
        let dir = tempfile::tempdir().unwrap();
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let page = doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
            ),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        let text = dir.path().join("letter.pdf");
        doc.save(&text).unwrap();
        assert_eq!(
            first_page(&text).unwrap(),
            FirstPage {
                pages: 1,
                jpeg: None
            }
        );

        let junk = dir.path().join("junk.pdf");
        std::fs::write(&junk, b"%PDF-1.4 not really").unwrap();
        assert!(matches!(first_page(&junk), Err(PagesError::NotReadable(_))));
        assert!(matches!(
            pdf_from_jpegs(&[b"png?".to_vec()], 300),
            Err(PagesError::NotJpeg { page: 1, .. })
        ));
    }
}
