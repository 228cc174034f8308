//! Why a scan could not be made or finished, in words for the person at the scanner.

/// Everything that can go wrong with a scanner. Messages say what to do; where a job stopped
/// part-way, the pages received so far are kept by the caller ([`crate::Scanned`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    /// The address is not an http(s) URL.
    #[error("the scanner address `{0}` is not valid: write it as http://192.168.1.40/eSCL")]
    InvalidAddress(String),
    /// No answer: switched off, unplugged, asleep or on another network.
    #[error("the scanner cannot be reached: check that it is switched on and on the same network ({detail})")]
    Unreachable {
        /// The connection error, for support.
        detail: String,
    },
    /// Another job (a copy, a scan from another computer) holds the scanner.
    #[error("the scanner is busy with another job: try again when it has finished")]
    Busy,
    /// A feeder job was asked with no paper in the feeder.
    #[error("the scanner's feeder is empty: put the pages in the feeder, or scan from the glass")]
    FeederEmpty,
    /// The feeder jammed or picked badly.
    #[error("the scanner's feeder stopped ({0}): clear the paper path, then scan the pages that were not received")]
    FeederProblem(String),
    /// The scanner cannot do what was asked (a source, a resolution, a mode, duplex).
    #[error("the scanner does not offer {0}")]
    NotOffered(String),
    /// An answer the protocol does not allow.
    #[error("the scanner answered something unexpected: {0}")]
    Answer(String),
    /// The person cancelled; the job was ended on the scanner.
    #[error("the scan was cancelled")]
    Cancelled,
}
