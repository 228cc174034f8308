//! Errors of the library API (starting and running a sandbox).
//!
//! HTTP-level failures are answered to the client (see `problem`); only what stops the sandbox from running at
//! all reaches the caller as an [`Error`].

use std::net::SocketAddr;
use std::path::PathBuf;

/// Why a sandbox could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The address is not a loopback address; the sandbox has a fixed demo key and no TLS.
    #[error("refusing to listen on {addr}: the sandbox only listens on loopback addresses (127.0.0.1 or ::1)")]
    NotLoopback {
        /// The refused address.
        addr: SocketAddr,
    },
    /// Binding the listening socket failed.
    #[error("could not listen on {addr}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The data directory could not be created or used.
    #[error("could not prepare the data directory {path}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The stand-in scanner could not be announced over multicast DNS.
    #[error("could not announce the stand-in scanner on this computer (mDNS): {0}")]
    Advertise(String),
    /// Another I/O failure.
    #[error("I/O error")]
    Io(#[from] std::io::Error),
}

/// Result type of the library API.
pub type Result<T, E = Error> = std::result::Result<T, E>;
