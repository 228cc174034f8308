//! Settings: server address and tenant in the settings file, the key in the keychain.

use crate::{error::UiResult, state::AppState, UiError};
use decoda_engine::api::{ApiKey, BaseUrl};
use decoda_settings::{
    edit_user_file, Edit, InboxSettings, KeySource, LayeredSettings, Setting, DEFAULT_API_URL,
};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tauri::{AppHandle, Manager, Runtime, State};

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
    /// Which of the screen's fields cannot be changed here, by the system-wide file or the
    /// environment.
    pub locked_fields: LockedFields,
    /// Whether the app cannot work yet (no key or no tenant: a first run, or signed out), so the
    /// screen opens by itself.
    pub needs_setup: bool,
    /// Why the system-wide file was set aside, if it was.
    pub system_problem: Option<String>,
    /// The scanner inbox folder, if one is watched.
    pub inbox_folder: Option<PathBuf>,
    /// Where confirmed scans are moved, if anywhere.
    pub sent_folder: Option<PathBuf>,
    /// Why the scanner inbox is not watched, if it is set and cannot be.
    pub inbox_problem: Option<String>,
}

/// The settings screen's fields that cannot be changed there.
#[derive(Debug, Serialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "camelCase")]
pub struct LockedFields {
    /// The server address: locked by the system-wide file, or set by `DECODA_API_URL` or
    /// `DECODA_TENANT`.
    pub api_url: bool,
    /// The tenant, likewise.
    pub tenant: bool,
    /// The scanner inbox and its folder for sent scans: locked by the system-wide file.
    pub inbox: bool,
}

/// What `save_settings` returns: the settings now in force, and whether the save moved the app to
/// another server or tenant (patient ids then name other people: the window forgets its patient).
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SavedSettings {
    /// The settings now in force.
    #[serde(flatten)]
    pub view: SettingsView,
    /// Whether the server or tenant changed.
    pub account_changed: bool,
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
    let locked_by_environment = (state.env_overrides("DECODA_API_URL")
        && !settings.is_locked(Setting::ApiUrl))
        || (state.env_overrides("DECODA_TENANT") && !settings.is_locked(Setting::Tenant));
    Ok(SettingsView {
        api_url: resolved.base_url.to_string(),
        tenant: resolved.tenant.clone(),
        key_saved: source.is_some(),
        key_from_environment: source == Some(KeySource::Environment),
        locked_by_environment,
        locked: settings.locked.iter().copied().collect(),
        locked_fields: LockedFields {
            api_url: locked_by_environment || settings.is_locked(Setting::ApiUrl),
            tenant: locked_by_environment || settings.is_locked(Setting::Tenant),
            inbox: settings.is_locked(Setting::Inbox),
        },
        needs_setup: source.is_none() || resolved.tenant.is_none(),
        system_problem: settings.system_problem().map(str::to_owned),
        inbox_folder: inbox.folder().map(Path::to_path_buf),
        sent_folder: inbox.sent_folder().map(Path::to_path_buf),
        inbox_problem: state.inbox_problem().clone(),
    })
}

/// What the settings screen sends back. Locked settings come back unchanged (the screen shows
/// them read-only); a changed locked setting is refused here, whatever the window does. The
/// scanner inbox is not part of it: its folders are chosen in the system's folder chooser
/// ([`choose_inbox_folder`]), never named by the page.
#[derive(Debug, Default)]
pub(crate) struct Submitted {
    pub api_url: String,
    pub tenant: String,
    pub key: Option<ApiKey>,
}

/// Saves address and tenant, and the key (if one was typed) to the keychain. The key is checked
/// against the server first, so a typo is caught here rather than at upload time. Says whether
/// the server or tenant changed.
#[tauri::command]
pub async fn save_settings(
    state: State<'_, AppState>,
    api_url: String,
    tenant: String,
    api_key: Option<String>,
) -> UiResult<SavedSettings> {
    let form = Submitted {
        api_url,
        tenant,
        key: api_key.map(ApiKey::new),
    };
    let account_changed = save(&state, form).await? == AccountChange::Changed;
    Ok(SavedSettings {
        view: view(&state)?,
        account_changed,
    })
}

