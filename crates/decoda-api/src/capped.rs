//! Reading an HTTP body with a ceiling.
//!
//! An answer comes from the network: a broken server, a proxy's error stream or someone in the
//! middle can send a body that never ends. Read whole, it would fill the workstation's memory
//! before anything could look at it. So a declared `Content-Length` over the ceiling is refused
//! before a byte is read, and the body is read chunk by chunk, stopping as soon as it passes the
//! ceiling (a body without a length, or with a false one, cannot get round it).

use bytes::{Bytes, BytesMut};

/// The largest answer read from the Decoda API. The longest real answers (a day of a patient's
/// attachments, the result of a bulk upload) are a few hundred KiB; sixteen MiB leaves room for
/// very busy days and still keeps a broken or hostile answer from filling memory.
pub const MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// Why a capped read stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CappedReadError {
    /// The body is (or says it is) longer than the ceiling; the rest was not read.
    #[error("the answer is larger than {limit} bytes")]
    TooLarge {
        /// The ceiling, in bytes.
        limit: u64,
    },
    /// The connection failed while the body was read.
    #[error("the answer could not be read")]
    Transport(#[source] reqwest::Error),
}

/// Reads `response`'s body, refusing it once it is longer than `limit` bytes.
///
/// A `Content-Length` over the limit is refused at once, without reading the body. Dropping the
/// response afterwards closes the connection, so the server cannot keep sending.
pub async fn read_capped(
    mut response: reqwest::Response,
    limit: u64,
) -> Result<Bytes, CappedReadError> {
    let declared = response.content_length();
    if declared.is_some_and(|n| n > limit) {
        return Err(CappedReadError::TooLarge { limit });
    }
    // Trust the declared length for the first allocation only up to the limit.
    let capacity = declared.unwrap_or(0).min(limit).min(1024 * 1024);
    let mut body = BytesMut::with_capacity(usize::try_from(capacity).unwrap_or(0));
    while let Some(chunk) = response.chunk().await.map_err(CappedReadError::Transport)? {
        let len = u64::try_from(body.len().saturating_add(chunk.len())).unwrap_or(u64::MAX);
        if len > limit {
            return Err(CappedReadError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ApiError, ApiKey, BaseUrl, Client, PatientId};
    use std::time::Duration;

    const MIB: u64 = 1024 * 1024;

    /// A one-request server answering `head`, then up to `body_bytes` bytes of JSON whitespace.
    async fn serve_once(head: &str, body_bytes: u64) -> (String, tokio::task::JoinHandle<u64>) {
        let (addr, task) = decoda_sandbox::raw::serve_once(head, body_bytes, b' ').await;
        (format!("http://{addr}"), task)
    }

    fn client(url: &str) -> Client {
        Client::builder(BaseUrl::parse(url).unwrap(), "t", ApiKey::new("k"))
            .request_timeout(Duration::from_secs(10))
            .build()
            .unwrap()
    }

    const OK_UNTIL_CLOSE: &str =
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n";

    #[tokio::test]
    async fn an_endless_answer_is_refused_without_reading_it_all() {
        let (url, server) = serve_once(OK_UNTIL_CLOSE, 128 * MIB).await;
        let err = client(&url)
            .patient(&PatientId::new("p1"))
            .await
            .unwrap_err();
        assert!(
            matches!(err, ApiError::ResponseTooLarge { status: 200, limit_bytes } if limit_bytes == MAX_RESPONSE_BYTES),
            "an answer over the cap is refused as too large: {err:?}"
        );
        assert!(
            err.to_string().contains("larger than 16 MiB"),
            "the message says what happened: {err}"
        );
        assert!(err.is_transient(), "a proxy fault may pass: {err:?}");
        let sent = tokio::time::timeout(Duration::from_secs(10), server)
            .await
            .expect("the client hung up")
            .unwrap();
        assert!(
            sent < 48 * MIB,
            "the client stopped reading soon after the cap: the server sent {sent} bytes"
        );
    }

    #[tokio::test]
    async fn an_over_long_content_length_is_refused_before_the_body_arrives() {
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1073741824\r\n\r\n";
        // No body at all: a client that waited for it would only stop at its timeout.
        let (url, _server) = serve_once(head, 0).await;
        let started = std::time::Instant::now();
        let err = client(&url)
            .patient(&PatientId::new("p1"))
            .await
            .unwrap_err();
        assert!(
            matches!(err, ApiError::ResponseTooLarge { status: 200, .. }),
            "the declared length alone refuses the answer: {err:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "refused at once"
        );
    }

    #[tokio::test]
    async fn a_body_up_to_the_cap_is_read_and_one_byte_more_is_not() {
        let (url, _server) = serve_once(OK_UNTIL_CLOSE, 64 * 1024).await;
        let response = reqwest::get(&url).await.unwrap();
        let body = read_capped(response, 64 * 1024).await.unwrap();
        assert_eq!(body.len(), 64 * 1024, "exactly the cap is fine");

        let (url, _server) = serve_once(OK_UNTIL_CLOSE, 64 * 1024).await;
        let response = reqwest::get(&url).await.unwrap();
        let err = read_capped(response, 64 * 1024 - 1).await.unwrap_err();
        assert!(
            matches!(err, CappedReadError::TooLarge { limit } if limit == 64 * 1024 - 1),
            "{err:?}"
        );
    }
}
