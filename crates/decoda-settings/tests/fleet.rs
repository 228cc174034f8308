//! The system-wide configuration: what it sets, what it locks, and how a broken one is handled.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use decoda_settings::{
    LayeredSettings, ManagedSource, Resolved, Setting, SettingsError, SystemFileState,
};
use std::path::{Path, PathBuf};

struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new(system: &str, user: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("system.toml"), system).unwrap();
        std::fs::write(dir.path().join("user.toml"), user).unwrap();
        Self { dir }
    }
    fn user(&self) -> PathBuf {
        self.dir.path().join("user.toml")
    }
    fn system(&self) -> PathBuf {
        self.dir.path().join("system.toml")
    }
    fn load(&self) -> LayeredSettings {
        LayeredSettings::load(&self.user(), &self.system()).unwrap()
    }
}

const FLEET: &str = r#"
api_url = "https://api.clinic.example"
tenant = "clinic-north"
keep_history = true
locked = ["api_url", "tenant", "limits"]

[limits]
max_files_per_request = 5

[retry]
max_attempts = 4

[inbox]
folder = "/srv/scans"
"#;

#[test]
fn the_system_file_sets_values_and_locks_hold_against_the_user_and_the_environment() {
    let files = Files::new(
        FLEET,
        r#"
api_url = "https://elsewhere.example"
tenant = "other"
[limits]
max_files_per_request = 50
[retry]
max_attempts = 2
"#,
    );
    let layered = files.load();
    assert_eq!(layered.system, SystemFileState::Applied);
    let e = &layered.effective;
    assert_eq!(e.api_url.as_deref(), Some("https://api.clinic.example"));
    assert_eq!(e.tenant.as_deref(), Some("clinic-north"));
    assert_eq!(e.limits.max_files_per_request, 5, "limits are locked");
    assert_eq!(e.retry.max_attempts, 2, "retry is not locked: the user's");
    assert_eq!(
        e.inbox().folder(),
        Some(Path::new("/srv/scans")),
        "unlocked system values apply when the user sets none"
    );
    assert_eq!(
        layered.user.tenant.as_deref(),
        Some("other"),
        "the user's own file is kept apart, for the settings screen"
    );
    assert!(layered.is_locked(Setting::Tenant) && !layered.is_locked(Setting::Retry));

    let env = |k: &str| match k {
        "DECODA_API_URL" => Some("http://127.0.0.1:9".to_owned()),
        "DECODA_TENANT" => Some("env-tenant".to_owned()),
        _ => None,
    };
    let resolved = Resolved::without_key(layered.clone(), &env).unwrap();
    assert_eq!(resolved.base_url.as_str(), "https://api.clinic.example");
    assert_eq!(resolved.tenant.as_deref(), Some("clinic-north"));

    let err = layered.check_unlocked(Setting::ApiUrl).unwrap_err();
    assert!(matches!(err, SettingsError::Locked { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("server address")
            && msg.contains("IT department")
            && msg.contains("system.toml"),
        "{msg}"
    );
    layered.check_unlocked(Setting::Retry).unwrap();
}

#[test]
fn unlocked_values_from_the_environment_and_the_user_win_and_tables_merge_key_by_key() {
    let files = Files::new(
        "tenant = \"fleet\"\n[limits]\nmax_files_per_request = 5\nmax_file_bytes = 1000\n",
        "[limits]\nmax_files_per_request = 9\n",
    );
    let layered = files.load();
    assert_eq!(layered.effective.limits.max_files_per_request, 9);
    assert_eq!(
        layered.effective.limits.max_file_bytes, 1000,
        "the system's other limits stay"
    );
    let env = |k: &str| (k == "DECODA_TENANT").then(|| "scripted".to_owned());
    let resolved = Resolved::without_key(layered, &env).unwrap();
    assert_eq!(resolved.tenant.as_deref(), Some("scripted"));
}

#[test]
fn no_system_file_means_the_user_settings_alone() {
    let files = Files::new("", "tenant = \"mine\"\n");
    std::fs::remove_file(files.system()).unwrap();
    let layered = files.load();
    assert_eq!(layered.system, SystemFileState::Absent);
    assert!(layered.locked.is_empty());
    assert_eq!(layered.effective, layered.user);
    assert_eq!(layered.effective.tenant.as_deref(), Some("mine"));
}

#[test]
fn a_bad_system_file_is_set_aside_with_a_clear_reason_and_never_stops_the_app() {
    let cases: [(&str, &str); 8] = [
        ("api_key = sk_live_canary\n", "line 1"),
        ("api_url = \"https://x.example\n", "line 1"),
        ("tennant = \"typo\"\n", "tennant"),
        ("tenant = 7\n", "tenant"),
        ("api_key = \"secret-canary\"\n", "API key"),
        ("locked = [\"api_url\", \"colour\"]\n", "colour"),
        ("locked = \"api_url\"\n", "must be a list"),
        ("api_url = \"http://scans.clinic.example\"\n", "https"),
    ];
    for (system, expected) in cases {
        let files = Files::new(system, "tenant = \"mine\"\n");
        let layered = files.load();
        let reason = layered
            .system_problem()
            .unwrap_or_else(|| panic!("{system:?} was accepted"));
        assert!(reason.contains(expected), "{system:?}: {reason}");
        assert!(reason.contains("system.toml is not used"), "{reason}");
        assert!(reason.contains("IT department"), "{reason}");
        assert!(
            !reason.contains("secret-canary") && !reason.contains("sk_live_canary"),
            "{reason}"
        );
        assert!(layered.locked.is_empty(), "no half-applied locks");
        assert_eq!(layered.effective.tenant.as_deref(), Some("mine"));
        assert_eq!(layered.effective.api_url, None, "safe default: production");
    }
}

#[test]
fn an_unreadable_system_file_is_set_aside_too() {
    let files = Files::new("", "");
    std::fs::remove_file(files.system()).unwrap();
    std::fs::create_dir(files.system()).unwrap();
    let layered = files.load();
    let reason = layered.system_problem().expect("a folder is not a file");
    assert!(reason.contains("cannot be read"), "{reason}");
}

/// A fleet file in a folder every user may write (as one a standard user created, or left open)
/// is set aside, saying who may write what; the same file once the folder is closed applies.
#[cfg(unix)]
#[test]
fn a_system_file_others_than_administrators_can_write_is_set_aside_saying_why() {
    use std::os::unix::fs::PermissionsExt;
    let files = Files::new(FLEET, "");
    std::fs::set_permissions(files.dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let layered = files.load();
    let reason = layered
        .system_problem()
        .expect("an open folder is not trusted");
    assert!(reason.contains("can be written by others than administrators (every user can remove or rename what is in it)"), "{reason}");
    assert_eq!(
        layered.effective.tenant, None,
        "the user's settings apply instead"
    );

    std::fs::set_permissions(files.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(files.system(), std::fs::Permissions::from_mode(0o666)).unwrap();
    let reason = files
        .load()
        .system_problem()
        .map(str::to_owned)
        .expect("an open file is not trusted");
    assert!(reason.contains("(every user can change it)"), "{reason}");

    std::fs::set_permissions(files.system(), std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(files.load().system, SystemFileState::Applied);
}

/// macOS: a configuration profile's settings (managed preferences) apply on top of the fleet file,
/// and what either locks is locked.
#[test]
fn a_configuration_profile_sets_and_locks_on_top_of_the_fleet_file() {
    let files = Files::new(
        FLEET,
        "tenant = \"my-own\"\nnames_encoding = \"json\"\nhistory_days = 30\n",
    );
    let profile = files.dir.path().join("com.decodahealth.uploader.plist");
    std::fs::write(
        &profile,
        r#"<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict>
  <key>tenant</key><string>clinic-west</string>
  <key>limits</key><dict><key>max_files_per_request</key><integer>3</integer></dict>
  <key>locked</key><array><string>names_encoding</string></array>
</dict></plist>"#,
    )
    .unwrap();
    let layered = LayeredSettings::load_managed(
        &files.user(),
        &files.system(),
        ManagedSource::Profile(profile.clone()),
    )
    .unwrap();
    assert_eq!(layered.system, SystemFileState::Applied);
    assert_eq!(
        layered.effective.tenant.as_deref(),
        Some("clinic-west"),
        "the profile wins over the file"
    );
    assert!(layered.is_locked(Setting::Tenant), "the file's locks hold");
    assert!(
        layered.is_locked(Setting::NamesEncoding),
        "and the profile's"
    );
    assert_eq!(
        layered.effective.api_url.as_deref(),
        Some("https://api.clinic.example")
    );

    std::fs::remove_file(files.system()).unwrap();
    let alone = LayeredSettings::load_managed(
        &files.user(),
        &files.system(),
        ManagedSource::Profile(profile.clone()),
    )
    .unwrap();
    assert_eq!(
        alone.system,
        SystemFileState::Applied,
        "a profile alone applies too"
    );
    assert!(alone.is_locked(Setting::NamesEncoding));
    assert!(
        alone.is_locked(Setting::Tenant),
        "a setting the profile sets is forced, as macOS forces managed preferences"
    );
    assert_eq!(alone.effective.tenant.as_deref(), Some("clinic-west"));
    assert!(
        alone.is_locked(Setting::Limits),
        "a table it sets is forced too"
    );
    assert_eq!(alone.effective.limits.max_files_per_request, 3);
    assert!(alone
        .check_unlocked(Setting::Tenant)
        .unwrap_err()
        .to_string()
        .contains("com.decodahealth.uploader.plist"));
    assert_eq!(
        alone.effective.history_days(),
        30,
        "a setting neither sets stays the user's"
    );
}

#[test]
fn locking_either_history_setting_locks_both() {
    let files = Files::new(
        "keep_history = true\nlocked = [\"keep_history\"]\n",
        "history_days = 0\n",
    );
    let layered = files.load();
    assert!(layered.is_locked(Setting::HistoryDays));
    assert_eq!(
        layered.effective.history_days(),
        365,
        "the user cannot turn history off by the other key"
    );
}

#[test]
fn users_cannot_lock_and_history_can_be_turned_off() {
    let files = Files::new("keep_history = false\nhistory_days = 30\n", "");
    let layered = files.load();
    assert_eq!(layered.effective.history_days(), 0, "no history is kept");

    let files = Files::new("", "locked = [\"tenant\"]\n");
    let err = LayeredSettings::load(&files.user(), &files.system()).unwrap_err();
    assert!(err.to_string().contains("locked"), "{err}");
}

/// The ```toml blocks of a document in the repository.
fn toml_blocks(doc: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(doc);
    let text = std::fs::read_to_string(&path).unwrap();
    text.split("```toml\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap().to_owned())
        .collect()
}

#[test]
fn the_examples_in_the_readme_and_the_it_guide_are_valid_files() {
    let readme = toml_blocks("README.md");
    assert_eq!(readme.len(), 1);
    let files = Files::new("", &readme[0]);
    std::fs::remove_file(files.system()).unwrap();
    let user = files.load().effective;
    assert_eq!(user.history_days(), 365);
    assert!(user.inbox().sent_folder().is_some());

    let guide = toml_blocks("docs/ADMIN_GUIDE.md");
    assert_eq!(guide.len(), 2, "the fleet file, and its network scanners");
    let files = Files::new(&guide[0], "");
    let fleet = files.load();
    assert_eq!(fleet.system, SystemFileState::Applied, "{:?}", fleet.system);
    assert!(fleet.is_locked(Setting::Inbox));
    assert_eq!(fleet.effective.tenant.as_deref(), Some("northside-clinic"));
    let scanners = Files::new(&guide[1], "").load();
    assert_eq!(
        scanners.system,
        SystemFileState::Applied,
        "{:?}",
        scanners.system
    );
    assert_eq!(
        scanners.effective.scanner_addresses(),
        ["http://192.168.1.40/eSCL"]
    );
}

#[test]
fn the_fleet_file_can_set_and_lock_the_proxy_and_its_password_is_never_shown() {
    let files = Files::new(
        "proxy = \"http://clinic:s3cret-canary@proxy.clinic.local:3128\"\nlocked = [\"proxy\"]\n",
        "proxy = \"http://my-own-proxy.example:8080\"\ntenant = \"mine\"\n",
    );
    let layered = files.load();
    assert_eq!(
        layered.system,
        SystemFileState::Applied,
        "{:?}",
        layered.system
    );
    assert!(layered.is_locked(Setting::Proxy));
    assert!(matches!(
        layered.check_unlocked(Setting::Proxy),
        Err(SettingsError::Locked { .. })
    ));
    let resolved = Resolved::without_key(layered, &|_| None).unwrap();
    let proxy = resolved.proxy().expect("the fleet's proxy applies");
    assert_eq!(
        proxy.redacted(),
        "http://***:***@proxy.clinic.local:3128",
        "the user's own proxy cannot replace a locked one"
    );

    let summary = resolved.summary();
    let line = summary
        .iter()
        .find(|(label, _)| *label == "Proxy")
        .map(|(_, value)| value.clone())
        .expect("the summary has a proxy line");
    assert!(line.contains("proxy.clinic.local:3128"), "{line}");
    assert!(
        line.contains("locked by the system configuration"),
        "{line}"
    );
    let everything = format!("{summary:?} {resolved:?} {resolved:#?}");
    assert!(
        !everything.contains("s3cret-canary") && !everything.contains("clinic:"),
        "a proxy's user name and password never reach the summary or a log: {everything}"
    );

    let unlocked = Files::new(
        "proxy = \"http://proxy.clinic.local:3128\"\n",
        "proxy = \"https://my-own-proxy.example:8443\"\n",
    );
    let mine = unlocked.load().effective.proxy.expect("a proxy");
    assert_eq!(mine.redacted(), "https://my-own-proxy.example:8443");
    let none = Files::new("", "");
    let summary = Resolved::without_key(none.load(), &|_| None)
        .unwrap()
        .summary();
    assert!(
        summary
            .iter()
            .any(|(label, value)| *label == "Proxy" && value.contains("system's proxy")),
        "{summary:?}"
    );
}

#[test]
fn a_proxy_that_is_not_an_http_address_is_refused_without_repeating_it() {
    for (proxy, expected) in [
        (
            "socks5://nurse:s3cret-canary@proxy:1080",
            "http:// or https://",
        ),
        ("proxy.clinic.local:3128", "http:// or https://"),
        (
            "http://nurse:s3cret-canary@proxy:3128/pac",
            "without a path",
        ),
        ("not an address", "proxy"),
    ] {
        let text = format!("proxy = \"{proxy}\"\n");
        let files = Files::new("", &text);
        let err = LayeredSettings::load(&files.user(), &files.system()).unwrap_err();
        assert!(
            matches!(err, SettingsError::Invalid { .. }),
            "{proxy}: {err:?}"
        );
        let err = err.to_string();
        assert!(
            err.contains("user.toml") && err.contains("proxy") && err.contains(expected),
            "{proxy}: the error names the file, the setting and the problem: {err}"
        );
        assert!(!err.contains("s3cret-canary"), "{proxy}: {err}");

        let fleet = Files::new(&text, "tenant = \"mine\"\n").load();
        let reason = fleet
            .system_problem()
            .expect("a bad proxy sets the fleet file aside");
        assert!(reason.contains(expected), "{reason}");
        assert!(!reason.contains("s3cret-canary"), "{reason}");
        assert_eq!(fleet.effective.proxy, None);
    }
}

#[test]
fn an_administrator_can_set_and_lock_when_an_unattended_window_clears_the_patient() {
    let minutes =
        |layered: &LayeredSettings| layered.effective.clear_patient_after().as_secs() / 60;
    let unset = Files::new("", "").load();
    assert_eq!(
        minutes(&unset),
        5,
        "five minutes unless someone says otherwise"
    );

    let user_only = Files::new("", "clear_patient_after_minutes = 15\n").load();
    assert_eq!(minutes(&user_only), 15);
    let zero = Files::new("", "clear_patient_after_minutes = 0\n").load();
    assert_eq!(
        minutes(&zero),
        1,
        "never zero: that would clear a patient while someone reads it"
    );

    let locked = Files::new(
        "clear_patient_after_minutes = 2\nlocked = [\"clear_patient_after_minutes\"]\n",
        "clear_patient_after_minutes = 30\n",
    )
    .load();
    assert_eq!(
        minutes(&locked),
        2,
        "the fleet's lock beats the user's file"
    );
    assert!(locked
        .check_unlocked(Setting::ClearPatientAfterMinutes)
        .is_err());

    let too_long = Files::new("", "clear_patient_after_minutes = 61\n");
    let err = LayeredSettings::load(&too_long.user(), &too_long.system())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("clear_patient_after_minutes") && err.contains("one hour"),
        "{err}"
    );
}
