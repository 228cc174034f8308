//! The stand-in scanner's paper: page images from a folder, or generated pages, turned into the
//! JPEG a real scanner would send for the mode and resolution a job asked for.

use image::codecs::jpeg::{JpegEncoder, PixelDensity};
use image::{DynamicImage, GrayImage, Luma};
use std::path::{Path, PathBuf};

/// Page images in a folder are taken to be scans at this resolution.
pub const SOURCE_DPI: u32 = 300;

/// One sheet side in the feeder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sheet {
    /// A page image (PNG, JPEG, …) read when it is scanned.
    File(PathBuf),
    /// A generated page: a white US Letter page with a frame and `n` bars, so tests can tell
    /// which page they received.
    Generated(usize),
    /// A patient cover sheet (its code, as `decoda cover-sheet` prints it) for a patient of a
    /// tenant, so that stacks for several patients can be scanned.
    Cover {
        /// The tenant the sheet's code names.
        tenant: String,
        /// The patient it names.
        patient_id: String,
    },
}

/// Reads a stack described in words: `cover:pat_1001,page,page,cover:pat_1002,file:letter.png`
/// (each `page` a generated page, each `cover:ID` a cover sheet for that patient of `tenant`, each
/// `file:PATH` a page image, taken as scanned at [`SOURCE_DPI`]).
pub fn stack(spec: &str, tenant: &str) -> Result<Vec<Sheet>, String> {
    let mut pages = 0;
    spec.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| match item.split_once(':') {
            None if item == "page" => {
                pages += 1;
                Ok(Sheet::Generated(pages))
            }
            Some(("cover", patient)) if !patient.is_empty() => Ok(Sheet::Cover {
                tenant: tenant.to_owned(),
                patient_id: patient.to_owned(),
            }),
            Some(("file", path)) if !path.is_empty() => Ok(Sheet::File(PathBuf::from(path))),
            _ => Err(format!(
                "`{item}` is not `page`, `cover:PATIENT_ID` or `file:PATH`"
            )),
        })
        .collect()
}

/// What a job asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rendering {
    /// Greyscale (`Grayscale8`) rather than colour (`RGB24`).
    pub grey: bool,
    /// Dots per inch.
    pub dpi: u32,
    /// The scanned region, in 1/300 inch: a generated page fills it exactly.
    pub region: (u32, u32),
}

/// The page images of `folder` (PNG, JPEG, TIFF-free formats the sandbox reads), in name order.
pub fn sheets_in(folder: &Path) -> std::io::Result<Vec<Sheet>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                matches!(
                    e.to_ascii_lowercase().as_str(),
                    "png" | "jpg" | "jpeg" | "bmp" | "gif" | "webp"
                )
            })
        })
        .collect();
    files.sort();
    Ok(files.into_iter().map(Sheet::File).collect())
}

/// `count` generated pages.
pub fn generated(count: usize) -> Vec<Sheet> {
    (1..=count).map(Sheet::Generated).collect()
}

/// The sheet as the scanner sends it: a JPEG in the asked mode, at the asked resolution, with
/// that resolution in its header.
pub fn render(sheet: &Sheet, how: Rendering) -> Result<Vec<u8>, String> {
    let image = match sheet {
        Sheet::File(path) => {
            let image =
                image::open(path).map_err(|e| format!("page image {}: {e}", path.display()))?;
            scaled(image, how.dpi)
        }
        Sheet::Generated(n) => DynamicImage::ImageLuma8(generated_page(*n, how)),
        Sheet::Cover { tenant, patient_id } => {
            let code = decoda_cover::CoverCode::new(tenant, patient_id);
            DynamicImage::ImageLuma8(decoda_cover::cover_sheet_image(&code, how.dpi)?)
        }
    };
    let mut jpeg = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut jpeg, 85);
    let dpi = u16::try_from(how.dpi).unwrap_or(u16::MAX);
    encoder.set_pixel_density(PixelDensity::dpi(dpi));
    // The concrete buffer, not the DynamicImage (whose pixels are RGBA): one component for grey,
    // as a real scanner sends it and sane-airscan checks it.
    let encoded = if how.grey {
        encoder.encode_image(&image.to_luma8())
    } else {
        encoder.encode_image(&image.to_rgb8())
    };
    encoded.map_err(|e| e.to_string())?;
    Ok(jpeg)
}

