//! `decoda resume`: the unfinished files of interrupted uploads, sent (or discarded) on request.

use crate::{
    args::ResumeArgs,
    context::Context,
    exit::{self, CliError},
    upload,
};
use decoda_core::{QueuedFile, Selected};
use decoda_engine::FileSpec;
use decoda_store::QueueRow;

/// Sends each patient's unfinished files through `upload`, or discards them; returns the worst
/// exit status of the groups.
pub async fn run(ctx: &Context, args: ResumeArgs) -> Result<u8, CliError> {
    let rows = ctx.store()?.abandoned()?;
    if rows.is_empty() {
        eprintln!("Nothing to resume: no upload was left unfinished.");
        return Ok(exit::OK);
    }
    if args.discard {
        for row in &rows {
            println!(
                "discarded {} (for patient {})",
                row.path.display(),
                row.patient_id
            );
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        ctx.store()?.remove(&ids)?;
        return Ok(exit::OK);
    }
    let (rows, unreadable) = resumable(ctx, rows)?;
    // A file left queued because it cannot be read is a file not uploaded.
    let mut worst = if unreadable > 0 {
        exit::SOME_FAILED
    } else {
        exit::OK
    };
    for group in groups(rows) {
        eprintln!(
            "Resuming {} file(s) for patient {}.",
            group.len(),
            group[0].patient_id
        );
        let code = upload::send(ctx, request(ctx, &group, &args)).await?;
        worst = worst.max(code);
    }
    Ok(worst)
}

/// The rows whose file is still the one the interrupted upload was sending, each with the hash its
/// file has now (for a row whose hash was never stored, taken now, since its size and time say it
/// is unchanged). A file that changed
/// (another document under the same name) is dropped from the queue with the reason; one that
/// cannot be read now stays queued for a later resume (how many is the second value).
fn resumable(ctx: &Context, rows: Vec<QueueRow>) -> Result<(Vec<QueueRow>, usize), CliError> {
    let mut resumable = Vec::new();
    let mut changed = Vec::new();
    let mut unreadable = 0;
    for mut row in rows {
        match decoda_core::queued_file_now(&row) {
            QueuedFile::Same(hash) => {
                row.hash = Some(hash);
                resumable.push(row);
            }
            // Another document under the same name: sending it would file it under this patient.
            QueuedFile::Changed => {
                eprintln!(
                    "Not resumed: {} changed since the interrupted upload (for patient {}); dropped from the queue, upload it again with its patient if it is still needed.",
                    row.path.display(),
                    row.patient_id
                );
                changed.push(row.id);
            }
            // Perhaps for now only (a share offline): it stays queued for a later resume.
            QueuedFile::Unreadable(e) => {
                eprintln!(
                    "Not resumed: {} cannot be read ({e}) (for patient {}); it stays queued for a later `decoda resume`.",
                    row.path.display(),
                    row.patient_id
                );
                unreadable += 1;
            }
        }
    }
    if !changed.is_empty() {
        ctx.store()?.remove(&changed)?;
    }
    Ok((resumable, unreadable))
}

/// Rows grouped by patient and note, in queue order.
fn groups(rows: Vec<QueueRow>) -> Vec<Vec<QueueRow>> {
    let mut groups: Vec<Vec<QueueRow>> = Vec::new();
    for row in rows {
        match groups
            .iter_mut()
            .find(|g| g[0].patient_id == row.patient_id && g[0].note_id == row.note_id)
        {
            Some(group) => group.push(row),
            None => groups.push(vec![row]),
        }
    }
    groups
}

/// The upload that sends one group again: each file with the name and external id it was given,
/// and the content it had then (a file that changed since is refused).
fn request(ctx: &Context, group: &[QueueRow], args: &ResumeArgs) -> upload::Request {
    upload::Request {
        patient: group[0].patient_id.clone(),
        note: group[0].note_id.clone(),
        selection: group
            .iter()
            .map(|r| Selected {
                listed_hash: r.hash.clone(),
                ..Selected::new(FileSpec {
                    path: r.path.clone(),
                    name: r.name.clone(),
                    external_id: r.external_id.clone(),
                })
            })
            .collect(),
        settings: upload::configured_settings(ctx),
        json: args.json,
        yes: args.yes,
    }
}
