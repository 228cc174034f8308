//! The system-wide configuration clinic IT installs on every workstation, and its locks.
//!
//! The file has the same keys as a user's settings file plus `locked`, a list of keys the user
//! may not change. Values in force are the system file's, with the user's own on top for every key
//! that is not locked; environment variables and command-line flags cannot override a locked key
//! either. A system file that cannot be read or is not valid never stops the app: it is set aside
//! as a whole (a half-applied policy would be worse than none), the user's settings and the safe
//! defaults apply, and the reason is shown to the user and in the command line's output.

use crate::{group_policy::PolicyValue, Result, SettingsError, SettingsFile};
use decoda_api::BaseUrl;
use serde::{Deserialize, Serialize};
use std::{
    collections::{BTreeMap, BTreeSet},
    fmt,
    path::{Path, PathBuf},
};
use toml::{Table, Value};

/// A key of the settings file that the system file can lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Setting {
    /// `api_url`.
    ApiUrl,
    /// `tenant`.
    Tenant,
    /// `names_encoding`.
    NamesEncoding,
    /// `[limits]`.
    Limits,
    /// `[retry]`.
    Retry,
    /// `[timeouts]`.
    Timeouts,
    /// `history_days`.
    HistoryDays,
    /// `keep_history`.
    KeepHistory,
    /// `[inbox]`.
    Inbox,
    /// `proxy`.
    Proxy,
    /// `clear_patient_after_minutes`.
    ClearPatientAfterMinutes,
    /// `[scanners]`.
    Scanners,
}

impl Setting {
    /// Every lockable key.
    pub const ALL: [Setting; 12] = [
        Self::ApiUrl,
        Self::Tenant,
        Self::NamesEncoding,
        Self::Limits,
        Self::Retry,
        Self::Timeouts,
        Self::HistoryDays,
        Self::KeepHistory,
        Self::Inbox,
        Self::Proxy,
        Self::ClearPatientAfterMinutes,
        Self::Scanners,
    ];

    /// The key as written in the files.
    pub fn key(self) -> &'static str {
        match self {
            Self::ApiUrl => "api_url",
            Self::Tenant => "tenant",
            Self::NamesEncoding => "names_encoding",
            Self::Limits => "limits",
            Self::Retry => "retry",
            Self::Timeouts => "timeouts",
            Self::HistoryDays => "history_days",
            Self::KeepHistory => "keep_history",
            Self::Inbox => "inbox",
            Self::Proxy => "proxy",
            Self::ClearPatientAfterMinutes => "clear_patient_after_minutes",
            Self::Scanners => "scanners",
        }
    }

    /// What the setting is, in words for the person at the desk.
    pub fn label(self) -> &'static str {
        match self {
            Self::ApiUrl => "the server address",
            Self::Tenant => "the tenant",
            Self::NamesEncoding => "the names encoding",
            Self::Limits => "the upload limits",
            Self::Retry => "the retry settings",
            Self::Timeouts => "the timeouts",
            Self::HistoryDays => "how long history is kept",
            Self::KeepHistory => "whether history is kept",
            Self::Inbox => "the scanner inbox",
            Self::Proxy => "the proxy",
            Self::ClearPatientAfterMinutes => "when an unattended window clears the patient",
            Self::Scanners => "the network scanners",
        }
    }

    /// "is" or "are", to go with [`Self::label`].
    pub fn verb(self) -> &'static str {
        match self {
            Self::Limits | Self::Retry | Self::Timeouts | Self::Scanners => "are",
            _ => "is",
        }
    }

    pub(crate) fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The platform's machine-wide location (`DECODA_SYSTEM_CONFIG` instead, in development builds
/// only: in an installed app an override would let anyone step out from under IT's locks):
/// `/etc/decoda-uploader/config.toml` on Linux,
/// `/Library/Application Support/Decoda Uploader/config.toml` on macOS and
/// `%ProgramData%\Decoda Uploader\config.toml` on Windows.
pub fn default_system_config_path(env_override: Option<String>) -> PathBuf {
    if let Some(path) = env_override.filter(|p| cfg!(debug_assertions) && !p.trim().is_empty()) {
        return PathBuf::from(path);
    }
    system_folder().join("config.toml")
}

