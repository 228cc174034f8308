//! Putting the sources together into what a client needs.

use crate::{Keychain, LayeredSettings, Result, Setting, SettingsError, DEFAULT_API_URL};
use decoda_api::{ApiKey, BaseUrl};

/// The environment, as a function, so that tests need not touch the process's variables. The key
/// is not read through it: see [`Resolved::take_key_from_environment`].
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The variable that carries a key for scripts and service accounts.
const KEY_VARIABLE: &str = "DECODA_API_KEY";

/// Where the key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// `DECODA_API_KEY`.
    Environment,
    /// The OS keychain.
    Keychain,
}

/// Settings resolved from every source.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The validated server address.
    pub base_url: BaseUrl,
    /// The tenant, if one is set anywhere.
    pub tenant: Option<String>,
    /// The key and where it came from, if one is set anywhere.
    pub key: Option<(ApiKey, KeySource)>,
    /// The settings files' contents (limits, encoding, locks).
    pub settings: LayeredSettings,
}

impl Resolved {
    /// Reads `DECODA_API_KEY` once, as a key, and removes it from the process's environment, so
    /// that no child process (the web view's, the browser that "Open" starts, a helper) inherits
    /// it. Call it first thing in `main`, before any thread is started: changing the environment
    /// while another thread reads it is unsound on some platforms. Then pass the key down.
    pub fn take_key_from_environment() -> Option<ApiKey> {
        take_key(KEY_VARIABLE)
    }

    /// Resolves URL and tenant, then the key: `env_key` (from
    /// [`Resolved::take_key_from_environment`]) or else the keychain's.
    pub fn resolve(
        settings: LayeredSettings,
        env: Env<'_>,
        env_key: Option<&ApiKey>,
        keychain: &Keychain,
    ) -> Result<Self> {
        let mut resolved = Self::without_key(settings, env)?;
        resolved.key = resolved.find_key(env_key, keychain)?;
        Ok(resolved)
    }

    /// The key taken from `DECODA_API_KEY`, or else the keychain's key for this server and tenant.
    pub fn find_key(
        &self,
        env_key: Option<&ApiKey>,
        keychain: &Keychain,
    ) -> Result<Option<(ApiKey, KeySource)>> {
        if let Some(key) = env_key.filter(|k| !k.is_empty()) {
            return Ok(Some((key.clone(), KeySource::Environment)));
        }
        let Some(tenant) = &self.tenant else {
            return Ok(None);
        };
        Ok(keychain
            .get(&self.base_url, tenant)?
            .map(|k| (k, KeySource::Keychain)))
    }

    /// Resolves URL and tenant only (for `login`, which is about to set the key). The
    /// environment cannot override what the system file locks.
    pub fn without_key(settings: LayeredSettings, env: Env<'_>) -> Result<Self> {
        let non_empty =
            |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let from_env = |setting: Setting, name: &str| {
            if settings.is_locked(setting) {
                None
            } else {
                non_empty(env(name))
            }
        };
        let file = &settings.effective;
        let url = from_env(Setting::ApiUrl, "DECODA_API_URL")
            .or_else(|| non_empty(file.api_url.clone()))
            .unwrap_or_else(|| DEFAULT_API_URL.to_owned());
        let base_url = BaseUrl::parse(&url)?;
        let tenant =
            from_env(Setting::Tenant, "DECODA_TENANT").or_else(|| non_empty(file.tenant.clone()));
        Ok(Self {
            base_url,
            tenant,
            key: None,
            settings,
        })
    }

    /// The proxy the settings name (`None`: the system's). Front ends hand it to
    /// `decoda_api::network::set_proxy`, so that every HTTP client of the process uses it.
    pub fn proxy(&self) -> Option<decoda_api::ProxyUrl> {
        self.settings.effective.proxy.clone()
    }

    /// The tenant, or the error that tells the user how to set one.
    pub fn tenant(&self) -> Result<&str> {
        self.tenant.as_deref().ok_or(SettingsError::NoTenant)
    }
}

/// Takes the variable `name` out of the environment, as a key if it holds one.
fn take_key(name: &str) -> Option<ApiKey> {
    let value = std::env::var(name).ok();
    std::env::remove_var(name);
    value.map(ApiKey::new).filter(|k| !k.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SettingsFile;

    fn user_only(file: SettingsFile) -> LayeredSettings {
        let dir = tempfile::tempdir().unwrap();
        let user = dir.path().join("settings.toml");
        std::fs::write(&user, toml::to_string_pretty(&file).unwrap()).unwrap();
        LayeredSettings::load(&user, &dir.path().join("absent.toml")).unwrap()
    }

    #[test]
    fn environment_overrides_the_file() {
        let file = SettingsFile {
            api_url: Some("https://file.example".into()),
            tenant: Some("file-tenant".into()),
            ..SettingsFile::default()
        };
        let env = |k: &str| (k == "DECODA_API_URL").then(|| "http://127.0.0.1:9".to_owned());
        let r = Resolved::resolve(
            user_only(file),
            &env,
            Some(&ApiKey::new(" k ")),
            &Keychain::with_service("unused-in-this-test"),
        )
        .unwrap();
        assert_eq!(r.base_url.as_str(), "http://127.0.0.1:9");
        assert_eq!(r.tenant.as_deref(), Some("file-tenant"));
        let (key, source) = r.key.unwrap();
        assert_eq!((key.expose(), source), ("k", KeySource::Environment));
    }

    #[test]
    fn plain_http_to_another_host_is_refused() {
        let env = |k: &str| (k == "DECODA_API_URL").then(|| "http://api.example.com".to_owned());
        let err = Resolved::without_key(user_only(SettingsFile::default()), &env).unwrap_err();
        assert!(err.to_string().contains("https"), "{err}");
    }

    #[test]
    fn production_is_the_default() {
        let r = Resolved::without_key(user_only(SettingsFile::default()), &|_| None).unwrap();
        assert_eq!(r.base_url.as_str(), DEFAULT_API_URL);
        assert!(matches!(r.tenant(), Err(SettingsError::NoTenant)));
    }

    #[test]
    fn the_key_is_taken_out_of_the_environment_once() {
        // A name of its own, so no other test reads or writes it.
        let name = "DECODA_TEST_TAKEN_KEY";
        std::env::set_var(name, " sk_live_canary_take ");
        let key = take_key(name).expect("the key is read");
        assert_eq!(key.expose(), "sk_live_canary_take");
        assert!(
            std::env::var_os(name).is_none(),
            "child processes must not inherit the key"
        );
        assert!(take_key(name).is_none(), "gone after the first read");
    }

    #[test]
    fn debug_of_the_resolved_settings_never_shows_the_key() {
        let env = |_: &str| None;
        let r = Resolved::resolve(
            user_only(SettingsFile::default()),
            &env,
            Some(&ApiKey::new("sk_live_canary_resolved")),
            &Keychain::with_service("unused-in-this-test"),
        )
        .unwrap();
        let shown = format!("{r:?} {r:#?}");
        assert!(r.key.is_some(), "the key is resolved");
        assert!(!shown.contains("canary"), "Debug leaked the key: {shown}");
    }
}
