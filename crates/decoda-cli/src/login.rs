//! `decoda login` and `decoda logout`.

use crate::{
    context::Context,
    exit::{self, CliError},
};
use decoda_api::{ApiKey, Client};
use decoda_settings::{edit_user_file, Edit, Setting};
use std::io::{BufRead, IsTerminal};

/// Reads a key, proves it works, then stores it and remembers the server and tenant.
pub async fn login(ctx: &Context) -> Result<u8, CliError> {
    let tenant = ctx.resolved.tenant()?.to_owned();
    let key = read_key()?;
    let client =
        Client::builder(ctx.resolved.base_url.clone(), tenant.clone(), key.clone()).build()?;
    // Any authenticated call proves the key and tenant; a one-result search is the cheapest.
    client.search_patients("", 1).await?;
    ctx.keychain.set(&ctx.resolved.base_url, &tenant, &key)?;
    // Only the user's own file is written, and only what the system file leaves to the user.
    let settings = &ctx.resolved.settings;
    let mut edits = Vec::new();
    if !settings.is_locked(Setting::ApiUrl) {
        edits.push(Edit::Set(
            "api_url",
            ctx.resolved.base_url.to_string().into(),
        ));
    }
    if !settings.is_locked(Setting::Tenant) {
        edits.push(Edit::Set("tenant", tenant.clone().into()));
    }
    edit_user_file(&ctx.settings_path, &edits)?;
    eprintln!(
        "Signed in to {} as tenant `{tenant}`; the key is in the system keychain.",
        ctx.resolved.base_url
    );
    Ok(exit::OK)
}

/// Deletes the stored key (succeeds when there was none).
pub fn logout(ctx: &Context) -> Result<u8, CliError> {
    let tenant = ctx.resolved.tenant()?;
    ctx.keychain.delete(&ctx.resolved.base_url, tenant)?;
    eprintln!(
        "The API key for tenant `{tenant}` at {} was removed.",
        ctx.resolved.base_url
    );
    Ok(exit::OK)
}

fn read_key() -> Result<ApiKey, CliError> {
    let text = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("API key (not shown): ")
            .map_err(|e| CliError::Usage(format!("cannot read the key: {e}")))?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| {
            CliError::Usage(format!("cannot read the key from standard input: {e}"))
        })?;
        line
    };
    let key = ApiKey::new(text);
    if key.is_empty() {
        return Err(CliError::Usage("no API key was given".into()));
    }
    Ok(key)
}
