//! How the `names` and `external_ids` multipart fields are encoded.
//!
//! The API documents each as "a single string" and says nothing more (NOTES §1). The two readings
//! in use are a JSON array string and a comma-separated list, so the encoding is an explicit setting
//! and the engine checks every returned name and external id against what it sent.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// The encoding of list-valued form fields in a bulk upload.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NamesEncoding {
    /// `["first.pdf","second, scanned.pdf"]`; a missing item is `null`. Safe for any text.
    #[default]
    Json,
    /// `first.pdf,second.pdf`; a missing item is empty. Cannot carry a comma inside an item.
    Comma,
}

/// An item cannot be represented in the chosen encoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("item {index} contains a comma, which the comma-separated encoding cannot carry")]
pub struct EncodeError {
    /// Position of the offending item in the list.
    pub index: usize,
}

impl NamesEncoding {
    /// Encodes one item per file, in upload order.
    pub fn encode(self, items: &[Option<&str>]) -> Result<String, EncodeError> {
        match self {
            Self::Json => Ok(serde_json::Value::Array(
                items
                    .iter()
                    .map(|item| match item {
                        Some(s) => serde_json::Value::String((*s).to_owned()),
                        None => serde_json::Value::Null,
                    })
                    .collect(),
            )
            .to_string()),
            Self::Comma => {
                if let Some(index) = items
                    .iter()
                    .position(|i| i.is_some_and(|s| s.contains(',')))
                {
                    return Err(EncodeError { index });
                }
                Ok(items
                    .iter()
                    .map(|i| i.unwrap_or(""))
                    .collect::<Vec<_>>()
                    .join(","))
            }
        }
    }
}

impl fmt::Display for NamesEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Json => "json",
            Self::Comma => "comma",
        })
    }
}

impl FromStr for NamesEncoding {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(Self::Json),
            "comma" => Ok(Self::Comma),
            other => Err(format!(
                "unknown names encoding `{other}` (expected `json` or `comma`)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_commas_quotes_and_missing_items() {
        let s = NamesEncoding::Json
            .encode(&[Some("a, b.pdf"), None, Some("say \"hi\" ë")])
            .unwrap();
        assert_eq!(s, r#"["a, b.pdf",null,"say \"hi\" ë"]"#);
    }

    #[test]
    fn comma_refuses_items_with_commas() {
        assert_eq!(
            NamesEncoding::Comma.encode(&[Some("ok"), Some("a,b")]),
            Err(EncodeError { index: 1 })
        );
        assert_eq!(
            NamesEncoding::Comma
                .encode(&[Some("a"), None, Some("c")])
                .unwrap(),
            "a,,c"
        );
    }

    proptest::proptest! {
        /// Whatever the names (quotes, commas, newlines, emoji, right-to-left text), the JSON
        /// encoding gives back exactly the items, missing ones included.
        #[test]
        fn json_round_trips_any_names(items in proptest::collection::vec(
            proptest::option::of(proptest::prelude::any::<String>()), 0..20)) {
            let refs: Vec<Option<&str>> = items.iter().map(|i| i.as_deref()).collect();
            let text = NamesEncoding::Json.encode(&refs).unwrap();
            let back: Vec<Option<String>> = serde_json::from_str(&text).unwrap();
            proptest::prop_assert_eq!(back, items);
        }

        /// The comma encoding either splits back into exactly the items, or refuses and names the
        /// first item it cannot carry: it never sends a list the server would read differently.
        #[test]
        fn comma_is_exact_or_refuses(items in proptest::collection::vec(
            proptest::option::of("[a-z ,.\\-]{0,12}"), 1..10)) {
            let refs: Vec<Option<&str>> = items.iter().map(|i| i.as_deref()).collect();
            match NamesEncoding::Comma.encode(&refs) {
                Ok(text) => {
                    let parts: Vec<&str> = text.split(',').collect();
                    let expected: Vec<&str> = refs.iter().map(|i| i.unwrap_or("")).collect();
                    proptest::prop_assert_eq!(parts, expected);
                }
                Err(EncodeError { index }) => {
                    let first = refs.iter().position(|i| i.is_some_and(|s| s.contains(',')));
                    proptest::prop_assert_eq!(Some(index), first);
                }
            }
        }
    }
}
