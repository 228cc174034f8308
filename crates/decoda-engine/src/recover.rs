//! After an ambiguous failure, finding out what landed before anything is sent again (NOTES §3).
//!
//! There is no idempotency key. When a request's body went out but no usable answer came back,
//! the server may have stored the files. The patient's attachments are listed, newest day first,
//! back to the day of the first try. A name is no proof: every scanner calls its files
//! `scan0001.pdf`, so another workstation's scan of the same name may be in the chart. An
//! attachment is taken to be the file only when it was created since the first try (with a margin
//! for clock differences), has the same original file name and external id, is not already claimed
//! by this run, and the bytes behind its signed link are the file's own: same length, same hash.

use crate::{
    fetch::{download_hash, Fetched},
    files::CheckedFile,
    hash::ContentHash,
    verify::same_file_name,
};
use chrono::{DateTime, Duration as ChronoDuration, NaiveDate, NaiveDateTime, Utc};
use decoda_api::{models::Attachment, ApiError, AttachmentId, Client, PatientId};
use std::{collections::HashSet, sync::Mutex};

/// How far before the first try an attachment may be dated and still count (clock skew).
const CLOCK_MARGIN_MINUTES: i64 = 5;
/// A date without a time zone may be in any zone from UTC−12 to UTC+14: it counts as recent when
/// it could be, and the content check decides.
const UNZONED_MARGIN_HOURS: i64 = 14;
/// Day pages to read at most when walking back to the first try. Pages exist only for days with
/// attachments, so this is days of activity, not calendar days; a walk that stops here before the
/// first try's day has not seen everything, and says so.
const MAX_DAYS: usize = 60;

/// What the chart says about one file after a lost answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Landed {
    /// This attachment holds the file's bytes.
    Found(Box<Attachment>),
    /// No attachment sent since the first try holds the file: sending it again cannot make a
    /// second copy.
    Absent,
    /// An attachment of the same name is there, but its content could not be compared (why):
    /// sending again could make a second copy, and counting it as landed could lose the file.
    Unknown(String),
}

/// For each file, whether it is in the chart.
pub(crate) async fn find_landed(
    client: &Client,
    patient: &PatientId,
    since: DateTime<Utc>,
    files: &[&CheckedFile],
    claimed: &Mutex<HashSet<AttachmentId>>,
) -> Result<Vec<Landed>, ApiError> {
    let cutoff = since - ChronoDuration::minutes(CLOCK_MARGIN_MINUTES);
    let pages = recent_pages(client, patient, cutoff).await?;
    let mut candidates: Vec<Attachment> = pages
        .attachments
        .into_iter()
        .filter(|a| created_since(&a.created_date, cutoff))
        .collect();
    let mut landed = Vec::with_capacity(files.len());
    for file in files {
        let found = match find_one(file, &mut candidates, claimed).await {
            // Not among what was read, but not everything back to the first try was read.
            Landed::Absent if !pages.complete => Landed::Unknown(
                "the chart has too many days of uploads since the first try to read them all"
                    .into(),
            ),
            found => found,
        };
        landed.push(found);
    }
    Ok(landed)
}

/// The ids among `ids` that are in the patient's chart, from the day pages back to `since`: how
/// an answer that did not say whose chart an attachment is on is checked.
pub(crate) async fn in_chart(
    client: &Client,
    patient: &PatientId,
    since: DateTime<Utc>,
    ids: &[&AttachmentId],
) -> Result<HashSet<AttachmentId>, ApiError> {
    let cutoff = since - ChronoDuration::minutes(CLOCK_MARGIN_MINUTES);
    Ok(recent_pages(client, patient, cutoff)
        .await?
        .attachments
        .into_iter()
        .map(|a| a.id)
        .filter(|id| ids.contains(&id))
        .collect())
}

