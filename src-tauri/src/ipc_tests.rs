//! The app's commands driven through Tauri's IPC layer (mock runtime) with the real capabilities
//! from `tauri.conf.json` and `capabilities/`, against the sandbox. Every answer, event and channel
//! message the window could receive is recorded and searched for a canary API key.

use crate::{
    commands::{
        files::{add_paths, QUEUE_CHANGED},
        upload::start_upload,
    },
    AppState,
};
use serde_json::{json, Value};
use std::{
    collections::HashMap,
    path::Path,
    sync::{Arc, Mutex},
};
use tauri::{
    ipc::{CallbackFn, Channel, InvokeBody, InvokeResponseBody},
    test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY},
    webview::InvokeRequest,
    App, Listener, Manager, WebviewWindow, WebviewWindowBuilder,
};

const CANARY: &str = "canary-key-5f1e9c0d7a";
const APP_URL: &str = "tauri://localhost";

/// The app on the mock runtime, a sandbox that accepts only the canary key, and everything the
/// window received so far.
pub(crate) struct Harness {
    pub(crate) app: App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    pub(crate) sandbox: decoda_sandbox::Sandbox,
    seen: Arc<Mutex<Vec<String>>>,
    pub(crate) _dir: tempfile::TempDir,
}

impl Harness {
    fn start() -> Self {
        Self::start_with(|_| String::new())
    }

    /// The app with a settings file, written by `settings` from the test's folder before start.
    pub(crate) fn start_with(settings: impl FnOnce(&Path) -> String) -> Self {
        Self::start_full(settings, true, &[])
    }

    /// The app with more variables in its environment.
    fn start_with_env(settings: impl FnOnce(&Path) -> String, extra: &[(&str, String)]) -> Self {
        Self::start_full(settings, true, extra)
    }

    /// The app with the sandbox's address and tenant in its settings file rather than in the
    /// environment (which would override any change made on the settings screen).
    fn start_with_server_in_settings() -> Self {
        Self::start_full(|_| String::new(), false, &[])
    }

    fn start_full(
        settings: impl FnOnce(&Path) -> String,
        server_in_env: bool,
        extra: &[(&str, String)],
    ) -> Self {
        let config = decoda_sandbox::Config {
            api_key: CANARY.into(),
            ..Default::default()
        };
        let sandbox = tauri::async_runtime::block_on(decoda_sandbox::spawn(
            config,
            "127.0.0.1:0".parse().unwrap(),
        ))
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut file = settings(dir.path());
        let mut env = HashMap::from([("DECODA_API_KEY".to_owned(), CANARY.to_owned())]);
        env.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        if server_in_env {
            env.insert("DECODA_API_URL".to_owned(), sandbox.base_url());
            env.insert(
                "DECODA_TENANT".to_owned(),
                decoda_sandbox::DEFAULT_TENANT.to_owned(),
            );
        } else {
            file = format!(
                "api_url = \"{}\"\ntenant = \"{}\"\n{file}",
                sandbox.base_url(),
                decoda_sandbox::DEFAULT_TENANT
            );
        }
        std::fs::write(dir.path().join("settings.toml"), file).unwrap();
        let state = AppState::new(
            dir.path().join("settings.toml"),
            decoda_settings::Keychain::with_service(format!(
                "decoda-uploader-ipc-test-{}",
                std::process::id()
            )),
            env,
        );
        let app = crate::builder(mock_builder(), state, Vec::new())
            .build(tauri::generate_context!(test = true))
            .unwrap();
        // The runtime creates the configured window when its event loop starts; the mock's never
        // does, so the test opens it from the same configuration.
        let config = app.config().app.windows[0].clone();
        let window = WebviewWindowBuilder::from_config(&app, &config)
            .unwrap()
            .build()
            .unwrap();
        // The setup hook runs with the event loop, which the mock never starts: start the inbox
        // as setup does.
        crate::inbox::restart(app.handle());
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let events = seen.clone();
        app.listen_any(QUEUE_CHANGED, move |e| {
            events.lock().unwrap().push(e.payload().to_owned())
        });
        Self {
            app,
            window,
            sandbox,
            seen,
            _dir: dir,
        }
    }

    /// Invokes a command as the window at `url` would, recording the answer.
    fn invoke_from(&self, url: &str, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: url.parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        let answer = get_ipc_response(&self.window, request)
            .map(|body| body.deserialize::<Value>().unwrap());
        let text = match &answer {
            Ok(v) | Err(v) => v.to_string(),
        };
        self.seen.lock().unwrap().push(text);
        answer
    }

    pub(crate) fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        self.invoke_from(APP_URL, cmd, args)
    }

    /// Adds paths through the code a window drop runs.
    fn drop_paths(&self, paths: &[&Path]) -> usize {
        let paths = paths.iter().map(|p| p.to_path_buf()).collect();
        tauri::async_runtime::block_on(add_paths(self.app.handle(), paths)).unwrap()
    }

    fn assert_no_canary(&self) {
        let seen = self.seen.lock().unwrap();
        assert!(!seen.is_empty());
        for text in seen.iter() {
            assert!(!text.contains(CANARY), "the key reached the window: {text}");
        }
        // Nor the settings file, the queue and history database, or anything else on disk.
        for entry in files_under(self._dir.path()) {
            let bytes = std::fs::read(&entry).unwrap();
            assert!(
                !String::from_utf8_lossy(&bytes).contains(CANARY),
                "{} holds the key",
                entry.display()
            );
        }
    }
}

fn png(path: &Path) {
    image::RgbImage::from_pixel(16, 16, image::Rgb([200, 40, 40]))
        .save(path)
        .unwrap();
}

#[test]
fn settings_and_patient_search_answer_without_the_key() {
    let h = Harness::start();
    let view = h.invoke("get_settings", json!({})).unwrap();
    assert_eq!(view["keySaved"], true);
    assert_eq!(view["keyFromEnvironment"], true);
    assert_eq!(view["lockedByEnvironment"], true);

    let hits = h
        .invoke("search_patients", json!({ "term": "Maria Garcia" }))
        .unwrap();
    let hits = hits.as_array().unwrap();
    assert!(hits.len() >= 2, "{hits:?}");
    let garcias: Vec<&serde_json::Value> = hits
        .iter()
        .filter(|p| p["name"] == "GARCIA, Maria")
        .collect();
    assert!(garcias.len() >= 2, "{hits:?}");
    assert!(
        garcias
            .iter()
            .all(|p| p["lookAlikes"].as_array().is_some_and(|l| l
                .iter()
                .any(|w| w.as_str().unwrap_or("").contains("same name")))),
        "{hits:?}"
    );

    let patient = h
        .invoke("get_patient", json!({ "id": "pat_1001" }))
        .unwrap();
    assert_eq!(patient["name"], "GARCIA, Maria");
    assert!(
        patient["born"]
            .as_str()
            .is_some_and(|b| b.starts_with("12-Mar-1984 (")),
        "{patient}"
    );
    assert_eq!(patient["gender"], "Female");
    assert!(
        patient["lookAlikes"].to_string().contains("pat_1002"),
        "chosen by id, the other Maria Garcia is still named: {patient}"
    );
    let missing = h
        .invoke("get_patient", json!({ "id": "pat_9999" }))
        .unwrap_err();
    assert_eq!(missing["kind"], "notFound");

    let rejected = h
        .invoke(
            "save_settings",
            json!({ "apiUrl": h.sandbox.base_url(), "tenant": "demo-clinic",
                    "apiKey": format!("wrong-{CANARY}") }),
        )
        .unwrap_err();
    assert_eq!(rejected["kind"], "rejected", "{rejected}");
    h.assert_no_canary();
}

#[test]
fn the_window_reaches_only_the_apps_own_commands_and_only_from_the_app() {
    let h = Harness::start();
    for (cmd, args) in [
        ("plugin:dialog|open", json!({ "options": {} })),
        (
            "plugin:opener|open_url",
            json!({ "url": "https://example.com" }),
        ),
        ("plugin:fs|read_file", json!({ "path": "/etc/passwd" })),
    ] {
        let denied = h.invoke(cmd, args).unwrap_err().to_string();
        assert!(
            denied.contains("not allowed"),
            "{cmd} must be denied: {denied}"
        );
    }
    #[cfg(not(feature = "e2e"))]
    assert!(
        h.invoke("e2e_drop_paths", json!({ "paths": ["/etc/hostname"] }))
            .is_err(),
        "the test-only drop command exists only in e2e builds"
    );
    let remote = h
        .invoke_from("https://evil.example.com", "get_settings", json!({}))
        .unwrap_err()
        .to_string();
    assert!(
        remote.contains("not allowed"),
        "a remote page must not reach the commands: {remote}"
    );
    assert!(h.invoke("list_queue", json!({})).is_ok());
}

