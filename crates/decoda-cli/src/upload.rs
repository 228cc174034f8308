//! `decoda upload`: confirm the patient, check the files, ask, send, report.

use crate::{
    args::UploadArgs,
    context::Context,
    exit::{self, CliError},
    progress_bar,
};
use decoda_api::models::Patient;
use decoda_core::{Outcome, Selected, Target};
use decoda_engine::{human_size, CancellationToken, FileSpec, FileStatus, Settings, Uploader};
use decoda_settings::Setting;
use serde::Serialize;
use std::io::{BufRead, IsTerminal, Write};

const MIB: u64 = 1024 * 1024;

/// One upload as the command runs it: from `decoda upload`'s arguments, or from the rows an
/// interrupted upload left (`decoda resume`).
#[derive(Debug)]
pub struct Request {
    /// The patient id, as given.
    pub patient: String,
    /// The note id, as given.
    pub note: Option<String>,
    /// The files and folders, each with what was chosen for it.
    pub selection: Vec<Selected>,
    /// Limits, encoding, retries and timeouts.
    pub settings: Settings,
    /// Print the report as JSON.
    pub json: bool,
    /// Do not ask before sending.
    pub yes: bool,
}

/// Runs `decoda upload` and returns the exit status (0 when every file is in the chart, whether
/// sent now or skipped because it already was).
pub async fn run(ctx: &Context, args: UploadArgs) -> Result<u8, CliError> {
    let selection = file_specs(&args)?
        .into_iter()
        .map(|spec| Selected {
            force: args.force,
            ..Selected::new(spec)
        })
        .collect();
    let request = Request {
        patient: args.patient.clone(),
        note: args.note.clone(),
        selection,
        settings: settings(ctx, &args)?,
        json: args.json,
        yes: args.yes,
    };
    send(ctx, request).await
}

/// Confirms the patient and the note, plans, asks, sends and reports one upload; returns the
/// exit status.
pub async fn send(ctx: &Context, request: Request) -> Result<u8, CliError> {
    let uploader = Uploader::new(ctx.client()?, request.settings.clone());
    let target = Target::confirm(&uploader, &request.patient, request.note.as_deref()).await?;
    let patient = target.patient();
    let card = target.card();
    eprintln!("Patient: {}", card.line());
    if card.archived {
        eprintln!("Warning: this patient's chart is archived.");
    }
    for look_alike in &card.look_alikes {
        eprintln!("Warning: {look_alike}.");
    }
    let mut store = ctx.store()?;
    let run = store.begin_run()?;
    let prepared =
        decoda_core::plan(&mut store, &run, &uploader, &target, request.selection).await?;
    if prepared.looked_in_chart > 0 {
        eprintln!(
            "Checked the chart for {} file(s) an interrupted upload was sending.",
            prepared.looked_in_chart
        );
    }
    let (count, bytes) = prepared.to_send();
    let refused: Vec<_> = prepared.refused().collect();
    eprintln!(
        "Files:   {count} to send ({}), {} already in the chart or listed twice, {} refused",
        human_size(bytes),
        prepared.not_sent_again(),
        refused.len()
    );
    for (path, problem) in &refused {
        eprintln!("  refused {}: {problem}", path.display());
    }
    if count > 0 && !request.yes && std::io::stdin().is_terminal() && !confirm(card, count)? {
        return Err(CliError::Cancelled);
    }
    let cancel = CancellationToken::new();
    let on_ctrl_c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!(
                "\nCancelling: files already sent stay in the chart; the list below says which."
            );
            on_ctrl_c.cancel();
        }
    });
    let show_bar = !request.json && std::io::stderr().is_terminal();
    let (bar_sink, bar) = progress_bar::start(show_bar);
    let paths = prepared.paths().to_vec();
    let outcomes = prepared
        .send(store, &run, &uploader, bar_sink, cancel.clone())
        .await?;
    if let Some(bar) = bar {
        let _ = bar.await;
    }
    let files: Vec<JsonFile> = paths
        .iter()
        .zip(outcomes)
        .map(|(path, outcome)| json_outcome(path, outcome))
        .collect();
    print_report(patient, card, &files, request.json)?;
    let waiting = ctx.store()?.abandoned()?.len();
    if waiting > 0 {
        eprintln!(
            "{waiting} file(s) from interrupted uploads are still queued: `decoda resume` sends them."
        );
    }
    Ok(if files.iter().all(|f| f.status != "failed") {
        exit::OK
    } else if cancel.is_cancelled() {
        exit::CANCELLED
    } else {
        exit::SOME_FAILED
    })
}

/// The report line of one file of the selection.
fn json_outcome(path: &std::path::Path, outcome: Outcome) -> JsonFile {
    let mut out = JsonFile {
        path: path.display().to_string(),
        status: "skipped",
        attachment_id: None,
        name: None,
        thumbnail_url: None,
        error: None,
        notes: Vec::new(),
    };
    match outcome {
        Outcome::Sent(report) => return json_file(&report),
        Outcome::Skipped {
            reason,
            attachment_id,
        } => {
            out.attachment_id = attachment_id;
            out.error = Some(reason);
        }
        Outcome::FoundInChart {
            attachment_id,
            name,
        } => {
            out.status = "uploaded";
            out.attachment_id = Some(attachment_id);
            out.name = Some(name);
            out.notes
                .push("found in the chart: an earlier, interrupted upload had sent it".into());
        }
    }
    out
}