fn scaled(image: DynamicImage, dpi: u32) -> DynamicImage {
    if dpi == SOURCE_DPI {
        return image;
    }
    let scale = |side: u32| (u64::from(side) * u64::from(dpi) / u64::from(SOURCE_DPI)).max(1);
    let (w, h) = (scale(image.width()), scale(image.height()));
    image.resize_exact(
        u32::try_from(w).unwrap_or(u32::MAX),
        u32::try_from(h).unwrap_or(u32::MAX),
        image::imageops::FilterType::Triangle,
    )
}

/// A white page filling the region at `dpi`, with a black frame and `n` black bars down its left
/// half.
fn generated_page(n: usize, how: Rendering) -> GrayImage {
    let dpi = how.dpi;
    let (w, h) = (
        how.region.0 * dpi / SOURCE_DPI,
        how.region.1 * dpi / SOURCE_DPI,
    );
    let margin = dpi / 2;
    let bar = (dpi / 10).max(2);
    GrayImage::from_fn(w, h, |x, y| {
        let frame = (margin..margin + bar).contains(&x)
            || (w - margin - bar..w - margin).contains(&x)
            || (margin..margin + bar).contains(&y)
            || (h - margin - bar..h - margin).contains(&y);
        let inside = x > margin + 2 * bar && x < w / 2 && y > margin + 2 * bar;
        let row = (y.saturating_sub(margin + 2 * bar)) / (2 * bar);
        let on_bar = inside
            && usize::try_from(row).is_ok_and(|r| r < n)
            && (y - margin - 2 * bar) % (2 * bar) < bar;
        Luma([if frame || on_bar { 0 } else { 255 }])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stack_in_words_gives_its_pages_and_cover_sheets_in_order() {
        let sheets = stack("cover:pat_1001, page,page,cover:pat_1002,page", "t").unwrap();
        assert_eq!(sheets.len(), 5);
        assert_eq!(sheets[2], Sheet::Generated(2));
        assert_eq!(
            sheets[3],
            Sheet::Cover {
                tenant: "t".into(),
                patient_id: "pat_1002".into()
            }
        );
        assert!(stack("page,letter", "t").unwrap_err().contains("`letter`"));
        let mixed = stack("cover:pat_1003,file:/scans/letter.png", "t").unwrap();
        assert_eq!(mixed[1], Sheet::File(PathBuf::from("/scans/letter.png")));
    }

    #[test]
    fn a_generated_page_is_sent_in_the_asked_mode_and_resolution() {
        for (grey, colour_type) in [
            (true, image::ColorType::L8),
            (false, image::ColorType::Rgb8),
        ] {
            let jpeg = render(
                &Sheet::Generated(3),
                Rendering {
                    grey,
                    dpi: 100,
                    region: (2550, 3300),
                },
            )
            .unwrap();
            assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
            let back = image::load_from_memory(&jpeg).unwrap();
            assert_eq!((back.width(), back.height()), (850, 1100));
            assert_eq!(back.color(), colour_type);
        }
        assert_ne!(
            render(
                &Sheet::Generated(1),
                Rendering {
                    grey: true,
                    dpi: 100,
                    region: (2550, 3300)
                }
            )
            .unwrap(),
            render(
                &Sheet::Generated(2),
                Rendering {
                    grey: true,
                    dpi: 100,
                    region: (2550, 3300)
                }
            )
            .unwrap(),
            "pages can be told apart"
        );
    }
}
