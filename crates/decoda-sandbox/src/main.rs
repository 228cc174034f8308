//! The `decoda-sandbox` command: a local stand-in for the Decoda Health API.
//!
//! Lets a new user try the desktop app or CLI without a Decoda account, and lets tests and benchmarks run
//! the real binary. It prints where it listens (tests parse the first line) and stops on Ctrl-C or SIGTERM.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use decoda_sandbox::{scanner, Config, FaultRule, NamesEncoding, DEFAULT_API_KEY, DEFAULT_TENANT};

const LONG_ABOUT: &str = "\
A stand-in for the Decoda Health API, for testing and demos. It is NOT Decoda: nothing you upload here reaches \
a patient's chart.

It serves the routes the uploader uses (patient search and chart, notes, bulk and single attachment upload, \
renames, listing) from a small demo clinic with seeded patients (pat_1001 … pat_1008) and notes \
(note_2001 …), stores uploads in a data directory, and serves them back at their signed URLs with thumbnails.

Point the app or CLI at it with:
  DECODA_API_URL=http://127.0.0.1:8787  DECODA_TENANT=demo-clinic  DECODA_API_KEY=sandbox-demo-key
(or the same values in the app's settings). The key is a demo key for this sandbox only.

It listens on loopback addresses only. Test-control routes live under /__sandbox/ (faults, names-encoding, \
uploads, attachments, reset, health).

With --scanner it also serves a stand-in network scanner (eSCL / AirScan) on its own port: `decoda scan` and \
SANE's airscan backend (`scanimage`) scan from it. Its feeder holds generated pages, or the page images of \
--feeder DIR; POST /__sandbox/feeder on the scanner's port loads the feeder again. With --advertise it also \
announces itself over mDNS (as `_uscan._tcp`, on this computer only), so `decoda scanners` finds it.";

/// Command-line flags.
#[derive(Debug, Parser)]
#[command(name = "decoda-sandbox", version, about = "A local stand-in for the Decoda Health API, for testing and demos", long_about = LONG_ABOUT)]
struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// Address to listen on; must be a loopback address.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Tenant the TENANT header must carry.
    #[arg(long, default_value = DEFAULT_TENANT)]
    tenant: String,
    /// API key the API-KEY header must carry.
    #[arg(long, default_value = DEFAULT_API_KEY)]
    api_key: String,
    /// How the bulk endpoint decodes `names` and `external_ids`: json or comma.
    #[arg(long, default_value = "json")]
    names_encoding: NamesEncoding,
    /// Read and discard upload bodies (throughput benchmarks).
    #[arg(long)]
    sink: bool,
    /// Largest request body in MiB; bigger bodies get 413.
    #[arg(long, default_value_t = 2048)]
    max_body_mib: u64,
    /// Where to keep uploaded files (default: a temporary directory removed on exit).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Queue a fault, as JSON, e.g. '{"fault":{"kind":"status500"},"path":"/attachments/bulk"}'. Repeatable.
    #[arg(long = "fault", value_name = "JSON", value_parser = parse_fault)]
    faults: Vec<FaultRule>,
    /// Answer with only what the API's contract promises: attachments without their patient,
    /// dates without a time zone, no thumbnails for PDFs, search by first or last name only.
    #[arg(long)]
    contract_only: bool,
    /// Also serve a stand-in network scanner (eSCL / AirScan, as office scanners speak it), with
    /// a glass and a two-sided feeder. Its address is printed in the banner.
    #[arg(long)]
    scanner: bool,
    /// The scanner's port (0 picks a free one).
    #[arg(long, default_value_t = 8788, requires = "scanner")]
    scanner_port: u16,
    /// Load the scanner's feeder with the page images in this folder (PNG or JPEG, taken as
    /// 300 dpi scans, in name order) instead of generated pages.
    #[arg(long, value_name = "DIR", requires = "scanner")]
    feeder: Option<PathBuf>,
    /// How many generated pages the feeder holds when no folder is given.
    #[arg(long, default_value_t = 5, value_name = "N", requires = "scanner")]
    feeder_pages: usize,
    /// Load the feeder with a stack described in words instead: `page` is a generated page,
    /// `cover:ID` a patient cover sheet, `file:PATH` a page image (a scanned letter, taken as 300
    /// dpi), e.g. `cover:pat_1001,page,page,cover:pat_1002,file:letter.png` (a stack for two
    /// patients, as a front desk scans it).
    #[arg(
        long,
        value_name = "SHEETS",
        requires = "scanner",
        conflicts_with = "feeder"
    )]
    feeder_stack: Option<String>,
    /// Announce the scanner over mDNS / DNS-SD (`_uscan._tcp`) as network scanners do, on this
    /// computer's loopback interface only, so that `decoda scanners` finds it. Off by default.
    #[arg(long, requires = "scanner")]
    advertise: bool,
}

