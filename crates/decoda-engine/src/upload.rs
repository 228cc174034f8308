//! The upload loop: batches, retries, recovery after ambiguous failures, and verification.
//!
//! Every file ends in exactly one state: uploaded (with the attachment the server returned or
//! that was found in the chart), or failed with a reason. A file whose fate is unknown is never
//! sent again silently; it is reported as unconfirmed.

use crate::{
    body::file_body,
    files::{check_files, CheckedFile, FileSpec, IntakeItem},
    hash::{hash_file, ContentHash},
    progress::{sample, Meter, Phase, Progress, ProgressSink},
    recover::{find_landed, in_chart, still_in_chart, Landed},
    verify::{inspect, pair_answer},
    FileProblem, Limits, RetryPolicy, Timeouts,
};
use chrono::{DateTime, Utc};
use decoda_api::{
    models::{Attachment, NameUpdate, NameUpdates, Patient},
    ApiError, AttachmentId, BulkUpload, Client, FilePart, NamesEncoding, NoteId, PatientId,
};
use futures_util::{stream, StreamExt};
use serde::Serialize;
use std::{
    collections::{HashMap, HashSet, VecDeque},
    path::PathBuf,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio_util::sync::CancellationToken;

/// Notes read per page when a note is checked against its patient.
const NOTES_PER_PAGE: u32 = 100;
/// Note pages read at most (10,000 notes): a patient with more is not a reason to read forever.
pub const MAX_NOTE_PAGES: u32 = 100;

/// Engine settings that come from the user's or the fleet's configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    /// Size and batching limits.
    pub limits: Limits,
    /// How `names` and `external_ids` are encoded.
    pub names_encoding: NamesEncoding,
    /// How hard to retry.
    pub retry: RetryPolicy,
    /// How long to wait on a request.
    pub timeouts: Timeouts,
}

/// What to upload, for whom. Build it from [`Uploader::confirm_patient`] and [`Uploader::check`],
/// so the patient shown to the user is the one the files go to.
#[derive(Debug, Clone)]
pub struct Job {
    /// The confirmed patient.
    pub patient: Patient,
    /// The note to attach the files to, if any.
    pub note: Option<NoteId>,
    /// The checked files, in the user's order.
    pub items: Vec<IntakeItem>,
}

/// The final state of one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum FileStatus {
    /// In the chart.
    #[serde(rename_all = "camelCase")]
    Uploaded {
        /// The attachment as the server described it.
        attachment: Box<Attachment>,
        /// It was found in the chart after a try whose answer was lost, rather than confirmed.
        found_after_interruption: bool,
    },
    /// Not sent on purpose.
    Skipped {
        /// Why.
        reason: String,
    },
    /// Not uploaded.
    Failed {
        /// Why.
        problem: FileProblem,
    },
}

/// One file's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileReport {
    /// The file.
    pub path: PathBuf,
    /// What happened to it.
    #[serde(flatten)]
    pub status: FileStatus,
    /// Warnings about an uploaded file (a repaired name, an external id that came back wrong).
    pub notes: Vec<String>,
}

/// The outcome of a whole job, one entry per item in the job's order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Whose chart the files went to.
    pub patient: Patient,
    /// One entry per item.
    pub files: Vec<FileReport>,
}

impl Report {
    /// Files now in the chart.
    pub fn uploaded(&self) -> usize {
        self.files
            .iter()
            .filter(|f| matches!(f.status, FileStatus::Uploaded { .. }))
            .count()
    }

    /// Whether every file is in the chart.
    pub fn all_uploaded(&self) -> bool {
        self.uploaded() == self.files.len()
    }
}

/// Drives uploads for one API client.
#[derive(Debug, Clone)]
pub struct Uploader {
    client: Client,
    settings: Settings,
}

type Outcome = (usize, FileStatus, Vec<String>);

/// What one run shares between its concurrent batches.
struct Run<'a> {
    job: &'a Job,
    ready: Vec<Option<CheckedFile>>,
    meter: Arc<Meter>,
    sink: Option<ProgressSink>,
    cancel: CancellationToken,
    claimed: Mutex<HashSet<AttachmentId>>,
}

