//! The queue around one upload, shared by the CLI and the app: what is already in the chart, what
//! an interrupted run may have left there, and a record of every file as it goes.
//!
//! Before anything is sent, every file is hashed and written to the queue. A file whose bytes were
//! already uploaded to this patient, or that appears twice in the selection, is skipped (unless
//! forced). A file that an interrupted run was sending when it died is looked for in the chart
//! first and sent again only if it is not there.

use crate::{hash_file, ContentHash, NewItem, QueueRow, RowState, RunLock, Store, StoreError};
use decoda_engine::{
    api::{models::Patient, ApiError},
    CheckedFile, FileProblem, IntakeItem, Progress, ProgressSink, Uploader,
};
use std::collections::HashMap;

/// Why the decisions could not be made.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The local database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Looking in the chart failed.
    #[error(transparent)]
    Api(#[from] ApiError),
}

/// The decisions for a selection, in its order, and what was looked up to make them.
#[derive(Debug)]
pub struct Decisions {
    /// One per file.
    pub files: Vec<Decision>,
    /// Files an interrupted run may have sent, looked for in the chart.
    pub looked_in_chart: usize,
}

/// What to do with one checked file.
#[derive(Debug)]
pub enum Decision {
    /// Send it.
    Send,
    /// Do not send it: it is already in the chart, or listed twice.
    Skip {
        /// Why, in words.
        reason: String,
        /// The attachment that already holds these bytes, if known.
        attachment_id: Option<String>,
    },
    /// An interrupted run sent it and it is in the chart: recorded, not sent again.
    FoundInChart {
        /// The attachment it became.
        attachment_id: String,
        /// Its name in the chart.
        name: String,
    },
}

/// Hashes the checked files off the async threads; a file that cannot be read becomes refused.
pub async fn hash_all(items: Vec<IntakeItem>) -> Vec<(IntakeItem, Option<ContentHash>)> {
    tokio::task::spawn_blocking(move || {
        items
            .into_iter()
            .map(|mut item| {
                let hash = match &item.result {
                    Ok(file) => match hash_file(&file.path) {
                        Ok(h) => Some(h),
                        Err(e) => {
                            item.result = Err(FileProblem::Unreadable(e.to_string()));
                            None
                        }
                    },
                    Err(_) => None,
                };
                (item, hash)
            })
            .collect()
    })
    .await
    .unwrap_or_default()
}

/// Decides, for each hashed file, whether it is sent, skipped or already in the chart.
pub async fn decide(
    store: &mut Store,
    run: &RunLock,
    uploader: &Uploader,
    patient: &Patient,
    files: &[(&CheckedFile, &ContentHash)],
    force: bool,
) -> Result<Decisions, LedgerError> {
    let patient_id = patient.id.to_string();
    let interrupted: Vec<QueueRow> = store
        .abandoned()?
        .into_iter()
        .filter(|r| r.patient_id == patient_id)
        .collect();
    let mut first_seen: HashMap<&ContentHash, &CheckedFile> = HashMap::new();
    let mut decisions = Vec::with_capacity(files.len());
    for (file, hash) in files {
        let decision = if let Some(earlier) = first_seen.get(hash).filter(|_| !force) {
            Decision::Skip {
                reason: format!(
                    "the same content as {} in this selection",
                    earlier.path.display()
                ),
                attachment_id: None,
            }
        } else if let Some(done) = store.previous_upload(&patient_id, hash)?.filter(|_| !force) {
            Decision::Skip {
                reason: format!(
                    "already uploaded to this patient on {} as attachment {} (use --force to send it again)",
                    done.uploaded_at.get(..10).unwrap_or(&done.uploaded_at),
                    done.attachment_id
                ),
                attachment_id: Some(done.attachment_id),
            }
        } else {
            Decision::Send
        };
        first_seen.entry(hash).or_insert(file);
        decisions.push(decision);
    }
    let looked_in_chart = look_in_chart(
        store,
        run,
        uploader,
        patient,
        files,
        &interrupted,
        &mut decisions,
    )
    .await?;
    // This run answers for the files now: the interrupted rows for the same bytes are replaced.
    let replaced: Vec<i64> = interrupted
        .iter()
        .filter(|r| files.iter().any(|(_, h)| **h == r.hash))
        .map(|r| r.id)
        .collect();
    store.remove(&replaced)?;
    Ok(Decisions {
        files: decisions,
        looked_in_chart,
    })
}

