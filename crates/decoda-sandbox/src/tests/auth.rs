//! The key/tenant check: both failures must be reported, with different statuses on purpose.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};

use super::{get, send, state};

#[tokio::test]
async fn missing_headers_are_401() {
    let state = state();
    let request = Request::builder()
        .uri("/user/patient/pat_1001")
        .body(Body::empty())
        .unwrap();
    let answer = send(&state, request).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.json()["detail"], "Could not validate credentials");
}

#[tokio::test]
async fn wrong_key_is_401_and_wrong_tenant_is_403() {
    let state = state();
    let bad_key = Request::builder()
        .uri("/user/patient/pat_1001")
        .header("API-KEY", "nope")
        .header("TENANT", "demo-clinic")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&state, bad_key).await.status, StatusCode::UNAUTHORIZED);

    let bad_tenant = Request::builder()
        .uri("/user/patient/pat_1001")
        .header("API-KEY", "sandbox-demo-key")
        .header("TENANT", "other-clinic")
        .body(Body::empty())
        .unwrap();
    let answer = send(&state, bad_tenant).await;
    assert_eq!(
        answer.status,
        StatusCode::FORBIDDEN,
        "a wrong tenant is 403 on purpose"
    );
    assert_eq!(answer.json()["detail"], "Tenant not found or access denied");
}

#[tokio::test]
async fn rejected_uploads_are_still_recorded() {
    let state = state();
    let request = Request::builder()
        .method(Method::POST)
        .uri("/attachments/bulk")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&state, request).await.status, StatusCode::UNAUTHORIZED);
    let uploads = state.uploads();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].outcome, "rejected:401");
}

#[tokio::test]
async fn health_needs_no_key_but_api_routes_do() {
    let state = state();
    let health = send(
        &state,
        Request::builder()
            .uri("/__sandbox/health")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json(), serde_json::json!({"ok": true}));
    assert_eq!(
        get(&state, "/user/patient/pat_1001").await.status,
        StatusCode::OK
    );
}
