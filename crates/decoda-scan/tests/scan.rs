//! Scans from the sandbox's stand-in eSCL scanner over real HTTP on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use decoda_sandbox::scanner::{
    generated, spawn_scanner, Scanner as StandIn, ScannerFaults, ScannerState,
};
use decoda_scan::{ColourMode, ScanError, ScanRequest, Scanned, Scanner, Source};
use tokio_util::sync::CancellationToken;

async fn stand_in(pages: usize) -> StandIn {
    spawn_scanner(
        ScannerState::new(generated(pages)),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap()
}

/// 150 dpi keeps the generated pages small and the tests quick.
fn request() -> ScanRequest {
    ScanRequest {
        resolution: 150,
        ..ScanRequest::default()
    }
}

async fn scan(stand_in: &StandIn, request: ScanRequest) -> Scanned {
    let scanner = Scanner::new(&stand_in.url()).unwrap();
    scanner
        .scan(&request, &CancellationToken::new(), |_| {})
        .await
}

#[tokio::test]
async fn a_feeder_of_five_pages_gives_five_jpeg_pages_in_order_and_ends_its_job() {
    let stand_in = stand_in(5).await;
    let scanner = Scanner::new(&stand_in.url()).unwrap();
    let caps = scanner.capabilities().await.unwrap();
    assert!(caps.duplex && caps.platen.is_some());
    let mut counted = Vec::new();
    let scanned = scanner
        .scan(&request(), &CancellationToken::new(), |n| counted.push(n))
        .await;
    assert!(scanned.stopped.is_none(), "{:?}", scanned.stopped);
    assert_eq!(counted, [1, 2, 3, 4, 5]);
    let pages: Vec<_> = scanned
        .pages
        .iter()
        .map(|p| image::load_from_memory(&p.jpeg).unwrap())
        .collect();
    assert_eq!(pages.len(), 5);
    assert_eq!(
        (pages[0].width(), pages[0].height()),
        (1275, 1754),
        "Letter by A4 at 150 dpi"
    );
    assert_eq!(pages[0].color(), image::ColorType::Rgb8);
    assert_ne!(scanned.pages[0], scanned.pages[1], "each page is its own");
    assert_eq!(
        stand_in.state().open_jobs(),
        0,
        "the job was ended on the scanner"
    );
    assert_eq!(stand_in.state().feeder_len(), 0);
}

#[tokio::test]
async fn grey_pages_come_grey_and_the_glass_gives_one_page() {
    let stand_in = stand_in(3).await;
    let grey = scan(
        &stand_in,
        ScanRequest {
            colour: ColourMode::Grey,
            source: Source::Flatbed,
            ..request()
        },
    )
    .await;
    assert!(grey.stopped.is_none(), "{:?}", grey.stopped);
    assert_eq!(grey.pages.len(), 1);
    let page = image::load_from_memory(&grey.pages[0].jpeg).unwrap();
    assert_eq!(page.color(), image::ColorType::L8);
    assert_eq!(
        stand_in.state().feeder_len(),
        3,
        "the feeder was not touched"
    );
}

#[tokio::test]
async fn a_jam_keeps_the_pages_received_and_says_what_to_do() {
    let stand_in = stand_in(5).await;
    stand_in.state().set_faults(ScannerFaults {
        jam_after: Some(2),
        ..ScannerFaults::default()
    });
    let scanned = scan(&stand_in, request()).await;
    assert_eq!(scanned.pages.len(), 2, "the pages before the jam are kept");
    let why = scanned.stopped.unwrap();
    assert_eq!(why, ScanError::FeederProblem("a page is jammed".into()));
    assert!(why.to_string().contains("clear the paper path"), "{why}");
    assert_eq!(stand_in.state().open_jobs(), 0, "the jammed job was ended");
}

#[tokio::test]
async fn a_scanner_that_vanishes_mid_job_keeps_the_pages_received() {
    let stand_in = stand_in(5).await;
    stand_in.state().set_faults(ScannerFaults {
        vanish_after: Some(3),
        ..ScannerFaults::default()
    });
    let scanned = scan(&stand_in, request()).await;
    assert_eq!(scanned.pages.len(), 3);
    let why = scanned.stopped.unwrap();
    assert!(matches!(why, ScanError::Unreachable { .. }), "{why:?}");
    assert!(why.to_string().contains("switched on"), "{why}");
}

#[tokio::test]
async fn an_empty_feeder_a_busy_scanner_and_an_unoffered_resolution_are_refused_before_a_job() {
    let empty = stand_in(0).await;
    let scanned = scan(&empty, request()).await;
    assert_eq!(scanned.stopped, Some(ScanError::FeederEmpty));
    assert!(scanned.pages.is_empty());

    let busy = stand_in(2).await;
    busy.state().set_faults(ScannerFaults {
        busy: true,
        ..ScannerFaults::default()
    });
    assert_eq!(scan(&busy, request()).await.stopped, Some(ScanError::Busy));

    let fine = stand_in(2).await;
    let too_fine = scan(
        &fine,
        ScanRequest {
            resolution: 600,
            ..request()
        },
    )
    .await;
    assert_eq!(
        too_fine.stopped.unwrap().to_string(),
        "the scanner does not offer 600 dpi; it offers 150 dpi, 200 dpi, 300 dpi"
    );
    assert_eq!(fine.state().pages_sent(), 0);
}

#[tokio::test]
async fn cancelling_keeps_the_pages_so_far_and_ends_the_job_on_the_scanner() {
    let stand_in = stand_in(5).await;
    let scanner = Scanner::new(&stand_in.url()).unwrap();
    let cancel = CancellationToken::new();
    let scanned = scanner
        .scan(&request(), &cancel, |n| {
            if n == 2 {
                cancel.cancel();
            }
        })
        .await;
    assert_eq!(scanned.stopped, Some(ScanError::Cancelled));
    assert_eq!(scanned.pages.len(), 2);
    assert_eq!(stand_in.state().open_jobs(), 0);
}

#[tokio::test]
async fn nothing_listening_is_said_in_words() {
    let stand_in = stand_in(1).await;
    let url = stand_in.url();
    stand_in.shutdown().await;
    let scanned = scan_at(&url).await;
    let why = scanned.stopped.unwrap();
    assert!(
        why.to_string().starts_with("the scanner cannot be reached"),
        "{why}"
    );
}

async fn scan_at(url: &str) -> Scanned {
    Scanner::new(url)
        .unwrap()
        .scan(&request(), &CancellationToken::new(), |_| {})
        .await
}
