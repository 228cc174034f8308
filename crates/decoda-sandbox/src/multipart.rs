//! Streaming a multipart upload body: files go to disk (or nowhere) chunk by chunk, hashed on the way.
//!
//! A file is never held in memory, so a 1 GiB upload costs a few buffers. The raw body is metered to enforce
//! the size limit and to cut it off for the `DropMidBody` fault, and every part is recorded as received.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::{Body, BodyDataStream};
use axum::http::header;
use bytes::Bytes;
use futures_util::{stream, Stream, StreamExt};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncWriteExt, BufWriter};

use crate::disposition;
use crate::record::PartRecord;

/// Largest text field accepted (names for thousands of files still fit).
const TEXT_FIELD_LIMIT: usize = 8 * 1024 * 1024;
/// Write buffer per file.
const WRITE_BUFFER: usize = 256 * 1024;

/// Where file bytes go.
#[derive(Clone, Debug)]
pub(crate) enum Storage {
    /// Into a new file per part in this directory, hashed.
    Disk(PathBuf),
    /// Nowhere, but hashed (requests a fault refuses: recorded, not stored).
    HashOnly,
    /// Nowhere, only counted (sink mode).
    CountOnly,
}

/// What to read and how far.
#[derive(Clone, Debug)]
pub(crate) struct FormSpec {
    /// The name of the file field (`attachments` or `attachment`).
    pub(crate) file_field: &'static str,
    /// Where file bytes go.
    pub(crate) storage: Storage,
    /// Largest body accepted.
    pub(crate) max_body: u64,
    /// Stop reading after this many body bytes (`DropMidBody`).
    pub(crate) cut_after: Option<u64>,
}

/// How reading the body ended.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) enum FormEnd {
    /// The closing boundary was read (or the body was not multipart at all: no fields).
    #[default]
    Complete,
    /// The body was bigger than allowed.
    TooLarge,
    /// The body was cut off on purpose (`DropMidBody`).
    Cut,
    /// The body was malformed or the client went away.
    Broken(String),
    /// Writing to disk failed.
    Disk(String),
}

/// One received file part.
#[derive(Debug)]
pub(crate) struct ReceivedFile {
    /// The attachment id it will get (also its file name on disk).
    pub(crate) id: String,
    /// The filename as parsed.
    pub(crate) file_name: Option<String>,
    /// The part's `Content-Type`.
    pub(crate) content_type: Option<String>,
    /// Bytes received.
    pub(crate) size: u64,
    /// SHA-256, lowercase hex (empty when only counted).
    pub(crate) sha256: String,
    /// Where the bytes are, when stored.
    pub(crate) path: Option<PathBuf>,
}

/// Everything read from one multipart body.
#[derive(Debug, Default)]
pub(crate) struct ParsedForm {
    /// Every field name, in order.
    pub(crate) field_order: Vec<String>,
    /// Every part, in order.
    pub(crate) parts: Vec<PartRecord>,
    /// Text fields (lossy UTF-8), in order.
    pub(crate) texts: Vec<(String, String)>,
    /// Complete file parts of the file field, in order.
    pub(crate) files: Vec<ReceivedFile>,
    /// How reading ended.
    pub(crate) end: FormEnd,
}

impl ParsedForm {
    /// The last value of a text field.
    pub(crate) fn text(&self, name: &str) -> Option<&str> {
        self.texts
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Deletes every file written for this form (used when the request is not stored).
    pub(crate) async fn discard_files(&self) {
        for file in &self.files {
            if let Some(path) = &file.path {
                let _ = tokio::fs::remove_file(path).await;
            }
        }
    }
}

/// Counts body bytes and remembers why the body stream stopped.
#[derive(Debug, Default)]
struct Meter {
    read: AtomicU64,
    too_large: AtomicBool,
    cut: AtomicBool,
}

/// Why the metered body stream failed.
#[derive(Debug, thiserror::Error)]
enum BodyError {
    #[error("request body too large")]
    TooLarge,
    #[error("request body cut off by a fault")]
    Cut,
    #[error("reading the request body failed: {0}")]
    Transport(String),
}

enum Phase {
    Reading(BodyDataStream),
    Failing(BodyError),
    Done,
}

/// Reads a multipart body according to `spec`. `content_type` is the request's header value.
pub(crate) async fn read_form(
    body: Body,
    content_type: Option<&str>,
    spec: &FormSpec,
) -> ParsedForm {
    let mut form = ParsedForm::default();
    let Some(boundary) = content_type.and_then(|ct| multer::parse_boundary(ct).ok()) else {
        return form;
    };
    let meter = Arc::new(Meter::default());
    let mut multipart = multer::Multipart::new(metered(body, spec, meter.clone()), boundary);
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                if let Err(end) = read_field(field, &mut form, spec, &meter).await {
                    form.end = end;
                    break;
                }
            }
            Ok(None) => break,
            Err(error) => {
                form.end = classify(&meter, &error);
                break;
            }
        }
    }
    form
}

