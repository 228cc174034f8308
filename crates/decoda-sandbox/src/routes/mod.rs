//! The HTTP surface: the Decoda API routes behind the auth and fault layers, plus the sandbox's own routes.
//!
//! [`app`] builds the whole router without a socket, so unit tests drive it with `oneshot`.

mod attachments;
mod files;
mod notes;
mod patients;
mod upload;

use std::time::Instant;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::Router;

use crate::problem::ApiError;
use crate::state::SandboxState;
use crate::{admin, auth, contract, faults};

/// Limit for JSON request bodies (uploads stream and have their own limit).
const JSON_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// The sandbox's router for `state`, without a socket (for `oneshot` tests; [`crate::spawn`] serves it).
pub fn app(state: SandboxState) -> Router {
    Router::new()
        .merge(api(&state))
        .merge(files::router())
        .merge(admin::router())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

/// The routes of the real API; each needs the key and tenant and may be hit by a fault.
fn api(state: &SandboxState) -> Router<SandboxState> {
    Router::new()
        .route("/attachments/bulk", post(upload::bulk))
        .route("/attachments", post(upload::single).get(attachments::list))
        .route("/attachments/bulk-names", put(attachments::rename_many))
        .route(
            "/attachments/{attachment_id}/name",
            put(attachments::rename_one),
        )
        .route(
            "/attachments/{attachment_id}/patient",
            put(attachments::change_patient),
        )
        .route("/attachments/{attachment_id}", delete(attachments::remove))
        .route("/user/patient/search", get(patients::search))
        .route("/user/patient/table", get(patients::table))
        .route("/user/patient/{patient_id}", get(patients::chart))
        .route("/notes/list", get(notes::list))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            contract::middleware,
        ))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            faults::middleware,
        ))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::middleware,
        ))
}

async fn not_found() -> Response {
    ApiError::detail(StatusCode::NOT_FOUND, "Not Found").into_response()
}

/// One info line per request with method and status; the path (which can hold a patient id) only
/// at debug level, like every other piece of patient data.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let status = response.status().as_u16();
    tracing::debug!(%method, %path, status, elapsed_ms, "request");
    tracing::info!(%method, status, elapsed_ms, "request");
    response
}
