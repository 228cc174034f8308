//! Sending the queue: progress streamed over a channel, outcomes written back to the queue.

use crate::{
    commands::{files::QUEUE_CHANGED, patients::PatientView},
    error::UiResult,
    state::AppState,
    UiError,
};
use decoda_core::{
    waiting::{Recorded, UploadedView},
    Outcome, Selected, Target,
};
use decoda_engine::{CancellationToken, Phase, Progress, Uploader};
use serde::Serialize;
use tauri::{ipc::Channel, AppHandle, Emitter, Runtime, State};

/// A progress event, with queue ids instead of engine positions. Byte counts are cumulative.
#[derive(Debug, Clone, Serialize)]
#[serde(
    tag = "event",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum UploadEvent {
    /// Sending starts.
    Started {
        /// Files being sent.
        files: usize,
        /// Their total size.
        total_bytes: u64,
    },
    /// Bytes sent so far.
    Bytes {
        /// All files.
        sent: u64,
        /// To send in all.
        total: u64,
        /// Recent speed.
        bytes_per_sec: f64,
        /// Per-file counts that moved: `[id, sent, size]`.
        files: Vec<(u64, u64, u64)>,
    },
    /// What is happening now, in words.
    Status {
        /// The files concerned.
        ids: Vec<u64>,
        /// A sentence for the status line.
        text: String,
    },
    /// A file reached its final state.
    FileDone {
        /// The file.
        id: u64,
        /// Whether it is in the chart.
        uploaded: bool,
        /// Why not, or a warning.
        message: Option<String>,
    },
}

/// The outcome of an upload.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadSummary {
    /// Whose chart received the files.
    pub patient: PatientView,
    /// The files now in the chart.
    pub uploaded: Vec<UploadedView>,
    /// How many were not uploaded (they stay queued with their reason).
    pub failed: usize,
    /// How many of this upload's files were not sent again: the same content was already in the
    /// chart, or listed twice (files skipped by earlier uploads are not counted).
    pub skipped: usize,
}

/// Uploads the files the window listed (`file_ids`, those ready or previously failed) to the
/// patient, confirming the patient with the server first: the window's idea of the patient is not
/// trusted. `assign_scan` is a scan a person gave this patient in the scan sorter: it is bound to
/// them only once the patient is confirmed and this upload holds the slot, and is then sent (it
/// must be among `file_ids`).
#[tauri::command]
pub async fn start_upload<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    patient_id: String,
    note_id: Option<String>,
    file_ids: Vec<u64>,
    assign_scan: Option<u64>,
    on_event: Channel<UploadEvent>,
) -> UiResult<UploadSummary> {
    let uploader = state.uploader()?;
    // The window's idea of the patient, and its list of notes (which may be another patient's:
    // an answer that came late, a stale list), are confirmed with the server first.
    let target = match Target::confirm(&uploader, &patient_id, note_id.as_deref()).await {
        Ok(target) => target,
        Err(e) => {
            let e = UiError::from(e);
            if !matches!(e, UiError::Network(_)) {
                return Err(e);
            }
            // The person confirmed these files for this patient: they wait for the network and
            // go by themselves (the patient is confirmed with the server then). The technical
            // reason goes to the log, not to the front desk.
            tracing::debug!("Decoda could not be reached: {e}");
            if let Some(scan) = assign_scan {
                state.queue().assign(scan, patient_id.trim());
            }
            crate::network_wait::begin(&app, patient_id.trim(), note_id, &file_ids);
            return Err(UiError::Network(WAITING_FOR_NETWORK.into()));
        }
    };
    send_confirmed(
        &app,
        &state,
        &uploader,
        &target,
        Request {
            file_ids,
            assign_scan,
            on_event: Some(on_event),
        },
    )
    .await
}

/// What an upload to a confirmed patient takes.
pub(crate) struct Request {
    /// The files the person saw listed when they pressed Upload (or that wait for the network).
    pub file_ids: Vec<u64>,
    /// A scan given this patient in the scan sorter.
    pub assign_scan: Option<u64>,
    /// Where progress goes; `None` for a send the app makes by itself.
    pub on_event: Option<Channel<UploadEvent>>,
}

