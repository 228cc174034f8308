//! `decoda`: the upload engine for scripts, scanner workstations and people at a terminal.
//!
//! Standard output carries results (text, or one JSON object with `--json`); prompts, progress
//! and errors go to standard error, one line per error, never with a backtrace or the key.

mod args;
mod context;
mod cover;
mod exit;
mod history;
mod login;
mod moving;
mod patient;
mod progress_bar;
mod resume;
mod scan;
mod settings;
mod suggest;
mod upload;

use clap::Parser;
use decoda_api::ApiKey;
use std::process::ExitCode;

fn main() -> ExitCode {
    // First, before any thread starts: the key leaves the environment, so that no process this
    // one starts inherits it; from here on it is passed down as a key.
    let env_key = decoda_settings::Resolved::take_key_from_environment();
    let cli = args::Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("decoda: error: cannot start: {e}");
            return ExitCode::from(exit::SERVER);
        }
    };
    match runtime.block_on(run(cli, env_key)) {
        Ok(code) => ExitCode::from(code),
        Err(err) => exit::report(&err),
    }
}

async fn run(cli: args::Cli, env_key: Option<ApiKey>) -> Result<u8, exit::CliError> {
    let ctx = context::Context::new(&cli, env_key)?;
    match cli.command {
        args::Command::Login => login::login(&ctx).await,
        args::Command::Logout => login::logout(&ctx),
        args::Command::Patient(a) => patient::run(&ctx, a).await,
        args::Command::Upload(a) => upload::run(&ctx, a).await,
        args::Command::History(a) => history::run(&ctx, a),
        args::Command::Move(a) => moving::run(&ctx, a).await,
        args::Command::Resume(a) => resume::run(&ctx, a).await,
        args::Command::Settings => settings::show(&ctx),
        args::Command::Scan(a) => scan::run(&ctx, a).await,
        args::Command::Scanners(a) => scan::list(&ctx, a).await,
        args::Command::CoverSheet(a) => cover::sheet(&ctx, a).await,
        args::Command::Split(a) => cover::split(&ctx, a).await,
        args::Command::Suggest(a) => suggest::run(&ctx, a).await,
    }
}

/// Logs go to standard error only, at `warn` unless `DECODA_LOG` says otherwise. File names and
/// patient data are logged at debug level at most, and never to a file.
fn init_logging() {
    // Plain targets (`warn,decoda_engine=debug`), not EnvFilter: its regular expressions would
    // add half a megabyte to the installer.
    let filter = std::env::var("DECODA_LOG")
        .ok()
        .and_then(|spec| spec.parse::<tracing_subscriber::filter::Targets>().ok())
        .unwrap_or_else(|| {
            tracing_subscriber::filter::Targets::new().with_default(tracing::Level::WARN)
        });
    use tracing_subscriber::{layer::SubscriberExt, util::SubscriberInitExt, Layer};
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_filter(filter);
    let _ = tracing_subscriber::registry().with(stderr).try_init();
}
