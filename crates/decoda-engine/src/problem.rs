//! Why a file was not uploaded, in words a clinic worker can act on.

use serde::Serialize;

/// One file's problem. The message names no secret; the CLI and app show it next to the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "camelCase")]
#[non_exhaustive]
pub enum FileProblem {
    /// Nothing at that path.
    #[error("file not found")]
    Missing,
    /// A device, socket or similar.
    #[error("not a regular file")]
    NotAFile,
    /// A folder whose links lead back into itself.
    #[error("a folder that links back into itself (symbolic link loop)")]
    LinkLoop,
    /// The operating system refused to open or read it.
    #[error("cannot be read: {0}")]
    Unreadable(String),
    /// Zero bytes: almost always a failed scan or copy.
    #[error("the file is empty")]
    Empty,
    /// Over the configured size limit.
    #[error("the file is {}, over the {} limit", human_size(*size), human_size(*limit))]
    TooLarge {
        /// The file's size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// A folder was given that holds nothing to send.
    #[error("the folder has no files to send (hidden files and system litter are skipped)")]
    EmptyFolder,
    /// A program, a script or an archive (what, in words), which the settings do not allow.
    #[error("this is {0}, which is not sent to a chart; if it must be, your administrator can allow it (`allow_programs_and_archives` under `[limits]`)")]
    ProgramOrArchive(String),
    /// The same file appears twice in one selection.
    #[error("listed twice in this upload")]
    ListedTwice,
    /// A display name or external id was given for a folder.
    #[error("a name or external id was given for a folder; give them for single files")]
    NameForFolder,
    /// An external id that the configured list encoding cannot carry.
    #[error("{0}")]
    NotEncodable(String),
    /// Its content is no longer what was listed (or what an interrupted upload recorded).
    #[error("the file's content changed after it was listed (a scanner may have reused its name), so it was not sent: remove it and add it again")]
    ChangedSinceListed,
    /// Its size or modification time changed between the check and the end of sending.
    #[error("the file changed while it was being sent; it was not uploaded")]
    Changed,
    /// The server refused the request this file was in.
    #[error("{0}")]
    Refused(String),
    /// The request failed and could not be retried, or retries ran out.
    #[error("{0}")]
    NotSent(String),
    /// Sent, but no answer came and the chart could not be checked: it may be there.
    #[error("the file was sent but the server never confirmed it, and the chart could not be checked ({0}); it was not sent again, and the next try looks in the chart before sending it")]
    Unconfirmed(String),
    /// The answer did not say whose chart it went to (attachment id), and it is not in the chosen
    /// patient's chart: it may be on another patient, or the chart may not show it yet.
    #[error("the server stored it (attachment {0}) without saying on which patient, and it is not in this patient's chart; it was not sent again: the next try looks in the chart first, and if it is still not there, report it to your Decoda administrator")]
    NotInChart(String),
    /// The server stored it on another patient.
    #[error("the server filed it on another patient (id {0}); report this now: it must be moved")]
    WrongPatient(String),
    /// The server answered but did not list this file.
    #[error("the server's answer did not include this file")]
    MissingFromAnswer,
    /// Cancelled before it was sent.
    #[error("cancelled before it was sent")]
    Cancelled,
}

impl FileProblem {
    /// Whether the file may be in the chart although it was not confirmed: the next try must look
    /// in the chart before sending it again.
    pub fn may_have_landed(&self) -> bool {
        matches!(self, Self::Unconfirmed(_) | Self::NotInChart(_))
    }
}

/// A size for people: `1.5 MiB`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(100 * 1024 * 1024), "100.0 MiB");
        let p = FileProblem::TooLarge {
            size: 3 * 1024 * 1024,
            limit: 1024 * 1024,
        };
        assert_eq!(p.to_string(), "the file is 3.0 MiB, over the 1.0 MiB limit");
    }
}
