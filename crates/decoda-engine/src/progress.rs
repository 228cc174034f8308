//! Progress as a stream of events that the CLI's progress bar and the app's window both read.
//!
//! Byte counts are cumulative (not deltas) and sampled a few times a second, so a slow consumer
//! never falls behind and a lost message costs nothing. Counting happens where bytes are handed to
//! the HTTP stack, so 100 % means "all sent, the server is still storing", shown as its own phase.

use crate::hash::ContentHash;
use serde::Serialize;
use std::{
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex, PoisonError,
    },
    time::{Duration, Instant},
};
use tokio_util::sync::CancellationToken;

/// Where progress events go. Sending never blocks; a closed receiver is ignored.
pub type ProgressSink = tokio::sync::mpsc::UnboundedSender<Progress>;

/// One progress event. File indices are positions in the job's item list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "camelCase")]
pub enum Progress {
    /// The upload is starting: how much there is to send.
    #[serde(rename_all = "camelCase")]
    Started {
        /// Files that will be sent.
        files: usize,
        /// Their total size.
        total_bytes: u64,
        /// Bulk requests they are split into.
        requests: usize,
    },
    /// Bytes sent so far.
    Bytes(BytesProgress),
    /// A group of files entered a new phase.
    Phase {
        /// The files concerned.
        files: Vec<usize>,
        /// What is happening to them.
        phase: Phase,
    },
    /// Every byte of a file has been read, unchanged, and handed to the network: its content
    /// hash, taken on the way. It comes before the file's `FileDone`, so a caller that keeps a
    /// queue can store the hash before the answer is accepted (a file found in the chart after a
    /// crash is recognised by it). A file sent again hashes again, to the same value.
    Hashed {
        /// The file.
        index: usize,
        /// The hash of the bytes sent.
        hash: ContentHash,
    },
    /// A file reached its final state.
    #[serde(rename_all = "camelCase")]
    FileDone {
        /// The file.
        index: usize,
        /// Whether it is in the chart.
        uploaded: bool,
        /// The attachment it became, so a caller can record it before the whole job ends.
        attachment_id: Option<String>,
        /// Why not, or a warning about it.
        message: Option<String>,
        /// Not confirmed, but it may be in the chart (it was sent, no answer came, and the chart
        /// could not be checked): whoever sends it again must look in the chart first.
        may_have_landed: bool,
    },
    /// Everything is done.
    Finished {
        /// Files now in the chart.
        uploaded: usize,
        /// Files not uploaded.
        failed: usize,
    },
}

/// Cumulative byte counts, overall and for the files that moved since the last event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BytesProgress {
    /// Bytes handed to the network, all files.
    pub sent: u64,
    /// Bytes to send, all files.
    pub total: u64,
    /// Recent speed.
    pub bytes_per_sec: f64,
    /// Per-file counts that changed since the previous event.
    pub files: Vec<FileBytes>,
}

/// One file's cumulative count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileBytes {
    /// The file.
    pub index: usize,
    /// Bytes sent of it.
    pub sent: u64,
    /// Its size.
    pub size: u64,
}

/// What is happening to a group of files.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Phase {
    /// Their bytes are going out.
    Sending,
    /// All bytes sent; waiting for the server to store them and answer.
    ServerProcessing,
    /// A try failed; waiting before the next one.
    #[serde(rename_all = "camelCase")]
    Retrying {
        /// The try about to start (2 for the first retry).
        attempt: u32,
        /// How long until then.
        wait_ms: u64,
        /// Why the previous try failed.
        reason: String,
    },
    /// An answer never came, or did not say enough; looking in the patient's chart for what landed.
    CheckingChart,
    /// Fixing display names the server got wrong.
    RepairingNames,
}

impl std::fmt::Display for Phase {
    /// The phase as a status line for people (the CLI's progress bar and the app's status).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sending => f.write_str("sending"),
            Self::ServerProcessing => f.write_str("all sent; Decoda is storing the files"),
            Self::Retrying {
                attempt,
                wait_ms,
                reason,
            } => {
                write!(
                    f,
                    "trying again in {} s (try {attempt}): {reason}",
                    wait_ms.div_ceil(1000)
                )
            }
            Self::CheckingChart => f.write_str("checking the patient's chart for what arrived"),
            Self::RepairingNames => f.write_str("correcting file names"),
        }
    }
}

/// Per-file byte counters shared by the body streams and the sampler.
#[derive(Debug)]
pub(crate) struct Meter {
    sent: Vec<AtomicU64>,
    changed: Vec<AtomicBool>,
    /// Per file, the hash of the bytes its last complete stream sent.
    hashes: Vec<Mutex<Option<ContentHash>>>,
    sizes: Vec<u64>,
}

