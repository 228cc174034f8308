//! The HTTP side: one `reqwest::Client`, the two auth headers, and the mapping of every answer.
//!
//! Redirects are refused outright, so the `API-KEY` header only ever goes to the configured host.
//! Ordinary calls get a whole-request timeout. Uploads get none here: a large upload on a slow link
//! may rightly take many minutes, so the upload engine bounds them itself, by watching the bytes go
//! out (a stall) and by timing the wait for the answer from the moment the body was sent. (reqwest's
//! `read_timeout` would not do: it runs from the start of the request until the answer's headers,
//! upload included.)

use crate::{
    capped::{read_capped, CappedReadError, MAX_RESPONSE_BYTES},
    error::{ApiError, FieldError, NotFound, Result},
    models::{
        Attachment, AttachmentDayPage, BulkUploadResponse, NameUpdates, NotePage, Patient,
        PatientChange, PatientSummary,
    },
    network, ApiKey, AttachmentId, NoteId, PatientId, ProxyUrl,
};
use bytes::Bytes;
use reqwest::{
    header::{HeaderMap, HeaderValue, CONTENT_TYPE, RETRY_AFTER},
    multipart::{Form, Part},
    Method, StatusCode,
};
use serde::de::DeserializeOwned;
use std::{fmt, net::IpAddr, time::Duration};
use url::Url;

const USER_AGENT: &str = concat!("decoda-uploader/", env!("CARGO_PKG_VERSION"));

/// A validated API base URL: HTTPS, or plain HTTP only to this machine (the sandbox).
#[derive(Clone, PartialEq, Eq)]
pub struct BaseUrl(Url);

impl BaseUrl {
    /// Parses and checks a base URL such as `https://api.decodahealth.com`.
    pub fn parse(input: &str) -> Result<Self> {
        let invalid = |reason: &str| ApiError::InvalidBaseUrl {
            url: input.trim().to_owned(),
            reason: reason.to_owned(),
        };
        let mut url = Url::parse(input.trim()).map_err(|e| invalid(&e.to_string()))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid("it must not contain a user name or password"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("it must not contain `?` or `#` parts"));
        }
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            "http" => {
                return Err(invalid(
                    "plain http is only allowed for this computer (localhost); use https",
                ))
            }
            _ => return Err(invalid("it must start with https://")),
        }
        if url.host().is_none() {
            return Err(invalid("it has no host name"));
        }
        let trimmed = url.path().trim_end_matches('/').to_owned();
        url.set_path(&trimmed);
        Ok(Self(url))
    }

    /// The URL as text, without a trailing slash.
    pub fn as_str(&self) -> &str {
        self.0.as_str().trim_end_matches('/')
    }

    /// Builds `base/seg1/seg2…`, percent-encoding each segment (so an id with `/` stays one segment).
    fn join(&self, segments: &[&str]) -> Url {
        let mut url = self.0.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BaseUrl({})", self.as_str())
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether `url` may be used without TLS: HTTPS anywhere, plain HTTP only to this computer (the
/// sandbox). The rule for the server address, and for the links the server hands out.
pub fn https_or_loopback(url: &Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => is_loopback(url),
        _ => false,
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Settings for a [`Client`]; every field has a sensible default.
#[derive(Debug)]
pub struct ClientBuilder {
    base: BaseUrl,
    tenant: String,
    key: ApiKey,
    connect_timeout: Duration,
    request_timeout: Duration,
    proxy: Option<ProxyUrl>,
}

impl ClientBuilder {
    /// How long to wait for a connection (default 10 s).
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = t;
        self
    }

    /// How long a call other than an upload may take in all (default 60 s).
    pub fn request_timeout(mut self, t: Duration) -> Self {
        self.request_timeout = t;
        self
    }

    /// The proxy to go through (`None`: the system's), instead of the one the front end set with
    /// [`crate::network::set_proxy`].
    pub fn proxy(mut self, proxy: Option<ProxyUrl>) -> Self {
        self.proxy = proxy;
        self
    }

    /// Builds the client: the operating system's trust store and the proxy, as every HTTP client
    /// of the uploader (see [`crate::network`]).
    pub fn build(self) -> Result<Client> {
        let http = network::client_builder_with(self.proxy.as_ref())
            .user_agent(USER_AGENT)
            .connect_timeout(self.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                transport(
                    "this computer could not set up a connection to Decoda".to_owned(),
                    format!("could not set up HTTP: {}", error_chain(&e)),
                    (true, false),
                )
            })?;
        let tenant = self.tenant.trim().to_owned();
        Ok(Client {
            http,
            base: self.base,
            tenant,
            key: self.key,
            request_timeout: self.request_timeout,
        })
    }
}

/// One file of an upload, as a body the caller streams (and counts) itself.
#[derive(Debug)]
pub struct FilePart {
    /// The multipart `filename` (the server stores it as `originalFilename`).
    pub file_name: String,
    /// The part's `Content-Type`.
    pub content_type: String,
    /// The exact number of bytes `body` yields, so the request needs no chunked encoding.
    pub length: u64,
    /// The file's bytes.
    pub body: reqwest::Body,
}

/// A `POST /attachments/bulk` request.
#[derive(Debug)]
pub struct BulkUpload {
    /// Whose chart the files go to.
    pub patient_id: PatientId,
    /// The note to link them to, if any.
    pub note_id: Option<NoteId>,
    /// The `names` field, already encoded.
    pub names: Option<String>,
    /// The `external_ids` field, already encoded.
    pub external_ids: Option<String>,
    /// One part per file, in order.
    pub files: Vec<FilePart>,
}

/// A `POST /attachments` request (one file).
#[derive(Debug)]
pub struct SingleUpload {
    /// Whose chart the file goes to.
    pub patient_id: PatientId,
    /// The note to link it to, if any.
    pub note_id: Option<NoteId>,
    /// Its display name.
    pub name: Option<String>,
    /// The caller's own id for it.
    pub external_id: Option<String>,
    /// The file.
    pub file: FilePart,
}

/// A connection to one tenant of the Decoda API.
///
/// Cheap to clone (the connection pool is shared); build it once and reuse it.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: BaseUrl,
    tenant: String,
    key: ApiKey,
    request_timeout: Duration,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .field("tenant", &self.tenant)
            .field("key", &"<redacted>")
            .finish()
    }
}

