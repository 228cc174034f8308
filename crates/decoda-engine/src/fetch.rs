//! Downloading an attachment's bytes from its signed link, to compare them with a file.
//!
//! Signed links are temporary storage URLs, not API routes: the request carries no API key or
//! tenant, follows no redirect, goes over HTTPS (plain HTTP only on this computer, for the
//! sandbox), and never reads more than the file it is compared with.

use crate::hash::{ContentHash, ContentHasher};
use futures_util::StreamExt;
use std::time::Duration;

/// How long to wait for the storage server to connect, and then between two pieces of the body.
const WAIT: Duration = Duration::from_secs(30);

/// The slowest a download may be on the whole (256 KiB/s) on top of [`WAIT`]: a server that
/// trickles bytes must not hold the recovery of an upload for hours.
fn whole_download(len: u64) -> Duration {
    WAIT + Duration::from_secs(len / (256 * 1024))
}

/// What a download found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Fetched {
    /// The bytes had the expected length; their hash.
    Content(ContentHash),
    /// The length differs from the expected one: another file (read no further than needed).
    OtherSize,
    /// The bytes could not be had (why, without the link, which carries a signature).
    Failed(String),
}

/// Downloads `url` and hashes it, reading at most `expected_len + 1` bytes.
pub(crate) async fn download_hash(url: &str, expected_len: u64) -> Fetched {
    match fetch(url, expected_len).await {
        Ok(fetched) => fetched,
        Err(why) => Fetched::Failed(why),
    }
}

async fn fetch(url: &str, expected_len: u64) -> Result<Fetched, String> {
    let url = reqwest::Url::parse(url).map_err(|_| "the chart gave no usable link".to_owned())?;
    if !decoda_api::https_or_loopback(&url) {
        return Err("the chart's link is not HTTPS".to_owned());
    }
    let client = decoda_api::network::client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(WAIT)
        .read_timeout(WAIT)
        .timeout(whole_download(expected_len))
        .build()
        .map_err(|e| format!("no HTTP client ({e})"))?;
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|e| format!("the download failed ({})", without_url(e)))?;
    if !response.status().is_success() {
        return Err(format!("the download answered {}", response.status()));
    }
    if response
        .content_length()
        .is_some_and(|len| len != expected_len)
    {
        return Ok(Fetched::OtherSize);
    }
    let mut hasher = ContentHasher::new();
    let mut read: u64 = 0;
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| format!("the download broke off ({})", without_url(e)))?;
        read = read.saturating_add(chunk.len() as u64);
        if read > expected_len {
            return Ok(Fetched::OtherSize);
        }
        hasher.update(&chunk);
    }
    if read != expected_len {
        return Ok(Fetched::OtherSize);
    }
    Ok(Fetched::Content(hasher.finish()))
}

/// The error's words without its URL (a signed link is a credential while it lasts).
fn without_url(e: reqwest::Error) -> String {
    e.without_url().to_string()
}
