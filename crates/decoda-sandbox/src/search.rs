//! How a search term matches a patient.
//!
//! Front-desk staff type whatever they have at hand: part of a name, a phone number, an MRN, or a date of birth
//! in US or ISO order. Matching is case- and accent-insensitive so "zoe o'brien" finds "Zoë O'Brien".

use chrono::NaiveDate;

use crate::model::PatientSummary;

/// Whether `term` identifies `patient` (an empty term matches everyone). `first_or_last` keeps to
/// the documented name search: the first or the last name, not both together or a preferred name.
pub(crate) fn matches(patient: &PatientSummary, term: &str, first_or_last: bool) -> bool {
    let term = fold(term.trim());
    if term.is_empty() {
        return true;
    }
    if let Some(date) = parse_date(&term) {
        return patient.date_of_birth.as_deref().and_then(parse_date) == Some(date);
    }
    let names = if first_or_last {
        [&patient.first_name, &patient.last_name]
            .into_iter()
            .flatten()
            .cloned()
            .collect()
    } else {
        names(patient)
    };
    names.iter().any(|n| fold(n).contains(&term))
        || contains_folded(&patient.id, &term)
        || patient
            .external_id
            .as_deref()
            .is_some_and(|e| contains_folded(e, &term))
        || phone_matches(patient.phone_number.as_deref(), &term)
}

/// A date of birth in `YYYY-MM-DD` or `MM/DD/YYYY`.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%m/%d/%Y"))
        .ok()
}

/// Whether the digits of `term` occur in the patient's phone number (needs at least three digits and no letters).
pub(crate) fn phone_matches(phone: Option<&str>, term: &str) -> bool {
    let looks_like_phone = term
        .chars()
        .all(|c| c.is_ascii_digit() || " ()-+.".contains(c));
    let wanted = digits(term);
    looks_like_phone && wanted.len() >= 3 && phone.is_some_and(|p| digits(p).contains(&wanted))
}

/// Lower-cases and strips common Latin accents.
pub(crate) fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            '’' => '\'',
            other => other,
        })
        .collect()
}

/// Every way the patient's name may be typed.
pub(crate) fn names(p: &PatientSummary) -> Vec<String> {
    let first = p.first_name.clone().unwrap_or_default();
    let last = p.last_name.clone().unwrap_or_default();
    let mut all = vec![
        first.clone(),
        last.clone(),
        format!("{first} {last}"),
        format!("{last}, {first}"),
        format!("{last} {first}"),
    ];
    if let Some(preferred) = &p.preferred_name {
        all.push(preferred.clone());
        all.push(format!("{preferred} {last}"));
    }
    all
}

fn contains_folded(haystack: &str, folded_term: &str) -> bool {
    fold(haystack).contains(folded_term)
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}