/// What a request was about, so that a 404 can say which thing is missing.
enum Subject<'a> {
    Patient(&'a PatientId),
    PatientOrNote(&'a PatientId, Option<&'a NoteId>),
    Attachments(&'a [AttachmentId]),
    /// A move: the 404 may be for the attachment or for the patient it is moved to.
    AttachmentAndPatient(&'a AttachmentId, &'a PatientId),
    Note(&'a NoteId),
}

impl Client {
    /// Starts building a client for `base` (see [`BaseUrl::parse`]), `tenant` and `key`.
    pub fn builder(base: BaseUrl, tenant: impl Into<String>, key: ApiKey) -> ClientBuilder {
        ClientBuilder {
            base,
            tenant: tenant.into(),
            key,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            proxy: network::configured_proxy(),
        }
    }

    /// The base URL this client talks to.
    pub fn base_url(&self) -> &BaseUrl {
        &self.base
    }

    /// The tenant this client acts for.
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// `GET /user/patient/{id}`: the patient's chart header, to show who the files go to.
    pub async fn patient(&self, id: &PatientId) -> Result<Patient> {
        let url = self.base.join(&["user", "patient", id.as_str()]);
        self.json(
            self.request(Method::GET, url).timeout(self.request_timeout),
            Subject::Patient(id),
        )
        .await
    }

    /// `GET /user/patient/search`: patients matching a name, phone, external id or date of birth.
    pub async fn search_patients(&self, term: &str, limit: u32) -> Result<Vec<PatientSummary>> {
        let mut url = self.base.join(&["user", "patient", "search"]);
        url.query_pairs_mut()
            .append_pair("search_term", term)
            .append_pair("n", &limit.to_string());
        let none = PatientId::new("");
        self.json(
            self.request(Method::GET, url).timeout(self.request_timeout),
            Subject::Patient(&none),
        )
        .await
    }

    /// `GET /notes/list`: a page of the patient's notes, newest first as the server orders them.
    pub async fn notes(&self, patient: &PatientId, page: u32, per_page: u32) -> Result<NotePage> {
        let mut url = self.base.join(&["notes", "list"]);
        url.query_pairs_mut()
            .append_pair("patient_id", patient.as_str())
            .append_pair("page", &page.to_string())
            .append_pair("per_page", &per_page.to_string());
        self.json(
            self.request(Method::GET, url).timeout(self.request_timeout),
            Subject::Patient(patient),
        )
        .await
    }

    /// `GET /attachments?patient_id=…&tz=…[&date=…]`: one local day of the patient's attachments.
    /// Without `date` the server starts at the most recent day.
    pub async fn attachments_day(
        &self,
        patient: &PatientId,
        tz: &str,
        date: Option<&str>,
    ) -> Result<AttachmentDayPage> {
        let mut url = self.base.join(&["attachments"]);
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("tz", tz)
                .append_pair("patient_id", patient.as_str());
            if let Some(d) = date {
                q.append_pair("date", d);
            }
        }
        self.json(
            self.request(Method::GET, url).timeout(self.request_timeout),
            Subject::Patient(patient),
        )
        .await
    }

    /// `GET /attachments?note_id=…`: every attachment of one note.
    pub async fn note_attachments(&self, note: &NoteId, tz: &str) -> Result<Vec<Attachment>> {
        let mut url = self.base.join(&["attachments"]);
        url.query_pairs_mut()
            .append_pair("tz", tz)
            .append_pair("note_id", note.as_str());
        self.json(
            self.request(Method::GET, url).timeout(self.request_timeout),
            Subject::Note(note),
        )
        .await
    }

    /// `POST /attachments/bulk`: several files in one request. The answer is returned as the server
    /// gave it; checking it against what was sent is the caller's job. No timeout applies (see the
    /// module comment): the caller must bound the wait.
    pub async fn upload_bulk(&self, upload: BulkUpload) -> Result<Vec<Attachment>> {
        let mut form = Form::new().text("patient_id", upload.patient_id.as_str().to_owned());
        if let Some(note) = &upload.note_id {
            form = form.text("note_id", note.as_str().to_owned());
        }
        if let Some(names) = upload.names {
            form = form.text("names", names);
        }
        if let Some(ids) = upload.external_ids {
            form = form.text("external_ids", ids);
        }
        for file in upload.files {
            form = form.part("attachments", file_part(file)?);
        }
        let url = self.base.join(&["attachments", "bulk"]);
        let subject = Subject::PatientOrNote(&upload.patient_id, upload.note_id.as_ref());
        let response: BulkUploadResponse = self
            .json(self.request(Method::POST, url).multipart(form), subject)
            .await?;
        Ok(response.attachments)
    }

    /// `POST /attachments`: one file.
    pub async fn upload_one(&self, upload: SingleUpload) -> Result<Attachment> {
        let mut form = Form::new().text("patient_id", upload.patient_id.as_str().to_owned());
        if let Some(note) = &upload.note_id {
            form = form.text("note_id", note.as_str().to_owned());
        }
        if let Some(name) = upload.name {
            form = form.text("name", name);
        }
        if let Some(id) = upload.external_id {
            form = form.text("external_id", id);
        }
        form = form.part("attachment", file_part(upload.file)?);
        let url = self.base.join(&["attachments"]);
        let subject = Subject::PatientOrNote(&upload.patient_id, upload.note_id.as_ref());
        self.json(self.request(Method::POST, url).multipart(form), subject)
            .await
    }

    /// `PUT /attachments/bulk-names`: sets display names, e.g. to repair ones the server garbled.
    pub async fn rename_bulk(&self, updates: &NameUpdates) -> Result<()> {
        let url = self.base.join(&["attachments", "bulk-names"]);
        let ids: Vec<AttachmentId> = updates
            .updates
            .iter()
            .map(|u| u.attachment_id.clone())
            .collect();
        let ok: bool = self
            .json(
                self.request(Method::PUT, url).json(updates),
                Subject::Attachments(&ids),
            )
            .await?;
        confirmed(ok, "the rename")
    }

    /// `PUT /attachments/{attachment_id}/patient`: files a misfiled upload (the server moves it
    /// and all its versions) in another patient's chart. The server drops its note links, since
    /// notes belong to one patient. Only a `true` answer is a success: a caller records a move
    /// only when the server said it made it (and should then check the chart, as the server's
    /// word is not proof).
    pub async fn move_attachment(&self, attachment: &AttachmentId, to: &PatientId) -> Result<()> {
        let url = self
            .base
            .join(&["attachments", attachment.as_str(), "patient"]);
        let body = PatientChange {
            patient_id: to.clone(),
        };
        let ok: bool = self
            .json(
                self.request(Method::PUT, url)
                    .timeout(self.request_timeout)
                    .json(&body),
                Subject::AttachmentAndPatient(attachment, to),
            )
            .await?;
        confirmed(ok, "the move")
    }

    fn request(&self, method: Method, url: Url) -> reqwest::RequestBuilder {
        let mut key = HeaderValue::from_str(self.key.expose())
            .unwrap_or_else(|_| HeaderValue::from_static(""));
        key.set_sensitive(true);
        let tenant =
            HeaderValue::from_str(&self.tenant).unwrap_or_else(|_| HeaderValue::from_static(""));
        self.http
            .request(method, url)
            .header("API-KEY", key)
            .header("TENANT", tenant)
            .header(reqwest::header::ACCEPT, "application/json")
    }

    async fn json<T: DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
        subject: Subject<'_>,
    ) -> Result<T> {
        let (status, headers, body) = self.send(req).await?;
        if !status.is_success() {
            return Err(map_error(status, &headers, &body, &subject));
        }
        parse_json(status, &headers, &body)
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Result<(StatusCode, HeaderMap, Bytes)> {
        let response = req.send().await.map_err(transport_error)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = read_capped(response, MAX_RESPONSE_BYTES)
            .await
            .map_err(|e| match e {
                CappedReadError::TooLarge { limit } => ApiError::ResponseTooLarge {
                    status: status.as_u16(),
                    limit_bytes: limit,
                },
                CappedReadError::Transport(e) => transport_error(e),
            })?;
        Ok((status, headers, body))
    }
}

fn file_part(file: FilePart) -> Result<Part> {
    Part::stream_with_length(file.body, file.length)
        .file_name(file.file_name)
        .mime_str(&file.content_type)
        .map_err(|_| ApiError::Validation {
            errors: vec![FieldError {
                loc: "attachments".to_owned(),
                msg: format!("`{}` is not a valid content type", file.content_type),
            }],
        })
}

/// Parses a success body, naming the JSON path that failed (never echoing the body).
fn parse_json<T: DeserializeOwned>(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T> {
    if !is_json(headers) && !body.is_empty() && !looks_like_json(body) {
        return Err(ApiError::InvalidResponse {
            status: status.as_u16(),
            reason: format!("expected JSON, got {}", content_type(headers)),
        });
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| ApiError::InvalidResponse {
        status: status.as_u16(),
        reason: format!(
            "unexpected JSON at `{}`: {}",
            e.path(),
            e.inner().classify_name()
        ),
    })
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "read error",
            serde_json::error::Category::Syntax => "malformed JSON",
            serde_json::error::Category::Data => "a field has the wrong type or is missing",
            serde_json::error::Category::Eof => "the answer was cut short",
        }
    }
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or(v).trim().to_owned())
        .unwrap_or_else(|| "no content type".to_owned())
}