#[test]
fn an_upload_streams_progress_and_its_thumbnails_come_only_from_its_answer() {
    let h = Harness::start();
    let files = tempfile::tempdir().unwrap();
    let scan = files.path().join("scan.png");
    png(&scan);
    let empty = files.path().join("empty.pdf");
    std::fs::write(&empty, b"").unwrap();
    assert_eq!(h.drop_paths(&[&scan, &empty]), 2);

    let queue = h.invoke("list_queue", json!({})).unwrap()["items"].clone();
    let states: Vec<&str> = queue
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["ready", "refused"], "{queue}");
    let preview = h
        .invoke("preview", json!({ "id": queue[0]["id"] }))
        .unwrap();
    assert!(preview
        .as_str()
        .unwrap()
        .starts_with("data:image/png;base64,"));

    let messages: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = messages.clone();
    let channel = Channel::new(move |body| {
        if let InvokeResponseBody::Json(json) = body {
            sink.lock().unwrap().push(json);
        }
        Ok(())
    });
    let summary = tauri::async_runtime::block_on(start_upload(
        h.app.handle().clone(),
        h.app.state(),
        "pat_1001".into(),
        None,
        sendable_ids(&h),
        None,
        channel,
    ))
    .unwrap();
    assert_eq!(summary.uploaded.len(), 1);
    assert_eq!(summary.patient.id, "pat_1001");

    let messages = messages.lock().unwrap().clone();
    let kinds: Vec<String> = messages
        .iter()
        .map(|m| serde_json::from_str::<Value>(m).unwrap()["event"].to_string())
        .collect();
    for kind in ["\"started\"", "\"bytes\"", "\"fileDone\""] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
    h.seen.lock().unwrap().extend(messages);
    h.seen
        .lock()
        .unwrap()
        .push(serde_json::to_string(&summary).unwrap());

    let thumb = summary.uploaded[0].thumbnail_url.clone().unwrap();
    let data = h.invoke("thumbnail", json!({ "url": thumb })).unwrap();
    assert!(data.as_str().unwrap().starts_with("data:image/"));
    let other = format!("{}/files/anything.png", h.sandbox.base_url());
    let refused = h.invoke("thumbnail", json!({ "url": other }));
    assert!(
        refused.is_err(),
        "only links an upload returned are fetched"
    );

    let queue = h.invoke("list_queue", json!({})).unwrap()["items"].clone();
    assert_eq!(queue[0]["state"], "uploaded", "{queue}");
    assert!(
        h.seen.lock().unwrap().len() > 6,
        "queue events were recorded too"
    );
    h.assert_no_canary();
}

/// The ids the window would send: ready or failed files.
fn sendable_ids(h: &Harness) -> Vec<u64> {
    h.invoke("list_queue", json!({})).unwrap()["items"]
        .clone()
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["state"] == "ready" || i["state"] == "failed")
        .map(|i| i["id"].as_u64().unwrap())
        .collect()
}

fn upload_to(h: &Harness, patient: &str) -> crate::commands::upload::UploadSummary {
    upload_ids(h, patient, sendable_ids(h))
}

fn upload_ids(h: &Harness, patient: &str, ids: Vec<u64>) -> crate::commands::upload::UploadSummary {
    tauri::async_runtime::block_on(start_upload(
        h.app.handle().clone(),
        h.app.state(),
        patient.into(),
        None,
        ids,
        None,
        Channel::new(|_| Ok(())),
    ))
    .unwrap()
}

/// What the scan sorter does: gives scan `id` the patient a person chose for it, and sends it.
fn sort_scan(
    h: &Harness,
    patient: &str,
    id: u64,
) -> crate::error::UiResult<crate::commands::upload::UploadSummary> {
    tauri::async_runtime::block_on(start_upload(
        h.app.handle().clone(),
        h.app.state(),
        patient.into(),
        None,
        vec![id],
        Some(id),
        Channel::new(|_| Ok(())),
    ))
}

fn id_of(items: &[Value], file_name: &str) -> u64 {
    items
        .iter()
        .find(|i| i["fileName"] == file_name)
        .and_then(|i| i["id"].as_u64())
        .unwrap_or_else(|| panic!("{file_name} in {items:?}"))
}

/// A note id from another patient's chart (a stale list in the window) sends nothing anywhere;
/// the patient's own note goes through.
#[test]
fn a_note_of_another_patient_is_refused_before_anything_is_sent() {
    let h = Harness::start();
    let files = tempfile::tempdir().unwrap();
    let letter = files.path().join("letter.txt");
    std::fs::write(&letter, b"referral letter").unwrap();
    h.drop_paths(&[&letter]);
    let upload_with_note = |note: &str| {
        tauri::async_runtime::block_on(start_upload(
            h.app.handle().clone(),
            h.app.state(),
            "pat_1001".into(),
            Some(note.into()),
            sendable_ids(&h),
            None,
            Channel::new(|_| Ok(())),
        ))
    };

    // note_2003 is pat_1002's.
    let refused = upload_with_note("note_2003").unwrap_err();
    assert!(
        refused.to_string().contains("note_2003"),
        "the error names the note: {refused}"
    );
    assert!(h.sandbox.state().attachments().is_empty(), "nothing sent");
    let queue = h.invoke("list_queue", json!({})).unwrap()["items"].clone();
    assert_eq!(queue[0]["state"], "ready", "the file stays listed: {queue}");

    let summary = upload_with_note("note_2001").unwrap();
    assert_eq!(summary.uploaded.len(), 1);
    let stored = h.sandbox.state().attachments();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].response.note_id.as_deref(), Some("note_2001"));
}

#[test]
fn only_the_files_listed_when_upload_was_pressed_are_sent() {
    let h = Harness::start();
    let files = tempfile::tempdir().unwrap();
    let seen = files.path().join("seen.txt");
    std::fs::write(&seen, b"listed when Upload was pressed").unwrap();
    h.drop_paths(&[&seen]);
    let shown = sendable_ids(&h);
    let late = files.path().join("late.txt");
    std::fs::write(&late, b"arrived a moment later").unwrap();
    h.drop_paths(&[&late]);

    let summary = upload_ids(&h, "pat_1001", shown);
    assert_eq!(summary.uploaded.len(), 1);
    let stored = h.sandbox.state().attachments();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].response.original_filename, "seen.txt");
    assert_eq!(states(&h), ["uploaded", "ready"], "the late file waits");
}

