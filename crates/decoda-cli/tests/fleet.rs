//! The system-wide configuration through the real `decoda` binary: locked settings hold against
//! flags and the environment, and a broken file is reported and set aside, never fatal.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{env, json, text, Env, KEY};

/// A fleet file pointing at the test's sandbox, locking address and tenant and `more`.
fn fleet(e: &Env, more: &[&str], extra: &str) {
    let locked: Vec<String> = ["api_url", "tenant"]
        .iter()
        .chain(more)
        .map(|k| format!("{k:?}"))
        .collect();
    let body = format!(
        "api_url = \"{}\"\ntenant = \"demo-clinic\"\nlocked = [{}]\n{extra}",
        e.sandbox.base_url(),
        locked.join(", ")
    );
    std::fs::write(e.system_config(), body).unwrap();
}

#[tokio::test]
async fn the_fleet_file_sets_server_and_tenant_and_its_locks_beat_the_environment() {
    let e = env().await;
    fleet(&e, &[], "[limits]\nmax_files_per_request = 1\n");
    let a = e.file("a.txt", b"first");
    let b = e.file("b.txt", b"second");
    let out = e
        .cmd(Some(KEY))
        .env("DECODA_API_URL", "http://127.0.0.1:9")
        .env("DECODA_TENANT", "some-other-clinic")
        .args([
            "upload",
            "--patient",
            "pat_1001",
            "--yes",
            "--json",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
        ])
        .output()
        .await
        .unwrap();
    common::assert_no_key(&out);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(json(&out)["files"][1]["status"], "uploaded");
    assert_eq!(
        e.sandbox.state().attachments().len(),
        2,
        "the locked address won over DECODA_API_URL"
    );

    let settings = e.run(Some(KEY), &["settings"]).await;
    let shown = text(&settings.stdout);
    assert!(
        shown.contains("Tenant: demo-clinic (locked by the system configuration)")
            && shown.contains("(applied)")
            && shown.contains("API key: set, from DECODA_API_KEY")
            && shown.contains("1 files or"),
        "{shown}"
    );
}

#[tokio::test]
async fn a_flag_for_a_locked_setting_is_refused_with_who_sets_it() {
    let e = env().await;
    fleet(&e, &[], "");
    let out = e
        .run(Some(KEY), &["--tenant", "elsewhere", "patient", "pat_1001"])
        .await;
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("the tenant is set by your IT department") && err.contains("system.toml"),
        "{err}"
    );
}

#[tokio::test]
async fn upload_flags_cannot_loosen_locked_limits() {
    let e = env().await;
    fleet(&e, &["limits"], "");
    let a = e.file("a.txt", b"first");
    let out = e
        .run(
            Some(KEY),
            &[
                "upload",
                "--patient",
                "pat_1001",
                "--yes",
                "--max-file-size",
                "5000",
                a.to_str().unwrap(),
            ],
        )
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("the upload limits are set by your IT department"),
        "{}",
        text(&out.stderr)
    );
    assert!(e.sandbox.state().attachments().is_empty());
}

#[tokio::test]
async fn login_saves_only_what_the_fleet_file_leaves_to_the_user() {
    let e = env().await;
    fleet(&e, &[], "");
    let out = e.login(KEY).await;
    // Linux's keychain is a service on the session bus, which a test machine may lack; Windows'
    // and macOS' are always there.
    if cfg!(target_os = "linux") && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        assert!(
            std::env::var_os("DECODA_REQUIRE_KEYCHAIN").is_none(),
            "a keychain is required"
        );
        assert_ne!(out.status.code(), Some(0), "no keychain, no login");
        return;
    }
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let user = std::fs::read_to_string(e.dir.path().join("settings.toml")).unwrap_or_default();
    assert!(
        !user.contains("tenant") && !user.contains("api_url") && !user.contains(KEY),
        "locked values stay in the fleet file only: {user}"
    );
    let logout = e.run(None, &["logout"]).await;
    assert_eq!(logout.status.code(), Some(0), "{}", text(&logout.stderr));
}

#[tokio::test]
async fn a_broken_fleet_file_is_reported_and_the_command_still_works() {
    let e = env().await;
    std::fs::write(e.system_config(), "locked = [\"api_url\"\ntenant = \n").unwrap();
    let out = e.run(Some(KEY), &["patient", "pat_1001"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("warning: the system configuration")
            && err.contains("system.toml is not used")
            && err.contains("tell your IT department"),
        "{err}"
    );
    assert!(text(&out.stdout).contains("GARCIA, Maria"));
}
