//! Finding QR codes on a scanned page.

use image::GrayImage;

/// Pages are searched at most this many pixels on their long side: a cover sheet's code is a
/// few centimetres wide, so 150 dpi is plenty, and a 300 dpi page searched whole takes four
/// times as long.
const SEARCH_SIDE: u32 = 1800;

/// The texts of the QR codes on a page.
pub fn codes_in(page: &GrayImage) -> Vec<String> {
    let scaled;
    let page = if page.width().max(page.height()) > SEARCH_SIDE {
        let ratio = f64::from(SEARCH_SIDE) / f64::from(page.width().max(page.height()));
        let side = |n: u32| ((f64::from(n) * ratio).round() as u32).max(1);
        scaled = image::imageops::resize(
            page,
            side(page.width()),
            side(page.height()),
            image::imageops::FilterType::Triangle,
        );
        &scaled
    } else {
        page
    };
    let (w, h) = (page.width() as usize, page.height() as usize);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        page.get_pixel(x as u32, y as u32).0[0]
    });
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .collect()
}

/// The texts of the QR codes on a page given as a JPEG (a scanner's page, as embedded in its PDF).
pub fn codes_in_jpeg(jpeg: &[u8]) -> Result<Vec<String>, String> {
    let page = image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg)
        .map_err(|e| format!("the page image cannot be read ({e})"))?;
    Ok(codes_in(&page.to_luma8()))
}