fn states(h: &Harness) -> Vec<String> {
    h.invoke("list_queue", json!({})).unwrap()["items"]
        .clone()
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["state"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn content_already_in_the_chart_is_skipped_until_the_user_sends_it_anyway() {
    let h = Harness::start();
    let files = tempfile::tempdir().unwrap();
    let form = files.path().join("consent.pdf");
    std::fs::write(&form, b"%PDF-1.4 consent").unwrap();
    h.drop_paths(&[&form]);
    assert_eq!(upload_to(&h, "pat_1001").uploaded.len(), 1);

    let copy = files.path().join("consent (scanned again).pdf");
    std::fs::write(&copy, b"%PDF-1.4 consent").unwrap();
    h.drop_paths(&[&copy]);
    let summary = upload_to(&h, "pat_1001");
    assert!(summary.uploaded.is_empty());
    assert_eq!(states(&h), ["uploaded", "skipped"]);
    let queue = h.invoke("list_queue", json!({})).unwrap()["items"].clone();
    assert!(
        queue[1]["reason"]
            .as_str()
            .unwrap()
            .contains("already in this patient's chart"),
        "{queue}"
    );
    assert_eq!(h.sandbox.state().attachments().len(), 1);

    assert_eq!(
        h.invoke("send_anyway", json!({ "id": queue[1]["id"] }))
            .unwrap(),
        true
    );
    assert_eq!(upload_to(&h, "pat_1001").uploaded.len(), 1);
    assert_eq!(h.sandbox.state().attachments().len(), 2);
    let history = h
        .invoke("list_history", json!({ "text": "consent" }))
        .unwrap();
    assert_eq!(history.as_array().unwrap().len(), 2, "{history}");
    h.assert_no_canary();
}

/// What the window shows of the queue is decided here: which rows offer "Send anyway" and
/// "Remove", what Upload does, and how many files an upload did not send again (only its own).
#[test]
fn the_window_is_told_what_each_action_does_and_an_upload_counts_only_its_own_skips() {
    let h = Harness::start();
    let files = tempfile::tempdir().unwrap();
    let list = |patient: Option<&str>| {
        h.invoke("list_queue", json!({ "patientId": patient }))
            .unwrap()
    };
    assert_eq!(list(None)["upload"], json!({ "action": "choosePatient" }));
    assert_eq!(
        list(Some("pat_1001"))["upload"],
        json!({ "action": "addFiles" })
    );
    let form = files.path().join("consent.pdf");
    std::fs::write(&form, b"%PDF-1.4 consent").unwrap();
    h.drop_paths(&[&form]);
    assert_eq!(
        list(Some("pat_1001"))["upload"],
        json!({ "action": "upload", "files": 1, "retry": false })
    );
    let first = upload_to(&h, "pat_1001");
    assert_eq!((first.uploaded.len(), first.skipped), (1, 0));
    assert_eq!(
        list(Some("pat_1001"))["upload"],
        json!({ "action": "allSent" })
    );

    let copy = files.path().join("consent (scanned again).pdf");
    std::fs::write(&copy, b"%PDF-1.4 consent").unwrap();
    h.drop_paths(&[&copy]);
    let second = upload_to(&h, "pat_1001");
    assert_eq!((second.uploaded.len(), second.skipped), (0, 1));
    let items = list(Some("pat_1001"))["items"].clone();
    assert_eq!(items[1]["state"], "skipped", "{items}");
    assert_eq!(items[1]["canSendAnyway"], true, "{items}");
    assert_eq!(items[1]["removable"], true, "{items}");
    assert_eq!(items[0]["canSendAnyway"], false, "{items}");
    assert_eq!(
        serde_json::to_value(&second).unwrap()["skipped"],
        1,
        "the window reads it"
    );

    let letter = files.path().join("letter.txt");
    std::fs::write(&letter, b"a new letter").unwrap();
    h.drop_paths(&[&letter]);
    let third = upload_to(&h, "pat_1001");
    assert_eq!(
        (third.uploaded.len(), third.skipped),
        (1, 0),
        "the copy skipped by the upload before is not counted again"
    );
    assert_eq!(states(&h), ["uploaded", "skipped", "uploaded"]);
}

/// What a killed process leaves: a row for `path` and `patient` handed to the engine, and the
/// run's lock gone.
fn leave_interrupted(h: &Harness, path: &Path, patient: &str) {
    let state = h.app.state::<AppState>();
    let mut store = state.store().unwrap();
    let run = store.begin_run().unwrap();
    let ids = store
        .enqueue(
            &run,
            &[decoda_store::NewItem {
                patient_id: patient.into(),
                note_id: None,
                path: path.to_path_buf(),
                name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
                external_id: None,
                hash: Some(decoda_store::hash_file(path).unwrap()),
                size: std::fs::metadata(path).unwrap().len(),
                modified: std::fs::metadata(path).unwrap().modified().ok(),
            }],
        )
        .unwrap();
    store.mark_sending(&ids).unwrap();
}

#[test]
fn an_interrupted_upload_comes_back_bound_to_its_patient() {
    let h = Harness::start();
    let files = tempfile::tempdir().unwrap();
    let letter = files.path().join("letter.txt");
    std::fs::write(&letter, b"dear colleague\n").unwrap();
    leave_interrupted(&h, &letter, "pat_1002");
    assert_eq!(
        crate::commands::files::resume_interrupted(h.app.handle()).unwrap(),
        1
    );
    let queue = h.invoke("list_queue", json!({})).unwrap()["items"].clone();
    assert_eq!(queue[0]["patientId"], "pat_1002");
    assert!(queue[0]["reason"].as_str().unwrap().contains("interrupted"));

    upload_to(&h, "pat_1001");
    assert_eq!(states(&h), ["failed"], "never sent to another patient");
    assert!(h.sandbox.state().attachments().is_empty());

    let summary = upload_to(&h, "pat_1002");
    assert_eq!(summary.uploaded.len(), 1, "not in the chart, so sent");
    assert_eq!(h.sandbox.state().attachments()[0].patient_id, "pat_1002");
    assert!(h
        .app
        .state::<AppState>()
        .store()
        .unwrap()
        .abandoned()
        .unwrap()
        .is_empty());
}

/// `pat_1001` on another server or tenant is another person: once the settings point elsewhere,
/// a file that failed on its way to `pat_1001` here goes to no one there; and settings do not
/// change under a running upload.
#[test]
fn a_file_bound_to_a_patient_is_held_when_the_server_or_tenant_changes() {
    let h = Harness::start_with_server_in_settings();
    let files = tempfile::tempdir().unwrap();
    let letter = files.path().join("letter.txt");
    std::fs::write(&letter, b"for pat_1001 of the demo clinic\n").unwrap();
    h.drop_paths(&[&letter]);
    h.sandbox.state().push_fault(
        decoda_sandbox::FaultRule::once(decoda_sandbox::Fault::Status500)
            .times(1000)
            .on_path("/attachments/bulk"),
    );
    upload_to(&h, "pat_1001");
    h.sandbox.state().clear_faults();
    let here = h
        .invoke("list_queue", json!({ "patientId": "pat_1001" }))
        .unwrap()["items"]
        .clone();
    assert_eq!(here[0]["sendable"], true, "{here}");

    let busy = {
        let state = h.app.state::<AppState>();
        *state.upload_slot() = Some(decoda_engine::CancellationToken::new());
        let refused = h.invoke(
            "save_settings",
            json!({ "apiUrl": h.sandbox.base_url(), "tenant": "other-clinic", "apiKey": null }),
        );
        *state.upload_slot() = None;
        refused.unwrap_err()
    };
    assert_eq!(busy["kind"], "busy", "{busy}");

    let saved = h
        .invoke(
            "save_settings",
            json!({ "apiUrl": h.sandbox.base_url(), "tenant": "other-clinic", "apiKey": null }),
        )
        .unwrap();
    assert_eq!(saved["accountChanged"], true, "{saved}");
    assert_eq!(saved["tenant"], "other-clinic", "{saved}");
    let again = h
        .invoke(
            "save_settings",
            json!({ "apiUrl": h.sandbox.base_url(), "tenant": " other-clinic ", "apiKey": null }),
        )
        .unwrap();
    assert_eq!(again["accountChanged"], false, "the same account: {again}");
    let there = h
        .invoke("list_queue", json!({ "patientId": "pat_1001" }))
        .unwrap()["items"]
        .clone();
    assert_eq!(there[0]["state"], "refused", "{there}");
    assert_eq!(there[0]["sendable"], false);
    assert!(
        there[0]["reason"]
            .as_str()
            .unwrap()
            .contains("server and tenant used before"),
        "{there}"
    );
}

#[test]
fn a_failed_file_waits_for_its_patient_and_once_removed_does_not_come_back() {
    let h = Harness::start();
    let files = tempfile::tempdir().unwrap();
    let letter = files.path().join("letter.txt");
    std::fs::write(&letter, b"for pat_1001 only\n").unwrap();
    h.drop_paths(&[&letter]);
    h.sandbox.state().push_fault(
        decoda_sandbox::FaultRule::once(decoda_sandbox::Fault::Status500)
            .times(1000)
            .on_path("/attachments/bulk"),
    );
    let ids = sendable_ids(&h);
    upload_ids(&h, "pat_1001", ids.clone());
    let queue = h.invoke("list_queue", json!({})).unwrap()["items"].clone();
    assert_eq!(queue[0]["state"], "failed");
    assert_eq!(
        queue[0]["patientId"], "pat_1001",
        "bound to the patient it was meant for"
    );

    h.sandbox.state().clear_faults();
    upload_ids(&h, "pat_1002", ids.clone());
    assert!(
        h.sandbox.state().attachments().is_empty(),
        "never sent to the next patient"
    );
    let store = || h.app.state::<AppState>().store().unwrap();
    assert_eq!(
        store().abandoned().unwrap().len(),
        1,
        "its failed try is on record"
    );

    assert_eq!(
        h.invoke("remove_file", json!({ "id": ids[0] })).unwrap(),
        true
    );
    assert!(
        store().abandoned().unwrap().is_empty(),
        "removed: it does not come back at the next start"
    );
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

#[test]
fn diagnostics_describe_the_setup_without_the_key_or_any_patient_or_file_name() {
    let h = Harness::start();
    let files = tempfile::tempdir().unwrap();
    let scan = files.path().join("garcia-referral.pdf");
    std::fs::write(&scan, b"%PDF-1.4 referral").unwrap();
    let empty = files.path().join("garcia-empty.pdf");
    std::fs::write(&empty, b"").unwrap();
    h.drop_paths(&[&scan, &empty]);
    upload_to(&h, "pat_1001");

    let copied = h.invoke("copy_diagnostics", json!({})).unwrap();
    let report = copied["text"].as_str().unwrap();
    assert!(copied["copied"].is_boolean(), "{copied}");
    for expected in [
        concat!("Decoda Uploader ", env!("CARGO_PKG_VERSION")),
        "Server: http://127.0.0.1:",
        "API key: set, from DECODA_API_KEY",
        "Files in the list: 1 cannot be sent, 1 uploaded",
        "Queue and history: ",
    ] {
        assert!(report.contains(expected), "{expected:?} in:\n{report}");
    }
    for private in ["garcia", "Garcia", "pat_1001", "referral"] {
        assert!(!report.contains(private), "{private:?} in:\n{report}");
    }
    h.assert_no_canary();
}

/// Settings with the scanner inbox in the test's folder `dir` (made here), scans taken after 1 s.
fn with_inbox(dir: &Path) -> String {
    std::fs::create_dir(dir.join("inbox")).unwrap();
    format!(
        "[inbox]\nfolder = {}\nsettle_seconds = 1\n",
        toml_path(&dir.join("inbox"))
    )
}

/// A path as a TOML string (quoted and escaped as TOML wants, whatever it holds).
fn toml_path(path: &Path) -> String {
    toml::Value::String(path.to_string_lossy().into_owned()).to_string()
}

/// Polls the queue until `done` holds for it (30 s at most).
fn queue_until(h: &Harness, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let queue = h.invoke("list_queue", json!({})).unwrap()["items"].clone();
        let items = queue.as_array().unwrap().clone();
        if done(&items) {
            return items;
        }
        assert!(std::time::Instant::now() < deadline, "{what}: {queue}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn scans_from_the_inbox_wait_for_a_patient_and_only_confirmed_ones_move_to_sent() {
    let h = Harness::start_with(|dir| {
        std::fs::create_dir(dir.join("inbox")).unwrap();
        format!(
            "[limits]\nmax_file_bytes = 1000\n\n[inbox]\nfolder = {}\nsent_folder = {}\nsettle_seconds = 1\n",
            toml_path(&dir.join("inbox")),
            toml_path(&dir.join("sent"))
        )
    });
    let inbox = h._dir.path().join("inbox");
    let sent = h._dir.path().join("sent");
    let view = h.invoke("get_settings", json!({})).unwrap();
    assert_eq!(view["inboxFolder"], inbox.to_str().unwrap());
    assert_eq!(view["inboxProblem"], Value::Null);

    std::fs::write(inbox.join("scan-0001.pdf"), b"%PDF-1.4 page one").unwrap();
    std::fs::write(inbox.join("scan-0002.pdf"), vec![b'x'; 2000]).unwrap();
    std::fs::write(inbox.join("scan-0003.pdf.part"), b"%PDF-1.4 still writing").unwrap();
    let items = queue_until(&h, "both scans listed", |q| q.len() == 2);
    assert!(items.iter().all(|i| i["fromInbox"] == true), "{items:?}");
    let state_of = |q: &[Value], name: &str| {
        q.iter()
            .find(|i| i["fileName"] == name)
            .map(|i| i["state"].clone())
    };
    assert_eq!(state_of(&items, "scan-0001.pdf"), Some(json!("ready")));
    assert_eq!(
        state_of(&items, "scan-0002.pdf"),
        Some(json!("refused")),
        "over the size limit"
    );
    let scan = id_of(&items, "scan-0001.pdf");
    let listed = h
        .invoke("list_queue", json!({ "patientId": "pat_1001" }))
        .unwrap();
    assert_eq!(listed["toSort"], json!([scan]), "{listed}");
    assert_eq!(
        upload_to(&h, "pat_1001").uploaded.len(),
        0,
        "a scan does not go to the patient chosen in the window"
    );
    assert!(
        h.sandbox.state().attachments().is_empty(),
        "nothing is sent before a person gives the scan its patient"
    );

    let summary = sort_scan(&h, "pat_1001", scan).unwrap();
    assert_eq!(summary.uploaded.len(), 1);
    let again = sort_scan(&h, "pat_1002", scan).unwrap_err();
    assert!(again.to_string().contains("no longer waiting"), "{again}");
    assert!(
        sent.join("scan-0001.pdf").exists() && !inbox.join("scan-0001.pdf").exists(),
        "the confirmed scan moved to the sent folder"
    );
    assert!(
        inbox.join("scan-0002.pdf").exists() && !sent.join("scan-0002.pdf").exists(),
        "a scan that was not uploaded stays in the inbox"
    );
    assert!(inbox.join("scan-0003.pdf.part").exists());
    let queue = h.invoke("list_queue", json!({})).unwrap()["items"].clone();
    let first = queue
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["fileName"] == "scan-0001.pdf")
        .unwrap();
    assert_eq!(first["state"], "uploaded");
    assert!(
        first["notes"]
            .to_string()
            .contains("moved to the folder for sent scans"),
        "{queue}"
    );
    assert_eq!(h.sandbox.state().attachments().len(), 1);
    h.assert_no_canary();
}

#[test]
fn a_scan_left_in_the_inbox_comes_back_as_already_uploaded_never_ready_for_another_patient() {
    let h = Harness::start_with(with_inbox);
    let inbox = h._dir.path().join("inbox");
    std::fs::write(inbox.join("scan-0001.pdf"), b"%PDF-1.4 for pat_1001").unwrap();
    let items = queue_until(&h, "the scan is listed", |q| q.len() == 1);
    let sent = sort_scan(&h, "pat_1001", id_of(&items, "scan-0001.pdf")).unwrap();
    assert_eq!(sent.uploaded.len(), 1);
    assert!(
        inbox.join("scan-0001.pdf").exists(),
        "no sent folder: it stays"
    );

    // What a restart does: the list starts empty and the watcher reports the folder again.
    h.invoke("clear_uploaded", json!({})).unwrap();
    crate::inbox::restart(h.app.handle());
    let items = queue_until(&h, "the scan is listed again", |q| q.len() == 1);
    assert_eq!(items[0]["state"], "skipped", "{items:?}");
    let reason = items[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("already uploaded") && reason.contains("pat_1001"),
        "{reason}"
    );

    upload_to(&h, "pat_1002");
    let stored = h.sandbox.state().attachments();
    assert_eq!(stored.len(), 1, "not sent to the next patient");
    assert_eq!(stored[0].patient_id, "pat_1001");
}

/// Without a sent folder, what is in the inbox may have been sent before: a scan whose earlier
/// upload did not finish waits for its own patient, and one older than the history kept is held
/// until a person says it is new. Only a scan with nothing on record is ready.
#[test]
fn inbox_scans_with_an_unfinished_or_forgotten_past_are_never_ready_for_anyone() {
    let h = Harness::start_with(|dir| {
        std::fs::create_dir(dir.join("inbox")).unwrap();
        format!(
            "history_days = 30\n[inbox]\nfolder = {}\nsettle_seconds = 1\n",
            toml_path(&dir.join("inbox"))
        )
    });
    let elsewhere = tempfile::tempdir().unwrap();
    let interrupted = elsewhere.path().join("scan-0007.pdf");
    std::fs::write(&interrupted, b"%PDF-1.4 for pat_1002, interrupted").unwrap();
    leave_interrupted(&h, &interrupted, "pat_1002");
    let inbox = h._dir.path().join("inbox");
    std::fs::copy(&interrupted, inbox.join("scan-0007 copy.pdf")).unwrap();
    let old = inbox.join("scan-2020.pdf");
    std::fs::write(&old, b"%PDF-1.4 scanned long ago").unwrap();
    let year_ago =
        std::time::SystemTime::now() - std::time::Duration::from_secs(365 * 24 * 60 * 60);
    std::fs::File::options()
        .write(true)
        .open(&old)
        .unwrap()
        .set_modified(year_ago)
        .unwrap();
    std::fs::write(inbox.join("scan-new.pdf"), b"%PDF-1.4 new today").unwrap();

    let items = queue_until(&h, "the three scans are listed", |q| q.len() == 3);
    let by_name = |name: &str| {
        items
            .iter()
            .find(|i| i["fileName"] == name)
            .unwrap_or_else(|| panic!("{name} in {items:?}"))
            .clone()
    };
    let unfinished = by_name("scan-0007 copy.pdf");
    assert_eq!(unfinished["state"], "failed", "{unfinished}");
    assert_eq!(unfinished["patientId"], "pat_1002", "{unfinished}");
    let forgotten = by_name("scan-2020.pdf");
    assert_eq!(forgotten["state"], "skipped", "{forgotten}");
    assert!(
        forgotten["reason"]
            .as_str()
            .unwrap()
            .contains("older than the 30 days"),
        "{forgotten}"
    );
    assert_eq!(by_name("scan-new.pdf")["state"], "ready");

    upload_to(&h, "pat_1001");
    assert!(
        h.sandbox.state().attachments().is_empty(),
        "no scan goes to the patient chosen in the window"
    );
    for id in h.invoke("list_queue", json!({})).unwrap()["toSort"]
        .as_array()
        .unwrap()
    {
        sort_scan(&h, "pat_1001", id.as_u64().unwrap()).unwrap();
    }
    let stored = h.sandbox.state().attachments();
    assert_eq!(
        stored
            .iter()
            .map(|a| a.response.original_filename.as_str())
            .collect::<Vec<_>>(),
        ["scan-new.pdf"],
        "only the scan with nothing on record went to the patient chosen"
    );

    // "Send anyway" on the held scan hands it to the usual checks; it is new, so it goes.
    let id = forgotten["id"].as_u64().unwrap();
    assert_eq!(h.invoke("send_anyway", json!({ "id": id })).unwrap(), true);
    let forced = h.app.state::<AppState>().queue().get(id).unwrap().force;
    assert!(
        !forced,
        "released to the usual checks, not forced past them"
    );
    let waiting = h.invoke("list_queue", json!({})).unwrap()["toSort"].clone();
    assert_eq!(
        waiting,
        json!([id]),
        "released, it waits for its own patient"
    );
    sort_scan(&h, "pat_1001", id).unwrap();
    assert_eq!(h.sandbox.state().attachments().len(), 2);
}

#[test]
fn a_missing_inbox_folder_is_reported_the_app_still_works_and_it_is_watched_once_it_appears() {
    let h = Harness::start_with(|dir| {
        format!(
            "[inbox]\nfolder = {}\nsettle_seconds = 1\n",
            toml_path(&dir.join("share"))
        )
    });
    let view = h.invoke("get_settings", json!({})).unwrap();
    let problem = view["inboxProblem"].as_str().unwrap();
    assert!(problem.contains("does not exist"), "{problem}");
    assert!(h.invoke("list_queue", json!({})).is_ok());

    // The share is mounted later: the next retry watches it, and its scans are listed.
    let share = h._dir.path().join("share");
    std::fs::create_dir(&share).unwrap();
    assert!(crate::inbox::retry_if_waiting(h.app.handle()));
    let view = h.invoke("get_settings", json!({})).unwrap();
    assert!(view["inboxProblem"].is_null(), "{view}");
    assert!(
        !crate::inbox::retry_if_waiting(h.app.handle()),
        "a watched inbox is left alone"
    );
    std::fs::write(share.join("scan.pdf"), b"%PDF-1.4 later").unwrap();
    queue_until(&h, "the scan on the late share is listed", |q| q.len() == 1);
}

/// A scan listed in the queue, ready to send.
fn one_ready_scan(h: &Harness, files: &Path) {
    let scan = files.join("scan.png");
    png(&scan);
    assert_eq!(h.drop_paths(&[&scan]), 1);
    assert_eq!(states(h), ["ready"]);
}

#[test]
fn an_absurd_rate_limit_wait_neither_wedges_uploads_nor_leaves_a_file_sending() {
    let h = Harness::start();
    let files = tempfile::tempdir().unwrap();
    one_ready_scan(&h, files.path());
    h.sandbox.state().push_fault(
        decoda_sandbox::FaultRule::once(decoda_sandbox::Fault::RateLimitedWith {
            retry_after: Some("1e20".into()),
            rate_limit_reset: Some("1e300".into()),
        })
        .on_path("/attachments/bulk"),
    );
    // As Tauri runs a command: in a task of its own, which a panic would end.
    let app = h.app.handle().clone();
    let ids = sendable_ids(&h);
    let first = tauri::async_runtime::block_on(tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        start_upload(
            app.clone(),
            state,
            "pat_1001".into(),
            None,
            ids,
            None,
            Channel::new(|_| Ok(())),
        )
        .await
        .map(|summary| summary.failed)
    }));
    assert!(
        h.sandbox.state().pending_faults().is_empty(),
        "the 429 was answered"
    );
    assert!(
        matches!(first, Ok(Ok(1))),
        "the first upload ends, with its file not sent: {first:?}"
    );
    assert_eq!(states(&h), ["failed"], "not left 'Sending'");
    let queue = h.invoke("list_queue", json!({})).unwrap()["items"].clone();
    let reason = queue[0]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("too long to wait"), "{queue}");

    let second = tauri::async_runtime::block_on(start_upload(
        h.app.handle().clone(),
        h.app.state(),
        "pat_1001".into(),
        None,
        sendable_ids(&h),
        None,
        Channel::new(|_| Ok(())),
    ));
    let second = second.unwrap_or_else(|e| panic!("a later upload is accepted: {e:?}"));
    assert_eq!(second.uploaded.len(), 1);
    assert_eq!(states(&h), ["uploaded"]);
}

