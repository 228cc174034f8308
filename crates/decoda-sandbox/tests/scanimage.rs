//! The stand-in scanner is a real eSCL scanner to a real client: SANE's `airscan` backend, driven
//! by `scanimage`, lists it and scans its feeder to the last page.
//!
//! SANE reads its configuration from `SANE_CONFIG_DIR` (airscan also from /etc/sane.d, whose file
//! lists nothing by default), so the test configures a private folder and touches nothing else.
//! Without `scanimage` the test says so and passes, unless `DECODA_REQUIRE_SYSTEM_TOOLS` is set, as
//! CI sets it (scripts/test.sh), where a missing scanner client is a failure.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use decoda_sandbox::scanner::{generated, spawn_scanner, ScannerState};
use std::path::Path;
use std::time::Duration;
use tokio::process::Command;

fn scanimage_present() -> bool {
    let found = std::process::Command::new("scanimage")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("DECODA_REQUIRE_SYSTEM_TOOLS").is_none(),
            "scanimage is required here: install sane-utils and sane-airscan"
        );
        eprintln!("skipped: scanimage is not installed (sane-utils, sane-airscan)");
    }
    found
}

/// A SANE configuration folder naming only the stand-in, with discovery off.
fn sane_config(dir: &Path, url: &str) {
    std::fs::write(dir.join("dll.conf"), "airscan\n").unwrap();
    std::fs::write(
        dir.join("airscan.conf"),
        format!("[devices]\n\"Sandbox\" = {url}, eSCL\n\n[options]\ndiscovery = disable\n"),
    )
    .unwrap();
}

fn scanimage(config: &Path) -> Command {
    let mut c = Command::new("scanimage");
    c.env("SANE_CONFIG_DIR", config).kill_on_drop(true);
    c
}

async fn finished(c: &mut Command) -> std::process::Output {
    tokio::time::timeout(Duration::from_secs(120), c.output())
        .await
        .expect("scanimage finished within two minutes")
        .unwrap()
}

/// The size of a binary PNM (P5 grey, P6 colour) image; its header may hold `#` comments.
fn pnm_size(bytes: &[u8]) -> (String, u32, u32) {
    let header = String::from_utf8_lossy(&bytes[..bytes.len().min(256)]).to_string();
    let mut fields = header
        .lines()
        .filter(|l| !l.starts_with('#'))
        .flat_map(str::split_ascii_whitespace);
    let magic = fields.next().unwrap().to_owned();
    let w = fields.next().unwrap().parse().unwrap();
    let h = fields.next().unwrap().parse().unwrap();
    (magic, w, h)
}

#[tokio::test]
async fn scanimage_lists_the_stand_in_and_scans_its_feeder_to_the_last_page() {
    if !scanimage_present() {
        return;
    }
    let scanner = spawn_scanner(
        ScannerState::new(generated(3)),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    sane_config(dir.path(), &scanner.url());

    let listed = finished(scanimage(dir.path()).arg("-L")).await;
    let said = String::from_utf8_lossy(&listed.stdout).to_string();
    assert!(said.contains("airscan:e0:Sandbox"), "scanimage -L: {said}");

    let out = dir.path().join("page%d.pnm");
    let scanned = finished(
        scanimage(dir.path())
            .args([
                "-d",
                "airscan:e0:Sandbox",
                "--source",
                "ADF",
                "--mode",
                "Color",
            ])
            .args(["--resolution", "150", "--format=pnm"])
            .arg(format!("--batch={}", out.display())),
    )
    .await;
    let err = String::from_utf8_lossy(&scanned.stderr).to_string();
    let pages: Vec<_> = (1..=4)
        .map(|n| dir.path().join(format!("page{n}.pnm")))
        .filter(|p| p.exists())
        .collect();
    assert_eq!(
        pages.len(),
        3,
        "three pages, and the empty feeder ended the batch: {err}"
    );
    assert!(scanned.status.success(), "{err}");
    for page in &pages {
        let (magic, w, h) = pnm_size(&std::fs::read(page).unwrap());
        assert_eq!(
            (magic.as_str(), w, h),
            ("P6", 1275, 1754),
            "a colour Letter-by-A4 page at 150 dpi"
        );
    }
    assert_eq!(scanner.state().feeder_len(), 0);
    assert_eq!(scanner.state().open_jobs(), 0, "sane-airscan ended its job");
}
