//! Where the uploader's settings come from: the API key, the tenant, the server address, limits.
//!
//! Three sources, in order of precedence: environment variables (`DECODA_API_URL`,
//! `DECODA_TENANT`, `DECODA_API_KEY`, for scripts and tests), the user's settings file, and the OS
//! keychain for the key. The key is never written to the settings file or anywhere else on disk.

mod error;
mod file;
mod keychain;
mod resolve;

pub use error::{Result, SettingsError};
pub use file::{default_settings_path, SettingsFile, DEFAULT_API_URL};
pub use keychain::Keychain;
pub use resolve::{Env, KeySource, Resolved};
