//! What the app keeps while it runs: where settings live, the queue, the running upload.

use crate::{error::UiResult, UiError};
use decoda_core::waiting::Queue;
use decoda_engine::{
    api::{ApiKey, Client},
    CancellationToken, Settings as EngineSettings, Uploader,
};
use decoda_settings::{
    default_settings_path, default_system_config_path, KeySource, Keychain, LayeredSettings,
    Resolved,
};
use decoda_store::{default_data_dir, Account, Store};
use std::{
    collections::{HashMap, HashSet},
    path::PathBuf,
    sync::{Mutex, MutexGuard, PoisonError},
};

/// Locks a mutex of the state, recovering the data if a panic poisoned it (a panicking upload
/// must not make the queue unusable for the rest of the session).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The app's state, shared by every command.
#[derive(Debug)]
pub struct AppState {
    settings_path: PathBuf,
    system_config_path: PathBuf,
    data_dir: PathBuf,
    keychain: Keychain,
    /// `DECODA_API_URL` and `DECODA_TENANT`, as they were at start.
    env: HashMap<String, String>,
    /// The key `DECODA_API_KEY` held at start (then removed from the environment).
    env_key: Option<ApiKey>,
    /// The files waiting to be sent.
    queue: Mutex<Queue>,
    /// Cancels the running upload, if one runs.
    upload: Mutex<Option<CancellationToken>>,
    /// The scanner inbox being watched, if any.
    inbox: Mutex<Option<decoda_inbox::Inbox>>,
    /// Why the configured scanner inbox cannot be watched, if it cannot.
    inbox_problem: Mutex<Option<String>>,
    /// Thumbnail links the server returned in this run: the only ones Rust will fetch for the window.
    thumbnails: Mutex<HashSet<String>>,
    /// File links the server returned in this run: the only ones the window may open in a browser.
    links: Mutex<HashSet<String>>,
    /// Attachments uploads returned in this run, and the patient each is on now: with the
    /// history, the files the window may move.
    uploaded: Mutex<HashMap<String, String>>,
}

/// The variables that override the settings screen, read at start.
const ENV_VARS: [&str; 3] = ["DECODA_API_URL", "DECODA_TENANT", MDNS_PORT_VAR];
/// The UDP port scanners are looked for on (multicast DNS): 5353 on every network; tests set a
/// private one so that they neither see nor disturb a real network's scanners.
const MDNS_PORT_VAR: &str = "DECODA_MDNS_PORT";
/// The key's variable, which [`AppState::new`] takes out of its map into an [`ApiKey`].
const KEY_VAR: &str = "DECODA_API_KEY";

impl AppState {
    /// State from the process environment and the default settings file. `env_key` is the key
    /// `DECODA_API_KEY` held, already taken out of the environment
    /// ([`Resolved::take_key_from_environment`]).
    pub fn from_environment(env_key: Option<ApiKey>) -> UiResult<Self> {
        let env = ENV_VARS
            .iter()
            .filter_map(|k| std::env::var(k).ok().map(|v| ((*k).to_owned(), v)))
            .collect();
        let settings_path = default_settings_path(std::env::var("DECODA_CONFIG").ok())?;
        let data_dir = default_data_dir(std::env::var("DECODA_DATA_DIR").ok())?;
        let system = default_system_config_path(std::env::var("DECODA_SYSTEM_CONFIG").ok());
        let mut state = Self::new(settings_path, Keychain::default(), env)
            .with_data_dir(data_dir)
            .with_system_config(system);
        state.env_key = env_key.filter(|k| !k.is_empty());
        Ok(state)
    }

