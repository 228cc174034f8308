//! `decoda scan`: paper from a network scanner to one PDF, uploaded to a confirmed patient's chart
//! or saved as a file.

use crate::{
    args::{ScanArgs, ScanSource, ScannersArgs, UploadArgs},
    context::Context,
    exit::{self, CliError},
    upload,
};
use decoda_api::PatientId;
use decoda_scan::{
    discovery, ColourMode, FeederState, FoundScanner, ScanError, ScanRequest, Scanner,
    ScannerState, Source, Status,
};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Runs `decoda scan` and returns the exit status.
pub async fn run(ctx: &Context, args: ScanArgs) -> Result<u8, CliError> {
    let scanner = Scanner::new(&scanner_address(ctx, args.scanner.as_deref())?)?;
    let request = ScanRequest {
        source: match args.source {
            ScanSource::Feeder => Source::Feeder,
            ScanSource::Flatbed => Source::Flatbed,
        },
        duplex: args.duplex,
        resolution: args.resolution,
        colour: if args.gray {
            ColourMode::Grey
        } else {
            ColourMode::Colour
        },
    };
    if let Some(out) = &args.out {
        refuse_existing(out)?;
    }
    if let Some(patient) = &args.patient {
        // A wrong id is found before any paper goes through the scanner, not after the stack.
        ctx.client()?
            .patient(&PatientId::new(patient.trim()))
            .await?;
    }
    let cancel = CancellationToken::new();
    let on_ctrl_c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_ctrl_c.cancel();
        }
    });
    eprintln!("Scanning from {} …", scanner.address());
    let scanned = scanner
        .scan(&request, &cancel, |n| {
            eprint!("\rPages received: {n}");
            let _ = std::io::stderr().flush();
        })
        .await;
    let pages = scanned.pages.len();
    if pages > 0 {
        eprintln!();
    }
    if pages == 0 {
        return Err(scanned
            .stopped
            .unwrap_or_else(|| ScanError::Answer("no page came".into()))
            .into());
    }
    let jpegs: Vec<Vec<u8>> = scanned.pages.iter().map(|p| p.jpeg.to_vec()).collect();
    let pdf = decoda_pages::pdf_from_jpegs(&jpegs, request.resolution).map_err(|e| {
        CliError::ScanNotSaved(format!(
            "the scanned pages could not be made into a PDF: {e}"
        ))
    })?;
    let path = match &args.out {
        Some(out) => save_scan(out, &pdf)?,
        None => save_in_data_folder(ctx, &pdf)?,
    };
    if let Some(why) = scanned.stopped {
        let code = if why == ScanError::Cancelled {
            exit::CANCELLED
        } else {
            exit::SCANNER
        };
        eprintln!("The scan stopped after {}: {why}.", count(pages));
        let upload_hint = match &args.patient {
            Some(patient) => format!(
                "; they were not uploaded. Scan the rest, or send these with `decoda upload --patient {patient} {}`",
                path.display()
            ),
            None => String::new(),
        };
        eprintln!(
            "The {} received are in {}{upload_hint}.",
            count(pages),
            path.display()
        );
        return Ok(code);
    }
    eprintln!("Scanned {} into {}.", count(pages), path.display());
    let Some(patient) = args.patient else {
        return Ok(exit::OK);
    };
    let sent = upload::run(ctx, upload_args(patient, &path, args.yes, args.json)).await;
    if matches!(sent, Ok(exit::OK)) {
        // The document is in the chart: no copy of the patient's paper stays on this computer.
        if let Err(e) = std::fs::remove_file(&path) {
            eprintln!(
                "warning: the uploaded scan could not be removed from {}: {e}",
                path.display()
            );
        }
    } else {
        eprintln!("The scan is kept in {}.", path.display());
    }
    sent
}

/// The address given, or the one scanner the settings list.
fn scanner_address(ctx: &Context, given: Option<&str>) -> Result<String, CliError> {
    if let Some(address) = given {
        return Ok(address.to_owned());
    }
    let configured = ctx.resolved.settings.effective.scanner_addresses();
    match configured.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(CliError::Usage(
            "give the scanner's address with --scanner, or list it under [scanners] addresses in the settings".into(),
        )),
        several => Err(CliError::Usage(format!(
            "several scanners are set up ({}): say which with --scanner",
            several.join(", ")
        ))),
    }
}

/// Where `decoda scanners` learnt of a scanner.
const CONFIGURED: &str = "configured";
const FOUND: &str = "found on the network";
/// The longest `--wait`: discovery is for a person waiting at a terminal.
const MAX_WAIT_SECONDS: f64 = 60.0;