/// Windows: ProgramData as the system knows it (the Known Folders API), never the `ProgramData`
/// environment variable, which any user can point at a folder of their own to escape the locks.
#[cfg(windows)]
fn system_folder() -> PathBuf {
    known_folders::get_known_folder_path(known_folders::KnownFolder::ProgramData)
        .unwrap_or_else(|| PathBuf::from(r"C:\ProgramData"))
        .join("Decoda Uploader")
}

#[cfg(target_os = "macos")]
fn system_folder() -> PathBuf {
    PathBuf::from("/Library/Application Support/Decoda Uploader")
}

#[cfg(not(any(windows, target_os = "macos")))]
fn system_folder() -> PathBuf {
    PathBuf::from("/etc/decoda-uploader")
}

/// What became of the system file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "state", content = "reason")]
pub enum SystemFileState {
    /// There is none: the workstation is not centrally managed.
    Absent,
    /// It was read and is in force.
    Applied,
    /// It could not be used; the sentence says why and what applies instead.
    Ignored(String),
}

/// Settings from the system file and the user's file, merged under the system's locks.
#[derive(Debug, Clone)]
pub struct LayeredSettings {
    /// What is in force.
    pub effective: SettingsFile,
    /// The user's own file alone: what a settings screen edits and saves back.
    pub user: SettingsFile,
    /// Keys the user cannot change.
    pub locked: BTreeSet<Setting>,
    /// Which file or policy key locks each of them, for the message.
    locked_by: BTreeMap<Setting, PathBuf>,
    /// The system layers in force: the fleet file, device management's settings.
    applied: Vec<PathBuf>,
    /// The system file's path.
    pub system_path: PathBuf,
    /// Whether the system file applies.
    pub system: SystemFileState,
}

/// A valid system layer: its table (without `locked`), its locks and where each lock comes from.
struct SystemFile {
    table: Table,
    locked: BTreeMap<Setting, PathBuf>,
    sources: Vec<PathBuf>,
}

/// Settings the platform's device management sets, read on top of the fleet file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ManagedSource {
    /// None (Linux).
    None,
    /// macOS: a configuration profile's managed preferences, a property list (see
    /// [`crate::managed_preferences_path`]).
    Profile(PathBuf),
    /// Windows: the values Group Policy set (see [`crate::group_policy`]), or why they could not
    /// be read.
    GroupPolicy(std::result::Result<Vec<PolicyValue>, String>),
}

impl ManagedSource {
    /// This platform's: the profile's file on macOS, the policy key on Windows.
    pub fn platform() -> Self {
        #[cfg(windows)]
        return Self::GroupPolicy(crate::group_policy::read_machine());
        #[cfg(not(windows))]
        match crate::managed_preferences_path() {
            Some(path) => Self::Profile(path),
            None => Self::None,
        }
    }

    /// Its settings as a table (with its own `locked`), and where they come from, for messages.
    fn read(self) -> Result<Option<(Table, PathBuf)>> {
        match self {
            Self::None => Ok(None),
            Self::Profile(path) => {
                let Some(table) = crate::managed::read(&path)? else {
                    return Ok(None);
                };
                trusted(&path)?;
                Ok(Some((table, path)))
            }
            Self::GroupPolicy(values) => {
                let key = PathBuf::from(crate::group_policy::policy_key_name());
                let invalid = |reason| SettingsError::Invalid {
                    path: key.clone(),
                    reason,
                };
                let table =
                    crate::group_policy::to_table(values.map_err(invalid)?).map_err(invalid)?;
                Ok(table.map(|t| (t, key)))
            }
        }
    }
}

impl LayeredSettings {
    /// Reads both files. Only a problem with the user's own file is an error: a bad system file
    /// is set aside (see the module's documentation) and reported in [`Self::system`].
    pub fn load(user_path: &Path, system_path: &Path) -> Result<Self> {
        Self::load_managed(user_path, system_path, ManagedSource::platform())
    }