impl Run<'_> {
    fn emit(&self, event: Progress) {
        if let Some(sink) = &self.sink {
            let _ = sink.send(event);
        }
    }

    fn phase(&self, files: &[usize], phase: Phase) {
        self.emit(Progress::Phase {
            files: files.to_vec(),
            phase,
        });
    }

    fn file(&self, index: usize) -> Option<&CheckedFile> {
        self.ready.get(index).and_then(Option::as_ref)
    }

    fn claim(&self, id: &AttachmentId) {
        if let Ok(mut set) = self.claimed.lock() {
            set.insert(id.clone());
        }
    }
}

enum SendError {
    Cancelled { body_sent: bool },
    Api(ApiError),
}

impl Uploader {
    /// An uploader over `client` with `settings`.
    pub fn new(client: Client, settings: Settings) -> Self {
        Self { client, settings }
    }

    /// The API client, for lookups the caller makes itself.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Fetches the patient so that their name and date of birth can be shown before sending.
    pub async fn confirm_patient(&self, id: &PatientId) -> Result<Patient, ApiError> {
        self.client.patient(id).await
    }

    /// Checks that `note` is one of the patient's notes before anything is sent: a note id pasted
    /// from another chart, or a list of notes left over from the previously chosen patient, must
    /// not attach the files anywhere. Walks the patient's note pages (at most [`MAX_NOTE_PAGES`]).
    pub async fn confirm_note(&self, patient: &PatientId, note: &NoteId) -> Result<(), ApiError> {
        for page in 1..=MAX_NOTE_PAGES {
            let notes = self.client.notes(patient, page, NOTES_PER_PAGE).await?;
            if notes.data.iter().any(|n| &n.id == note) {
                return Ok(());
            }
            if notes.data.len() < NOTES_PER_PAGE as usize {
                break;
            }
        }
        Err(ApiError::NotFound(decoda_api::NotFound::Note(
            note.to_string(),
        )))
    }

    /// Which of these earlier uploads (attachment and the day it was uploaded) are still in the
    /// patient's chart: a file is skipped as "already there" only when the chart says so, not on
    /// the word of a local history that may belong to a chart where it was deleted since.
    pub async fn still_in_chart(
        &self,
        patient: &PatientId,
        earlier: &[(AttachmentId, chrono::NaiveDate)],
    ) -> Result<HashSet<AttachmentId>, ApiError> {
        still_in_chart(&self.client, patient, earlier).await
    }

    /// Whether one attachment is in the patient's chart now, by the chart's listing (an answer
    /// may not say whose chart an attachment is on): how a move to another patient is checked,
    /// since the server's `true` is no proof. With the day it was uploaded (UTC), that day and the
    /// days either side are read; without it, the chart's day pages from the newest back, as far
    /// as recovery reads them.
    pub async fn attachment_in_chart(
        &self,
        patient: &PatientId,
        attachment: &AttachmentId,
        uploaded: Option<chrono::NaiveDate>,
    ) -> Result<bool, ApiError> {
        let found = match uploaded {
            Some(day) => {
                still_in_chart(&self.client, patient, &[(attachment.clone(), day)]).await?
            }
            None => {
                in_chart(
                    &self.client,
                    patient,
                    chrono::DateTime::UNIX_EPOCH,
                    &[attachment],
                )
                .await?
            }
        };
        Ok(found.contains(attachment))
    }

    /// Looks in the patient's chart for attachments that are these files, sent since `since` by a
    /// run whose answer never came (for example a process that was killed): each file is found
    /// (by name and content), absent, or could not be compared. A file given without its hash is
    /// read for one if it is still as it was checked. Nothing is sent.
    pub async fn find_in_chart(
        &self,
        patient: &PatientId,
        since: chrono::DateTime<chrono::Utc>,
        files: &[&CheckedFile],
    ) -> Result<Vec<Landed>, ApiError> {
        let mut hashed = Vec::with_capacity(files.len());
        for &file in files {
            let content_hash = match &file.content_hash {
                Some(hash) => Some(hash.clone()),
                None => hash_unchanged(file).await,
            };
            hashed.push(CheckedFile {
                content_hash,
                ..file.clone()
            });
        }
        let hashed: Vec<&CheckedFile> = hashed.iter().collect();
        find_landed(
            &self.client,
            patient,
            since,
            &hashed,
            &Mutex::new(HashSet::new()),
        )
        .await
    }

