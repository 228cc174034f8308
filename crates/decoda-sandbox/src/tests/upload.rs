//! The upload endpoints: exact bytes, file names, names/external ids in both encodings, and FastAPI errors.

use axum::http::StatusCode;
use serde_json::json;

use super::{get, path_of, post_form, sample_bytes, sha256_hex, state, state_with, Form};
use crate::NamesEncoding;

/// What a browser or reqwest sends for `scan 1, page "A" – Zoë.pdf`: spaces and commas as is, the quote as
/// `%22`, non-ASCII as raw UTF-8.
const TRICKY_NAME: &str = "scan 1, page %22A%22 – Zoë.pdf";

#[tokio::test]
async fn bulk_stores_exact_bytes_in_upload_order() {
    let state = state();
    let first = sample_bytes(300_000, 1);
    let second = b"--sandbox-test-boundary-7f3 looks like a boundary\r\n\r\n".to_vec();
    let form = Form::default()
        .text("patient_id", "pat_1001")
        .file("attachments", TRICKY_NAME, "application/pdf", &first)
        .file("attachments", "plain.txt", "text/plain", &second);
    let answer = post_form(&state, "/attachments/bulk", form).await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    let body = answer.json();
    let returned = body["attachments"].as_array().unwrap();
    assert_eq!(returned.len(), 2);
    assert_eq!(returned[0]["originalFilename"], TRICKY_NAME);
    assert_eq!(
        returned[0]["name"], TRICKY_NAME,
        "without names the filename is the name"
    );
    assert_eq!(returned[1]["originalFilename"], "plain.txt");
    assert_eq!(returned[0]["patient"]["id"], "pat_1001");
    assert_eq!(returned[0]["patient"]["dateOfBirth"], "1984-03-12");
    assert_eq!(returned[0]["note"], serde_json::Value::Null);
    assert_eq!(returned[0]["tags"], json!([]));
    let id = returned[0]["id"].as_str().unwrap();
    assert_eq!(
        returned[0]["gcsPath"],
        format!("demo-clinic/patients/pat_1001/{id}/{TRICKY_NAME}")
    );

    let stored = state.attachments();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0].sha256, sha256_hex(&first));
    assert_eq!(stored[0].size, first.len() as u64);
    assert_eq!(stored[0].content_type.as_deref(), Some("application/pdf"));
    assert_eq!(stored[1].sha256, sha256_hex(&second));

    let served = get(&state, &path_of(returned[0]["signedUrl"].as_str().unwrap())).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(
        served.body, first,
        "the signed URL serves exactly the uploaded bytes"
    );
    assert_eq!(served.headers["content-type"], "application/pdf");
}

