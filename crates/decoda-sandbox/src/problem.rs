//! FastAPI-shaped error answers.
//!
//! The real API is FastAPI, so clients parse `{"detail": "..."}` and, for 422, a list of field errors with a
//! `loc` path. Every error the sandbox answers goes through [`ApiError`] so the shapes cannot drift.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};

/// One entry of a 422 `detail` list.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct FieldError {
    loc: Vec<Value>,
    msg: String,
    #[serde(rename = "type")]
    kind: String,
    input: Value,
}

/// An error answered to the client.
#[derive(Clone, Debug, thiserror::Error)]
pub(crate) enum ApiError {
    /// `{"detail": "..."}` with a status.
    #[error("{status}: {detail}")]
    Detail { status: StatusCode, detail: String },
    /// 422 with field errors.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
}

impl ApiError {
    /// A plain `{"detail": ...}` error.
    pub(crate) fn detail(status: StatusCode, detail: &str) -> Self {
        Self::Detail {
            status,
            detail: detail.to_owned(),
        }
    }

    /// 404 with the API's wording, e.g. `not_found("Patient")`.
    pub(crate) fn not_found(what: &str) -> Self {
        Self::detail(StatusCode::NOT_FOUND, &format!("{what} not found"))
    }

    /// 422: a required field is missing.
    pub(crate) fn missing(loc: &[&str]) -> Self {
        Self::Validation(vec![FieldError::missing(loc)])
    }

    /// 422: a field has a bad value.
    pub(crate) fn invalid(loc: &[&str], msg: &str, kind: &str, input: Value) -> Self {
        Self::Validation(vec![FieldError::new(
            loc.iter().map(|s| json!(s)).collect(),
            msg,
            kind,
            input,
        )])
    }

    /// The HTTP status this error is answered with.
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Self::Detail { status, .. } => *status,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

impl FieldError {
    /// A field error with an arbitrary `loc` (which may hold indexes).
    pub(crate) fn new(loc: Vec<Value>, msg: &str, kind: &str, input: Value) -> Self {
        Self {
            loc,
            msg: msg.to_owned(),
            kind: kind.to_owned(),
            input,
        }
    }

    /// FastAPI's "Field required".
    pub(crate) fn missing(loc: &[&str]) -> Self {
        Self::new(
            loc.iter().map(|s| json!(s)).collect(),
            "Field required",
            "missing",
            Value::Null,
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = match self {
            Self::Detail { detail, .. } => json!({ "detail": detail }),
            Self::Validation(errors) => json!({ "detail": errors }),
        };
        (status, Json(body)).into_response()
    }
}

/// A JSON body that did not parse: 422 on `["body"]`, as FastAPI answers.
pub(crate) fn json_rejection(rejection: &axum::extract::rejection::JsonRejection) -> ApiError {
    ApiError::invalid(
        &["body"],
        &rejection.body_text(),
        "json_invalid",
        Value::Null,
    )
}
