//! Settings of one sandbox instance.
//!
//! Tests build a [`Config`] in code and the binary builds one from its flags, so both paths share one set of
//! defaults: the demo tenant and key a new user copies from the start-up banner.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Tenant the sandbox accepts unless told otherwise.
pub const DEFAULT_TENANT: &str = "demo-clinic";
/// API key the sandbox accepts unless told otherwise. It protects nothing: the sandbox only listens on loopback.
pub const DEFAULT_API_KEY: &str = "sandbox-demo-key";
/// Largest request body accepted by default (2 GiB); bigger bodies get 413.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// How one sandbox instance behaves.
#[derive(Clone, Debug)]
pub struct Config {
    /// Value the `TENANT` header must carry.
    pub tenant: String,
    /// Value the `API-KEY` header must carry.
    pub api_key: String,
    /// How the bulk endpoint decodes its `names` and `external_ids` fields.
    pub names_encoding: NamesEncoding,
    /// Read and discard upload bodies instead of storing them (throughput benchmarks).
    pub sink: bool,
    /// Largest request body accepted; bigger bodies get 413.
    pub max_body_bytes: u64,
    /// Where uploaded files and thumbnails go; `None` means a temporary directory owned by the server.
    pub data_dir: Option<PathBuf>,
    /// Answer with only what the API's contract promises (see the `contract` module): no
    /// `patient` on attachments, dates without a time zone, no PDF thumbnails, search by first or
    /// last name only. For testing that a client relies on nothing more.
    pub contract_only: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            tenant: DEFAULT_TENANT.to_owned(),
            api_key: DEFAULT_API_KEY.to_owned(),
            names_encoding: NamesEncoding::default(),
            sink: false,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            data_dir: None,
            contract_only: false,
        }
    }
}

/// How the multipart fields `names` and `external_ids` carry one value per file.
///
/// The real API does not document this, so the sandbox can play either server and clients can be tested
/// against both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NamesEncoding {
    /// A JSON array of strings, e.g. `["a.pdf", null]`.
    #[default]
    Json,
    /// Values joined with `,`; an empty item means "none".
    Comma,
}

impl fmt::Display for NamesEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Json => "json",
            Self::Comma => "comma",
        })
    }
}

/// The text given for a [`NamesEncoding`] was neither `json` nor `comma`.
#[derive(Debug, thiserror::Error)]
#[error("unknown names encoding {0:?}: expected \"json\" or \"comma\"")]
pub struct ParseNamesEncodingError(String);

impl FromStr for NamesEncoding {
    type Err = ParseNamesEncodingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(Self::Json),
            "comma" => Ok(Self::Comma),
            _ => Err(ParseNamesEncodingError(s.to_owned())),
        }
    }
}
