//! Settings: server address and tenant in the settings file, the key in the keychain.

use crate::{error::UiResult, state::AppState, UiError};
use decoda_engine::api::{ApiKey, BaseUrl};
use decoda_settings::{InboxSettings, KeySource, LayeredSettings, Setting};
use serde::Serialize;
use std::path::{Path, PathBuf};
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
    /// Settings the system-wide file locks (`api_url`, `tenant`, `inbox`, …).
    pub locked: Vec<Setting>,
    /// Why the system-wide file was set aside, if it was.
    pub system_problem: Option<String>,
    /// The scanner inbox folder, if one is watched.
    pub inbox_folder: Option<PathBuf>,
    /// Where confirmed scans are moved, if anywhere.
    pub sent_folder: Option<PathBuf>,
    /// Why the scanner inbox is not watched, if it is set and cannot be.
    pub inbox_problem: Option<String>,
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
    let settings = &resolved.settings;
    let inbox = settings.effective.inbox();
    Ok(SettingsView {
        api_url: resolved.base_url.to_string(),
        tenant: resolved.tenant.clone(),
        key_saved: source.is_some(),
        key_from_environment: source == Some(KeySource::Environment),
        locked_by_environment: state.env_overrides("DECODA_API_URL")
            || state.env_overrides("DECODA_TENANT"),
        locked: settings.locked.iter().copied().collect(),
        system_problem: settings.system_problem().map(str::to_owned),
        inbox_folder: inbox.folder().map(Path::to_path_buf),
        sent_folder: inbox.sent_folder().map(Path::to_path_buf),
        inbox_problem: crate::commands::files::lock(&state.inbox_problem).clone(),
    })
}

/// What the settings screen sends back. Locked settings come back unchanged (the screen shows
/// them read-only); a changed locked setting is refused here, whatever the window does.
#[derive(Debug, Default)]
pub(crate) struct Edit {
    pub api_url: String,
    pub tenant: String,
    pub key: Option<ApiKey>,
    pub inbox_folder: Option<String>,
    pub sent_folder: Option<String>,
}

/// Saves address, tenant and scanner inbox, and the key (if one was typed) to the keychain. The
/// key is checked against the server first, so a typo is caught here rather than at upload time.
#[tauri::command]
pub async fn save_settings<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    api_url: String,
    tenant: String,
    api_key: Option<String>,
    inbox_folder: Option<String>,
    sent_folder: Option<String>,
) -> UiResult<SettingsView> {
    let edit = Edit {
        api_url,
        tenant,
        key: api_key.map(ApiKey::new),
        inbox_folder,
        sent_folder,
    };
    save(&state, edit).await?;
    crate::inbox::restart(&app);
    view(&state)
}

pub(crate) async fn save(state: &AppState, edit: Edit) -> UiResult<SettingsView> {
    let base = BaseUrl::parse(&edit.api_url)?;
    let tenant = edit.tenant.trim();
    if tenant.is_empty() {
        return Err(UiError::Invalid("enter your clinic's tenant".into()));
    }
    let before = state.resolve()?;
    let settings = &before.settings;
    let mut file = settings.user.clone();
    let current_tenant = before.tenant.clone().unwrap_or_default();
    let current_url = before.base_url.to_string();
    set(
        settings,
        Setting::ApiUrl,
        &current_url,
        base.to_string(),
        &mut file.api_url,
    )?;
    set(
        settings,
        Setting::Tenant,
        &current_tenant,
        tenant.to_owned(),
        &mut file.tenant,
    )?;
    let inbox = inbox_edit(settings, &edit)?;
    set(
        settings,
        Setting::Inbox,
        &settings.effective.inbox(),
        inbox,
        &mut file.inbox,
    )?;
    if let Some(key) = edit.key.filter(|k| !k.is_empty()) {
        let client =
            decoda_engine::api::Client::builder(base.clone(), tenant, key.clone()).build()?;
        client.search_patients("", 1).await?;
        state.keychain().set(&base, tenant, &key)?;
    }
    file.save(state.settings_path())?;
    view(state)
}

/// Puts `wanted` in the user's file, unless the system file locks the setting: then only the
/// value in force may come back, and anything else is refused with who sets it.
fn set<T: PartialEq>(
    settings: &LayeredSettings,
    setting: Setting,
    current: &T,
    wanted: T,
    slot: &mut Option<T>,
) -> UiResult<()> {
    if settings.is_locked(setting) {
        if *current == wanted {
            return Ok(());
        }
        settings.check_unlocked(setting)?;
    }
    *slot = Some(wanted);
    Ok(())
}

