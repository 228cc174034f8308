//! Requests go through the proxy the settings name, or else the system's (`HTTPS_PROXY`,
//! `NO_PROXY`…), and never for this computer. A real proxy listens on loopback and records what
//! it is asked; the server it is asked for, `decoda.test`, exists nowhere else (`.test` is
//! reserved), so a request can only have reached it through the proxy.

#![allow(clippy::unwrap_used, clippy::expect_used)]
use decoda_api::{network, ApiError, ApiKey, BaseUrl, Client, PatientId, ProxyUrl};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What one request to a test server looked like.
#[derive(Debug, Clone)]
struct Seen {
    /// `CONNECT decoda.test:443 HTTP/1.1`, `GET http://decoda.test/x HTTP/1.1`…
    line: String,
    /// The `Proxy-Authorization` header, if any.
    auth: Option<String>,
}

/// A loopback server that records every request's first line and answers: a `CONNECT` with 403
/// (the proxy refuses the tunnel, so the test needs no certificate for `decoda.test`), any other
/// request with `status` and a short JSON body.
async fn server(status: &'static str) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let line = head.lines().next().unwrap_or_default().to_owned();
                let auth = head
                    .lines()
                    .find_map(|l| {
                        l.strip_prefix("proxy-authorization: ")
                            .or_else(|| l.strip_prefix("Proxy-Authorization: "))
                    })
                    .map(str::to_owned);
                let connect = line.starts_with("CONNECT ");
                log.lock().unwrap().push(Seen { line, auth });
                let body = r#"{"detail":"answered by the test server"}"#;
                let answer = if connect {
                    "HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n".to_owned()
                } else {
                    format!(
                        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    )
                };
                let _ = socket.write_all(answer.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (address, seen)
}

fn client(base: &str, proxy: Option<ProxyUrl>) -> Client {
    Client::builder(BaseUrl::parse(base).unwrap(), "t", ApiKey::new("k"))
        .proxy(proxy)
        .build()
        .unwrap()
}

fn lines(seen: &Arc<Mutex<Vec<Seen>>>) -> Vec<String> {
    seen.lock()
        .unwrap()
        .iter()
        .map(|s| s.line.clone())
        .collect()
}

/// The proxy address for a server at `http://127.0.0.1:port`, with a user name and password.
fn with_password(proxy: &str) -> ProxyUrl {
    let port = proxy.rsplit(':').next().unwrap();
    ProxyUrl::parse(&format!("http://nurse:s3cret-canary@127.0.0.1:{port}")).unwrap()
}

#[tokio::test]
async fn the_proxy_setting_carries_api_calls_with_its_credentials() {
    let (proxy, seen) = server("200 OK").await;
    let err = client("https://decoda.test", Some(with_password(&proxy)))
        .patient(&PatientId::new("pat_1"))
        .await
        .expect_err("the proxy refuses the tunnel");
    let requests = seen.lock().unwrap().clone();
    assert_eq!(
        requests.iter().map(|s| s.line.as_str()).collect::<Vec<_>>(),
        ["CONNECT decoda.test:443 HTTP/1.1"],
        "the call went to the configured proxy"
    );
    // "nurse:s3cret-canary" in Basic form.
    assert_eq!(
        requests[0].auth.as_deref(),
        Some("Basic bnVyc2U6czNjcmV0LWNhbmFyeQ=="),
        "the proxy's user name and password are sent to it"
    );
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains("s3cret-canary"),
        "an error never shows the proxy's password: {shown}"
    );
}

#[tokio::test]
async fn this_computer_is_reached_directly_even_with_a_proxy_set() {
    let (proxy, proxied) = server("200 OK").await;
    let (direct, reached) = server("401 Unauthorized").await;
    let err = client(&direct, Some(with_password(&proxy)))
        .patient(&PatientId::new("pat_1"))
        .await
        .expect_err("401");
    assert!(matches!(err, ApiError::Unauthorized { .. }), "{err}");
    assert!(
        lines(&proxied).is_empty(),
        "the proxy saw {:?}",
        lines(&proxied)
    );
    assert_eq!(lines(&reached), ["GET /user/patient/pat_1 HTTP/1.1"]);
}

/// What the engine's signed-link downloads and the app's thumbnails use: the proxy handed over
/// once with `set_proxy`. The only test here that sets it, and the only one that relies on it.
#[tokio::test]
async fn other_clients_use_the_proxy_the_front_end_set() {
    let (proxy, seen) = server("200 OK").await;
    network::set_proxy(Some(with_password(&proxy)));
    let answer = network::client_builder()
        .build()
        .unwrap()
        .get("http://decoda.test/storage/thumb.png")
        .send()
        .await
        .unwrap();
    network::set_proxy(None);
    assert_eq!(answer.status(), 200, "the proxy answered");
    let requests = seen.lock().unwrap().clone();
    assert_eq!(
        requests.iter().map(|s| s.line.as_str()).collect::<Vec<_>>(),
        ["GET http://decoda.test/storage/thumb.png HTTP/1.1"]
    );
    assert!(requests[0].auth.is_some(), "with the proxy's credentials");
}

/// The system's proxy, from the environment. The environment is the process's, so every case
/// that changes it is in this one test, and the other tests name their proxy explicitly.
#[tokio::test]
async fn without_a_setting_the_environment_proxy_is_used_except_for_no_proxy_and_this_computer() {
    let (proxy, seen) = server("200 OK").await;
    let (direct, reached) = server("401 Unauthorized").await;
    for name in [
        "ALL_PROXY",
        "all_proxy",
        "http_proxy",
        "https_proxy",
        "no_proxy",
    ] {
        std::env::remove_var(name);
    }
    std::env::set_var("HTTPS_PROXY", &proxy);
    std::env::set_var("HTTP_PROXY", &proxy);
    std::env::set_var("NO_PROXY", "");

    let _ = client("https://decoda.test", None)
        .patient(&PatientId::new("pat_1"))
        .await;
    let _ = client(&direct, None)
        .patient(&PatientId::new("pat_1"))
        .await;
    std::env::set_var("NO_PROXY", "decoda.test");
    let skipped = client("https://decoda.test", None)
        .patient(&PatientId::new("pat_1"))
        .await;
    for name in ["HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY"] {
        std::env::remove_var(name);
    }

    assert_eq!(
        lines(&seen),
        ["CONNECT decoda.test:443 HTTP/1.1"],
        "HTTPS_PROXY carried the call; NO_PROXY and this computer's address bypassed it"
    );
    assert_eq!(lines(&reached), ["GET /user/patient/pat_1 HTTP/1.1"]);
    assert!(
        matches!(skipped, Err(ApiError::Transport { connect: true, .. })),
        "decoda.test resolves nowhere without the proxy: {skipped:?}"
    );
}
