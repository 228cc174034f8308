//! `decoda settings`: what is in force, for the person setting up a workstation.

use crate::{context::Context, exit::CliError};

/// Prints one line per setting, with the key's presence but never the key.
pub fn show(ctx: &Context) -> Result<u8, CliError> {
    let resolved = ctx.resolved_with_key()?;
    for (label, value) in resolved.summary() {
        println!("{label}: {value}");
    }
    println!("Settings file: {}", ctx.settings_path.display());
    Ok(crate::exit::OK)
}
