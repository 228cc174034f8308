//! The settings in force as lines of text, for `decoda settings` and the app's diagnostics: what
//! support needs to know, with where each value comes from. Whether a key is set, never the key.

use crate::{KeySource, LayeredSettings, Resolved, Setting, SystemFileState};

impl Resolved {
    /// One `(label, value)` per setting.
    pub fn summary(&self) -> Vec<(&'static str, String)> {
        let s = &self.settings;
        let e = &s.effective;
        let locked = |setting: Setting, text: String| mark_locked(s, setting, text);
        let tenant = self.tenant.clone().unwrap_or_else(|| "not set".into());
        let history_key = if s.is_locked(Setting::KeepHistory) {
            Setting::KeepHistory
        } else {
            Setting::HistoryDays
        };
        vec![
            ("System configuration", system_line(s)),
            ("Server", locked(Setting::ApiUrl, self.base_url.to_string())),
            ("Tenant", locked(Setting::Tenant, tenant)),
            (
                "API key",
                key_line(self.key.as_ref().map(|(_, source)| *source)),
            ),
            (
                "Names encoding",
                locked(Setting::NamesEncoding, e.names_encoding.to_string()),
            ),
            ("Limits", locked(Setting::Limits, limits_line(&e.limits))),
            (
                "History",
                locked(history_key, history_line(e.history_days())),
            ),
            (
                "Scanner inbox",
                locked(Setting::Inbox, inbox_line(&e.inbox())),
            ),
            (
                "Network scanners",
                locked(Setting::Scanners, scanners_line(&e.scanner_addresses())),
            ),
            (
                "Proxy",
                locked(Setting::Proxy, proxy_line(e.proxy.as_ref())),
            ),
        ]
    }
}

fn mark_locked(s: &LayeredSettings, setting: Setting, text: String) -> String {
    if s.is_locked(setting) {
        format!("{text} (locked by the system configuration)")
    } else {
        text
    }
}

fn system_line(s: &LayeredSettings) -> String {
    match &s.system {
        SystemFileState::Absent => format!("{} (none)", s.system_path.display()),
        SystemFileState::Applied => s
            .system_sources()
            .iter()
            .map(|p| format!("{} (applied)", p.display()))
            .collect::<Vec<_>>()
            .join(", "),
        SystemFileState::Ignored(why) => why.clone(),
    }
}

fn key_line(source: Option<KeySource>) -> String {
    match source {
        Some(KeySource::Environment) => "set, from DECODA_API_KEY",
        Some(KeySource::Keychain) => "set, in the system keychain",
        None => "not set",
    }
    .to_owned()
}

fn limits_line(l: &decoda_engine::Limits) -> String {
    format!(
        "{} files or {} per request, {} per file, {} requests at once",
        l.max_files_per_request,
        mebibytes(l.max_bytes_per_request),
        mebibytes(l.max_file_bytes),
        l.parallel_requests
    )
}

/// The proxy with any user name and password hidden: this text goes into support tickets.
fn proxy_line(proxy: Option<&decoda_api::ProxyUrl>) -> String {
    match proxy {
        Some(p) => p.redacted(),
        None => "none set: the system's proxy settings apply (HTTPS_PROXY, NO_PROXY…)".to_owned(),
    }
}

fn history_line(days: u32) -> String {
    match days {
        0 => "not kept".to_owned(),
        days => format!("kept {days} days"),
    }
}

fn scanners_line(addresses: &[String]) -> String {
    if addresses.is_empty() {
        "none".to_owned()
    } else {
        addresses.join(", ")
    }
}

fn inbox_line(inbox: &crate::InboxSettings) -> String {
    match (inbox.folder(), inbox.sent_folder()) {
        (None, _) => "off".to_owned(),
        (Some(f), None) => format!("{} (files stay there after upload)", f.display()),
        (Some(f), Some(sent)) => format!(
            "{} (uploaded files move to {})",
            f.display(),
            sent.display()
        ),
    }
}

/// A byte limit as people read it ("256 MiB"), exact below one MiB.
fn mebibytes(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_as_people_write_them() {
        assert_eq!(mebibytes(256 * 1024 * 1024), "256 MiB");
        assert_eq!(mebibytes(1536 * 1024), "1.5 MiB");
        assert_eq!(mebibytes(1000), "1000 bytes");
    }
}
