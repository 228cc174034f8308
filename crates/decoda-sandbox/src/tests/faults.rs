//! Faults that can be observed without a socket (the connection-dropping ones are in `tests/`).

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::json;

use super::{get, post_form, state, Form};
use crate::{Fault, FaultRule};

fn two_files() -> Form {
    Form::default()
        .text("patient_id", "pat_1001")
        .file("attachments", "a.pdf", "application/pdf", b"a")
        .file("attachments", "b.pdf", "application/pdf", b"b")
}

#[tokio::test]
async fn status500_reads_the_body_records_it_and_stores_nothing() {
    let state = state();
    state.push_fault(FaultRule::once(Fault::Status500).on_path("/attachments/bulk"));
    let answer = post_form(&state, "/attachments/bulk", two_files()).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer.body, b"Internal Server Error");
    assert!(state.attachments().is_empty());
    let record = &state.uploads()[0];
    assert_eq!(record.outcome, "fault:status500");
    assert_eq!(
        record.parts.len(),
        3,
        "the refused request was read and recorded"
    );
    assert!(record.parts.iter().all(|p| p.complete));

    let retry = post_form(&state, "/attachments/bulk", two_files()).await;
    assert_eq!(
        retry.status,
        StatusCode::OK,
        "a rule applies once by default"
    );
    assert_eq!(state.attachments().len(), 2);
}

#[tokio::test]
async fn rules_match_their_path_and_are_consumed_in_order() {
    let state = state();
    state.push_fault(FaultRule::once(Fault::PayloadTooLarge).on_path("/attachments/bulk"));
    state.push_fault(FaultRule::once(Fault::BadGatewayHtml).times(2));
    let patient = get(&state, "/user/patient/pat_1001").await;
    assert_eq!(
        patient.status,
        StatusCode::BAD_GATEWAY,
        "the path rule does not match, the any-route rule does"
    );
    assert_eq!(patient.headers["content-type"], "text/html");
    let upload = post_form(&state, "/attachments/bulk", two_files()).await;
    assert_eq!(upload.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(upload.json(), json!({"detail": "Request Entity Too Large"}));
    assert_eq!(
        get(&state, "/notes/list").await.status,
        StatusCode::BAD_GATEWAY
    );
    assert_eq!(get(&state, "/notes/list").await.status, StatusCode::OK);
    assert!(state.pending_faults().is_empty());
}

#[tokio::test]
async fn lose_last_stores_everything_but_answers_one_less() {
    let state = state();
    state.push_fault(FaultRule::once(Fault::LoseLast));
    let answer = post_form(&state, "/attachments/bulk", two_files()).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json()["attachments"].as_array().unwrap().len(), 1);
    assert_eq!(state.attachments().len(), 2);
    assert_eq!(state.uploads()[0].outcome, "fault:loseLast");
}

#[tokio::test]
async fn wrong_patient_lies_only_in_the_answer() {
    let state = state();
    state.push_fault(FaultRule::once(Fault::WrongPatient));
    let answer = post_form(&state, "/attachments/bulk", two_files()).await;
    let body = answer.json();
    assert_ne!(body["attachments"][0]["patient"]["id"], "pat_1001");
    assert!(state
        .attachments()
        .iter()
        .all(|a| a.patient_id == "pat_1001"));
}

#[tokio::test]
async fn malformed_json_is_a_200_that_does_not_parse() {
    let state = state();
    state.push_fault(FaultRule::once(Fault::MalformedJson));
    let answer = post_form(&state, "/attachments/bulk", two_files()).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers["content-type"], "application/json");
    assert!(serde_json::from_slice::<serde_json::Value>(&answer.body).is_err());
    assert_eq!(state.attachments().len(), 2, "the files were stored");
}

#[tokio::test]
async fn delay_stores_then_waits() {
    let state = state();
    state.push_fault(FaultRule::once(Fault::Delay { ms: 150 }));
    let started = Instant::now();
    let answer = post_form(&state, "/attachments/bulk", two_files()).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn rate_limit_on_a_json_route() {
    let state = state();
    state.push_fault(FaultRule::once(Fault::RateLimited {
        retry_after_secs: 7,
    }));
    let answer = get(&state, "/user/patient/search?search_term=garcia").await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(answer.headers["retry-after"], "7");
    assert_eq!(answer.headers["x-ratelimit-remaining"], "0");
}

#[tokio::test]
async fn rate_limit_with_raw_headers_sends_only_those() {
    let state = state();
    state.push_fault(FaultRule::once(Fault::RateLimitedWith {
        retry_after: None,
        rate_limit_reset: Some("1800000000".into()),
    }));
    state.push_fault(FaultRule::once(Fault::RateLimitedWith {
        retry_after: Some("1e20".into()),
        rate_limit_reset: Some("bad\nvalue".into()),
    }));
    let answer = get(&state, "/user/patient/search?search_term=garcia").await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(answer.headers["x-ratelimit-reset"], "1800000000");
    assert!(
        !answer.headers.contains_key("retry-after"),
        "only the headers asked for"
    );
    let answer = get(&state, "/user/patient/search?search_term=garcia").await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(answer.headers["retry-after"], "1e20");
    assert!(
        !answer.headers.contains_key("x-ratelimit-reset"),
        "a value that is no header is left out"
    );
    let rule: FaultRule = serde_json::from_value(json!({
        "fault": {"kind": "rateLimitedWith", "rateLimitReset": "3"}
    }))
    .unwrap();
    assert_eq!(
        rule.fault,
        Fault::RateLimitedWith {
            retry_after: None,
            rate_limit_reset: Some("3".into())
        }
    );
}

#[test]
fn fault_rules_have_the_documented_json_shape() {
    let rule: FaultRule = serde_json::from_value(json!({
        "fault": {"kind": "dropMidBody", "afterBytes": 1000},
        "path": "/attachments/bulk"
    }))
    .unwrap();
    assert_eq!(rule.fault, Fault::DropMidBody { after_bytes: 1000 });
    assert_eq!(rule.times, 1, "times defaults to 1");
    let json = serde_json::to_value(FaultRule::once(Fault::RateLimited {
        retry_after_secs: 3,
    }))
    .unwrap();
    assert_eq!(
        json,
        json!({"fault": {"kind": "rateLimited", "retryAfterSecs": 3}, "path": null, "times": 1})
    );
}

#[tokio::test]
async fn answer_only_answers_its_json_without_running_the_route() {
    let rule: FaultRule = serde_json::from_value(json!({
        "fault": {"kind": "answerOnly", "json": "false"},
        "path": "/attachments/bulk"
    }))
    .unwrap();
    assert_eq!(
        rule.fault,
        Fault::AnswerOnly {
            json: "false".into()
        }
    );
    let state = state();
    state.push_fault(rule);
    let answer = post_form(&state, "/attachments/bulk", two_files()).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json(), json!(false));
    assert!(state.attachments().is_empty(), "nothing was stored");
}