/// Whether a save moved the app to another server or tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AccountChange {
    Changed,
    Same,
}

/// Writes only what changed, and only to the user's own file: a value equal to the one in force
/// is not written, so the system file's later changes still reach this user. Files bound to a
/// patient are held when the server or tenant changed.
pub(crate) async fn save(state: &AppState, form: Submitted) -> UiResult<AccountChange> {
    // An upload records its files against the server and tenant it started with.
    if state.upload_slot().is_some() {
        return Err(UiError::Busy(
            "an upload is running: save the settings once it has finished".into(),
        ));
    }
    let before = state.account()?;
    save_form(state, form).await?;
    if state.account()? == before {
        return Ok(AccountChange::Same);
    }
    let held = state.queue().hold_bound_for_other_account();
    if held > 0 {
        tracing::info!("server or tenant changed: {held} files held for their patient");
    }
    Ok(AccountChange::Changed)
}

async fn save_form(state: &AppState, form: Submitted) -> UiResult<()> {
    let base = BaseUrl::parse(&form.api_url)?;
    let tenant = form.tenant.trim();
    if tenant.is_empty() {
        return Err(UiError::Invalid("enter your clinic's tenant".into()));
    }
    let settings = state.settings()?;
    let current = &settings.effective;
    let current_url = current
        .api_url
        .as_deref()
        .map_or_else(|| DEFAULT_API_URL.to_owned(), |u| u.trim().to_owned());
    let mut edits = Vec::new();
    if BaseUrl::parse(&current_url).map(|u| u.to_string()).ok() != Some(base.to_string()) {
        settings.check_unlocked(Setting::ApiUrl)?;
        edits.push(Edit::Set("api_url", base.to_string().into()));
    }
    if current.tenant.as_deref().map(str::trim) != Some(tenant) {
        settings.check_unlocked(Setting::Tenant)?;
        edits.push(Edit::Set("tenant", tenant.to_owned().into()));
    }
    if let Some(key) = form.key.filter(|k| !k.is_empty()) {
        // Through the proxy the settings name (a fleet file may set one before the first start).
        let client = decoda_engine::api::Client::builder(base.clone(), tenant, key.clone())
            .proxy(current.proxy.clone())
            .build()?;
        client.search_patients("", 1).await?;
        state.keychain().set(&base, tenant, &key)?;
    }
    if !edits.is_empty() {
        edit_user_file(state.settings_path(), &edits)?;
    }
    Ok(())
}

/// Which of the scanner inbox's folders a choice sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum InboxFolder {
    /// The folder the scanner saves into.
    Inbox,
    /// Where scans are moved once they are in the chart.
    Sent,
}

/// Lets the user choose a scanner inbox folder in the system's folder chooser, and saves it. The
/// page names no path: one that could would make the app list any folder the user can read, ready
/// to send to a chart, or move scans into any folder.
#[tauri::command]
pub async fn choose_inbox_folder<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    which: InboxFolder,
) -> UiResult<SettingsView> {
    // Refused before the chooser opens: a locked inbox cannot be changed here anyway.
    state.settings()?.check_unlocked(Setting::Inbox)?;
    if let Some(folder) = pick_folder(&app, which).await {
        set_inbox_folder(&app, which, Some(folder))?;
    }
    view(&state)
}

/// Stops watching the scanner inbox (which also stops moving scans), or only stops moving
/// uploaded scans to another folder.
#[tauri::command]
pub async fn clear_inbox_folder<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    which: InboxFolder,
) -> UiResult<SettingsView> {
    set_inbox_folder(&app, which, None)?;
    view(&state)
}