impl Meter {
    pub(crate) fn new(sizes: Vec<u64>) -> Arc<Self> {
        Arc::new(Self {
            sent: sizes.iter().map(|_| AtomicU64::new(0)).collect(),
            changed: sizes.iter().map(|_| AtomicBool::new(false)).collect(),
            hashes: sizes.iter().map(|_| Mutex::new(None)).collect(),
            sizes,
        })
    }

    pub(crate) fn set(&self, index: usize, sent: u64) {
        if let Some(c) = self.sent.get(index) {
            c.store(sent, Ordering::Relaxed);
        }
    }

    pub(crate) fn sent(&self, index: usize) -> u64 {
        self.sent
            .get(index)
            .map_or(0, |c| c.load(Ordering::Relaxed))
    }

    pub(crate) fn set_hash(&self, index: usize, hash: ContentHash) {
        if let Some(slot) = self.hashes.get(index) {
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(hash);
        }
    }

    /// The hash of the bytes the file's last complete stream sent, if one completed.
    pub(crate) fn hash(&self, index: usize) -> Option<ContentHash> {
        self.hashes
            .get(index)
            .and_then(|slot| slot.lock().unwrap_or_else(PoisonError::into_inner).clone())
    }

    pub(crate) fn mark_changed(&self, index: usize) {
        if let Some(c) = self.changed.get(index) {
            c.store(true, Ordering::Relaxed);
        }
    }

    pub(crate) fn was_changed(&self, index: usize) -> bool {
        self.changed
            .get(index)
            .is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// Bytes of these files handed to the HTTP stack so far.
    pub(crate) fn sent_of(&self, files: &[usize]) -> u64 {
        files.iter().map(|&i| self.sent(i)).sum()
    }

    /// Whether every byte of these files was handed to the HTTP stack.
    pub(crate) fn all_sent(&self, files: &[usize]) -> bool {
        files
            .iter()
            .all(|&i| self.sent(i) >= self.sizes.get(i).copied().unwrap_or(0))
    }
}

/// Samples the meter a few times a second and emits `Bytes` events until `done` fires.
pub(crate) async fn sample(
    meter: Arc<Meter>,
    files: Vec<usize>,
    sink: ProgressSink,
    done: CancellationToken,
) {
    const EVERY: Duration = Duration::from_millis(200);
    let total: u64 = files
        .iter()
        .map(|&i| meter.sizes.get(i).copied().unwrap_or(0))
        .sum();
    let mut last: Vec<u64> = vec![u64::MAX; files.len()];
    let mut speed = 0.0f64;
    let mut prev = (Instant::now(), 0u64);
    loop {
        let finished = tokio::select! {
            _ = done.cancelled() => true,
            _ = tokio::time::sleep(EVERY) => false,
        };
        let mut changed = Vec::new();
        let mut sent = 0u64;
        for (slot, &index) in files.iter().enumerate() {
            let now = meter.sent(index);
            sent += now;
            if last[slot] != now {
                last[slot] = now;
                changed.push(FileBytes {
                    index,
                    sent: now,
                    size: meter.sizes[index],
                });
            }
        }
        let elapsed = prev.0.elapsed().as_secs_f64();
        if elapsed > 0.0 {
            let instant = sent.saturating_sub(prev.1) as f64 / elapsed;
            // Smooth the figure: jumpy speeds and ETAs confuse people.
            speed = if speed == 0.0 {
                instant
            } else {
                0.7 * speed + 0.3 * instant
            };
        }
        prev = (Instant::now(), sent);
        if !changed.is_empty() || finished {
            let _ = sink.send(Progress::Bytes(BytesProgress {
                sent,
                total,
                bytes_per_sec: speed,
                files: changed,
            }));
        }
        if finished {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_read_as_status_lines_with_waits_rounded_up() {
        let retry = Phase::Retrying {
            attempt: 2,
            wait_ms: 1500,
            reason: "the server had a problem (HTTP 500)".into(),
        };
        assert_eq!(
            retry.to_string(),
            "trying again in 2 s (try 2): the server had a problem (HTTP 500)"
        );
        assert_eq!(
            Phase::ServerProcessing.to_string(),
            "all sent; Decoda is storing the files"
        );
    }

    #[test]
    fn the_meter_knows_when_a_group_is_fully_sent() {
        let meter = Meter::new(vec![10, 0, 5]);
        meter.set(0, 10);
        assert!(!meter.all_sent(&[0, 2]));
        meter.set(2, 5);
        assert!(meter.all_sent(&[0, 1, 2]), "an empty slot counts as sent");
        assert_eq!(meter.sent_of(&[0, 2]), 15);
    }
}
