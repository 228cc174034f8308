//! Files that could not be sent because Decoda could not be reached wait for the network and go
//! by themselves once it answers: a person confirmed them for their patient, and a clinic's
//! network that drops for a minute must not leave a stack of scans unsent until someone notices.
//!
//! Each patient whose files wait has one timer. When it fires, the patient is confirmed with the
//! server again (the probe); if the server still cannot be reached, the next try waits longer
//! ([`backoff`]); if it answers, the files are sent through the same path as an Upload, which
//! looks in the chart first for anything that may already be there. If the server answers but
//! refuses (the patient is gone, the key was revoked), the files stop waiting and stay listed
//! with the reason, for a person. The wait is also written to the local store, so a restart
//! while the network is down goes on waiting ([`resume`]).

use crate::{
    commands::{
        files::QUEUE_CHANGED,
        upload::{send_confirmed, Request},
    },
    state::AppState,
    UiError,
};
use decoda_core::Target;
use decoda_engine::api::PatientId;
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex,
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// The event that tells the window what a send the app made by itself did.
pub const SENT_BY_ITSELF: &str = "sent-by-itself";

/// The first wait, doubled after each failed try up to [`LONGEST_WAIT`]. Tests and the
/// end-to-end suite may shorten it with `DECODA_NETWORK_RETRY_MS`.
const FIRST_WAIT: Duration = Duration::from_secs(5);

/// The longest wait between two tries.
const LONGEST_WAIT: Duration = Duration::from_secs(5 * 60);

/// How long a try waits while another upload holds the app's one upload slot.
const BUSY_WAIT: Duration = Duration::from_secs(10);

/// The waits, by patient: how many tries failed, the note the files go with, and which timer is
/// the current one (a newer schedule makes an older timer do nothing).
pub struct NetworkWaits {
    waits: Mutex<HashMap<String, Waiting>>,
    /// The first wait, in milliseconds ([`FIRST_WAIT`] unless shortened).
    first_ms: AtomicU64,
}

impl Default for NetworkWaits {
    fn default() -> Self {
        let first = std::env::var("DECODA_NETWORK_RETRY_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map_or(FIRST_WAIT, Duration::from_millis);
        Self {
            waits: Mutex::default(),
            first_ms: AtomicU64::new(u64::try_from(first.as_millis()).unwrap_or(u64::MAX)),
        }
    }
}

#[derive(Clone, Default)]
struct Waiting {
    tries: u32,
    note: Option<String>,
    timer: u64,
}

impl NetworkWaits {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Waiting>> {
        self.waits.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn first_wait(&self) -> Duration {
        Duration::from_millis(self.first_ms.load(Ordering::Relaxed))
    }

    /// Tests wait less than a clinic would.
    #[cfg(test)]
    pub fn shorten_first_wait(&self, first: Duration) {
        let ms = u64::try_from(first.as_millis()).unwrap_or(u64::MAX);
        self.first_ms.store(ms, Ordering::Relaxed);
    }
}

/// The wait before try number `tries + 1`: the first wait, doubled per failed try, at most
/// [`LONGEST_WAIT`].
pub fn backoff(first: Duration, tries: u32) -> Duration {
    first
        .checked_mul(1 << tries.min(16))
        .unwrap_or(LONGEST_WAIT)
        .min(LONGEST_WAIT)
}

/// The files among `ids` that Upload would send to `patient` wait for the network, with
/// `note`; the first try comes after the first wait.
pub fn begin<R: Runtime>(app: &AppHandle<R>, patient: &str, note: Option<String>, ids: &[u64]) {
    let waits = app.state::<NetworkWaits>();
    let tries = {
        let mut all = waits.lock();
        let entry = all.entry(patient.to_owned()).or_default();
        entry.note = note;
        entry.tries
    };
    schedule(app, patient, ids, tries);
}

/// After an upload in which files failed: if the server cannot be reached now, the files bound
/// to `patient` that failed wait for the network.
pub fn if_unreachable<R: Runtime>(app: &AppHandle<R>, patient: &str, note: Option<String>) {
    let app = app.clone();
    let patient = patient.to_owned();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let Ok(uploader) = state.uploader() else {
            return;
        };
        // Only whether Decoda answers matters here: the patient alone, without the search for
        // look-alikes that confirming a target adds (the try that sends confirms it in full).
        let probe = uploader.confirm_patient(&PatientId::new(&*patient)).await;
        if matches!(probe.map_err(UiError::from), Err(UiError::Network(_))) {
            let failed = state.queue().failed_for(&patient);
            begin(&app, &patient, note, &failed);
        }
    });
}

/// At start: the patients whose files waited for the network when the app last ran wait again,
/// with their files as resumed from the crash-safe queue.
pub fn resume<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let patients = match state.store().and_then(|s| Ok(s.network_waits()?)) {
        Ok(patients) => patients,
        Err(e) => {
            tracing::warn!("the waits for the network could not be read: {}", e.kind());
            return;
        }
    };
    for patient in patients {
        let failed = state.queue().failed_for(&patient);
        begin(app, &patient, None, &failed);
    }
}

