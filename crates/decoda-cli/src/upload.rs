//! `decoda upload`: confirm the patient, check the files, ask, send, report.

use crate::{
    args::UploadArgs,
    context::Context,
    exit::{self, CliError},
    patient::describe,
    progress_bar,
};
use decoda_api::{NoteId, PatientId};
use decoda_engine::{
    human_size, CancellationToken, FileSpec, FileStatus, Job, Report, Settings, Uploader,
};
use serde::Serialize;
use std::io::{BufRead, IsTerminal, Write};

const MIB: u64 = 1024 * 1024;

/// Runs the upload and returns the exit status (0 only when every file was uploaded).
pub async fn run(ctx: &Context, args: UploadArgs) -> Result<u8, CliError> {
    let specs = file_specs(&args)?;
    let uploader = Uploader::new(ctx.client()?, settings(ctx, &args));
    let patient = uploader
        .confirm_patient(&PatientId::new(args.patient.as_str()))
        .await?;
    eprintln!("Patient: {}", describe(&patient));
    if patient.is_archived == Some(true) {
        eprintln!("Warning: this patient's chart is archived.");
    }
    let items = uploader.check(specs).await;
    let ready: Vec<_> = items
        .iter()
        .filter_map(|i| i.result.as_ref().ok())
        .collect();
    let bytes: u64 = ready.iter().map(|f| f.size).sum();
    eprintln!(
        "Files:   {} to send ({}), {} refused",
        ready.len(),
        human_size(bytes),
        items.len() - ready.len()
    );
    for item in &items {
        if let Err(problem) = &item.result {
            eprintln!("  refused {}: {problem}", item.path.display());
        }
    }
    if !ready.is_empty()
        && !args.yes
        && std::io::stdin().is_terminal()
        && !confirm(&patient, ready.len())?
    {
        return Err(CliError::Cancelled);
    }
    let job = Job {
        patient,
        note: args.note.as_deref().map(NoteId::new),
        items,
    };
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
    let show_bar = !args.json && std::io::stderr().is_terminal();
    let (sink, bar) = progress_bar::start(show_bar);
    let report = uploader.upload(job, sink, cancel.clone()).await;
    if let Some(bar) = bar {
        let _ = bar.await;
    }
    print_report(&report, args.json)?;
    Ok(if report.all_uploaded() {
        exit::OK
    } else if cancel.is_cancelled() {
        exit::CANCELLED
    } else {
        exit::SOME_FAILED
    })
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

/// The settings file's values with the command's flags on top.
fn settings(ctx: &Context, args: &UploadArgs) -> Settings {
    let file = &ctx.resolved.file;
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
    Settings {
        limits,
        names_encoding: args.names_encoding.unwrap_or(file.names_encoding),
        retry: file.retry.clone(),
        timeouts: file.timeouts.clone(),
    }
}

fn confirm(patient: &decoda_api::models::Patient, files: usize) -> Result<bool, CliError> {
    let dob = patient.date_of_birth.as_deref().unwrap_or("unknown");
    eprint!(
        "Upload {files} file(s) to {} (born {dob})? [y/N] ",
        patient.display_name()
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
struct JsonReport {
    patient: JsonPatient,
    uploaded: usize,
    failed: usize,
    files: Vec<JsonFile>,
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

fn print_report(report: &Report, json: bool) -> Result<(), CliError> {
    let files: Vec<JsonFile> = report.files.iter().map(json_file).collect();
    let uploaded = report.uploaded();
    if json {
        let out = JsonReport {
            patient: JsonPatient {
                id: report.patient.id.to_string(),
                name: report.patient.display_name(),
                date_of_birth: report.patient.date_of_birth.clone(),
            },
            uploaded,
            failed: files.len() - uploaded,
            files,
        };
        let text =
            serde_json::to_string_pretty(&out).map_err(|e| CliError::Usage(e.to_string()))?;
        println!("{text}");
        return Ok(());
    }
    for f in &files {
        match f.status {
            "uploaded" => println!(
                "uploaded  {}  as \"{}\" (attachment {})",
                f.path,
                f.name.as_deref().unwrap_or(""),
                f.attachment_id.as_deref().unwrap_or("")
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
        "{uploaded} of {} file(s) uploaded to {} (born {}).",
        files.len(),
        report.patient.display_name(),
        report.patient.date_of_birth.as_deref().unwrap_or("unknown")
    );
    Ok(())
}