/// The system's folder chooser; `None` when the user closes it. The callback form opens it on the
/// window's thread and waits here, so that thread is never blocked (a blocked one can hang GTK's
/// chooser).
async fn pick_folder<R: Runtime>(app: &AppHandle<R>, which: InboxFolder) -> Option<PathBuf> {
    use tauri_plugin_dialog::DialogExt;
    let title = match which {
        InboxFolder::Inbox => "Choose the folder your scanner saves into",
        InboxFolder::Sent => "Choose where uploaded scans are moved",
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title(title)
        .pick_folder(move |picked| {
            let _ = tx.send(picked);
        });
    rx.await.ok().flatten().and_then(|p| p.into_path().ok())
}

/// What [`choose_inbox_folder`] does once a folder was chosen (and [`clear_inbox_folder`] with
/// none): checks it, saves it and watches the inbox anew.
pub(crate) fn set_inbox_folder<R: Runtime>(
    app: &AppHandle<R>,
    which: InboxFolder,
    folder: Option<PathBuf>,
) -> UiResult<()> {
    if save_inbox_folder(&app.state::<AppState>(), which, folder)? == InboxChange::Changed {
        crate::inbox::restart(app);
    }
    Ok(())
}

/// Whether a save changed the scanner inbox (the watcher restarts only then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InboxChange {
    Changed,
    Same,
}

/// Writes the scanner inbox with one of its folders replaced, to the user's own file, when that
/// changes what is in force. Without an inbox folder there is nothing to move, so clearing it
/// clears the sent folder too.
fn save_inbox_folder(
    state: &AppState,
    which: InboxFolder,
    folder: Option<PathBuf>,
) -> UiResult<InboxChange> {
    let settings = state.settings()?;
    let current = settings.effective.inbox();
    let (inbox, sent) = match which {
        InboxFolder::Inbox => {
            let sent = folder
                .as_ref()
                .and(current.sent_folder().map(Path::to_path_buf));
            (folder, sent)
        }
        InboxFolder::Sent => (current.folder().map(Path::to_path_buf), folder),
    };
    let Some(edited) = inbox_edit(&settings, inbox, sent)? else {
        return Ok(InboxChange::Same);
    };
    settings.check_unlocked(Setting::Inbox)?;
    let value = toml::Value::try_from(&edited)
        .map_err(|e| UiError::Invalid(format!("the scanner inbox cannot be saved: {e}")))?;
    edit_user_file(state.settings_path(), &[Edit::Set("inbox", value)])?;
    Ok(InboxChange::Changed)
}

/// The inbox with these folders, when it differs from the one in force, with its folders checked.
/// A cleared folder is written as empty, so that it also overrides a folder the system file sets.
fn inbox_edit(
    settings: &LayeredSettings,
    folder: Option<PathBuf>,
    sent: Option<PathBuf>,
) -> UiResult<Option<InboxSettings>> {
    let current = settings.effective.inbox();
    if (current.folder(), current.sent_folder()) == (folder.as_deref(), sent.as_deref()) {
        return Ok(None);
    }
    check_inbox_folders(folder.as_deref(), sent.as_deref())?;
    Ok(Some(InboxSettings {
        folder: Some(folder.unwrap_or_default()),
        sent_folder: Some(sent.unwrap_or_default()),
        settle_seconds: settings.user.inbox().settle_seconds,
    }))
}