fn parse_fault(text: &str) -> Result<FaultRule, String> {
    serde_json::from_str(text).map_err(|e| format!("not a fault rule: {e}"))
}

/// Why the command failed.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("refusing to listen on {0}: decoda-sandbox only listens on loopback addresses (127.0.0.1 or ::1), because its demo key protects nothing")]
    NotLoopback(IpAddr),
    #[error(transparent)]
    Sandbox(#[from] decoda_sandbox::Error),
    #[error("could not start the async runtime")]
    Runtime(#[source] std::io::Error),
    #[error("could not read the feeder's pages from {0}")]
    Feeder(PathBuf, #[source] std::io::Error),
    #[error("--feeder-stack: {0}")]
    Stack(String),
}

fn main() -> ExitCode {
    let args = Args::parse();
    init_logging();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("decoda-sandbox: {}", chain(&error));
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), CliError> {
    if !args.bind.is_loopback() {
        return Err(CliError::NotLoopback(args.bind));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    runtime.block_on(serve(args))
}

async fn serve(args: Args) -> Result<(), CliError> {
    let addr = SocketAddr::new(args.bind, args.port);
    let config = Config {
        tenant: args.tenant,
        api_key: args.api_key,
        names_encoding: args.names_encoding,
        sink: args.sink,
        max_body_bytes: args.max_body_mib.saturating_mul(1024 * 1024),
        data_dir: args.data_dir,
        contract_only: args.contract_only,
    };
    let banner_tenant = config.tenant.clone();
    let banner_key = config.api_key.clone();
    let sandbox = decoda_sandbox::spawn(config, addr).await?;
    let scanner = if args.scanner {
        let sheets = match (&args.feeder, &args.feeder_stack) {
            (Some(dir), _) => {
                scanner::sheets_in(dir).map_err(|e| CliError::Feeder(dir.clone(), e))?
            }
            (None, Some(spec)) => scanner::stack(spec, &banner_tenant).map_err(CliError::Stack)?,
            (None, None) => scanner::generated(args.feeder_pages),
        };
        let at = SocketAddr::new(args.bind, args.scanner_port);
        Some(scanner::spawn_scanner(scanner::ScannerState::new(sheets), at).await?)
    } else {
        None
    };
    let advertisement = match &scanner {
        Some(scanner) if args.advertise => {
            Some(scanner::advertise(scanner.addr(), scanner::MDNS_PORT)?)
        }
        _ => None,
    };
    for rule in args.faults {
        sandbox.state().push_fault(rule);
    }
    // A reader that closes the pipe after the first line must not stop the server.
    if let Err(error) = print_banner(
        &sandbox.base_url(),
        &banner_tenant,
        &banner_key,
        scanner.as_ref(),
        advertisement.as_ref(),
    ) {
        tracing::warn!(%error, "could not write the start-up banner");
    }
    wait_for_stop().await;
    tracing::info!("stopping");
    // Withdrawn first: no client is sent to a scanner that is going away.
    drop(advertisement);
    if let Some(scanner) = scanner {
        scanner.shutdown().await;
    }
    sandbox.shutdown().await;
    Ok(())
}

/// Writes the banner in one piece (tests parse its first line, and the `scanner:` line).
fn print_banner(
    url: &str,
    tenant: &str,
    key: &str,
    scanner: Option<&scanner::Scanner>,
    advertisement: Option<&scanner::Advertisement>,
) -> std::io::Result<()> {
    let mut banner = format!(
        "decoda-sandbox listening on {url}\n  \
         tenant:  {tenant}\n  \
         API key: {key}   (demo key for this sandbox only)\n  \
         try:     DECODA_API_URL={url} DECODA_TENANT={tenant} DECODA_API_KEY={key} decoda patient --search garcia\n"
    );
    if let Some(scanner) = scanner {
        let scanner_url = scanner.url();
        let sheets = scanner.state().feeder_len();
        let origin = scanner.addr();
        banner.push_str(&format!(
            "  scanner: {scanner_url}   (stand-in eSCL scanner, {sheets} pages in its feeder)\n  \
             scan:    DECODA_API_URL={url} DECODA_TENANT={tenant} DECODA_API_KEY={key} decoda scan --scanner {scanner_url} --patient pat_1001\n  \
             refill:  curl -X POST http://{origin}/__sandbox/feeder\n"
        ));
        if let Some(advertisement) = advertisement {
            banner.push_str(&format!(
                "  mDNS:    advertised as \"{}\" (_uscan._tcp, on this computer only): decoda scanners finds it\n",
                advertisement.fullname()
            ));
        }
    }
    let mut out = std::io::stdout().lock();
    out.write_all(banner.as_bytes())?;
    out.flush()
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Logs go to stderr so stdout carries only the banner; `RUST_LOG` overrides the `info` default.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
