//! The command line as data: parsing only, no I/O (resolving settings is the next step).

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Send scans, PDFs and photos to a patient's chart in Decoda Health.
///
/// Settings come from the environment (DECODA_API_URL, DECODA_TENANT, DECODA_API_KEY), then the
/// settings file (DECODA_CONFIG or the platform's config folder), then the system-wide file IT
/// installs (/etc/decoda-uploader/config.toml on Linux), which can also lock settings; the API key
/// comes from the system keychain (set it with `decoda login`). `decoda settings` shows the result.
///
/// Exit status: 0 all went well; 1 some files were not uploaded; 2 bad usage or settings;
/// 3 no API key (or no keychain), or the key or tenant was rejected; 4 patient, note or
/// attachment not found; 5 the server could not be reached or answered wrongly; 6 the scanner
/// could not scan, or stopped part-way; 130 cancelled (Ctrl-C).
#[derive(Debug, Parser)]
#[command(name = "decoda", version, about, long_about)]
pub struct Cli {
    /// The API address (default: the production API, or the settings file's).
    #[arg(long, global = true, value_name = "URL")]
    pub api_url: Option<String>,
    /// The clinic's tenant (default: the settings file's).
    #[arg(long, global = true, value_name = "TENANT")]
    pub tenant: Option<String>,
    /// The settings file to use.
    #[arg(long, global = true, value_name = "FILE", env = "DECODA_CONFIG")]
    pub config: Option<PathBuf>,
    /// The folder of the upload queue and history (default: the platform's data folder).
    #[arg(long, global = true, value_name = "DIR", env = "DECODA_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check an API key against the server and save it in the system keychain.
    ///
    /// Asks for the key without showing it, or reads it from standard input when that is not a
    /// terminal (`printf %s "$KEY" | decoda login --tenant clinic`). Saves the tenant and address in
    /// the settings file; the key goes only to the keychain.
    Login,
    /// Remove the saved API key for this server and tenant from the keychain.
    Logout,
    /// Show a patient by id, or search for patients.
    Patient(PatientArgs),
    /// Upload files (and the files in folders) to a patient's chart.
    ///
    /// A file whose content was already uploaded to this patient, or that is listed twice, is
    /// skipped (status `skipped`, with the earlier attachment id) unless `--force`: running the same
    /// command twice uploads each file once. Files an interrupted run was sending are looked for in
    /// the chart before they are sent again.
    Upload(UploadArgs),
    /// List uploaded files, newest first (from this computer's upload history).
    History(HistoryArgs),
    /// Send the files of interrupted uploads (the process was killed, the computer lost power).
    ///
    /// Files are grouped by patient and note; each group shows its patient and, on a terminal,
    /// asks before sending, as `upload` does. A file that may have landed before the interruption
    /// is looked for in the chart first. With `--json`, one JSON object per group, one per line.
    Resume(ResumeArgs),
    /// Move an uploaded file to another patient's chart (it was sent to the wrong patient).
    ///
    /// Shows the patient the file is on now (from this computer's upload history, when it knows
    /// the file) and the patient it goes to, and asks before moving unless `--yes`; without a
    /// terminal to ask on, `--yes` is required. The server drops the file's note links. The move
    /// is checked in the new chart, then recorded in the history.
    Move(MoveArgs),
    /// Show the settings in force and where they come from (the system-wide file, its locks,
    /// whether a key is saved; never the key).
    Settings,
    /// Scan paper from a network scanner (eSCL / AirScan) into one PDF, and upload it to a
    /// patient's chart or save it.
    ///
    /// The pages go into the PDF as the scanner sent them (JPEG, not re-encoded). With
    /// `--patient`, the patient is checked before the scan, then shown, and the upload asks as
    /// `upload` does. A scan that stops part-way (a jam, the scanner switched off) is never
    /// uploaded: the pages received are saved and the command says where.
    Scan(ScanArgs),
    /// List the network scanners the settings name and those that announce themselves on the
    /// network (mDNS), each asked what it is, what it offers and whether it is ready.
    Scanners(ScannersArgs),
    /// Print a patient cover sheet: a page to put on top of that patient's paper before scanning
    /// a stack for several patients.
    ///
    /// The sheet names the patient as the banner does (name, birth date, gender, id) for the person
    /// holding it; its QR code holds only the tenant, the patient id and a check value.
    CoverSheet(CoverSheetArgs),
    /// Show how scanned stacks split at their cover sheets: each part's pages and the patient its
    /// sheet proposes, or why none.
    ///
    /// Reads PDFs as scanners write them (one JPEG per page) and page images. Nothing is uploaded:
    /// a person confirms each part's patient before it is sent.
    Split(SplitArgs),
    /// Suggest the patient each document is about, from the text on its first page.
    ///
    /// The page is read on this computer by Tesseract (install `tesseract-ocr` and
    /// `tesseract-ocr-eng`); a PDF with its own text is read without it. Its names and birth dates
    /// are looked up with the patient search, and up to three patients are listed with the words
    /// that matched. Nothing is uploaded or chosen: high confidence means the full name and the
    /// birth date are both on the page, and a person still confirms the patient.
    Suggest(SuggestArgs),
}

/// `decoda scanners`.
#[derive(Debug, Args)]
pub struct ScannersArgs {
    /// Print one JSON object with every scanner.
    #[arg(long)]
    pub json: bool,
    /// Also list the scanners that announce themselves on the network (mDNS), listening this many
    /// seconds for them (up to 60).
    #[arg(long, value_name = "SECONDS", default_value_t = 3.0)]
    pub wait: f64,
    /// List only the scanners in the settings; do not look on the network.
    #[arg(long, conflicts_with = "wait")]
    pub no_discover: bool,
    /// The UDP port of multicast DNS (tests use a private one, so that they neither see nor
    /// disturb the network's scanners).
    #[arg(long, hide = true, default_value_t = 5353)]
    pub mdns_port: u16,
}

