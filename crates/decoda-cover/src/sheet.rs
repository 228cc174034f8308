//! The printable cover sheet: the patient in the banner's format for the person holding it, the
//! code for the scanner, and one line on how to use it.

use crate::CoverCode;
use image::{GrayImage, Luma};
use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Document, Object, Stream};
use qrcode::{Color, EcLevel, QrCode};

/// What the sheet says in words, in the patient banner's format (`GARCIA, Maria`; `Born
/// 12-Mar-1984 (42y) · Female · ID pat_1001`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetText {
    /// The patient's name as the banner shows it.
    pub name: String,
    /// Birth date, age, gender and id, as the banner shows them.
    pub details: String,
}

impl SheetText {
    /// The words of a sheet from the banner's fields (name, `12-Mar-1984 (42y)`, gender, id).
    pub fn new(name: &str, born: &str, gender: &str, id: &str) -> Self {
        Self {
            name: name.to_owned(),
            details: format!("Born {born}   Gender {gender}   ID {id}"),
        }
    }
}

/// US Letter, in points; it prints on A4 too (the content sits well inside both).
const PAGE: (f64, f64) = (612.0, 792.0);
/// The code's side on paper, in points (2.5 inches): read at any scanner resolution from 150 dpi.
const CODE_SIDE: f64 = 180.0;
/// The code's centre, in points from the bottom-left corner.
const CODE_CENTRE: (f64, f64) = (306.0, 400.0);

fn qr(code: &CoverCode) -> Result<QrCode, String> {
    QrCode::with_error_correction_level(code.text().as_bytes(), EcLevel::M)
        .map_err(|e| format!("the code cannot be made ({e})"))
}

/// The dark modules of the code, as (column, row) with the quiet zone counted in, and the side
/// in modules.
fn modules(qr: &QrCode) -> (Vec<(usize, usize)>, usize) {
    const QUIET: usize = 4;
    let width = qr.width();
    let dark = qr
        .to_colors()
        .iter()
        .enumerate()
        .filter(|(_, c)| **c == Color::Dark)
        .map(|(i, _)| (i % width + QUIET, i / width + QUIET))
        .collect();
    (dark, width + 2 * QUIET)
}

/// The cover sheet as a one-page PDF.
pub fn cover_sheet_pdf(code: &CoverCode, text: &SheetText) -> Result<Vec<u8>, String> {
    let (dark, side) = modules(&qr(code)?);
    let module = CODE_SIDE / side as f64;
    let left = CODE_CENTRE.0 - CODE_SIDE / 2.0;
    let top = CODE_CENTRE.1 + CODE_SIDE / 2.0;
    let mut ops = Vec::new();
    let mut line = |font: &str, size: f64, y: f64, words: &str| {
        ops.extend([
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec![font.into(), size.into()]),
            Operation::new("Td", vec![54.0.into(), y.into()]),
            Operation::new("Tj", vec![Object::string_literal(win_ansi(words))]),
            Operation::new("ET", vec![]),
        ]);
    };
    line("F2", 12.0, 730.0, "Decoda Uploader - patient cover sheet");
    line("F2", 30.0, 680.0, &text.name);
    line("F1", 15.0, 652.0, &text.details);
    line(
        "F1",
        11.0,
        250.0,
        "Put this sheet on top of this patient's pages, then scan the whole stack.",
    );
    line(
        "F1",
        11.0,
        234.0,
        "The pages up to the next cover sheet are proposed for this patient; you confirm them.",
    );
    line(
        "F1",
        11.0,
        218.0,
        "This sheet itself is not uploaded. Print a new one for each patient.",
    );
    for (x, y) in dark {
        ops.push(Operation::new(
            "re",
            vec![
                (left + x as f64 * module).into(),
                (top - (y + 1) as f64 * module).into(),
                module.into(),
                module.into(),
            ],
        ));
    }
    ops.push(Operation::new("f", vec![]));
    let content = Content { operations: ops }
        .encode()
        .map_err(|e| format!("the sheet cannot be written ({e})"))?;
    write_pdf(content)
}

