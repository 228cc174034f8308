//! The scanner's state (`GET ScannerStatus`): whether it is free, and what the feeder holds.

use crate::xml::{find, is};
use crate::ScanError;
use roxmltree::Document;

/// The scanner as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScannerState {
    /// Free for a job.
    Idle,
    /// Working on a job (this one or another).
    Processing,
    /// Switched to a state where it scans nothing (stopped, down, testing).
    Unavailable(String),
}

/// The feeder, for scanners that have one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeederState {
    /// Paper is in the feeder.
    Loaded,
    /// The feeder is empty.
    Empty,
    /// Feeding pages.
    Processing,
    /// A jam, a bad pick, an open door or another fault: the eSCL name, in words.
    Problem(String),
}

/// What `ScannerStatus` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The scanner's state.
    pub state: ScannerState,
    /// The feeder's state, if it reports one.
    pub feeder: Option<FeederState>,
}

impl Status {
    /// Reads the `ScannerStatus` document.
    pub fn parse(xml: &str) -> Result<Self, ScanError> {
        let doc = Document::parse(xml)
            .map_err(|e| ScanError::Answer(format!("its status is not XML ({e})")))?;
        let root = doc.root_element();
        // The scanner's own state, not a job's (jobs list their states under scan:Jobs).
        let state = root
            .children()
            .find(|c| is(*c, "State"))
            .and_then(|n| n.text())
            .map(str::trim)
            .ok_or_else(|| ScanError::Answer("its status has no state".into()))?;
        let state = match state {
            "Idle" => ScannerState::Idle,
            "Processing" => ScannerState::Processing,
            other => ScannerState::Unavailable(other.to_owned()),
        };
        let feeder = find(root, "AdfState")
            .and_then(|n| n.text())
            .map(|t| feeder_state(t.trim()));
        Ok(Self { state, feeder })
    }
}

fn feeder_state(name: &str) -> FeederState {
    match name {
        "ScannerAdfLoaded" => FeederState::Loaded,
        "ScannerAdfEmpty" => FeederState::Empty,
        "ScannerAdfProcessing" => FeederState::Processing,
        "ScannerAdfJam" => FeederState::Problem("a page is jammed".into()),
        "ScannerAdfMispick" | "ScannerAdfMultipickDetected" => {
            FeederState::Problem("it took several pages at once, or none".into())
        }
        "ScannerAdfHatchOpen" | "ScannerAdfDoorOpen" => {
            FeederState::Problem("its cover is open".into())
        }
        other => FeederState::Problem(other.strip_prefix("ScannerAdf").unwrap_or(other).to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(state: &str, adf: &str) -> String {
        format!(
            r#"<?xml version="1.0"?><scan:ScannerStatus xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm"><pwg:Version>2.63</pwg:Version><pwg:State>{state}</pwg:State><scan:AdfState>{adf}</scan:AdfState><scan:Jobs><scan:JobInfo><pwg:JobState>Completed</pwg:JobState></scan:JobInfo></scan:Jobs></scan:ScannerStatus>"#
        )
    }

    #[test]
    fn the_scanner_and_feeder_states_are_read_and_a_jam_is_said_in_words() {
        let idle = Status::parse(&status("Idle", "ScannerAdfLoaded")).unwrap();
        assert_eq!(idle.state, ScannerState::Idle);
        assert_eq!(idle.feeder, Some(FeederState::Loaded));
        let jam = Status::parse(&status("Processing", "ScannerAdfJam")).unwrap();
        assert_eq!(
            jam.feeder,
            Some(FeederState::Problem("a page is jammed".into()))
        );
        let down = Status::parse(&status("Down", "ScannerAdfEmpty")).unwrap();
        assert_eq!(down.state, ScannerState::Unavailable("Down".into()));
    }
}
