//! Fault injection: make the next matching API request fail the way real networks and servers fail.
//!
//! Clients must survive 5xx pages from proxies, rate limits, dropped connections, slow or hung servers, and
//! the ambiguous case where files landed but the answer was lost. Tests queue [`FaultRule`]s (library call,
//! admin route or `--fault` flag); each matching request consumes one, first in first out.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use crate::problem::ApiError;
use crate::record::{BULK_ENDPOINT, SINGLE_ENDPOINT};
use crate::server::ConnectionControl;
use crate::state::{lock, SandboxState};

/// One way to fail a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Fault {
    /// 500 with a plain-text body; nothing stored.
    Status500,
    /// 502 with an HTML page, as a proxy sends; nothing stored.
    BadGatewayHtml,
    /// 429 with `Retry-After` and `X-RateLimit-*` headers; nothing stored.
    RateLimited {
        /// Seconds the client is told to wait.
        retry_after_secs: u64,
    },
    /// 429 with exactly these raw header values and no others, as an unfriendly or broken server
    /// sends them: only `X-RateLimit-Reset` (seconds, or a Unix time), or a `Retry-After` no client
    /// can honour (`1e20`). A value that is not a valid header is left out. Nothing stored.
    RateLimitedWith {
        /// The `Retry-After` value, verbatim.
        #[serde(default)]
        retry_after: Option<String>,
        /// The `X-RateLimit-Reset` value, verbatim.
        #[serde(default)]
        rate_limit_reset: Option<String>,
    },
    /// 413 `{"detail":"Request Entity Too Large"}`; nothing stored.
    PayloadTooLarge,
    /// Read this many body bytes, then close the connection without an answer; nothing stored.
    DropMidBody {
        /// Body bytes read before the connection is closed.
        after_bytes: u64,
    },
    /// Store normally, then close the connection without an answer.
    DropAfterStore,
    /// Store normally, then wait before answering.
    Delay {
        /// The wait in milliseconds.
        ms: u64,
    },
    /// Read the body and never answer (the connection stays open until the client gives up).
    Hang,
    /// Store normally, then answer 200 with truncated JSON.
    MalformedJson,
    /// Store every file but return all but the last one.
    LoseLast,
    /// Store normally but name another patient in the response.
    WrongPatient,
    /// Answer 200 with this JSON and do nothing: a server that says `true` to a change it did
    /// not make (a move, a rename), or answers something else than the contract's `true`. Clients
    /// must check the result, not trust the word.
    AnswerOnly {
        /// The answer's body, verbatim (e.g. `true`, `false`).
        json: String,
    },
}

/// A fault and the requests it applies to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    /// What goes wrong.
    pub fault: Fault,
    /// The request path it applies to (e.g. `/attachments/bulk`); `None` means any API route.
    #[serde(default)]
    pub path: Option<String>,
    /// How many matching requests it applies to.
    #[serde(default = "one")]
    pub times: u32,
}

fn one() -> u32 {
    1
}

impl FaultRule {
    /// A rule applying `fault` once to any API route.
    pub fn once(fault: Fault) -> Self {
        Self {
            fault,
            path: None,
            times: 1,
        }
    }

    /// Restricts the rule to one request path.
    #[must_use]
    pub fn on_path(mut self, path: &str) -> Self {
        self.path = Some(path.to_owned());
        self
    }

    /// Applies the rule to `times` matching requests.
    #[must_use]
    pub fn times(mut self, times: u32) -> Self {
        self.times = times;
        self
    }
}

impl Fault {
    /// The `kind` tag, also used in upload outcomes (`fault:<label>`).
    pub fn label(&self) -> &'static str {
        match self {
            Self::Status500 => "status500",
            Self::BadGatewayHtml => "badGatewayHtml",
            Self::RateLimited { .. } => "rateLimited",
            Self::RateLimitedWith { .. } => "rateLimitedWith",
            Self::PayloadTooLarge => "payloadTooLarge",
            Self::DropMidBody { .. } => "dropMidBody",
            Self::DropAfterStore => "dropAfterStore",
            Self::Delay { .. } => "delay",
            Self::Hang => "hang",
            Self::MalformedJson => "malformedJson",
            Self::LoseLast => "loseLast",
            Self::WrongPatient => "wrongPatient",
            Self::AnswerOnly { .. } => "answerOnly",
        }
    }

    /// Whether the request must be read without storing anything.
    pub(crate) fn stores_nothing(&self) -> bool {
        self.refusal().is_some() || matches!(self, Self::DropMidBody { .. } | Self::Hang)
    }

    /// The answer of a fault that refuses the request outright.
    pub(crate) fn refusal(&self) -> Option<Response> {
        match self {
            Self::Status500 => Some(
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    "Internal Server Error",
                )
                    .into_response(),
            ),
            Self::BadGatewayHtml => Some(bad_gateway()),
            Self::RateLimited { retry_after_secs } => Some(rate_limited(*retry_after_secs)),
            Self::RateLimitedWith {
                retry_after,
                rate_limit_reset,
            } => Some(rate_limited_with(
                retry_after.as_deref(),
                rate_limit_reset.as_deref(),
            )),
            Self::PayloadTooLarge => Some(
                ApiError::detail(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large")
                    .into_response(),
            ),
            Self::AnswerOnly { json } => Some(
                (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/json")],
                    json.clone(),
                )
                    .into_response(),
            ),
            _ => None,
        }
    }
}

fn bad_gateway() -> Response {
    let page = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
                <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    (
        StatusCode::BAD_GATEWAY,
        [(header::CONTENT_TYPE, "text/html")],
        page,
    )
        .into_response()
}

