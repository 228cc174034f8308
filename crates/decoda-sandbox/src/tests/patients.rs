//! Patient chart, search and notes: the look-ups a client uses to pick the right chart.

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::{get, state};

fn ids(answer: &Value) -> Vec<String> {
    answer
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn chart_has_the_identifiers_a_client_checks() {
    let state = state();
    let chart = get(&state, "/user/patient/pat_1004").await.json();
    assert_eq!(chart["firstName"], "Zoë");
    assert_eq!(chart["lastName"], "O'Brien");
    assert_eq!(chart["dateOfBirth"], "2001-02-28");
    assert_eq!(chart["isArchived"], false);
    assert_eq!(chart["type"], "PATIENT");
    assert!(chart["createdDate"].is_string());

    let archived = get(&state, "/user/patient/pat_1005").await.json();
    assert_eq!(archived["isArchived"], true);
}

#[tokio::test]
async fn unknown_patient_is_404() {
    let answer = get(&state(), "/user/patient/pat_9999").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.json(), json!({"detail": "Patient not found"}));
}

#[tokio::test]
async fn search_by_name_finds_both_look_alikes_with_different_birth_dates() {
    let found = get(&state(), "/user/patient/search?search_term=GARCIA&n=10")
        .await
        .json();
    assert_eq!(ids(&found), ["pat_1001", "pat_1002"]);
    let dobs: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["dateOfBirth"].as_str().unwrap())
        .collect();
    assert_ne!(dobs[0], dobs[1], "look-alikes differ only by date of birth");
    assert!(found[0]["memberships"].is_array());
}

#[tokio::test]
async fn search_by_full_name_accents_and_apostrophe() {
    let state = state();
    let by_full = get(&state, "/user/patient/search?search_term=maria%20garcia")
        .await
        .json();
    assert_eq!(ids(&by_full).len(), 2);
    let unaccented = get(&state, "/user/patient/search?search_term=zoe%20o%27brien")
        .await
        .json();
    assert_eq!(ids(&unaccented), ["pat_1004"]);
    let preferred = get(&state, "/user/patient/search?search_term=pepe")
        .await
        .json();
    assert_eq!(ids(&preferred), ["pat_1007"]);
}

#[tokio::test]
async fn search_by_date_of_birth_in_both_formats() {
    let state = state();
    let iso = get(&state, "/user/patient/search?search_term=1991-07-30")
        .await
        .json();
    assert_eq!(ids(&iso), ["pat_1002"]);
    let us = get(&state, "/user/patient/search?search_term=07/30/1991")
        .await
        .json();
    assert_eq!(ids(&us), ["pat_1002"]);
}

#[tokio::test]
async fn search_by_phone_external_id_and_id() {
    let state = state();
    let phone = get(&state, "/user/patient/search?search_term=555-010-1003")
        .await
        .json();
    assert_eq!(ids(&phone), ["pat_1003"]);
    let mrn = get(&state, "/user/patient/search?search_term=mrn-1006")
        .await
        .json();
    assert_eq!(ids(&mrn), ["pat_1006"]);
    let id = get(&state, "/user/patient/search?search_term=pat_1008")
        .await
        .json();
    assert_eq!(ids(&id), ["pat_1008"]);
}

#[tokio::test]
async fn empty_term_lists_the_first_n() {
    let found = get(&state(), "/user/patient/search?search_term=&n=3")
        .await
        .json();
    assert_eq!(ids(&found), ["pat_1001", "pat_1002", "pat_1003"]);
}

#[tokio::test]
async fn bad_n_is_a_query_422() {
    let answer = get(&state(), "/user/patient/search?search_term=x&n=ten").await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    let detail = &answer.json()["detail"][0];
    assert_eq!(detail["loc"], json!(["query", "n"]));
    assert_eq!(detail["type"], "int_parsing");
}

#[tokio::test]
async fn table_filters_by_name_and_date_of_birth() {
    let page = get(
        &state(),
        "/user/patient/table?name=maria%20garcia&date_of_birth=1984-03-12&per_page=5",
    )
    .await
    .json();
    assert_eq!(page["total"], 1);
    assert_eq!(page["data"][0]["id"], "pat_1001");
}

#[tokio::test]
async fn notes_list_pages_a_patients_notes_newest_first() {
    let state = state();
    let all = get(&state, "/notes/list?patient_id=pat_1003&page=1&per_page=20")
        .await
        .json();
    assert_eq!(all["total"], 3);
    let ids: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["note_2006", "note_2005", "note_2004"]);
    let first = &all["data"][0];
    assert_eq!(first["title"], "Follow-up");
    assert_eq!(first["patient"]["id"], "pat_1003");
    assert_eq!(first["aiGenerated"], false);
    assert_eq!(first["version"], 1);
    assert!(first["visitDate"].is_string());

    let second_page = get(&state, "/notes/list?patient_id=pat_1003&page=2&per_page=2")
        .await
        .json();
    assert_eq!(second_page["total"], 3);
    assert_eq!(second_page["data"].as_array().unwrap().len(), 1);
    assert_eq!(second_page["data"][0]["id"], "note_2004");
}
