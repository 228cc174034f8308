//! Router tests without a socket: each builds a fresh state and drives [`crate::app`] with `oneshot`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod attachments;
mod auth;
mod faults;
mod files;
mod patients;
mod upload;

use axum::body::{to_bytes, Body};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tower::ServiceExt;

use crate::{app, Config, NamesEncoding, SandboxState};

const BOUNDARY: &str = "sandbox-test-boundary-7f3a";

/// A fresh sandbox state with the demo settings.
fn state() -> SandboxState {
    SandboxState::new(Config::default()).unwrap()
}

fn state_with(encoding: NamesEncoding) -> SandboxState {
    SandboxState::new(Config {
        names_encoding: encoding,
        ..Config::default()
    })
    .unwrap()
}

/// An answer: status, headers and body bytes.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

async fn send(state: &SandboxState, request: Request<Body>) -> Answer {
    let response = app(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

fn authed(method: Method, uri: &str) -> axum::http::request::Builder {
    Request::builder()
        .method(method)
        .uri(uri)
        .header("API-KEY", "sandbox-demo-key")
        .header("TENANT", "demo-clinic")
}

async fn get(state: &SandboxState, uri: &str) -> Answer {
    send(state, authed(Method::GET, uri).body(Body::empty()).unwrap()).await
}

async fn send_json(state: &SandboxState, method: Method, uri: &str, body: &Value) -> Answer {
    let request = authed(method, uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    send(state, request).await
}

/// A multipart body built by hand, so tests control every byte of every header.
#[derive(Default)]
struct Form {
    body: Vec<u8>,
}

impl Form {
    fn text(mut self, name: &str, value: &str) -> Self {
        self.part(
            &format!("form-data; name=\"{name}\""),
            None,
            value.as_bytes(),
        );
        self
    }

    /// A file part; `filename` goes into the header as given (quote it yourself if it needs escaping).
    fn file(mut self, field: &str, filename: &str, content_type: &str, bytes: &[u8]) -> Self {
        let disposition = format!("form-data; name=\"{field}\"; filename=\"{filename}\"");
        self.part(&disposition, Some(content_type), bytes);
        self
    }

    fn part(&mut self, disposition: &str, content_type: Option<&str>, bytes: &[u8]) {
        self.body
            .extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        self.body
            .extend_from_slice(format!("Content-Disposition: {disposition}\r\n").as_bytes());
        if let Some(ct) = content_type {
            self.body
                .extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        self.body.extend_from_slice(b"\r\n");
        self.body.extend_from_slice(bytes);
        self.body.extend_from_slice(b"\r\n");
    }

    fn finish(mut self) -> Vec<u8> {
        self.body
            .extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        self.body
    }
}

async fn post_form(state: &SandboxState, uri: &str, form: Form) -> Answer {
    let request = authed(Method::POST, uri)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(form.finish()))
        .unwrap();
    send(state, request).await
}

fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Deterministic non-text bytes of a given length (covers every byte value, CR/LF and boundary-like dashes).
fn sample_bytes(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| {
            u8::try_from(i % 251)
                .unwrap()
                .wrapping_mul(7)
                .wrapping_add(seed)
        })
        .collect()
}

/// Path and query of a signed URL (oneshot requests have no host).
fn path_of(url: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    rest[rest.find('/').unwrap()..].to_owned()
}
