//! Settings: server address and tenant in the settings file, the key in the keychain.

use crate::{error::UiResult, state::AppState, UiError};
use decoda_engine::api::{ApiKey, BaseUrl};
use decoda_settings::{KeySource, SettingsFile};
use serde::Serialize;
use tauri::State;

/// What the settings screen shows. It says whether a key is saved, never what it is.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    /// The API address in force.
    pub api_url: String,
    /// The tenant in force, if any.
    pub tenant: Option<String>,
    /// Whether a key is available.
    pub key_saved: bool,
    /// Whether the key comes from `DECODA_API_KEY` (then the screen cannot change it).
    pub key_from_environment: bool,
    /// Whether the address or tenant come from the environment.
    pub locked_by_environment: bool,
}

/// Reads the settings for the screen. Async, like every command that asks the keychain, so the
/// D-Bus round trip never runs on the window's thread.
#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> UiResult<SettingsView> {
    view(&state)
}

pub(crate) fn view(state: &AppState) -> UiResult<SettingsView> {
    let resolved = state.resolve()?;
    let source = resolved.key.as_ref().map(|(_, s)| *s);
    Ok(SettingsView {
        api_url: resolved.base_url.to_string(),
        tenant: resolved.tenant.clone(),
        key_saved: source.is_some(),
        key_from_environment: source == Some(KeySource::Environment),
        locked_by_environment: state.env_overrides("DECODA_API_URL")
            || state.env_overrides("DECODA_TENANT"),
    })
}

/// Saves address and tenant, and the key (if one was typed) to the keychain. The key is checked
/// against the server first, so a typo is caught here rather than at upload time.
#[tauri::command]
pub async fn save_settings(
    state: State<'_, AppState>,
    api_url: String,
    tenant: String,
    api_key: Option<String>,
) -> UiResult<SettingsView> {
    save(&state, &api_url, &tenant, api_key.map(ApiKey::new)).await
}

pub(crate) async fn save(
    state: &AppState,
    api_url: &str,
    tenant: &str,
    key: Option<ApiKey>,
) -> UiResult<SettingsView> {
    let base = BaseUrl::parse(api_url)?;
    let tenant = tenant.trim();
    if tenant.is_empty() {
        return Err(UiError::Invalid("enter your clinic's tenant".into()));
    }
    if let Some(key) = key.filter(|k| !k.is_empty()) {
        let client =
            decoda_engine::api::Client::builder(base.clone(), tenant, key.clone()).build()?;
        client.search_patients("", 1).await?;
        state.keychain().set(&base, tenant, &key)?;
    }
    let mut file = SettingsFile::load(state.settings_path())?;
    file.api_url = Some(base.to_string());
    file.tenant = Some(tenant.to_owned());
    file.save(state.settings_path())?;
    view(state)
}

/// Checks the saved settings against the server.
#[tauri::command]
pub async fn test_connection(state: State<'_, AppState>) -> UiResult<String> {
    let client = state.client()?;
    client.search_patients("", 1).await?;
    Ok(format!(
        "Connected to {} as tenant {}.",
        client.base_url(),
        client.tenant()
    ))
}

/// Deletes the saved key.
#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> UiResult<SettingsView> {
    let resolved = state.resolve()?;
    if let Some(tenant) = &resolved.tenant {
        state.keychain().delete(&resolved.base_url, tenant)?;
    }
    view(&state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use decoda_settings::Keychain;

    fn keychain_here() -> bool {
        let here = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some();
        assert!(
            here || std::env::var_os("DECODA_REQUIRE_KEYCHAIN").is_none(),
            "a keychain is required"
        );
        here
    }

    fn state(dir: &tempfile::TempDir) -> AppState {
        let service = format!("decoda-uploader-app-test-{}", std::process::id());
        AppState::new(
            dir.path().join("settings.toml"),
            Keychain::with_service(service),
            Default::default(),
        )
    }

    #[tokio::test]
    async fn saving_checks_the_key_keeps_it_in_the_keychain_and_never_shows_it() {
        if !keychain_here() {
            return;
        }
        let sandbox = decoda_sandbox::spawn(Default::default(), "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let state = state(&dir);
        let first = view(&state).unwrap();
        assert!(!first.key_saved, "a first run has no key");

        let wrong = save(
            &state,
            &sandbox.base_url(),
            "demo-clinic",
            Some(ApiKey::new("wrong-canary")),
        )
        .await;
        assert!(matches!(wrong, Err(UiError::Rejected(_))), "{wrong:?}");
        assert!(
            !view(&state).unwrap().key_saved,
            "a rejected key is not stored"
        );

        let saved = save(
            &state,
            &sandbox.base_url(),
            " demo-clinic ",
            Some(ApiKey::new("sandbox-demo-key")),
        )
        .await
        .unwrap();
        assert!(saved.key_saved && !saved.key_from_environment);
        assert_eq!(saved.tenant.as_deref(), Some("demo-clinic"));
        let json = serde_json::to_string(&saved).unwrap();
        assert!(
            !json.contains("sandbox-demo-key"),
            "the view never carries the key: {json}"
        );
        let file = std::fs::read_to_string(state.settings_path()).unwrap();
        assert!(
            !file.contains("sandbox-demo-key"),
            "nor does the settings file"
        );

        let resolved = state.resolve().unwrap();
        state
            .keychain()
            .delete(&resolved.base_url, "demo-clinic")
            .unwrap();
        assert!(!view(&state).unwrap().key_saved);
    }

    #[tokio::test]
    async fn plain_http_to_another_host_and_an_empty_tenant_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(&dir);
        let err = save(&state, "http://api.example.com", "t", None)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, UiError::Invalid(m) if m.contains("https")),
            "{err:?}"
        );
        let err = save(&state, "https://api.example.com", "  ", None)
            .await
            .unwrap_err();
        assert!(matches!(err, UiError::Invalid(_)));
    }
}