/// The ids among `wanted` (each with the day, UTC, it was uploaded) that are still in the
/// patient's chart: how an earlier upload is confirmed before a file is skipped as already there.
/// Reads each needed day once, with the days either side (the server may date it in its own
/// zone), so a run makes one listing per day of earlier uploads, not one per file.
pub(crate) async fn still_in_chart(
    client: &Client,
    patient: &PatientId,
    wanted: &[(AttachmentId, NaiveDate)],
) -> Result<HashSet<AttachmentId>, ApiError> {
    let mut days: Vec<NaiveDate> = wanted
        .iter()
        .flat_map(|(_, day)| [day.pred_opt(), Some(*day), day.succ_opt()])
        .flatten()
        .collect();
    days.sort_unstable();
    days.dedup();
    let mut present = HashSet::new();
    for day in days {
        let page = client
            .attachments_day(patient, "UTC", Some(&day.format("%Y-%m-%d").to_string()))
            .await?;
        present.extend(
            page.data
                .into_iter()
                .map(|a| a.id)
                .filter(|id| wanted.iter().any(|(w, _)| w == id)),
        );
    }
    Ok(present)
}

/// Every attachment on the patient's day pages from today back to the day of `cutoff` (in UTC,
/// and one day more for dates the server keeps in another zone), at most [`MAX_DAYS`] pages.
async fn recent_pages(
    client: &Client,
    patient: &PatientId,
    cutoff: DateTime<Utc>,
) -> Result<Pages, ApiError> {
    let first_day = (cutoff - ChronoDuration::hours(UNZONED_MARGIN_HOURS))
        .format("%Y-%m-%d")
        .to_string();
    let mut found = Pages::default();
    let mut date: Option<String> = None;
    for _ in 0..MAX_DAYS {
        let page = client
            .attachments_day(patient, "UTC", date.as_deref())
            .await?;
        let reached_first_day = page.date.as_str() <= first_day.as_str();
        found.attachments.extend(page.data);
        match page.next_date {
            Some(next) if !reached_first_day => date = Some(next),
            _ => {
                found.complete = true;
                break;
            }
        }
    }
    Ok(found)
}

/// The attachments on the day pages read, and whether they reach back to the first try.
#[derive(Debug, Default)]
struct Pages {
    attachments: Vec<Attachment>,
    complete: bool,
}

/// The first candidate that is this file, taken out of `candidates` and claimed, so no other file
/// (in this look, or in another batch's look at the same time) takes it too. Content decides; the
/// external id only orders the candidates, since a server may garble it (and it may have been
/// edited since the first try).
async fn find_one(
    file: &CheckedFile,
    candidates: &mut Vec<Attachment>,
    claimed: &Mutex<HashSet<AttachmentId>>,
) -> Landed {
    let mut named: Vec<usize> = candidates
        .iter()
        .enumerate()
        .filter(|(_, a)| same_file_name(&file.file_name, &a.original_filename))
        .map(|(i, _)| i)
        .collect();
    named.sort_by_key(|&i| candidates[i].external_id != file.external_id);
    if named.is_empty() {
        return Landed::Absent;
    }
    let ours = match own_hash(file) {
        Ok(hash) => hash,
        Err(why) => return Landed::Unknown(why),
    };
    let mut unknown = None;
    for i in named {
        if is_claimed(claimed, &candidates[i].id) {
            continue;
        }
        match download_hash(&candidates[i].signed_url, file.size).await {
            Fetched::Content(theirs) if theirs == ours && claim(claimed, &candidates[i].id) => {
                return Landed::Found(Box::new(candidates.swap_remove(i)));
            }
            Fetched::Content(_) | Fetched::OtherSize => {}
            Fetched::Failed(why) => {
                unknown.get_or_insert(why);
            }
        }
    }
    match unknown {
        Some(why) => Landed::Unknown(format!(
            "a file of the same name is in the chart and its content could not be compared: {why}"
        )),
        None => Landed::Absent,
    }
}

fn is_claimed(claimed: &Mutex<HashSet<AttachmentId>>, id: &AttachmentId) -> bool {
    claimed
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .contains(id)
}