#[test]
fn an_upload_that_panics_frees_the_running_slot_and_gives_its_files_back() {
    use crate::commands::upload::RunningUpload;
    let h = Harness::start();
    let files = tempfile::tempdir().unwrap();
    one_ready_scan(&h, files.path());
    let ids = sendable_ids(&h);
    let app = h.app.handle().clone();
    let state = h.app.state::<AppState>();
    let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut running =
            RunningUpload::claim(&app, &state, decoda_engine::CancellationToken::new()).unwrap();
        let sending = state.queue().start_sending("pat_1001", &ids);
        running.sending(
            &sending.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
            "pat_1001",
        );
        assert!(
            RunningUpload::claim(&app, &state, decoda_engine::CancellationToken::new()).is_err(),
            "one upload at a time"
        );
        panic!("a fault in the middle of an upload");
    }));
    assert!(unwound.is_err());
    assert!(state.upload_slot().is_none(), "the slot is free again");
    assert_eq!(states(&h), ["failed"], "the file is not left 'Sending'");
    let queue = h.invoke("list_queue", json!({})).unwrap()["items"].clone();
    assert_eq!(
        queue[0]["reason"],
        decoda_core::waiting::UPLOAD_STOPPED,
        "{queue}"
    );
    assert_eq!(
        queue[0]["patientId"], "pat_1001",
        "it may already be in that chart: it waits for that patient: {queue}"
    );
    let elsewhere = h
        .invoke("list_queue", json!({ "patientId": "pat_1002" }))
        .unwrap()["items"]
        .clone();
    assert_eq!(elsewhere[0]["sendable"], false, "never to the next patient");
    assert_eq!(upload_to(&h, "pat_1001").uploaded.len(), 1);
    assert_eq!(states(&h), ["uploaded"]);
}

