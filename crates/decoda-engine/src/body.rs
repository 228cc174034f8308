//! A file as a request body that streams from disk in fixed-size chunks.
//!
//! Memory use is one chunk per file in flight, whatever the file's size. The stream counts bytes
//! into the [`Meter`] and fails the request if the file turns out to have changed since it was
//! checked, so a half-written scan is never stored as if it were whole.

use crate::{files::CheckedFile, progress::Meter};
use bytes::{Bytes, BytesMut};
use futures_util::stream;
use std::{io, sync::Arc};
use tokio::{fs::File, io::AsyncReadExt};

const CHUNK: usize = 512 * 1024;

struct Reader {
    file: Option<File>,
    checked: CheckedFile,
    index: usize,
    sent: u64,
    meter: Arc<Meter>,
}

/// The body for one file; `index` is its slot in the meter.
pub(crate) fn file_body(checked: CheckedFile, index: usize, meter: Arc<Meter>) -> reqwest::Body {
    meter.set(index, 0);
    let reader = Reader {
        file: None,
        checked,
        index,
        sent: 0,
        meter,
    };
    reqwest::Body::wrap_stream(stream::try_unfold(reader, next_chunk))
}

async fn next_chunk(mut r: Reader) -> io::Result<Option<(Bytes, Reader)>> {
    let file = match r.file.as_mut() {
        Some(f) => f,
        None => r.file.insert(File::open(&r.checked.path).await?),
    };
    let mut buf = BytesMut::with_capacity(CHUNK);
    while buf.len() < CHUNK {
        if file.read_buf(&mut buf).await? == 0 {
            break;
        }
    }
    if buf.is_empty() {
        return finish(&r).await.map(|()| None);
    }
    r.sent += buf.len() as u64;
    if r.sent > r.checked.size {
        return Err(changed(&r));
    }
    r.meter.set(r.index, r.sent);
    Ok(Some((buf.freeze(), r)))
}

async fn finish(r: &Reader) -> io::Result<()> {
    let modified = tokio::fs::metadata(&r.checked.path).await?.modified().ok();
    if r.sent != r.checked.size || modified != r.checked.modified {
        return Err(changed(r));
    }
    Ok(())
}

fn changed(r: &Reader) -> io::Error {
    r.meter.mark_changed(r.index);
    io::Error::other("the file changed while it was being sent")
}
