//! Calls against the loopback sandbox, as they go over the wire: what each call sends, and how
//! each answer the contract allows (and some it does not) comes back.

#![allow(clippy::unwrap_used, clippy::expect_used)]
use decoda_api::{
    ApiError, ApiKey, AttachmentId, BaseUrl, Client, ErrorCategory, FilePart, NotFound, PatientId,
    SingleUpload,
};
use decoda_sandbox::{Config, Fault, FaultRule, Sandbox};

async fn sandbox() -> (Sandbox, Client) {
    let config = Config::default();
    let key = config.api_key.clone();
    let sandbox = decoda_sandbox::spawn(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let client = Client::builder(
        BaseUrl::parse(&sandbox.base_url()).unwrap(),
        "demo-clinic",
        ApiKey::new(key),
    )
    .build()
    .unwrap();
    (sandbox, client)
}

/// Uploads one small file to `patient` (on a note) and returns its attachment id.
async fn upload(client: &Client, patient: &str) -> AttachmentId {
    let bytes: &'static [u8] = b"%PDF-1.4 consent";
    let attachment = client
        .upload_one(SingleUpload {
            patient_id: PatientId::new(patient),
            note_id: Some("note_2001".into()),
            name: Some("Consent form".into()),
            external_id: None,
            file: FilePart {
                file_name: "consent.pdf".into(),
                content_type: "application/pdf".into(),
                length: bytes.len() as u64,
                body: reqwest::Body::from(bytes),
            },
        })
        .await
        .unwrap();
    attachment.id
}

#[tokio::test]
async fn move_attachment_files_it_in_the_other_chart() {
    let (sandbox, client) = sandbox().await;
    let id = upload(&client, "pat_1001").await;
    client
        .move_attachment(&id, &PatientId::new("pat_1002"))
        .await
        .unwrap();
    let stored = &sandbox.state().attachments()[0];
    assert_eq!(stored.patient_id, "pat_1002", "the body carried patientId");
    assert_eq!(stored.response.note_id, None);
    let page = client
        .attachments_day(&PatientId::new("pat_1002"), "UTC", None)
        .await
        .unwrap();
    assert_eq!(
        page.data.iter().map(|a| &a.id).collect::<Vec<_>>(),
        [&id],
        "the other chart lists it"
    );
}

#[tokio::test]
async fn a_move_of_an_unknown_attachment_or_to_an_unknown_patient_says_which() {
    let (sandbox, client) = sandbox().await;
    let id = upload(&client, "pat_1001").await;
    let unknown = client
        .move_attachment(&AttachmentId::new("att_nope"), &PatientId::new("pat_1002"))
        .await
        .unwrap_err();
    assert!(
        matches!(&unknown, ApiError::NotFound(NotFound::Attachment(a)) if a == "att_nope"),
        "{unknown:?}"
    );
    assert_eq!(unknown.to_string(), "no attachment with id `att_nope`");
    let nobody = client
        .move_attachment(&id, &PatientId::new("pat_0"))
        .await
        .unwrap_err();
    assert!(
        matches!(&nobody, ApiError::NotFound(NotFound::Patient(p)) if p == "pat_0"),
        "{nobody:?}"
    );
    assert_eq!(nobody.category(), ErrorCategory::NotFound);
    assert_eq!(sandbox.state().attachments()[0].patient_id, "pat_1001");
}

/// The contract's answer is `true`; `false`, or anything else, is not a move, whatever the status.
#[tokio::test]
async fn a_move_answered_with_anything_but_true_is_an_error() {
    let (sandbox, client) = sandbox().await;
    let id = upload(&client, "pat_1001").await;
    let path = format!("/attachments/{id}/patient");
    for (answer, expected) in [
        ("false", "did not confirm the move"),
        ("\"ok\"", "unexpected JSON"),
    ] {
        sandbox.state().push_fault(
            FaultRule::once(Fault::AnswerOnly {
                json: answer.into(),
            })
            .on_path(&path),
        );
        let error = client
            .move_attachment(&id, &PatientId::new("pat_1002"))
            .await
            .expect_err(answer);
        let text = error.to_string();
        assert!(text.contains(expected), "{answer}: {text}");
        assert!(!text.contains("sandbox-demo-key"), "{text}");
        assert_eq!(error.category(), ErrorCategory::Unreachable, "{answer}");
    }
    assert_eq!(sandbox.state().attachments()[0].patient_id, "pat_1001");
}