#[tokio::test]
async fn upload_record_keeps_the_wire_format() {
    let state = state();
    let form = Form::default()
        .text("patient_id", "pat_1001")
        .file("attachments", TRICKY_NAME, "application/pdf", b"%PDF-1.4")
        .text("names", r#"["Visit scan"]"#);
    post_form(&state, "/attachments/bulk", form).await;
    let record = &state.uploads()[0];
    assert_eq!(record.endpoint, "/attachments/bulk");
    assert_eq!(record.outcome, "stored");
    assert_eq!(record.field_order, ["patient_id", "attachments", "names"]);
    assert_eq!(record.names.as_deref(), Some(r#"["Visit scan"]"#));
    let part = &record.parts[1];
    assert_eq!(part.file_name.as_deref(), Some(TRICKY_NAME));
    assert_eq!(
        part.content_disposition,
        format!("form-data; name=\"attachments\"; filename=\"{TRICKY_NAME}\"")
    );
    assert!(part.complete);
    assert_eq!(part.size, 8);
    assert_eq!(part.sha256, sha256_hex(b"%PDF-1.4"));
}

fn names_form(names: &str, external_ids: &str) -> Form {
    Form::default()
        .text("patient_id", "pat_1003")
        .text("note_id", "note_2004")
        .file("attachments", "a.pdf", "application/pdf", b"a")
        .file("attachments", "b,c.pdf", "application/pdf", b"b")
        .file("attachments", "d.pdf", "application/pdf", b"d")
        .text("names", names)
        .text("external_ids", external_ids)
}

fn names_and_ids(body: &serde_json::Value) -> Vec<(serde_json::Value, serde_json::Value)> {
    body["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["name"].clone(), a["externalId"].clone()))
        .collect()
}

#[tokio::test]
async fn names_as_json_arrays() {
    let state = state_with(NamesEncoding::Json);
    let form = names_form(
        r#"["First, with comma", null, "Third"]"#,
        r#"["ext-1", null, "ext-3"]"#,
    );
    let answer = post_form(&state, "/attachments/bulk", form).await;
    assert_eq!(answer.status, StatusCode::OK);
    let body = answer.json();
    assert_eq!(
        names_and_ids(&body),
        [
            (json!("First, with comma"), json!("ext-1")),
            (json!("b,c.pdf"), json!(null)),
            (json!("Third"), json!("ext-3")),
        ]
    );
    assert_eq!(body["attachments"][0]["noteId"], "note_2004");
    assert_eq!(body["attachments"][0]["note"]["id"], "note_2004");
}

#[tokio::test]
async fn names_comma_separated() {
    let state = state_with(NamesEncoding::Comma);
    let answer = post_form(
        &state,
        "/attachments/bulk",
        names_form("First,,Third", "ext-1,,ext-3"),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        names_and_ids(&answer.json()),
        [
            (json!("First"), json!("ext-1")),
            (json!("b,c.pdf"), json!(null)),
            (json!("Third"), json!("ext-3")),
        ]
    );
}

#[tokio::test]
async fn encoding_can_change_at_run_time() {
    let state = state_with(NamesEncoding::Json);
    state.set_names_encoding(NamesEncoding::Comma);
    let answer = post_form(&state, "/attachments/bulk", names_form("x,y,z", "1,2,3")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json()["attachments"][1]["name"], "y");
}

#[tokio::test]
async fn names_that_are_not_json_are_a_422_and_store_nothing() {
    let state = state_with(NamesEncoding::Json);
    let answer = post_form(&state, "/attachments/bulk", names_form("a,b,c", "[]")).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.json()["detail"][0]["loc"], json!(["body", "names"]));
    assert!(state.attachments().is_empty());
    assert_eq!(state.uploads()[0].outcome, "rejected:422");
}

#[tokio::test]
async fn missing_patient_id_is_fastapis_422_shape() {
    let state = state();
    let form = Form::default().file("attachments", "a.pdf", "application/pdf", b"a");
    let answer = post_form(&state, "/attachments/bulk", form).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        answer.json(),
        json!({"detail": [{"loc": ["body", "patient_id"], "msg": "Field required", "type": "missing", "input": null}]})
    );
}

#[tokio::test]
async fn zero_files_is_a_422_on_attachments() {
    let state = state();
    let form = Form::default().text("patient_id", "pat_1001");
    let answer = post_form(&state, "/attachments/bulk", form).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        answer.json()["detail"][0]["loc"],
        json!(["body", "attachments"])
    );
}

#[tokio::test]
async fn unknown_patient_and_foreign_note_are_404() {
    let state = state();
    let unknown = Form::default().text("patient_id", "pat_4040").file(
        "attachments",
        "a.pdf",
        "application/pdf",
        b"a",
    );
    let answer = post_form(&state, "/attachments/bulk", unknown).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.json(), json!({"detail": "Patient not found"}));

    let foreign_note = Form::default()
        .text("patient_id", "pat_1001")
        .text("note_id", "note_2004")
        .file("attachments", "a.pdf", "application/pdf", b"a");
    let answer = post_form(&state, "/attachments/bulk", foreign_note).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.json(), json!({"detail": "Note not found"}));
    assert!(
        state.attachments().is_empty(),
        "a refused batch stores nothing"
    );
    let files = std::fs::read_dir(state.files_dir()).unwrap().count();
    assert_eq!(files, 0, "files of a refused batch are deleted");
}

#[tokio::test]
async fn single_upload_returns_one_attachment() {
    let state = state();
    let form = Form::default()
        .text("patient_id", "pat_1006")
        .text("note_id", "note_2010")
        .text("name", "Ultrasound 1")
        .text("external_id", "scan-77")
        .file("attachment", "u.jpg", "image/jpeg", b"not really a jpeg");
    let answer = post_form(&state, "/attachments", form).await;
    assert_eq!(answer.status, StatusCode::OK);
    let body = answer.json();
    assert_eq!(body["name"], "Ultrasound 1");
    assert_eq!(body["externalId"], "scan-77");
    assert_eq!(body["noteId"], "note_2010");
    assert_eq!(body["originalFilename"], "u.jpg");
    assert_eq!(state.uploads()[0].endpoint, "/attachments");
    assert_eq!(state.uploads()[0].name.as_deref(), Some("Ultrasound 1"));
}

#[tokio::test]
async fn single_upload_requires_the_file() {
    let form = Form::default().text("patient_id", "pat_1006");
    let answer = post_form(&state(), "/attachments", form).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        answer.json()["detail"][0]["loc"],
        json!(["body", "attachment"])
    );
}

#[tokio::test]
async fn declared_body_over_the_limit_is_413() {
    let state = crate::SandboxState::new(crate::Config {
        max_body_bytes: 100,
        ..crate::Config::default()
    })
    .unwrap();
    let form = Form::default().text("patient_id", "pat_1001").file(
        "attachments",
        "a.bin",
        "application/octet-stream",
        &sample_bytes(500, 0),
    );
    let answer = post_form(&state, "/attachments/bulk", form).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(state.attachments().is_empty());
}
