//! After an ambiguous failure, finding out what landed before anything is sent again (NOTES §3).
//!
//! There is no idempotency key. When a request's body went out but no usable answer came back,
//! the server may have stored the files. The patient's attachments are listed, newest day first,
//! back to the day of the first try; an attachment created since then (with a margin for clock
//! differences), with the same original file name and external id, and not already claimed by this
//! run, is taken to be the file.

use crate::{files::CheckedFile, verify::same_file_name};
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use decoda_api::{models::Attachment, ApiError, AttachmentId, Client, PatientId};
use std::collections::HashSet;

/// How far before the first try an attachment may be dated and still count (clock skew).
const CLOCK_MARGIN_MINUTES: i64 = 5;
/// Day pages to read at most; a run that spans more days than this is not ambiguous any more.
const MAX_DAYS: usize = 3;

/// For each file, the attachment that is it, if one was found.
pub(crate) async fn find_landed(
    client: &Client,
    patient: &PatientId,
    since: DateTime<Utc>,
    files: &[&CheckedFile],
    claimed: &HashSet<AttachmentId>,
) -> Result<Vec<Option<Attachment>>, ApiError> {
    let cutoff = since - ChronoDuration::minutes(CLOCK_MARGIN_MINUTES);
    let mut candidates = Vec::new();
    let mut date: Option<String> = None;
    for _ in 0..MAX_DAYS {
        let page = client
            .attachments_day(patient, "UTC", date.as_deref())
            .await?;
        let before_cutoff = page.date.as_str() < cutoff.format("%Y-%m-%d").to_string().as_str();
        candidates.extend(
            page.data
                .into_iter()
                .filter(|a| !claimed.contains(&a.id) && created_since(a, cutoff)),
        );
        match page.next_date {
            Some(next) if !before_cutoff => date = Some(next),
            _ => break,
        }
    }
    Ok(files
        .iter()
        .map(|file| {
            let pos = candidates.iter().position(|a| {
                same_file_name(&file.file_name, &a.original_filename)
                    && a.external_id == file.external_id
            })?;
            Some(candidates.swap_remove(pos))
        })
        .collect())
}

fn created_since(a: &Attachment, cutoff: DateTime<Utc>) -> bool {
    // An unreadable date cannot rule the attachment out: treat it as recent, the safe side.
    DateTime::parse_from_rfc3339(&a.created_date).map_or(true, |d| d.with_timezone(&Utc) >= cutoff)
}
