//! Renames, day paging, note listing, moves and deletes of stored attachments.

use axum::http::{Method, StatusCode};
use chrono::{TimeZone, Utc};
use serde_json::{json, Value};

use super::{get, post_form, send_json, state, Form};
use crate::SandboxState;

/// Uploads `count` small files for a patient (optionally to a note) and returns their ids.
async fn upload(
    state: &SandboxState,
    patient: &str,
    note: Option<&str>,
    count: usize,
) -> Vec<String> {
    let mut form = Form::default().text("patient_id", patient);
    if let Some(note) = note {
        form = form.text("note_id", note);
    }
    for i in 0..count {
        form = form.file("attachments", &format!("f{i}.txt"), "text/plain", b"x");
    }
    let answer = post_form(state, "/attachments/bulk", form).await;
    assert_eq!(answer.status, StatusCode::OK);
    answer.json()["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

fn ids_of(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn bulk_names_renames_all() {
    let state = state();
    let ids = upload(&state, "pat_1001", None, 2).await;
    let body = json!({"updates": [
        {"attachmentId": ids[0], "name": "Referral letter"},
        {"attachmentId": ids[1], "name": "Lab results, page 2"},
    ]});
    let answer = send_json(&state, Method::PUT, "/attachments/bulk-names", &body).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json(), json!(true));
    let names: Vec<String> = state
        .attachments()
        .into_iter()
        .map(|a| a.response.name)
        .collect();
    assert_eq!(names, ["Referral letter", "Lab results, page 2"]);
}

#[tokio::test]
async fn bulk_names_with_an_unknown_id_changes_nothing() {
    let state = state();
    let ids = upload(&state, "pat_1001", None, 1).await;
    let body = json!({"updates": [
        {"attachmentId": ids[0], "name": "Renamed"},
        {"attachmentId": "no-such-id", "name": "x"},
    ]});
    let answer = send_json(&state, Method::PUT, "/attachments/bulk-names", &body).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.json(), json!({"detail": "Attachment not found"}));
    assert_eq!(state.attachments()[0].response.name, "f0.txt");
}

#[tokio::test]
async fn bulk_names_validates_items() {
    let state = state();
    let body = json!({"updates": [{"name": "x"}]});
    let answer = send_json(&state, Method::PUT, "/attachments/bulk-names", &body).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        answer.json()["detail"][0]["loc"],
        json!(["body", "updates", 0, "attachmentId"])
    );
}

#[tokio::test]
async fn day_pages_walk_back_through_days_with_attachments() {
    let state = state();
    let old = upload(&state, "pat_1002", None, 1).await;
    let older = upload(&state, "pat_1002", None, 1).await;
    let recent = upload(&state, "pat_1002", None, 2).await;
    upload(&state, "pat_1003", None, 1).await; // another patient's file must not show
    assert!(state.set_created_date(
        &old[0],
        Utc.with_ymd_and_hms(2026, 3, 10, 15, 0, 0).unwrap()
    ));
    assert!(state.set_created_date(
        &older[0],
        Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap()
    ));
    for id in &recent {
        assert!(state.set_created_date(id, Utc.with_ymd_and_hms(2026, 3, 12, 9, 30, 0).unwrap()));
    }

    let first = get(
        &state,
        "/attachments?tz=America/Chicago&patient_id=pat_1002",
    )
    .await
    .json();
    assert_eq!(first["date"], "2026-03-12");
    assert_eq!(ids_of(&first["data"]).len(), 2);
    assert_eq!(first["nextDate"], "2026-03-10");

    let second = get(
        &state,
        "/attachments?tz=America/Chicago&patient_id=pat_1002&date=2026-03-10",
    )
    .await
    .json();
    assert_eq!(ids_of(&second["data"]), old);
    assert_eq!(second["nextDate"], "2026-03-01");

    let last = get(
        &state,
        "/attachments?tz=UTC&patient_id=pat_1002&date=2026-03-01",
    )
    .await
    .json();
    assert_eq!(ids_of(&last["data"]), older);
    assert_eq!(last["nextDate"], Value::Null);
}

