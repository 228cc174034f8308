//! One network scanner, and a scan job on it from start to its last page.

use crate::settings::JPEG;
use crate::status::FeederState;
use crate::{Capabilities, ScanError, ScanRequest, Source, Status};
use bytes::Bytes;
use reqwest::{Response, StatusCode};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use url::Url;

/// How long to wait for a scanner to answer at all (it is on the local network).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one request may take: a page is scanned while its request waits.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// Pause between asks while the scanner says it is still working on the next page (503).
const NOT_READY_PAUSE: Duration = Duration::from_millis(500);
/// How many "not ready yet" answers one page may take before the scanner is taken as stuck.
const NOT_READY_TRIES: u32 = 240;

/// A page as the scanner sent it: one JPEG image, kept byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The JPEG image.
    pub jpeg: Bytes,
}

/// What a scan job gave: every page received, in order, and why it stopped early, if it did.
/// Pages received before a jam or a lost connection are kept: the person rescans only the rest.
#[derive(Debug, Default)]
pub struct Scanned {
    /// The pages received.
    pub pages: Vec<Page>,
    /// Why the job ended before the stack did; `None` when it ran to its end.
    pub stopped: Option<ScanError>,
}

/// A scanner at an eSCL address, such as `http://192.168.1.40/eSCL`.
#[derive(Debug, Clone)]
pub struct Scanner {
    http: reqwest::Client,
    base: Url,
}

/// The eSCL base URL an address means, as [`Scanner::address`] gives it: an http(s) URL whose path
/// ends in `/`, `/eSCL/` when none is given, without a query.
pub(crate) fn base_url(address: &str) -> Result<Url, ScanError> {
    let invalid = || ScanError::InvalidAddress(address.trim().to_owned());
    let mut base = Url::parse(address.trim()).map_err(|_| invalid())?;
    if !matches!(base.scheme(), "http" | "https") || base.host().is_none() {
        return Err(invalid());
    }
    let path = match base.path().trim_end_matches('/') {
        "" => "/eSCL/".to_owned(),
        path => format!("{path}/"),
    };
    base.set_path(&path);
    base.set_query(None);
    Ok(base)
}

