//! `decoda move`: a misfiled upload moved to the right chart, checked there, and recorded.

use crate::common::{env, json, text, Env, KEY};
use decoda_sandbox::{Fault, FaultRule};

/// Uploads one file to `patient` with `decoda upload` and returns its attachment id.
async fn uploaded(e: &Env, patient: &str) -> String {
    let file = e.file("consent.pdf", b"%PDF-1.4 consent form");
    let out = e
        .run(
            Some(KEY),
            &[
                "upload",
                "--patient",
                patient,
                "--yes",
                "--json",
                file.to_str().unwrap(),
            ],
        )
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    json(&out)["files"][0]["attachmentId"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn patient_of(e: &Env, attachment: &str) -> String {
    e.sandbox.state().patient_of(attachment).unwrap()
}

#[tokio::test]
async fn move_shows_both_patients_moves_the_file_and_the_history_says_so() {
    let e = env().await;
    let id = uploaded(&e, "pat_1001").await;
    let out = e
        .run(Some(KEY), &["move", &id, "--to", "pat_1002", "--yes"])
        .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("On now:  GARCIA, Maria  Born 12-Mar-1984 (")
            && stderr.contains("ID pat_1001"),
        "the patient it was on, from the history, in the banner's format: {stderr}"
    );
    assert!(
        stderr.contains("Move to: GARCIA, Maria (Preferred name Mari)  Born 30-Jul-1991 (")
            && stderr.contains("ID pat_1002"),
        "the patient it goes to: {stderr}"
    );
    assert!(
        stderr.contains("Warning: Another patient has the same name"),
        "the look-alike warning is repeated before a move: {stderr}"
    );
    assert!(
        text(&out.stdout).contains(&format!(
            "Moved attachment {id} to GARCIA, Maria, born 30-Jul-1991"
        )),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(patient_of(&e, &id), "pat_1002");

    let history = e.run(Some(KEY), &["history"]).await;
    let listed = text(&history.stdout);
    assert!(
        listed.contains("moved from pat_1001 to pat_1002 on "),
        "{listed}"
    );
    let history = e.run(Some(KEY), &["history", "--json"]).await;
    let entries = json(&history);
    assert_eq!(
        entries[0]["patientId"], "pat_1002",
        "the entry follows the file"
    );
    assert_eq!(entries[0]["moves"][0]["fromPatientId"], "pat_1001");
    assert_eq!(entries[0]["moves"][0]["toPatientId"], "pat_1002");

    // The duplicate guard follows it too: the same file again to its new patient is skipped.
    let file = e.dir.path().join("consent.pdf");
    let again = e
        .run(
            Some(KEY),
            &[
                "upload",
                "--patient",
                "pat_1002",
                "--yes",
                "--json",
                file.to_str().unwrap(),
            ],
        )
        .await;
    assert_eq!(
        json(&again)["files"][0]["status"],
        "skipped",
        "{}",
        text(&again.stderr)
    );
}

#[tokio::test]
async fn move_json_reports_both_patients_and_a_file_not_known_here_says_so() {
    let e = env().await;
    let id = uploaded(&e, "pat_1003").await;
    let other = env().await;
    let out = e
        .cmd(Some(KEY))
        .env("DECODA_DATA_DIR", other.dir.path().join("data"))
        .args(["move", &id, "--to", "pat_1004", "--yes", "--json"])
        .output()
        .await
        .unwrap();
    crate::common::assert_no_key(&out);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("On now:  not known on this computer"),
        "{stderr}"
    );
    let v = json(&out);
    assert_eq!(v["attachmentId"], id.as_str());
    assert_eq!(v["from"], serde_json::Value::Null);
    assert_eq!(v["to"]["id"], "pat_1004");
    assert!(v["movedAt"].as_str().is_some_and(|at| !at.is_empty()));
    assert_eq!(patient_of(&e, &id), "pat_1004");
}

#[tokio::test]
async fn move_without_yes_and_no_terminal_is_refused_and_bad_moves_exit_by_kind() {
    let e = env().await;
    let id = uploaded(&e, "pat_1001").await;
    let no_terminal = e.run(Some(KEY), &["move", &id, "--to", "pat_1002"]).await;
    assert_eq!(
        no_terminal.status.code(),
        Some(2),
        "{}",
        text(&no_terminal.stderr)
    );
    assert!(text(&no_terminal.stderr).contains("--yes"));

    let same = e
        .run(Some(KEY), &["move", &id, "--to", "pat_1001", "--yes"])
        .await;
    assert_eq!(same.status.code(), Some(2), "{}", text(&same.stderr));
    assert!(text(&same.stderr).contains("already in the chart of patient pat_1001"));

    let unknown = e
        .run(
            Some(KEY),
            &["move", "att_nope", "--to", "pat_1002", "--yes"],
        )
        .await;
    assert_eq!(unknown.status.code(), Some(4), "{}", text(&unknown.stderr));
    assert!(text(&unknown.stderr).contains("no attachment with id `att_nope`"));

    let nobody = e
        .run(Some(KEY), &["move", &id, "--to", "pat_0", "--yes"])
        .await;
    assert_eq!(nobody.status.code(), Some(4), "{}", text(&nobody.stderr));
    assert_eq!(patient_of(&e, &id), "pat_1001", "nothing was moved");
}

/// The server says `true` but the file stays where it was: the command fails (exit 5) and the
/// history still names the chart the file is in.
#[tokio::test]
async fn a_move_the_chart_does_not_show_fails_and_is_not_recorded() {
    let e = env().await;
    let id = uploaded(&e, "pat_1001").await;
    e.sandbox.state().push_fault(
        FaultRule::once(Fault::AnswerOnly {
            json: "true".into(),
        })
        .on_path(&format!("/attachments/{id}/patient")),
    );
    let out = e
        .run(Some(KEY), &["move", &id, "--to", "pat_1002", "--yes"])
        .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("does not show it"), "{stderr}");
    assert_eq!(patient_of(&e, &id), "pat_1001");
    let history = json(&e.run(Some(KEY), &["history", "--json"]).await);
    assert_eq!(history[0]["patientId"], "pat_1001");
    assert_eq!(history[0]["moves"], serde_json::json!([]));
}
