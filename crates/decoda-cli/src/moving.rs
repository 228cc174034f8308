//! `decoda move`: move a misfiled upload to the right patient's chart.
//!
//! The core decides (both patients fetched fresh, the same patient refused, the move checked in
//! the chart and recorded); this shows both patients in the banner's format, asks, and reports.

use crate::{
    args::MoveArgs,
    context::Context,
    exit::{self, CliError},
};
use decoda_api::models::Patient;
use decoda_core::{
    identity::{card_of, today},
    Move, PatientCard,
};
use decoda_engine::{Settings, Uploader};
use serde::Serialize;
use std::io::{BufRead, IsTerminal, Write};

/// Runs `decoda move` and returns the exit status (0 when the chart confirms the move).
pub async fn run(ctx: &Context, args: MoveArgs) -> Result<u8, CliError> {
    let ask = !args.yes;
    if ask && !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(
            "a move needs confirmation and there is no terminal to ask on: check both patients with `decoda patient`, then add --yes".into(),
        ));
    }
    let uploader = Uploader::new(ctx.client()?, Settings::default());
    let mut store = ctx.store()?;
    let planned = Move::confirm(&uploader, &store, &args.attachment, None, &args.to).await?;
    let to_card = card_of(uploader.client(), planned.to()).await;
    show(&planned, &to_card);
    if ask && !confirm(&to_card)? {
        return Err(CliError::Cancelled);
    }
    let moved = planned.send(&uploader, &mut store).await?;
    if args.json {
        let out = JsonMove {
            attachment_id: &moved.record.attachment_id,
            from: moved.from.as_ref(),
            to: &moved.to,
            moved_at: &moved.record.moved_at,
        };
        let text =
            serde_json::to_string_pretty(&out).map_err(|e| CliError::Usage(e.to_string()))?;
        println!("{text}");
    } else {
        println!(
            "Moved attachment {} to {}, born {} (ID {}); the new chart shows it.",
            moved.record.attachment_id, to_card.name, to_card.born, to_card.id
        );
    }
    Ok(exit::OK)
}

/// The file and both patients, on standard error (standard output carries only the result).
fn show(planned: &Move, to: &PatientCard) {
    match planned.upload() {
        Some(u) => eprintln!(
            "File:    {} \"{}\", uploaded {} (attachment {})",
            u.file_name,
            u.name,
            u.uploaded_at.get(..10).unwrap_or(&u.uploaded_at),
            planned.attachment()
        ),
        None => eprintln!("File:    attachment {}", planned.attachment()),
    }
    match planned.from() {
        Some(from) => eprintln!("On now:  {}", line(from)),
        None => eprintln!(
            "On now:  not known on this computer (it was not uploaded from here, or its record has expired)"
        ),
    }
    eprintln!("Move to: {}", to.line());
    if to.archived {
        eprintln!("Warning: this patient's chart is archived.");
    }
    for look_alike in &to.look_alikes {
        eprintln!("Warning: {look_alike}.");
    }
    eprintln!("Its note links are dropped: notes belong to one patient.");
}

/// A patient in the banner's format, on one line.
fn line(patient: &Patient) -> String {
    PatientCard::new(patient, &[], today()).line()
}

fn confirm(to: &PatientCard) -> Result<bool, CliError> {
    let warning = if to.look_alikes.is_empty() {
        ""
    } else {
        " (see the warnings above)"
    };
    eprint!(
        "Move this file to {}, born {}{warning}? [y/N] ",
        to.name, to.born
    );
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::Usage(format!("could not read the answer: {e}")))?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// The `--json` output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonMove<'a> {
    attachment_id: &'a str,
    /// `null` when this computer did not know where the file was.
    from: Option<&'a Patient>,
    to: &'a Patient,
    moved_at: &'a str,
}
