//! The printed cover sheet's code reads back once a PDF renderer has drawn it: the sheet's PDF is
//! rasterised by poppler's `pdftoppm` (as a printer and then a scanner would turn it into a page
//! image) and the code is found on the page. Without `pdftoppm` the test says so and passes,
//! unless `DECODA_REQUIRE_SYSTEM_TOOLS` is set, as CI sets it (scripts/test.sh).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use decoda_cover::{codes_in, cover_sheet_pdf, CoverCode, SheetText};

#[test]
fn the_code_of_the_printed_sheet_reads_back_from_its_rendered_page() {
    let present = std::process::Command::new("pdftoppm")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stderr.is_empty());
    if !present {
        assert!(
            std::env::var_os("DECODA_REQUIRE_SYSTEM_TOOLS").is_none(),
            "pdftoppm is required here: install poppler-utils"
        );
        eprintln!("skipped: pdftoppm is not installed (poppler-utils)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let code = CoverCode::new("demo-clinic", "pat_1002");
    let text = SheetText::new("GARCIA, Maria", "30-Jul-1991 (35y)", "Female", "pat_1002");
    let pdf = dir.path().join("sheet.pdf");
    std::fs::write(&pdf, cover_sheet_pdf(&code, &text).unwrap()).unwrap();
    for dpi in ["150", "300"] {
        let out = dir.path().join(format!("page{dpi}"));
        let rendered = std::process::Command::new("pdftoppm")
            .args(["-r", dpi, "-gray", "-png", "-singlefile"])
            .arg(&pdf)
            .arg(&out)
            .status()
            .unwrap();
        assert!(rendered.success());
        let page = image::open(out.with_extension("png")).unwrap().to_luma8();
        assert_eq!(codes_in(&page), vec![code.text()], "{dpi} dpi");
    }
}