    /// Checks files (and expands folders) off the async threads.
    pub async fn check(&self, specs: Vec<FileSpec>) -> Vec<IntakeItem> {
        let limits = self.settings.limits.clone();
        let fallback = specs.clone();
        tokio::task::spawn_blocking(move || check_files(&specs, &limits))
            .await
            .unwrap_or_else(|_| {
                fallback
                    .into_iter()
                    .enumerate()
                    .map(|(spec, s)| IntakeItem {
                        spec,
                        path: s.path,
                        result: Err(FileProblem::Unreadable(
                            "the file check stopped unexpectedly".into(),
                        )),
                    })
                    .collect()
            })
    }

    /// Uploads the job's good files and reports on every item. Never fails as a whole: each file
    /// carries its own outcome. `cancel` stops promptly; the report then says what landed.
    pub async fn upload(
        &self,
        job: Job,
        sink: Option<ProgressSink>,
        cancel: CancellationToken,
    ) -> Report {
        let mut outcomes: Vec<Option<(FileStatus, Vec<String>)>> = vec![None; job.items.len()];
        let mut ready: Vec<Option<CheckedFile>> = Vec::with_capacity(job.items.len());
        for (index, item) in job.items.iter().enumerate() {
            match self.sendable(item) {
                Ok(file) => ready.push(Some(file)),
                Err(problem) => {
                    outcomes[index] = Some((FileStatus::Failed { problem }, Vec::new()));
                    ready.push(None);
                }
            }
        }
        let sizes: Vec<(usize, u64)> = ready
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.as_ref().map(|f| (i, f.size)))
            .collect();
        let batches = self.settings.limits.batches(&sizes);
        let meter = Meter::new(
            ready
                .iter()
                .map(|f| f.as_ref().map_or(0, |f| f.size))
                .collect(),
        );
        let run = Run {
            job: &job,
            ready,
            meter: meter.clone(),
            sink,
            cancel,
            claimed: Mutex::new(HashSet::new()),
        };
        run.emit(Progress::Started {
            files: sizes.len(),
            total_bytes: sizes.iter().map(|(_, s)| s).sum(),
            requests: batches.len(),
        });
        let sampler_done = CancellationToken::new();
        let sampler = run.sink.clone().map(|sink| {
            tokio::spawn(sample(
                meter,
                sizes.iter().map(|(i, _)| *i).collect(),
                sink,
                sampler_done.clone(),
            ))
        });
        let parallel = self.settings.limits.parallel_requests.max(1);
        let results: Vec<Vec<Outcome>> = stream::iter(batches)
            .map(|batch| self.run_batch(&run, batch))
            .buffer_unordered(parallel)
            .collect()
            .await;
        sampler_done.cancel();
        if let Some(task) = sampler {
            let _ = task.await;
        }
        for (index, status, notes) in results.into_iter().flatten() {
            outcomes[index] = Some((status, notes));
        }
        let files: Vec<FileReport> = job
            .items
            .iter()
            .zip(outcomes)
            .map(|(item, outcome)| {
                let (status, notes) = outcome.unwrap_or((
                    FileStatus::Failed {
                        problem: FileProblem::NotSent("the upload stopped before this file".into()),
                    },
                    Vec::new(),
                ));
                FileReport {
                    path: item.path.clone(),
                    status,
                    notes,
                }
            })
            .collect();
        let report = Report {
            patient: job.patient.clone(),
            files,
        };
        run.emit(Progress::Finished {
            uploaded: report.uploaded(),
            failed: report.files.len() - report.uploaded(),
        });
        report
    }

    /// A checked file as it will be sent, or why it cannot be in the configured encoding.
    fn sendable(&self, item: &IntakeItem) -> Result<CheckedFile, FileProblem> {
        let file = item.result.clone()?;
        let comma = self.settings.names_encoding == NamesEncoding::Comma;
        if comma && file.external_id.as_deref().is_some_and(|e| e.contains(',')) {
            return Err(FileProblem::NotEncodable(
                "its external id contains a comma, which the comma-separated encoding setting cannot send".into(),
            ));
        }
        Ok(file)
    }

    /// Sends one batch until every file in it is settled.
    async fn run_batch(&self, run: &Run<'_>, batch: Vec<usize>) -> Vec<Outcome> {
        let mut done: Vec<Outcome> = Vec::new();
        let mut queue = VecDeque::from([batch]);
        let mut delays = self.settings.retry.delays();
        let mut attempt = 1u32;
        let mut first_try: Option<DateTime<Utc>> = None;
        while let Some(group) = queue.pop_front() {
            if group.is_empty() {
                continue;
            }
            if run.cancel.is_cancelled() {
                done.extend(fail_all(run, &group, FileProblem::Cancelled));
                continue;
            }
            let since = *first_try.get_or_insert_with(Utc::now);
            run.phase(&group, Phase::Sending);
            let (error, group, looked) = match self.send_group(run, &group).await {
                Ok(answer) => {
                    let (settled, resend) = self.settle(run, &group, answer, since).await;
                    done.extend(settled);
                    if resend.is_empty() {
                        continue;
                    }
                    let error = ApiError::InvalidResponse {
                        status: 200,
                        reason: "the answer left out some files, and they are not in the chart"
                            .into(),
                    };
                    (error, resend, true)
                }
                Err(SendError::Cancelled { body_sent }) => {
                    let problem = if body_sent {
                        FileProblem::Unconfirmed(
                            "cancelled while the server was storing the files".into(),
                        )
                    } else {
                        FileProblem::Cancelled
                    };
                    done.extend(fail_all(run, &group, problem));
                    continue;
                }
                Err(SendError::Api(e)) => (e, group, false),
            };
            let (changed, group): (Vec<usize>, Vec<usize>) =
                group.into_iter().partition(|&i| run.meter.was_changed(i));
            if !changed.is_empty() {
                done.extend(fail_all(run, &changed, FileProblem::Changed));
                queue.push_front(group);
                continue;
            }
            if matches!(error, ApiError::PayloadTooLarge) && group.len() > 1 {
                let second = group[group.len() / 2..].to_vec();
                queue.push_front(second);
                queue.push_front(group[..group.len() / 2].to_vec());
                continue;
            }
            if !error.is_transient() {
                done.extend(fail_all(
                    run,
                    &group,
                    FileProblem::Refused(error.to_string()),
                ));
                continue;
            }
            let mut resend = group;
            if !looked && run.meter.all_sent(&resend) && !error.nothing_was_processed() {
                match self.look_in_chart(run, &resend, since).await {
                    Ok((found, missing)) => {
                        done.extend(found);
                        resend = missing;
                    }
                    Err(lookup) => {
                        let why = format!("{error}; then checking the chart failed: {lookup}");
                        done.extend(fail_all(run, &resend, FileProblem::Unconfirmed(why)));
                        continue;
                    }
                }
                if resend.is_empty() {
                    continue;
                }
            }
            match self
                .wait_before_retry(run, &resend, &error, &mut delays, attempt)
                .await
            {
                Ok(()) => {
                    attempt += 1;
                    queue.push_front(resend);
                }
                Err(problem) => done.extend(fail_all(run, &resend, problem)),
            }
        }
        done
    }

    /// Waits as the error and the policy say, or says why not to try again.
    async fn wait_before_retry(
        &self,
        run: &Run<'_>,
        files: &[usize],
        error: &ApiError,
        delays: &mut impl Iterator<Item = Duration>,
        attempt: u32,
    ) -> Result<(), FileProblem> {
        let gave_up = || FileProblem::NotSent(format!("{error} (gave up after {attempt} tries)"));
        let backoff = delays.next().ok_or_else(gave_up)?;
        let wait = match error {
            ApiError::RateLimited {
                retry_after: Some(wait),
            } => {
                if *wait > self.settings.retry.max_rate_limit_wait {
                    return Err(FileProblem::NotSent(format!(
                        "{error}: too long to wait now; try again later"
                    )));
                }
                *wait
            }
            _ => backoff,
        };
        run.phase(
            files,
            Phase::Retrying {
                attempt: attempt + 1,
                wait_ms: wait.as_millis().try_into().unwrap_or(u64::MAX),
                reason: error.to_string(),
            },
        );
        tokio::select! {
            _ = run.cancel.cancelled() => Err(FileProblem::Cancelled),
            _ = tokio::time::sleep(wait) => Ok(()),
        }
    }

    async fn send_group(
        &self,
        run: &Run<'_>,
        group: &[usize],
    ) -> Result<Vec<Attachment>, SendError> {
        let files: Vec<&CheckedFile> = group.iter().filter_map(|&i| run.file(i)).collect();
        let encoding = self.settings.names_encoding;
        let names: Vec<String> = files
            .iter()
            .map(|f| wire_name(&f.display_name, encoding))
            .collect();
        let names = encoding
            .encode(&names.iter().map(|n| Some(n.as_str())).collect::<Vec<_>>())
            .map_err(|e| SendError::Api(encode_failure(e)))?;
        let external_ids = if files.iter().any(|f| f.external_id.is_some()) {
            let ids: Vec<Option<&str>> = files.iter().map(|f| f.external_id.as_deref()).collect();
            Some(
                encoding
                    .encode(&ids)
                    .map_err(|e| SendError::Api(encode_failure(e)))?,
            )
        } else {
            None
        };
        let parts = group
            .iter()
            .filter_map(|&i| run.file(i).map(|f| (i, f)))
            .map(|(i, f)| FilePart {
                file_name: f.file_name.clone(),
                content_type: f.content_type.clone(),
                length: f.size,
                body: file_body(f.clone(), i, run.meter.clone(), run.sink.clone()),
            })
            .collect();
        let request = BulkUpload {
            patient_id: run.job.patient.id.clone(),
            note_id: run.job.note.clone(),
            names: Some(names),
            external_ids,
            files: parts,
        };
        tracing::debug!(files = group.len(), "sending a bulk request");
        let call = self.client.upload_bulk(request);
        tokio::pin!(call);
        let mut tick = tokio::time::interval(Duration::from_millis(200));
        let mut watch = Watch::new(&self.settings.timeouts);
        loop {
            tokio::select! {
                biased;
                _ = run.cancel.cancelled() => {
                    return Err(SendError::Cancelled { body_sent: run.meter.all_sent(group) });
                }
                result = &mut call => return result.map_err(SendError::Api),
                _ = tick.tick() => {
                    let all_sent = run.meter.all_sent(group);
                    match watch.observe(run.meter.sent_of(group), all_sent) {
                        Verdict::Waiting => {}
                        Verdict::BodySent => run.phase(group, Phase::ServerProcessing),
                        Verdict::TimedOut(message) => {
                            return Err(SendError::Api(ApiError::Transport { detail: message.clone(), message, connect: false, timeout: true }));
                        }
                    }
                }
            }
        }
    }

    /// Checks an answer, repairs names, and returns the settled files and those to send again.
    async fn settle(
        &self,
        run: &Run<'_>,
        group: &[usize],
        answer: Vec<Attachment>,
        since: DateTime<Utc>,
    ) -> (Vec<Outcome>, Vec<usize>) {
        ensure_hashes(run, group).await;
        let files: Vec<&CheckedFile> = group.iter().filter_map(|&i| run.file(i)).collect();
        let (pairs, missing) = pair_answer(&files, answer);
        let found: Vec<(usize, Attachment)> =
            pairs.into_iter().map(|(pos, a)| (group[pos], a)).collect();
        let mut settled = self.accept(run, found, false, since).await;
        let missing: Vec<usize> = missing.into_iter().map(|pos| group[pos]).collect();
        if missing.is_empty() {
            return (settled, Vec::new());
        }
        // The server answered without these: look before sending them again.
        match self.look_in_chart(run, &missing, since).await {
            Ok((found, resend)) => {
                settled.extend(found);
                (settled, resend)
            }
            Err(e) => {
                settled.extend(fail_all(
                    run,
                    &missing,
                    FileProblem::Unconfirmed(e.to_string()),
                ));
                (settled, Vec::new())
            }
        }
    }

    /// Looks for files in the patient's chart; returns those found (settled) and those not.
    async fn look_in_chart(
        &self,
        run: &Run<'_>,
        group: &[usize],
        since: DateTime<Utc>,
    ) -> Result<(Vec<Outcome>, Vec<usize>), ApiError> {
        run.phase(group, Phase::CheckingChart);
        ensure_hashes(run, group).await;
        let files: Vec<CheckedFile> = group
            .iter()
            .filter_map(|&i| run.file(i).map(|f| as_sent(run, i, f)))
            .collect();
        let files: Vec<&CheckedFile> = files.iter().collect();
        let landed = find_landed(
            &self.client,
            &run.job.patient.id,
            since,
            &files,
            &run.claimed,
        )
        .await?;
        let mut found = Vec::new();
        let mut missing = Vec::new();
        let mut settled = Vec::new();
        for (&index, hit) in group.iter().zip(landed) {
            match hit {
                Landed::Found(a) => found.push((index, *a)),
                Landed::Absent => missing.push(index),
                Landed::Unknown(why) => {
                    settled.push(failed(run, index, FileProblem::Unconfirmed(why)));
                }
            }
        }
        settled.extend(self.accept(run, found, true, since).await);
        Ok((settled, missing))
    }

    /// Verifies returned attachments and repairs names that came back different. `recovered`
    /// attachments were found in this patient's own chart; others are checked against the chart
    /// when the answer did not say whose they are.
    async fn accept(
        &self,
        run: &Run<'_>,
        found: Vec<(usize, Attachment)>,
        recovered: bool,
        since: DateTime<Utc>,
    ) -> Vec<Outcome> {
        let mut outcomes = Vec::new();
        let mut repairs: Vec<(usize, NameUpdate)> = Vec::new();
        let unplaced = if recovered {
            HashMap::new()
        } else {
            self.unplaced(run, &found, since).await
        };
        for (index, attachment) in found {
            run.claim(&attachment.id);
            let Some(file) = run.file(index) else {
                continue;
            };
            if let Some(problem) = unplaced.get(&attachment.id) {
                outcomes.push(failed(run, index, problem.clone()));
                continue;
            }
            let findings = inspect(&run.job.patient.id, file, &attachment);
            if let Some(other) = findings.wrong_patient {
                tracing::error!(attachment = %attachment.id, "the server filed an attachment on another patient");
                outcomes.push(failed(run, index, FileProblem::WrongPatient(other)));
                continue;
            }
            if findings.name_differs {
                repairs.push((
                    index,
                    NameUpdate {
                        attachment_id: attachment.id.clone(),
                        name: file.display_name.clone(),
                    },
                ));
            }
            let notes: Vec<String> = findings.external_id_note.into_iter().collect();
            outcomes.push((
                index,
                FileStatus::Uploaded {
                    attachment: Box::new(attachment),
                    found_after_interruption: recovered,
                },
                notes,
            ));
        }
        if !repairs.is_empty() {
            self.repair_names(run, &mut outcomes, repairs).await;
        }
        for (index, status, notes) in &outcomes {
            if let FileStatus::Uploaded { attachment, .. } = status {
                let message = (!notes.is_empty()).then(|| notes.join("; "));
                run.emit(Progress::FileDone {
                    index: *index,
                    uploaded: true,
                    attachment_id: Some(attachment.id.to_string()),
                    message,
                    may_have_landed: false,
                });
            }
        }
        outcomes
    }

    /// The answer's attachments that do not say whose chart they are on (the contract allows
    /// `patient` to be null) and are not found in the chosen patient's chart, with why. One listing
    /// of the chart for the whole answer; a file that cannot be placed is not counted as uploaded.
    async fn unplaced(
        &self,
        run: &Run<'_>,
        found: &[(usize, Attachment)],
        since: DateTime<Utc>,
    ) -> HashMap<AttachmentId, FileProblem> {
        let (indices, unknown): (Vec<usize>, Vec<&AttachmentId>) = found
            .iter()
            .filter(|(_, a)| a.patient.is_none())
            .map(|(i, a)| (*i, &a.id))
            .unzip();
        if unknown.is_empty() {
            return HashMap::new();
        }
        run.phase(&indices, Phase::CheckingChart);
        let patient = &run.job.patient.id;
        match in_chart(&self.client, patient, since, &unknown).await {
            Ok(present) => unknown
                .into_iter()
                .filter(|id| !present.contains(*id))
                .map(|id| {
                    tracing::error!(attachment = %id, "an attachment the answer did not place is not in the patient's chart");
                    (id.clone(), FileProblem::NotInChart(id.to_string()))
                })
                .collect(),
            Err(e) => unknown
                .into_iter()
                .map(|id| {
                    let why = format!("the answer did not say whose chart it is on, and checking the chart failed: {e}");
                    (id.clone(), FileProblem::Unconfirmed(why))
                })
                .collect(),
        }
    }

    async fn repair_names(
        &self,
        run: &Run<'_>,
        outcomes: &mut [Outcome],
        repairs: Vec<(usize, NameUpdate)>,
    ) {
        let indices: Vec<usize> = repairs.iter().map(|(i, _)| *i).collect();
        run.phase(&indices, Phase::RepairingNames);
        let updates = NameUpdates {
            updates: repairs.iter().map(|(_, u)| u.clone()).collect(),
        };
        let result = self.client.rename_bulk(&updates).await;
        for (index, update) in repairs {
            let Some((_, FileStatus::Uploaded { attachment, .. }, notes)) =
                outcomes.iter_mut().find(|(i, _, _)| *i == index)
            else {
                continue;
            };
            match &result {
                Ok(()) => {
                    notes.push(format!(
                        "the server stored the name as `{}`; it was corrected",
                        attachment.name
                    ));
                    attachment.name = update.name;
                }
                Err(e) => notes.push(format!(
                    "the server stored the name as `{}` and correcting it failed: {e}",
                    attachment.name
                )),
            }
        }
    }
}

