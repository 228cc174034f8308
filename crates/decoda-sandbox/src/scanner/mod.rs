//! A stand-in network scanner: eSCL ("AirScan") on loopback, with a feeder loaded from a folder
//! of page images or with generated pages.
//!
//! It is a real eSCL scanner to a real client: Debian's `sane-airscan` backend scans from it with
//! `scanimage`, and so does `decoda scan`. Tests load letters and cover sheets into its feeder,
//! and make it jam, stay busy or vanish mid-job ([`ScannerFaults`]). It can announce itself over
//! multicast DNS as network scanners do ([`advertise`]), on this computer only.

mod advertise;
mod escl;
mod feeder;

pub use advertise::{
    advertise, loopback_multicast, multicast_or_skip, Advertisement, MAKE_AND_MODEL, MDNS_PORT,
    SERVICE_TYPE,
};

pub use escl::{JobSettings, MAX_HEIGHT, MAX_WIDTH, RESOLUTIONS};
pub use feeder::{generated, sheets_in, stack, Sheet, SOURCE_DPI};

use crate::faults::drop_connection;
use crate::server::{ConnectionControl, Serving};
use crate::Result;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

/// Trouble the stand-in scanner can be asked to have, for tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScannerFaults {
    /// The feeder jams after this many pages of a job: the next page is "not ready" (503) and the
    /// status says `ScannerAdfJam` until the feeder is loaded again.
    pub jam_after: Option<usize>,
    /// The scanner disappears (every connection dropped) after this many pages of a job.
    pub vanish_after: Option<usize>,
    /// Another job holds the scanner: new jobs are refused with 503.
    pub busy: bool,
}

/// The scanner's paper, jobs and faults, shared by its handlers and the test that runs it.
#[derive(Debug, Clone, Default)]
pub struct ScannerState {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    stack: Vec<Sheet>,
    feeder: VecDeque<Sheet>,
    jobs: HashMap<u64, Job>,
    next_job: u64,
    jammed: bool,
    gone: bool,
    faults: ScannerFaults,
    pages_sent: usize,
}

#[derive(Debug)]
struct Job {
    settings: JobSettings,
    pages: usize,
}

impl ScannerState {
    /// A scanner whose feeder holds `stack` (and is loaded with it again by [`ScannerState::reload`]).
    pub fn new(stack: Vec<Sheet>) -> Self {
        let state = Self::default();
        {
            let mut inner = state.lock();
            inner.feeder = stack.iter().cloned().collect();
            inner.stack = stack;
        }
        state
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Puts the sheets in the feeder (after anything left there) and clears a jam.
    pub fn load(&self, sheets: Vec<Sheet>) {
        let mut inner = self.lock();
        inner.feeder.extend(sheets);
        inner.jammed = false;
    }

    /// Loads the feeder with the stack it started with, replacing what is left, and clears a jam.
    pub fn reload(&self) -> usize {
        let mut inner = self.lock();
        inner.feeder = inner.stack.iter().cloned().collect();
        inner.jammed = false;
        inner.feeder.len()
    }

    /// How many sheets are in the feeder.
    pub fn feeder_len(&self) -> usize {
        self.lock().feeder.len()
    }

    /// Sets the faults for what follows.
    pub fn set_faults(&self, faults: ScannerFaults) {
        self.lock().faults = faults;
    }

    /// Jobs started and not yet finished or cancelled (a client that cancels must end its job).
    pub fn open_jobs(&self) -> usize {
        self.lock().jobs.len()
    }

    /// Pages sent since the scanner started.
    pub fn pages_sent(&self) -> usize {
        self.lock().pages_sent
    }

    fn feeder_word(inner: &Inner) -> &'static str {
        if inner.jammed {
            "ScannerAdfJam"
        } else if inner.feeder.is_empty() {
            "ScannerAdfEmpty"
        } else {
            "ScannerAdfLoaded"
        }
    }
}

/// A running stand-in scanner. Dropping it stops it.
#[derive(Debug)]
pub struct Scanner {
    state: ScannerState,
    serving: Serving,
}

/// Serves a scanner on `addr` (a loopback address; port 0 picks one).
pub async fn spawn_scanner(state: ScannerState, addr: SocketAddr) -> Result<Scanner> {
    let listener = Serving::bind(addr).await?;
    let serving = Serving::start(listener, routes(state.clone()))?;
    Ok(Scanner { state, serving })
}

impl Scanner {
    /// The eSCL address clients use, e.g. `http://127.0.0.1:8788/eSCL`.
    pub fn url(&self) -> String {
        format!("http://{}/eSCL", self.serving.addr())
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.serving.addr()
    }

    /// The paper, jobs and faults.
    pub fn state(&self) -> &ScannerState {
        &self.state
    }

    /// Stops serving and closes every connection.
    pub async fn shutdown(mut self) {
        self.serving.stop().await;
    }
}

