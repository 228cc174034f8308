//! `decoda cover-sheet` and `decoda split`: a stack for two patients, scanned from the stand-in
//! scanner with their cover sheets, splits into two parts proposed for them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{env, json, text, Env, KEY};
use decoda_cover::{cover_sheet_image, CoverCode};
use decoda_sandbox::scanner::{sheets_in, spawn_scanner, ScannerState};
use std::path::{Path, PathBuf};

/// A letter's page as a page image "scanned" at 300 dpi: white, with a block of "text".
fn letter(path: &Path, shade: u8) {
    let page = image::GrayImage::from_fn(1275, 1650, |x, y| {
        image::Luma([
            if (200..1000).contains(&x) && (300..300 + u32::from(shade)).contains(&y) {
                0
            } else {
                255
            },
        ])
    });
    page.save(path).unwrap();
}

fn cover(path: &Path, tenant: &str, patient: &str) {
    cover_sheet_image(&CoverCode::new(tenant, patient), 300)
        .unwrap()
        .save(path)
        .unwrap();
}

/// The stand-in's feeder, loaded from a folder of page images, scanned with `decoda scan` into
/// one PDF: the stack as a clinic would have it.
async fn scanned_stack(e: &Env, pages: &Path) -> PathBuf {
    let scanner = spawn_scanner(
        ScannerState::new(sheets_in(pages).unwrap()),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let stack = e.dir.path().join("stack.pdf");
    let out = e
        .scan(None, &scanner.url())
        .arg("--out")
        .arg(&stack)
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    stack
}

#[tokio::test]
async fn a_stack_with_two_cover_sheets_splits_into_two_parts_for_two_patients() {
    let e = env().await;
    let pages = e.dir.path().join("feeder");
    std::fs::create_dir(&pages).unwrap();
    cover(&pages.join("01.png"), "demo-clinic", "pat_1001");
    letter(&pages.join("02.png"), 40);
    letter(&pages.join("03.png"), 80);
    cover(&pages.join("04.png"), "demo-clinic", "pat_1002");
    letter(&pages.join("05.png"), 120);
    cover(&pages.join("06.png"), "another-clinic", "pat_1003");
    letter(&pages.join("07.png"), 160);
    let stack = scanned_stack(&e, &pages).await;

    let out = e
        .cmd(Some(KEY))
        .arg("split")
        .arg("--json")
        .arg(&stack)
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report = json(&out);
    let file = &report["files"][0];
    assert_eq!(file["pages"], 7);
    let parts = file["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 3, "{parts:?}");
    assert_eq!(parts[0]["pages"], serde_json::json!([2, 3]));
    assert_eq!(parts[0]["patientId"], "pat_1001");
    assert_eq!(parts[0]["coverPage"], 1);
    assert!(
        parts[0]["patient"]
            .as_str()
            .unwrap()
            .contains("GARCIA, Maria  Born 12-Mar-1984"),
        "{}",
        parts[0]
    );
    assert_eq!(parts[1]["pages"], serde_json::json!([5]));
    assert_eq!(parts[1]["patientId"], "pat_1002");
    assert!(
        parts[1]["patient"]
            .as_str()
            .unwrap()
            .contains("Born 30-Jul-1991"),
        "{}",
        parts[1]
    );
    assert_eq!(parts[2]["pages"], serde_json::json!([7]));
    assert!(parts[2]["patientId"].is_null());
    assert!(
        parts[2]["noPatient"]
            .as_str()
            .unwrap()
            .contains("another account (tenant another-clinic)"),
        "{}",
        parts[2]
    );

    let words = e.cmd(None).arg("split").arg(&stack).output().await.unwrap();
    let said = text(&words.stdout);
    assert!(said.contains("7 pages, 3 parts"), "{said}");
    assert!(
        said.contains("pages 2-3: proposed for patient pat_1001 (cover sheet: page 1)"),
        "without a key, ids: {said}"
    );
    assert!(
        e.sandbox.state().attachments().is_empty(),
        "splitting sends nothing"
    );
}

#[tokio::test]
async fn a_cover_sheet_names_its_patient_and_is_never_written_over_a_file() {
    let e = env().await;
    let sheet = e.dir.path().join("garcia.pdf");
    let out = cover_sheet(&e, "pat_1001", &sheet).await;
    let said = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("Cover sheet for GARCIA, Maria"), "{said}");
    let bytes = std::fs::read(&sheet).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(
        !text(&bytes).contains("DECODA-COVER"),
        "the code is drawn, its text is not in the file"
    );

    let again = cover_sheet(&e, "pat_1001", &sheet).await;
    assert_eq!(again.status.code(), Some(2));
    let nobody = e.dir.path().join("nobody.pdf");
    let unknown = cover_sheet(&e, "pat_9999", &nobody).await;
    assert_eq!(unknown.status.code(), Some(4), "{}", text(&unknown.stderr));
    assert!(!nobody.exists());
}

async fn cover_sheet(e: &Env, patient: &str, out: &Path) -> std::process::Output {
    e.cmd(Some(KEY))
        .args(["cover-sheet", "--patient", patient, "--out"])
        .arg(out)
        .output()
        .await
        .unwrap()
}
