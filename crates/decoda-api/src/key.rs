//! The API key as a type that cannot leak by accident.
//!
//! The key acts as an admin user of the clinic's Decoda account. It must never reach logs, error
//! messages or the web UI, so it has no `Serialize`, its `Debug` prints `<redacted>`, and the only way
//! to read it is [`ApiKey::expose`], used where the request header is built and where it is stored.

use secrecy::{ExposeSecret, SecretString};
use std::fmt;

/// A Decoda API key. Cloning is cheap enough; the text is zeroed when the last copy is dropped.
#[derive(Clone)]
pub struct ApiKey(SecretString);

impl ApiKey {
    /// Wraps a key, trimming the white space that copy and paste tends to add.
    pub fn new(key: impl Into<String>) -> Self {
        let key: String = key.into();
        Self(SecretString::from(key.trim().to_owned()))
    }

    /// Whether the key is empty once trimmed (a paste of nothing).
    pub fn is_empty(&self) -> bool {
        self.0.expose_secret().is_empty()
    }

    /// The key's text. Call only to build the `API-KEY` header or to hand it to the keychain.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_key() {
        let key = ApiKey::new("  sk_live_canary_123  ");
        let shown = format!("{key:?} {:#?}", key);
        assert!(!shown.contains("canary"), "Debug leaked the key: {shown}");
        assert_eq!(key.expose(), "sk_live_canary_123", "white space is trimmed");
    }
}