fn routes(state: ScannerState) -> Router {
    Router::new()
        .route("/eSCL/ScannerCapabilities", get(capabilities))
        .route("/eSCL/ScannerStatus", get(status))
        .route("/eSCL/ScanJobs", post(new_job))
        .route("/eSCL/ScanJobs/{id}", axum::routing::delete(end_job))
        .route("/eSCL/ScanJobs/{id}/NextDocument", get(next_document))
        .route("/__sandbox/feeder", post(reload))
        .with_state(state)
}

fn xml(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/xml")], body).into_response()
}

/// Whether the scanner has vanished (a fault): then no request gets an answer.
fn gone(state: &ScannerState) -> bool {
    state.lock().gone
}

async fn capabilities(
    State(state): State<ScannerState>,
    conn: Option<Extension<ConnectionControl>>,
) -> Response {
    if gone(&state) {
        return drop_connection(conn.as_deref()).await;
    }
    xml(escl::capabilities())
}

async fn status(
    State(state): State<ScannerState>,
    conn: Option<Extension<ConnectionControl>>,
) -> Response {
    if gone(&state) {
        return drop_connection(conn.as_deref()).await;
    }
    let inner = state.lock();
    xml(escl::status(
        !inner.jobs.is_empty() && !inner.jammed,
        ScannerState::feeder_word(&inner),
    ))
}

async fn new_job(
    State(state): State<ScannerState>,
    conn: Option<Extension<ConnectionControl>>,
    body: String,
) -> Response {
    if gone(&state) {
        return drop_connection(conn.as_deref()).await;
    }
    let settings = match escl::job_settings(&body) {
        Ok(s) => s,
        Err(why) => return (StatusCode::BAD_REQUEST, why).into_response(),
    };
    let mut inner = state.lock();
    if inner.faults.busy {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    if settings.feeder && (inner.feeder.is_empty() || inner.jammed) {
        // As real scanners do: no job without paper; the status says why (ScannerAdfEmpty).
        return StatusCode::CONFLICT.into_response();
    }
    inner.next_job += 1;
    let id = inner.next_job;
    inner.jobs.insert(id, Job { settings, pages: 0 });
    (
        StatusCode::CREATED,
        [(header::LOCATION, format!("/eSCL/ScanJobs/{id}"))],
    )
        .into_response()
}

async fn end_job(State(state): State<ScannerState>, Path(id): Path<u64>) -> StatusCode {
    match state.lock().jobs.remove(&id) {
        Some(_) => StatusCode::OK,
        None => StatusCode::NOT_FOUND,
    }
}

/// What a request for the next page gets.
enum Next {
    Page(Sheet, JobSettings),
    Status(StatusCode),
    Vanish,
}

/// The next page of a job: from the feeder until it is empty, or the glass's one page.
async fn next_document(
    State(state): State<ScannerState>,
    Path(id): Path<u64>,
    conn: Option<Extension<ConnectionControl>>,
) -> Response {
    if gone(&state) {
        return drop_connection(conn.as_deref()).await;
    }
    let (sheet, settings) = match take_next(&state, id) {
        Next::Page(sheet, settings) => (sheet, settings),
        Next::Status(status) => return status.into_response(),
        Next::Vanish => return drop_connection(conn.as_deref()).await,
    };
    let how = feeder::Rendering {
        grey: settings.grey,
        dpi: settings.dpi,
        region: (settings.width, settings.height),
    };
    match tokio::task::spawn_blocking(move || feeder::render(&sheet, how)).await {
        Ok(Ok(jpeg)) => ([(header::CONTENT_TYPE, "image/jpeg")], Body::from(jpeg)).into_response(),
        Ok(Err(why)) => {
            tracing::warn!("the stand-in scanner could not read a page: {why}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Takes the job's next sheet, or says why there is none (a jam, the end of the stack, a fault).
fn take_next(state: &ScannerState, id: u64) -> Next {
    let mut inner = state.lock();
    let faults = inner.faults;
    let Some(job) = inner.jobs.get(&id) else {
        return Next::Status(StatusCode::NOT_FOUND);
    };
    let (settings, pages) = (job.settings, job.pages);
    if settings.feeder && faults.vanish_after == Some(pages) {
        inner.gone = true;
        return Next::Vanish;
    }
    if settings.feeder && (inner.jammed || faults.jam_after == Some(pages)) {
        inner.jammed = true;
        return Next::Status(StatusCode::SERVICE_UNAVAILABLE);
    }
    let sheet = if settings.feeder {
        inner.feeder.pop_front()
    } else if pages == 0 {
        Some(inner.stack.first().cloned().unwrap_or(Sheet::Generated(1)))
    } else {
        None
    };
    let Some(sheet) = sheet else {
        // The stack ran out: the normal end of the job.
        return Next::Status(StatusCode::NOT_FOUND);
    };
    if let Some(job) = inner.jobs.get_mut(&id) {
        job.pages += 1;
    }
    inner.pages_sent += 1;
    Next::Page(sheet, settings)
}

/// `POST /__sandbox/feeder`: loads the feeder with its starting stack again (for demos and
/// tests that scan more than once); answers how many sheets it holds.
async fn reload(State(state): State<ScannerState>) -> String {
    state.reload().to_string()
}