/// Sends the files of `request` to the confirmed `target` and records what became of them. A
/// file not sent because the server could not be reached waits for the network
/// ([`crate::network_wait`]).
pub(crate) async fn send_confirmed<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    uploader: &Uploader,
    target: &Target,
    request: Request,
) -> UiResult<UploadSummary> {
    let patient = target.patient();
    let cancel = CancellationToken::new();
    // Held until this function returns or unwinds, whichever way that happens.
    let mut running = RunningUpload::claim(app, state, cancel.clone())?;
    let started = std::time::Instant::now();
    if let Some(scan) = request.assign_scan {
        if !state.queue().assign(scan, patient.id.as_str()) {
            return Err(UiError::Invalid(SCAN_NOT_WAITING.into()));
        }
    }
    let sending = state
        .queue()
        .start_sending(patient.id.as_str(), &request.file_ids);
    tracing::info!("upload started: {} files", sending.len());
    let _ = app.emit(QUEUE_CHANGED, ());
    let ids: Vec<u64> = sending.iter().map(|(id, _)| *id).collect();
    running.sending(&ids, patient.id.as_str());
    let outcome = send(state, uploader, target, sending, request.on_event, cancel).await;
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(e) => {
            // Nothing was handed to the engine: the files are as they were, with the reason.
            state.queue().not_sent(&ids, &e.to_string());
            if matches!(e, UiError::Network(_)) {
                drop(running);
                crate::network_wait::begin(app, patient.id.as_str(), note_of(target), &ids);
            }
            let _ = app.emit(QUEUE_CHANGED, ());
            tracing::warn!("upload stopped before sending: {}", e.kind());
            crate::window::tell_if_away(app, started.elapsed(), 0, ids.len());
            return Err(e);
        }
    };
    let Recorded { uploaded, skipped } = state.queue().record(patient.id.as_str(), &ids, outcome);
    crate::inbox::move_confirmed(app, &ids).await;
    crate::commands::scanning::remove_confirmed(app, &ids);
    state.remember_returned(
        uploaded.iter().filter_map(|u| u.thumbnail_url.clone()),
        uploaded.iter().map(|u| u.signed_url.clone()),
    );
    for u in &uploaded {
        state.remember_uploaded(&u.attachment_id, patient.id.as_str());
    }
    let _ = app.emit(QUEUE_CHANGED, ());
    let failed = state.queue().failed_among(&ids);
    tracing::info!(
        "upload finished: {} uploaded, {failed} not uploaded, {skipped} not sent again, in {:.1} s",
        uploaded.len(),
        started.elapsed().as_secs_f64()
    );
    crate::window::tell_if_away(app, started.elapsed(), uploaded.len(), failed);
    drop(running);
    if failed > 0 {
        crate::network_wait::if_unreachable(app, patient.id.as_str(), note_of(target));
    }
    Ok(UploadSummary {
        patient: target.card().clone(),
        uploaded,
        failed,
        skipped,
    })
}

fn note_of(target: &Target) -> Option<String> {
    target.note().map(|n| n.as_str().to_owned())
}

/// What the window says when Upload found Decoda out of reach.
const WAITING_FOR_NETWORK: &str = "Decoda cannot be reached just now. Nothing is lost: the files wait in the list and are sent to this patient by themselves as soon as Decoda answers. To stop that, remove them from the list.";

/// Why a scan cannot be given the patient chosen in the scan sorter.
const SCAN_NOT_WAITING: &str =
    "this scan is no longer waiting for a patient (it was removed, sent, or given one already)";

/// The app's one "upload running" slot, held for as long as an upload runs.
///
/// Dropping it frees the slot and gives back every file still marked "Sending"
/// ([`decoda_core::waiting::Queue::give_back`]), whichever way the upload ends: normally, by an
/// early return, or by a panic unwinding the command's task. Without it one failure would leave
/// every later upload refused as "already running" and the files "Sending" for good.
pub(crate) struct RunningUpload<'a, R: Runtime> {
    app: &'a AppHandle<R>,
    state: &'a AppState,
    sending: Vec<u64>,
    /// The patient they were being sent to: a file given back may already be in that chart, so
    /// it stays bound to that patient and never goes to the next one chosen.
    patient: Option<String>,
}

impl<'a, R: Runtime> RunningUpload<'a, R> {
    /// Takes the slot, or says that another upload holds it.
    pub(crate) fn claim(
        app: &'a AppHandle<R>,
        state: &'a AppState,
        cancel: CancellationToken,
    ) -> UiResult<Self> {
        let mut slot = state.upload_slot();
        if slot.is_some() {
            return Err(UiError::Busy("an upload is already running".into()));
        }
        *slot = Some(cancel);
        Ok(Self {
            app,
            state,
            sending: Vec::new(),
            patient: None,
        })
    }