fn is_json(headers: &HeaderMap) -> bool {
    content_type(headers).ends_with("json")
}

fn looks_like_json(body: &[u8]) -> bool {
    matches!(
        body.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[' | b'"' | b't' | b'f' | b'n' | b'0'..=b'9' | b'-')
    )
}

/// Maps every non-2xx answer to one variant (the single place that knows status codes).
fn map_error(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    subject: &Subject<'_>,
) -> ApiError {
    let code = status.as_u16();
    let detail = Detail::parse(headers, body);
    match code {
        401 | 403 => ApiError::Unauthorized { status: code },
        404 => ApiError::NotFound(not_found(subject, detail.text())),
        413 => ApiError::PayloadTooLarge,
        422 => ApiError::Validation {
            errors: detail.fields(),
        },
        429 => ApiError::RateLimited {
            retry_after: retry_after(headers),
        },
        _ if matches!(detail, Detail::NotJson) => ApiError::InvalidResponse {
            status: code,
            reason: format!("expected JSON, got {}", content_type(headers)),
        },
        500..=599 => ApiError::Server {
            status: code,
            detail: detail.text(),
        },
        _ => ApiError::UnexpectedStatus {
            status: code,
            detail: detail.text(),
        },
    }
}

fn not_found(subject: &Subject<'_>, detail: Option<String>) -> NotFound {
    let mentions = |word: &str| {
        detail
            .as_deref()
            .is_some_and(|d| d.to_ascii_lowercase().contains(word))
    };
    match subject {
        Subject::Patient(id) => NotFound::Patient(id.to_string()),
        Subject::PatientOrNote(_, Some(note)) if mentions("note") => {
            NotFound::Note(note.to_string())
        }
        Subject::PatientOrNote(id, _) => NotFound::Patient(id.to_string()),
        Subject::Note(note) => NotFound::Note(note.to_string()),
        // The server names what it could not find; an answer that names only the patient is about
        // the patient, anything else about the attachment (the id the request's path holds).
        Subject::AttachmentAndPatient(_, patient)
            if mentions("patient") && !mentions("attachment") =>
        {
            NotFound::Patient(patient.to_string())
        }
        Subject::AttachmentAndPatient(attachment, _) => {
            NotFound::Attachment(attachment.to_string())
        }
        Subject::Attachments(ids) => NotFound::Attachment(
            ids.iter()
                .map(|i| i.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ),
    }
}

/// The body of an error answer, read defensively: the shapes of 401/403/404/413/429 are undocumented.
enum Detail {
    Empty,
    NotJson,
    Text(String),
    Fields(Vec<FieldError>),
    Other,
}

impl Detail {
    fn parse(headers: &HeaderMap, body: &[u8]) -> Self {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Self::Empty;
        }
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
            return if is_json(headers) {
                Self::Other
            } else {
                Self::NotJson
            };
        };
        match value.get("detail") {
            Some(serde_json::Value::String(s)) => Self::Text(s.clone()),
            Some(serde_json::Value::Array(items)) => {
                Self::Fields(items.iter().map(field_error).collect())
            }
            _ => Self::Other,
        }
    }

    fn text(&self) -> Option<String> {
        match self {
            Self::Text(s) => Some(s.chars().take(300).collect()),
            _ => None,
        }
    }

    fn fields(self) -> Vec<FieldError> {
        match self {
            Self::Fields(f) => f,
            Self::Text(msg) => vec![FieldError {
                loc: String::new(),
                msg,
            }],
            _ => Vec::new(),
        }
    }
}

