//! Dates written on a page, in the ways letters, forms and cards write them.
//!
//! US order is assumed for numeric dates (`03/12/1984` is 12 March), as the Decoda API's own
//! dates of birth are; a first number over 12 can only be a day and is read so (`30/07/1991`).
//! Dates with a month name (`March 12, 1984`, `12 Mar 1984`) and ISO dates are read in full. A
//! two-digit year is taken as the most recent year it can be that is not in the future.

use chrono::{Datelike, NaiveDate};

use crate::words::{fold, lines, Word};

/// A date found on the page and the words it was written with.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FoundDate {
    pub date: NaiveDate,
    /// Indexes into the page's words.
    pub words: Vec<usize>,
    /// Whether a label such as "DOB" or "born" comes just before it on its line: a birth date
    /// that does not match a candidate tells against them.
    pub birth_label: bool,
}

const BIRTH_LABELS: [&str; 6] = ["dob", "d.o.b", "birth", "born", "birthdate", "b.d"];

/// Every date on the page, in reading order.
pub(crate) fn dates_in(words: &[Word], today: NaiveDate) -> Vec<FoundDate> {
    let mut found = Vec::new();
    let mut start = 0;
    for line in lines(words) {
        let mut i = 0;
        while i < line.len() {
            let (date, used) = match date_at(&line[i..], today) {
                Some(hit) => hit,
                None => {
                    i += 1;
                    continue;
                }
            };
            found.push(FoundDate {
                date,
                words: (start + i..start + i + used).collect(),
                birth_label: labelled(&line[..i]) || label_inside(&line[i].text),
            });
            i += used;
        }
        start += line.len();
    }
    found
}

/// A date starting at the first word, and how many words it takes.
fn date_at(words: &[Word], today: NaiveDate) -> Option<(NaiveDate, usize)> {
    let first = words.first()?;
    if let Some(date) = numeric(&first.text, today) {
        return Some((date, 1));
    }
    let texts: Vec<String> = words.iter().take(4).map(|w| fold(&w.text)).collect();
    // A label glued to the month ("DOB:June"), or a month's first letter read onto the label
    // ("DOB:J une"): the month is what follows the colon, joined to the next word if it is short.
    if let Some((_, after)) = texts[0].rsplit_once(':') {
        let glued = after.len() < 3 && !after.is_empty() && after.chars().all(char::is_alphabetic);
        if glued && texts.len() > 1 {
            let mut joined = vec![format!("{after}{}", texts[1])];
            joined.extend(texts.iter().skip(2).cloned());
            return named_month(&joined).map(|(d, used)| (d, used + 1));
        }
        let mut rest = vec![after.to_owned()];
        rest.extend(texts.iter().skip(1).take(2).cloned());
        return named_month(&rest);
    }
    named_month(&texts[..texts.len().min(3)])
}