#[tokio::test]
async fn no_attachments_gives_today_and_no_cursor() {
    let page = get(&state(), "/attachments?tz=UTC&patient_id=pat_1008")
        .await
        .json();
    assert_eq!(page["date"], Utc::now().date_naive().to_string());
    assert_eq!(page["data"], json!([]));
    assert_eq!(page["nextDate"], Value::Null);
}

#[tokio::test]
async fn tz_is_required_and_non_empty() {
    let state = state();
    let missing = get(&state, "/attachments?patient_id=pat_1001").await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        missing.json(),
        json!({"detail": [{"loc": ["query", "tz"], "msg": "Field required", "type": "missing", "input": null}]})
    );
    let empty = get(&state, "/attachments?tz=&patient_id=pat_1001").await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(empty.json()["detail"][0]["loc"], json!(["query", "tz"]));
}

#[tokio::test]
async fn note_id_gives_a_plain_list_of_that_notes_files() {
    let state = state();
    let on_note = upload(&state, "pat_1003", Some("note_2005"), 2).await;
    upload(&state, "pat_1003", Some("note_2006"), 1).await;
    upload(&state, "pat_1003", None, 1).await;
    let list = get(&state, "/attachments?tz=UTC&note_id=note_2005")
        .await
        .json();
    assert_eq!(ids_of(&list), on_note);
}

