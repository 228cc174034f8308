//! Discovery finds scanners that announce themselves over multicast DNS: the sandbox's stand-in
//! scanner (announced as a real one is) and a bare `_uscans` service, each on this computer's
//! loopback interface and on a private mDNS port, so the test neither sees the real network's
//! scanners nor announces anything to it.
//!
//! Without multicast on loopback (some containers) the test says so and passes, unless
//! `DECODA_REQUIRE_SYSTEM_TOOLS` is set, as CI sets it (scripts/test.sh), where it fails.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use decoda_sandbox::scanner::{
    advertise, generated, multicast_or_skip, spawn_scanner, ScannerState,
};
use decoda_scan::discovery::{discover_on_port, FoundScanner};
use decoda_scan::Scanner;
use mdns_sd::{IfKind, ServiceDaemon, ServiceInfo};
use std::time::Duration;

/// Long enough for a responder's probing (about 0.75 s) and the search's first queries.
const WAIT: Duration = Duration::from_secs(3);

/// A UDP port nobody uses now, for this test's own multicast DNS.
fn private_mdns_port() -> u16 {
    std::net::UdpSocket::bind("0.0.0.0:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn announced_scanners_are_found_with_their_escl_address_and_name() {
    if !multicast_or_skip() {
        return;
    }
    let port = private_mdns_port();
    let scanner = spawn_scanner(
        ScannerState::new(generated(1)),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let _announced = advertise(scanner.addr(), port).unwrap();

    // A secure one with no make and model and its path written with slashes.
    let responder = ServiceDaemon::new_with_port(port).unwrap();
    responder.disable_interface(IfKind::All).unwrap();
    responder.enable_interface(IfKind::LoopbackV4).unwrap();
    let secure = ServiceInfo::new(
        "_uscans._tcp.local.",
        "Front desk.2",
        "front-desk.local.",
        "127.0.0.1",
        9443,
        &[("rs", "/scan/eSCL/"), ("txtvers", "1")][..],
    )
    .unwrap();
    responder.register(secure).unwrap();

    let found = discover_on_port(port, WAIT).await.unwrap();
    responder.shutdown().unwrap();
    assert_eq!(
        found,
        vec![
            FoundScanner {
                name: "Decoda Sandbox Scanner".into(),
                url: scanner.url(),
                secure: false,
            },
            FoundScanner {
                name: "Front desk.2".into(),
                url: "https://127.0.0.1:9443/scan/eSCL".into(),
                secure: true,
            },
        ],
        "sorted by name, each once"
    );
    // The address found is one the scanner client takes as it is.
    let caps = Scanner::new(&found[0].url)
        .unwrap()
        .capabilities()
        .await
        .unwrap();
    assert_eq!(caps.make_and_model, "Decoda Sandbox Scanner");
}

#[tokio::test]
async fn nothing_announced_is_an_empty_list_after_the_wait() {
    let port = private_mdns_port();
    let started = std::time::Instant::now();
    let found = discover_on_port(port, Duration::from_millis(300))
        .await
        .unwrap();
    assert!(found.is_empty(), "{found:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "bounded by the wait"
    );
}