/// Marks the files as waiting until the next try and starts its timer; with nothing to wait
/// for, the wait ends.
fn schedule<R: Runtime>(app: &AppHandle<R>, patient: &str, ids: &[u64], tries: u32) {
    let state = app.state::<AppState>();
    let wait = backoff(app.state::<NetworkWaits>().first_wait(), tries);
    let at = SystemTime::now() + wait;
    let at_ms = at
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    let waiting = state.queue().wait_for_network(patient, ids, at_ms);
    if waiting == 0 {
        end(app, patient);
        return;
    }
    if let Err(e) = state.store().and_then(|s| Ok(s.wait_for_network(patient)?)) {
        tracing::warn!(
            "the wait for the network could not be recorded: {}",
            e.kind()
        );
    }
    let timer = {
        let waits = app.state::<NetworkWaits>();
        let mut all = waits.lock();
        let entry = all.entry(patient.to_owned()).or_default();
        entry.tries = tries;
        entry.timer += 1;
        entry.timer
    };
    tracing::info!(
        "{waiting} files wait for the network; next try in {} s",
        wait.as_secs()
    );
    let _ = app.emit(QUEUE_CHANGED, ());
    let app = app.clone();
    let patient = patient.to_owned();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(wait).await;
        try_again(app, patient, timer).await;
    });
}

/// A try, boxed: it may schedule the next one, which runs this again.
type Try = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// The timer fired: probe, then send, wait longer, or stop waiting.
fn try_again<R: Runtime>(app: AppHandle<R>, patient: String, timer: u64) -> Try {
    Box::pin(async move { try_now(&app, &patient, timer).await })
}

async fn try_now<R: Runtime>(app: &AppHandle<R>, patient: &str, timer: u64) {
    // Another upload runs: wait for it, without counting a failure.
    while app.state::<AppState>().upload_slot().is_some() {
        tokio::time::sleep(BUSY_WAIT).await;
    }
    let Some(waiting) = current(app, patient, timer) else {
        return; // A newer schedule replaced this timer.
    };
    let state = app.state::<AppState>();
    let ids = state.queue().network_waiting(patient);
    if ids.is_empty() {
        end(app, patient);
        return;
    }
    let uploader = match state.uploader() {
        Ok(uploader) => uploader,
        Err(_) => return stop(app, patient),
    };
    let target = match Target::confirm(&uploader, patient, waiting.note.as_deref()).await {
        Ok(target) => target,
        Err(e) => match UiError::from(e) {
            UiError::Network(_) => return schedule(app, patient, &ids, waiting.tries + 1),
            _ => return stop(app, patient),
        },
    };
    end(app, patient);
    let request = Request {
        file_ids: ids.clone(),
        assign_scan: None,
        on_event: None,
    };
    match send_confirmed(app, &state, &uploader, &target, request).await {
        Ok(summary) => {
            let _ = app.emit(SENT_BY_ITSELF, &summary);
        }
        // A person's upload took the slot first: the files go on waiting.
        Err(UiError::Busy(_)) => begin(app, patient, waiting.note, &ids),
        Err(e) => tracing::warn!("a send after the network came back failed: {}", e.kind()),
    }
}

/// The wait, if `timer` is still the current one for `patient`.
fn current<R: Runtime>(app: &AppHandle<R>, patient: &str, timer: u64) -> Option<Waiting> {
    let waits = app.state::<NetworkWaits>();
    let all = waits.lock();
    all.get(patient).filter(|w| w.timer == timer).cloned()
}

/// The server answered in a way that sending again cannot fix: the files stay, with their
/// reason, for a person.
fn stop<R: Runtime>(app: &AppHandle<R>, patient: &str) {
    app.state::<AppState>().queue().stop_network_wait(patient);
    end(app, patient);
    let _ = app.emit(QUEUE_CHANGED, ());
}

/// The wait for `patient` is over (the record too).
fn end<R: Runtime>(app: &AppHandle<R>, patient: &str) {
    app.state::<NetworkWaits>().lock().remove(patient);
    let state = app.state::<AppState>();
    if let Err(e) = state.store().and_then(|s| Ok(s.network_answered(patient)?)) {
        tracing::warn!(
            "the end of a wait for the network could not be recorded: {}",
            e.kind()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failed_try_doubles_the_wait_up_to_five_minutes() {
        let first = Duration::from_secs(5);
        let waits: Vec<u64> = (0..9).map(|t| backoff(first, t).as_secs()).collect();
        assert_eq!(waits, [5, 10, 20, 40, 80, 160, 300, 300, 300]);
        assert_eq!(backoff(first, u32::MAX), LONGEST_WAIT);
    }
}
