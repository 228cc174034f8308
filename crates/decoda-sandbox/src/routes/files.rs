//! The stand-in for Google Cloud Storage signed URLs: exact bytes and thumbnails, no API key but a `sig`.
//!
//! Clients verify uploads by downloading them and show previews from the thumbnail link, so both must behave
//! like real links: they work without the API key and fail without the right signature.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio_util::io::ReaderStream;

use crate::problem::ApiError;
use crate::query::QueryParams;
use crate::state::SandboxState;
use crate::store::Attachment;
use crate::thumbnails;

/// Read size when streaming a stored file.
const READ_CHUNK: usize = 256 * 1024;

/// The file and thumbnail routes.
pub(crate) fn router() -> Router<SandboxState> {
    Router::new()
        .route("/__files/{attachment_id}", get(file))
        .route("/__thumbnails/{file_name}", get(thumbnail))
}

async fn file(
    State(state): State<SandboxState>,
    Path(attachment_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let attachment = signed(&state, &attachment_id, raw.as_deref())?;
    let path = attachment.file.ok_or_else(not_kept)?;
    let file = tokio::fs::File::open(&path).await.map_err(|_| not_kept())?;
    let mut headers = HeaderMap::new();
    let content_type = attachment
        .stored
        .content_type
        .as_deref()
        .and_then(|ct| HeaderValue::from_str(ct).ok())
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(attachment.stored.size),
    );
    let body = Body::from_stream(ReaderStream::with_capacity(file, READ_CHUNK));
    Ok((headers, body).into_response())
}

async fn thumbnail(
    State(state): State<SandboxState>,
    Path(file_name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let id = file_name
        .strip_suffix(".png")
        .ok_or_else(|| ApiError::not_found("Thumbnail"))?;
    let attachment = signed(&state, id, raw.as_deref())?;
    let source = attachment.file.ok_or_else(not_kept)?;
    let png = thumbnails::cached_png(
        source,
        state.thumbnail_path(id),
        attachment.stored.content_type.clone(),
        attachment.stored.response.original_filename.clone(),
    )
    .await
    .map_err(|error| {
        tracing::warn!(%error, "thumbnail failed");
        ApiError::detail(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Could not make the thumbnail",
        )
    })?;
    Ok(([(header::CONTENT_TYPE, "image/png")], png).into_response())
}

/// The attachment, if it exists and the query carries its signature.
fn signed(state: &SandboxState, id: &str, raw_query: Option<&str>) -> Result<Attachment, ApiError> {
    let attachment = state
        .store()
        .attachment(id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("File"))?;
    let query = QueryParams::parse(raw_query);
    if query.get("sig") == Some(attachment.sig.as_str()) {
        Ok(attachment)
    } else {
        Err(ApiError::detail(
            StatusCode::FORBIDDEN,
            "Invalid or missing signature",
        ))
    }
}

fn not_kept() -> ApiError {
    ApiError::detail(
        StatusCode::NOT_FOUND,
        "File not kept (sink mode or deleted)",
    )
}