#[test]
fn a_history_of_four_billion_days_is_refused_with_its_range_instead_of_panicking_at_start() {
    let h = Harness::start_with(|_| "history_days = 4294967295\n".into());
    let opened = h.app.state::<AppState>().store().map(|_| ());
    let err = opened.expect_err("the setting is refused").to_string();
    assert!(
        err.contains("history_days") && err.contains("3650"),
        "the message names the setting and its range: {err}"
    );
    let listed = h.invoke("list_history", json!({})).unwrap_err();
    assert_eq!(listed["kind"], "invalid", "{listed}");
}

/// "Open" opens only a file link an upload in this run returned: the window cannot send the
/// user's browser to a look-alike page, nor to a link of an earlier session. The check is made
/// without launching a browser ([`crate::commands::files::returned_link`] is what `open_link`
/// asks first).
#[test]
fn open_link_opens_only_links_an_upload_returned() {
    use crate::commands::files::returned_link;
    let h = Harness::start();
    let files = tempfile::tempdir().unwrap();
    one_ready_scan(&h, files.path());
    let summary = upload_to(&h, "pat_1001");
    let returned = summary.uploaded[0].signed_url.clone();
    assert!(returned.starts_with("http"), "{returned}");

    let state = h.app.state::<AppState>();
    let allowed = returned_link(&state, &returned).map(|u| u.to_string());
    assert_eq!(allowed.ok().as_deref(), Some(returned.as_str()));

    for made_up in [
        "https://decoda-login.example.com/reset".to_owned(),
        format!("{}/__files/att_other?sig=forged", h.sandbox.base_url()),
        format!("{returned}&more"),
        "file:///etc/passwd".to_owned(),
    ] {
        let refused = h
            .invoke("open_link", json!({ "url": made_up }))
            .unwrap_err();
        assert_eq!(refused["kind"], "invalid", "{made_up}: {refused}");
        assert!(
            refused["message"]
                .as_str()
                .unwrap()
                .contains("did not come from Decoda"),
            "{made_up}: {refused}"
        );
    }
}

/// The page cannot choose the scanner inbox: `save_settings` takes no folder any more (a path it
/// still sends is ignored), and a folder is saved only through the chooser's path, checked.
#[test]
fn the_page_cannot_name_the_scanner_inbox_folder() {
    let h = Harness::start();
    let planted = tempfile::tempdir().unwrap();
    let planted_path = planted.path().to_str().unwrap().to_owned();
    let view = h
        .invoke(
            "save_settings",
            json!({ "apiUrl": h.sandbox.base_url(), "tenant": "demo-clinic", "apiKey": null,
                    "inboxFolder": planted_path, "sentFolder": planted_path }),
        )
        .unwrap();
    assert_eq!(view["inboxFolder"], Value::Null, "{view}");
    assert_eq!(view["sentFolder"], Value::Null, "{view}");
    let written = std::fs::read_to_string(h._dir.path().join("settings.toml")).unwrap_or_default();
    assert!(
        !written.contains(&planted_path),
        "the page's folder is not saved: {written}"
    );
}

