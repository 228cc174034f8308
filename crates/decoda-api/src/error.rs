//! One error type for every way a call to the API can end badly.
//!
//! Each variant is something a caller acts on differently (ask for a new key, pick another patient,
//! wait and retry, split the batch, look before re-sending), and its message is written for a clinic
//! worker. No variant ever holds the API key.

use std::time::Duration;

/// Shorthand for results of API calls.
pub type Result<T, E = ApiError> = std::result::Result<T, E>;

/// Which thing the server could not find (it answers 404 for any unknown id in the tenant).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotFound {
    /// The patient id is unknown in this tenant.
    Patient(String),
    /// The note id is unknown, or belongs to another patient.
    Note(String),
    /// The attachment id is unknown.
    Attachment(String),
    /// Something else; the path that was asked for, without the query.
    Other(String),
}

/// One entry of a FastAPI 422 answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Where the problem is, e.g. `body.patient_id`.
    pub loc: String,
    /// The server's message.
    pub msg: String,
}

/// Everything that can go wrong talking to the API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// 401 or 403: the key or the tenant is wrong (the API does not say which).
    #[error(
        "the API key or tenant was rejected by the server (HTTP {status}); check them in settings"
    )]
    Unauthorized {
        /// The status the server answered.
        status: u16,
    },
    /// 404 for a known kind of thing.
    #[error("{}", describe_not_found(.0))]
    NotFound(NotFound),
    /// 422 with the server's field errors.
    #[error("the server refused the request: {}", describe_fields(.errors))]
    Validation {
        /// Each `loc`/`msg` pair the server gave.
        errors: Vec<FieldError>,
    },
    /// 429: too many requests for this tenant.
    #[error("the server is busy (rate limited){}", describe_wait(.retry_after))]
    RateLimited {
        /// How long the server asked us to wait, if it said.
        retry_after: Option<Duration>,
    },
    /// 413: the request body is larger than the server accepts.
    #[error("the files are larger than the server accepts in one request (HTTP 413); send fewer or smaller files")]
    PayloadTooLarge,
    /// A 5xx with a JSON or empty body: the server itself failed.
    #[error("the server had a problem (HTTP {status}){}", describe_detail(.detail))]
    Server {
        /// The status the server answered.
        status: u16,
        /// The server's `detail`, if any.
        detail: Option<String>,
    },
    /// A body that is not the JSON the contract promises: a proxy's HTML page, a truncated answer.
    #[error("the server's answer could not be read (HTTP {status}, {reason}); it may be a proxy or network fault")]
    InvalidResponse {
        /// The status the server answered.
        status: u16,
        /// What was wrong with it (e.g. the JSON path that failed), never the body itself.
        reason: String,
    },
    /// An answer far longer than any real one (see `MAX_RESPONSE_BYTES`): a proxy or network fault,
    /// or a broken server. It was not read to the end, so it cannot fill the workstation's memory.
    #[error("the server's answer (HTTP {status}) was larger than {} MiB, far more than a real answer, and was not read; it may be a proxy or network fault. Try again, and tell your IT department if it keeps happening", .limit_bytes / (1024 * 1024))]
    ResponseTooLarge {
        /// The status the server answered.
        status: u16,
        /// The most the client reads, in bytes.
        limit_bytes: u64,
    },
    /// Any other status with a readable body.
    #[error("the server answered HTTP {status}{}", describe_detail(.detail))]
    UnexpectedStatus {
        /// The status the server answered.
        status: u16,
        /// The server's `detail`, if any.
        detail: Option<String>,
    },
    /// No answer: the connection could not be made, broke, or timed out. The message says which
    /// in words for the person at the desk; the technical chain (for support) is in `detail`,
    /// which the client also logs as a warning, so "Copy diagnostics" carries it.
    #[error("{message}")]
    Transport {
        /// What happened, for the person at the desk.
        message: String,
        /// The error chain underneath (no URL, no query, no headers): for diagnostics only.
        detail: String,
        /// The connection was never established, so nothing reached the server.
        connect: bool,
        /// The connection timed out waiting for an answer.
        timeout: bool,
    },
    /// The base URL is not usable.
    #[error("the server address `{url}` is not valid: {reason}")]
    InvalidBaseUrl {
        /// The URL as given (it never contains the key).
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// The proxy address in the settings is not usable.
    #[error("the proxy address is not valid: {reason}; write it as http://proxy.example:3128")]
    InvalidProxy {
        /// Why it was refused (never the address itself: it may hold a password).
        reason: String,
    },
    /// The caller cancelled the call.
    #[error("cancelled")]
    Cancelled,
}

