//! Decoding the bulk endpoint's `names` and `external_ids` fields.
//!
//! The API does not document their encoding (see NOTES.md), so the sandbox decodes either way, chosen per
//! instance, and clients can prove they detect and repair a server that reads them differently.

use serde_json::json;

use crate::config::NamesEncoding;
use crate::problem::ApiError;

/// One optional value per file, in upload order; `None` means "not given".
///
/// `field` is the form field's name, used in the 422 `loc` when the text is not a JSON array of strings.
pub(crate) fn decode(
    raw: Option<&str>,
    encoding: NamesEncoding,
    field: &str,
) -> Result<Vec<Option<String>>, ApiError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    let values = match encoding {
        NamesEncoding::Json => serde_json::from_str::<Vec<Option<String>>>(raw).map_err(|_| {
            ApiError::invalid(
                &["body", field],
                &format!("Value error, {field} must be a JSON array of strings"),
                "value_error",
                json!(raw),
            )
        })?,
        NamesEncoding::Comma => raw.split(',').map(|s| Some(s.to_owned())).collect(),
    };
    Ok(values
        .into_iter()
        .map(|v| v.filter(|s| !s.is_empty()))
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn json_keeps_commas_inside_names() {
        let got = decode(
            Some(r#"["a,b.pdf", null, ""]"#),
            NamesEncoding::Json,
            "names",
        )
        .unwrap();
        assert_eq!(got, vec![Some("a,b.pdf".to_owned()), None, None]);
    }

    #[test]
    fn comma_splits_and_empty_items_mean_none() {
        let got = decode(Some("a.pdf,,c.pdf"), NamesEncoding::Comma, "names").unwrap();
        assert_eq!(
            got,
            vec![Some("a.pdf".to_owned()), None, Some("c.pdf".to_owned())]
        );
    }

    #[test]
    fn bad_json_is_a_422_on_the_field() {
        let err = decode(Some("a.pdf,b.pdf"), NamesEncoding::Json, "external_ids").unwrap_err();
        assert_eq!(err.status(), axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            format!("{err:?}").contains("external_ids"),
            "loc must name the field: {err:?}"
        );
    }
}
