//! The `API-KEY` and `TENANT` header check in front of every API route.
//!
//! The real API's failure statuses are undocumented; the sandbox answers a bad or missing key with 401 and a
//! wrong tenant with 403 on purpose, so clients prove they treat both as "credentials rejected".

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::problem::ApiError;
use crate::record::{UploadRecord, BULK_ENDPOINT, SINGLE_ENDPOINT};
use crate::state::SandboxState;

/// Header carrying the API key.
pub const API_KEY_HEADER: &str = "api-key";
/// Header carrying the tenant.
pub const TENANT_HEADER: &str = "tenant";

/// Rejects requests without the configured key and tenant.
pub(crate) async fn middleware(
    State(state): State<SandboxState>,
    request: Request,
    next: Next,
) -> Response {
    match check(&state, request.headers()) {
        Ok(()) => next.run(request).await,
        Err(error) => {
            record_rejected_upload(&state, &request, error.status());
            error.into_response()
        }
    }
}

fn check(state: &SandboxState, headers: &HeaderMap) -> Result<(), ApiError> {
    let key = headers.get(API_KEY_HEADER).map(|v| v.as_bytes());
    let tenant = headers.get(TENANT_HEADER).map(|v| v.as_bytes());
    match (key, tenant) {
        (Some(key), Some(tenant)) if key == state.api_key().as_bytes() => {
            if tenant == state.tenant().as_bytes() {
                Ok(())
            } else {
                Err(ApiError::detail(
                    StatusCode::FORBIDDEN,
                    "Tenant not found or access denied",
                ))
            }
        }
        _ => Err(ApiError::detail(
            StatusCode::UNAUTHORIZED,
            "Could not validate credentials",
        )),
    }
}

/// Uploads are logged even when refused, so a test can see that a request arrived.
fn record_rejected_upload(state: &SandboxState, request: &Request, status: StatusCode) {
    let path = request.uri().path();
    if request.method() == Method::POST && (path == BULK_ENDPOINT || path == SINGLE_ENDPOINT) {
        let mut record = UploadRecord::new(path);
        record.outcome = format!("rejected:{}", status.as_u16());
        state.record_upload(record);
    }
}
