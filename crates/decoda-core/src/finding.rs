//! Finding a patient as front-desk staff type: a name, a phone number, an id, or a date of birth
//! written the way the clinic writes dates.
//!
//! The API's search takes a date of birth, but its documentation does not say in which form, and
//! a numeric date such as 03/12/1984 is the 3rd of December in one country and the 12th of March
//! in another. So a date is read here, in the forms listed in [`DATE_FORMS`], and searched in the
//! form the API itself returns dates in (`YYYY-MM-DD`). A numeric date that can be read both ways
//! is searched both ways: every result shows its date of birth with the month in letters, so the
//! person sees which one they meant. Something that looks like a date but cannot be read is
//! refused with the forms that can, instead of being searched as text and finding nobody.

use chrono::NaiveDate;
use decoda_engine::api::{models::Patient, ApiError, Client};

/// The forms a date of birth can be typed in, as the window and the CLI say when one cannot be read.
pub const DATE_FORMS: &str =
    "12-Mar-1984, 12 March 1984, 1984-03-12, or 12/03/1984 and 03/12/1984 (a date that can be read both ways is searched both ways)";

/// Why a search could not be made.
#[derive(Debug, thiserror::Error)]
pub enum FindError {
    /// The term looks like a date but is not one of [`DATE_FORMS`].
    #[error("“{0}” looks like a date of birth but cannot be read: type it as {DATE_FORMS}")]
    UnreadableDate(String),
    /// The server's search failed.
    #[error(transparent)]
    Api(#[from] ApiError),
}

/// Searches for `term` (at most `limit` patients per search); a date of birth is searched as the
/// date (or dates) it can mean, the results merged without repeats.
pub async fn find_patients(
    client: &Client,
    term: &str,
    limit: u32,
) -> Result<Vec<Patient>, FindError> {
    let term = term.trim();
    let dates = match read_birth_date(term) {
        DateTerm::NotADate => return Ok(client.search_patients(term, limit).await?),
        DateTerm::Unreadable => return Err(FindError::UnreadableDate(term.to_owned())),
        DateTerm::Dates(dates) => dates,
    };
    let mut found: Vec<Patient> = Vec::new();
    for date in dates {
        let iso = date.format("%Y-%m-%d").to_string();
        for patient in client.search_patients(&iso, limit).await? {
            if !found.iter().any(|p| p.id == patient.id) {
                found.push(patient);
            }
        }
    }
    Ok(found)
}

/// What a search term says about a date of birth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateTerm {
    /// A name, phone number or id: searched as typed.
    NotADate,
    /// A date of birth: the one date it means, or the two a numeric date can mean.
    Dates(Vec<NaiveDate>),
    /// Three groups of digits (or a day, a month name and a year) that make no date.
    Unreadable,
}

/// Reads a search term as a date of birth, if it is one.
pub fn read_birth_date(term: &str) -> DateTerm {
    let term = term.trim().trim_end_matches('.');
    if let Some(date) = with_month_name(term) {
        return DateTerm::Dates(vec![date]);
    }
    let parts: Vec<&str> = term
        .split(['/', '-', '.', ' '])
        .filter(|p| !p.is_empty())
        .collect();
    let numeric = parts.len() == 3 && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()));
    if !numeric {
        return if looks_like_a_date_with_a_month_name(&parts) {
            DateTerm::Unreadable
        } else {
            DateTerm::NotADate
        };
    }
    let n: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    let lengths: Vec<usize> = parts.iter().map(|p| p.len()).collect();
    let dates: Vec<NaiveDate> = match lengths.as_slice() {
        // Year first: 1984-03-12.
        [4, 1..=2, 1..=2] => NaiveDate::from_ymd_opt(n[0] as i32, n[1], n[2])
            .into_iter()
            .collect(),
        // Year last: day and month in either order.
        [1..=2, 1..=2, 4] => {
            let mut both: Vec<NaiveDate> = [(n[0], n[1]), (n[1], n[0])]
                .into_iter()
                .filter_map(|(day, month)| NaiveDate::from_ymd_opt(n[2] as i32, month, day))
                .collect();
            both.dedup();
            both
        }
        // A two-digit year: which century is a guess.
        [1..=2, 1..=2, 2] => Vec::new(),
        // Three groups of digits that are not a date: a phone number.
        _ => return DateTerm::NotADate,
    };
    if dates.is_empty() {
        DateTerm::Unreadable
    } else {
        DateTerm::Dates(dates)
    }
}

/// `12-Mar-1984`, `12 March 1984`, `Mar 12 1984`, `March 12, 1984` (any case).
fn with_month_name(term: &str) -> Option<NaiveDate> {
    let cleaned = term.replace(',', " ");
    let words: Vec<&str> = cleaned
        .split(['-', ' ', '/', '.'])
        .filter(|w| !w.is_empty())
        .collect();
    let [a, b, c] = words.as_slice() else {
        return None;
    };
    let (day, month, year) = match (month_number(a), month_number(b)) {
        (None, Some(month)) => (a, month, c),
        (Some(month), None) => (b, month, c),
        _ => return None,
    };
    if year.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month, day.parse().ok()?)
}

/// The months' names in English, January first: what dates on forms and letters spell out.
pub const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The month (1 to 12) a word names in full or shortened to at least three letters, any case:
/// "Mar", "march", "Sept".
pub fn month_number(word: &str) -> Option<u32> {
    let word = word.to_lowercase();
    if word.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(&word))
        .map(|i| i as u32 + 1)
}

/// A day, a month name and something else: meant as a date, not a name.
fn looks_like_a_date_with_a_month_name(parts: &[&str]) -> bool {
    parts.len() == 3
        && parts.iter().any(|p| month_number(p).is_some())
        && parts
            .iter()
            .filter(|p| p.chars().all(|c| c.is_ascii_digit()))
            .count()
            == 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn unambiguous_dates_are_read_in_every_form_staff_type() {
        for term in [
            "12-Mar-1984",
            "12 mar 1984",
            "12 March 1984",
            "March 12, 1984",
            "Mar 12 1984",
            "1984-03-12",
            "1984/03/12",
            "30/07/1984",
        ] {
            let expected = if term.starts_with("30") {
                date(1984, 7, 30)
            } else {
                date(1984, 3, 12)
            };
            assert_eq!(
                read_birth_date(term),
                DateTerm::Dates(vec![expected]),
                "{term}"
            );
        }
        assert_eq!(
            read_birth_date("07/30/1984"),
            DateTerm::Dates(vec![date(1984, 7, 30)]),
            "month first when the day is over 12"
        );
    }

    #[test]
    fn a_numeric_date_that_reads_both_ways_is_searched_both_ways() {
        assert_eq!(
            read_birth_date("03/12/1984"),
            DateTerm::Dates(vec![date(1984, 12, 3), date(1984, 3, 12)])
        );
        assert_eq!(
            read_birth_date("05.05.1990"),
            DateTerm::Dates(vec![date(1990, 5, 5)]),
            "the same both ways: once"
        );
    }

    #[test]
    fn names_ids_and_phone_numbers_are_not_dates_and_broken_dates_say_so() {
        for term in [
            "garcia",
            "Maria Garcia",
            "pat_1001",
            "MRN-1001",
            "(555) 010-1001",
            "555 010 1001",
            "May",
        ] {
            assert_eq!(read_birth_date(term), DateTerm::NotADate, "{term}");
        }
        for term in ["31/02/1984", "12/3/84", "1984-13-01", "31 Feb 1984"] {
            assert_eq!(read_birth_date(term), DateTerm::Unreadable, "{term}");
        }
    }
}
