//! `decoda history`: what this computer uploaded, newest first, and where files were moved since.

use crate::{args::HistoryArgs, context::Context, exit, exit::CliError};
use decoda_engine::human_size;
use decoda_store::{HistoryEntry, HistoryQuery, MoveRecord};
use serde::Serialize;

/// One entry of `--json`: the upload, and its moves to other patients, oldest first.
#[derive(Debug, Serialize)]
struct JsonEntry<'a> {
    #[serde(flatten)]
    entry: &'a HistoryEntry,
    moves: Vec<&'a MoveRecord>,
}

/// Lists history entries as text or JSON.
pub fn run(ctx: &Context, args: HistoryArgs) -> Result<u8, CliError> {
    let store = ctx.store()?;
    let entries = store.history(&HistoryQuery {
        patient_id: args.patient,
        text: args.search,
        limit: args.limit,
    })?;
    let moves = store.moves(None)?;
    let moves_of = |e: &HistoryEntry| -> Vec<&MoveRecord> {
        moves
            .iter()
            .filter(|m| m.attachment_id == e.attachment_id)
            .collect()
    };
    if args.json {
        let out: Vec<JsonEntry<'_>> = entries
            .iter()
            .map(|entry| JsonEntry {
                entry,
                moves: moves_of(entry),
            })
            .collect();
        let text =
            serde_json::to_string_pretty(&out).map_err(|e| CliError::Usage(e.to_string()))?;
        println!("{text}");
        return Ok(exit::OK);
    }
    if entries.is_empty() {
        println!("No uploads recorded.");
    }
    for e in &entries {
        let moved: String = moves_of(e)
            .iter()
            .map(|m| {
                let from = m
                    .from_patient_id
                    .as_deref()
                    .map(|f| format!(" from {f}"))
                    .unwrap_or_default();
                format!(
                    "  moved{from} to {} on {}",
                    m.to_patient_id,
                    when(&m.moved_at)
                )
            })
            .collect();
        println!(
            "{}  {}  {}  \"{}\" ({}, attachment {}){moved}",
            when(&e.uploaded_at),
            e.patient_id,
            e.file_name,
            e.name,
            human_size(e.size),
            e.attachment_id
        );
    }
    Ok(exit::OK)
}

/// `2026-11-30 10:04:05` from a stored RFC 3339 time (UTC).
fn when(at: &str) -> String {
    at.get(..19).unwrap_or(at).replace('T', " ")
}