fn metered(
    body: Body,
    spec: &FormSpec,
    meter: Arc<Meter>,
) -> impl Stream<Item = Result<Bytes, BodyError>> + Send {
    let max = spec.max_body;
    let cut_after = spec.cut_after;
    stream::unfold(Phase::Reading(body.into_data_stream()), move |phase| {
        let meter = meter.clone();
        async move {
            let mut inner = match phase {
                Phase::Reading(inner) => inner,
                Phase::Failing(error) => return Some((Err(error), Phase::Done)),
                Phase::Done => return None,
            };
            let chunk = match inner.next().await? {
                Ok(chunk) => chunk,
                Err(error) => {
                    return Some((Err(BodyError::Transport(error.to_string())), Phase::Done))
                }
            };
            let before = meter.read.load(Ordering::Relaxed);
            let after = before + chunk.len() as u64;
            if let Some(cut) = cut_after.filter(|&cut| after >= cut) {
                meter.cut.store(true, Ordering::Relaxed);
                meter.read.store(cut.max(before), Ordering::Relaxed);
                let keep = usize::try_from(cut.saturating_sub(before)).unwrap_or(chunk.len());
                return Some((
                    Ok(chunk.slice(..keep.min(chunk.len()))),
                    Phase::Failing(BodyError::Cut),
                ));
            }
            meter.read.store(after, Ordering::Relaxed);
            if after > max {
                meter.too_large.store(true, Ordering::Relaxed);
                return Some((Err(BodyError::TooLarge), Phase::Done));
            }
            Some((Ok(chunk), Phase::Reading(inner)))
        }
    })
}

fn classify(meter: &Meter, error: &multer::Error) -> FormEnd {
    if meter.cut.load(Ordering::Relaxed) {
        FormEnd::Cut
    } else if meter.too_large.load(Ordering::Relaxed) {
        FormEnd::TooLarge
    } else {
        FormEnd::Broken(error.to_string())
    }
}

async fn read_field(
    mut field: multer::Field<'static>,
    form: &mut ParsedForm,
    spec: &FormSpec,
    meter: &Meter,
) -> Result<(), FormEnd> {
    let raw = field
        .headers()
        .get(header::CONTENT_DISPOSITION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    let parsed = disposition::parse(&raw);
    let name = parsed.name.unwrap_or_default();
    let content_type = field
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    form.field_order.push(name.clone());
    let mut part = PartRecord {
        field: name.clone(),
        file_name: parsed.filename,
        content_disposition: raw,
        content_type,
        ..PartRecord::default()
    };
    let result = if name == spec.file_field {
        read_file(&mut field, &mut part, form, &spec.storage, meter).await
    } else {
        read_text(&mut field, &mut part, form, meter).await
    };
    form.parts.push(part);
    result
}

async fn read_text(
    field: &mut multer::Field<'static>,
    part: &mut PartRecord,
    form: &mut ParsedForm,
    meter: &Meter,
) -> Result<(), FormEnd> {
    let mut value = Vec::new();
    let mut hasher = Sha256::new();
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                hasher.update(&chunk);
                part.size += chunk.len() as u64;
                if value.len() + chunk.len() > TEXT_FIELD_LIMIT {
                    return Err(FormEnd::TooLarge);
                }
                value.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(error) => return Err(classify(meter, &error)),
        }
    }
    part.sha256 = format!("{:x}", hasher.finalize());
    part.complete = true;
    form.texts.push((
        part.field.clone(),
        String::from_utf8_lossy(&value).into_owned(),
    ));
    Ok(())
}

async fn read_file(
    field: &mut multer::Field<'static>,
    part: &mut PartRecord,
    form: &mut ParsedForm,
    storage: &Storage,
    meter: &Meter,
) -> Result<(), FormEnd> {
    let id = uuid::Uuid::new_v4().to_string();
    let mut sink = PartSink::open(storage, &id).await?;
    let outcome = loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                part.size += chunk.len() as u64;
                if let Err(error) = sink.write(&chunk).await {
                    break Err(FormEnd::Disk(error.to_string()));
                }
            }
            Ok(None) => break Ok(()),
            Err(error) => break Err(classify(meter, &error)),
        }
    };
    let path = sink.path().map(Path::to_path_buf);
    let finished = match outcome {
        Ok(()) => sink
            .finish()
            .await
            .map_err(|e| FormEnd::Disk(e.to_string())),
        Err(end) => Err(end),
    };
    match finished {
        Ok(sha256) => {
            part.sha256.clone_from(&sha256);
            part.complete = true;
            form.files.push(ReceivedFile {
                id,
                file_name: part.file_name.clone(),
                content_type: part.content_type.clone(),
                size: part.size,
                sha256,
                path,
            });
            Ok(())
        }
        Err(end) => {
            if let Some(path) = path {
                let _ = tokio::fs::remove_file(path).await;
            }
            Err(end)
        }
    }
}

/// Where one file part's bytes go.
enum PartSink {
    Disk {
        path: PathBuf,
        file: BufWriter<tokio::fs::File>,
        hasher: Sha256,
    },
    Hash(Sha256),
    Count,
}

impl PartSink {
    async fn open(storage: &Storage, id: &str) -> Result<Self, FormEnd> {
        Ok(match storage {
            Storage::Disk(dir) => {
                let path = dir.join(id);
                let file = tokio::fs::File::create(&path)
                    .await
                    .map_err(|e| FormEnd::Disk(e.to_string()))?;
                Self::Disk {
                    path,
                    file: BufWriter::with_capacity(WRITE_BUFFER, file),
                    hasher: Sha256::new(),
                }
            }
            Storage::HashOnly => Self::Hash(Sha256::new()),
            Storage::CountOnly => Self::Count,
        })
    }

    async fn write(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        match self {
            Self::Disk { file, hasher, .. } => {
                hasher.update(chunk);
                file.write_all(chunk).await
            }
            Self::Hash(hasher) => {
                hasher.update(chunk);
                Ok(())
            }
            Self::Count => Ok(()),
        }
    }

    fn path(&self) -> Option<&Path> {
        match self {
            Self::Disk { path, .. } => Some(path),
            _ => None,
        }
    }

    async fn finish(self) -> std::io::Result<String> {
        match self {
            Self::Disk {
                mut file, hasher, ..
            } => {
                file.flush().await?;
                Ok(format!("{:x}", hasher.finalize()))
            }
            Self::Hash(hasher) => Ok(format!("{:x}", hasher.finalize())),
            Self::Count => Ok(String::new()),
        }
    }
}