/// What happens once the folder chooser closes: the chosen folder is checked, saved and watched
/// at once; one that does not exist is refused; clearing stops watching.
#[test]
fn a_chosen_inbox_folder_is_checked_saved_and_watched() {
    use crate::commands::settings::{set_inbox_folder, InboxFolder};
    let h = Harness::start();
    let inbox = h._dir.path().join("scans");
    std::fs::create_dir(&inbox).unwrap();
    let missing = h._dir.path().join("no-such-share");
    let err = set_inbox_folder(h.app.handle(), InboxFolder::Inbox, Some(missing)).unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");

    set_inbox_folder(h.app.handle(), InboxFolder::Inbox, Some(inbox.clone())).unwrap();
    let view = h.invoke("get_settings", json!({})).unwrap();
    assert_eq!(view["inboxFolder"], inbox.to_str().unwrap(), "{view}");
    assert_eq!(view["inboxProblem"], Value::Null, "{view}");
    std::fs::write(inbox.join("scan.pdf"), b"%PDF-1.4 chosen").unwrap();
    queue_until(&h, "the scan in the chosen folder is listed", |q| {
        q.len() == 1
    });

    let view = h
        .invoke("clear_inbox_folder", json!({ "which": "inbox" }))
        .unwrap();
    assert_eq!(view["inboxFolder"], Value::Null, "{view}");
    let watched = h.app.state::<AppState>().inbox().is_some();
    assert!(!watched, "no longer watched");
}

/// The system file's inbox is IT's: a locked one cannot be chosen or cleared from the window.
#[test]
fn a_locked_inbox_cannot_be_chosen_or_cleared_from_the_window() {
    use crate::commands::settings::{set_inbox_folder, InboxFolder};
    let h = Harness::start_with(|dir| {
        std::fs::create_dir(dir.join("inbox")).unwrap();
        std::fs::write(
            dir.join("system.toml"),
            format!(
                "locked = [\"inbox\"]\n[inbox]\nfolder = {}\nsettle_seconds = 1\n",
                toml_path(&dir.join("inbox"))
            ),
        )
        .unwrap();
        String::new()
    });
    let elsewhere = tempfile::tempdir().unwrap();
    let err = set_inbox_folder(
        h.app.handle(),
        InboxFolder::Inbox,
        Some(elsewhere.path().to_path_buf()),
    )
    .unwrap_err();
    assert!(err.to_string().contains("IT department"), "{err}");
    for cmd in ["clear_inbox_folder", "choose_inbox_folder"] {
        let refused = h.invoke(cmd, json!({ "which": "inbox" })).unwrap_err();
        assert_eq!(refused["kind"], "invalid", "{cmd}: {refused}");
    }
    let view = h.invoke("get_settings", json!({})).unwrap();
    assert_eq!(
        view["inboxFolder"],
        h._dir.path().join("inbox").to_str().unwrap()
    );
    assert_eq!(
        view["lockedFields"],
        json!({ "apiUrl": true, "tenant": true, "inbox": true }),
        "the inbox by the system file, the server and tenant by the environment: {view}"
    );
    assert_eq!(view["needsSetup"], false, "{view}");
}

/// An image wider than any camera makes (its header claims 60,000 pixels) gets no preview, and
/// says why, at once; the decoder's own limits would have let it allocate.
#[test]
fn a_preview_of_an_image_claiming_a_huge_size_is_refused_at_once() {
    let h = Harness::start();
    let files = tempfile::tempdir().unwrap();
    let huge = files.path().join("huge.png");
    std::fs::write(
        &huge,
        crate::commands::files::tests::png_claiming(60_000, 100),
    )
    .unwrap();
    assert_eq!(h.drop_paths(&[&huge]), 1);
    let queue = h.invoke("list_queue", json!({})).unwrap()["items"].clone();
    assert_eq!(queue[0]["contentType"], "image/png", "{queue}");
    let started = std::time::Instant::now();
    let refused = h
        .invoke("preview", json!({ "id": queue[0]["id"] }))
        .unwrap_err();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "refused from its header"
    );
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("preview unavailable"),
        "{refused}"
    );
}

#[test]
fn the_window_learns_how_long_an_unattended_patient_may_stay_from_the_settings() {
    let h = Harness::start();
    let policy = h.invoke("patient_policy", json!({})).unwrap();
    assert_eq!(
        policy["clearAfterMs"],
        5 * 60 * 1000,
        "five minutes by default"
    );
    let h = Harness::start_with(|_| "clear_patient_after_minutes = 2\n".into());
    let policy = h.invoke("patient_policy", json!({})).unwrap();
    assert_eq!(policy["clearAfterMs"], 2 * 60 * 1000);
}

/// The patient the sandbox has an attachment on.
fn patient_of(h: &Harness, attachment: &str) -> String {
    h.sandbox.state().patient_of(attachment).unwrap()
}

/// Preparing a move shows the patient the file is on and the one it would go to, in the banner's
/// format, with the look-alike warnings, and sends nothing.
#[test]
fn preparing_a_move_shows_both_patients_and_moves_nothing() {
    let h = Harness::start();
    let files = tempfile::tempdir().unwrap();
    one_ready_scan(&h, files.path());
    let id = upload_to(&h, "pat_1001").uploaded[0].attachment_id.clone();

    let plan = h
        .invoke(
            "prepare_move",
            json!({ "attachmentId": id, "toPatientId": "pat_1003" }),
        )
        .unwrap();
    assert_eq!(plan["attachmentId"], id.as_str());
    assert_eq!(plan["from"]["name"], "GARCIA, Maria", "{plan}");
    assert!(plan["from"]["born"]
        .as_str()
        .unwrap()
        .starts_with("12-Mar-1984"));
    assert_eq!(plan["to"]["name"], "CHEN, James", "{plan}");
    assert!(plan["to"]["born"]
        .as_str()
        .unwrap()
        .starts_with("02-Nov-1975"));
    assert_eq!(plan["to"]["id"], "pat_1003");
    assert!(plan["name"].is_string(), "its name in the chart: {plan}");

    // To the other Maria Garcia: the same name, so the warning is repeated.
    let look_alike = h
        .invoke(
            "prepare_move",
            json!({ "attachmentId": id, "toPatientId": "pat_1002" }),
        )
        .unwrap();
    let warnings = look_alike["warnings"].to_string();
    assert!(warnings.contains("same name"), "{look_alike}");

    let same = h
        .invoke(
            "prepare_move",
            json!({ "attachmentId": id, "toPatientId": "pat_1001" }),
        )
        .unwrap_err();
    assert_eq!(same["kind"], "invalid", "{same}");
    assert_eq!(patient_of(&h, &id), "pat_1001", "nothing was sent");
    h.assert_no_canary();
}

/// A move lands in the new chart, and the history follows the file and says where it was moved.
#[test]
fn a_move_from_the_window_lands_and_the_history_follows_the_file() {
    let h = Harness::start();
    let files = tempfile::tempdir().unwrap();
    one_ready_scan(&h, files.path());
    let id = upload_to(&h, "pat_1001").uploaded[0].attachment_id.clone();

    let moved = h
        .invoke(
            "move_upload",
            json!({ "attachmentId": id, "toPatientId": "pat_1003" }),
        )
        .unwrap();
    assert_eq!(moved["to"]["name"], "CHEN, James", "{moved}");
    assert_eq!(moved["from"]["name"], "GARCIA, Maria", "{moved}");
    assert!(moved["movedAt"].is_string());
    assert_eq!(patient_of(&h, &id), "pat_1003");

    let history = h.invoke("list_history", json!({})).unwrap();
    let entry = history
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["attachmentId"] == id.as_str())
        .unwrap();
    assert_eq!(entry["patientId"], "pat_1003", "{entry}");
    assert_eq!(entry["moves"][0]["fromPatientId"], "pat_1001", "{entry}");
    assert_eq!(entry["moves"][0]["toPatientId"], "pat_1003", "{entry}");

    // Moved back, by the same session: the file is now on pat_1003, not where it was uploaded.
    let back = h
        .invoke(
            "prepare_move",
            json!({ "attachmentId": id, "toPatientId": "pat_1001" }),
        )
        .unwrap();
    assert_eq!(back["from"]["id"], "pat_1003", "{back}");
    h.assert_no_canary();
}