/// Pairs `--name` and `--external-id` with paths by position.
fn file_specs(args: &UploadArgs) -> Result<Vec<FileSpec>, CliError> {
    for (flag, count) in [
        ("--name", args.names.len()),
        ("--external-id", args.external_ids.len()),
    ] {
        if count > args.paths.len() {
            return Err(CliError::Usage(format!(
                "{count} {flag} values for {} paths: give at most one per path, in the same order",
                args.paths.len()
            )));
        }
    }
    Ok(args
        .paths
        .iter()
        .enumerate()
        .map(|(i, path)| FileSpec {
            path: path.clone(),
            name: args.names.get(i).cloned(),
            external_id: args.external_ids.get(i).cloned(),
        })
        .collect())
}

/// The settings file's values, with no flag on top (what `decoda resume` sends with).
pub fn configured_settings(ctx: &Context) -> Settings {
    let file = &ctx.resolved.settings.effective;
    Settings {
        limits: file.limits.clone(),
        names_encoding: file.names_encoding,
        retry: file.retry.clone(),
        timeouts: file.timeouts.clone(),
    }
}

/// The settings file's values with the command's flags on top. A flag for something the system
/// file locks is refused, naming who sets it.
fn settings(ctx: &Context, args: &UploadArgs) -> Result<Settings, CliError> {
    let layered = &ctx.resolved.settings;
    let limit_flags = [
        args.max_file_size,
        args.files_per_request.map(|n| n as u64),
        args.mib_per_request,
        args.parallel.map(|n| n as u64),
    ];
    if limit_flags.iter().any(Option::is_some) {
        layered.check_unlocked(Setting::Limits)?;
    }
    if args.names_encoding.is_some() {
        layered.check_unlocked(Setting::NamesEncoding)?;
    }
    let file = &layered.effective;
    let mut limits = file.limits.clone();
    if let Some(mib) = args.max_file_size {
        limits.max_file_bytes = mib.saturating_mul(MIB);
    }
    if let Some(n) = args.files_per_request {
        limits.max_files_per_request = n.max(1);
    }
    if let Some(mib) = args.mib_per_request {
        limits.max_bytes_per_request = mib.saturating_mul(MIB);
    }
    if let Some(n) = args.parallel {
        limits.parallel_requests = n.max(1);
    }
    Ok(Settings {
        limits,
        names_encoding: args.names_encoding.unwrap_or(file.names_encoding),
        retry: file.retry.clone(),
        timeouts: file.timeouts.clone(),
    })
}

fn confirm(card: &decoda_core::PatientCard, files: usize) -> Result<bool, CliError> {
    let warning = if card.look_alikes.is_empty() {
        ""
    } else {
        " (see the warnings above)"
    };
    eprint!(
        "Send {} to {}, born {}{warning}? [y/N] ",
        count_of(files, "file"),
        card.name,
        card.born
    );
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::Usage(format!("cannot read the answer: {e}")))?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// `1 file`, `3 files`.
fn count_of(n: usize, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

/// One entry of `--json` output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonFile {
    path: String,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    attachment_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    thumbnail_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonReport<'a> {
    patient: JsonPatient,
    uploaded: usize,
    skipped: usize,
    failed: usize,
    files: &'a [JsonFile],
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonPatient {
    id: String,
    name: String,
    date_of_birth: Option<String>,
}

fn json_file(f: &decoda_engine::FileReport) -> JsonFile {
    let mut out = JsonFile {
        path: f.path.display().to_string(),
        status: "failed",
        attachment_id: None,
        name: None,
        thumbnail_url: None,
        error: None,
        notes: f.notes.clone(),
    };
    match &f.status {
        FileStatus::Uploaded {
            attachment,
            found_after_interruption,
        } => {
            out.status = "uploaded";
            out.attachment_id = Some(attachment.id.to_string());
            out.name = Some(attachment.name.clone());
            out.thumbnail_url = attachment.thumbnail_signed_url.clone();
            if *found_after_interruption {
                out.notes
                    .push("found in the chart after the server's answer was lost".into());
            }
        }
        FileStatus::Skipped { reason } => {
            out.status = "skipped";
            out.error = Some(reason.clone());
        }
        FileStatus::Failed { problem } => out.error = Some(problem.to_string()),
    }
    out
}

fn print_report(
    patient: &Patient,
    card: &decoda_core::PatientCard,
    files: &[JsonFile],
    json: bool,
) -> Result<(), CliError> {
    let count = |status: &str| files.iter().filter(|f| f.status == status).count();
    let (uploaded, skipped) = (count("uploaded"), count("skipped"));
    if json {
        let out = JsonReport {
            patient: JsonPatient {
                id: patient.id.to_string(),
                name: patient.display_name(),
                date_of_birth: patient.date_of_birth.clone(),
            },
            uploaded,
            skipped,
            failed: count("failed"),
            files,
        };
        let text =
            serde_json::to_string_pretty(&out).map_err(|e| CliError::Usage(e.to_string()))?;
        println!("{text}");
        return Ok(());
    }
    for f in files {
        match f.status {
            "uploaded" => println!(
                "uploaded  {}  as \"{}\" (attachment {})",
                f.path,
                f.name.as_deref().unwrap_or(""),
                f.attachment_id.as_deref().unwrap_or("")
            ),
            "skipped" => println!(
                "skipped   {}: {}",
                f.path,
                f.error.as_deref().unwrap_or("already uploaded")
            ),
            _ => println!(
                "FAILED    {}: {}",
                f.path,
                f.error.as_deref().unwrap_or("unknown error")
            ),
        }
        for note in &f.notes {
            println!("          note: {note}");
        }
    }
    println!(
        "{uploaded} of {} uploaded to {}, born {}{}.",
        count_of(files.len(), "file"),
        card.name,
        card.born,
        if skipped > 0 {
            format!(", {skipped} skipped as already in the chart (--force sends them again)")
        } else {
            String::new()
        }
    );
    Ok(())
}
