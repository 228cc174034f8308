//! What the core's tests against the sandbox share: a loopback sandbox, an uploader pointed at
//! it, and a folder for files and the queue.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use decoda_engine::{
    api::{ApiKey, BaseUrl, Client},
    Settings, Uploader,
};
use decoda_store::{hash_file, NewItem, Store};
use std::path::{Path, PathBuf};

pub struct World {
    pub sandbox: decoda_sandbox::Sandbox,
    pub uploader: Uploader,
    pub dir: tempfile::TempDir,
}

/// A sandbox as it starts by default, and an uploader for it.
pub async fn world() -> World {
    world_with(decoda_sandbox::Config::default()).await
}

pub async fn world_with(config: decoda_sandbox::Config) -> World {
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
    World {
        sandbox,
        uploader: Uploader::new(client, Settings::default()),
        dir: tempfile::tempdir().unwrap(),
    }
}

impl World {
    /// The queue and history, in the world's folder.
    pub fn store(&self) -> Store {
        Store::open(&self.dir.path().join("data")).unwrap()
    }

    /// Writes a file in the world's folder.
    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

/// The queue row of the file at `path` for `patient`, with its real hash, size and time.
pub fn queued(path: &Path, patient: &str) -> NewItem {
    let meta = std::fs::metadata(path).unwrap();
    NewItem {
        patient_id: patient.into(),
        note_id: None,
        path: path.to_path_buf(),
        name: None,
        external_id: None,
        hash: Some(hash_file(path).unwrap()),
        size: meta.len(),
        modified: meta.modified().ok(),
    }
}