/// Claims an attachment for one file; false when another file claimed it first.
fn claim(claimed: &Mutex<HashSet<AttachmentId>>, id: &AttachmentId) -> bool {
    claimed
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(id.clone())
}

/// The hash of the bytes that were sent: taken before sending, while sending, or (by the upload's
/// `ensure_hashes`) read again from a file still as it was checked. A file with none changed or
/// could not be read after it was sent: its bytes now are not the ones to compare with the chart.
fn own_hash(file: &CheckedFile) -> Result<ContentHash, String> {
    file.content_hash.clone().ok_or_else(|| {
        "the file changed or could not be read after it was sent, so it cannot be compared with the chart"
            .to_owned()
    })
}

/// An attachment's `createdDate` as the server wrote it: the contract does not promise a time
/// zone, and some answers leave it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreatedDate {
    /// With a zone: an exact instant.
    Zoned(DateTime<Utc>),
    /// Without one: a wall-clock time in a zone nobody said.
    Unzoned(NaiveDateTime),
}

impl CreatedDate {
    /// Reads an RFC 3339 date, or one without a zone (`T` or a space between date and time);
    /// `None` when it is neither.
    pub fn parse(text: &str) -> Option<Self> {
        if let Ok(at) = DateTime::parse_from_rfc3339(text) {
            return Some(Self::Zoned(at.with_timezone(&Utc)));
        }
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
            .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f"))
            .ok()
            .map(Self::Unzoned)
    }

    /// The instant, reading a date without a zone as UTC (for a record, not for a decision).
    pub fn as_utc(self) -> DateTime<Utc> {
        match self {
            Self::Zoned(at) => at,
            Self::Unzoned(at) => at.and_utc(),
        }
    }
}

/// Whether an attachment dated `created` may have been made since `cutoff`. A date with a zone is
/// compared exactly; one without a zone counts when some zone would make it recent (the content
/// check then decides); an unreadable date does not count, since nothing says it is recent.
fn created_since(created: &str, cutoff: DateTime<Utc>) -> bool {
    match CreatedDate::parse(created) {
        Some(CreatedDate::Zoned(at)) => at >= cutoff,
        // A date at the end of the calendar has no later hour: it is recent.
        Some(CreatedDate::Unzoned(at)) => at
            .and_utc()
            .checked_add_signed(ChronoDuration::hours(UNZONED_MARGIN_HOURS))
            .is_none_or(|latest| latest >= cutoff),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn cutoff() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap()
    }

    #[test]
    fn a_zoned_date_is_compared_exactly() {
        assert!(created_since("2026-11-29T12:00:01Z", cutoff()));
        assert!(created_since("2026-11-29T13:00:01+01:00", cutoff()));
        assert!(!created_since("2026-11-29T11:59:59Z", cutoff()));
        assert!(!created_since("2026-11-29T12:30:00+01:00", cutoff()));
    }

    #[test]
    fn an_unreadable_date_is_not_recent() {
        for date in ["", "yesterday", "29/11/2026 12:00", "2026-13-45T99:00:00Z"] {
            assert!(!created_since(date, cutoff()), "{date:?}");
        }
    }

    #[test]
    fn dates_at_the_ends_of_the_calendar_do_not_panic() {
        assert!(created_since("+262142-12-31T23:59:59", cutoff()));
        assert!(!created_since("-262143-01-01T00:00:00", cutoff()));
        assert!(created_since("9999-12-31T23:59:59.999999999Z", cutoff()));
    }

    #[test]
    fn a_date_without_a_zone_counts_only_when_some_zone_makes_it_recent() {
        assert!(
            created_since("2026-11-29T11:00:00", cutoff()),
            "UTC+1 or west of it"
        );
        assert!(
            created_since("2026-11-28T22:30:00.123", cutoff()),
            "written far west of UTC"
        );
        assert!(
            !created_since("2026-11-28T21:00:00", cutoff()),
            "no zone makes this recent"
        );
        assert!(!created_since("2026-11-20T12:00:00", cutoff()));
    }
}