fn field_error(item: &serde_json::Value) -> FieldError {
    let loc = item
        .get("loc")
        .and_then(|l| l.as_array())
        .map(|parts| {
            parts
                .iter()
                .map(|p| match p {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(".")
        })
        .unwrap_or_default();
    let msg = item
        .get("msg")
        .and_then(|m| m.as_str())
        .unwrap_or("invalid")
        .to_owned();
    FieldError { loc, msg }
}

/// The longest wait a rate limit is taken to ask for. The headers are undocumented and come from
/// the network: a value meant as a date, a typo or a hostile proxy must not make a workstation wait
/// for years (or panic converting it), so anything longer is read as one day. The engine gives up
/// long before that (its own `max_rate_limit_wait`).
pub const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(24 * 60 * 60);

/// An `X-RateLimit-Reset` above this is a Unix time (2001-09-09 onwards), not seconds to wait.
const UNIX_TIME_FROM: f64 = 1_000_000_000.0;

/// How long a 429 asks us to wait: `Retry-After` (seconds), else `X-RateLimit-Reset`, which is
/// read as seconds to wait when small and as a Unix time when it looks like one (undocumented).
/// A header that is not a finite, non-negative number is ignored; the wait is at most
/// [`MAX_RATE_LIMIT_WAIT`].
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    retry_after_at(headers, std::time::SystemTime::now())
}

fn retry_after_at(headers: &HeaderMap, now: std::time::SystemTime) -> Option<Duration> {
    if let Some(secs) = header_seconds(headers, RETRY_AFTER.as_str()) {
        return Some(bounded_wait(secs));
    }
    let reset = header_seconds(headers, "x-ratelimit-reset")?;
    if reset > UNIX_TIME_FROM {
        let now = now
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        return Some(bounded_wait(reset - now));
    }
    Some(bounded_wait(reset))
}

/// A header's value as a finite, non-negative number of seconds, if it is one.
fn header_seconds(headers: &HeaderMap, name: &str) -> Option<f64> {
    headers
        .get(name)?
        .to_str()
        .ok()?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0)
}

