//! From parsed arguments to validated settings and a client, before anything is sent.

use crate::{args::Cli, exit::CliError};
use decoda_api::Client;
use decoda_settings::{default_settings_path, Keychain, Resolved, SettingsFile};
use decoda_store::{default_data_dir, Store};
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
}

impl Context {
    /// Reads the settings file and applies flags over the environment over the file.
    pub fn new(cli: &Cli) -> Result<Self, CliError> {
        let settings_path = match &cli.config {
            Some(p) => p.clone(),
            None => default_settings_path(None)?,
        };
        let file = SettingsFile::load(&settings_path)?;
        let flags = |name: &str| match name {
            "DECODA_API_URL" => cli.api_url.clone(),
            "DECODA_TENANT" => cli.tenant.clone(),
            _ => None,
        };
        let env = |name: &str| flags(name).or_else(|| std::env::var(name).ok());
        let resolved = Resolved::without_key(file, &env)?;
        Ok(Self {
            settings_path,
            data_dir: cli.data_dir.clone(),
            resolved,
            keychain: Keychain::default(),
        })
    }

    /// The upload queue and history.
    pub fn store(&self) -> Result<Store, CliError> {
        let dir = match &self.data_dir {
            Some(d) => d.clone(),
            None => default_data_dir(None)?,
        };
        let mut store = Store::open(&dir)?;
        store.prune_history(self.resolved.file.history_days())?;
        Ok(store)
    }

    /// A client with the key from the environment or the keychain.
    pub fn client(&self) -> Result<Client, CliError> {
        let tenant = self.resolved.tenant()?.to_owned();
        let key = match std::env::var("DECODA_API_KEY")
            .ok()
            .map(decoda_api::ApiKey::new)
        {
            Some(key) if !key.is_empty() => key,
            _ => self
                .keychain
                .get(&self.resolved.base_url, &tenant)?
                .ok_or(CliError::NoKey)?,
        };
        Ok(Client::builder(self.resolved.base_url.clone(), tenant, key).build()?)
    }
}
