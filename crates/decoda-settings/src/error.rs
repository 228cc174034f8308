//! Errors from reading settings or the keychain, worded for the person at the desk.

use std::path::PathBuf;

/// Shorthand for settings results.
pub type Result<T, E = SettingsError> = std::result::Result<T, E>;

/// Why settings could not be read or saved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// The settings file exists but cannot be read.
    #[error("cannot read the settings file {path}: {reason}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The settings file is not valid.
    #[error("the settings file {path} is not valid: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line where the parser says.
        reason: String,
    },
    /// The settings file cannot be written.
    #[error("cannot save the settings file {path}: {reason}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// No folder for settings could be found (no home folder).
    #[error("no settings folder could be found for this user; set DECODA_CONFIG to a file path")]
    NoSettingsFolder,
    /// The OS keychain refused or is not there.
    #[error(
        "the system keychain is not available ({0}); unlock it, or set DECODA_API_KEY for scripts"
    )]
    KeychainUnavailable(String),
    /// A keychain failure other than absence.
    #[error("the system keychain failed: {0}")]
    Keychain(String),
    /// The system configuration locks this setting.
    #[error("{} {} set by your IT department ({path}) and cannot be changed here", setting.label(), setting.verb())]
    Locked {
        /// The locked setting.
        setting: crate::Setting,
        /// The system file, or the policy key, that locks it.
        path: PathBuf,
    },
    /// No tenant is configured.
    #[error("no tenant is set: enter it in the app's Settings, or run `decoda login --tenant <TENANT>`, or set DECODA_TENANT")]
    NoTenant,
    /// The server address is unusable.
    #[error(transparent)]
    Api(#[from] decoda_api::ApiError),
}
