//! PNG thumbnails for stored attachments, made on first request and cached on disk.
//!
//! Images (sniffed by content, not by name) are scaled down to fit 256x256; anything else gets a drawn
//! placeholder page whose coloured band tells PDFs (red) and Word files (blue) from the rest (grey), so a
//! client's preview code sees real, decodable PNGs either way.

use std::io::{BufReader, Cursor};
use std::path::{Path, PathBuf};

use image::{DynamicImage, ImageFormat, ImageReader, Rgba, RgbaImage};

/// Largest width and height of a thumbnail.
pub const MAX_SIDE: u32 = 256;

/// What a non-image file looks like on its placeholder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DocKind {
    /// Red band.
    Pdf,
    /// Blue band.
    Word,
    /// Grey band.
    Other,
}

/// Why a thumbnail could not be made.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ThumbnailError {
    #[error("thumbnail I/O failed")]
    Io(#[from] std::io::Error),
    #[error("encoding the thumbnail failed")]
    Encode(#[from] image::ImageError),
    #[error("the thumbnail task failed")]
    Task(#[from] tokio::task::JoinError),
}

/// Returns the cached thumbnail of `source`, making it first if needed.
///
/// `content_type` and `file_name` only pick the placeholder colour; images are recognised by content.
pub(crate) async fn cached_png(
    source: PathBuf,
    cache: PathBuf,
    content_type: Option<String>,
    file_name: String,
) -> Result<Vec<u8>, ThumbnailError> {
    if let Ok(bytes) = tokio::fs::read(&cache).await {
        return Ok(bytes);
    }
    let png =
        tokio::task::spawn_blocking(move || render(&source, content_type.as_deref(), &file_name))
            .await??;
    let temp = cache.with_extension(format!("{}.tmp", uuid::Uuid::new_v4()));
    tokio::fs::write(&temp, &png).await?;
    tokio::fs::rename(&temp, &cache).await?;
    Ok(png)
}

fn render(
    source: &Path,
    content_type: Option<&str>,
    file_name: &str,
) -> Result<Vec<u8>, ThumbnailError> {
    let image = match decode_image(source) {
        Some(image) => shrink(image),
        None => DynamicImage::ImageRgba8(placeholder(doc_kind(source, content_type, file_name))),
    };
    let mut png = Vec::new();
    image.write_to(&mut Cursor::new(&mut png), ImageFormat::Png)?;
    Ok(png)
}

/// Decodes the file when its content is a supported image format.
fn decode_image(source: &Path) -> Option<DynamicImage> {
    let file = std::fs::File::open(source).ok()?;
    let reader = ImageReader::new(BufReader::new(file))
        .with_guessed_format()
        .ok()?;
    let supported = matches!(
        reader.format(),
        Some(
            ImageFormat::Png
                | ImageFormat::Jpeg
                | ImageFormat::Gif
                | ImageFormat::WebP
                | ImageFormat::Bmp
        )
    );
    if !supported {
        return None;
    }
    reader.decode().ok()
}

fn shrink(image: DynamicImage) -> DynamicImage {
    if image.width() <= MAX_SIDE && image.height() <= MAX_SIDE {
        image
    } else {
        image.thumbnail(MAX_SIDE, MAX_SIDE)
    }
}

/// Picks the placeholder colour from the file's first bytes, then its declared type and name.
pub(crate) fn doc_kind(source: &Path, content_type: Option<&str>, file_name: &str) -> DocKind {
    let mut head = [0u8; 5];
    let read = std::fs::File::open(source)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    let content_type = content_type.unwrap_or_default().to_ascii_lowercase();
    let name = file_name.to_ascii_lowercase();
    if head.get(..read).is_some_and(|h| h.starts_with(b"%PDF"))
        || content_type.contains("pdf")
        || name.ends_with(".pdf")
    {
        DocKind::Pdf
    } else if content_type.contains("word") || name.ends_with(".doc") || name.ends_with(".docx") {
        DocKind::Word
    } else {
        DocKind::Other
    }
}

/// A white page with a folded corner, a coloured band and grey "text" lines.
pub(crate) fn placeholder(kind: DocKind) -> RgbaImage {
    const W: u32 = 192;
    const H: u32 = 256;
    const FOLD: u32 = 44;
    let band = match kind {
        DocKind::Pdf => Rgba([211, 47, 47, 255]),
        DocKind::Word => Rgba([30, 91, 214, 255]),
        DocKind::Other => Rgba([120, 120, 120, 255]),
    };
    RgbaImage::from_fn(W, H, |x, y| {
        let corner_x = x + FOLD >= W;
        let beyond_fold = corner_x && y < FOLD && (x + FOLD - W) > y;
        if beyond_fold {
            Rgba([0, 0, 0, 0])
        } else if corner_x && y < FOLD {
            Rgba([205, 205, 205, 255])
        } else if x == 0 || y == H - 1 || x == W - 1 || y == 0 {
            Rgba([150, 150, 150, 255])
        } else if (176..212).contains(&y) {
            band
        } else if y > 30 && y < 160 && (y - 30) % 16 < 6 && (20..W - 30).contains(&x) {
            Rgba([215, 215, 215, 255])
        } else {
            Rgba([255, 255, 255, 255])
        }
    })
}