/// Seconds as a wait between zero and [`MAX_RATE_LIMIT_WAIT`], whatever the number (NaN, negative
/// and infinite included): `Duration::from_secs_f64` panics on values it cannot hold.
fn bounded_wait(secs: f64) -> Duration {
    if secs.is_nan() || secs <= 0.0 {
        return Duration::ZERO;
    }
    Duration::try_from_secs_f64(secs)
        .unwrap_or(MAX_RATE_LIMIT_WAIT)
        .min(MAX_RATE_LIMIT_WAIT)
}

/// Describes a transport failure without the URL (it holds patient ids) or anything secret.
fn transport_error(err: reqwest::Error) -> ApiError {
    let connect = err.is_connect();
    let timeout = err.is_timeout();
    let untrusted = certificate_problem(&err);
    let detail = error_chain(&err.without_url());
    let message = if timeout {
        "Decoda did not answer in time".to_owned()
    } else if let Some(why) = untrusted {
        format!(
            "this computer does not trust the server's certificate ({why}). If your clinic's network \
             inspects secure connections, IT must add its root certificate to the system's \
             certificate store"
        )
    } else if connect {
        "could not connect to Decoda: the network may be down, or the server address may be wrong"
            .to_owned()
    } else {
        "the connection to Decoda broke off".to_owned()
    };
    transport(message, detail, (connect, timeout))
}

