//! Test-control routes under `/__sandbox/`, mirroring the library API for tests that run the binary.
//!
//! They need no API key (they are not part of the Decoda API) but answer only loopback clients.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::config::NamesEncoding;
use crate::faults::FaultRule;
use crate::problem::ApiError;
use crate::server::ConnectionControl;
use crate::state::SandboxState;

/// The admin routes (health included).
pub(crate) fn router() -> Router<SandboxState> {
    Router::new()
        .route("/__sandbox/health", get(health))
        .route(
            "/__sandbox/faults",
            post(push_fault).delete(clear_faults).get(list_faults),
        )
        .route("/__sandbox/names-encoding", put(set_names_encoding))
        .route("/__sandbox/uploads", get(uploads))
        .route("/__sandbox/attachments", get(attachments))
        .route("/__sandbox/reset", post(reset))
        .route_layer(middleware::from_fn(loopback_only))
}

async fn loopback_only(request: Request, next: Next) -> Response {
    let remote = request
        .extensions()
        .get::<ConnectionControl>()
        .map(|c| c.peer().ip());
    match remote {
        Some(ip) if !ip.is_loopback() => ApiError::detail(
            StatusCode::FORBIDDEN,
            "sandbox admin routes are loopback only",
        )
        .into_response(),
        _ => next.run(request).await,
    }
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({ "ok": true }))
}

async fn push_fault(
    State(state): State<SandboxState>,
    body: Result<Json<FaultRule>, axum::extract::rejection::JsonRejection>,
) -> Response {
    match body {
        Ok(Json(rule)) => {
            state.push_fault(rule);
            Json(true).into_response()
        }
        Err(rejection) => bad_body(&rejection.body_text()),
    }
}

async fn clear_faults(State(state): State<SandboxState>) -> Json<bool> {
    state.clear_faults();
    Json(true)
}

async fn list_faults(State(state): State<SandboxState>) -> Json<Vec<FaultRule>> {
    Json(state.pending_faults())
}

#[derive(Deserialize)]
struct EncodingBody {
    encoding: NamesEncoding,
}

async fn set_names_encoding(
    State(state): State<SandboxState>,
    body: Result<Json<EncodingBody>, axum::extract::rejection::JsonRejection>,
) -> Response {
    match body {
        Ok(Json(body)) => {
            state.set_names_encoding(body.encoding);
            Json(true).into_response()
        }
        Err(rejection) => bad_body(&rejection.body_text()),
    }
}

async fn uploads(State(state): State<SandboxState>) -> Response {
    Json(state.uploads()).into_response()
}

async fn attachments(State(state): State<SandboxState>) -> Response {
    Json(state.attachments()).into_response()
}

async fn reset(State(state): State<SandboxState>) -> Json<bool> {
    state.reset();
    Json(true)
}

fn bad_body(message: &str) -> Response {
    ApiError::invalid(&["body"], message, "json_invalid", serde_json::Value::Null).into_response()
}
