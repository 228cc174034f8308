//! Signed file and thumbnail links: exact bytes, signature checks, and real PNG thumbnails.

use std::io::Cursor;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use image::{ImageFormat, RgbImage};

use super::{path_of, post_form, send, state, Form};
use crate::{SandboxState, THUMBNAIL_MAX_SIDE};

async fn upload_one(
    state: &SandboxState,
    name: &str,
    content_type: &str,
    bytes: &[u8],
) -> serde_json::Value {
    let form = Form::default().text("patient_id", "pat_1001").file(
        "attachments",
        name,
        content_type,
        bytes,
    );
    let answer = post_form(state, "/attachments/bulk", form).await;
    assert_eq!(answer.status, StatusCode::OK);
    answer.json()["attachments"][0].clone()
}

/// Fetches a link the way a browser would: no API key.
async fn fetch(state: &SandboxState, url: &str) -> super::Answer {
    send(
        state,
        Request::builder()
            .uri(path_of(url))
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn files_need_the_right_signature_but_no_key() {
    let state = state();
    let attachment = upload_one(&state, "a.bin", "application/octet-stream", b"\x00\x01\xff").await;
    let url = attachment["signedUrl"].as_str().unwrap();
    let good = fetch(&state, url).await;
    assert_eq!(good.status, StatusCode::OK);
    assert_eq!(good.body, b"\x00\x01\xff");
    let (base, _) = url.split_once("?sig=").unwrap();
    let forged = fetch(&state, &format!("{base}?sig=0000")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let unsigned = fetch(&state, base).await;
    assert_eq!(unsigned.status, StatusCode::FORBIDDEN);
}

fn decode_png(bytes: &[u8]) -> image::DynamicImage {
    assert_eq!(image::guess_format(bytes).unwrap(), ImageFormat::Png);
    image::load_from_memory_with_format(bytes, ImageFormat::Png).unwrap()
}

#[tokio::test]
async fn image_thumbnail_is_a_scaled_png() {
    let state = state();
    let mut jpeg = Vec::new();
    RgbImage::from_fn(800, 400, |x, _| {
        image::Rgb([u8::try_from(x % 256).unwrap(), 80, 160])
    })
    .write_to(&mut Cursor::new(&mut jpeg), ImageFormat::Jpeg)
    .unwrap();
    // Named .pdf on purpose: images are recognised by content.
    let attachment = upload_one(&state, "photo.pdf", "application/octet-stream", &jpeg).await;
    let answer = fetch(&state, attachment["thumbnailSignedUrl"].as_str().unwrap()).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers["content-type"], "image/png");
    let thumb = decode_png(&answer.body);
    assert_eq!(
        (thumb.width(), thumb.height()),
        (THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE / 2)
    );

    let id = attachment["id"].as_str().unwrap();
    assert!(
        state.thumbnail_path(id).exists(),
        "the thumbnail is cached on disk"
    );
    let again = fetch(&state, attachment["thumbnailSignedUrl"].as_str().unwrap()).await;
    assert_eq!(again.body, answer.body);
}

#[tokio::test]
async fn pdf_thumbnail_is_a_red_placeholder_png() {
    let state = state();
    let attachment = upload_one(&state, "report.pdf", "application/pdf", b"%PDF-1.7\n...").await;
    let answer = fetch(&state, attachment["thumbnailSignedUrl"].as_str().unwrap()).await;
    assert_eq!(answer.status, StatusCode::OK);
    let thumb = decode_png(&answer.body).to_rgba8();
    assert!(thumb.width() <= THUMBNAIL_MAX_SIDE && thumb.height() <= THUMBNAIL_MAX_SIDE);
    let band = thumb.get_pixel(thumb.width() / 2, 190);
    assert!(
        band[0] > 150 && band[1] < 100,
        "PDF placeholders have a red band, got {band:?}"
    );
}

#[tokio::test]
async fn word_and_other_placeholders_differ_in_colour() {
    let state = state();
    let word = upload_one(
        &state,
        "letter.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    )
    .await;
    let other = upload_one(&state, "notes.txt", "text/plain", b"hello").await;
    let word_png = decode_png(
        &fetch(&state, word["thumbnailSignedUrl"].as_str().unwrap())
            .await
            .body,
    )
    .to_rgba8();
    let other_png = decode_png(
        &fetch(&state, other["thumbnailSignedUrl"].as_str().unwrap())
            .await
            .body,
    )
    .to_rgba8();
    let w = word_png.get_pixel(96, 190);
    let o = other_png.get_pixel(96, 190);
    assert!(
        w[2] > 150 && w[0] < 100,
        "Word placeholders are blue, got {w:?}"
    );
    assert_eq!(o[0], o[2], "other placeholders are grey, got {o:?}");
}
