//! The API key in the OS keychain (Secret Service, macOS Keychain, Windows Credential Manager).
//!
//! One entry per (server, tenant), holding the key alone (Windows caps a secret at 2,560 bytes).
//! A missing entry is `Ok(None)`, deleting a missing entry succeeds, and development builds use
//! their own service name so they can never read a production key.

use crate::{Result, SettingsError};
use decoda_api::{ApiKey, BaseUrl};

/// Access to the keychain under one service name.
#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
}

impl Default for Keychain {
    fn default() -> Self {
        let service = if cfg!(debug_assertions) {
            "decoda-uploader-dev"
        } else {
            "decoda-uploader"
        };
        Self::with_service(service)
    }
}

impl Keychain {
    /// A keychain under a given service name (tests use their own).
    pub fn with_service(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, base: &BaseUrl, tenant: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, &format!("{tenant}@{base}")).map_err(map_error)
    }

    /// The stored key, if any.
    pub fn get(&self, base: &BaseUrl, tenant: &str) -> Result<Option<ApiKey>> {
        match self.entry(base, tenant)?.get_password() {
            Ok(key) => Ok(Some(ApiKey::new(key))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_error(e)),
        }
    }

    /// Stores (or replaces) the key.
    pub fn set(&self, base: &BaseUrl, tenant: &str, key: &ApiKey) -> Result<()> {
        self.entry(base, tenant)?
            .set_password(key.expose())
            .map_err(map_error)
    }

    /// Deletes the key; succeeds when there was none.
    pub fn delete(&self, base: &BaseUrl, tenant: &str) -> Result<()> {
        match self.entry(base, tenant)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_error(e)),
        }
    }
}

/// Maps keychain errors to two stable kinds, never including the secret.
fn map_error(e: keyring::Error) -> SettingsError {
    match e {
        keyring::Error::NoStorageAccess(inner) => {
            SettingsError::KeychainUnavailable(inner.to_string())
        }
        keyring::Error::PlatformFailure(inner) => {
            SettingsError::KeychainUnavailable(inner.to_string())
        }
        keyring::Error::TooLong(what, max) => {
            SettingsError::Keychain(format!("the {what} is longer than {max}"))
        }
        other => SettingsError::Keychain(other.to_string()),
    }
}