/// Makes sure every file of the group has its hash as sent, and that the caller heard it, before
/// an answer about them is accepted or the chart is searched for them. The hash is normally taken
/// while the file streamed; when the stream did not reach its end (the connection dropped after the
/// last byte left), the file is read again, if it still is as it was checked. A file whose hash
/// cannot be taken has none: the chart search then says it cannot compare it.
async fn ensure_hashes(run: &Run<'_>, group: &[usize]) {
    for &index in group {
        let Some(file) = run.file(index) else {
            continue;
        };
        if run.meter.hash(index).is_some() {
            continue;
        }
        let hash = match &file.content_hash {
            Some(hash) => Some(hash.clone()),
            None => hash_unchanged(file).await,
        };
        if let Some(hash) = hash {
            run.meter.set_hash(index, hash.clone());
            run.emit(Progress::Hashed { index, hash });
        }
    }
}

/// The file's hash read from disk, if it still has the size and modification time it was checked
/// with (otherwise its bytes now are not the ones that were sent).
async fn hash_unchanged(file: &CheckedFile) -> Option<ContentHash> {
    let (path, size, modified) = (file.path.clone(), file.size, file.modified);
    tokio::task::spawn_blocking(move || {
        let meta = std::fs::metadata(&path).ok()?;
        if meta.len() != size || meta.modified().ok() != modified {
            return None;
        }
        hash_file(&path).ok()
    })
    .await
    .ok()
    .flatten()
}

