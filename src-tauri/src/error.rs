//! The one error shape the window sees: a kind it can branch on and a sentence it can show.
//!
//! Messages come from the engine's and settings' own errors, which never contain the key.

use decoda_engine::api::{ApiError, ErrorCategory};
use decoda_settings::SettingsError;
use serde::Serialize;

/// An error as the UI receives it: `{"kind": "...", "message": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", content = "message", rename_all = "camelCase")]
pub enum UiError {
    /// No key saved (or no tenant): the settings screen must be shown.
    #[error("{0}")]
    NotSignedIn(String),
    /// The key or tenant was rejected by the server.
    #[error("{0}")]
    Rejected(String),
    /// The patient or note does not exist.
    #[error("{0}")]
    NotFound(String),
    /// Something the user typed is not valid.
    #[error("{0}")]
    Invalid(String),
    /// The server could not be reached or answered wrongly.
    #[error("{0}")]
    Network(String),
    /// The system keychain failed.
    #[error("{0}")]
    Keychain(String),
    /// Another upload is running.
    #[error("{0}")]
    Busy(String),
    /// The local queue and history could not be used.
    #[error("{0}")]
    History(String),
    /// The person cancelled.
    #[error("{0}")]
    Cancelled(String),
}

impl From<decoda_store::StoreError> for UiError {
    fn from(e: decoda_store::StoreError) -> Self {
        Self::History(e.to_string())
    }
}

impl From<decoda_core::FindError> for UiError {
    fn from(e: decoda_core::FindError) -> Self {
        match e {
            decoda_core::FindError::Api(a) => a.into(),
            unreadable => Self::Invalid(unreadable.to_string()),
        }
    }
}

impl From<decoda_core::LedgerError> for UiError {
    fn from(e: decoda_core::LedgerError) -> Self {
        match e {
            decoda_core::LedgerError::Store(s) => s.into(),
            decoda_core::LedgerError::Api(a) => a.into(),
        }
    }
}

impl From<decoda_core::MoveError> for UiError {
    /// The kind comes from [`decoda_core::MoveError::category`]; a failure of the local history
    /// (the move may then be made but not recorded: the message says so) is a history error.
    fn from(e: decoda_core::MoveError) -> Self {
        match e {
            decoda_core::MoveError::Api(api) => api.into(),
            other => {
                let message = other.to_string();
                match other.category() {
                    Some(ErrorCategory::Rejected) => Self::Rejected(message),
                    Some(ErrorCategory::NotFound) => Self::NotFound(message),
                    Some(ErrorCategory::Invalid) => Self::Invalid(message),
                    Some(ErrorCategory::Cancelled) => Self::Cancelled(message),
                    Some(ErrorCategory::Unreachable) => Self::Network(message),
                    None => Self::History(message),
                }
            }
        }
    }
}

impl From<ApiError> for UiError {
    /// The kind comes from the one classification the CLI's exit statuses use too; a failure to
    /// reach the server also says what to do, and that nothing listed is lost.
    fn from(e: ApiError) -> Self {
        let message = e.to_string();
        match e.category() {
            ErrorCategory::Rejected => Self::Rejected(message),
            ErrorCategory::NotFound => Self::NotFound(message),
            ErrorCategory::Invalid => Self::Invalid(message),
            ErrorCategory::Cancelled => Self::Cancelled(message),
            ErrorCategory::Unreachable => Self::Network(format!(
                "{}. {}",
                sentence_case(&message),
                ErrorCategory::Unreachable.advice()
            )),
        }
    }
}

impl From<SettingsError> for UiError {
    fn from(e: SettingsError) -> Self {
        let message = e.to_string();
        match e {
            SettingsError::Api(api) => api.into(),
            SettingsError::NoTenant => Self::NotSignedIn(message),
            SettingsError::KeychainUnavailable(_) | SettingsError::Keychain(_) => {
                Self::Keychain(message)
            }
            _ => Self::Invalid(message),
        }
    }
}

impl UiError {
    /// The kind alone, for logs: messages can name a patient id, kinds never do.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotSignedIn(_) => "not signed in",
            Self::Rejected(_) => "key or tenant rejected",
            Self::NotFound(_) => "patient or note not found",
            Self::Invalid(_) => "invalid input",
            Self::Network(_) => "server unreachable or wrong answer",
            Self::Keychain(_) => "keychain failed",
            Self::Busy(_) => "another upload running",
            Self::History(_) => "queue or history failed",
            Self::Cancelled(_) => "cancelled",
        }
    }
}

/// The message with its first letter capitalised, to stand as a sentence of its own.
pub(crate) fn sentence_case(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// Result type of the app's commands.
pub type UiResult<T> = Result<T, UiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_shape_is_kind_and_message() {
        let e = UiError::from(ApiError::Unauthorized { status: 401 });
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["kind"], "rejected");
        assert!(json["message"].as_str().unwrap().contains("rejected"));
    }

    #[test]
    fn the_window_and_the_cli_classify_failures_the_same_way() {
        let unreachable = UiError::from(ApiError::Transport {
            message: "could not connect to Decoda".into(),
            detail: "tcp connect error: Connection refused (os error 111)".into(),
            connect: true,
            timeout: false,
        });
        assert_eq!(unreachable.kind(), "server unreachable or wrong answer");
        let said = unreachable.to_string();
        assert!(said.starts_with("Could not connect to Decoda. "), "{said}");
        assert!(
            said.contains("the files stay in the list"),
            "says what to do: {said}"
        );
        assert!(!said.contains("os error"), "no technical chain: {said}");
        assert_eq!(UiError::from(ApiError::Cancelled).kind(), "cancelled");
        let bad_proxy = UiError::from(ApiError::InvalidProxy {
            reason: "not a URL".into(),
        });
        assert_eq!(bad_proxy.kind(), "invalid input");
    }
}