/// `03/12/1984`, `3.12.84`, `1984-03-12`, with a label or punctuation around it ("DOB:03/12/1984,").
fn numeric(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    let core = text
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .trim_end_matches(|c: char| !c.is_ascii_digit());
    let parts: Vec<&str> = core.split(['/', '.', '-']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    if !parts
        .iter()
        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    if a.len() == 4 && b.len() <= 2 && c.len() <= 2 {
        return ymd(num(a)?, num(b)?, num(c)?);
    }
    if a.len() > 2 || b.len() > 2 || !(c.len() == 2 || c.len() == 4) {
        return None;
    }
    let (a, b) = (num(a)?, num(b)?);
    let year = year(c, today)?;
    let (month, day) = if a > 12 { (b, a) } else { (a, b) };
    ymd(year, month, day)
}

/// `March 12, 1984`, `Mar 12 1984`, `12 March 1984` or `12-Mar-1984`.
fn named_month(texts: &[String]) -> Option<(NaiveDate, usize)> {
    if let Some(first) = texts.first() {
        let parts: Vec<&str> = first.split('-').collect();
        if let [day, month, year] = parts.as_slice() {
            let date = ymd(num(year)?, month_number(month)?, num(day)?);
            return date.map(|d| (d, 1));
        }
    }
    let [a, b, c] = texts else { return None };
    let (month, day) = match (month_number(a), month_number(b)) {
        (Some(m), _) => (m, num(b)?),
        (None, Some(m)) => (m, num(a)?),
        _ => return None,
    };
    let year = num(c).filter(|y| *y >= 1000)?;
    ymd(year, month, day).map(|d| (d, 3))
}

fn month_number(word: &str) -> Option<u32> {
    decoda_core::finding::month_number(word.trim_end_matches(['.', ',']))
}

fn num(text: &str) -> Option<u32> {
    let digits = text.trim_matches(|c: char| !c.is_ascii_digit());
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

fn year(text: &str, today: NaiveDate) -> Option<u32> {
    let n: u32 = text.parse().ok()?;
    if text.len() == 4 {
        return Some(n);
    }
    let now = today.year().unsigned_abs();
    let this_century = now - now % 100 + n;
    Some(if this_century > now {
        this_century - 100
    } else {
        this_century
    })
}

fn ymd(year: u32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// Whether a birth-date label is among the last few words before a date on its line.
fn labelled(before: &[Word]) -> bool {
    before.iter().rev().take(3).any(|w| {
        let text = fold(&w.text);
        let text = text.trim_end_matches([':', ',', '.']);
        BIRTH_LABELS
            .iter()
            .any(|l| text == *l || text.starts_with(&format!("{l}:")))
    })
}

/// Whether the date's own word starts with a birth-date label ("DOB:07-30-1991").
fn label_inside(word: &str) -> bool {
    let text = fold(word);
    BIRTH_LABELS.iter().any(|l| text.starts_with(l))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::words::words_of_text as page;

    fn found(text: &str) -> Vec<(String, bool)> {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).expect("a date");
        dates_in(&page(text), today)
            .into_iter()
            .map(|d| (d.date.to_string(), d.birth_label))
            .collect()
    }

    #[test]
    fn numeric_dates_are_read_in_us_order_unless_they_cannot_be() {
        assert_eq!(found("DOB: 03/12/1984"), [("1984-03-12".into(), true)]);
        assert_eq!(found("seen 30/07/1991"), [("1991-07-30".into(), false)]);
        assert_eq!(found("DOB:07-30-1991"), [("1991-07-30".into(), true)]);
        assert_eq!(found("on 1984-03-12."), [("1984-03-12".into(), false)]);
    }

    #[test]
    fn two_digit_years_are_never_in_the_future() {
        assert_eq!(found("born 06/01/15"), [("2015-06-01".into(), true)]);
        assert_eq!(found("born 09/09/58"), [("1958-09-09".into(), true)]);
    }

    #[test]
    fn dates_with_month_names_are_read_whichever_way_round() {
        assert_eq!(found("Born March 12, 1984."), [("1984-03-12".into(), true)]);
        assert_eq!(
            found("Date of birth 12 Mar 1984"),
            [("1984-03-12".into(), true)]
        );
        assert_eq!(found("DOB 30-Jul-1991"), [("1991-07-30".into(), true)]);
        assert_eq!(found("Sept 9 1958"), [("1958-09-09".into(), false)]);
        assert_eq!(found("DOB:June 1, 2015"), [("2015-06-01".into(), true)]);
        assert_eq!(found("DOB:J une 1, 2015"), [("2015-06-01".into(), true)]);
    }

    #[test]
    fn what_is_not_a_date_is_not_read_as_one() {
        assert!(found("Phone (555) 010-1001 ext 12").is_empty());
        assert!(found("13/13/2000 and 02/30/1999").is_empty());
        assert!(found("May we see her in 2 weeks").is_empty());
        assert!(found("Marching 12 1984").is_empty());
    }

    #[test]
    fn a_label_on_an_earlier_line_does_not_make_a_birth_date() {
        assert_eq!(
            found("DOB\nVisit 11/02/2026"),
            [("2026-11-02".into(), false)]
        );
    }
}
