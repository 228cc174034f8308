//! The client trusts what the operating system trusts: a root certificate that IT installed (for a
//! TLS-inspecting proxy, say) is accepted, and one that is not installed is refused with words
//! that tell IT what to do.
//!
//! On Linux the system's trust store is the CA bundle, which `SSL_CERT_FILE` may point elsewhere;
//! here it points at a temporary file holding only a test root, so the real store is never
//! touched. That variable is read once per process, so this file is a test binary of its own with
//! a single test. (macOS and Windows have no such switch without changing the machine's store.)
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![cfg(all(unix, not(target_vendor = "apple")))]

use decoda_api::{ApiError, ApiKey, BaseUrl, Client, PatientId};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A root CA, as IT would install it.
fn root(name: &str) -> (String, Issuer<'static, KeyPair>) {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), Issuer::new(params, key))
}

/// An HTTPS server on loopback, for `localhost`, whose certificate `issuer` signed. It answers
/// every request with 401, which the client can only report if the TLS handshake succeeded.
async fn https_server(issuer: &Issuer<'static, KeyPair>) -> String {
    let key = KeyPair::generate().unwrap();
    let params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    let cert = params.signed_by(&key, issuer).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from(cert.der().to_vec())],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let body = r#"{"detail":"bad key"}"#;
                let answer = format!(
                    "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    format!("https://localhost:{port}")
}

async fn ask(base: &str) -> ApiError {
    let client = Client::builder(BaseUrl::parse(base).unwrap(), "t", ApiKey::new("k"))
        .proxy(None)
        .build()
        .unwrap();
    client
        .patient(&PatientId::new("pat_1"))
        .await
        .expect_err("the test server answers 401")
}

#[tokio::test]
async fn a_root_certificate_in_the_system_trust_store_is_trusted_and_others_are_not() {
    let (installed_pem, installed) = root("Clinic inspection proxy CA (test)");
    let (_, stranger) = root("Nobody's CA (test)");
    let dir = tempfile_dir();
    let bundle = dir.join("ca-bundle.pem");
    std::fs::write(&bundle, installed_pem).unwrap();
    // Before any client is built: the system's store is read once per process.
    std::env::set_var("SSL_CERT_FILE", &bundle);
    std::env::remove_var("SSL_CERT_DIR");

    let trusted = https_server(&installed).await;
    let err = ask(&trusted).await;
    assert!(
        matches!(err, ApiError::Unauthorized { status: 401 }),
        "a server whose root is in the system's store must be reached: {err}"
    );

    let untrusted = https_server(&stranger).await;
    let err = ask(&untrusted).await;
    let ApiError::Transport { message, .. } = &err else {
        panic!("a server whose root is not installed must be refused: {err:?}");
    };
    assert!(
        message.contains("does not trust the server's certificate")
            && message.contains("system's certificate store"),
        "the refusal says what IT can do: {message}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A fresh folder under the system's temporary folder (no extra dependency for one file).
fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("decoda-trust-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