/// A transport error, with its technical detail logged as a warning (no URL, query or headers,
/// so no patient data and never the key) for the diagnostics report.
pub(crate) fn transport(
    message: String,
    detail: String,
    (connect, timeout): (bool, bool),
) -> ApiError {
    tracing::warn!("connection problem: {detail}");
    ApiError::Transport {
        message,
        detail,
        connect,
        timeout,
    }
}

/// The certificate error under a failed connection, if that is why it failed. rustls's error
/// arrives wrapped in `io::Error`s, whose `source` skips what they wrap, so those are unwrapped.
fn certificate_problem(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(rustls::Error::InvalidCertificate(why)) = e.downcast_ref::<rustls::Error>() {
            return Some(format!("{why:?}"));
        }
        cur = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    None
}

fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        let text = e.to_string();
        if !parts.iter().any(|p: &String| p.contains(&text)) {
            parts.push(text);
        }
        cur = e.source();
    }
    parts.join(": ")
}

/// A change the server answers with a boolean: only `true` is a success (an answer of `false`,
/// with status 200, would otherwise pass for one).
fn confirmed(ok: bool, what: &str) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(ApiError::UnexpectedStatus {
            status: 200,
            detail: Some(format!("the server did not confirm {what}")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_requires_https_except_for_loopback() {
        assert!(BaseUrl::parse("https://api.decodahealth.com/").is_ok());
        assert!(BaseUrl::parse("http://127.0.0.1:8787").is_ok());
        assert!(BaseUrl::parse("http://localhost:1").is_ok());
        assert!(BaseUrl::parse("http://[::1]:1").is_ok());
        let err = BaseUrl::parse("http://api.decodahealth.com")
            .unwrap_err()
            .to_string();
        assert!(err.contains("https"), "{err}");
        assert!(BaseUrl::parse("http://127.0.0.1.evil.com").is_err());
        assert!(BaseUrl::parse("ftp://x").is_err());
        assert!(BaseUrl::parse("https://user:pw@x").is_err());
        assert!(BaseUrl::parse("not a url").is_err());
    }

    #[test]
    fn ids_with_slashes_stay_one_path_segment() {
        let base = BaseUrl::parse("https://h/api/").unwrap();
        assert_eq!(
            base.join(&["user", "patient", "a/b c"]).as_str(),
            "https://h/api/user/patient/a%2Fb%20c"
        );
    }

    fn headers(ct: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
        h
    }

    #[test]
    fn error_mapping_covers_each_status() {
        let p = PatientId::new("p1");
        let n = NoteId::new("n1");
        let s = Subject::PatientOrNote(&p, Some(&n));
        let json = headers("application/json");
        let map = |code: u16, h: &HeaderMap, body: &str| {
            map_error(StatusCode::from_u16(code).unwrap(), h, body.as_bytes(), &s)
        };
        assert!(matches!(
            map(401, &json, ""),
            ApiError::Unauthorized { status: 401 }
        ));
        assert!(matches!(
            map(403, &json, "{}"),
            ApiError::Unauthorized { status: 403 }
        ));
        assert!(
            matches!(map(404, &json, r#"{"detail":"Note not found"}"#), ApiError::NotFound(NotFound::Note(id)) if id == "n1")
        );
        assert!(
            matches!(map(404, &json, r#"{"detail":"Patient not found"}"#), ApiError::NotFound(NotFound::Patient(id)) if id == "p1")
        );
        assert!(matches!(
            map(413, &headers("text/html"), "<html>"),
            ApiError::PayloadTooLarge
        ));
        let v = map(
            422,
            &json,
            r#"{"detail":[{"loc":["body","patient_id"],"msg":"Field required","type":"missing"}]}"#,
        );
        assert!(
            v.to_string().contains("body.patient_id: Field required"),
            "{v}"
        );
        assert!(matches!(
            map(500, &headers("text/plain"), "Internal Server Error"),
            ApiError::InvalidResponse { status: 500, .. }
        ));
        assert!(matches!(
            map(503, &json, r#"{"detail":"down"}"#),
            ApiError::Server { status: 503, .. }
        ));
        assert!(matches!(
            map(502, &headers("text/html"), "<html>bad gateway</html>"),
            ApiError::InvalidResponse { status: 502, .. }
        ));
        assert!(matches!(
            map(418, &json, r#"{"detail":"teapot"}"#),
            ApiError::UnexpectedStatus { status: 418, .. }
        ));
    }

    #[test]
    fn a_move_names_the_missing_attachment_or_patient() {
        let a = AttachmentId::new("att_1");
        let p = PatientId::new("pat_9");
        let s = Subject::AttachmentAndPatient(&a, &p);
        let json = headers("application/json");
        let map = |body: &str| map_error(StatusCode::NOT_FOUND, &json, body.as_bytes(), &s);
        assert!(
            matches!(map(r#"{"detail":"Patient not found"}"#), ApiError::NotFound(NotFound::Patient(id)) if id == "pat_9")
        );
        for body in [
            r#"{"detail":"Attachment not found"}"#,
            r#"{"detail":"Not Found"}"#,
            "",
        ] {
            assert!(
                matches!(map(body), ApiError::NotFound(NotFound::Attachment(ref id)) if id == "att_1"),
                "{body}"
            );
        }
    }

    #[test]
    fn rate_limit_wait_comes_from_either_header() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-reset", HeaderValue::from_static("3"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    fn rate_limit_headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    #[test]
    fn absurd_rate_limit_waits_are_bounded_to_a_day_instead_of_panicking() {
        let day = Some(MAX_RATE_LIMIT_WAIT);
        for value in ["1e20", "1e300", "99999999999999999999999999", "1.7e308"] {
            assert_eq!(
                retry_after(&rate_limit_headers(&[("retry-after", value)])),
                day,
                "Retry-After: {value}"
            );
            assert_eq!(
                retry_after(&rate_limit_headers(&[("x-ratelimit-reset", value)])),
                day,
                "X-RateLimit-Reset: {value}"
            );
        }
        for value in ["NaN", "inf", "-inf", "-5", "soon", "", "1e999"] {
            assert_eq!(
                retry_after(&rate_limit_headers(&[("retry-after", value)])),
                None,
                "an unreadable Retry-After ({value}) is ignored"
            );
        }
        let reset_wins = rate_limit_headers(&[("retry-after", "NaN"), ("x-ratelimit-reset", "4")]);
        assert_eq!(retry_after(&reset_wins), Some(Duration::from_secs(4)));
    }

    #[test]
    fn a_unix_time_reset_is_read_as_the_time_left() {
        let now = std::time::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let at =
            |reset: &str| retry_after_at(&rate_limit_headers(&[("x-ratelimit-reset", reset)]), now);
        assert_eq!(at("1800000030"), Some(Duration::from_secs(30)));
        assert_eq!(
            at("1799999000"),
            Some(Duration::ZERO),
            "a reset in the past"
        );
        assert_eq!(at("9999999999"), Some(MAX_RATE_LIMIT_WAIT), "years away");
        assert_eq!(at("1e300"), Some(MAX_RATE_LIMIT_WAIT));
    }

    #[test]
    fn links_need_https_except_on_this_computer() {
        for ok in [
            "https://storage.example/x",
            "http://127.0.0.1:9/x",
            "http://localhost/x",
            "http://[::1]/x",
        ] {
            assert!(https_or_loopback(&Url::parse(ok).unwrap()), "{ok}");
        }
        for refused in [
            "http://storage.example/x",
            "http://10.0.0.1/x",
            "ftp://127.0.0.1/x",
        ] {
            assert!(
                !https_or_loopback(&Url::parse(refused).unwrap()),
                "{refused}"
            );
        }
    }

    #[test]
    fn client_debug_redacts_the_key() {
        let c = Client::builder(
            BaseUrl::parse("https://h").unwrap(),
            "t",
            ApiKey::new("canary-key-42"),
        )
        .build()
        .unwrap();
        assert!(!format!("{c:?}").contains("canary"));
    }

    fn header_text() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::prop_oneof![
            "\\PC{0,40}",
            " ?-?[0-9]{1,400}(\\.[0-9]{0,20})?([eE][+-]?[0-9]{1,4})? ?",
        ]
    }

    proptest::proptest! {
        /// Any header text at all, and numbers of any length: never a panic, never over a day.
        #[test]
        fn any_rate_limit_header_gives_a_bounded_wait(
            retry in proptest::option::of(header_text()),
            reset in proptest::option::of(header_text()),
        ) {
            let mut headers = HeaderMap::new();
            for (name, value) in [("retry-after", retry), ("x-ratelimit-reset", reset)] {
                if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                    headers.insert(name, v);
                }
            }
            let wait = retry_after(&headers);
            proptest::prop_assert!(wait.is_none_or(|w| w <= MAX_RATE_LIMIT_WAIT), "{wait:?}");
        }

        /// Any number, written as a server might write it, in either header.
        #[test]
        fn any_number_in_a_rate_limit_header_gives_a_bounded_wait(
            n in proptest::num::f64::ANY,
            exponent in proptest::prelude::any::<bool>(),
            reset in proptest::prelude::any::<bool>(),
        ) {
            let text = if exponent { format!("{n:e}") } else { format!("{n}") };
            let name = if reset { "x-ratelimit-reset" } else { "retry-after" };
            let headers = rate_limit_headers(&[(name, &text)]);
            let wait = retry_after(&headers);
            proptest::prop_assert!(wait.is_none_or(|w| w <= MAX_RATE_LIMIT_WAIT), "{text}: {wait:?}");
            proptest::prop_assert!(bounded_wait(n) <= MAX_RATE_LIMIT_WAIT);
        }

        /// Any bytes as a success body: parsed or refused with a reason, never a panic, and the
        /// reason never repeats the body (an answer can hold patient data).
        #[test]
        fn the_response_parser_never_panics_or_echoes_the_body(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512),
            json_header in proptest::prelude::any::<bool>(),
        ) {
            let mut headers = HeaderMap::new();
            if json_header {
                headers.insert(reqwest::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
            let parsed = parse_json::<Vec<crate::models::Attachment>>(StatusCode::OK, &headers, &body);
            if let Err(e) = parsed {
                let text = e.to_string();
                let body_text = String::from_utf8_lossy(&body);
                proptest::prop_assert!(body_text.len() < 8 || !text.contains(body_text.as_ref()));
            }
        }

        /// Any error status and body map to one error, never a panic; an HTML or text page is
        /// never shown to the user.
        #[test]
        fn error_answers_map_without_echoing_pages(
            status in 400u16..600,
            page in "<html>[A-Za-z0-9 ]{8,64}</html>",
        ) {
            let status = StatusCode::from_u16(status).unwrap();
            let mut headers = HeaderMap::new();
            headers.insert(reqwest::header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            let id = PatientId::new("pat_1");
            let e = map_error(status, &headers, page.as_bytes(), &Subject::Patient(&id));
            proptest::prop_assert!(!e.to_string().contains(&page));
        }
    }
}
