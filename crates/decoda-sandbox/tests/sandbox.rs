//! The sandbox over a real socket: faults that close connections, headers as a client sees them, sink mode,
//! the admin routes, and the binary's start-up banner.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use decoda_sandbox::{spawn, Config, Fault, FaultRule, Sandbox};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn start(config: Config) -> Sandbox {
    spawn(config, "127.0.0.1:0".parse().unwrap()).await.unwrap()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .default_headers(
            [("API-KEY", "sandbox-demo-key"), ("TENANT", "demo-clinic")]
                .into_iter()
                .map(|(k, v)| (k.parse().unwrap(), v.parse().unwrap()))
                .collect(),
        )
        .build()
        .unwrap()
}

fn files_form(files: &[(&str, Vec<u8>)]) -> Form {
    let mut form = Form::new().text("patient_id", "pat_1001");
    for (name, bytes) in files {
        let part = Part::bytes(bytes.clone())
            .file_name((*name).to_owned())
            .mime_str("application/pdf")
            .unwrap();
        form = form.part("attachments", part);
    }
    form
}

async fn post_bulk(
    sandbox: &Sandbox,
    client: &reqwest::Client,
    form: Form,
) -> reqwest::Result<reqwest::Response> {
    client
        .post(format!("{}/attachments/bulk", sandbox.base_url()))
        .multipart(form)
        .send()
        .await
}