/// The inbox as edited, with the folders checked when they changed.
fn inbox_edit(settings: &LayeredSettings, edit: &Edit) -> UiResult<InboxSettings> {
    let path = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
    };
    let current = settings.effective.inbox();
    let inbox = InboxSettings {
        folder: path(&edit.inbox_folder),
        sent_folder: path(&edit.sent_folder),
        ..current.clone()
    };
    if inbox == current {
        return Ok(inbox);
    }
    if let Some(folder) = inbox.folder() {
        if !folder.is_dir() {
            return Err(UiError::Invalid(format!(
                "the scanner inbox folder {} does not exist or is not a folder",
                folder.display()
            )));
        }
    }
    if inbox.sent_folder().is_some() && inbox.folder().is_none() {
        return Err(UiError::Invalid(
            "choose the scanner inbox folder before a folder for sent scans".into(),
        ));
    }
    if inbox.sent_folder().is_some() && inbox.sent_folder() == inbox.folder() {
        return Err(UiError::Invalid(
            "the folder for sent scans must be another folder than the inbox".into(),
        ));
    }
    Ok(inbox)
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

    fn edit(url: &str, tenant: &str, key: Option<&str>) -> Edit {
        Edit {
            api_url: url.into(),
            tenant: tenant.into(),
            key: key.map(ApiKey::new),
            ..Edit::default()
        }
    }

    /// State whose key comes from the environment, so the keychain is not needed.
    fn offline_state(dir: &tempfile::TempDir) -> AppState {
        let env = [("DECODA_API_KEY".to_owned(), "unused".to_owned())].into();
        AppState::new(
            dir.path().join("settings.toml"),
            Keychain::with_service("unused-offline"),
            env,
        )
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
            edit(&sandbox.base_url(), "demo-clinic", Some("wrong-canary")),
        )
        .await;
        assert!(matches!(wrong, Err(UiError::Rejected(_))), "{wrong:?}");
        assert!(
            !view(&state).unwrap().key_saved,
            "a rejected key is not stored"
        );

        let saved = save(
            &state,
            edit(
                &sandbox.base_url(),
                " demo-clinic ",
                Some("sandbox-demo-key"),
            ),
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
        let err = save(&state, edit("http://api.example.com", "t", None))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, UiError::Invalid(m) if m.contains("https")),
            "{err:?}"
        );
        let err = save(&state, edit("https://api.example.com", "  ", None))
            .await
            .unwrap_err();
        assert!(matches!(err, UiError::Invalid(_)));
    }

    #[tokio::test]
    async fn locked_settings_show_as_locked_and_cannot_be_changed_from_the_screen() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("system.toml"),
            "api_url = \"https://api.clinic.example\"\ntenant = \"north\"\nlocked = [\"api_url\", \"tenant\"]\n",
        )
        .unwrap();
        let state = offline_state(&dir);
        let shown = view(&state).unwrap();
        assert_eq!(shown.locked, vec![Setting::ApiUrl, Setting::Tenant]);
        assert_eq!(shown.tenant.as_deref(), Some("north"));
        assert_eq!(shown.system_problem, None);

        let err = save(&state, edit("https://api.clinic.example", "south", None))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, UiError::Invalid(m) if m.contains("tenant is set by your IT department")),
            "{err:?}"
        );
        save(&state, edit("https://api.clinic.example", "north", None))
            .await
            .unwrap();
        let user = std::fs::read_to_string(state.settings_path()).unwrap();
        assert!(
            !user.contains("north") && !user.contains("clinic.example"),
            "locked values are not copied into the user's file: {user}"
        );
    }

    #[tokio::test]
    async fn a_broken_system_file_is_shown_and_the_screen_still_works() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("system.toml"), "locked = [\"api_url\"\n").unwrap();
        let state = offline_state(&dir);
        let shown = view(&state).unwrap();
        let problem = shown.system_problem.expect("the problem is shown");
        assert!(problem.contains("system.toml") && problem.contains("IT department"));
        assert!(shown.locked.is_empty());
        save(&state, edit("https://api.example.com", "mine", None))
            .await
            .unwrap();
        assert_eq!(view(&state).unwrap().tenant.as_deref(), Some("mine"));
    }

    #[tokio::test]
    async fn the_scanner_inbox_must_be_an_existing_folder_other_than_the_sent_folder() {
        let dir = tempfile::tempdir().unwrap();
        let state = offline_state(&dir);
        let with_inbox = |inbox: &str, sent: &str| Edit {
            inbox_folder: Some(inbox.into()),
            sent_folder: Some(sent.into()),
            ..edit("https://api.example.com", "t", None)
        };
        let missing = dir.path().join("no-such-folder");
        let err = save(&state, with_inbox(missing.to_str().unwrap(), ""))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, UiError::Invalid(m) if m.contains("does not exist")),
            "{err:?}"
        );
        let inbox = dir.path().to_str().unwrap();
        let err = save(&state, with_inbox(inbox, inbox)).await.unwrap_err();
        assert!(
            matches!(&err, UiError::Invalid(m) if m.contains("another folder")),
            "{err:?}"
        );
        let sent = dir.path().join("sent");
        let shown = save(&state, with_inbox(inbox, sent.to_str().unwrap()))
            .await
            .unwrap();
        assert_eq!(shown.inbox_folder.as_deref(), Some(dir.path()));
        assert_eq!(shown.sent_folder, Some(sent));
    }
}
