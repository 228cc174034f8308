//! Parsing a multipart part's `Content-Disposition` header.
//!
//! File names are where clients and servers disagree most (quotes, commas, non-ASCII, `%22`), so the sandbox
//! parses them itself, like the real FastAPI/python-multipart stack does: quoted strings with backslash
//! escapes are unescaped, `filename*=` (RFC 5987) is decoded and wins, and nothing else is percent-decoded
//! (`%22` stays `%22`).

/// The parameters of one `Content-Disposition: form-data` header that matter here.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Disposition {
    /// The form field name.
    pub(crate) name: Option<String>,
    /// The file name, if the part is a file.
    pub(crate) filename: Option<String>,
}

/// Parses a header value such as `form-data; name="attachments"; filename="a b.pdf"`.
pub(crate) fn parse(value: &str) -> Disposition {
    let mut out = Disposition::default();
    let mut extended_name = None;
    let mut extended_filename = None;
    let mut rest = value.split_once(';').map_or("", |(_, params)| params);
    while let Some((key, val, tail)) = next_param(rest) {
        match key.to_ascii_lowercase().as_str() {
            "name" => out.name = Some(val),
            "filename" => out.filename = Some(val),
            "name*" => extended_name = decode_extended(&val),
            "filename*" => extended_filename = decode_extended(&val),
            _ => {}
        }
        rest = tail;
    }
    out.name = extended_name.or(out.name);
    out.filename = extended_filename.or(out.filename);
    out
}

/// Splits off one `key=value` parameter; returns the key, the unquoted value and the remaining text.
fn next_param(text: &str) -> Option<(String, String, &str)> {
    let text = text.trim_start_matches(|c: char| c == ';' || c.is_whitespace());
    if text.is_empty() {
        return None;
    }
    let (key, after_eq) = text.split_once('=')?;
    if key.contains(';') {
        // A bare token without a value; skip it.
        let skip = key.find(';').map_or(text.len(), |i| i + 1);
        return next_param(&text[skip..]);
    }
    let after_eq = after_eq.trim_start();
    let (value, tail) = match after_eq.strip_prefix('"') {
        Some(quoted) => unquote(quoted),
        None => {
            let end = after_eq.find(';').unwrap_or(after_eq.len());
            (after_eq[..end].trim_end().to_owned(), &after_eq[end..])
        }
    };
    Some((key.trim().to_owned(), value, tail))
}

/// Reads a quoted string whose opening quote was already consumed.
fn unquote(text: &str) -> (String, &str) {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, escaped)) = chars.next() {
                    value.push(escaped);
                }
            }
            '"' => return (value, &text[i + 1..]),
            other => value.push(other),
        }
    }
    (value, "")
}

/// Decodes an RFC 5987 value such as `UTF-8''na%C3%AFve.pdf`.
fn decode_extended(value: &str) -> Option<String> {
    let mut pieces = value.splitn(3, '\'');
    let charset = pieces.next()?;
    let _language = pieces.next()?;
    let encoded = pieces.next()?;
    let bytes: Vec<u8> =
        url::form_urlencoded::parse(format!("x={}", encoded.replace('+', "%2B")).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned().into_bytes())?;
    if charset.eq_ignore_ascii_case("utf-8") {
        Some(String::from_utf8_lossy(&bytes).into_owned())
    } else {
        Some(bytes.iter().map(|&b| char::from(b)).collect())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn quoted_filename_keeps_commas_spaces_and_percent_escapes() {
        let d =
            parse(r#"form-data; name="attachments"; filename="scan 1, page %22A%22 – Zoë.pdf""#);
        assert_eq!(d.name.as_deref(), Some("attachments"));
        assert_eq!(
            d.filename.as_deref(),
            Some("scan 1, page %22A%22 – Zoë.pdf")
        );
    }

    #[test]
    fn backslash_escapes_are_unescaped() {
        let d = parse(r#"form-data; name="attachments"; filename="say \"hi\".pdf""#);
        assert_eq!(d.filename.as_deref(), Some(r#"say "hi".pdf"#));
    }

    #[test]
    fn extended_filename_wins() {
        let d = parse("form-data; name=attachments; filename=\"fallback.pdf\"; filename*=UTF-8''na%C3%AFve%20a+b.pdf");
        assert_eq!(d.filename.as_deref(), Some("naïve a+b.pdf"));
    }

    #[test]
    fn text_field_has_no_filename() {
        let d = parse("form-data; name=\"patient_id\"");
        assert_eq!(
            d,
            Disposition {
                name: Some("patient_id".into()),
                filename: None
            }
        );
    }
}