fn rate_limited(retry_after_secs: u64) -> Response {
    let mut response =
        ApiError::detail(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded").into_response();
    let secs = HeaderValue::from(retry_after_secs);
    let headers = response.headers_mut();
    headers.insert(header::RETRY_AFTER, secs.clone());
    headers.insert("x-ratelimit-limit", HeaderValue::from_static("100"));
    headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
    headers.insert("x-ratelimit-reset", secs);
    response
}

fn rate_limited_with(retry_after: Option<&str>, reset: Option<&str>) -> Response {
    let mut response =
        ApiError::detail(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded").into_response();
    let headers = response.headers_mut();
    let raw = |value: Option<&str>| value.and_then(|v| HeaderValue::from_str(v).ok());
    if let Some(value) = raw(retry_after) {
        headers.insert(header::RETRY_AFTER, value);
    }
    if let Some(value) = raw(reset) {
        headers.insert("x-ratelimit-reset", value);
    }
    response
}

/// The queue of rules waiting for requests.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue(Mutex<VecDeque<FaultRule>>);

impl FaultQueue {
    /// Appends a rule (a rule for zero requests is dropped).
    pub(crate) fn push(&self, rule: FaultRule) {
        if rule.times > 0 {
            lock(&self.0).push_back(rule);
        }
    }

    /// Consumes one application of the first rule matching `path`.
    pub(crate) fn take(&self, path: &str) -> Option<Fault> {
        let mut rules = lock(&self.0);
        let index = rules
            .iter()
            .position(|r| r.path.as_deref().is_none_or(|p| p == path))?;
        let rule = rules.get_mut(index)?;
        rule.times = rule.times.saturating_sub(1);
        let fault = rule.fault.clone();
        if rule.times == 0 {
            rules.remove(index);
        }
        Some(fault)
    }

    /// The rules still waiting.
    pub(crate) fn pending(&self) -> Vec<FaultRule> {
        lock(&self.0).iter().cloned().collect()
    }

    /// Drops every rule.
    pub(crate) fn clear(&self) {
        lock(&self.0).clear();
    }
}

/// The fault the middleware took for an upload request; the upload handler applies it.
#[derive(Clone, Debug)]
pub(crate) struct ActiveFault(pub(crate) Fault);

/// Takes a matching rule for each API request and applies it (upload handlers apply their own).
pub(crate) async fn middleware(
    State(state): State<SandboxState>,
    mut req: Request,
    next: Next,
) -> Response {
    let Some(fault) = state.take_fault(req.uri().path()) else {
        return next.run(req).await;
    };
    tracing::info!(fault = fault.label(), "injecting fault");
    if is_upload(req.method(), req.uri().path()) {
        req.extensions_mut().insert(ActiveFault(fault));
        return next.run(req).await;
    }
    let conn = req.extensions().get::<ConnectionControl>().cloned();
    let cap = state.max_body_bytes();
    if let Some(response) = fault.refusal() {
        drain(req.into_body(), cap).await;
        return response;
    }
    match fault {
        Fault::DropMidBody { after_bytes } => {
            drain(req.into_body(), after_bytes.min(cap)).await;
            drop_connection(conn.as_ref()).await
        }
        Fault::Hang => {
            drain(req.into_body(), cap).await;
            hang(conn.as_ref()).await
        }
        other => {
            let response = next.run(req).await;
            finish(Some(&other), response, conn.as_ref()).await
        }
    }
}

fn is_upload(method: &Method, path: &str) -> bool {
    method == Method::POST && (path == BULK_ENDPOINT || path == SINGLE_ENDPOINT)
}

/// Applies what a fault does after the request was processed.
pub(crate) async fn finish(
    fault: Option<&Fault>,
    response: Response,
    conn: Option<&ConnectionControl>,
) -> Response {
    match fault {
        Some(Fault::DropAfterStore) => drop_connection(conn).await,
        Some(Fault::Delay { ms }) => {
            tokio::time::sleep(Duration::from_millis(*ms)).await;
            response
        }
        Some(Fault::MalformedJson) => truncate(response).await,
        _ => response,
    }
}

/// Closes the connection without an answer; never returns when there is a connection.
pub(crate) async fn drop_connection(conn: Option<&ConnectionControl>) -> Response {
    match conn {
        Some(conn) => {
            conn.kill();
            std::future::pending().await
        }
        None => needs_socket(),
    }
}

/// Never answers: waits until the connection is killed or the server stops, then closes it.
pub(crate) async fn hang(conn: Option<&ConnectionControl>) -> Response {
    match conn {
        Some(conn) => {
            conn.closing().await;
            conn.kill();
            std::future::pending().await
        }
        None => needs_socket(),
    }
}

fn needs_socket() -> Response {
    ApiError::detail(
        StatusCode::INTERNAL_SERVER_ERROR,
        "sandbox: this fault needs a real connection (use decoda_sandbox::spawn)",
    )
    .into_response()
}

/// Reads and discards up to `limit` body bytes; returns how many were read.
pub(crate) async fn drain(body: Body, limit: u64) -> u64 {
    let mut read = 0u64;
    let mut stream = body.into_data_stream();
    while read < limit {
        match stream.next().await {
            Some(Ok(chunk)) => read += chunk.len() as u64,
            _ => break,
        }
    }
    read
}

async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let cut = bytes.slice(..bytes.len() / 2);
    let cut = if cut.is_empty() {
        bytes::Bytes::from_static(b"{")
    } else {
        cut
    };
    parts.status = StatusCode::OK;
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(cut))
}
