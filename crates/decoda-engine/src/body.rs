//! A file as a request body that streams from disk in fixed-size chunks, hashed as it goes.
//!
//! Memory use is a few chunks per file in flight, whatever the file's size. Once the request
//! first asks for the file's bytes, a blocking thread reads it one chunk ahead of the network and
//! hashes each chunk as it is read, so reading, hashing and sending overlap, and the content hash
//! (for the duplicate guard, and to recognise the file in the chart after a lost answer) costs no
//! second read of the file. The stream counts bytes into the [`Meter`] as it hands them to the HTTP
//! stack, and fails the request if the file turns out to have changed since it was checked, so a
//! half-written scan is never stored as if it were whole. Once the last byte has been handed over,
//! the hash goes to the meter and to the progress sink, before any answer is read.

use crate::{
    files::CheckedFile,
    hash::{ContentHash, ContentHasher},
    progress::{Meter, Progress, ProgressSink},
};
use bytes::{Bytes, BytesMut};
use futures_util::stream;
use std::{io::Read, sync::Arc};
use tokio::sync::mpsc;

const CHUNK: usize = 512 * 1024;
/// Chunks read ahead of the one being sent.
const READ_AHEAD: usize = 1;

/// What the reading thread hands the stream.
enum Piece {
    Chunk(Bytes),
    /// The whole file was read, unchanged: its hash.
    End(ContentHash),
    /// The file is not as it was checked (longer, shorter, newer, or other bytes).
    Changed,
    /// The file could not be read.
    Failed(std::io::Error),
}

/// The stream's state: the file, and the reading thread once started.
struct Reader {
    checked: Arc<CheckedFile>,
    index: usize,
    sent: u64,
    pieces: Option<mpsc::Receiver<Piece>>,
    meter: Arc<Meter>,
    sink: Option<ProgressSink>,
}

/// The body for one file; `index` is its slot in the meter. `sink` hears the file's content hash
/// once every byte has been read and found unchanged.
pub(crate) fn file_body(
    checked: CheckedFile,
    index: usize,
    meter: Arc<Meter>,
    sink: Option<ProgressSink>,
) -> reqwest::Body {
    meter.set(index, 0);
    let reader = Reader {
        checked: Arc::new(checked),
        index,
        sent: 0,
        pieces: None,
        meter,
        sink,
    };
    reqwest::Body::wrap_stream(stream::try_unfold(reader, next_chunk))
}

async fn next_chunk(mut r: Reader) -> std::io::Result<Option<(Bytes, Reader)>> {
    let checked = &r.checked;
    let pieces = r
        .pieces
        .get_or_insert_with(|| start_reading(Arc::clone(checked)));
    let piece = pieces.recv().await.unwrap_or_else(|| {
        Piece::Failed(std::io::Error::other(
            "reading the file stopped unexpectedly",
        ))
    });
    match piece {
        Piece::Chunk(bytes) => {
            r.sent += bytes.len() as u64;
            r.meter.set(r.index, r.sent);
            Ok(Some((bytes, r)))
        }
        Piece::End(hash) => {
            r.meter.set_hash(r.index, hash.clone());
            if let Some(sink) = &r.sink {
                let _ = sink.send(Progress::Hashed {
                    index: r.index,
                    hash,
                });
            }
            Ok(None)
        }
        Piece::Changed => {
            r.meter.mark_changed(r.index);
            Err(std::io::Error::other(
                "the file changed while it was being sent",
            ))
        }
        Piece::Failed(e) => Err(e),
    }
}

/// Starts the thread that reads and hashes the file, one chunk ahead of the network. It stops
/// when the file ends, on the first error, or when the request no longer wants the bytes.
fn start_reading(checked: Arc<CheckedFile>) -> mpsc::Receiver<Piece> {
    let (tx, rx) = mpsc::channel(READ_AHEAD);
    tokio::task::spawn_blocking(move || {
        let last = match read_all(&checked, &tx) {
            Ok(Some(last)) => last,
            Ok(None) => return, // The request was dropped: nobody wants the rest.
            Err(e) => Piece::Failed(e),
        };
        let _ = tx.blocking_send(last);
    });
    rx
}

/// Reads, hashes and hands over the file chunk by chunk; returns the last piece: its hash if it is
/// still as it was checked, else that it changed (`None` if the request stopped wanting it). A file
/// hashed before sending whose bytes now hash differently changed in between, even if its size and
/// modification time did not.
fn read_all(checked: &CheckedFile, tx: &mpsc::Sender<Piece>) -> std::io::Result<Option<Piece>> {
    let mut file = std::fs::File::open(&checked.path)?;
    let mut hasher = ContentHasher::new();
    let mut read = 0u64;
    loop {
        let chunk = read_chunk(&mut file)?;
        if chunk.is_empty() {
            break;
        }
        read += chunk.len() as u64;
        if read > checked.size {
            return Ok(Some(Piece::Changed));
        }
        hasher.update(&chunk);
        if tx.blocking_send(Piece::Chunk(chunk)).is_err() {
            return Ok(None);
        }
    }
    let modified = std::fs::metadata(&checked.path)?.modified().ok();
    let hash = hasher.finish();
    let other_bytes = checked.content_hash.as_ref().is_some_and(|h| *h != hash);
    if read != checked.size || modified != checked.modified || other_bytes {
        return Ok(Some(Piece::Changed));
    }
    Ok(Some(Piece::End(hash)))
}

/// Reads up to one chunk, less only at the end of the file.
fn read_chunk(file: &mut std::fs::File) -> std::io::Result<Bytes> {
    let mut buf = BytesMut::zeroed(CHUNK);
    let mut filled = 0;
    while filled < CHUNK {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    buf.truncate(filled);
    Ok(buf.freeze())
}