/// Files an interrupted run may have sent are looked for in the chart before they are sent.
async fn look_in_chart(
    store: &mut Store,
    run: &RunLock,
    uploader: &Uploader,
    patient: &Patient,
    files: &[(&CheckedFile, &ContentHash)],
    interrupted: &[QueueRow],
    decisions: &mut [Decision],
) -> Result<usize, LedgerError> {
    let maybe: Vec<(usize, &QueueRow)> = files
        .iter()
        .enumerate()
        .filter(|(i, _)| matches!(decisions[*i], Decision::Send))
        .filter_map(|(i, (_, hash))| {
            interrupted
                .iter()
                .find(|r| r.state == RowState::MaybeLanded && r.hash == **hash)
                .map(|r| (i, r))
        })
        .collect();
    let Some(since) = maybe
        .iter()
        .filter_map(|(_, r)| r.first_sent_at.as_deref())
        .filter_map(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .min()
    else {
        return Ok(0);
    };
    let wanted: Vec<&CheckedFile> = maybe.iter().map(|(i, _)| files[*i].0).collect();
    let found = uploader
        .find_in_chart(&patient.id, since.with_timezone(&chrono::Utc), &wanted)
        .await?;
    for ((i, _), attachment) in maybe.iter().zip(found) {
        let Some(attachment) = attachment else {
            continue;
        };
        let (file, hash) = files[*i];
        let ids = store.enqueue(run, &[new_item(patient, None, file, hash)])?;
        store.mark_uploaded(ids[0], attachment.id.as_str(), &attachment.name)?;
        decisions[*i] = Decision::FoundInChart {
            attachment_id: attachment.id.to_string(),
            name: attachment.name,
        };
    }
    Ok(maybe.len())
}

/// The queue row for a checked file.
pub fn new_item(
    patient: &Patient,
    note: Option<&str>,
    file: &CheckedFile,
    hash: &ContentHash,
) -> NewItem {
    NewItem {
        patient_id: patient.id.to_string(),
        note_id: note.map(str::to_owned),
        path: file.path.clone(),
        name: Some(file.display_name.clone()),
        external_id: file.external_id.clone(),
        hash: hash.clone(),
        size: file.size,
    }
}

/// Records the engine's progress in the queue as it happens (each confirmed file goes to the
/// history at once), and passes every event on to `next` (the progress bar). `rows` gives, per
/// job item, its queue row and display name (`None` for refused files, which have no row).
pub fn record(
    mut store: Store,
    rows: Vec<Option<(i64, String)>>,
    next: Option<ProgressSink>,
) -> (ProgressSink, tokio::task::JoinHandle<Store>) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Progress>();
    let task = tokio::spawn(async move {
        while let Some(event) = rx.recv().await {
            if let Progress::FileDone {
                index,
                uploaded,
                attachment_id,
                message,
            } = &event
            {
                if let Some(Some((row, name))) = rows.get(*index) {
                    let saved = match (uploaded, attachment_id) {
                        (true, Some(id)) => store.mark_uploaded(*row, id, name),
                        _ => store.mark(
                            *row,
                            RowState::Failed,
                            message.as_deref().unwrap_or("not uploaded"),
                        ),
                    };
                    if let Err(e) = saved {
                        tracing::warn!("the upload history could not be updated: {e}");
                    }
                }
            }
            if let Some(next) = &next {
                let _ = next.send(event);
            }
        }
        store
    });
    (tx, task)
}
