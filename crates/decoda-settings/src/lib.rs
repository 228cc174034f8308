//! Where the uploader's settings come from: the API key, the tenant, the server address, limits.
//!
//! Sources, in order of precedence: keys the system-wide file locks (set by clinic IT, with device
//! management's settings on top: a macOS configuration profile, Windows Group Policy), then
//! environment variables (`DECODA_API_URL`, `DECODA_TENANT`, `DECODA_API_KEY`, for scripts and
//! tests), the user's settings file, the system-wide file's unlocked values, and the OS keychain
//! for the key. The key is never written to a settings file or anywhere else on disk.

mod error;
mod file;
mod fleet;
pub mod group_policy;
mod keychain;
mod managed;
mod resolve;
mod summary;
pub mod trust;

pub use error::{Result, SettingsError};
pub use file::{
    default_settings_path, edit_user_file, Edit, InboxSettings, ScannerSettings, SettingsFile,
    DEFAULT_API_URL, MAX_HISTORY_DAYS,
};
pub use fleet::{
    default_system_config_path, LayeredSettings, ManagedSource, Setting, SystemFileState,
};
pub use keychain::Keychain;
pub use managed::{managed_preferences_path, PREFERENCE_DOMAIN};
pub use resolve::{Env, KeySource, Resolved};

#[cfg(test)]
mod test_support {
    /// The names a settings table's `locked` list holds, in order.
    pub(crate) fn locked(table: &toml::Table) -> Vec<&str> {
        table["locked"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|v| v.as_str().expect("a name"))
            .collect()
    }
}
