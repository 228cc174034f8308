//! What to ask the patient search for, from a page's words.
//!
//! The search matches a first or a last name, or a date of birth, so the page's dates and its
//! name-like words are searched one by one. Words next to another capitalised word or after a
//! label such as "Patient:" come first, and common words of letters and forms are never sent;
//! the number of searches is capped so a long letter costs a handful of requests.

use std::collections::HashSet;

use crate::dates::FoundDate;
use crate::words::{fold, letters, lines, Word};

/// At most this many searches for names on one page.
pub const MAX_NAME_SEARCHES: usize = 12;
/// At most this many searches for dates on one page.
pub const MAX_DATE_SEARCHES: usize = 4;

/// Words that introduce the patient's name.
const LABELS: [&str; 9] = [
    "re",
    "patient",
    "name",
    "pt",
    "member",
    "insured",
    "subscriber",
    "client",
    "child",
];

/// Capitalised words of letters, forms and cards that are not names.
const COMMON: &[&str] = &[
    "a",
    "about",
    "address",
    "age",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "associates",
    "at",
    "be",
    "birth",
    "blood",
    "by",
    "card",
    "cardiology",
    "care",
    "center",
    "centre",
    "city",
    "clinic",
    "consent",
    "copay",
    "date",
    "dear",
    "department",
    "diagnosis",
    "doctor",
    "dob",
    "dr",
    "email",
    "emergency",
    "fax",
    "female",
    "for",
    "form",
    "from",
    "group",
    "has",
    "have",
    "he",
    "health",
    "her",
    "his",
    "history",
    "hospital",
    "i",
    "id",
    "if",
    "in",
    "insurance",
    "is",
    "it",
    "lab",
    "laboratory",
    "letter",
    "male",
    "md",
    "medical",
    "medicine",
    "member",
    "miss",
    "mr",
    "mrs",
    "ms",
    "name",
    "no",
    "not",
    "number",
    "of",
    "on",
    "or",
    "page",
    "patient",
    "phone",
    "physician",
    "plan",
    "please",
    "policy",
    "practice",
    "provider",
    "re",
    "reason",
    "referral",
    "referring",
    "regards",
    "report",
    "result",
    "results",
    "road",
    "rx",
    "she",
    "sex",
    "signature",
    "signed",
    "sincerely",
    "street",
    "suite",
    "summary",
    "thank",
    "thanks",
    "that",
    "the",
    "their",
    "this",
    "to",
    "today",
    "visit",
    "was",
    "we",
    "will",
    "with",
    "yes",
    "you",
    "your",
    "zip",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "pcp",
    "ppo",
    "hmo",
    "rxbin",
    "rxpcn",
    "rxgrp",
    "services",
    "service",
    "valid",
    "effective",
    "copays",
    "specialist",
    "urgent",
    "office",
    "pharmacy",
    "test",
    "tests",
    "normal",
    "range",
    "value",
    "units",
    "collected",
    "received",
    "reported",
    "specimen",
    "ordering",
    "account",
    "parent",
    "guardian",
    "relationship",
    "mother",
    "father",
    "state",
    "county",
    "family",
    "follow",
    "up",
    "she",
    "he",
    "they",
];

/// The search terms for a page: its dates (as `YYYY-MM-DD`), then its likeliest names.
pub(crate) fn search_terms(words: &[Word], dates: &[FoundDate]) -> Vec<String> {
    let mut terms = Vec::new();
    let mut seen = HashSet::new();
    for date in dates {
        let term = date.date.format("%Y-%m-%d").to_string();
        if terms.len() < MAX_DATE_SEARCHES && seen.insert(term.clone()) {
            terms.push(term);
        }
    }
    let mut names: Vec<(u8, usize, String)> = Vec::new();
    let mut order = 0;
    for line in lines(words) {
        for (i, word) in line.iter().enumerate() {
            order += 1;
            if !name_like(word) {
                continue;
            }
            let neighbour = |j: Option<usize>| j.and_then(|j| line.get(j)).is_some_and(name_like);
            let mut priority = 0;
            if neighbour(i.checked_sub(1)) || neighbour(Some(i + 1)) {
                priority += 2;
            }
            if line[..i].iter().rev().take(2).any(is_label) {
                priority += 3;
            }
            names.push((priority, order, word_term(word)));
        }
    }
    names.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let before = terms.len();
    for (_, _, term) in names {
        if terms.len() - before >= MAX_NAME_SEARCHES {
            break;
        }
        if seen.insert(letters(&term)) {
            terms.push(term);
        }
    }
    terms
}

/// A capitalised word of letters (an apostrophe or hyphen allowed) that is not a common word.
fn name_like(word: &Word) -> bool {
    let text = word.text.trim_matches(|c: char| !c.is_alphanumeric());
    let starts_upper = text.chars().next().is_some_and(char::is_uppercase);
    let only_letters = text.chars().all(|c| c.is_alphabetic() || "'’-".contains(c));
    let plain = letters(text);
    starts_upper
        && only_letters
        && plain.len() >= 2
        && !COMMON.contains(&plain.as_str())
        && !decoda_core::finding::MONTHS.contains(&plain.as_str())
}

fn is_label(word: &Word) -> bool {
    let text = fold(&word.text);
    LABELS.contains(&text.trim_end_matches([':', ',', '.']))
}

/// The word as searched: without surrounding punctuation, and for a double-barrelled name its
/// first part (the search matches within a name).
fn word_term(word: &Word) -> String {
    let text = word.text.trim_matches(|c: char| !c.is_alphanumeric());
    text.split('-').next().unwrap_or(text).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::words::words_of_text as page;

    #[test]
    fn dates_come_first_then_names_next_to_labels_and_each_other() {
        let words = page("Springfield Cardiology Associates\nDear Dr. Robert Smith,\nRe: GARCIA, Maria DOB: 07/30/1991");
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("a date");
        let dates = crate::dates::dates_in(&words, today);
        let terms = search_terms(&words, &dates);
        assert_eq!(
            terms,
            [
                "1991-07-30",
                "GARCIA",
                "Maria",
                "Robert",
                "Smith",
                "Springfield"
            ]
        );
    }

    #[test]
    fn searches_are_capped_however_long_the_letter() {
        let text: Vec<String> = (0..40)
            .map(|i| format!("Name{} Other{}", char::from(b'a' + (i % 26) as u8), i))
            .collect();
        let words = page(&text.join("\n"));
        assert!(search_terms(&words, &[]).len() <= MAX_NAME_SEARCHES);
    }
}
