//! The real `decoda` binary against the real sandbox on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use decoda_sandbox::{Fault, FaultRule};

mod common;
mod moves;

use common::{assert_no_key, env, json, text, KEY};

#[tokio::test]
async fn upload_json_reports_every_input_in_order_and_exits_1_when_one_failed() {
    let e = env().await;
    let a = e.file("a b, c.pdf", b"%PDF-1.4 first");
    let empty = e.file("empty.txt", b"");
    let c = e.file("c.txt", b"third file");
    let out = e
        .run(
            Some(KEY),
            &[
                "upload",
                "--patient",
                "pat_1001",
                "--json",
                "--yes",
                "--name",
                "Consent",
                a.to_str().unwrap(),
                empty.to_str().unwrap(),
                c.to_str().unwrap(),
            ],
        )
        .await;
    assert_eq!(out.status.code(), Some(1), "stderr: {}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["patient"]["dateOfBirth"], "1984-03-12");
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 3);
    assert_eq!(files[0]["path"], a.to_str().unwrap());
    assert_eq!(files[0]["status"], "uploaded");
    assert_eq!(files[0]["name"], "Consent");
    assert!(files[0]["attachmentId"]
        .as_str()
        .is_some_and(|s| !s.is_empty()));
    assert!(files[0]["thumbnailUrl"]
        .as_str()
        .is_some_and(|s| s.starts_with("http://127.0.0.1")));
    assert_eq!(files[1]["status"], "failed");
    assert_eq!(files[1]["error"], "the file is empty");
    assert_eq!(files[2]["status"], "uploaded");
    assert_eq!(e.sandbox.state().attachments().len(), 2);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("Patient: GARCIA, Maria  Born 12-Mar-1984 ("),
        "the patient is shown in the banner's format: {stderr}"
    );
    assert!(
        stderr.contains(
            "Warning: Another patient has the same name: GARCIA, Maria, born 30-Jul-1991"
        ),
        "and the patient they could be confused with: {stderr}"
    );
}

#[tokio::test]
async fn upload_of_good_files_exits_0_and_survives_a_server_error() {
    let e = env().await;
    e.sandbox
        .state()
        .push_fault(FaultRule::once(Fault::BadGatewayHtml).on_path("/attachments/bulk"));
    let a = e.file("one.txt", b"one");
    let b = e.file("two.txt", b"two");
    let out = e
        .run(
            Some(KEY),
            &[
                "upload",
                "--patient",
                "pat_1001",
                "--yes",
                a.to_str().unwrap(),
                b.to_str().unwrap(),
            ],
        )
        .await;
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("2 of 2 files uploaded to GARCIA, Maria, born 12-Mar-1984 ("),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        e.sandbox.state().attachments().len(),
        2,
        "each file stored once despite the 502"
    );
}

#[tokio::test]
async fn a_rejected_key_exits_3_with_one_line_and_no_key() {
    let e = env().await;
    let a = e.file("one.txt", b"one");
    let out = e
        .run(
            Some("canary-key-do-not-print"),
            &[
                "upload",
                "--patient",
                "pat_1001",
                "--yes",
                a.to_str().unwrap(),
            ],
        )
        .await;
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert!(err.contains("API key or tenant was rejected"), "{err}");
    assert_eq!(err.lines().count(), 1, "one clear line: {err}");
    assert!(!format!("{err}{}", text(&out.stdout)).contains("canary"));
}

#[tokio::test]
async fn an_unknown_patient_exits_4_before_sending_anything() {
    let e = env().await;
    let a = e.file("one.txt", b"one");
    let out = e
        .run(
            Some(KEY),
            &[
                "upload",
                "--patient",
                "pat_9999",
                "--yes",
                a.to_str().unwrap(),
            ],
        )
        .await;
    assert_eq!(out.status.code(), Some(4));
    assert!(text(&out.stderr).contains("no patient with id `pat_9999`"));
    assert!(e.sandbox.state().uploads().is_empty());
}