/// The file with the hash of the bytes it was sent with, for comparing it with the chart.
fn as_sent(run: &Run<'_>, index: usize, file: &CheckedFile) -> CheckedFile {
    CheckedFile {
        content_hash: run.meter.hash(index).or_else(|| file.content_hash.clone()),
        ..file.clone()
    }
}

/// Bounds a bulk request by a stall before the body is sent and by the wait for the answer after.
struct Watch {
    timeouts: Timeouts,
    last_progress: (Instant, u64),
    body_sent_at: Option<Instant>,
}

enum Verdict {
    Waiting,
    BodySent,
    TimedOut(String),
}

impl Watch {
    fn new(timeouts: &Timeouts) -> Self {
        Self {
            timeouts: timeouts.clone(),
            last_progress: (Instant::now(), 0),
            body_sent_at: None,
        }
    }

    fn observe(&mut self, sent: u64, all_sent: bool) -> Verdict {
        let now = Instant::now();
        if let Some(at) = self.body_sent_at {
            return if now.duration_since(at) >= self.timeouts.answer {
                Verdict::TimedOut(format!(
                    "Decoda did not answer within {} s after the files were sent",
                    self.timeouts.answer.as_secs_f64().ceil()
                ))
            } else {
                Verdict::Waiting
            };
        }
        if all_sent {
            self.body_sent_at = Some(now);
            return Verdict::BodySent;
        }
        if sent != self.last_progress.1 {
            self.last_progress = (now, sent);
        } else if now.duration_since(self.last_progress.0) >= self.timeouts.stall {
            return Verdict::TimedOut(format!(
                "the connection stalled: nothing could be sent for {} s",
                self.timeouts.stall.as_secs_f64().ceil()
            ));
        }
        Verdict::Waiting
    }
}

