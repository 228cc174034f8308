//! `decoda history`: what this computer uploaded, newest first.

use crate::{args::HistoryArgs, context::Context, exit, exit::CliError};
use decoda_engine::human_size;
use decoda_store::HistoryQuery;

/// Lists history entries as text or JSON.
pub fn run(ctx: &Context, args: HistoryArgs) -> Result<u8, CliError> {
    let store = ctx.store()?;
    let entries = store.history(&HistoryQuery {
        patient_id: args.patient,
        text: args.search,
        limit: args.limit,
    })?;
    if args.json {
        let text =
            serde_json::to_string_pretty(&entries).map_err(|e| CliError::Usage(e.to_string()))?;
        println!("{text}");
        return Ok(exit::OK);
    }
    if entries.is_empty() {
        println!("No uploads recorded.");
    }
    for e in &entries {
        println!(
            "{}  {}  {}  \"{}\" ({}, attachment {})",
            e.uploaded_at
                .get(..19)
                .unwrap_or(&e.uploaded_at)
                .replace('T', " "),
            e.patient_id,
            e.file_name,
            e.name,
            human_size(e.size),
            e.attachment_id
        );
    }
    Ok(exit::OK)
}
