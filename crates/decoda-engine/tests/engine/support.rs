//! Shared set-up: a sandbox per test, an uploader pointed at it, files on disk.

use decoda_engine::{
    api::{ApiKey, BaseUrl, Client, PatientId},
    CancellationToken, FileSpec, Job, Limits, Progress, Report, RetryPolicy, Settings, Uploader,
};
use decoda_sandbox::{Config, Sandbox};
use sha2::{Digest, Sha256};
use std::{path::PathBuf, time::Duration};

pub const PATIENT: &str = "pat_1001";

pub struct World {
    pub sandbox: Sandbox,
    pub uploader: Uploader,
    pub dir: tempfile::TempDir,
}

pub async fn world() -> World {
    world_with(Config::default(), Settings::default()).await
}

pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        initial_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        ..RetryPolicy::default()
    }
}

pub async fn world_with(config: Config, mut settings: Settings) -> World {
    let key = config.api_key.clone();
    let sandbox = decoda_sandbox::spawn(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    if settings.retry == RetryPolicy::default() {
        settings.retry = fast_retries();
    }
    let uploader = Uploader::new(client(&sandbox, &key, Duration::from_secs(5)), settings);
    World {
        sandbox,
        uploader,
        dir: tempfile::tempdir().unwrap(),
    }
}

pub fn client(sandbox: &Sandbox, key: &str, request_timeout: Duration) -> Client {
    Client::builder(
        BaseUrl::parse(&sandbox.base_url()).unwrap(),
        "demo-clinic",
        ApiKey::new(key),
    )
    .request_timeout(request_timeout)
    .build()
    .unwrap()
}

pub fn small_batches(n: usize) -> Settings {
    Settings {
        limits: Limits {
            max_files_per_request: n,
            ..Limits::default()
        },
        ..Settings::default()
    }
}

impl World {
    /// Writes a file with distinct content and returns its path.
    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// `n` text files with distinct contents.
    pub fn files(&self, n: usize) -> Vec<PathBuf> {
        (0..n)
            .map(|i| {
                self.file(
                    &format!("doc {i}.txt"),
                    format!("document number {i}\n").repeat(50 + i).as_bytes(),
                )
            })
            .collect()
    }

    pub async fn job(&self, specs: Vec<FileSpec>) -> Job {
        let patient = self
            .uploader
            .confirm_patient(&PatientId::new(PATIENT))
            .await
            .unwrap();
        Job {
            patient,
            note: None,
            items: self.uploader.check(specs).await,
        }
    }

    pub async fn upload(&self, paths: &[PathBuf]) -> Report {
        let job = self.job(paths.iter().map(FileSpec::new).collect()).await;
        self.uploader
            .upload(job, None, CancellationToken::new())
            .await
    }

    /// Uploads and also collects every progress event.
    pub async fn upload_watching(
        &self,
        job: Job,
        cancel: CancellationToken,
    ) -> (Report, Vec<Progress>) {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let report = self.uploader.upload(job, Some(tx), cancel).await;
        let mut events = Vec::new();
        while let Ok(e) = rx.try_recv() {
            events.push(e);
        }
        (report, events)
    }

    /// How many stored attachments have exactly this file's bytes.
    pub fn copies_of(&self, path: &PathBuf) -> usize {
        let hash = sha256(&std::fs::read(path).unwrap());
        self.sandbox
            .state()
            .attachments()
            .iter()
            .filter(|a| a.sha256 == hash)
            .count()
    }

    /// How many files each bulk request the sandbox received carried, in order.
    pub fn batch_sizes(&self) -> Vec<usize> {
        self.sandbox
            .state()
            .uploads()
            .iter()
            .map(|u| file_parts(u).len())
            .collect()
    }

    /// Asserts the engine's promise: every file uploaded exactly once, as the server sees it.
    pub fn assert_each_stored_once(&self, report: &Report, paths: &[PathBuf]) {
        assert!(
            report.all_uploaded(),
            "every file should be uploaded: {:#?}",
            report.files
        );
        for p in paths {
            assert_eq!(
                self.copies_of(p),
                1,
                "{} must be stored exactly once",
                p.display()
            );
        }
        assert_eq!(
            self.sandbox.state().attachments().len(),
            paths.len(),
            "no extra attachments"
        );
    }
}

pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The file parts of a recorded upload (the record also lists the text fields).
pub fn file_parts(u: &decoda_sandbox::UploadRecord) -> Vec<&decoda_sandbox::PartRecord> {
    u.parts
        .iter()
        .filter(|p| p.field == "attachments")
        .collect()
}