/// One scanner as `decoda scanners` reports it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ListedScanner {
    address: String,
    /// `configured` (in the settings) or `found on the network` (announced over mDNS); a scanner
    /// that is both is listed once, as configured.
    origin: &'static str,
    /// The name it announces on the network, when it was found there.
    name: Option<String>,
    make_and_model: Option<String>,
    /// `feeder`, `feeder (two-sided)`, `glass`.
    sources: Vec<String>,
    resolutions: Vec<u32>,
    /// `ready`, `busy`, `feeder empty`, or what stops it.
    state: Option<String>,
    /// Why it could not be asked, when it could not.
    problem: Option<String>,
}

/// Runs `decoda scanners`: the scanners in the settings, then (unless `--no-discover`) those
/// that announce themselves on the network, each asked what it is and whether it is ready. Exits 1
/// when a configured scanner cannot be reached or asked; a scanner found on the network that
/// cannot be asked is reported without failing the command, since nobody chose it.
pub async fn list(ctx: &Context, args: ScannersArgs) -> Result<u8, CliError> {
    let wait = discovery_wait(&args)?;
    // The network is listened to while the configured scanners are asked.
    let discovering = wait.map(|wait| {
        let port = args.mdns_port;
        tokio::spawn(async move { discovery::discover_on_port(port, wait).await })
    });
    let addresses = ctx.resolved.settings.effective.scanner_addresses();
    let mut listed = ask_all(
        addresses
            .into_iter()
            .map(|address| (address, CONFIGURED, None))
            .collect(),
    )
    .await;
    let mut discovery_problem = None;
    if let Some(discovering) = discovering {
        let found = match discovering.await {
            Ok(Ok(found)) => found,
            Ok(Err(e)) => {
                discovery_problem = Some(e.to_string());
                Vec::new()
            }
            Err(e) => {
                discovery_problem =
                    Some(format!("could not look for scanners on the network: {e}"));
                Vec::new()
            }
        };
        let new = not_configured(&mut listed, found);
        listed.extend(ask_all(new).await);
    }
    if let Some(why) = &discovery_problem {
        eprintln!("warning: {why}");
    }
    if args.json {
        println!(
            "{}",
            serde_json::json!({ "scanners": listed, "discoveryProblem": discovery_problem })
        );
    } else if listed.is_empty() {
        if wait.is_some() {
            eprintln!("No scanners are set up and none announced itself on the network: list their addresses under [scanners] addresses in the settings.");
        } else {
            eprintln!("No scanners are set up: list their addresses under [scanners] addresses in the settings.");
        }
    } else {
        for s in &listed {
            print_scanner(s);
        }
    }
    Ok(
        if listed
            .iter()
            .any(|s| s.origin == CONFIGURED && s.problem.is_some())
        {
            exit::SOME_FAILED
        } else {
            exit::OK
        },
    )
}

/// How long to listen on the network, or `None` with `--no-discover`.
fn discovery_wait(args: &ScannersArgs) -> Result<Option<Duration>, CliError> {
    if args.no_discover {
        return Ok(None);
    }
    if !(0.0..=MAX_WAIT_SECONDS).contains(&args.wait) {
        return Err(CliError::Usage(format!(
            "--wait takes a number of seconds from 0 to {MAX_WAIT_SECONDS}, e.g. 3 or 1.5"
        )));
    }
    Ok(Some(Duration::from_secs_f64(args.wait)))
}

/// The found scanners that are not configured already, ready to be asked; a configured one that
/// was also found gets the name it announces.
fn not_configured(
    listed: &mut [ListedScanner],
    found: Vec<FoundScanner>,
) -> Vec<(String, &'static str, Option<String>)> {
    let mut new = Vec::new();
    for scanner in found {
        match listed
            .iter_mut()
            .find(|s| discovery::same_scanner(&s.address, &scanner.url))
        {
            Some(configured) => {
                configured.name.get_or_insert(scanner.name);
            }
            None => new.push((scanner.url, FOUND, Some(scanner.name))),
        }
    }
    new
}