fn write_pdf(content: Vec<u8>) -> Result<Vec<u8>, String> {
    let mut doc = Document::with_version("1.5");
    let font = |name: &str| {
        dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => name,
            "Encoding" => "WinAnsiEncoding",
        }
    };
    let regular = doc.add_object(font("Helvetica"));
    let bold = doc.add_object(font("Helvetica-Bold"));
    let pages_id = doc.new_object_id();
    let content_id = doc.add_object(Stream::new(dictionary! {}, content));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), PAGE.0.into(), PAGE.1.into()],
        "Contents" => content_id,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => regular, "F2" => bold } },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![page_id.into()],
            "Count" => 1,
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| format!("the sheet cannot be written ({e})"))?;
    Ok(out)
}

/// The sheet's words in the standard fonts' encoding; a letter it lacks prints as `?` (the code,
/// not the words, is what the scanner reads).
fn win_ansi(words: &str) -> Vec<u8> {
    words
        .chars()
        .map(|c| match u32::from(c) {
            n @ (0x20..=0x7E | 0xA0..=0xFF) => u8::try_from(n).unwrap_or(b'?'),
            _ => b'?',
        })
        .collect()
}

/// The sheet as a scanner would see it at `dpi`: a white US Letter page with the code where the
/// PDF puts it (the words are left out). For stand-in scanners' feeders and tests.
pub fn cover_sheet_image(code: &CoverCode, dpi: u32) -> Result<GrayImage, String> {
    let (dark, side) = modules(&qr(code)?);
    let to_px = |points: f64| (points * f64::from(dpi) / 72.0).round() as u32;
    let (w, h) = (to_px(PAGE.0), to_px(PAGE.1));
    let module = CODE_SIDE / side as f64;
    let left = CODE_CENTRE.0 - CODE_SIDE / 2.0;
    let top_from_top = PAGE.1 - (CODE_CENTRE.1 + CODE_SIDE / 2.0);
    let mut page = GrayImage::from_pixel(w, h, Luma([255]));
    for (x, y) in dark {
        let (x0, y0) = (
            to_px(left + x as f64 * module),
            to_px(top_from_top + y as f64 * module),
        );
        let (x1, y1) = (
            to_px(left + (x + 1) as f64 * module),
            to_px(top_from_top + (y + 1) as f64 * module),
        );
        for py in y0..y1.min(h) {
            for px in x0..x1.min(w) {
                page.put_pixel(px, py, Luma([0]));
            }
        }
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sheets_code_is_read_back_from_its_scanned_image() {
        let code = CoverCode::new("demo-clinic", "pat_1001");
        for dpi in [150, 300] {
            let page = cover_sheet_image(&code, dpi).unwrap();
            assert_eq!(crate::codes_in(&page), vec![code.text()], "{dpi} dpi");
        }
    }

    #[test]
    fn the_sheet_is_a_one_page_pdf_naming_the_patient() {
        let code = CoverCode::new("demo-clinic", "pat_1001");
        let text = SheetText {
            name: "GARCIA, María".into(),
            details: "Born 12-Mar-1984 (42y) · Female · ID pat_1001".into(),
        };
        let pdf = cover_sheet_pdf(&code, &text).unwrap();
        let doc = Document::load_mem(&pdf).unwrap();
        assert_eq!(doc.get_pages().len(), 1);
        let page = *doc.get_pages().values().next().unwrap();
        let content = String::from_utf8_lossy(&doc.get_page_content(page)).to_string();
        assert!(content.contains("GARCIA, Mar"), "{content}");
        assert!(
            !String::from_utf8_lossy(&pdf).contains(&code.text()),
            "the code is drawn, not written as text"
        );
        assert_eq!(win_ansi("María ·"), b"Mar\xeda \xb7");
    }
}