#[tokio::test]
async fn moving_drops_the_note_and_delete_removes() {
    let state = state();
    let ids = upload(&state, "pat_1001", Some("note_2001"), 1).await;
    let uri = format!("/attachments/{}/patient", ids[0]);
    let moved = send_json(&state, Method::PUT, &uri, &json!({"patientId": "pat_1002"})).await;
    assert_eq!(moved.status, StatusCode::OK);
    let stored = &state.attachments()[0];
    assert_eq!(stored.patient_id, "pat_1002");
    assert_eq!(stored.response.note_id, None);
    assert_eq!(stored.response.patient.as_ref().unwrap().id, "pat_1002");

    let to_nobody = send_json(&state, Method::PUT, &uri, &json!({"patientId": "pat_0"})).await;
    assert_eq!(to_nobody.status, StatusCode::NOT_FOUND);

    let uri = format!("/attachments/{}", ids[0]);
    let request = super::authed(Method::DELETE, &uri)
        .body(axum::body::Body::empty())
        .unwrap();
    let deleted = super::send(&state, request).await;
    assert_eq!(deleted.json(), json!(true));
    assert!(state.attachments().is_empty());
    let again = super::send(
        &state,
        super::authed(Method::DELETE, &uri)
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn reset_clears_attachments_and_uploads_but_keeps_patients() {
    let state = state();
    upload(&state, "pat_1001", None, 1).await;
    state.reset();
    assert!(state.attachments().is_empty());
    assert!(state.uploads().is_empty());
    assert_eq!(
        get(&state, "/user/patient/pat_1001").await.status,
        StatusCode::OK
    );
}

/// Moves `id` to `patient` and returns the answer.
async fn move_to(state: &SandboxState, id: &str, patient: &Value) -> super::Answer {
    let uri = format!("/attachments/{id}/patient");
    send_json(state, Method::PUT, &uri, &json!({ "patientId": patient })).await
}

/// The ids on a patient's most recent day page (where a file uploaded today is).
async fn chart_ids(state: &SandboxState, patient: &str) -> Vec<String> {
    let page = get(state, &format!("/attachments?tz=UTC&patient_id={patient}")).await;
    assert_eq!(page.status, StatusCode::OK);
    ids_of(&page.json()["data"])
}

#[tokio::test]
async fn a_moved_file_is_listed_in_the_new_chart_only_and_keeps_its_name_and_date() {
    let state = state();
    let ids = upload(&state, "pat_1001", Some("note_2001"), 2).await;
    let before = state.attachments()[0].clone();
    let moved = move_to(&state, &ids[0], &json!("pat_1002")).await;
    assert_eq!(moved.status, StatusCode::OK);
    assert_eq!(moved.json(), json!(true), "the contract's answer is `true`");
    assert_eq!(chart_ids(&state, "pat_1002").await, [ids[0].clone()]);
    assert_eq!(
        chart_ids(&state, "pat_1001").await,
        [ids[1].clone()],
        "the moved file leaves the first chart; the other file stays"
    );
    let after = &state.attachments()[0];
    assert_eq!(after.response.name, before.response.name);
    assert_eq!(after.response.created_date, before.response.created_date);
    assert_eq!(after.response.note, None, "note links are dropped");
    let note_files = get(&state, "/attachments?tz=UTC&note_id=note_2001")
        .await
        .json();
    assert_eq!(ids_of(&note_files), [ids[1].clone()]);
}

#[tokio::test]
async fn moving_an_unknown_attachment_or_to_an_unknown_patient_is_404_and_changes_nothing() {
    let state = state();
    let ids = upload(&state, "pat_1001", Some("note_2001"), 1).await;
    let unknown = move_to(&state, "no-such-attachment", &json!("pat_1002")).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.json(), json!({"detail": "Attachment not found"}));
    for nobody in ["pat_0", ""] {
        let answer = move_to(&state, &ids[0], &json!(nobody)).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{nobody:?}");
        assert_eq!(answer.json(), json!({"detail": "Patient not found"}));
    }
    let stored = &state.attachments()[0];
    assert_eq!(stored.patient_id, "pat_1001");
    assert_eq!(stored.response.note_id.as_deref(), Some("note_2001"));
}

#[tokio::test]
async fn a_move_without_a_patient_id_string_is_422() {
    let state = state();
    let ids = upload(&state, "pat_1001", None, 1).await;
    let uri = format!("/attachments/{}/patient", ids[0]);
    let missing = send_json(
        &state,
        Method::PUT,
        &uri,
        &json!({"patient_id": "pat_1002"}),
    )
    .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        missing.json()["detail"][0]["loc"],
        json!(["body", "patientId"])
    );
    assert_eq!(missing.json()["detail"][0]["type"], "missing");
    let number = move_to(&state, &ids[0], &json!(1002)).await;
    assert_eq!(number.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(number.json()["detail"][0]["type"], "string_type");
    assert_eq!(state.attachments()[0].patient_id, "pat_1001");
}

#[tokio::test]
async fn contract_only_moves_the_same_and_answers_true() {
    let state = SandboxState::new(crate::Config {
        contract_only: true,
        ..crate::Config::default()
    })
    .unwrap();
    let ids = upload(&state, "pat_1001", None, 1).await;
    let moved = move_to(&state, &ids[0], &json!("pat_1003")).await;
    assert_eq!(moved.status, StatusCode::OK);
    assert_eq!(moved.json(), json!(true));
    let page = get(&state, "/attachments?tz=UTC&patient_id=pat_1003")
        .await
        .json();
    assert_eq!(ids_of(&page["data"]), ids);
    assert_eq!(
        page["data"][0]["patient"],
        Value::Null,
        "contract-only listings do not say whose chart a file is in: the listing by patient does"
    );
}

#[tokio::test]
async fn the_answer_only_fault_says_true_and_moves_nothing() {
    let state = state();
    let ids = upload(&state, "pat_1001", None, 1).await;
    let path = format!("/attachments/{}/patient", ids[0]);
    state.push_fault(
        crate::FaultRule::once(crate::Fault::AnswerOnly {
            json: "true".into(),
        })
        .on_path(&path),
    );
    let answer = move_to(&state, &ids[0], &json!("pat_1002")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json(), json!(true));
    assert_eq!(
        state.attachments()[0].patient_id,
        "pat_1001",
        "the server claimed the move without making it"
    );
    let again = move_to(&state, &ids[0], &json!("pat_1002")).await;
    assert_eq!(again.json(), json!(true));
    assert_eq!(state.attachments()[0].patient_id, "pat_1002", "used once");
}
