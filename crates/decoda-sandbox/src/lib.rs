//! A loopback stand-in for the Decoda Health API, for tests, demos and benchmarks.
//!
//! Decoda has no sandbox host, and the behaviours a careful uploader must handle — undocumented name
//! encodings, rate limits, proxy error pages, connections lost after the files landed — cannot be provoked on
//! a real clinic's account. This crate serves the documented routes from seeded demo data, stores uploads on
//! disk so their bytes can be checked, and fails on request (see [`Fault`]).
//!
//! In tests, start one instance per test on port 0:
//!
//! ```no_run
//! # async fn demo() -> Result<(), decoda_sandbox::Error> {
//! let sandbox = decoda_sandbox::spawn(decoda_sandbox::Config::default(), "127.0.0.1:0".parse().unwrap()).await?;
//! let url = sandbox.base_url();
//! // … point the client at `url` with tenant "demo-clinic" and key "sandbox-demo-key" …
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```

mod admin;
mod auth;
mod config;
mod contract;
mod disposition;
mod error;
mod faults;
mod model;
mod multipart;
mod names;
pub mod paper;
mod problem;
mod query;
pub mod raw;
mod record;
mod routes;
pub mod scanner;
mod search;
mod seed;
mod server;
mod state;
mod store;
mod thumbnails;

#[cfg(test)]
mod tests;

use std::net::SocketAddr;

pub use auth::{API_KEY_HEADER, TENANT_HEADER};
pub use config::{
    Config, NamesEncoding, ParseNamesEncodingError, DEFAULT_API_KEY, DEFAULT_MAX_BODY_BYTES,
    DEFAULT_TENANT,
};
pub use error::{Error, Result};
pub use faults::{Fault, FaultRule};
pub use model::{
    AttachmentDayPage, BulkAttachmentUploadResponse, NoteAttachmentNote, NoteAttachmentResponse,
    NoteListItem, Page, PatientChart, PatientSummary, PatientSummaryWithMemberships,
    StoredAttachment, PATIENT_TYPE,
};
pub use record::{PartRecord, UploadRecord, BULK_ENDPOINT, SINGLE_ENDPOINT};
pub use routes::app;
pub use state::SandboxState;
pub use thumbnails::MAX_SIDE as THUMBNAIL_MAX_SIDE;

/// A running sandbox: a bound socket served by a tokio task. Dropping it stops the server too.
#[derive(Debug)]
pub struct Sandbox {
    state: SandboxState,
    serving: server::Serving,
}

/// Binds `addr` (port 0 picks a free port; only loopback addresses are allowed) and serves in a tokio task.
pub async fn spawn(config: Config, addr: SocketAddr) -> Result<Sandbox> {
    if !addr.ip().is_loopback() {
        return Err(Error::NotLoopback { addr });
    }
    serve(SandboxState::new(config)?, addr).await
}

async fn serve(state: SandboxState, addr: SocketAddr) -> Result<Sandbox> {
    let listener = server::Serving::bind(addr).await?;
    // The base URL is known before the first request can be served: signed links name it.
    state.set_base_url(format!("http://{}", listener.local_addr()?));
    let serving = server::Serving::start(listener, app(state.clone()))?;
    Ok(Sandbox { state, serving })
}

impl Sandbox {
    /// The base URL clients use, e.g. `http://127.0.0.1:8787`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.serving.addr())
    }

    /// The bound address (with the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.serving.addr()
    }

    /// The state, for inspection and fault injection in tests.
    pub fn state(&self) -> &SandboxState {
        &self.state
    }

    /// Stops, dropping every open connection, and serves again on the same address with the same
    /// stored files: a server restart, as clients see one, in the middle of their requests.
    pub async fn restart(&mut self) -> Result<()> {
        self.serving.stop().await;
        *self = serve(self.state.clone(), self.serving.addr()).await?;
        Ok(())
    }

    /// Stops accepting, lets open requests finish briefly, then closes every connection.
    pub async fn shutdown(mut self) {
        self.serving.stop().await;
    }
}
