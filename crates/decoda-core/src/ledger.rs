//! The queue around one upload, shared by the CLI and the app: what is already in the chart, what
//! an interrupted run may have left there, and a record of every file as it goes.
//!
//! Before anything is sent, every file is written to the queue. A file whose bytes were already
//! uploaded to this patient, or that appears twice in the selection, is skipped (unless forced):
//! for that, the files that could be such a copy (their size is that of another file of the
//! selection, of an earlier upload to this patient, or of an unfinished one) are hashed first; the
//! others are hashed while they are sent, so most files are read once, and their hash is stored
//! before the answer about them is accepted. A file that an interrupted run was sending when it
//! died, or that was sent and never confirmed while the chart could not be checked, is looked for
//! in the chart first and sent again only if it is not there.

use crate::Target;
use decoda_engine::{
    api::{models::Patient, ApiError, AttachmentId, NoteId},
    CancellationToken, CheckedFile, CreatedDate, FileProblem, FileReport, FileSpec, FileStatus,
    IntakeItem, Job, Landed, Progress, ProgressSink, Uploader,
};
use decoda_store::{
    hash_file, ContentHash, HistoryEntry, NewItem, QueueRow, RowState, RunLock, Store, StoreError,
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

/// One file or folder of a selection, with what the person chose for it: everything about it
/// travels together, never in vectors kept in step.
#[derive(Debug, Clone)]
pub struct Selected {
    /// The file or folder, with the name and external id to give it.
    pub spec: FileSpec,
    /// Send it even if it is already in the chart ("Send anyway", `--force`).
    pub force: bool,
    /// The content hash taken when it was listed (a scan from the inbox, a file of an interrupted
    /// upload): a file whose content is no longer that is refused, since a scanner that reused a
    /// name must not slip another page under the earlier listing and its patient.
    pub listed_hash: Option<ContentHash>,
}

impl Selected {
    /// A file or folder as given, not forced, with no earlier listing.
    pub fn new(spec: FileSpec) -> Self {
        Self {
            spec,
            force: false,
            listed_hash: None,
        }
    }
}

/// A file of the selection once checked, and hashed if it could be a copy.
#[derive(Debug, Clone)]
struct Candidate {
    item: IntakeItem,
    /// `None` when the check refused it, or when no other file has its size (it is hashed while it
    /// is sent).
    hash: Option<ContentHash>,
    force: bool,
}

/// A checked file with its hash, if taken before sending.
type Checked<'a> = (&'a CheckedFile, Option<&'a ContentHash>);

/// The decisions for the checked files of a selection, in its order.
#[derive(Debug)]
struct Decisions {
    /// Per checked file: `None` to send it, else why it is not sent.
    files: Vec<Option<Outcome>>,
    looked_in_chart: usize,
    replaced: Vec<i64>,
}

/// What became of one file of a selection.
#[derive(Debug)]
pub enum Outcome {
    /// The engine handled it (uploaded, failed, or refused at the check): its report.
    Sent(FileReport),
    /// Not sent: already in the chart, or listed twice.
    Skipped {
        /// Why, in words.
        reason: String,
        /// The attachment that already holds these bytes, if known.
        attachment_id: Option<String>,
    },
    /// Not sent: an interrupted upload had already put it in the chart (now recorded).
    FoundInChart {
        /// The attachment it became.
        attachment_id: String,
        /// Its name in the chart.
        name: String,
    },
}

/// A selection, decided and ready to send: which files go, which do not and why, and the queue
/// rows that will be written before anything is sent.
#[derive(Debug)]
pub struct Prepared {
    /// Per file of the selection: `None` when it goes to the engine, else why it does not.
    decided: Vec<Option<Outcome>>,
    /// Per file of the selection, its path (a folder given is expanded into its files).
    paths: Vec<std::path::PathBuf>,
    /// What the engine gets: the files to send and the refused ones (so it reports them).
    job_items: Vec<IntakeItem>,
    /// Per job item, its index in `new_rows` (`None` for a refused file).
    rows_of_job: Vec<Option<usize>>,
    new_rows: Vec<NewItem>,
    /// Rows of interrupted runs that this one takes over when it sends.
    replaced: Vec<i64>,
    patient: Patient,
    note: Option<NoteId>,
    /// Files an interrupted upload may have sent, looked for in the chart.
    pub looked_in_chart: usize,
}

/// Checks, hashes and decides every file of the selection, and plans the upload; sends
/// nothing. A file is refused if its check fails or its content is no longer what was listed; it
/// is skipped if it is already in this patient's chart (the chart confirms it) or listed twice,
/// unless forced; a file an interrupted upload may have sent is looked for in the chart.
pub async fn plan(
    store: &mut Store,
    run: &RunLock,
    uploader: &Uploader,
    target: &Target,
    selection: Vec<Selected>,
) -> Result<Prepared, LedgerError> {
    let specs = selection.iter().map(|s| s.spec.clone()).collect();
    let items = uploader.check(specs).await;
    let known = store.sizes_known(target.patient().id.as_str())?;
    let candidates = hash_all(items, selection, known).await;
    let note = target.note().map(NoteId::as_str);
    prepare(store, run, uploader, target.patient(), note, &candidates).await
}

/// Decides each file of a hashed selection and plans the upload.
async fn prepare(
    store: &mut Store,
    run: &RunLock,
    uploader: &Uploader,
    patient: &Patient,
    note: Option<&str>,
    candidates: &[Candidate],
) -> Result<Prepared, LedgerError> {
    let mut checked: Vec<Checked<'_>> = Vec::new();
    let mut checked_forced = Vec::new();
    for candidate in candidates {
        if let Ok(file) = &candidate.item.result {
            checked.push((file, candidate.hash.as_ref()));
            checked_forced.push(candidate.force);
        }
    }
    let Decisions {
        files,
        looked_in_chart,
        replaced,
    } = decide(store, run, uploader, patient, &checked, &checked_forced).await?;
    let mut decisions = files.into_iter();
    let mut plan = Prepared {
        decided: Vec::new(),
        paths: candidates.iter().map(|c| c.item.path.clone()).collect(),
        job_items: Vec::new(),
        rows_of_job: Vec::new(),
        new_rows: Vec::new(),
        replaced,
        patient: patient.clone(),
        note: note.map(NoteId::new),
        looked_in_chart,
    };
    for Candidate { item, hash, .. } in candidates {
        match &item.result {
            Ok(file) => match decisions.next().flatten() {
                None => {
                    plan.rows_of_job.push(Some(plan.new_rows.len()));
                    plan.new_rows
                        .push(new_item(patient, note, file, hash.as_ref()));
                    plan.job_items.push(IntakeItem {
                        result: Ok(with_hash(file, hash.as_ref())),
                        ..item.clone()
                    });
                    plan.decided.push(None);
                }
                not_sent => plan.decided.push(not_sent),
            },
            Err(_) => {
                plan.rows_of_job.push(None);
                plan.job_items.push(item.clone());
                plan.decided.push(None);
            }
        }
    }
    Ok(plan)
}

impl Prepared {
    /// How many files will be sent, and their bytes.
    pub fn to_send(&self) -> (usize, u64) {
        (
            self.new_rows.len(),
            self.new_rows.iter().map(|r| r.size).sum(),
        )
    }

    /// The path of each file of the selection, in the order [`Prepared::send`] reports them
    /// (folders expanded into their files).
    pub fn paths(&self) -> &[std::path::PathBuf] {
        &self.paths
    }

    /// How many files are not sent because they already are in the chart (or listed twice).
    pub fn not_sent_again(&self) -> usize {
        self.decided.iter().flatten().count()
    }

    /// The files the engine refused at the check, with why.
    pub fn refused(&self) -> impl Iterator<Item = (&std::path::Path, &FileProblem)> {
        self.job_items
            .iter()
            .filter_map(|i| i.result.as_ref().err().map(|p| (i.path.as_path(), p)))
    }

    /// The positions in the selection of the files the engine gets, in the engine's order (its
    /// progress events number files in this order).
    pub fn engine_positions(&self) -> Vec<usize> {
        self.decided
            .iter()
            .enumerate()
            .filter(|(_, d)| d.is_none())
            .map(|(i, _)| i)
            .collect()
    }

    /// Writes the queue rows, marks them as handed over, sends, records every file as its answer
    /// is verified, and returns each file's outcome in selection order. `progress` receives the
    /// engine's events.
    pub async fn send(
        self,
        mut store: Store,
        run: &RunLock,
        uploader: &Uploader,
        progress: Option<ProgressSink>,
        cancel: CancellationToken,
    ) -> Result<Vec<Outcome>, LedgerError> {
        // Written down before a byte is sent, and marked as handed over: if the process dies from
        // here on, the next run looks in the chart before sending these again.
        let row_ids = store.enqueue_replacing(run, &self.new_rows, &self.replaced)?;
        store.mark_sending(&row_ids)?;
        let rows = self
            .rows_of_job
            .iter()
            .map(|slot| {
                slot.map(|i| {
                    (
                        row_ids[i],
                        self.new_rows[i].name.clone().unwrap_or_default(),
                    )
                })
            })
            .collect();
        let (sink, recorder) = record(store, rows, progress);
        let job = Job {
            patient: self.patient,
            note: self.note,
            items: self.job_items,
        };
        let report = uploader.upload(job, Some(sink), cancel).await;
        // From here on the files are sent: a local failure must not turn their outcomes into
        // errors (a file in the chart reported as failed would be sent again). What was not
        // written stays in the queue, and the next run looks in the chart before sending it.
        match recorder.await {
            Ok(mut store) => {
                if let Err(e) = store.finish_run(run) {
                    tracing::warn!("the local queue could not close this upload: {e}");
                }
            }
            Err(e) => tracing::warn!("the upload history stopped recording: {e}"),
        }
        let mut reports = report.files.into_iter();
        Ok(self
            .decided
            .into_iter()
            .filter_map(|d| d.or_else(|| reports.next().map(Outcome::Sent)))
            .collect())
    }
}

/// Hashes, off the async threads, the checked files that could be a copy of another: those listed
/// with a hash (their content is compared with it), and those whose size is that of another file
/// of the selection or one of `known` (the patient's earlier and unfinished uploads). Each keeps
/// what was chosen for its spec. A file that cannot be read becomes refused; so does one whose
/// content is no longer what was listed.
async fn hash_all(
    items: Vec<IntakeItem>,
    selection: Vec<Selected>,
    mut known: std::collections::HashSet<u64>,
) -> Vec<Candidate> {
    let mut seen = std::collections::HashSet::new();
    for file in items.iter().filter_map(|i| i.result.as_ref().ok()) {
        if !seen.insert(file.size) {
            known.insert(file.size);
        }
    }
    // Should hashing stop unexpectedly, every file is still reported, refused with the reason:
    // an empty plan would look like "nothing to send" and end the command as if all were done.
    let fallback: Vec<IntakeItem> = items
        .iter()
        .map(|item| IntakeItem {
            result: Err(FileProblem::Unreadable(
                "the file could not be read to take its hash".into(),
            )),
            ..item.clone()
        })
        .collect();
    tokio::task::spawn_blocking(move || {
        items
            .into_iter()
            .map(|item| {
                let chosen = selection.get(item.spec);
                let force = chosen.is_some_and(|s| s.force);
                let listed = chosen.and_then(|s| s.listed_hash.as_ref());
                let size = item.result.as_ref().map(|f| f.size);
                let could_be_a_copy = size.is_ok_and(|size| known.contains(&size));
                if listed.is_none() && !could_be_a_copy {
                    return Candidate {
                        item,
                        hash: None,
                        force,
                    };
                }
                candidate(item, force, listed)
            })
            .collect()
    })
    .await
    .unwrap_or_else(|_| {
        fallback
            .into_iter()
            .map(|item| Candidate {
                item,
                hash: None,
                force: false,
            })
            .collect()
    })
}

/// Hashes one checked file and compares it with its listed hash.
fn candidate(mut item: IntakeItem, force: bool, listed: Option<&ContentHash>) -> Candidate {
    let hash = match &item.result {
        Ok(file) => match hash_file(&file.path) {
            Ok(now) if listed.is_some_and(|then| *then != now) => {
                item.result = Err(FileProblem::ChangedSinceListed);
                None
            }
            Ok(now) => Some(now),
            Err(e) => {
                // The kind in words ("permission denied"), not the OS's code: the row is read by staff.
                item.result = Err(FileProblem::Unreadable(e.kind().to_string()));
                None
            }
        },
        Err(_) => None,
    };
    Candidate { item, hash, force }
}

/// Decides, for each hashed file, whether it is sent, skipped or already in the chart. A file
/// with `forced` set is sent even if its content is already there.
async fn decide(
    store: &mut Store,
    run: &RunLock,
    uploader: &Uploader,
    patient: &Patient,
    files: &[Checked<'_>],
    forced: &[bool],
) -> Result<Decisions, LedgerError> {
    let patient_id = patient.id.to_string();
    let mut interrupted: Vec<QueueRow> = store
        .abandoned()?
        .into_iter()
        .filter(|r| r.patient_id == patient_id)
        .collect();
    interrupted.extend(store.set_aside(&patient_id)?);
    let mut first_seen: HashMap<&ContentHash, &CheckedFile> = HashMap::new();
    let mut decisions = Vec::with_capacity(files.len());
    let mut earlier: Vec<(usize, HistoryEntry)> = Vec::new();
    for (index, ((file, hash), force)) in files.iter().zip(forced).enumerate() {
        let Some(hash) = *hash else {
            // No other file has its size: it cannot be a copy.
            decisions.push(None);
            continue;
        };
        let force = *force;
        let decision = if let Some(earlier) = first_seen.get(hash).filter(|_| !force) {
            Some(Outcome::Skipped {
                reason: format!(
                    "the same content as {} in this selection",
                    earlier.path.display()
                ),
                attachment_id: None,
            })
        } else if let Some(done) = store.previous_upload(&patient_id, hash)?.filter(|_| !force) {
            // Decided below, once the chart has confirmed it is still there.
            earlier.push((index, done));
            None
        } else {
            None
        };
        first_seen.entry(hash).or_insert(file);
        decisions.push(decision);
    }
    confirm_earlier(uploader, patient, files, earlier, &mut decisions).await;
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
    // Once this run sends, it answers for these files: the interrupted rows for the same bytes
    // are replaced then (not now: the user may still decline).
    // A row whose file the chart check could not settle, or that planning did not let go (its
    // earlier upload could not be confirmed), stays as it is ("maybe landed"): the next try looks
    // again. Only a file that is sent, found or already there answers for its earlier rows. (Both
    // kinds of file held back carry a failed report as their decision.)
    let replaced: Vec<i64> = interrupted
        .iter()
        .filter(|row| {
            let mut matching = files
                .iter()
                .zip(&decisions)
                .filter(|(file, _)| is_row_of(row, file))
                .peekable();
            let held = |(_, d): (_, &Option<Outcome>)| matches!(d, Some(Outcome::Sent(_)));
            matching.peek().is_some() && !matching.any(held)
        })
        .map(|r| r.id)
        .collect();
    Ok(Decisions {
        files: decisions,
        looked_in_chart,
        replaced,
    })
}

/// Files the history says were uploaded to this patient before are skipped only if their
/// attachment is still in the patient's chart (one listing per day of earlier uploads): one deleted
/// there since, or recorded against another server or tenant, is sent. When the chart cannot be
/// checked the file is not sent, and says why, rather than reported as in the chart unchecked.
async fn confirm_earlier(
    uploader: &Uploader,
    patient: &Patient,
    files: &[Checked<'_>],
    earlier: Vec<(usize, HistoryEntry)>,
    decisions: &mut [Option<Outcome>],
) {
    if earlier.is_empty() {
        return;
    }
    let wanted: Vec<(AttachmentId, chrono::NaiveDate)> = earlier
        .iter()
        .map(|(_, done)| (AttachmentId::new(&done.attachment_id), upload_day(done)))
        .collect();
    let present = uploader.still_in_chart(&patient.id, &wanted).await;
    for (index, done) in earlier {
        let day = done
            .uploaded_at
            .get(..10)
            .unwrap_or(&done.uploaded_at)
            .to_owned();
        decisions[index] = match &present {
            Ok(present) if present.contains(&AttachmentId::new(&done.attachment_id)) => {
                Some(Outcome::Skipped {
                    reason: format!(
                        "already in this patient's chart: uploaded on {day} as attachment {}",
                        done.attachment_id
                    ),
                    attachment_id: Some(done.attachment_id),
                })
            }
            Ok(_) => {
                tracing::info!("an earlier upload is no longer in the chart; sending the file again");
                None
            }
            Err(e) => Some(Outcome::Sent(FileReport {
                path: files[index].0.path.clone(),
                status: FileStatus::Failed {
                    problem: FileProblem::NotSent(format!(
                        "it was uploaded to this patient on {day} as attachment {}, and the chart could not be checked to confirm it is still there ({e}); it was not sent again: try again",
                        done.attachment_id
                    )),
                },
                notes: Vec::new(),
            })),
        };
    }
}

/// The day (UTC) of an earlier upload, for the chart's day pages; today when unreadable.
fn upload_day(done: &HistoryEntry) -> chrono::NaiveDate {
    chrono::DateTime::parse_from_rfc3339(&done.uploaded_at)
        .map(|at| at.with_timezone(&chrono::Utc).date_naive())
        .unwrap_or_else(|_| chrono::Utc::now().date_naive())
}

/// Whether an interrupted queue row is this file (see [`crate::is_row_of`]).
fn is_row_of(row: &QueueRow, (file, hash): &Checked<'_>) -> bool {
    crate::is_row_of(
        row,
        &crate::OnDisk {
            path: &file.path,
            size: file.size,
            modified: file.modified,
            hash: *hash,
        },
    )
}

/// Files an interrupted run may have sent are looked for in the chart before they are sent.
/// Returns how many were looked for. A file the chart could not settle (one of the same name whose
/// content could not be compared) gets a failed report as its decision: it is not sent now.
async fn look_in_chart(
    store: &mut Store,
    run: &RunLock,
    uploader: &Uploader,
    patient: &Patient,
    files: &[Checked<'_>],
    interrupted: &[QueueRow],
    decisions: &mut [Option<Outcome>],
) -> Result<usize, LedgerError> {
    let maybe: Vec<(usize, &QueueRow, &ContentHash)> = files
        .iter()
        .enumerate()
        .filter(|(i, _)| decisions[*i].is_none())
        .filter_map(|(i, checked)| {
            // A file an interrupted row could be has its size, so it was hashed before sending.
            let hash = checked.1?;
            interrupted
                .iter()
                .find(|r| may_have_landed(r) && is_row_of(r, checked))
                .map(|r| (i, r, hash))
        })
        .collect();
    if maybe.is_empty() {
        return Ok(0);
    }
    // From the earliest first try; a row that does not say when it went out is looked for back
    // to [`LOOK_BACK_DAYS`] (a chart too busy to read that far says it cannot tell).
    let since = maybe
        .iter()
        .map(|(_, r, _)| {
            r.first_sent_at
                .as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map(|at| at.with_timezone(&chrono::Utc))
                .unwrap_or_else(|| chrono::Utc::now() - chrono::Duration::days(LOOK_BACK_DAYS))
        })
        .min()
        .unwrap_or_else(chrono::Utc::now);
    let wanted: Vec<CheckedFile> = maybe
        .iter()
        .map(|(i, _, hash)| with_hash(files[*i].0, Some(hash)))
        .collect();
    let wanted: Vec<&CheckedFile> = wanted.iter().collect();
    let found = uploader.find_in_chart(&patient.id, since, &wanted).await?;
    for ((i, row, hash), landed) in maybe.iter().zip(found) {
        let file = files[*i].0;
        let attachment = match landed {
            Landed::Found(attachment) => attachment,
            Landed::Absent => continue,
            Landed::Unknown(why) => {
                decisions[*i] = Some(Outcome::Sent(FileReport {
                    path: file.path.clone(),
                    status: FileStatus::Failed {
                        problem: FileProblem::Unconfirmed(why),
                    },
                    notes: Vec::new(),
                }));
                continue;
            }
        };
        let ids = store.enqueue(run, &[new_item(patient, None, file, Some(hash))])?;
        let landed_at = landed_at(&attachment.created_date, row.first_sent_at.as_deref());
        store.mark_uploaded_at(ids[0], attachment.id.as_str(), &attachment.name, landed_at)?;
        decisions[*i] = Some(Outcome::FoundInChart {
            attachment_id: attachment.id.to_string(),
            name: attachment.name,
        });
    }
    Ok(maybe.len())
}

/// Whether a row's file may be in the chart already: it was going out when its run ended, or it
/// was and the person removed it from the list since.
fn may_have_landed(row: &QueueRow) -> bool {
    matches!(row.state, RowState::MaybeLanded | RowState::SetAside)
}

/// How far back a file whose interrupted upload does not say when it went out is looked for.
const LOOK_BACK_DAYS: i64 = 30;

/// When a file found in the chart landed: the attachment's own date (one without a time zone read
/// as UTC), else when its interrupted upload first went out, else now.
fn landed_at(created: &str, first_sent: Option<&str>) -> chrono::DateTime<chrono::Utc> {
    CreatedDate::parse(created)
        .or_else(|| first_sent.and_then(CreatedDate::parse))
        .map_or_else(chrono::Utc::now, CreatedDate::as_utc)
}

/// The file as the engine gets it: with the hash taken before sending, if it was (the engine
/// checks the bytes it sends against it; otherwise it takes the hash while sending).
fn with_hash(file: &CheckedFile, hash: Option<&ContentHash>) -> CheckedFile {
    CheckedFile {
        content_hash: hash.cloned(),
        ..file.clone()
    }
}

/// The queue row for a checked file.
fn new_item(
    patient: &Patient,
    note: Option<&str>,
    file: &CheckedFile,
    hash: Option<&ContentHash>,
) -> NewItem {
    NewItem {
        patient_id: patient.id.to_string(),
        note_id: note.map(str::to_owned),
        path: file.path.clone(),
        name: Some(file.display_name.clone()),
        external_id: file.external_id.clone(),
        hash: hash.cloned(),
        size: file.size,
        modified: file.modified,
    }
}

/// Records the engine's progress in the queue as it happens (each confirmed file goes to the
/// history at once), and passes every event on to `next` (the progress bar). `rows` gives, per
/// job item, its queue row and display name (`None` for refused files, which have no row).
fn record(
    mut store: Store,
    rows: Vec<Option<(i64, String)>>,
    next: Option<ProgressSink>,
) -> (ProgressSink, tokio::task::JoinHandle<Store>) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Progress>();
    let task = tokio::spawn(async move {
        while let Some(event) = rx.recv().await {
            if let Progress::Hashed { index, hash } = &event {
                if let Some(Some((row, _))) = rows.get(*index) {
                    if let Err(e) = store.record_hash(*row, hash) {
                        tracing::warn!("the local queue could not store a file's hash: {e}");
                    }
                }
            }
            if let Progress::FileDone {
                index,
                uploaded,
                attachment_id,
                message,
                may_have_landed,
            } = &event
            {
                if let Some(Some((row, name))) = rows.get(*index) {
                    let reason = message.as_deref().unwrap_or("not uploaded");
                    let saved = match (uploaded, attachment_id) {
                        (true, Some(id)) => store.mark_uploaded(*row, id, name),
                        // The next run looks in the chart before sending it again.
                        _ if *may_have_landed => store.mark(*row, RowState::MaybeLanded, reason),
                        _ => store.mark(*row, RowState::Failed, reason),
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

#[cfg(test)]
mod tests {
    use super::*;
    use decoda_engine::{check_files, Limits};

    #[test]
    fn a_file_whose_content_changed_since_it_was_listed_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let same = dir.path().join("same.pdf");
        let replaced = dir.path().join("Scan_0001.pdf");
        let unlisted = dir.path().join("dropped.pdf");
        for p in [&same, &replaced, &unlisted] {
            std::fs::write(p, b"%PDF-1.4 patient A").unwrap();
        }
        let selection = vec![
            Selected {
                listed_hash: Some(hash_file(&same).unwrap()),
                ..Selected::new(FileSpec::new(&same))
            },
            Selected {
                listed_hash: Some(hash_file(&replaced).unwrap()),
                ..Selected::new(FileSpec::new(&replaced))
            },
            Selected::new(FileSpec::new(&unlisted)),
        ];
        std::fs::write(&replaced, b"%PDF-1.4 patient B").unwrap();
        let specs: Vec<FileSpec> = selection.iter().map(|s| s.spec.clone()).collect();
        let checked = check_files(&specs, &Limits::default());
        let hashed = tokio::runtime::Runtime::new().unwrap().block_on(hash_all(
            checked,
            selection,
            Default::default(),
        ));
        assert!(hashed[0].item.result.is_ok() && hashed[0].hash.is_some());
        assert!(matches!(
            hashed[1].item.result,
            Err(FileProblem::ChangedSinceListed)
        ));
        assert!(
            hashed[1].hash.is_none(),
            "a refused file has no hash to decide on"
        );
        assert!(
            hashed[2].item.result.is_ok(),
            "a file listed without a hash is sent"
        );
    }

    #[test]
    fn only_files_that_could_be_a_copy_are_read_before_sending() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, bytes: &[u8]| {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            path
        };
        let twin_a = write("a.pdf", b"%PDF-1.4 one");
        let twin_b = write("b.pdf", b"%PDF-1.4 two");
        let alone = write("c.pdf", b"%PDF-1.4 three");
        let earlier = write("d.pdf", b"%PDF-1.4 fourth!");
        let selection: Vec<Selected> = [&twin_a, &twin_b, &alone, &earlier]
            .into_iter()
            .map(|p| Selected::new(FileSpec::new(p)))
            .collect();
        let specs: Vec<FileSpec> = selection.iter().map(|s| s.spec.clone()).collect();
        let checked = check_files(&specs, &Limits::default());
        let known = std::collections::HashSet::from([16u64]);
        let hashed = tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(hash_all(checked, selection, known));
        let pre_hashed: Vec<bool> = hashed.iter().map(|c| c.hash.is_some()).collect();
        assert_eq!(
            pre_hashed,
            [true, true, false, true],
            "two files of one size, and one of an earlier upload's size, are hashed first; a file of no other size is hashed while it is sent"
        );
        assert!(hashed.iter().all(|c| c.item.result.is_ok()));
    }

    #[test]
    fn a_file_found_in_the_chart_is_recorded_on_the_day_it_landed_not_today() {
        let day = |at: chrono::DateTime<chrono::Utc>| at.format("%Y-%m-%d").to_string();
        assert_eq!(day(landed_at("2026-11-20T10:00:00Z", None)), "2026-11-20");
        assert_eq!(
            day(landed_at("2026-11-20T23:30:00.5", None)),
            "2026-11-20",
            "a date without a zone"
        );
        assert_eq!(
            day(landed_at("garbled", Some("2026-11-19T08:00:00.000Z"))),
            "2026-11-19",
            "else when the interrupted upload first went out"
        );
        assert_eq!(day(landed_at("", None)), day(chrono::Utc::now()));
    }

    #[test]
    fn each_file_of_a_folder_keeps_what_was_chosen_for_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("scans");
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(folder.join("a.pdf"), b"%PDF-1.4 a").unwrap();
        std::fs::write(folder.join("b.pdf"), b"%PDF-1.4 b").unwrap();
        let single = dir.path().join("c.pdf");
        std::fs::write(&single, b"%PDF-1.4 c").unwrap();
        let selection = vec![
            Selected::new(FileSpec::new(&single)),
            Selected {
                force: true,
                ..Selected::new(FileSpec::new(&folder))
            },
        ];
        let specs: Vec<FileSpec> = selection.iter().map(|s| s.spec.clone()).collect();
        let checked = check_files(&specs, &Limits::default());
        let hashed = tokio::runtime::Runtime::new().unwrap().block_on(hash_all(
            checked,
            selection,
            Default::default(),
        ));
        let forced: Vec<bool> = hashed.iter().map(|c| c.force).collect();
        assert_eq!(forced, [false, true, true]);
    }
}
