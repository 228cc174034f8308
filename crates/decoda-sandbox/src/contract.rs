//! Contract-only answers: the API as its contract allows it to be, not as kind as the sandbox's
//! own model.
//!
//! The sandbox fills every optional field, stamps a time zone on every date and makes a thumbnail
//! of every file. A client tested only against that could rely on things the contract does not
//! promise. In this mode (`--contract-only`, [`crate::Config::contract_only`]) answers leave out
//! what the contract allows to be missing: attachments come without their `patient`, dates without
//! a time zone, PDFs without a thumbnail, and patient search matches only the first or the last
//! name. (A 429 with only `X-RateLimit-Reset` is a fault of its own.)

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;

use crate::state::SandboxState;

/// Largest JSON answer rewritten; larger ones pass unchanged (none is that large in the sandbox).
const MAX_REWRITE: usize = 64 * 1024 * 1024;

/// Rewrites JSON answers of API routes when the sandbox plays contract-only answers.
pub(crate) async fn middleware(
    State(state): State<SandboxState>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if !state.contract_only() || !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_REWRITE).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let Ok(mut json) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    rewrite(&mut json);
    let body = serde_json::to_vec(&json).unwrap_or_else(|_| bytes.to_vec());
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

/// Leaves out, everywhere in `json`, what the contract does not promise.
pub(crate) fn rewrite(json: &mut Value) {
    match json {
        Value::Array(items) => items.iter_mut().for_each(rewrite),
        Value::Object(fields) => {
            if fields.contains_key("originalFilename") {
                fields.insert("patient".into(), Value::Null);
                let pdf = fields
                    .get("originalFilename")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.to_ascii_lowercase().ends_with(".pdf"));
                if pdf {
                    fields.insert("thumbnailSignedUrl".into(), Value::Null);
                }
            }
            for (key, value) in fields.iter_mut() {
                if key.ends_with("Date") {
                    if let Value::String(date) = value {
                        *date = without_zone(date);
                    }
                } else {
                    rewrite(value);
                }
            }
        }
        _ => {}
    }
}

/// `2026-11-29T10:00:00.123Z` or `…+00:00` as `2026-11-29T10:00:00.123`; a plain date stays.
fn without_zone(date: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(date) {
        Ok(at) => at.naive_utc().format("%Y-%m-%dT%H:%M:%S%.f").to_string(),
        Err(_) => date.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn attachments_lose_patient_zone_and_pdf_thumbnail() {
        let mut answer = json!({"attachments": [
            {"originalFilename": "a.PDF", "patient": {"id": "p1"}, "thumbnailSignedUrl": "t",
             "createdDate": "2026-11-29T10:00:00.5Z", "note": {"id": "n", "createdDate": "2026-11-28T09:00:00+00:00"}},
            {"originalFilename": "b.png", "patient": {"id": "p1"}, "thumbnailSignedUrl": "t",
             "createdDate": "2026-11-29T10:00:00Z"}
        ]});
        rewrite(&mut answer);
        let a = &answer["attachments"][0];
        assert_eq!(a["patient"], Value::Null);
        assert_eq!(a["thumbnailSignedUrl"], Value::Null);
        assert_eq!(a["createdDate"], "2026-11-29T10:00:00.500");
        assert_eq!(a["note"]["createdDate"], "2026-11-28T09:00:00");
        let b = &answer["attachments"][1];
        assert_eq!(b["patient"], Value::Null);
        assert_eq!(b["thumbnailSignedUrl"], "t", "images keep their thumbnail");
        assert_eq!(b["createdDate"], "2026-11-29T10:00:00");
    }

    #[test]
    fn dates_of_birth_stay_as_they_are() {
        let mut patient = json!({"id": "p1", "dateOfBirth": "1984-03-12"});
        rewrite(&mut patient);
        assert_eq!(patient["dateOfBirth"], "1984-03-12");
    }
}