/// A file this app did not send (not returned in this run, not in the history) cannot be moved
/// from the window, even though it is on the server: nothing is asked of it.
#[test]
fn an_attachment_this_app_did_not_send_cannot_be_moved_from_the_window() {
    use decoda_engine::api::{ApiKey, BaseUrl, Client, FilePart, PatientId, SingleUpload};
    let h = Harness::start();
    let client = Client::builder(
        BaseUrl::parse(&h.sandbox.base_url()).unwrap(),
        decoda_sandbox::DEFAULT_TENANT,
        ApiKey::new(CANARY),
    )
    .build()
    .unwrap();
    let body = b"elsewhere".to_vec();
    let other = tauri::async_runtime::block_on(client.upload_one(SingleUpload {
        patient_id: PatientId::new("pat_1001"),
        note_id: None,
        name: None,
        external_id: None,
        file: FilePart {
            file_name: "elsewhere.txt".into(),
            content_type: "text/plain".into(),
            length: body.len() as u64,
            body: body.into(),
        },
    }))
    .unwrap()
    .id
    .to_string();

    for cmd in ["prepare_move", "move_upload"] {
        for attachment in [other.as_str(), "att_nope", " "] {
            let refused = h
                .invoke(
                    cmd,
                    json!({ "attachmentId": attachment, "toPatientId": "pat_1003" }),
                )
                .unwrap_err();
            assert_eq!(refused["kind"], "invalid", "{cmd} {attachment}: {refused}");
            assert!(
                refused["message"]
                    .as_str()
                    .unwrap()
                    .contains("only files sent from this computer"),
                "{cmd} {attachment}: {refused}"
            );
        }
    }
    assert_eq!(patient_of(&h, &other), "pat_1001");
}

/// On a first run the settings folder does not exist yet: saving the window's size creates it,
/// owner-only, instead of failing ("could not be saved") on every move and resize.
#[test]
fn the_window_size_is_saved_on_a_first_run_before_any_settings_folder_exists() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir
        .path()
        .join("config")
        .join("decoda")
        .join("settings.toml");
    let state = AppState::new(
        settings.clone(),
        decoda_settings::Keychain::with_service(format!(
            "decoda-uploader-ipc-test-{}",
            std::process::id()
        )),
        HashMap::new(),
    );
    let app = crate::builder(mock_builder(), state, Vec::new())
        .build(tauri::generate_context!(test = true))
        .unwrap();
    let config = app.config().app.windows[0].clone();
    let _window = WebviewWindowBuilder::from_config(&app, &config)
        .unwrap()
        .build()
        .unwrap();

    crate::window::save(app.handle()).unwrap();
    let saved = crate::window::state_file(&settings);
    assert!(saved.is_file(), "{} was written", saved.display());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(settings.parent().unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o700,
            "the settings folder is its owner's only"
        );
    }
}

/// A harness whose waits for the network are short, and a folder for files.
fn harness_with_short_network_waits() -> (Harness, tempfile::TempDir) {
    let h = Harness::start();
    h.app
        .state::<crate::network_wait::NetworkWaits>()
        .shorten_first_wait(std::time::Duration::from_millis(300));
    (h, tempfile::tempdir().unwrap())
}

/// Decoda cannot be reached when Upload is pressed: the files wait for the network, bound to
/// the patient confirmed for them, count down to the next try, and go by themselves once the
/// server answers; the wait is recorded until then.
#[test]
fn files_that_could_not_reach_decoda_wait_and_go_by_themselves_once_it_answers() {
    let (h, files) = harness_with_short_network_waits();
    let letter = files.path().join("letter.txt");
    std::fs::write(&letter, b"referral letter").unwrap();
    h.drop_paths(&[&letter]);
    let ids = sendable_ids(&h);
    h.sandbox.state().push_fault(decoda_sandbox::FaultRule {
        fault: decoda_sandbox::Fault::Status500,
        path: None,
        times: 10_000,
    });
    let refused = tauri::async_runtime::block_on(start_upload(
        h.app.handle().clone(),
        h.app.state(),
        "pat_1001".into(),
        None,
        ids,
        None,
        Channel::new(|_| Ok(())),
    ))
    .unwrap_err();
    assert!(matches!(refused, crate::UiError::Network(_)), "{refused}");
    let items = queue_until(&h, "the file waits for the network", |q| {
        q[0]["status"]
            .as_str()
            .is_some_and(|s| s.starts_with(decoda_core::waiting::NETWORK_WAIT))
    });
    assert!(items[0]["retryAt"].as_u64().is_some(), "{items:?}");
    assert_eq!(
        items[0]["patientId"], "pat_1001",
        "bound to the confirmed patient"
    );
    let recorded = || {
        h.app
            .state::<AppState>()
            .store()
            .unwrap()
            .network_waits()
            .unwrap()
    };
    assert_eq!(recorded(), ["pat_1001"]);
    assert!(h.sandbox.state().attachments().is_empty());

    h.sandbox.state().clear_faults();
    queue_until(&h, "sent once Decoda answers", |q| {
        q[0]["state"] == "uploaded"
    });
    let stored = h.sandbox.state().attachments();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].patient_id, "pat_1001");
    assert!(recorded().is_empty(), "the wait is over");
}

/// A wait for the network recorded when the app last ran goes on after a restart, with the
/// files resumed from the crash-safe queue.
#[test]
fn a_wait_for_the_network_goes_on_after_a_restart() {
    let (h, files) = harness_with_short_network_waits();
    let letter = files.path().join("letter.txt");
    std::fs::write(&letter, b"lab results").unwrap();
    leave_interrupted(&h, &letter, "pat_1002");
    let state = h.app.state::<AppState>();
    state.store().unwrap().wait_for_network("pat_1002").unwrap();
    // What the start does: resume the rows, then the waits.
    crate::commands::files::resume_interrupted(h.app.handle()).unwrap();
    crate::network_wait::resume(h.app.handle());
    queue_until(&h, "sent by itself after the restart", |q| {
        q[0]["state"] == "uploaded"
    });
    let stored = h.sandbox.state().attachments();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].patient_id, "pat_1002");
    assert!(state.store().unwrap().network_waits().unwrap().is_empty());
}

/// A date of birth is found in the forms the front desk types it; a numeric one that reads both
/// ways finds both days, and a date that cannot be read says which forms can.
#[test]
fn a_date_of_birth_is_found_as_the_clinic_writes_it() {
    let h = Harness::start();
    let ids = |term: &str| -> Vec<String> {
        h.invoke("search_patients", json!({ "term": term }))
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect()
    };
    for term in ["12-Mar-1984", "12 March 1984", "1984-03-12", "03/12/1984"] {
        assert!(ids(term).contains(&"pat_1001".to_owned()), "{term}");
    }
    assert_eq!(ids("30/07/1991"), ["pat_1002"], "day first");
    assert_eq!(ids("07/30/1991"), ["pat_1002"], "month first");
    let refused = h
        .invoke("search_patients", json!({ "term": "12/3/84" }))
        .unwrap_err();
    let message = refused["message"].as_str().unwrap();
    assert!(
        message.contains("cannot be read") && message.contains("12-Mar-1984"),
        "{message}"
    );
}

/// Paper from the network scanner in the settings to a chart, as the window does it: pages come
/// in one by one, the person drops one, puts the last first and turns it, the kept pages become
/// one PDF waiting for its own patient, and once the chart has it no copy stays on the computer.
#[test]
fn scanned_pages_kept_turned_and_reordered_become_one_scan_for_its_own_patient() {
    use crate::commands::scanning::{keep_scan, scan_page, scan_paper, KeptPage, ScanOptions};
    let stand_in = tauri::async_runtime::block_on(decoda_sandbox::scanner::spawn_scanner(
        decoda_sandbox::scanner::ScannerState::new(decoda_sandbox::scanner::generated(3)),
        "127.0.0.1:0".parse().unwrap(),
    ))
    .unwrap();
    let url = stand_in.url();
    let h = Harness::start_with(|_| format!("[scanners]\naddresses = [\"{url}\"]\n"));
    assert_eq!(h.invoke("scanner", json!({})).unwrap()["address"], url);

    let counts: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = counts.clone();
    let on_page = Channel::new(move |body| {
        if let InvokeResponseBody::Json(json) = body {
            sink.lock().unwrap().push(json);
        }
        Ok(())
    });
    let options = ScanOptions {
        glass: false,
        two_sided: false,
        grey: false,
        resolution: 150,
    };
    let outcome =
        tauri::async_runtime::block_on(scan_paper(h.app.state(), h.app.state(), options, on_page))
            .unwrap();
    assert_eq!(outcome.pages, 3);
    assert_eq!(outcome.stopped, None);
    assert_eq!(
        *counts.lock().unwrap(),
        ["1", "2", "3"],
        "each page is announced as it comes"
    );
    let thumb = tauri::async_runtime::block_on(scan_page(h.app.state(), 0)).unwrap();
    assert!(thumb.starts_with("data:image/jpeg;base64,"));

    let kept = vec![
        KeptPage { index: 2, turn: 90 },
        KeptPage { index: 0, turn: 0 },
    ];
    let kept = tauri::async_runtime::block_on(keep_scan(
        h.app.handle().clone(),
        h.app.state(),
        h.app.state(),
        kept,
    ))
    .unwrap();
    assert_eq!(kept.documents.len(), 1, "no cover sheet: one document");
    let id = kept.documents[0];
    let listed = h
        .invoke("list_queue", json!({ "patientId": "pat_1001" }))
        .unwrap();
    assert_eq!(
        listed["toSort"],
        json!([id]),
        "it waits for its own patient"
    );
    let item = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(
        item["sendable"], false,
        "never part of the chosen patient's batch"
    );
    let saved = h
        .app
        .state::<AppState>()
        .queue()
        .get(id)
        .unwrap()
        .path
        .clone();
    assert_eq!(
        saved.parent(),
        Some(decoda_pages::scans_folder(h.app.state::<AppState>().data_dir()).as_path())
    );

    let sent = sort_scan(&h, "pat_1001", id).unwrap();
    assert_eq!(sent.uploaded.len(), 1);
    let landed = h.sandbox.state().attachments();
    assert_eq!(landed.len(), 1);
    assert_eq!(landed[0].patient_id, "pat_1001");
    let bytes = tauri::async_runtime::block_on(async {
        reqwest::get(&landed[0].response.signed_url)
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
    });
    let copy = h._dir.path().join("from-chart.pdf");
    std::fs::write(&copy, &bytes).unwrap();
    assert_eq!(
        decoda_pages::page_jpegs(&copy).unwrap().len(),
        2,
        "the dropped page is not in it"
    );
    assert!(
        String::from_utf8_lossy(&bytes).contains("/Rotate 90"),
        "the first page is turned"
    );
    assert!(
        !saved.exists(),
        "no copy of the paper stays once the chart has it"
    );
}