#[tokio::test]
async fn missing_key_and_bad_usage_get_specific_messages() {
    let e = env().await;
    let a = e.file("one.txt", b"one");
    let out = e.run(None, &["patient", "pat_1001"]).await;
    // Without a keychain entry the command says how to get a key (or that the keychain is missing).
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("DECODA_API_KEY"),
        "{}",
        text(&out.stderr)
    );
    let out = e
        .run(
            Some(KEY),
            &[
                "upload",
                "--patient",
                "p",
                "--name",
                "x",
                "--name",
                "y",
                a.to_str().unwrap(),
            ],
        )
        .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("2 --name values for 1 paths"));
    let out = e
        .cmd(Some(KEY))
        .env("DECODA_API_URL", "http://api.decodahealth.com")
        .args(["patient", "x"])
        .output()
        .await
        .unwrap();
    assert_no_key(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("https"), "{}", text(&out.stderr));
}

#[tokio::test]
async fn patient_lookup_shows_name_and_birth_date_and_search_finds_look_alikes() {
    let e = env().await;
    let out = e.run(Some(KEY), &["patient", "pat_1001"]).await;
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    let first = stdout.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("GARCIA, Maria  Born 12-Mar-1984 (")
            && first.ends_with("y)  Gender Female  ID pat_1001"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "Warning: Another patient has the same name: GARCIA, Maria, born 30-Jul-1991"
        ) && stdout.contains("ID pat_1002"),
        "found by id, the look-alike still shows (a search by family name): {stdout}"
    );
    let out = e
        .run(Some(KEY), &["patient", "--search", "garcia", "--json"])
        .await;
    let hits = json(&out);
    let dobs: Vec<&str> = hits
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["dateOfBirth"].as_str().unwrap())
        .collect();
    assert!(
        dobs.contains(&"1984-03-12") && dobs.contains(&"1991-07-30"),
        "{dobs:?}"
    );
    // A date of birth typed as the clinic writes it.
    let out = e
        .run(Some(KEY), &["patient", "--search", "12-Mar-1984"])
        .await;
    assert!(text(&out.stdout).contains("ID pat_1001"), "{out:?}");
    let out = e.run(Some(KEY), &["patient", "--search", "12/3/84"]).await;
    assert_eq!(
        out.status.code(),
        Some(2),
        "a date that cannot be read is a usage error"
    );
    assert!(text(&out.stderr).contains("cannot be read"), "{out:?}");
}

/// Runs only where a Secret Service is available (the test script starts one); elsewhere it
/// says so and passes, unless DECODA_REQUIRE_KEYCHAIN=1 demands it.
#[tokio::test]
async fn login_checks_the_key_stores_it_in_the_keychain_and_logout_removes_it() {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        assert!(
            std::env::var_os("DECODA_REQUIRE_KEYCHAIN").is_none(),
            "a keychain is required but no D-Bus session is running"
        );
        eprintln!("skipped: no D-Bus session for the Secret Service");
        return;
    }
    let e = env().await;
    let out = e.login("wrong-key").await;
    assert_eq!(
        out.status.code(),
        Some(3),
        "a wrong key is refused before storing: {}",
        text(&out.stderr)
    );

    let out = e.login(KEY).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_no_key(&out);
    let settings = std::fs::read_to_string(e.dir.path().join("settings.toml")).unwrap();
    assert!(
        settings.contains("demo-clinic") && !settings.contains(KEY),
        "tenant saved, key not: {settings}"
    );

    let out = e.run(None, &["patient", "pat_1001"]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "the key now comes from the keychain: {}",
        text(&out.stderr)
    );
    let out = e.run(None, &["logout"]).await;
    assert_eq!(out.status.code(), Some(0));
    let out = e.run(None, &["patient", "pat_1001"]).await;
    assert_eq!(
        out.status.code(),
        Some(3),
        "after logout there is no key: {}",
        text(&out.stderr)
    );
}
