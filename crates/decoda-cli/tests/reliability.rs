//! Nothing lost, nothing doubled: `decoda upload` against injected faults, a kill part-way through,
//! and the same command run twice, all checked on the sandbox's side.
//!
//! Every test ends with the same check: each file is in the chart exactly once, or it was reported
//! not uploaded and is still in the local queue with its reason. The figures each test prints
//! (`cargo test -p decoda-cli --test reliability -- --nocapture`) are recorded in
//! docs/RELIABILITY.md.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{assert_no_key, json, text, Env, KEY};
use decoda_sandbox::{Fault, FaultRule};
use decoda_store::{RowState, Store};
use sha2::{Digest, Sha256};
use std::{collections::HashMap, path::PathBuf, process::Output, time::Duration};

const FILES: usize = 12;

/// Every scenario runs against a sandbox that answers with only what the API's contract promises
/// (no `patient` on attachments, dates without a time zone, no PDF thumbnails), and with the
/// command logging everything it can, so that a key in any log line is caught.
async fn env() -> Env {
    let config = decoda_sandbox::Config {
        api_key: KEY.into(),
        contract_only: true,
        ..decoda_sandbox::Config::default()
    };
    Env {
        sandbox: decoda_sandbox::spawn(config, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap(),
        dir: tempfile::tempdir().unwrap(),
        trace: true,
    }
}

/// Fast retries and a short answer timeout, so that faults play out in seconds.
const SETTINGS: &str = "[retry]\nmax_attempts = 4\ninitial_delay = 20\nmax_delay = 100\n\
                        max_rate_limit_wait = 5000\n\n[timeouts]\nstall = 5000\nanswer = 1500\n";

fn many(e: &Env, tag: &str) -> Vec<PathBuf> {
    std::fs::write(e.dir.path().join("settings.toml"), SETTINGS).unwrap();
    (0..FILES)
        .map(|i| {
            e.file(
                &format!("{tag} page {i:02}.txt"),
                format!("{tag} {i}\n").as_bytes(),
            )
        })
        .collect()
}

fn upload_args(paths: &[PathBuf]) -> Vec<String> {
    let mut args: Vec<String> = [
        "upload",
        "--patient",
        "pat_1001",
        "--yes",
        "--json",
        "--files-per-request",
        "3",
        "--parallel",
        "1",
    ]
    .map(String::from)
    .to_vec();
    args.extend(paths.iter().map(|p| p.display().to_string()));
    args
}

async fn upload(e: &Env, paths: &[PathBuf]) -> Output {
    let args = upload_args(paths);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    e.run(Some(KEY), &args).await
}

/// How the run ended for each file, from `--json`.
fn statuses(out: &Output) -> HashMap<String, String> {
    json(out)["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The outcome of one scenario: every file once in the chart or still queued, never twice.
#[derive(Debug, Default, PartialEq, Eq)]
struct Tally {
    in_chart: usize,
    still_queued: usize,
    /// In the chart, but reported as not confirmed and queued for a look in the chart (the
    /// answer was lost and the chart could not be checked): the next run must not send it again.
    unconfirmed: usize,
    lost: usize,
    duplicated: usize,
}

fn tally(e: &Env, paths: &[PathBuf], out: &Output) -> Tally {
    assert_key_not_stored(e);
    let mut stored: HashMap<String, usize> = HashMap::new();
    for a in e.sandbox.state().attachments() {
        *stored.entry(a.sha256).or_default() += 1;
    }
    let reported = statuses(out);
    let store = Store::open(&e.dir.path().join("data")).unwrap();
    let rows = store.abandoned().unwrap();
    let queued_as = |p: &PathBuf, state: RowState| {
        rows.iter()
            .any(|r| r.path == *p && r.state == state && r.last_error.is_some())
    };
    let mut t = Tally::default();
    for p in paths {
        let sha = hex(&Sha256::digest(std::fs::read(p).unwrap()));
        let copies = stored.get(&sha).copied().unwrap_or(0);
        let status = reported.get(&p.display().to_string()).map(String::as_str);
        let failed = status == Some("failed");
        let to_check = queued_as(p, RowState::MaybeLanded);
        match copies {
            0 if failed && (queued_as(p, RowState::Failed) || to_check) => t.still_queued += 1,
            0 => t.lost += 1,
            1 if !failed => t.in_chart += 1,
            1 if to_check => t.unconfirmed += 1,
            1 => t.lost += 1, // in the chart but reported as not: the user would send it again
            _ => t.duplicated += 1,
        }
    }
    t
}

/// Neither the database nor anything else in the data folder holds the key.
fn assert_key_not_stored(e: &Env) {
    for entry in files_under(&e.dir.path().join("data")) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(KEY),
            "{} holds the key",
            entry.display()
        );
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn report(label: &str, first: &Tally, after_rerun: &Tally) {
    println!(
        "| {label} | {FILES} | {} | {} | {} | {} | {} | {} |",
        first.in_chart,
        first.still_queued,
        first.unconfirmed,
        after_rerun.in_chart,
        first.lost + after_rerun.lost,
        first.duplicated + after_rerun.duplicated
    );
}

/// What the first run of a scenario must end with: the tally docs/RELIABILITY.md publishes, and
/// the exit code.
struct Expect {
    first: Tally,
    exit: i32,
}

/// Every file in the chart after the first run, exit 0.
fn all_in_chart() -> Expect {
    Expect {
        first: Tally {
            in_chart: FILES,
            ..Default::default()
        },
        exit: 0,
    }
}

/// Runs a fault scenario: upload, check, run the same command again, check again. The fault is
/// injected `times` times, and each must have been used.
async fn fault_scenario(label: &str, fault: Fault, times: u32, expect: Expect) {
    let rule = FaultRule::once(fault)
        .times(times)
        .on_path("/attachments/bulk");
    fault_scenario_with(label, vec![(rule, times)], expect).await;
}

/// [`fault_scenario`] with any set of fault rules, each with how many times it must have fired
/// in the first run (a fault that never fired would make the scenario prove nothing).
async fn fault_scenario_with(label: &str, rules: Vec<(FaultRule, u32)>, expect: Expect) {
    let e = env().await;
    let paths = many(&e, label);
    for (rule, _) in &rules {
        e.sandbox.state().push_fault(rule.clone());
    }
    let first_run = upload(&e, &paths).await;
    assert_no_key(&first_run);
    assert_eq!(
        first_run.status.code(),
        Some(expect.exit),
        "{label}: {}",
        text(&first_run.stderr)
    );
    let pending = e.sandbox.state().pending_faults();
    for (rule, fired) in &rules {
        let left = pending
            .iter()
            .find(|p| p.fault == rule.fault && p.path == rule.path)
            .map_or(0, |p| p.times);
        assert_eq!(
            rule.times - left,
            *fired,
            "{label}: how often {:?} fired",
            rule.fault
        );
    }
    let first = tally(&e, &paths, &first_run);
    assert_eq!(first, expect.first, "{label}: the first run");

    e.sandbox.state().clear_faults();
    let again = upload(&e, &paths).await;
    assert_eq!(
        again.status.code(),
        Some(0),
        "{label}: {}",
        text(&again.stderr)
    );
    let second = tally(&e, &paths, &again);
    assert_eq!(
        second,
        Tally {
            in_chart: FILES,
            ..Default::default()
        },
        "{label}: the same command again completes the work and sends nothing twice"
    );
    report(label, &first, &second);
}

#[tokio::test]
async fn fault_500_twice() {
    fault_scenario("500, twice", Fault::Status500, 2, all_in_chart()).await;
}

#[tokio::test]
async fn fault_502_html_twice() {
    fault_scenario(
        "502 HTML page, twice",
        Fault::BadGatewayHtml,
        2,
        all_in_chart(),
    )
    .await;
}

#[tokio::test]
async fn fault_429_with_retry_after() {
    fault_scenario(
        "429 with Retry-After 1 s",
        Fault::RateLimited {
            retry_after_secs: 1,
        },
        1,
        all_in_chart(),
    )
    .await;
}

/// A 429 that says when to come back only as a Unix time in `X-RateLimit-Reset` (no
/// `Retry-After`), as the API's documentation allows.
#[tokio::test]
async fn fault_429_with_only_a_unix_time_reset() {
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 1;
    fault_scenario(
        "429 with only X-RateLimit-Reset as a Unix time",
        Fault::RateLimitedWith {
            retry_after: None,
            rate_limit_reset: Some(reset.to_string()),
        },
        1,
        all_in_chart(),
    )
    .await;
}

#[tokio::test]
async fn fault_connection_dropped_mid_body() {
    fault_scenario(
        "connection dropped mid-body",
        Fault::DropMidBody { after_bytes: 200 },
        2,
        all_in_chart(),
    )
    .await;
}

#[tokio::test]
async fn fault_connection_dropped_after_the_server_stored_the_files() {
    fault_scenario(
        "dropped after store",
        Fault::DropAfterStore,
        2,
        all_in_chart(),
    )
    .await;
}

/// The answers are lost and the chart cannot be checked either: every file is reported as not
/// confirmed and is not sent again; the same command later finds them all in the chart.
#[tokio::test]
async fn fault_connection_dropped_after_store_and_the_chart_unreachable() {
    let label = "dropped after store, chart unreachable";
    let batches = (FILES / 3) as u32;
    fault_scenario_with(
        label,
        vec![
            (
                FaultRule::once(Fault::DropAfterStore)
                    .times(1000)
                    .on_path("/attachments/bulk"),
                batches,
            ),
            (
                FaultRule::once(Fault::Status500)
                    .times(1000)
                    .on_path("/attachments"),
                batches,
            ),
        ],
        Expect {
            first: Tally {
                unconfirmed: FILES,
                ..Default::default()
            },
            exit: 1,
        },
    )
    .await;
}

#[tokio::test]
async fn fault_answer_after_the_clients_timeout() {
    fault_scenario(
        "answer after the client's timeout",
        Fault::Delay { ms: 3000 },
        1,
        all_in_chart(),
    )
    .await;
}

#[tokio::test]
async fn fault_malformed_json() {
    fault_scenario(
        "malformed JSON answer",
        Fault::MalformedJson,
        1,
        all_in_chart(),
    )
    .await;
}

#[tokio::test]
async fn fault_answer_leaves_a_file_out() {
    fault_scenario(
        "answer leaves the last file out",
        Fault::LoseLast,
        1,
        all_in_chart(),
    )
    .await;
}

#[tokio::test]
async fn fault_500_on_every_try_leaves_files_queued_with_the_reason() {
    let label = "500 on every try";
    let tries = 4 * (FILES / 3) as u32;
    let rule = FaultRule::once(Fault::Status500)
        .times(1000)
        .on_path("/attachments/bulk");
    fault_scenario_with(
        label,
        vec![(rule, tries)],
        Expect {
            first: Tally {
                still_queued: FILES,
                ..Default::default()
            },
            exit: 1,
        },
    )
    .await;
}

/// Polls the sandbox until `done` holds (the server's state is the event to wait for).
async fn until(e: &Env, what: &str, done: impl Fn(&Env) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !done(e) {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn server_restarted_mid_batch() {
    let mut e = env().await;
    let paths = many(&e, "restart");
    e.sandbox.state().push_fault(
        FaultRule::once(Fault::Delay { ms: 10_000 })
            .times(1)
            .on_path("/attachments/bulk"),
    );
    let child = e.cmd(Some(KEY)).args(upload_args(&paths)).output();
    let child = tokio::spawn(child);
    until(&e, "the first batch is stored", |e| {
        e.sandbox.state().attachments().len() >= 3
    })
    .await;
    e.sandbox.restart().await.unwrap();
    let first_run = child.await.unwrap().unwrap();
    assert_no_key(&first_run);
    let first = tally(&e, &paths, &first_run);
    assert_eq!((first.lost, first.duplicated), (0, 0), "{first:?}");
    let again = upload(&e, &paths).await;
    let second = tally(&e, &paths, &again);
    assert_eq!(
        second.in_chart,
        FILES,
        "{second:?}: {}",
        text(&again.stderr)
    );
    assert_eq!(second.duplicated, 0);
    report("server restarted mid-batch", &first, &second);
}

/// Starts the upload, and kills it (SIGKILL: no clean-up of any kind) while the server holds its
/// second batch: each request is stored at once and answered 2 s later, so the client does not
/// know that batch landed. Returns how many files were stored by then.
async fn kill_part_way(e: &Env, paths: &[PathBuf]) -> usize {
    e.sandbox.state().push_fault(
        FaultRule::once(Fault::Delay { ms: 2000 })
            .times(100)
            .on_path("/attachments/bulk"),
    );
    let mut child = e
        .cmd(Some(KEY))
        .args(upload_args(paths))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    until(e, "the second batch is stored", |e| {
        e.sandbox.state().attachments().len() >= 6
    })
    .await;
    child.start_kill().unwrap();
    let status = child.wait().await.unwrap();
    assert!(!status.success());
    let stored = e.sandbox.state().attachments().len();
    assert!(stored < FILES, "killed part-way");
    e.sandbox.state().clear_faults();
    stored
}

#[tokio::test]
async fn killed_part_way_then_run_again_sends_each_file_once() {
    let e = env().await;
    let paths = many(&e, "kill");
    let stored_before = kill_part_way(&e, &paths).await;

    let again = upload(&e, &paths).await;
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    let t = tally(&e, &paths, &again);
    assert_eq!(
        t,
        Tally {
            in_chart: FILES,
            ..Default::default()
        }
    );
    let out = json(&again);
    let found = out["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["notes"]
                .to_string()
                .contains("interrupted upload had sent it")
        })
        .count();
    assert!(
        found >= 3,
        "the batch the server held was found in the chart, not sent again: {out}"
    );
    println!(
        "| kill -9 part-way, then the same command | {FILES} | {stored_before} | {} | {} | 0 | 0 |",
        t.in_chart, found
    );
}

#[tokio::test]
async fn resume_sends_what_a_killed_upload_left_once_and_discard_forgets() {
    let e = env().await;
    let paths = many(&e, "resume");
    kill_part_way(&e, &paths).await;
    let resumed = e.run(Some(KEY), &["resume", "--yes", "--json"]).await;
    assert_eq!(resumed.status.code(), Some(0), "{}", text(&resumed.stderr));
    let t = tally(&e, &paths, &resumed);
    assert_eq!(
        t,
        Tally {
            in_chart: FILES,
            ..Default::default()
        },
        "{}",
        text(&resumed.stdout)
    );
    let found = text(&resumed.stdout)
        .matches("interrupted upload had sent it")
        .count();
    assert!(
        found >= 3,
        "the batch the server held was found, not re-sent"
    );
    let nothing = e.run(Some(KEY), &["resume", "--yes"]).await;
    assert!(text(&nothing.stderr).contains("Nothing to resume"));
}

/// A file replaced at its path after the kill (a scanner reusing a name) is another document:
/// `resume` must not send it to the interrupted upload's patient, and drops it with the reason.
/// A file that cannot be read now (a share offline) is not sent either, but stays queued.
#[tokio::test]
async fn resume_does_not_send_a_file_replaced_or_gone_since_the_interrupted_upload() {
    let e = env().await;
    let paths = many(&e, "replaced");
    kill_part_way(&e, &paths).await;
    let (gone, replaced) = (&paths[FILES - 2], &paths[FILES - 1]);
    std::fs::write(replaced, b"another patient's page, under the same name\n").unwrap();
    let kept = std::fs::read(gone).unwrap();
    std::fs::remove_file(gone).unwrap();
    let resumed = e.run(Some(KEY), &["resume", "--yes", "--json"]).await;
    let stderr = text(&resumed.stderr);
    assert_eq!(
        resumed.status.code(),
        Some(1),
        "a file is still not uploaded: {stderr}"
    );
    assert!(
        stderr.contains("changed since the interrupted upload"),
        "{stderr}"
    );
    assert!(stderr.contains("stays queued"), "{stderr}");
    let replacement = hex(&Sha256::digest(std::fs::read(replaced).unwrap()));
    let stored: Vec<String> = e
        .sandbox
        .state()
        .attachments()
        .into_iter()
        .map(|a| a.sha256)
        .collect();
    assert!(
        !stored.contains(&replacement),
        "the replacement was not sent"
    );
    assert_eq!(
        stored.len(),
        FILES - 2,
        "every other file is in the chart once"
    );

    // The share is back: the next resume sends the file that was gone, and nothing else.
    std::fs::write(gone, kept).unwrap();
    let again = e.run(Some(KEY), &["resume", "--yes", "--json"]).await;
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert_eq!(e.sandbox.state().attachments().len(), FILES - 1);
    let nothing = e.run(Some(KEY), &["resume", "--yes"]).await;
    assert!(text(&nothing.stderr).contains("Nothing to resume"));
}

#[tokio::test]
async fn resume_discard_lists_and_forgets_without_sending() {
    let e = env().await;
    let paths = many(&e, "discard");
    let stored = kill_part_way(&e, &paths).await;
    let discarded = e.run(Some(KEY), &["resume", "--discard"]).await;
    assert_eq!(
        discarded.status.code(),
        Some(0),
        "{}",
        text(&discarded.stderr)
    );
    let listed = text(&discarded.stdout).lines().count();
    assert_eq!(
        listed,
        FILES - 3,
        "every unfinished file is named (the first batch was confirmed)"
    );
    assert_eq!(
        e.sandbox.state().attachments().len(),
        stored,
        "nothing sent"
    );
    let nothing = e.run(Some(KEY), &["resume", "--yes"]).await;
    assert!(text(&nothing.stderr).contains("Nothing to resume"));
}

#[tokio::test]
async fn the_same_command_twice_uploads_each_file_once_and_force_sends_again() {
    let e = env().await;
    let a = e.file("consent.pdf", b"%PDF-1.4 consent");
    let b = e.file("referral.pdf", b"%PDF-1.4 referral");
    let copy = e.file("consent (copy).pdf", b"%PDF-1.4 consent");
    let paths = [a.clone(), b.clone(), copy.clone()];
    let first = upload(&e, &paths).await;
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let s = statuses(&first);
    assert_eq!(s[&a.display().to_string()], "uploaded");
    assert_eq!(s[&copy.display().to_string()], "skipped", "listed twice");
    assert_eq!(e.sandbox.state().attachments().len(), 2);

    let second = upload(&e, &paths).await;
    assert_eq!(second.status.code(), Some(0), "{}", text(&second.stderr));
    let out = json(&second);
    assert_eq!(out["uploaded"], 0);
    assert_eq!(out["skipped"], 3);
    let first_ids: Vec<String> = json(&first)["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["attachmentId"].as_str().map(str::to_owned))
        .collect();
    let named = out["files"][0]["attachmentId"].as_str().unwrap_or_default();
    assert!(
        first_ids.iter().any(|id| id == named),
        "a skipped file names the attachment it already is: {out}"
    );
    assert_eq!(
        e.sandbox.state().attachments().len(),
        2,
        "nothing sent twice"
    );

    let forced = e
        .run(
            Some(KEY),
            &[
                "upload",
                "--patient",
                "pat_1001",
                "--yes",
                "--force",
                a.to_str().unwrap(),
            ],
        )
        .await;
    assert_eq!(forced.status.code(), Some(0), "{}", text(&forced.stderr));
    assert_eq!(
        e.sandbox.state().attachments().len(),
        3,
        "--force sends it again"
    );

    let other_patient = e
        .run(
            Some(KEY),
            &[
                "upload",
                "--patient",
                "pat_1002",
                "--yes",
                a.to_str().unwrap(),
            ],
        )
        .await;
    assert_eq!(other_patient.status.code(), Some(0));
    assert_eq!(
        e.sandbox.state().attachments().len(),
        4,
        "the guard is per patient: the same form for another patient is sent"
    );
}

#[tokio::test]
async fn history_lists_what_was_uploaded_and_keeps_no_links_or_key() {
    let e = env().await;
    let a = e.file("wound 2026-11-27.png", b"\x89PNG\r\n\x1a\nnot really");
    let up = e
        .run(
            Some(KEY),
            &[
                "upload",
                "--patient",
                "pat_1001",
                "--yes",
                "--json",
                a.to_str().unwrap(),
            ],
        )
        .await;
    let id = json(&up)["files"][0]["attachmentId"]
        .as_str()
        .unwrap()
        .to_owned();

    let all = e.run(None, &["history", "--json"]).await;
    assert_eq!(all.status.code(), Some(0), "{}", text(&all.stderr));
    let entries = json(&all);
    assert_eq!(entries[0]["attachmentId"], id.as_str());
    assert_eq!(entries[0]["patientId"], "pat_1001");
    let none = e
        .run(None, &["history", "--json", "--search", "no such thing"])
        .await;
    assert_eq!(json(&none), serde_json::json!([]));
    let by_name = e.run(None, &["history", "--search", "WOUND"]).await;
    assert!(
        text(&by_name.stdout).contains(&id),
        "{}",
        text(&by_name.stdout)
    );

    for entry in std::fs::read_dir(e.dir.path().join("data")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            let haystack = String::from_utf8_lossy(&bytes);
            assert!(!haystack.contains(KEY), "{} holds the key", path.display());
            assert!(
                !haystack.contains("http"),
                "{} holds a link",
                path.display()
            );
        }
    }
}

#[tokio::test]
async fn history_is_kept_only_as_long_as_the_settings_say() {
    let e = env().await;
    std::fs::write(e.dir.path().join("settings.toml"), "history_days = 0\n").unwrap();
    let a = e.file("form.pdf", b"%PDF-1.4 form");
    for _ in 0..2 {
        let out = upload(&e, std::slice::from_ref(&a)).await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    assert_eq!(
        e.sandbox.state().attachments().len(),
        2,
        "with no history kept, the duplicate guard has nothing to remember"
    );
    let listed = e.run(None, &["history", "--json"]).await;
    assert_eq!(json(&listed), serde_json::json!([]));
}

/// Every file below `dir`.
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .collect()
}

/// The history says the file went to this patient, but it was deleted from the chart since: the
/// duplicate guard asks the chart before skipping, and sends it.
#[tokio::test]
async fn a_file_deleted_from_the_chart_since_its_upload_is_sent_again() {
    let e = env().await;
    let a = e.file("consent.pdf", b"%PDF-1.4 consent");
    let first = upload(&e, std::slice::from_ref(&a)).await;
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    e.sandbox.state().reset();
    assert!(
        e.sandbox.state().attachments().is_empty(),
        "deleted in the chart"
    );

    let second = upload(&e, std::slice::from_ref(&a)).await;

    assert_eq!(second.status.code(), Some(0), "{}", text(&second.stderr));
    assert_eq!(statuses(&second)[&a.display().to_string()], "uploaded");
    assert_eq!(
        e.sandbox.state().attachments().len(),
        1,
        "in the chart again"
    );
}

/// The same file for the same patient id on another server (the sandbox, then production; or two
/// tenants of one practice) is not "already there": it is sent.
#[tokio::test]
async fn a_file_uploaded_on_another_server_is_still_sent_to_this_one() {
    let e = env().await;
    let other = decoda_sandbox::spawn(
        decoda_sandbox::Config {
            api_key: KEY.into(),
            ..decoda_sandbox::Config::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let a = e.file("consent.pdf", b"%PDF-1.4 consent");
    let elsewhere = e
        .cmd(Some(KEY))
        .env("DECODA_API_URL", other.base_url())
        .args(upload_args(std::slice::from_ref(&a)))
        .output()
        .await
        .unwrap();
    assert_eq!(
        elsewhere.status.code(),
        Some(0),
        "{}",
        text(&elsewhere.stderr)
    );
    assert_eq!(other.state().attachments().len(), 1);

    let here = upload(&e, std::slice::from_ref(&a)).await;

    assert_eq!(here.status.code(), Some(0), "{}", text(&here.stderr));
    assert_eq!(statuses(&here)[&a.display().to_string()], "uploaded");
    assert_eq!(e.sandbox.state().attachments().len(), 1);
    assert_eq!(other.state().attachments().len(), 1, "nothing more there");
}