/// A stack scanned with patient cover sheets becomes one document per sheet, each proposed for
/// the patient its sheet names, the sheets left out; a proposal is not a choice: each still waits
/// for a person in the sorter.
#[test]
fn a_scanned_stack_with_cover_sheets_becomes_one_document_per_patient_each_only_proposed() {
    use crate::commands::scanning::{keep_scan, scan_paper, KeptPage, ScanOptions};
    let feeder = tempfile::tempdir().unwrap();
    let cover = |name: &str, patient: &str| {
        let code = decoda_cover::CoverCode::new(decoda_sandbox::DEFAULT_TENANT, patient);
        decoda_cover::cover_sheet_image(&code, 300)
            .unwrap()
            .save(feeder.path().join(name))
            .unwrap();
    };
    let letter = |name: &str| {
        image::GrayImage::from_fn(1275, 1650, |x, y| {
            image::Luma([if x > 200 && y / 40 % 3 == 0 { 0 } else { 255 }])
        })
        .save(feeder.path().join(name))
        .unwrap();
    };
    cover("1.png", "pat_1001");
    letter("2.png");
    cover("3.png", "pat_1002");
    letter("4.png");
    letter("5.png");
    let stand_in = tauri::async_runtime::block_on(decoda_sandbox::scanner::spawn_scanner(
        decoda_sandbox::scanner::ScannerState::new(
            decoda_sandbox::scanner::sheets_in(feeder.path()).unwrap(),
        ),
        "127.0.0.1:0".parse().unwrap(),
    ))
    .unwrap();
    let url = stand_in.url();
    let h = Harness::start_with(|_| format!("[scanners]\naddresses = [\"{url}\"]\n"));
    let options = ScanOptions {
        glass: false,
        two_sided: false,
        grey: true,
        resolution: 150,
    };
    let outcome = tauri::async_runtime::block_on(scan_paper(
        h.app.state(),
        h.app.state(),
        options,
        Channel::new(|_| Ok(())),
    ))
    .unwrap();
    assert_eq!(outcome.pages, 5);
    let all = (0..5).map(|index| KeptPage { index, turn: 0 }).collect();
    let kept = tauri::async_runtime::block_on(keep_scan(
        h.app.handle().clone(),
        h.app.state(),
        h.app.state(),
        all,
    ))
    .unwrap();
    assert_eq!(kept.documents.len(), 2);
    assert_eq!(kept.empty_sheets, 0);
    let listed = h
        .invoke("list_queue", json!({ "patientId": null }))
        .unwrap();
    assert_eq!(
        listed["toSort"],
        json!(kept.documents),
        "each waits for a person"
    );
    let items = listed["items"].as_array().unwrap();
    let proposed: Vec<&Value> = items.iter().map(|i| &i["cover"]["patientId"]).collect();
    assert_eq!(proposed, [&json!("pat_1001"), &json!("pat_1002")]);
    let pages: Vec<usize> = kept
        .documents
        .iter()
        .map(|id| {
            let path = h
                .app
                .state::<AppState>()
                .queue()
                .get(*id)
                .unwrap()
                .path
                .clone();
            decoda_pages::page_jpegs(&path).unwrap().len()
        })
        .collect();
    assert_eq!(pages, [1, 2], "the sheets are not pages of any document");
}

#[test]
fn a_scan_gets_patients_suggested_from_its_page_and_none_is_chosen_for_the_person() {
    let h = Harness::start_with(with_inbox);
    let inbox = h._dir.path().join("inbox");
    let letter = decoda_sandbox::paper::letter_pdf(&[
        "Lakeside Family Medicine",
        "Re: GARCIA, Maria    DOB: 07/30/1991",
        "Thank you for seeing Maria Garcia about her knee.",
    ]);
    std::fs::write(inbox.join("letter.pdf"), letter).unwrap();
    let other = decoda_sandbox::paper::letter_pdf(&["Patient: Jane Doe", "DOB: 03/12/1984"]);
    std::fs::write(inbox.join("other.pdf"), other).unwrap();
    let items = queue_until(&h, "both letters listed", |q| q.len() == 2);

    let view = h
        .invoke(
            "suggest_patient",
            json!({ "id": id_of(&items, "letter.pdf") }),
        )
        .unwrap();
    assert_eq!(view["note"], Value::Null, "{view}");
    let candidates = view["candidates"].as_array().unwrap();
    let first = &candidates[0];
    assert_eq!(first["patient"]["id"], "pat_1002", "{view}");
    assert_eq!(first["patient"]["name"], "GARCIA, Maria");
    assert_eq!(
        first["patient"]["born"].as_str().unwrap()[..11],
        *"30-Jul-1991"
    );
    assert_eq!(first["confidence"], "high");
    // The other Maria Garcia is a weak hint, and the two are flagged as look-alikes of each other.
    assert_eq!(candidates[1]["patient"]["id"], "pat_1001");
    assert_eq!(candidates[1]["confidence"], "low");
    assert!(!first["patient"]["lookAlikes"]
        .as_array()
        .unwrap()
        .is_empty());

    let warned = h
        .invoke(
            "suggest_patient",
            json!({ "id": id_of(&items, "other.pdf") }),
        )
        .unwrap();
    assert!(
        warned["candidates"].as_array().unwrap().is_empty(),
        "{warned}"
    );
    assert_eq!(warned["warnings"][0]["patient"]["id"], "pat_1001");

    let listed = h.invoke("list_queue", json!({})).unwrap();
    assert_eq!(
        listed["toSort"].as_array().unwrap().len(),
        2,
        "both still wait for a person"
    );
    assert!(h.sandbox.state().attachments().is_empty());
    let gone = h
        .invoke("suggest_patient", json!({ "id": 999_999 }))
        .unwrap();
    assert!(gone["note"]
        .as_str()
        .unwrap()
        .contains("no longer in the list"));
    h.assert_no_canary();
}

#[test]
fn scanners_that_announce_themselves_on_the_network_are_offered_to_choose_and_save() {
    if !decoda_sandbox::scanner::multicast_or_skip() {
        return;
    }
    // A private mDNS port on loopback: nothing reaches the real network.
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let stand_in = tauri::async_runtime::block_on(decoda_sandbox::scanner::spawn_scanner(
        decoda_sandbox::scanner::ScannerState::new(decoda_sandbox::scanner::generated(1)),
        "127.0.0.1:0".parse().unwrap(),
    ))
    .unwrap();
    let _announced = decoda_sandbox::scanner::advertise(stand_in.addr(), port).unwrap();
    let h = Harness::start_with_env(|_| String::new(), &[("DECODA_MDNS_PORT", port.to_string())]);
    let found = h.invoke("find_scanners", json!({})).unwrap();
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    let url = found[0]["url"].as_str().unwrap();
    assert!(
        decoda_scan::discovery::same_scanner(url, &stand_in.url()),
        "{url} is the stand-in at {}",
        stand_in.url()
    );
    assert!(!found[0]["name"].as_str().unwrap().is_empty());
    // The person picks it: it is saved as a typed address is, after the scanner answered.
    let saved = h.invoke("save_scanner", json!({ "address": url })).unwrap();
    assert_eq!(saved["name"], "Decoda Sandbox Scanner");
    h.assert_no_canary();
}