    /// As [`Self::load`], with the settings of device management (a configuration profile, Group
    /// Policy) taken from `managed`, on top of the system file.
    pub fn load_managed(
        user_path: &Path,
        system_path: &Path,
        managed: ManagedSource,
    ) -> Result<Self> {
        let user_table = read_table(user_path)?.unwrap_or_default();
        let user = SettingsFile::from_table(user_table.clone(), user_path)?;
        let (system_file, system) = match read_system(system_path, managed) {
            Ok(None) => (None, SystemFileState::Absent),
            Ok(Some(file)) => (Some(file), SystemFileState::Applied),
            Err(e) => {
                let (source, why) = match e {
                    SettingsError::Read { path, reason } => {
                        (path, format!("it cannot be read ({reason})"))
                    }
                    SettingsError::Invalid { path, reason } => (path, reason),
                    other => (system_path.to_path_buf(), other.to_string()),
                };
                let reason = format!(
                    "the system configuration {} is not used: {why}. Until it is fixed, your own settings and the defaults apply; please tell your IT department",
                    source.display()
                );
                (None, SystemFileState::Ignored(reason))
            }
        };
        let Some(SystemFile {
            table,
            locked,
            sources,
        }) = system_file
        else {
            return Ok(Self {
                effective: user.clone(),
                user,
                locked: BTreeSet::new(),
                locked_by: BTreeMap::new(),
                applied: Vec::new(),
                system_path: system_path.to_path_buf(),
                system,
            });
        };
        let merged = merge(table, &user_table, &locked);
        let effective = SettingsFile::from_table(merged, user_path)?;
        Ok(Self {
            effective,
            user,
            locked: locked.keys().copied().collect(),
            locked_by: locked,
            applied: sources,
            system_path: system_path.to_path_buf(),
            system,
        })
    }

    /// Whether the system file locks this setting.
    pub fn is_locked(&self, setting: Setting) -> bool {
        self.locked.contains(&setting)
    }

    /// An error saying who sets `setting`, if it is locked.
    pub fn check_unlocked(&self, setting: Setting) -> Result<()> {
        if self.is_locked(setting) {
            let path = self.locked_by.get(&setting).unwrap_or(&self.system_path);
            return Err(SettingsError::Locked {
                setting,
                path: path.clone(),
            });
        }
        Ok(())
    }

    /// Where the settings in force come from besides the user's file: the fleet file, if there is
    /// one, and device management's (the configuration profile, the Group Policy key), if set.
    pub fn system_sources(&self) -> &[PathBuf] {
        &self.applied
    }

    /// The sentence to show when the system file was set aside.
    pub fn system_problem(&self) -> Option<&str> {
        match &self.system {
            SystemFileState::Ignored(reason) => Some(reason),
            _ => None,
        }
    }
}

pub(crate) fn read_table(path: &Path) -> Result<Option<Table>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(SettingsError::Read {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })
        }
    };
    text.parse::<Table>()
        .map(Some)
        .map_err(|e| SettingsError::Invalid {
            path: path.to_path_buf(),
            reason: syntax_problem(&text, &e),
        })
}

/// The parser's message and the line it points at, without the line itself: a mistyped key
/// (`api_key = sk_…` without quotes) must not reach the screen, the output or a support ticket.
fn syntax_problem(text: &str, e: &toml::de::Error) -> String {
    let message = one_line(&e.message());
    match e.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            format!("line {line}: {message}")
        }
        None => message,
    }
}

fn read_system(path: &Path, managed: ManagedSource) -> Result<Option<SystemFile>> {
    let file = read_table(path)?;
    let mut sources = Vec::new();
    if file.is_some() {
        trusted(path)?;
        sources.push(path.to_path_buf());
    }
    let managed = managed.read()?;
    let (file, managed) = match (file, managed) {
        (None, None) => return Ok(None),
        (file, managed) => (file.unwrap_or_default(), managed),
    };
    let (mut table, mut locked) = checked_layer(file, path, Locks::Listed)?;
    if let Some((managed_table, source)) = managed {
        let (managed_table, managed_locks) = checked_layer(managed_table, &source, Locks::Forced)?;
        for (key, value) in &managed_table {
            overlay(&mut table, key, value);
        }
        locked.extend(managed_locks);
        sources.push(source);
    }
    SettingsFile::from_table(table.clone(), path)?;
    Ok(Some(SystemFile {
        table,
        locked,
        sources,
    }))
}

