//! `decoda`: the upload engine for scripts, scanner workstations and people at a terminal.
//!
//! Standard output carries results (text, or one JSON object with `--json`); prompts, progress
//! and errors go to standard error, one line per error, never with a backtrace or the key.

mod args;
mod context;
mod exit;
mod history;
mod login;
mod patient;
mod progress_bar;
mod resume;
mod settings;
mod upload;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
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
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(err) => exit::report(&err),
    }
}

async fn run(cli: args::Cli) -> Result<u8, exit::CliError> {
    let ctx = context::Context::new(&cli)?;
    match cli.command {
        args::Command::Login => login::login(&ctx).await,
        args::Command::Logout => login::logout(&ctx),
        args::Command::Patient(a) => patient::run(&ctx, a).await,
        args::Command::Upload(a) => upload::run(&ctx, a).await,
        args::Command::History(a) => history::run(&ctx, a),
        args::Command::Resume(a) => resume::run(&ctx, a).await,
        args::Command::Settings => settings::show(&ctx),
    }
}

/// Logs go to standard error only, at `warn` unless `DECODA_LOG` says otherwise. File names and
/// patient data are logged at debug level at most, and never to a file.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("DECODA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
