//! The shared handle every route and test works through.
//!
//! A [`SandboxState`] is cheap to clone (one `Arc`). It owns the records, the fault queue, the upload log and
//! the data directory, so dropping the last handle also removes a temporary data directory.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use chrono::{DateTime, Utc};
use tempfile::TempDir;

use crate::config::{Config, NamesEncoding};
use crate::error::{Error, Result};
use crate::faults::{Fault, FaultQueue, FaultRule};
use crate::model::StoredAttachment;
use crate::record::UploadRecord;
use crate::store::Store;

/// Cheap-clone handle to one sandbox's state, for routes and for inspection in tests.
#[derive(Clone, Debug)]
pub struct SandboxState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    tenant: String,
    api_key: String,
    sink: bool,
    max_body_bytes: u64,
    contract_only: bool,
    names_encoding: Mutex<NamesEncoding>,
    base_url: RwLock<String>,
    files_dir: PathBuf,
    thumbs_dir: PathBuf,
    store: Mutex<Store>,
    uploads: Mutex<Vec<UploadRecord>>,
    faults: FaultQueue,
    /// Kept only so the temporary directory lives as long as the state.
    _temp: Option<TempDir>,
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it (the records stay usable).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SandboxState {
    /// Creates the state for `config`, preparing the data directory (a temporary one when none is given).
    pub fn new(config: Config) -> Result<Self> {
        let (root, temp) = match &config.data_dir {
            Some(dir) => (dir.clone(), None),
            None => {
                let temp = tempfile::Builder::new()
                    .prefix("decoda-sandbox-")
                    .tempdir()?;
                (temp.path().to_path_buf(), Some(temp))
            }
        };
        let files_dir = root.join("files");
        let thumbs_dir = root.join("thumbnails");
        for dir in [&files_dir, &thumbs_dir] {
            std::fs::create_dir_all(dir).map_err(|source| Error::DataDir {
                path: dir.clone(),
                source,
            })?;
        }
        Ok(Self {
            inner: Arc::new(Inner {
                tenant: config.tenant,
                api_key: config.api_key,
                sink: config.sink,
                max_body_bytes: config.max_body_bytes,
                contract_only: config.contract_only,
                names_encoding: Mutex::new(config.names_encoding),
                base_url: RwLock::new("http://127.0.0.1".to_owned()),
                files_dir,
                thumbs_dir,
                store: Mutex::new(Store::default()),
                uploads: Mutex::new(Vec::new()),
                faults: FaultQueue::default(),
                _temp: temp,
            }),
        })
    }

    /// Queues a fault for the next matching API request(s).
    pub fn push_fault(&self, fault: FaultRule) {
        self.inner.faults.push(fault);
    }

    /// The fault rules not yet used up.
    pub fn pending_faults(&self) -> Vec<FaultRule> {
        self.inner.faults.pending()
    }

    /// Drops every queued fault.
    pub fn clear_faults(&self) {
        self.inner.faults.clear();
    }

    /// Changes how `names` and `external_ids` are decoded from now on.
    pub fn set_names_encoding(&self, encoding: NamesEncoding) {
        *lock(&self.inner.names_encoding) = encoding;
    }

    /// Whether answers carry only what the API's contract promises.
    pub fn contract_only(&self) -> bool {
        self.inner.contract_only
    }

    /// How the bulk endpoint decodes `names` and `external_ids` now.
    pub fn names_encoding(&self) -> NamesEncoding {
        *lock(&self.inner.names_encoding)
    }

    /// Every upload request received, in order, including failed and faulted ones.
    pub fn uploads(&self) -> Vec<UploadRecord> {
        lock(&self.inner.uploads).clone()
    }

    /// Every attachment stored (and not deleted), in order.
    pub fn attachments(&self) -> Vec<StoredAttachment> {
        lock(&self.inner.store)
            .all()
            .map(|a| a.stored.clone())
            .collect()
    }

    /// The patient whose chart holds an attachment now (after any move); `None` when the id is
    /// unknown.
    pub fn patient_of(&self, attachment_id: &str) -> Option<String> {
        lock(&self.inner.store)
            .all()
            .find(|a| a.stored.response.id == attachment_id)
            .map(|a| a.stored.patient_id.clone())
    }

    /// Backdates (or postdates) an attachment, for tests of day paging; false when the id is unknown.
    pub fn set_created_date(&self, attachment_id: &str, created: DateTime<Utc>) -> bool {
        lock(&self.inner.store).set_created(attachment_id, created)
    }

    /// Clears attachments (and their files), uploads and faults; seeded patients and notes stay.
    pub fn reset(&self) {
        let removed = lock(&self.inner.store).clear_attachments();
        for attachment in removed {
            self.remove_files(&attachment.stored.response.id, attachment.file.as_deref());
        }
        lock(&self.inner.uploads).clear();
        self.inner.faults.clear();
    }

    /// The base URL links point at, e.g. `http://127.0.0.1:8787`.
    pub fn base_url(&self) -> String {
        self.inner
            .base_url
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn set_base_url(&self, url: String) {
        *self
            .inner
            .base_url
            .write()
            .unwrap_or_else(PoisonError::into_inner) = url;
    }

    pub(crate) fn tenant(&self) -> &str {
        &self.inner.tenant
    }

    pub(crate) fn api_key(&self) -> &str {
        &self.inner.api_key
    }

    pub(crate) fn sink(&self) -> bool {
        self.inner.sink
    }

    pub(crate) fn max_body_bytes(&self) -> u64 {
        self.inner.max_body_bytes
    }

    pub(crate) fn files_dir(&self) -> &Path {
        &self.inner.files_dir
    }

    /// Where the cached thumbnail of an attachment goes.
    pub(crate) fn thumbnail_path(&self, id: &str) -> PathBuf {
        self.inner.thumbs_dir.join(format!("{id}.png"))
    }

    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.inner.store)
    }

    pub(crate) fn record_upload(&self, record: UploadRecord) {
        tracing::debug!(endpoint = %record.endpoint, outcome = %record.outcome, parts = record.parts.len(), "upload recorded");
        lock(&self.inner.uploads).push(record);
    }

    pub(crate) fn take_fault(&self, path: &str) -> Option<Fault> {
        self.inner.faults.take(path)
    }

    /// Deletes an attachment's file and cached thumbnail (best effort: a missing file is fine).
    pub(crate) fn remove_files(&self, id: &str, file: Option<&Path>) {
        if let Some(file) = file {
            let _ = std::fs::remove_file(file);
        }
        let _ = std::fs::remove_file(self.thumbnail_path(id));
    }
}