    /// The queue ids this upload marked "Sending", to `patient`.
    pub(crate) fn sending(&mut self, ids: &[u64], patient: &str) {
        self.sending = ids.to_vec();
        self.patient = Some(patient.to_owned());
    }
}

impl<R: Runtime> Drop for RunningUpload<'_, R> {
    fn drop(&mut self) {
        *self.state.upload_slot() = None;
        let given_back = self
            .state
            .queue()
            .give_back(&self.sending, self.patient.as_deref());
        if given_back > 0 {
            tracing::warn!("upload stopped unexpectedly: {given_back} files given back");
            let _ = self.app.emit(QUEUE_CHANGED, ());
        }
    }
}

/// Plans, records and sends the files through the upload core, as the CLI does.
async fn send(
    state: &AppState,
    uploader: &Uploader,
    target: &Target,
    sending: Vec<(u64, Selected)>,
    on_event: Option<Channel<UploadEvent>>,
    cancel: CancellationToken,
) -> UiResult<Vec<Outcome>> {
    let (ids, selection): (Vec<u64>, Vec<Selected>) = sending.into_iter().unzip();
    let mut store = state.store()?;
    let run = store.begin_run()?;
    let prepared = decoda_core::plan(&mut store, &run, uploader, target, selection).await?;
    let engine_ids = prepared
        .engine_positions()
        .into_iter()
        .filter_map(|p| ids.get(p).copied())
        .collect();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let forward = tauri::async_runtime::spawn(forward(rx, engine_ids, on_event));
    let outcomes = prepared
        .send(store, &run, uploader, Some(tx), cancel)
        .await?;
    let _ = forward.await;
    Ok(outcomes)
}

/// Cancels the running upload, if any.
#[tauri::command]
pub fn cancel_upload(state: State<'_, AppState>) -> bool {
    state.cancel_upload()
}

async fn forward(
    mut rx: tokio::sync::mpsc::UnboundedReceiver<Progress>,
    ids: Vec<u64>,
    channel: Option<Channel<UploadEvent>>,
) {
    let id = |i: usize| ids.get(i).copied().unwrap_or_default();
    while let Some(event) = rx.recv().await {
        let mapped = match event {
            Progress::Started {
                files, total_bytes, ..
            } => UploadEvent::Started { files, total_bytes },
            Progress::Bytes(b) => UploadEvent::Bytes {
                sent: b.sent,
                total: b.total,
                bytes_per_sec: b.bytes_per_sec,
                files: b
                    .files
                    .iter()
                    .map(|f| (id(f.index), f.sent, f.size))
                    .collect(),
            },
            Progress::Phase { files, phase } => UploadEvent::Status {
                ids: files.into_iter().map(id).collect(),
                text: sentence(&phase),
            },
            Progress::FileDone {
                index,
                uploaded,
                message,
                ..
            } => UploadEvent::FileDone {
                id: id(index),
                uploaded,
                message,
            },
            Progress::Hashed { .. } | Progress::Finished { .. } => continue,
        };
        // A send the app makes by itself has no one watching its bytes: the rows say "Sending…".
        if channel.as_ref().is_some_and(|c| c.send(mapped).is_err()) {
            break;
        }
    }
}

/// The engine's phase text as a sentence for the status line.
fn sentence(phase: &Phase) -> String {
    let text = phase.to_string();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}…", first.to_uppercase(), chars.as_str()),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_start_with_a_capital_and_end_with_an_ellipsis() {
        assert_eq!(
            sentence(&Phase::ServerProcessing),
            "All sent; Decoda is storing the files…"
        );
    }

    #[test]
    fn progress_events_serialise_in_the_shape_the_window_reads() {
        let e = UploadEvent::Bytes {
            sent: 5,
            total: 10,
            bytes_per_sec: 2.0,
            files: vec![(7, 5, 10)],
        };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["event"], "bytes");
        assert_eq!(json["bytesPerSec"], 2.0);
        assert_eq!(json["files"][0], serde_json::json!([7, 5, 10]));
        let done = serde_json::to_value(UploadEvent::FileDone {
            id: 3,
            uploaded: false,
            message: Some("x".into()),
        })
        .unwrap();
        assert_eq!(done["event"], "fileDone");
    }
}