/// Which settings a system layer locks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Locks {
    /// Those its `locked` lists (the fleet file).
    Listed,
    /// Those it lists and every setting it sets: device management's settings are enforced, as
    /// macOS forces managed preferences and Windows enforces policies.
    Forced,
}

/// A system layer's table without `locked`, and its locks, each from `source`; a layer with an
/// API key in it is refused.
fn checked_layer(
    mut table: Table,
    source: &Path,
    locks: Locks,
) -> Result<(Table, BTreeMap<Setting, PathBuf>)> {
    let invalid = |reason: String| SettingsError::Invalid {
        path: source.to_path_buf(),
        reason,
    };
    if table.contains_key("api_key") {
        return Err(invalid(
            "it holds an API key; keys are personal and each user enters their own".into(),
        ));
    }
    let mut locked = parse_locks(table.remove("locked")).map_err(invalid)?;
    if locks == Locks::Forced {
        locked.extend(table.keys().filter_map(|key| Setting::from_key(key)));
        // The history pair locks together however it was locked (see `parse_locks`).
        locked = with_history_pair(locked);
    }
    // Each layer must be valid on its own, so that a message names the one that is wrong.
    let layer = SettingsFile::from_table(table.clone(), source)?;
    if let Some(url) = &layer.api_url {
        BaseUrl::parse(url).map_err(|e| invalid(format!("api_url: {e}")))?;
    }
    let locked = locked
        .into_iter()
        .map(|s| (s, source.to_path_buf()))
        .collect();
    Ok((table, locked))
}

/// The fleet file or profile is refused unless only administrators can write it (see `trust`).
fn trusted(path: &Path) -> Result<()> {
    crate::trust::check_admin_only(path, &crate::trust::SystemOwnership).map_err(|reason| {
        SettingsError::Invalid {
            path: path.to_path_buf(),
            reason,
        }
    })
}

/// Either history key alone would leave the other as a way round it (`history_days = 0` under a
/// locked `keep_history = true`), so locking one locks both.
fn with_history_pair(mut locked: BTreeSet<Setting>) -> BTreeSet<Setting> {
    if locked.contains(&Setting::HistoryDays) || locked.contains(&Setting::KeepHistory) {
        locked.extend([Setting::HistoryDays, Setting::KeepHistory]);
    }
    locked
}

fn parse_locks(value: Option<Value>) -> std::result::Result<BTreeSet<Setting>, String> {
    let names = || {
        Setting::ALL
            .iter()
            .map(|s| s.key())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(value) = value else {
        return Ok(BTreeSet::new());
    };
    let Value::Array(items) = value else {
        return Err(format!(
            "`locked` must be a list of setting names, such as locked = [\"api_url\", \"tenant\"]; the names are {}",
            names()
        ));
    };
    let locked = items
        .iter()
        .map(|item| {
            item.as_str().and_then(Setting::from_key).ok_or_else(|| {
                format!(
                    "`locked` names {item}, which is not a setting; the names are {}",
                    names()
                )
            })
        })
        .collect::<std::result::Result<BTreeSet<_>, _>>()?;
    Ok(with_history_pair(locked))
}

/// The system table with the user's values on top, except under locked keys. Tables merge key by
/// key, so a user who sets one limit keeps the system's other limits.
fn merge(mut system: Table, user: &Table, locked: &BTreeMap<Setting, PathBuf>) -> Table {
    for (key, value) in user {
        if Setting::from_key(key).is_some_and(|s| locked.contains_key(&s)) {
            continue;
        }
        overlay(&mut system, key, value);
    }
    system
}

fn overlay(into: &mut Table, key: &str, value: &Value) {
    match (into.get_mut(key), value) {
        (Some(Value::Table(base)), Value::Table(top)) => {
            for (k, v) in top {
                overlay(base, k, v);
            }
        }
        _ => {
            into.insert(key.to_owned(), value.clone());
        }
    }
}

pub(crate) fn one_line(e: &dyn fmt::Display) -> String {
    e.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
