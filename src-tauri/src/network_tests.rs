//! The app's API client goes through the `proxy` the settings name: a loopback proxy records what
//! it is asked, for a server (`decoda.test`) that exists nowhere else.

use crate::AppState;
use std::{
    collections::HashMap,
    io::{Read, Write},
    net::TcpListener,
    sync::mpsc,
};

/// A proxy that takes one connection, sends back its first request line, and refuses the tunnel.
fn one_shot_proxy() -> (u16, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let Ok((mut socket, _)) = listener.accept() else {
            return;
        };
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match socket.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        let text = String::from_utf8_lossy(&head);
        let _ = tx.send(text.lines().next().unwrap_or_default().to_owned());
        let _ = socket.write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
    });
    (port, rx)
}

#[test]
fn the_api_client_goes_through_the_proxy_the_settings_name() {
    let (port, seen) = one_shot_proxy();
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.toml");
    std::fs::write(
        &settings,
        format!(
            "api_url = \"https://decoda.test\"\ntenant = \"t\"\nproxy = \"http://127.0.0.1:{port}\"\n"
        ),
    )
    .unwrap();
    let env = HashMap::from([("DECODA_API_KEY".to_owned(), "k".to_owned())]);
    let state = AppState::new(
        settings,
        decoda_settings::Keychain::with_service("decoda-uploader-network-test-unused"),
        env,
    );
    let client = state.client().unwrap();
    let answer = tauri::async_runtime::block_on(
        client.patient(&decoda_engine::api::PatientId::new("pat_1")),
    );
    assert!(answer.is_err(), "the proxy refuses the tunnel");
    let line = seen
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("the request reached the configured proxy");
    assert_eq!(line, "CONNECT decoda.test:443 HTTP/1.1");
}