impl Scanner {
    /// A scanner at `address`. A bare `http://host` gets the usual `/eSCL` path. No proxy is
    /// used: scanners are on the clinic's own network, which a proxy cannot reach.
    pub fn new(address: &str) -> Result<Self, ScanError> {
        let base = base_url(address)?;
        let http = decoda_api::network::client_builder_with(None)
            .no_proxy()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| ScanError::Unreachable {
                detail: e.to_string(),
            })?;
        Ok(Self { http, base })
    }

    /// The scanner's eSCL address, ending in `/`.
    pub fn address(&self) -> &Url {
        &self.base
    }

    /// What the scanner can do.
    pub async fn capabilities(&self) -> Result<Capabilities, ScanError> {
        let xml = self
            .document("ScannerCapabilities", "its capabilities")
            .await?;
        Capabilities::parse(&xml)
    }

    /// Whether the scanner is free, and what its feeder holds.
    pub async fn status(&self) -> Result<Status, ScanError> {
        let xml = self.document("ScannerStatus", "its status").await?;
        Status::parse(&xml)
    }

    /// Scans as `request` asks: checks it against the scanner's capabilities (and, for the
    /// feeder, that paper is loaded), starts a job, and fetches its pages until the stack ends,
    /// calling `on_page` with the count after each. Cancelling ends the job on the scanner.
    pub async fn scan(
        &self,
        request: &ScanRequest,
        cancel: &CancellationToken,
        mut on_page: impl FnMut(usize),
    ) -> Scanned {
        let mut scanned = Scanned::default();
        let job = match self.start(request).await {
            Ok(job) => job,
            Err(e) => {
                scanned.stopped = Some(e);
                return scanned;
            }
        };
        loop {
            let next = tokio::select! {
                () = cancel.cancelled() => Err(ScanError::Cancelled),
                next = self.next_page(&job, request.source) => next,
            };
            match next {
                Ok(Some(page)) => {
                    scanned.pages.push(page);
                    on_page(scanned.pages.len());
                }
                Ok(None) => {
                    scanned.stopped = self.why_the_stack_ended(request, &scanned).await;
                    self.end_job(&job).await;
                    break;
                }
                Err(e) => {
                    self.end_job(&job).await;
                    scanned.stopped = Some(e);
                    break;
                }
            }
        }
        scanned
    }

    /// Checks the request and starts the job; returns the job's address.
    async fn start(&self, request: &ScanRequest) -> Result<Url, ScanError> {
        let caps = self.capabilities().await?;
        let source = request.check(&caps)?;
        if request.source == Source::Feeder {
            if let Ok(status) = self.status().await {
                match status.feeder {
                    Some(FeederState::Empty) => return Err(ScanError::FeederEmpty),
                    Some(FeederState::Problem(what)) => return Err(ScanError::FeederProblem(what)),
                    _ => {}
                }
            }
        }
        let answer = self
            .send(
                self.http
                    .post(self.url("ScanJobs")?)
                    .header(reqwest::header::CONTENT_TYPE, "text/xml")
                    .body(request.settings_xml(source)),
            )
            .await?;
        match answer.status() {
            StatusCode::CREATED => {}
            StatusCode::CONFLICT | StatusCode::SERVICE_UNAVAILABLE => return Err(ScanError::Busy),
            other => {
                return Err(ScanError::Answer(format!(
                    "HTTP {} to a new scan job",
                    other.as_u16()
                )))
            }
        }
        let location = answer
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| ScanError::Answer("a new scan job without its address".into()))?;
        let mut job = self
            .base
            .join(location)
            .map_err(|_| ScanError::Answer("a scan job address that is not a URL".into()))?;
        if !job.path().ends_with('/') {
            job.set_path(&format!("{}/", job.path()));
        }
        Ok(job)
    }

    /// The job's next page; `None` once there are no more (404, the normal end of a job). While
    /// the scanner says the page is not ready (503), a feeder that reports a jam ends the wait.
    async fn next_page(&self, job: &Url, source: Source) -> Result<Option<Page>, ScanError> {
        let url = job
            .join("NextDocument")
            .map_err(|_| ScanError::Answer("a scan job address that is not a URL".into()))?;
        for _ in 0..NOT_READY_TRIES {
            let answer = self.send(self.http.get(url.clone())).await?;
            match answer.status() {
                StatusCode::OK => return page(answer).await.map(Some),
                StatusCode::NOT_FOUND => return Ok(None),
                StatusCode::SERVICE_UNAVAILABLE => {
                    if source == Source::Feeder {
                        if let Ok(Status {
                            feeder: Some(FeederState::Problem(what)),
                            ..
                        }) = self.status().await
                        {
                            return Err(ScanError::FeederProblem(what));
                        }
                    }
                    tokio::time::sleep(NOT_READY_PAUSE).await;
                }
                other => {
                    return Err(ScanError::Answer(format!(
                        "HTTP {} for the next page",
                        other.as_u16()
                    )))
                }
            }
        }
        Err(ScanError::Answer(
            "it kept saying the next page was not ready".into(),
        ))
    }

    /// After the last page: a feeder that stopped on a jam or an open cover says so, and a job
    /// that gave no page at all is reported (the paper was not picked up).
    async fn why_the_stack_ended(
        &self,
        request: &ScanRequest,
        scanned: &Scanned,
    ) -> Option<ScanError> {
        if request.source == Source::Feeder {
            if let Ok(Status {
                feeder: Some(FeederState::Problem(what)),
                ..
            }) = self.status().await
            {
                return Some(ScanError::FeederProblem(what));
            }
        }
        if scanned.pages.is_empty() {
            return Some(match request.source {
                Source::Feeder => ScanError::FeederEmpty,
                Source::Flatbed => ScanError::Answer("no page came from the glass".into()),
            });
        }
        None
    }

    /// Ends a job on the scanner (at its end, on cancel, or after an error), as eSCL clients do;
    /// a scanner that already dropped it is fine.
    async fn end_job(&self, job: &Url) {
        let mut url = job.clone();
        url.set_path(job.path().trim_end_matches('/'));
        if let Err(e) = self.http.delete(url).send().await {
            tracing::debug!("the scan job could not be ended on the scanner: {e}");
        }
    }

    async fn document(&self, path: &str, what: &str) -> Result<String, ScanError> {
        let answer = self.send(self.http.get(self.url(path)?)).await?;
        if answer.status() != StatusCode::OK {
            return Err(ScanError::Answer(format!(
                "HTTP {} to a request for {what}",
                answer.status().as_u16()
            )));
        }
        answer.text().await.map_err(unreachable)
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Response, ScanError> {
        request.send().await.map_err(unreachable)
    }

    fn url(&self, path: &str) -> Result<Url, ScanError> {
        self.base
            .join(path)
            .map_err(|_| ScanError::InvalidAddress(self.base.to_string()))
    }
}

/// A page answer's body, which must be a JPEG image.
async fn page(answer: Response) -> Result<Page, ScanError> {
    let declared = answer
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let jpeg = answer.bytes().await.map_err(unreachable)?;
    if !jpeg.starts_with(&[0xFF, 0xD8]) {
        return Err(ScanError::Answer(format!(
            "a page that is not a JPEG image (it said `{declared}`, {JPEG} was asked)"
        )));
    }
    Ok(Page { jpeg })
}

fn unreachable(e: reqwest::Error) -> ScanError {
    ScanError::Unreachable {
        detail: if e.is_timeout() {
            "no answer in time".to_owned()
        } else {
            e.without_url().to_string()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_the_escl_path_and_a_bad_one_is_refused() {
        let bare = Scanner::new("http://192.168.1.40").unwrap();
        assert_eq!(bare.address().as_str(), "http://192.168.1.40/eSCL/");
        let given = Scanner::new(" http://scanner.local:8080/eSCL ").unwrap();
        assert_eq!(given.address().as_str(), "http://scanner.local:8080/eSCL/");
        for bad in ["192.168.1.40", "ftp://scanner/eSCL", "not a url"] {
            assert!(
                matches!(Scanner::new(bad), Err(ScanError::InvalidAddress(_))),
                "{bad}"
            );
        }
    }
}
