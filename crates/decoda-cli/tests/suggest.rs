//! `decoda suggest`: the patients a document's first page names, read by Tesseract from a scan
//! or taken from a PDF's own text, looked up in the sandbox's demo clinic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{env, json, text, Env, KEY};
use decoda_sandbox::paper::letter_pdf;
use std::path::{Path, PathBuf};

const REFERRAL: [&str; 4] = [
    "Lakeside Family Medicine",
    "Re: GARCIA, Maria    DOB: 07/30/1991",
    "Thank you for seeing Maria Garcia about her knee.",
    "Sincerely, Dr. Helen Ward",
];

fn required() -> bool {
    std::env::var("DECODA_REQUIRE_SYSTEM_TOOLS").is_ok_and(|v| v == "1")
}

/// The letter as a scanner would deliver it, or `None` (the test is skipped) without poppler's
/// `pdftoppm` or Tesseract.
fn scanned(e: &Env, lines: &[&str]) -> Option<PathBuf> {
    let tools = ["pdftoppm", "tesseract"]
        .iter()
        .all(|t| std::process::Command::new(t).arg("-v").output().is_ok());
    if !tools {
        assert!(
            !required(),
            "pdftoppm and tesseract are needed (DECODA_REQUIRE_SYSTEM_TOOLS=1)"
        );
        eprintln!("skipped: pdftoppm or tesseract is not installed");
        return None;
    }
    let pdf = e.file("letter.pdf", &letter_pdf(lines));
    let stem = e.dir.path().join("scan");
    let status = std::process::Command::new("pdftoppm")
        .args(["-r", "200", "-gray", "-png", "-singlefile"])
        .arg(&pdf)
        .arg(&stem)
        .status()
        .unwrap();
    assert!(status.success());
    Some(stem.with_extension("png"))
}

async fn suggest(e: &Env, files: &[&Path], tesseract: Option<&str>) -> std::process::Output {
    let mut cmd = e.cmd(Some(KEY));
    cmd.args(["suggest", "--json"]).args(files);
    if let Some(t) = tesseract {
        cmd.env("DECODA_TESSERACT", t);
    }
    let out = cmd.output().await.unwrap();
    common::assert_no_key(&out);
    out
}

#[tokio::test]
async fn a_scanned_letter_suggests_its_patient_with_the_words_that_matched() {
    let e = env().await;
    let Some(scan) = scanned(&e, &REFERRAL) else {
        return;
    };
    let out = suggest(&e, &[&scan], None).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let file = &json(&out)["files"][0];
    assert_eq!(file["source"], "recognised");
    let first = &file["candidates"][0];
    assert_eq!(first["patientId"], "pat_1002", "{file}");
    assert_eq!(first["confidence"], "high");
    assert_eq!(first["name"], "GARCIA, Maria");
    assert_eq!(first["dateOfBirth"], "1991-07-30");
    let evidence = first["evidence"].as_array().unwrap();
    let texts: Vec<&str> = evidence
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert!(texts.contains(&"07/30/1991"), "{texts:?}");
    // The evidence is where the words are: the "Re:" line, a sixth of the way down the page.
    for area in evidence.iter().flat_map(|e| e["areas"].as_array().unwrap()) {
        let y = area["y"].as_f64().unwrap();
        assert!(
            area["x"].as_f64().unwrap() > 0.0 && (0.05..0.3).contains(&y),
            "{area}"
        );
    }
    // The other Maria Garcia is offered only as a weak hint: her birth date is not the one on the page.
    let second = &file["candidates"][1];
    assert_eq!(second["patientId"], "pat_1001");
    assert_eq!(second["confidence"], "low");
}

#[tokio::test]
async fn a_pdf_with_its_own_text_is_read_without_tesseract() {
    let e = env().await;
    let pdf = e.file("printed.pdf", &letter_pdf(&REFERRAL));
    let out = suggest(&e, &[&pdf], Some("/nonexistent/tesseract")).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let file = &json(&out)["files"][0];
    assert_eq!(file["source"], "pdfText");
    assert_eq!(file["candidates"][0]["patientId"], "pat_1002", "{file}");
}

#[tokio::test]
async fn without_tesseract_a_scan_gets_no_suggestion_and_says_why() {
    let e = env().await;
    let scan = e.file("scan.png", &[0x89, b'P', b'N', b'G']);
    let out = suggest(&e, &[&scan], Some("/nonexistent/tesseract")).await;
    assert_eq!(out.status.code(), Some(1));
    let error = json(&out)["files"][0]["error"].as_str().unwrap().to_owned();
    assert!(error.contains("Tesseract) is not installed"), "{error}");
}

#[tokio::test]
async fn a_birth_date_without_the_name_is_a_warning_not_a_candidate() {
    let e = env().await;
    let pdf = e.file(
        "other.pdf",
        &letter_pdf(&["Patient: Jane Doe", "DOB: 03/12/1984"]),
    );
    let out = e.run(Some(KEY), &["suggest", pdf.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("no patient suggested"), "{said}");
    assert!(
        said.contains(
            "warning: The birth date of Maria Garcia is on the page, but the name is not"
        ),
        "{said}"
    );
    assert!(said.contains("pat_1001"), "{said}");
}