/// Refuses a relative folder, a missing inbox, a sent folder without an inbox, and one folder for
/// both.
fn check_inbox_folders(folder: Option<&Path>, sent: Option<&Path>) -> UiResult<()> {
    let invalid = |m: String| Err(UiError::Invalid(m));
    for p in folder.iter().chain(sent.iter()) {
        if !p.is_absolute() {
            return invalid(format!(
                "{} is not a full folder path (such as /srv/scans or C:\\Scans)",
                p.display()
            ));
        }
    }
    let Some(folder) = folder else {
        return match sent {
            Some(_) => {
                invalid("choose the scanner inbox folder before a folder for sent scans".into())
            }
            None => Ok(()),
        };
    };
    let Some(real) = folder.canonicalize().ok().filter(|_| folder.is_dir()) else {
        return invalid(format!(
            "the scanner inbox folder {} does not exist or is not a folder",
            folder.display()
        ));
    };
    if sent.is_some_and(|s| s.canonicalize().is_ok_and(|s| s == real)) {
        return invalid("the folder for sent scans must be another folder than the inbox".into());
    }
    Ok(())
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

    fn edit(url: &str, tenant: &str, key: Option<&str>) -> Submitted {
        Submitted {
            api_url: url.into(),
            tenant: tenant.into(),
            key: key.map(ApiKey::new),
        }
    }

    async fn save_and_view(state: &AppState, form: Submitted) -> UiResult<SettingsView> {
        save(state, form).await?;
        view(state)
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

        let wrong = save_and_view(
            &state,
            edit(&sandbox.base_url(), "demo-clinic", Some("wrong-canary")),
        )
        .await;
        assert!(matches!(wrong, Err(UiError::Rejected(_))), "{wrong:?}");
        assert!(
            !view(&state).unwrap().key_saved,
            "a rejected key is not stored"
        );

        let saved = save_and_view(
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
        let err = save_and_view(&state, edit("http://api.example.com", "t", None))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, UiError::Invalid(m) if m.contains("https")),
            "{err:?}"
        );
        let err = save_and_view(&state, edit("https://api.example.com", "  ", None))
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
        assert_eq!(
            shown.locked_fields,
            LockedFields {
                api_url: true,
                tenant: true,
                inbox: false
            }
        );
        assert_eq!(shown.tenant.as_deref(), Some("north"));
        assert_eq!(shown.system_problem, None);

        let err = save_and_view(&state, edit("https://api.clinic.example", "south", None))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, UiError::Invalid(m) if m.contains("tenant is set by your IT department")),
            "{err:?}"
        );
        save_and_view(&state, edit("https://api.clinic.example", "north", None))
            .await
            .unwrap();
        let user = std::fs::read_to_string(state.settings_path()).unwrap_or_default();
        assert!(
            !user.contains("north") && !user.contains("clinic.example"),
            "locked values are not copied into the user's file: {user}"
        );
    }

    #[test]
    fn the_environment_locks_the_server_and_tenant_fields_but_not_the_inbox() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("system.toml"), "locked = [\"inbox\"]\n").unwrap();
        for (var, environment) in [
            ("DECODA_API_URL", true),
            ("DECODA_TENANT", true),
            ("DECODA_PROXY", false),
        ] {
            let env = [
                ("DECODA_API_KEY".to_owned(), "unused".to_owned()),
                (var.to_owned(), "https://api.example.com".to_owned()),
            ]
            .into();
            let state = AppState::new(
                dir.path().join("settings.toml"),
                Keychain::with_service("unused-offline"),
                env,
            );
            let shown = view(&state).unwrap();
            assert_eq!(shown.locked_by_environment, environment, "{var}");
            assert_eq!(
                shown.locked_fields,
                LockedFields {
                    api_url: environment,
                    tenant: environment,
                    inbox: true
                },
                "{var}"
            );
        }
    }

    #[tokio::test]
    async fn the_screen_opens_by_itself_until_there_is_a_tenant_and_saves_say_when_the_account_changed(
    ) {
        let dir = tempfile::tempdir().unwrap();
        let state = offline_state(&dir);
        assert!(view(&state).unwrap().needs_setup, "no tenant yet");
        let state = &state;
        let changed = move |form| async move { save(state, form).await.unwrap() };
        assert_eq!(
            changed(edit(DEFAULT_API_URL, "north", None)).await,
            AccountChange::Changed,
            "a first tenant"
        );
        assert!(!view(state).unwrap().needs_setup);
        assert_eq!(
            changed(edit(DEFAULT_API_URL, " north ", None)).await,
            AccountChange::Same
        );
        assert_eq!(
            changed(edit(DEFAULT_API_URL, "south", None)).await,
            AccountChange::Changed
        );
        assert_eq!(
            changed(edit("https://api.example.com", "south", None)).await,
            AccountChange::Changed,
            "another server"
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
        save_and_view(&state, edit("https://api.example.com", "mine", None))
            .await
            .unwrap();
        assert_eq!(view(&state).unwrap().tenant.as_deref(), Some("mine"));
    }

    #[test]
    fn the_scanner_inbox_must_be_an_existing_folder_other_than_the_sent_folder() {
        let dir = tempfile::tempdir().unwrap();
        let state = offline_state(&dir);
        let choose = |which, folder: &Path| {
            save_inbox_folder(&state, which, Some(folder.to_path_buf())).map(|_| view(&state))
        };
        let sent = dir.path().join("sent");
        let err = choose(InboxFolder::Sent, &sent).unwrap_err();
        assert!(
            matches!(&err, UiError::Invalid(m) if m.contains("before a folder for sent scans")),
            "{err:?}"
        );
        let missing = dir.path().join("no-such-folder");
        let err = choose(InboxFolder::Inbox, &missing).unwrap_err();
        assert!(
            matches!(&err, UiError::Invalid(m) if m.contains("does not exist")),
            "{err:?}"
        );
        choose(InboxFolder::Inbox, dir.path()).unwrap().unwrap();
        let err = choose(InboxFolder::Sent, dir.path()).unwrap_err();
        assert!(
            matches!(&err, UiError::Invalid(m) if m.contains("another folder")),
            "{err:?}"
        );
        let shown = choose(InboxFolder::Sent, &sent).unwrap().unwrap();
        assert_eq!(shown.inbox_folder.as_deref(), Some(dir.path()));
        assert_eq!(shown.sent_folder, Some(sent));

        save_inbox_folder(&state, InboxFolder::Inbox, None).unwrap();
        let shown = view(&state).unwrap();
        assert_eq!(
            (shown.inbox_folder, shown.sent_folder),
            (None, None),
            "no inbox, nothing to move"
        );
    }

    #[tokio::test]
    async fn saving_writes_only_what_changed_so_the_system_files_values_still_apply() {
        let dir = tempfile::tempdir().unwrap();
        let inbox = dir.path().join("inbox");
        std::fs::create_dir(&inbox).unwrap();
        let system = format!(
            "tenant = \"north\"\n[retry]\nmax_attempts = 4\n[inbox]\nfolder = {}\n",
            toml::Value::String(inbox.to_string_lossy().into_owned())
        );
        std::fs::write(dir.path().join("system.toml"), system).unwrap();
        let state = offline_state(&dir);
        save(&state, edit(DEFAULT_API_URL, "north", None))
            .await
            .unwrap();
        let change = save_inbox_folder(&state, InboxFolder::Inbox, Some(inbox.clone())).unwrap();
        assert_eq!(change, InboxChange::Same);
        assert!(
            !state.settings_path().exists(),
            "nothing changed, nothing written"
        );
        assert_eq!(
            save_inbox_folder(&state, InboxFolder::Inbox, None).unwrap(),
            InboxChange::Changed
        );
        let settings = state.settings().unwrap();
        assert_eq!(
            settings.effective.inbox().folder(),
            None,
            "clearing overrides the system's inbox"
        );
        assert_eq!(
            settings.effective.retry.max_attempts, 4,
            "the system's other values still apply"
        );
        let user = std::fs::read_to_string(state.settings_path()).unwrap();
        assert!(
            !user.contains("retry") && !user.contains("tenant"),
            "{user}"
        );
    }
}
