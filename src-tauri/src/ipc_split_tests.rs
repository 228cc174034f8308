//! Scanned stacks that arrive as files (dropped on the window, picked, or taken by the scanner
//! inbox) split at their patient cover sheets, driven through Tauri's IPC layer (mock runtime)
//! against the sandbox: each part waits for a person with the patient its sheet proposes, the
//! sheets and the stack itself are never listed or sent, and other files are listed as before.

use crate::{
    commands::{files::add_paths, stacks::STACKS_SPLIT, upload::start_upload},
    ipc_tests::Harness,
    AppState,
};
use serde_json::{json, Value};
use std::{
    io::Cursor,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tauri::{ipc::Channel, Listener, Manager};

/// The app on the mock runtime against a sandbox (the IPC tests' harness), with the
/// stacks-split events it sent.
struct Desk {
    h: Harness,
    splits: Arc<Mutex<Vec<Value>>>,
}

impl Desk {
    /// The app, with the settings file `settings` writes from the test's folder.
    fn open(settings: impl FnOnce(&Path) -> String) -> Self {
        let h = Harness::start_with(settings);
        let splits: Arc<Mutex<Vec<Value>>> = Arc::default();
        let sink = splits.clone();
        h.app.listen_any(STACKS_SPLIT, move |e| {
            sink.lock()
                .unwrap()
                .push(serde_json::from_str(e.payload()).unwrap())
        });
        Self { h, splits }
    }

    /// The queue as the window lists it.
    fn queue(&self) -> Value {
        self.h
            .invoke("list_queue", json!({ "patientId": null }))
            .unwrap()
    }

    fn items(&self) -> Vec<Value> {
        self.queue()["items"].as_array().unwrap().clone()
    }

    /// Adds paths through the code a window drop runs.
    fn drop_paths(&self, paths: &[&Path]) -> usize {
        let paths = paths.iter().map(|p| p.to_path_buf()).collect();
        tauri::async_runtime::block_on(add_paths(self.h.app.handle(), paths)).unwrap()
    }

    /// Polls the queue until `done` holds for its items (30 s at most).
    fn items_until(&self, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let items = self.items();
            if done(&items) {
                return items;
            }
            assert!(Instant::now() < deadline, "{what}: {items:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// What the scan sorter does: gives scan `id` the patient a person chose, and sends it.
    fn sort(&self, patient: &str, id: u64) -> crate::commands::upload::UploadSummary {
        tauri::async_runtime::block_on(start_upload(
            self.h.app.handle().clone(),
            self.h.app.state(),
            patient.into(),
            None,
            vec![id],
            Some(id),
            Channel::new(|_| Ok(())),
        ))
        .unwrap()
    }

    fn path_of(&self, item: &Value) -> PathBuf {
        let id = item["id"].as_u64().unwrap();
        let state = self.h.app.state::<AppState>();
        let path = state.queue().get(id).unwrap().path.clone();
        path
    }

    fn scans_folder(&self) -> PathBuf {
        decoda_pages::scans_folder(self.h.app.state::<AppState>().data_dir())
    }
}

fn jpeg(page: image::GrayImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageLuma8(page)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .unwrap();
    out.into_inner()
}

/// A cover sheet for `patient` of `tenant`, scanned at 150 dpi.
fn sheet(tenant: &str, patient: &str) -> Vec<u8> {
    let code = decoda_cover::CoverCode::new(tenant, patient);
    jpeg(decoda_cover::cover_sheet_image(&code, 150).unwrap())
}

/// A page of a letter (lines of text, no code), scanned at 150 dpi; `shade` tells pages apart.
fn letter(shade: u8) -> Vec<u8> {
    jpeg(image::GrayImage::from_fn(1275, 1650, |x, y| {
        image::Luma([if x > 200 && y / 40 % 3 == 0 {
            shade
        } else {
            255
        }])
    }))
}

/// A scanner's PDF of `pages` (JPEG and turn) at 150 dpi, written to `path`.
fn stack(path: &Path, pages: &[(&[u8], u16)]) {
    std::fs::write(path, decoda_pages::pdf_from_pages(pages, 150).unwrap()).unwrap();
}

fn proposed(items: &[Value]) -> Vec<Value> {
    items
        .iter()
        .map(|i| i["cover"]["patientId"].clone())
        .collect()
}

/// A dropped stack with two cover sheets becomes two documents, each waiting for a person with
/// its sheet's patient proposed, its pages embedded as scanned and turns kept; the stack is not
/// listed, and dropping it again lists nothing new. An ordinary PDF dropped with it is listed as
/// before, ready for the chosen patient.
#[test]
fn a_dropped_stack_with_two_cover_sheets_becomes_two_waiting_scans_and_is_not_listed_itself() {
    let desk = Desk::open(|_| String::new());
    let tenant = decoda_sandbox::DEFAULT_TENANT;
    let (first, second, third) = (letter(0), letter(40), letter(80));
    let files = desk.h._dir.path().join("dropped");
    std::fs::create_dir(&files).unwrap();
    let pdf = files.join("stack.pdf");
    stack(
        &pdf,
        &[
            (&sheet(tenant, "pat_1001"), 0),
            (&first, 0),
            (&sheet(tenant, "pat_1002"), 0),
            (&second, 90),
            (&third, 0),
        ],
    );
    let before = std::fs::read(&pdf).unwrap();
    let ordinary = files.join("letter.pdf");
    stack(&ordinary, &[(&first, 0), (&second, 0)]);

    assert_eq!(desk.drop_paths(&[&pdf, &ordinary]), 3);
    let items = desk.items();
    assert_eq!(items.len(), 3, "{items:?}");
    let letter_item = &items[0];
    assert_eq!(desk.path_of(letter_item), ordinary, "listed as it is");
    assert_eq!(letter_item["state"], "ready");
    assert_eq!(letter_item["needsPatient"], false);
    assert_eq!(letter_item["cover"], Value::Null);

    let parts = &items[1..];
    assert_eq!(proposed(parts), [json!("pat_1001"), json!("pat_1002")]);
    let ids: Vec<Value> = parts.iter().map(|i| i["id"].clone()).collect();
    assert_eq!(
        desk.queue()["toSort"],
        json!(ids),
        "each waits for a person"
    );
    assert!(
        parts
            .iter()
            .all(|i| i["needsPatient"] == true && i["sendable"] == false),
        "a proposal is not a choice: {parts:?}"
    );
    let pages: Vec<Vec<(Vec<u8>, u16)>> = parts
        .iter()
        .map(|part| {
            let path = desk.path_of(part);
            assert_eq!(path.parent(), Some(desk.scans_folder().as_path()));
            decoda_pages::scanned_pages(&path, 10)
                .unwrap()
                .unwrap()
                .into_iter()
                .map(|p| (p.jpeg, p.turn))
                .collect()
        })
        .collect();
    assert_eq!(
        pages,
        [
            vec![(first.clone(), 0)],
            vec![(second.clone(), 90), (third.clone(), 0)]
        ],
        "the sheets are left out, the pages embedded as scanned, turns kept"
    );
    assert_eq!(
        std::fs::read(&pdf).unwrap(),
        before,
        "the stack is left as it was"
    );
    assert_eq!(
        *desk.splits.lock().unwrap(),
        [json!({ "stacks": 1, "sheets": 2, "documents": 2, "emptySheets": 0 })]
    );

    assert_eq!(
        desk.drop_paths(&[&pdf]),
        0,
        "the same drop twice lists nothing new"
    );
    assert_eq!(desk.items().len(), 3);

    let summary = desk.sort("pat_1001", parts[0]["id"].as_u64().unwrap());
    assert_eq!(summary.uploaded.len(), 1);
    let stored = desk.h.sandbox.state().attachments();
    assert_eq!(stored.len(), 1, "only the sorted part was sent");
    assert_eq!(stored[0].patient_id, "pat_1001");
    assert!(pdf.exists(), "the stack is never removed");
}

/// A sheet of another account ends the part before it, and the pages after it are proposed for
/// no one, with the reason; a PDF of scanned pages without any sheet is listed as it is.
#[test]
fn a_stack_with_a_code_of_another_tenant_gets_a_part_with_the_reason_and_no_patient() {
    let desk = Desk::open(|_| String::new());
    let files = desk.h._dir.path();
    let pdf = files.join("stack.pdf");
    stack(
        &pdf,
        &[
            (&sheet("another-clinic", "pat_1001"), 0),
            (&letter(0), 0),
            (&sheet(decoda_sandbox::DEFAULT_TENANT, "pat_1002"), 0),
            (&letter(40), 0),
        ],
    );
    let plain = files.join("plain.pdf");
    stack(&plain, &[(&letter(0), 0)]);
    assert_eq!(desk.drop_paths(&[&pdf, &plain]), 3);
    let items = desk.items();
    assert_eq!(desk.path_of(&items[0]), plain);
    assert_eq!(items[0]["cover"], Value::Null);
    assert_eq!(proposed(&items[1..]), [Value::Null, json!("pat_1002")]);
    let why = items[1]["cover"]["noPatient"].as_str().unwrap();
    assert!(why.contains("another account"), "{why}");
    assert_eq!(
        items[1]["needsPatient"], true,
        "it still waits for a person"
    );
}

/// A stack the scanner inbox takes is listed as its parts; it stays in the inbox while a part
/// waits, and goes to the sent folder once every part is in the chart. Read again (a restart),
/// a part already sent comes back as already uploaded, never ready for another patient.
#[test]
fn an_inbox_stack_is_listed_as_its_parts_and_goes_to_sent_once_every_part_is_in_the_chart() {
    let desk = Desk::open(|dir| {
        std::fs::create_dir(dir.join("inbox")).unwrap();
        format!(
            "[inbox]\nfolder = {}\nsent_folder = {}\nsettle_seconds = 1\n",
            toml::Value::String(dir.join("inbox").to_string_lossy().into()),
            toml::Value::String(dir.join("sent").to_string_lossy().into()),
        )
    });
    let tenant = decoda_sandbox::DEFAULT_TENANT;
    let inbox = desk.h._dir.path().join("inbox");
    let sent = desk.h._dir.path().join("sent");
    let written = desk.h._dir.path().join("scan-0001.pdf");
    stack(
        &written,
        &[
            (&sheet(tenant, "pat_1001"), 0),
            (&letter(0), 0),
            (&sheet(tenant, "pat_1002"), 0),
            (&letter(40), 0),
        ],
    );
    std::fs::write(inbox.join("note.txt"), b"a plain scan").unwrap();
    std::fs::rename(&written, inbox.join("scan-0001.pdf")).unwrap();
    let items = desk.items_until("the note and both parts listed", |q| q.len() == 3);
    let note = items
        .iter()
        .find(|i| i["fileName"] == "note.txt")
        .expect("the plain scan, listed as before");
    assert_eq!(note["fromInbox"], true);
    let parts: Vec<&Value> = items.iter().filter(|i| i["cover"] != Value::Null).collect();
    assert_eq!(
        parts
            .iter()
            .map(|i| i["cover"]["patientId"].clone())
            .collect::<Vec<_>>(),
        [json!("pat_1001"), json!("pat_1002")]
    );
    assert!(
        items.iter().all(|i| i["fileName"] != "scan-0001.pdf"),
        "{items:?}"
    );

    let first = parts[0]["id"].as_u64().unwrap();
    let second = parts[1]["id"].as_u64().unwrap();
    assert_eq!(desk.sort("pat_1001", first).uploaded.len(), 1);
    assert!(
        inbox.join("scan-0001.pdf").exists() && !sent.join("scan-0001.pdf").exists(),
        "a part still waits: the stack stays"
    );

    // What a restart does: the watcher reports the folder again.
    crate::inbox::restart(desk.h.app.handle());
    let again = desk.items_until("the stack read again", |q| {
        q.iter()
            .filter(|i| i["cover"]["patientId"] == "pat_1001")
            .count()
            == 2
    });
    let back = again
        .iter()
        .filter(|i| i["cover"]["patientId"] == "pat_1001")
        .find(|i| i["id"] != first)
        .unwrap();
    assert_eq!(back["state"], "skipped", "{back}");
    assert!(
        back["reason"]
            .as_str()
            .unwrap()
            .contains("already uploaded"),
        "{back}"
    );
    assert_eq!(
        again
            .iter()
            .filter(|i| i["cover"]["patientId"] == "pat_1002")
            .count(),
        1,
        "the part still waiting is the same file, listed once"
    );

    assert_eq!(desk.sort("pat_1002", second).uploaded.len(), 1);
    assert!(
        sent.join("scan-0001.pdf").exists() && !inbox.join("scan-0001.pdf").exists(),
        "every part is in the chart: the stack went to the sent folder"
    );
    let notes = desk
        .items()
        .into_iter()
        .find(|i| i["id"] == second)
        .unwrap()["notes"]
        .to_string();
    assert!(
        notes.contains("moved to the folder for sent scans"),
        "{notes}"
    );
    let stored = desk.h.sandbox.state().attachments();
    let patients: Vec<&str> = stored.iter().map(|a| a.patient_id.as_str()).collect();
    assert_eq!(
        patients,
        ["pat_1001", "pat_1002"],
        "the stack was never sent whole"
    );
    assert!(
        inbox.join("note.txt").exists(),
        "the plain scan was not sent"
    );
}