/// The name as sent: in the comma encoding a comma would split it, so it is replaced and the
/// real name set afterwards by the repair step.
fn wire_name(name: &str, encoding: NamesEncoding) -> String {
    match encoding {
        NamesEncoding::Json => name.to_owned(),
        NamesEncoding::Comma => name.replace(',', " "),
    }
}

fn encode_failure(e: decoda_api::EncodeError) -> ApiError {
    ApiError::Validation {
        errors: vec![decoda_api::FieldError {
            loc: "names".into(),
            msg: e.to_string(),
        }],
    }
}

fn failed(run: &Run<'_>, index: usize, problem: FileProblem) -> Outcome {
    run.emit(Progress::FileDone {
        index,
        uploaded: false,
        attachment_id: None,
        message: Some(problem.to_string()),
        may_have_landed: problem.may_have_landed(),
    });
    (index, FileStatus::Failed { problem }, Vec::new())
}

fn fail_all(run: &Run<'_>, files: &[usize], problem: FileProblem) -> Vec<Outcome> {
    files
        .iter()
        .map(|&i| failed(run, i, problem.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watch(stall_ms: u64, answer_ms: u64) -> Watch {
        Watch::new(&Timeouts {
            stall: Duration::from_millis(stall_ms),
            answer: Duration::from_millis(answer_ms),
        })
    }

    #[test]
    fn a_slow_but_moving_upload_never_times_out() {
        let mut w = watch(3_600_000, 3_600_000);
        assert!(matches!(w.observe(0, false), Verdict::Waiting));
        assert!(matches!(w.observe(10, false), Verdict::Waiting));
        assert!(matches!(w.observe(20, true), Verdict::BodySent));
        assert!(matches!(w.observe(20, true), Verdict::Waiting));
    }

    #[test]
    fn a_stall_before_the_body_is_sent_times_out_as_a_stall() {
        let mut w = watch(0, 3_600_000);
        let Verdict::TimedOut(why) = w.observe(0, false) else {
            panic!("should time out")
        };
        assert!(why.contains("stalled"), "{why}");
    }

    #[test]
    fn the_answer_wait_starts_when_the_body_is_sent() {
        let mut w = watch(3_600_000, 0);
        assert!(
            matches!(w.observe(5, false), Verdict::Waiting),
            "the answer timer has not started"
        );
        assert!(matches!(w.observe(9, true), Verdict::BodySent));
        let Verdict::TimedOut(why) = w.observe(9, true) else {
            panic!("should time out")
        };
        assert!(why.contains("did not answer"), "{why}");
    }
}
