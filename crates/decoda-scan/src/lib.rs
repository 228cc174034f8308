//! Scanning from network scanners that speak eSCL ("AirScan"), the protocol nearly every office
//! scanner and multifunction printer of the last decade offers, with no driver to install.
//!
//! A scan is a short HTTP exchange with the scanner: its capabilities, its status, a scan job, and
//! the job's pages fetched one by one until the feeder is empty. Pages arrive as JPEG and are kept
//! as they came, so that the document is built from them without re-encoding (`decoda-pages`).
//! Whatever goes wrong mid-job (a jam, the scanner switched off), the pages already received are
//! returned with the reason, never dropped.
//!
//! Scanners on the local network are found through the multicast DNS announcements they make
//! ([`discovery`]), so that a person picks one by name instead of typing its address.

mod capabilities;
pub mod discovery;
mod error;
mod scanner;
mod settings;
mod status;
mod xml;

pub use capabilities::{Capabilities, SourceCaps};
pub use discovery::{discover, DiscoveryError, FoundScanner};
pub use error::ScanError;
pub use scanner::{Page, Scanned, Scanner};
pub use settings::{ColourMode, ScanRequest, Source};
pub use status::{FeederState, ScannerState, Status};