/// What kind of failure an error is, for what a person does next. The CLI's exit status and the
/// window's error kind both come from [`ApiError::category`], so the two cannot drift apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCategory {
    /// The key or the tenant was rejected: check them in settings.
    Rejected,
    /// The patient, note or attachment does not exist: check the id.
    NotFound,
    /// Something given is not valid (the address, the proxy, a field the server refused).
    Invalid,
    /// The server could not be reached, was busy, or answered wrongly: try again.
    Unreachable,
    /// The person cancelled.
    Cancelled,
}

impl ErrorCategory {
    /// What to do about it, as a sentence for clinic staff.
    pub fn advice(self) -> &'static str {
        match self {
            Self::Rejected => "Check the server, tenant and API key in Settings.",
            Self::NotFound => "Check the patient or note and choose it again.",
            Self::Invalid => "Check what was entered.",
            Self::Unreachable => "Check the network; the files stay in the list and are sent when you press Upload again.",
            Self::Cancelled => "Nothing more was sent.",
        }
    }
}

impl ApiError {
    /// The technical detail under a failure to reach the server (the connection error chain),
    /// for IT and support; the message itself is worded for the person at the desk.
    pub fn detail(&self) -> Option<&str> {
        match self {
            Self::Transport {
                message, detail, ..
            } if detail != message => Some(detail),
            _ => None,
        }
    }

    /// The kind of failure, for the exit status and the window's error kind.
    pub fn category(&self) -> ErrorCategory {
        match self {
            Self::Unauthorized { .. } => ErrorCategory::Rejected,
            Self::NotFound(_) => ErrorCategory::NotFound,
            Self::InvalidBaseUrl { .. } | Self::InvalidProxy { .. } | Self::Validation { .. } => {
                ErrorCategory::Invalid
            }
            Self::Cancelled => ErrorCategory::Cancelled,
            Self::RateLimited { .. }
            | Self::PayloadTooLarge
            | Self::Server { .. }
            | Self::InvalidResponse { .. }
            | Self::ResponseTooLarge { .. }
            | Self::UnexpectedStatus { .. }
            | Self::Transport { .. } => ErrorCategory::Unreachable,
        }
    }

    /// Whether the failure says nothing reached the server, so sending again cannot duplicate.
    pub fn nothing_was_processed(&self) -> bool {
        match self {
            Self::Transport { connect, .. } => *connect,
            Self::Unauthorized { .. }
            | Self::NotFound(_)
            | Self::Validation { .. }
            | Self::RateLimited { .. }
            | Self::PayloadTooLarge
            | Self::InvalidBaseUrl { .. }
            | Self::InvalidProxy { .. } => true,
            _ => false,
        }
    }

    /// Whether trying the same request again later could succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::RateLimited { .. } | Self::Server { .. } | Self::Transport { .. } => true,
            Self::InvalidResponse { status, .. } | Self::ResponseTooLarge { status, .. } => {
                *status >= 500 || *status == 200
            }
            _ => false,
        }
    }
}

fn describe_not_found(what: &NotFound) -> String {
    match what {
        NotFound::Patient(id) => format!("no patient with id `{id}` in this clinic"),
        NotFound::Note(id) => format!("no note with id `{id}` for this patient"),
        NotFound::Attachment(id) => format!("no attachment with id `{id}`"),
        NotFound::Other(path) => format!("the server has nothing at `{path}` (HTTP 404)"),
    }
}

fn describe_fields(errors: &[FieldError]) -> String {
    if errors.is_empty() {
        return "no details given".to_owned();
    }
    errors
        .iter()
        .map(|e| format!("{}: {}", e.loc, e.msg))
        .collect::<Vec<_>>()
        .join("; ")
}

fn describe_wait(wait: &Option<Duration>) -> String {
    match wait {
        Some(d) => format!("; it asked to wait {} s", d.as_secs().max(1)),
        None => String::new(),
    }
}

fn describe_detail(detail: &Option<String>) -> String {
    match detail {
        Some(d) if !d.is_empty() => format!(": {d}"),
        _ => String::new(),
    }
}
