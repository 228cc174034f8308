//! The documented exit statuses, and the one place that maps errors to them.

use decoda_api::{ApiError, ErrorCategory};
use decoda_settings::SettingsError;
use std::process::ExitCode;

/// Every file was uploaded, or the command did what was asked.
pub const OK: u8 = 0;
/// Some files were not uploaded.
pub const SOME_FAILED: u8 = 1;
/// Bad usage or settings.
pub const USAGE: u8 = 2;
/// No key, or the key or tenant was rejected.
pub const AUTH: u8 = 3;
/// The patient or note does not exist.
pub const NOT_FOUND: u8 = 4;
/// The server could not be reached or answered wrongly.
pub const SERVER: u8 = 5;
/// The scanner could not scan, or stopped part-way (the pages received are saved).
pub const SCANNER: u8 = 6;
/// Cancelled by the user.
pub const CANCELLED: u8 = 130;

/// A failure of the whole command, with its exit status.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// An API call failed.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// Settings or keychain.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// Anything the user must fix in the command.
    #[error("{0}")]
    Usage(String),
    /// No key is configured.
    #[error(
        "no API key is set for this server and tenant: run `decoda login`, or set DECODA_API_KEY"
    )]
    NoKey,
    /// The local queue and history failed.
    #[error(transparent)]
    Store(#[from] decoda_store::StoreError),
    /// A move of a misfiled upload was refused, failed, or could not be confirmed.
    #[error(transparent)]
    Move(#[from] decoda_core::MoveError),
    /// The scanner could not scan.
    #[error(transparent)]
    Scan(#[from] decoda_scan::ScanError),
    /// The scanned pages could not be made into a PDF or saved.
    #[error("{0}")]
    ScanNotSaved(String),
    /// The user said no.
    #[error("cancelled")]
    Cancelled,
}

impl From<decoda_core::FindError> for CliError {
    fn from(e: decoda_core::FindError) -> Self {
        match e {
            decoda_core::FindError::Api(a) => Self::Api(a),
            unreadable => Self::Usage(unreadable.to_string()),
        }
    }
}

impl From<decoda_core::LedgerError> for CliError {
    fn from(e: decoda_core::LedgerError) -> Self {
        match e {
            decoda_core::LedgerError::Store(s) => Self::Store(s),
            decoda_core::LedgerError::Api(a) => Self::Api(a),
        }
    }
}

impl CliError {
    /// The API failure underneath, if this is one.
    fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(e) | Self::Settings(SettingsError::Api(e)) => Some(e),
            Self::Move(decoda_core::MoveError::Api(e)) => Some(e),
            _ => None,
        }
    }

    /// The exit status for this error.
    pub fn code(&self) -> u8 {
        match self {
            Self::Api(e) => api_code(e),
            Self::Settings(SettingsError::Api(e)) => api_code(e),
            Self::Settings(SettingsError::KeychainUnavailable(_) | SettingsError::Keychain(_)) => {
                AUTH
            }
            Self::Settings(_) | Self::Usage(_) | Self::Store(_) => USAGE,
            Self::NoKey => AUTH,
            Self::Move(e) => e.category().map_or(USAGE, category_code),
            Self::Scan(decoda_scan::ScanError::Cancelled) | Self::Cancelled => CANCELLED,
            Self::Scan(_) | Self::ScanNotSaved(_) => SCANNER,
        }
    }
}

/// The exit status of an API failure, from the one classification the app uses too.
fn api_code(e: &ApiError) -> u8 {
    category_code(e.category())
}

/// The exit status of a kind of failure.
fn category_code(category: ErrorCategory) -> u8 {
    match category {
        ErrorCategory::Rejected => AUTH,
        ErrorCategory::NotFound => NOT_FOUND,
        ErrorCategory::Invalid => USAGE,
        ErrorCategory::Cancelled => CANCELLED,
        ErrorCategory::Unreachable => SERVER,
    }
}

/// Prints the error as one line (and, for a connection failure, a second with the technical
/// detail IT asks for) and returns its status.
pub fn report(err: &CliError) -> ExitCode {
    eprintln!("decoda: error: {err}");
    if let Some(detail) = err.api().and_then(ApiError::detail) {
        eprintln!("decoda: detail: {detail}");
    }
    ExitCode::from(err.code())
}

/// Prints per-file results, as one JSON object `{"files": […]}` with `--json` or with `print` for
/// people, and gives the exit status: [`SOME_FAILED`] when any file `failed`, else [`OK`].
pub fn report_files<T: serde::Serialize>(
    json: bool,
    files: &[T],
    print: impl Fn(&T),
    failed: impl Fn(&T) -> bool,
) -> u8 {
    if json {
        println!("{}", serde_json::json!({ "files": files }));
    } else {
        files.iter().for_each(&print);
    }
    if files.iter().any(failed) {
        SOME_FAILED
    } else {
        OK
    }
}
