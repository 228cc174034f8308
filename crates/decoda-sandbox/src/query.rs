//! Query-string parameters with FastAPI-style 422 errors.
//!
//! axum's `Query` rejects with plain text; clients of the real API expect `loc: ["query", name]`, so the
//! sandbox reads parameters itself.

use chrono::NaiveDate;
use serde_json::json;

use crate::problem::ApiError;

/// The decoded `name=value` pairs of one request, in order (repeated names kept).
#[derive(Debug, Default)]
pub(crate) struct QueryParams(Vec<(String, String)>);

impl QueryParams {
    /// Decodes a raw query string (`None` means no query).
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        Self(pairs)
    }

    /// The last value given for `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value given for `name`.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A required parameter.
    pub(crate) fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.get(name)
            .ok_or_else(|| ApiError::missing(&["query", name]))
    }

    /// An integer parameter with a default.
    pub(crate) fn int(&self, name: &str, default: i64) -> Result<i64, ApiError> {
        match self.get(name) {
            None | Some("") => Ok(default),
            Some(text) => text.trim().parse().map_err(|_| {
                ApiError::invalid(
                    &["query", name],
                    "Input should be a valid integer, unable to parse string as an integer",
                    "int_parsing",
                    json!(text),
                )
            }),
        }
    }

    /// An optional `YYYY-MM-DD` parameter.
    pub(crate) fn date(&self, name: &str) -> Result<Option<NaiveDate>, ApiError> {
        self.get(name)
            .map(|text| parse_date(name, text))
            .transpose()
    }
}

/// Parses a `YYYY-MM-DD` value of parameter `name`.
pub(crate) fn parse_date(name: &str, text: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        ApiError::invalid(
            &["query", name],
            "Input should be a valid date in the format YYYY-MM-DD",
            "date_from_datetime_parsing",
            json!(text),
        )
    })
}