/// Asks every scanner at once (one that does not answer holds up no other), keeping their order.
async fn ask_all(scanners: Vec<(String, &'static str, Option<String>)>) -> Vec<ListedScanner> {
    let asks: Vec<_> = scanners
        .into_iter()
        .map(|(address, origin, name)| tokio::spawn(ask(address, origin, name)))
        .collect();
    let mut listed = Vec::with_capacity(asks.len());
    for asked in asks {
        match asked.await {
            Ok(scanner) => listed.push(scanner),
            Err(e) => tracing::warn!("asking a scanner stopped: {e}"),
        }
    }
    listed
}

async fn ask(address: String, origin: &'static str, name: Option<String>) -> ListedScanner {
    let mut out = ListedScanner {
        address,
        origin,
        name,
        make_and_model: None,
        sources: Vec::new(),
        resolutions: Vec::new(),
        state: None,
        problem: None,
    };
    let asked = async {
        let scanner = Scanner::new(&out.address)?;
        Ok::<_, ScanError>((scanner.capabilities().await?, scanner.status().await?))
    };
    match asked.await {
        Ok((caps, status)) => {
            out.make_and_model = Some(caps.make_and_model.clone()).filter(|m| !m.is_empty());
            if caps.feeder.is_some() {
                out.sources.push(
                    if caps.duplex {
                        "feeder (two-sided)"
                    } else {
                        "feeder"
                    }
                    .into(),
                );
            }
            if caps.platen.is_some() {
                out.sources.push("glass".into());
            }
            let mut resolutions: Vec<u32> = caps
                .feeder
                .iter()
                .chain(caps.platen.iter())
                .flat_map(|s| s.resolutions.iter().copied())
                .collect();
            resolutions.sort_unstable();
            resolutions.dedup();
            out.resolutions = resolutions;
            out.state = Some(state_words(&status));
        }
        Err(e) => out.problem = Some(e.to_string()),
    }
    out
}

fn state_words(status: &Status) -> String {
    match (&status.state, &status.feeder) {
        (ScannerState::Unavailable(what), _) => format!("not available ({what})"),
        (_, Some(FeederState::Problem(what))) => format!("feeder stopped: {what}"),
        (ScannerState::Processing, _) => "busy".into(),
        (ScannerState::Idle, Some(FeederState::Empty)) => "ready (feeder empty)".into(),
        (ScannerState::Idle, _) => "ready".into(),
    }
}

fn print_scanner(s: &ListedScanner) {
    let origin = s.origin;
    match &s.problem {
        Some(why) => match &s.name {
            Some(name) => println!("{} ({origin}, {name}): {why}", s.address),
            None => println!("{} ({origin}): {why}", s.address),
        },
        None => {
            let dpi: Vec<String> = s.resolutions.iter().map(u32::to_string).collect();
            println!(
                "{} ({origin}): {}; {}; {} dpi; {}",
                s.address,
                s.make_and_model
                    .as_deref()
                    .or(s.name.as_deref())
                    .unwrap_or("unnamed scanner"),
                s.sources.join(", "),
                dpi.join(", "),
                s.state.as_deref().unwrap_or("state not known")
            );
        }
    }
}

fn count(pages: usize) -> String {
    if pages == 1 {
        "1 page".to_owned()
    } else {
        format!("{pages} pages")
    }
}

fn upload_args(patient: String, path: &Path, yes: bool, json: bool) -> UploadArgs {
    UploadArgs {
        patient,
        note: None,
        names: Vec::new(),
        external_ids: Vec::new(),
        json,
        yes,
        force: false,
        max_file_size: None,
        files_per_request: None,
        mib_per_request: None,
        parallel: None,
        names_encoding: None,
        paths: vec![path.to_owned()],
    }
}

/// Saves a scan to wait for its upload in the data folder's `scans`, named by the moment it was
/// made, as the window does.
fn save_in_data_folder(ctx: &Context, pdf: &[u8]) -> Result<PathBuf, CliError> {
    let folder = decoda_pages::scans_folder(&ctx.data_folder()?);
    let stem = format!("Scan {}", chrono::Local::now().format("%Y-%m-%d %H%M%S"));
    decoda_pages::save_new_pdf(&folder, &stem, pdf).map_err(|e| {
        CliError::ScanNotSaved(format!(
            "the scan could not be saved in {}: {e}",
            folder.display()
        ))
    })
}

/// Refuses a destination that exists: what a person saved there before is never replaced.
pub(crate) fn refuse_existing(path: &Path) -> Result<(), CliError> {
    if path.exists() {
        return Err(CliError::Usage(format!(
            "{} already exists: choose another name (a file is never replaced)",
            path.display()
        )));
    }
    Ok(())
}

/// Writes a file that must not exist yet, through to the disk.
pub(crate) fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn save_scan(path: &Path, pdf: &[u8]) -> Result<PathBuf, CliError> {
    write_new(path, pdf).map_err(|e| {
        CliError::ScanNotSaved(format!(
            "the scan could not be saved as {}: {e}",
            path.display()
        ))
    })?;
    Ok(path.to_owned())
}
