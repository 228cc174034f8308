//! `decoda settings`: what is in force, for the person setting up a workstation.

use crate::{context::Context, exit::CliError};

/// Prints one line per setting, with the key's presence but never the key.
pub fn show(ctx: &Context) -> Result<u8, CliError> {
    // A keychain that cannot be asked is a finding to show, not a reason to show nothing.
    let (resolved, key_problem) = match ctx.resolved_with_key() {
        Ok(resolved) => (resolved, None),
        Err(e) => (ctx.resolved.clone(), Some(e.to_string())),
    };
    for (label, value) in resolved.summary() {
        match (&key_problem, label) {
            (Some(problem), "API key") => println!("{label}: unknown: {problem}"),
            _ => println!("{label}: {value}"),
        }
    }
    println!("Settings file: {}", ctx.settings_path.display());
    Ok(crate::exit::OK)
}
