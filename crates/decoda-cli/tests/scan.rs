//! `decoda scan` against the sandbox's stand-in eSCL scanner and the sandbox API: the real binary,
//! real HTTP on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{env, text, Env, KEY};
use decoda_sandbox::scanner::{
    advertise, generated, multicast_or_skip, spawn_scanner, Scanner, ScannerFaults, ScannerState,
};

async fn scanner(pages: usize) -> Scanner {
    spawn_scanner(
        ScannerState::new(generated(pages)),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap()
}

/// The pages of a PDF the sandbox stored, fetched at its signed link as a person opening it would.
async fn pages_in_chart(e: &Env, signed_url: &str) -> usize {
    let bytes = reqwest::get(signed_url)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let copy = e.dir.path().join("from-chart.pdf");
    std::fs::write(&copy, &bytes).unwrap();
    decoda_pages::first_page(&copy).unwrap().pages
}

fn scans_in(e: &Env) -> Vec<std::path::PathBuf> {
    match std::fs::read_dir(e.dir.path().join("data").join("scans")) {
        Ok(dir) => dir.map(|f| f.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    }
}

#[tokio::test]
async fn a_five_page_feeder_becomes_one_five_page_pdf_in_the_confirmed_patients_chart() {
    let e = env().await;
    let scanner = scanner(5).await;
    let out = e
        .scan(Some(KEY), &scanner.url())
        .args(["--patient", "pat_1001", "--yes", "--json"])
        .output()
        .await
        .unwrap();
    let said = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("Scanned 5 pages"), "{said}");
    assert!(
        said.contains("Patient: GARCIA, Maria"),
        "shows whose chart: {said}"
    );
    let landed = e.sandbox.state().attachments();
    assert_eq!(landed.len(), 1, "one document");
    assert_eq!(landed[0].patient_id, "pat_1001");
    let signed = landed[0].response.signed_url.clone();
    assert_eq!(
        pages_in_chart(&e, &signed).await,
        5,
        "five pages in one PDF"
    );
    assert!(
        scans_in(&e).is_empty(),
        "no copy of the paper stays on the computer once it is in the chart"
    );
}

#[tokio::test]
async fn a_jam_saves_the_pages_received_and_uploads_nothing() {
    let e = env().await;
    let scanner = scanner(5).await;
    scanner.state().set_faults(ScannerFaults {
        jam_after: Some(3),
        ..ScannerFaults::default()
    });
    let out = e
        .scan(Some(KEY), &scanner.url())
        .args(["--patient", "pat_1001", "--yes"])
        .output()
        .await
        .unwrap();
    let said = text(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{said}");
    assert!(
        said.contains(
            "The scan stopped after 3 pages: the scanner's feeder stopped (a page is jammed)"
        ),
        "{said}"
    );
    assert!(said.contains("they were not uploaded"), "{said}");
    assert!(
        e.sandbox.state().attachments().is_empty(),
        "a part of a document is never sent as if whole"
    );
    let kept = scans_in(&e);
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(decoda_pages::first_page(&kept[0]).unwrap().pages, 3);
}

#[tokio::test]
async fn a_scan_saved_to_a_file_never_replaces_one_and_an_unknown_patient_scans_nothing() {
    let e = env().await;
    let scanner = scanner(2).await;
    let out_pdf = e.dir.path().join("letter.pdf");
    let out = e
        .scan(None, &scanner.url())
        .arg("--gray")
        .arg("--out")
        .arg(&out_pdf)
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(decoda_pages::first_page(&out_pdf).unwrap().pages, 2);

    scanner.state().reload();
    let again = e
        .scan(None, &scanner.url())
        .arg("--out")
        .arg(&out_pdf)
        .output()
        .await
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(
        text(&again.stderr).contains("already exists"),
        "{}",
        text(&again.stderr)
    );

    let unknown = e
        .cmd(Some(KEY))
        .args([
            "scan",
            "--scanner",
            &scanner.url(),
            "--patient",
            "pat_9999",
            "--yes",
        ])
        .output()
        .await
        .unwrap();
    assert_eq!(unknown.status.code(), Some(4), "{}", text(&unknown.stderr));
    assert_eq!(
        scanner.state().feeder_len(),
        2,
        "no paper went through for an unknown patient"
    );
    assert_eq!(
        scanner.state().pages_sent(),
        2,
        "only the first scan's pages"
    );
}

#[tokio::test]
async fn a_scanner_that_cannot_be_reached_is_said_in_words() {
    let e = env().await;
    let out = e
        .cmd(None)
        .args(["scan", "--scanner", "http://127.0.0.1:9/eSCL", "--out"])
        .arg(e.dir.path().join("x.pdf"))
        .output()
        .await
        .unwrap();
    let said = text(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{said}");
    assert!(said.contains("the scanner cannot be reached"), "{said}");
    assert!(!e.dir.path().join("x.pdf").exists());
}

fn scanners_in_settings(e: &Env, addresses: &[&str]) {
    let list: Vec<String> = addresses.iter().map(|a| format!("{a:?}")).collect();
    std::fs::write(
        e.dir.path().join("settings.toml"),
        format!("[scanners]\naddresses = [{}]\n", list.join(", ")),
    )
    .unwrap();
}

#[tokio::test]
async fn the_scanners_in_the_settings_are_listed_as_they_answer_and_one_needs_no_address() {
    let e = env().await;
    let scanner = scanner(2).await;
    scanners_in_settings(&e, &[&scanner.url(), "http://127.0.0.1:9/eSCL"]);
    let out = e
        .cmd(None)
        .args(["scanners", "--json", "--no-discover"])
        .output()
        .await
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "one cannot be reached: {}",
        text(&out.stderr)
    );
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &listed["scanners"][0];
    assert_eq!(first["makeAndModel"], "Decoda Sandbox Scanner");
    assert_eq!(
        first["sources"],
        serde_json::json!(["feeder (two-sided)", "glass"])
    );
    assert_eq!(first["resolutions"], serde_json::json!([150, 200, 300]));
    assert_eq!(first["state"], "ready");
    assert!(first["problem"].is_null());
    let second = &listed["scanners"][1];
    assert!(
        second["problem"]
            .as_str()
            .unwrap()
            .starts_with("the scanner cannot be reached"),
        "{second}"
    );

    let several = e
        .cmd(None)
        .args(["scan", "--out"])
        .arg(e.dir.path().join("a.pdf"))
        .output()
        .await
        .unwrap();
    assert_eq!(several.status.code(), Some(2));
    assert!(
        text(&several.stderr).contains("several scanners are set up"),
        "{}",
        text(&several.stderr)
    );

    scanners_in_settings(&e, &[&scanner.url()]);
    let settings = e.cmd(None).arg("settings").output().await.unwrap();
    assert!(
        text(&settings.stdout).contains(&format!("Network scanners: {}", scanner.url())),
        "{}",
        text(&settings.stdout)
    );
    let pdf = e.dir.path().join("b.pdf");
    let one = e
        .cmd(None)
        .args(["scan", "--resolution", "150", "--out"])
        .arg(&pdf)
        .output()
        .await
        .unwrap();
    assert_eq!(one.status.code(), Some(0), "{}", text(&one.stderr));
    assert_eq!(decoda_pages::first_page(&pdf).unwrap().pages, 2);
}

#[tokio::test]
async fn scanners_announced_on_the_network_are_listed_with_the_configured_ones_each_once() {
    if !multicast_or_skip() {
        return;
    }
    let e = env().await;
    // Announced on a private mDNS port on loopback: nothing reaches the real network.
    let mdns_port = std::net::UdpSocket::bind("0.0.0.0:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let configured = scanner(1).await;
    let other = scanner(1).await;
    let _announced = [
        advertise(configured.addr(), mdns_port.parse().unwrap()).unwrap(),
        advertise(other.addr(), mdns_port.parse().unwrap()).unwrap(),
    ];
    // Written with a trailing slash: still the same scanner as the one announced.
    scanners_in_settings(&e, &[&format!("{}/", configured.url())]);
    let wait = ["--wait", "3", "--mdns-port", &mdns_port];
    let out = e
        .cmd(None)
        .args(["scanners", "--json"])
        .args(wait)
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let scanners = listed["scanners"].as_array().unwrap();
    assert_eq!(scanners.len(), 2, "the configured one once: {listed}");
    assert_eq!(scanners[0]["origin"], "configured");
    assert_eq!(scanners[0]["address"], format!("{}/", configured.url()));
    assert_eq!(scanners[0]["name"], "Decoda Sandbox Scanner");
    assert_eq!(scanners[1]["origin"], "found on the network");
    assert_eq!(scanners[1]["address"], other.url());
    assert_eq!(scanners[1]["makeAndModel"], "Decoda Sandbox Scanner");
    assert_eq!(scanners[1]["state"], "ready");
    assert!(listed["discoveryProblem"].is_null(), "{listed}");

    let out = e
        .cmd(None)
        .arg("scanners")
        .args(wait)
        .output()
        .await
        .unwrap();
    let said = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        said.contains(&format!(
            "{}/ (configured): Decoda Sandbox Scanner",
            configured.url()
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "{} (found on the network): Decoda Sandbox Scanner",
            other.url()
        )),
        "{said}"
    );

    // Asked not to look, only the settings' scanner.
    let out = e
        .cmd(None)
        .args([
            "scanners",
            "--json",
            "--no-discover",
            "--mdns-port",
            &mdns_port,
        ])
        .output()
        .await
        .unwrap();
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed["scanners"].as_array().unwrap().len(), 1, "{listed}");
}