#[tokio::test]
async fn drop_mid_body_is_a_connection_error_and_stores_nothing() {
    let sandbox = start(Config::default()).await;
    sandbox.state().push_fault(
        FaultRule::once(Fault::DropMidBody {
            after_bytes: 64 * 1024,
        })
        .on_path("/attachments/bulk"),
    );
    let big = vec![7u8; 4 * 1024 * 1024];
    let result = post_bulk(&sandbox, &client(), files_form(&[("big.pdf", big)])).await;
    let error = result.expect_err("the server closed the connection without an answer");
    assert!(
        error.status().is_none(),
        "a transport error, not an HTTP status: {error}"
    );
    assert!(sandbox.state().attachments().is_empty());
    let record = &sandbox.state().uploads()[0];
    assert_eq!(record.outcome, "fault:dropMidBody");
    assert!(
        record.parts.iter().any(|p| !p.complete),
        "the file part was cut off"
    );

    let after = post_bulk(
        &sandbox,
        &client(),
        files_form(&[("ok.pdf", b"ok".to_vec())]),
    )
    .await
    .unwrap();
    assert_eq!(
        after.status(),
        StatusCode::OK,
        "the next request is served normally"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn drop_after_store_stores_but_the_client_never_hears() {
    let sandbox = start(Config::default()).await;
    sandbox
        .state()
        .push_fault(FaultRule::once(Fault::DropAfterStore));
    let form = files_form(&[("a.pdf", b"one".to_vec()), ("b.pdf", b"two".to_vec())]);
    let error = post_bulk(&sandbox, &client(), form)
        .await
        .expect_err("no answer was sent");
    assert!(error.status().is_none(), "{error}");
    assert_eq!(
        sandbox.state().attachments().len(),
        2,
        "the files landed anyway"
    );
    assert_eq!(sandbox.state().uploads()[0].outcome, "fault:dropAfterStore");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn rate_limited_sends_the_documented_headers() {
    let sandbox = start(Config::default()).await;
    sandbox
        .state()
        .push_fault(FaultRule::once(Fault::RateLimited {
            retry_after_secs: 5,
        }));
    let response = post_bulk(&sandbox, &client(), files_form(&[("a.pdf", b"a".to_vec())]))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let headers = response.headers().clone();
    assert_eq!(headers["retry-after"], "5");
    assert_eq!(headers["x-ratelimit-remaining"], "0");
    assert_eq!(headers["x-ratelimit-reset"], "5");
    assert!(headers.contains_key("x-ratelimit-limit"));
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"detail": "Rate limit exceeded"})
    );
    assert!(sandbox.state().attachments().is_empty());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn bad_gateway_is_an_html_page() {
    let sandbox = start(Config::default()).await;
    sandbox
        .state()
        .push_fault(FaultRule::once(Fault::BadGatewayHtml));
    let response = client()
        .get(format!("{}/user/patient/pat_1001", sandbox.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(response.headers()["content-type"], "text/html");
    assert!(response.text().await.unwrap().contains("<html>"));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn hang_never_answers_until_the_client_gives_up() {
    let sandbox = start(Config::default()).await;
    sandbox.state().push_fault(FaultRule::once(Fault::Hang));
    let error = client()
        .get(format!("{}/notes/list", sandbox.base_url()))
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .expect_err("no answer");
    assert!(error.is_timeout(), "{error}");
    sandbox.shutdown().await; // must not wait for the hung request forever
}

#[tokio::test]
async fn sink_mode_counts_bytes_and_answers_a_valid_response() {
    let sandbox = start(Config {
        sink: true,
        ..Config::default()
    })
    .await;
    let form = files_form(&[
        ("a.pdf", vec![1u8; 3 * 1024 * 1024]),
        ("b.pdf", vec![2u8; 1024 * 1024 + 1]),
    ])
    .text("names", r#"["First", null]"#);
    let response = post_bulk(&sandbox, &client(), form).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let attachments = body["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 2);
    assert_eq!(attachments[0]["name"], "First");
    assert_eq!(attachments[1]["name"], "b.pdf");
    assert_eq!(attachments[0]["thumbnailSignedUrl"], Value::Null);
    let stored = sandbox.state().attachments();
    assert_eq!(stored[0].size, 3 * 1024 * 1024);
    assert_eq!(stored[1].size, 1024 * 1024 + 1);
    assert_eq!(stored[0].sha256, "", "sink mode does not hash");
    assert_eq!(sandbox.state().uploads()[0].outcome, "sink");

    let mut unknown = files_form(&[("a.pdf", b"a".to_vec())]);
    unknown = unknown.text("patient_id", "pat_0000");
    let response = post_bulk(&sandbox, &client(), unknown).await.unwrap();
    assert_eq!(
        response.status(),
        StatusCode::NOT_FOUND,
        "the patient is still checked"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn reqwest_file_names_round_trip() {
    let sandbox = start(Config::default()).await;
    let name = "scan \"A\", page 2 – Zoë.pdf";
    let response = post_bulk(&sandbox, &client(), files_form(&[(name, b"x".to_vec())]))
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["attachments"][0]["originalFilename"], name);
    let bytes = reqwest::get(body["attachments"][0]["signedUrl"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&bytes[..], b"x");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn admin_routes_mirror_the_library() {
    let sandbox = start(Config::default()).await;
    let base = sandbox.base_url();
    let http = reqwest::Client::new();
    let rule =
        json!({"fault": {"kind": "status500"}, "path": "/user/patient/pat_1001", "times": 1});
    let pushed = http
        .post(format!("{base}/__sandbox/faults"))
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(pushed.status(), StatusCode::OK);
    let hit = client()
        .get(format!("{base}/user/patient/pat_1001"))
        .send()
        .await
        .unwrap();
    assert_eq!(hit.status(), StatusCode::INTERNAL_SERVER_ERROR);

    let encoding = http
        .put(format!("{base}/__sandbox/names-encoding"))
        .json(&json!({"encoding": "comma"}))
        .send()
        .await
        .unwrap();
    assert_eq!(encoding.status(), StatusCode::OK);
    assert_eq!(
        sandbox.state().names_encoding(),
        decoda_sandbox::NamesEncoding::Comma
    );

    post_bulk(&sandbox, &client(), files_form(&[("a.pdf", b"a".to_vec())]))
        .await
        .unwrap();
    let uploads: Value = http
        .get(format!("{base}/__sandbox/uploads"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(uploads[0]["outcome"], "stored");
    assert_eq!(
        uploads[0]["fieldOrder"],
        json!(["patient_id", "attachments"])
    );
    let attachments: Value = http
        .get(format!("{base}/__sandbox/attachments"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(attachments[0]["patientId"], "pat_1001");
    assert_eq!(attachments[0]["size"], 1);

    http.post(format!("{base}/__sandbox/reset"))
        .send()
        .await
        .unwrap();
    assert!(sandbox.state().attachments().is_empty());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn spawn_refuses_non_loopback_addresses() {
    let result = spawn(Config::default(), "0.0.0.0:0".parse().unwrap()).await;
    assert!(matches!(
        result,
        Err(decoda_sandbox::Error::NotLoopback { .. })
    ));
}

#[test]
fn binary_prints_its_url_first_and_serves_it() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_decoda-sandbox"))
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    // Dropped right after the first line on purpose: the server must keep running without its stdout.
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first
        .trim()
        .strip_prefix("decoda-sandbox listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .to_owned();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let health: Value = runtime.block_on(async {
        reqwest::get(format!("{url}/__sandbox/health"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(health, json!({"ok": true}));
}

#[test]
fn binary_refuses_a_public_bind_address() {
    let output = Command::new(env!("CARGO_BIN_EXE_decoda-sandbox"))
        .args(["--bind", "0.0.0.0", "--port", "0"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("loopback"));
}