    /// State with explicit parts (tests). A `DECODA_API_KEY` in `env` is held as an [`ApiKey`],
    /// never as text. The queue and history, and the system-wide file, are looked for next to
    /// the settings file until [`AppState::with_data_dir`] and [`AppState::with_system_config`]
    /// say otherwise.
    pub fn new(
        settings_path: PathBuf,
        keychain: Keychain,
        mut env: HashMap<String, String>,
    ) -> Self {
        let env_key = env
            .remove(KEY_VAR)
            .map(ApiKey::new)
            .filter(|k| !k.is_empty());
        Self {
            data_dir: settings_path.with_file_name("data"),
            system_config_path: settings_path.with_file_name("system.toml"),
            settings_path,
            keychain,
            env,
            env_key,
            queue: Mutex::default(),
            upload: Mutex::default(),
            inbox: Mutex::default(),
            inbox_problem: Mutex::default(),
            thumbnails: Mutex::default(),
            links: Mutex::default(),
            uploaded: Mutex::default(),
        }
    }

    /// The files waiting to be sent.
    pub fn queue(&self) -> MutexGuard<'_, Queue> {
        lock(&self.queue)
    }

    /// The running upload's cancel token: the one slot that says an upload runs.
    pub fn upload_slot(&self) -> MutexGuard<'_, Option<CancellationToken>> {
        lock(&self.upload)
    }

    /// Cancels the running upload, if any; returns whether one was running.
    pub fn cancel_upload(&self) -> bool {
        self.upload_slot()
            .as_ref()
            .map(CancellationToken::cancel)
            .is_some()
    }

    /// The scanner inbox being watched, if any.
    pub fn inbox(&self) -> MutexGuard<'_, Option<decoda_inbox::Inbox>> {
        lock(&self.inbox)
    }

    /// Why the configured scanner inbox cannot be watched, if it cannot.
    pub fn inbox_problem(&self) -> MutexGuard<'_, Option<String>> {
        lock(&self.inbox_problem)
    }

    /// Remembers the links an upload returned: the only thumbnails Rust fetches for the window,
    /// and the only file links the window may open in a browser.
    pub fn remember_returned(
        &self,
        thumbnails: impl IntoIterator<Item = String>,
        links: impl IntoIterator<Item = String>,
    ) {
        lock(&self.thumbnails).extend(thumbnails);
        lock(&self.links).extend(links);
    }

    /// Remembers that `attachment` is on `patient`'s chart: an upload in this run returned it, or
    /// a move put it there.
    pub fn remember_uploaded(&self, attachment: &str, patient: &str) {
        lock(&self.uploaded).insert(attachment.to_owned(), patient.to_owned());
    }

    /// The patient an attachment returned in this run is on, if it was returned in this run.
    pub fn uploaded_to(&self, attachment: &str) -> Option<String> {
        lock(&self.uploaded).get(attachment).cloned()
    }

    /// Whether an upload in this run returned this thumbnail link.
    pub fn returned_thumbnail(&self, url: &str) -> bool {
        lock(&self.thumbnails).contains(url)
    }

    /// Whether an upload in this run returned this file link.
    pub fn returned_link(&self, url: &str) -> bool {
        lock(&self.links).contains(url)
    }

    /// Keeps the queue and history in `dir`.
    pub fn with_data_dir(mut self, dir: PathBuf) -> Self {
        self.data_dir = dir;
        self
    }

    /// Reads the system-wide configuration from `path`.
    pub fn with_system_config(mut self, path: PathBuf) -> Self {
        self.system_config_path = path;
        self
    }

    /// The settings files, merged under the system file's locks (read afresh each time, so an
    /// edit by IT or on the settings screen applies to the next piece of work).
    pub fn settings(&self) -> UiResult<LayeredSettings> {
        Ok(LayeredSettings::load(
            &self.settings_path,
            &self.system_config_path,
        )?)
    }

    /// The queue and history, opened for one piece of work (each upload has its own connection,
    /// as the CLI does; SQLite serialises the writers), for the configured server and tenant.
    pub fn store(&self) -> UiResult<Store> {
        let settings = self.settings()?;
        let days = settings.effective.history_days();
        let mut store = Store::open(&self.data_dir)?;
        if let Some(account) = self.account_of(settings)? {
            store = store.for_account(account)?;
        }
        store.prune_history(days)?;
        Ok(store)
    }

    /// The server and tenant the app works for now (`None` before a tenant is set): patient ids
    /// mean a person only within one.
    pub fn account(&self) -> UiResult<Option<Account>> {
        self.account_of(self.settings()?)
    }

    /// The tenant in force (settings, the fleet file or the environment), read without asking
    /// the keychain for the key.
    pub fn tenant(&self) -> UiResult<Option<String>> {
        let env = |k: &str| self.env.get(k).cloned();
        Ok(Resolved::without_key(self.settings()?, &env)?.tenant)
    }

    /// The account of settings already read.
    fn account_of(&self, settings: LayeredSettings) -> UiResult<Option<Account>> {
        let env = |k: &str| self.env.get(k).cloned();
        let resolved = Resolved::without_key(settings, &env)?;
        Ok(resolved
            .tenant
            .as_deref()
            .map(|tenant| Account::new(resolved.base_url.as_str(), tenant)))
    }

    /// The queue and history folder.
    pub fn data_dir(&self) -> &PathBuf {
        &self.data_dir
    }

    /// The settings file's path.
    pub fn settings_path(&self) -> &PathBuf {
        &self.settings_path
    }

    /// The keychain.
    pub fn keychain(&self) -> &Keychain {
        &self.keychain
    }

    /// Whether the environment sets this variable (it then overrides the settings screen).
    pub fn env_overrides(&self, name: &str) -> bool {
        if name == KEY_VAR {
            return self.env_key.is_some();
        }
        self.env.contains_key(name)
    }

    /// The UDP port network scanners are looked for on (multicast DNS).
    pub fn mdns_port(&self) -> u16 {
        self.env
            .get(MDNS_PORT_VAR)
            .and_then(|p| p.parse().ok())
            .unwrap_or(decoda_scan::discovery::MDNS_PORT)
    }

    /// Settings from every source, with the key if one is set.
    pub fn resolve(&self) -> UiResult<Resolved> {
        let env = |k: &str| self.env.get(k).cloned();
        Ok(Resolved::resolve(
            self.settings()?,
            &env,
            self.env_key.as_ref(),
            &self.keychain,
        )?)
    }

    /// A client for the configured server, or why there is none.
    pub fn client(&self) -> UiResult<Client> {
        let resolved = self.resolve()?;
        // The proxy reaches every HTTP client of the app this way, thumbnails and the signed-link
        // downloads of recovery included.
        let proxy = resolved.proxy();
        decoda_engine::api::network::set_proxy(proxy.clone());
        let tenant = resolved.tenant()?.to_owned();
        let Some((key, _)) = resolved.key else {
            return Err(UiError::NotSignedIn(
                "no API key is saved: open Settings to add one".into(),
            ));
        };
        Ok(Client::builder(resolved.base_url, tenant, key)
            .proxy(proxy)
            .build()?)
    }

    /// An uploader with the configured limits.
    pub fn uploader(&self) -> UiResult<Uploader> {
        let file = self.settings()?.effective;
        let settings = EngineSettings {
            limits: file.limits,
            names_encoding: file.names_encoding,
            retry: file.retry,
            timeouts: file.timeouts,
        };
        Ok(Uploader::new(self.client()?, settings))
    }

    /// Where the key comes from, if anywhere (never the key itself).
    pub fn key_source(&self) -> UiResult<Option<KeySource>> {
        Ok(self.resolve()?.key.map(|(_, source)| source))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_of_the_app_state_never_shows_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let env = [
            (KEY_VAR.to_owned(), "sk_live_canary_state".to_owned()),
            ("DECODA_TENANT".to_owned(), "demo-clinic".to_owned()),
        ]
        .into();
        let state = AppState::new(
            dir.path().join("settings.toml"),
            Keychain::with_service("unused-in-this-test"),
            env,
        );
        let shown = format!("{state:?} {state:#?}");
        assert!(
            state.env_overrides(KEY_VAR) && state.env_overrides("DECODA_TENANT"),
            "both are still known to be set"
        );
        assert!(!shown.contains("canary"), "Debug leaked the key: {shown}");
    }
}
