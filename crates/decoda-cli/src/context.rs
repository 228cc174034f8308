//! From parsed arguments to validated settings and a client, before anything is sent.

use crate::{args::Cli, exit::CliError};
use decoda_api::{ApiKey, Client};
use decoda_settings::{
    default_settings_path, default_system_config_path, KeySource, Keychain, LayeredSettings,
    Resolved, Setting,
};
use decoda_store::{default_data_dir, Account, Store};
use std::path::PathBuf;

/// What every command needs: settings from all sources, and where they live.
#[derive(Debug)]
pub struct Context {
    /// The settings file's path.
    pub settings_path: PathBuf,
    /// The queue and history folder, if given (else the platform's).
    pub data_dir: Option<PathBuf>,
    /// Settings resolved from flags, environment and file (without the key).
    pub resolved: Resolved,
    /// The keychain.
    pub keychain: Keychain,
    /// The key `DECODA_API_KEY` held at start (then removed from the environment).
    env_key: Option<ApiKey>,
}

impl Context {
    /// Reads the settings files and applies flags over the environment over the files. A flag
    /// for a setting the system file locks is refused rather than ignored; a system file that
    /// cannot be used is reported on standard error, and the command goes on without it.
    /// `env_key` is the key `DECODA_API_KEY` held, already taken out of the environment.
    pub fn new(cli: &Cli, env_key: Option<ApiKey>) -> Result<Self, CliError> {
        let settings_path = match &cli.config {
            Some(p) => p.clone(),
            None => default_settings_path(None)?,
        };
        let system_path = default_system_config_path(std::env::var("DECODA_SYSTEM_CONFIG").ok());
        let settings = LayeredSettings::load(&settings_path, &system_path)?;
        if let Some(problem) = settings.system_problem() {
            eprintln!("warning: {problem}");
        }
        if cli.api_url.is_some() {
            settings.check_unlocked(Setting::ApiUrl)?;
        }
        if cli.tenant.is_some() {
            settings.check_unlocked(Setting::Tenant)?;
        }
        let flags = |name: &str| match name {
            "DECODA_API_URL" => cli.api_url.clone(),
            "DECODA_TENANT" => cli.tenant.clone(),
            _ => None,
        };
        let env = |name: &str| flags(name).or_else(|| std::env::var(name).ok());
        let resolved = Resolved::without_key(settings, &env)?;
        // Every HTTP client of the command goes through the configured proxy, the signed-link
        // downloads of recovery included, not only the API client built here.
        decoda_api::network::set_proxy(resolved.proxy());
        Ok(Self {
            settings_path,
            data_dir: cli.data_dir.clone(),
            resolved,
            keychain: Keychain::default(),
            env_key,
        })
    }

    /// The folder of the queue and history (and of scans waiting to be uploaded).
    pub fn data_folder(&self) -> Result<PathBuf, CliError> {
        Ok(match &self.data_dir {
            Some(d) => d.clone(),
            None => default_data_dir(None)?,
        })
    }

    /// The upload queue and history.
    pub fn store(&self) -> Result<Store, CliError> {
        let mut store = Store::open(&self.data_folder()?)?;
        if let Some(tenant) = &self.resolved.tenant {
            store = store.for_account(Account::new(self.resolved.base_url.as_str(), tenant))?;
        }
        store.prune_history(self.resolved.settings.effective.history_days())?;
        Ok(store)
    }

    /// A client with the key from the environment or the keychain.
    pub fn client(&self) -> Result<Client, CliError> {
        let tenant = self.resolved.tenant()?.to_owned();
        let (key, _) = self.key()?.ok_or(CliError::NoKey)?;
        Ok(Client::builder(self.resolved.base_url.clone(), tenant, key).build()?)
    }

    /// The settings with the key, if one is set (for `decoda settings`, which shows only whether).
    pub fn resolved_with_key(&self) -> Result<Resolved, CliError> {
        let mut resolved = self.resolved.clone();
        resolved.key = self.key()?;
        Ok(resolved)
    }

    /// The key from `DECODA_API_KEY`, or else the keychain's for this server and tenant.
    fn key(&self) -> Result<Option<(ApiKey, KeySource)>, CliError> {
        Ok(self
            .resolved
            .find_key(self.env_key.as_ref(), &self.keychain)?)
    }
}