/// `decoda cover-sheet`.
#[derive(Debug, Args)]
pub struct CoverSheetArgs {
    /// The patient the sheet is for.
    #[arg(long, value_name = "ID")]
    pub patient: String,
    /// Where to save the sheet (an existing file is never replaced).
    #[arg(long, value_name = "FILE.pdf")]
    pub out: PathBuf,
}

/// `decoda split`.
#[derive(Debug, Args)]
pub struct SplitArgs {
    /// Print one JSON object: every file with its parts.
    #[arg(long)]
    pub json: bool,
    /// Scanned stacks: PDFs or page images.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// `decoda suggest`.
#[derive(Debug, Args)]
pub struct SuggestArgs {
    /// Print one JSON object: every file with its candidates and warnings.
    #[arg(long)]
    pub json: bool,
    /// Scans, photos and PDFs.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Where the paper is, for `decoda scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScanSource {
    /// The document feeder: every page until it is empty.
    Feeder,
    /// The glass: one page.
    Flatbed,
}

/// `decoda scan`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("destination").required(true).args(["patient", "out"]))]
pub struct ScanArgs {
    /// The scanner's address, e.g. http://192.168.1.40/eSCL (a bare http://HOST gets /eSCL);
    /// without it, the one scanner the settings list (`[scanners] addresses`).
    #[arg(long, value_name = "URL")]
    pub scanner: Option<String>,
    /// Feeder or glass.
    #[arg(long, value_enum, default_value = "feeder")]
    pub source: ScanSource,
    /// Scan both sides of each sheet (feeder only).
    #[arg(long)]
    pub duplex: bool,
    /// Dots per inch.
    #[arg(long, value_name = "DPI", default_value_t = 300)]
    pub resolution: u32,
    /// Shades of grey instead of colour.
    #[arg(long, alias = "grey")]
    pub gray: bool,
    /// Upload the scan to this patient's chart.
    #[arg(long, value_name = "ID")]
    pub patient: Option<String>,
    /// Save the scan as this PDF instead (an existing file is never replaced).
    #[arg(long, value_name = "FILE.pdf")]
    pub out: Option<PathBuf>,
    /// Do not ask before uploading.
    #[arg(long, short = 'y', requires = "patient")]
    pub yes: bool,
    /// Print the upload's report as JSON (with `--patient`).
    #[arg(long, requires = "patient")]
    pub json: bool,
}

/// `decoda resume`.
#[derive(Debug, Args)]
pub struct ResumeArgs {
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Print JSON: one object per patient group.
    #[arg(long)]
    pub json: bool,
    /// List the unfinished files and remove them from the queue without sending anything.
    #[arg(long, conflicts_with_all = ["yes", "json"])]
    pub discard: bool,
}

/// `decoda move`.
#[derive(Debug, Args)]
pub struct MoveArgs {
    /// The file's attachment id (as `decoda history` and `upload --json` show it).
    #[arg(value_name = "ATTACHMENT_ID")]
    pub attachment: String,
    /// The patient whose chart the file belongs in.
    #[arg(long, value_name = "PATIENT_ID")]
    pub to: String,
    /// Do not ask for confirmation (required when there is no terminal to ask on).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Print one JSON object describing the move on standard output.
    #[arg(long)]
    pub json: bool,
}

/// `decoda history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only this patient's uploads.
    #[arg(long, value_name = "ID")]
    pub patient: Option<String>,
    /// Only entries whose name, file, attachment id or patient id contains this text.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// How many entries at most (0: all).
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `decoda patient`.
#[derive(Debug, Args)]
pub struct PatientArgs {
    /// The patient's id.
    #[arg(required_unless_present = "search", conflicts_with = "search")]
    pub id: Option<String>,
    /// Search by name, phone, external id or date of birth.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// How many search results at most.
    #[arg(long, default_value_t = 10)]
    pub limit: u32,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `decoda upload`.
#[derive(Debug, Args)]
pub struct UploadArgs {
    /// The patient whose chart receives the files.
    #[arg(long, value_name = "ID")]
    pub patient: String,
    /// Attach the files to this note of the patient.
    #[arg(long, value_name = "ID")]
    pub note: Option<String>,
    /// Display name for the file at the same position (repeat once per file).
    #[arg(long = "name", value_name = "NAME")]
    pub names: Vec<String>,
    /// External id for the file at the same position (repeat once per file).
    #[arg(long = "external-id", value_name = "ID")]
    pub external_ids: Vec<String>,
    /// Print one JSON object describing every file on standard output.
    #[arg(long)]
    pub json: bool,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Send files even if the same content is already in this patient's chart or listed twice.
    #[arg(long)]
    pub force: bool,
    /// Refuse files larger than this many MiB.
    #[arg(long, value_name = "MiB")]
    pub max_file_size: Option<u64>,
    /// At most this many files per request.
    #[arg(long, value_name = "N")]
    pub files_per_request: Option<usize>,
    /// At most this many MiB of files per request.
    #[arg(long, value_name = "MiB")]
    pub mib_per_request: Option<u64>,
    /// Requests in flight at once.
    #[arg(long, value_name = "N")]
    pub parallel: Option<usize>,
    /// How `names`/`external_ids` are sent: `json` (default) or `comma`.
    #[arg(long, value_name = "ENCODING")]
    pub names_encoding: Option<decoda_api::NamesEncoding>,
    /// Files and folders to upload.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}
