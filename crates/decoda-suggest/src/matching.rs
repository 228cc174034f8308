//! Which patients a page names, and how surely.
//!
//! A page is matched against patient records, never the other way round: the records come from
//! the patient search (by the page's names and dates), and each record is then looked for on the
//! page. Scanned text has errors, so a long name may differ from the record by a letter; an exact
//! match still counts for more.

use chrono::NaiveDate;
use decoda_api::models::Patient;

use crate::dates::FoundDate;
use crate::suggestion::{
    Candidate, Confidence, Evidence, EvidenceKind, Suggestion, TextSource, Warning,
};
use crate::words::{letters, lines, Word};

/// How many candidates are offered at most.
pub const MAX_CANDIDATES: usize = 3;

/// Titles before a name, and letters after it, that mark a clinician rather than the patient.
const TITLES_BEFORE: [&str; 3] = ["dr", "doctor", "prof"];
const TITLES_AFTER: [&str; 7] = ["md", "do", "np", "pa", "rn", "phd", "mbbs"];

/// How well a name part matched a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fit {
    Fuzzy,
    Exact,
}

/// One place on the page where the patient's name is written.
#[derive(Debug, Clone)]
struct NameHit {
    /// Indexes into the page's words.
    words: Vec<usize>,
    /// Both the given (or preferred) name and the family name.
    full: bool,
    fit: Fit,
    /// Written as a clinician ("Dr. Robert Smith").
    clinician: bool,
}

/// The page's words and dates, ready to be matched against patients.
pub(crate) struct Page<'a> {
    pub words: &'a [Word],
    pub dates: &'a [FoundDate],
    pub source: TextSource,
    pub turned: u16,
}

/// Scores every patient against the page and keeps the best few.
pub(crate) fn suggest(page: &Page<'_>, patients: &[Patient]) -> Suggestion {
    let mut candidates = Vec::new();
    let mut warnings = Vec::new();
    for patient in patients {
        match judge(page, patient) {
            Judgement::Candidate(c) => candidates.push(c),
            Judgement::Warning(w) => warnings.push(w),
            Judgement::Nothing => {}
        }
    }
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
    doubt_rivals(&mut candidates);
    candidates.truncate(MAX_CANDIDATES);
    Suggestion {
        candidates,
        warnings,
        words: page.words.len(),
        source: page.source,
        turned: page.turned,
    }
}

/// When the page fully names more than one patient (two people of the same name, each with a
/// birth date on the page), none of them can be trusted: they are all offered with medium
/// confidence, and the reason says why.
fn doubt_rivals(candidates: &mut [Candidate]) {
    let high = candidates
        .iter()
        .filter(|c| c.confidence == Confidence::High)
        .count();
    if high < 2 {
        return;
    }
    for c in candidates
        .iter_mut()
        .filter(|c| c.confidence == Confidence::High)
    {
        c.score = RIVAL_SCORE;
        c.confidence = Confidence::of(RIVAL_SCORE);
        c.reason = format!("{}, as for another patient", c.reason);
    }
}

/// The score of a candidate whose evidence another candidate has as well.
const RIVAL_SCORE: f32 = 0.6;

enum Judgement {
    Candidate(Candidate),
    Warning(Warning),
    Nothing,
}

fn judge(page: &Page<'_>, patient: &Patient) -> Judgement {
    let names = name_hits(page.words, patient);
    let birth = patient
        .date_of_birth
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let born: Vec<&FoundDate> = page
        .dates
        .iter()
        .filter(|d| Some(d.date) == birth)
        .collect();
    let other_birth_date = page
        .dates
        .iter()
        .any(|d| d.birth_label && Some(d.date) != birth);
    let best = names
        .iter()
        .filter(|h| !h.clinician)
        .max_by_key(|h| (h.full, h.fit))
        .or_else(|| names.iter().max_by_key(|h| (h.full, h.fit)));
    let Some(best) = best else {
        return if born.is_empty() {
            Judgement::Nothing
        } else {
            Judgement::Warning(Warning {
                patient: patient.clone(),
                message: format!(
                    "The birth date of {} is on the page, but the name is not: check whose page this is.",
                    patient.display_name()
                ),
                evidence: born.iter().map(|d| date_evidence(page.words, d)).collect(),
            })
        };
    };
    let (score, reason) = score(best, !born.is_empty(), other_birth_date);
    if score <= 0.0 {
        return Judgement::Nothing;
    }
    // Every place the name is written as well as the best one (a letter's "Re:" line and its
    // body), so the person sees all of them on the page.
    let mut evidence: Vec<Evidence> = names
        .iter()
        .filter(|h| h.full == best.full && h.clinician == best.clinician)
        .map(|h| evidence(page.words, &h.words, EvidenceKind::Name))
        .collect();
    evidence.extend(born.iter().map(|d| date_evidence(page.words, d)));
    Judgement::Candidate(Candidate {
        patient: patient.clone(),
        score,
        confidence: Confidence::of(score),
        reason: reason.to_owned(),
        evidence,
    })
}

/// The score for a name found on the page, with or without the birth date beside it.
fn score(hit: &NameHit, birth_date: bool, other_birth_date: bool) -> (f32, &'static str) {
    match (hit.full, hit.fit, birth_date) {
        _ if hit.clinician && !birth_date => (0.2, "the name is written as a clinician's"),
        (true, Fit::Exact, true) => (0.98, "name and birth date on the page"),
        (true, Fit::Fuzzy, true) => (0.9, "name (nearly as on file) and birth date on the page"),
        (false, _, true) => (0.7, "family name and birth date on the page"),
        (true, _, false) if other_birth_date => {
            (0.3, "name on the page, but a different birth date")
        }
        (true, Fit::Exact, false) => (0.65, "name on the page, no birth date"),
        (true, Fit::Fuzzy, false) => (0.55, "name (nearly as on file) on the page, no birth date"),
        (false, _, false) => (0.0, ""),
    }
}

fn evidence(words: &[Word], indexes: &[usize], kind: EvidenceKind) -> Evidence {
    let picked: Vec<&Word> = indexes.iter().filter_map(|i| words.get(*i)).collect();
    Evidence {
        kind,
        text: picked
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        areas: picked.iter().filter_map(|w| w.area).collect(),
    }
}

fn date_evidence(words: &[Word], date: &FoundDate) -> Evidence {
    evidence(words, &date.words, EvidenceKind::BirthDate)
}

/// Every place on the page where the patient's family name is written, with the given name
/// when it is within a few words of it on the same line (either order: "GARCIA, Maria").
fn name_hits(words: &[Word], patient: &Patient) -> Vec<NameHit> {
    let family_name = patient.last_name.as_deref().unwrap_or_default();
    let family_parts: Vec<String> = family_name
        .split(|c: char| c.is_whitespace() || c == '-')
        .map(letters)
        .filter(|p| !p.is_empty())
        .collect();
    let family = family_parts.concat();
    if family.len() < 2 {
        return Vec::new();
    }
    let given: Vec<String> = [
        patient.first_name.as_deref(),
        patient.preferred_name.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(letters)
    .filter(|g| g.len() >= 2)
    .collect();
    let mut hits = Vec::new();
    let mut start = 0;
    for line in lines(words) {
        let texts: Vec<String> = line.iter().map(Word::letters).collect();
        for (at, len, fit) in find(&texts, |w| fits_family(w, &family, &family_parts)) {
            let near = given_near(&texts, at, len, &given);
            let mut indexes: Vec<usize> = (at..at + len).collect();
            let fit = match near {
                Some((g_at, g_len, g_fit)) => {
                    indexes.extend(g_at..g_at + g_len);
                    indexes.sort_unstable();
                    fit.min(g_fit)
                }
                None => fit,
            };
            let first = *indexes.first().unwrap_or(&at);
            let last = *indexes.last().unwrap_or(&at);
            hits.push(NameHit {
                clinician: is_clinician(&texts, first, last),
                words: indexes.iter().map(|i| start + i).collect(),
                full: near.is_some(),
                fit,
            });
        }
        start += line.len();
    }
    hits
}

/// The given name within three words of the family name found at `at`.
fn given_near(
    texts: &[String],
    at: usize,
    len: usize,
    given: &[String],
) -> Option<(usize, usize, Fit)> {
    let from = at.saturating_sub(3);
    let to = (at + len + 3).min(texts.len());
    given
        .iter()
        .flat_map(|g| find(&texts[from..to], |w| fits(w, g)))
        .map(|(g_at, g_len, fit)| (from + g_at, g_len, fit))
        .filter(|(g_at, g_len, _)| g_at + g_len <= at || *g_at >= at + len)
        .max_by_key(|(g_at, _, fit)| (*fit, usize::MAX - g_at.abs_diff(at)))
}

/// Where a name is written: in one word, or split over two (a scanned "José" read as "J ose",
/// or "Álvarez- Núñez" broken at the hyphen). `fits` says whether letters are the name.
fn find(texts: &[String], fits: impl Fn(&str) -> Option<Fit>) -> Vec<(usize, usize, Fit)> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < texts.len() {
        if let Some(fit) = fits(&texts[i]) {
            found.push((i, 1, fit));
            i += 1;
            continue;
        }
        if let Some(next) = texts.get(i + 1) {
            if !texts[i].is_empty() && !next.is_empty() {
                if let Some(fit) = fits(&format!("{}{next}", texts[i])) {
                    found.push((i, 2, fit));
                    i += 2;
                    continue;
                }
            }
        }
        i += 1;
    }
    found
}

/// Whether a word read off the page is the family name, or, for a double-barrelled name, its
/// first part in full followed by about as many letters as the rest (the second part misread:
/// "Alvarez-NUufiez").
fn fits_family(word: &str, family: &str, parts: &[String]) -> Option<Fit> {
    fits(word, family).or_else(|| match parts {
        [first, _, ..] if first.len() >= 4 && word.starts_with(first.as_str()) => {
            (word.len().abs_diff(family.len()) <= 3).then_some(Fit::Fuzzy)
        }
        _ => None,
    })
}

/// Whether a word read off the page is the name: the same letters, or for a longer name, a
/// misread letter or two (counting the shapes text recognition confuses, "rn" for "m", as one).
fn fits(word: &str, name: &str) -> Option<Fit> {
    if word.is_empty() {
        return None;
    }
    if word == name {
        return Some(Fit::Exact);
    }
    let allowed = match name.len() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    };
    let near = |a: &str, b: &str| strsim::levenshtein(a, b) <= allowed;
    (allowed > 0 && (near(word, name) || near(&unconfused(word), &unconfused(name))))
        .then_some(Fit::Fuzzy)
}

/// Letter pairs text recognition reads for one letter, replaced by that letter.
fn unconfused(word: &str) -> String {
    word.replace("rn", "m")
        .replace("vv", "w")
        .replace("cl", "d")
}

/// Whether a title comes just before the name, or clinicians' letters just after it.
fn is_clinician(texts: &[String], first: usize, last: usize) -> bool {
    let before = first.checked_sub(1).and_then(|i| texts.get(i));
    let after = texts.get(last + 1);
    before.is_some_and(|t| TITLES_BEFORE.contains(&t.as_str()))
        || after.is_some_and(|t| TITLES_AFTER.contains(&t.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::dates_in;
    use decoda_api::PatientId;

    use crate::words::words_of_text as page;

    fn patient(id: &str, first: &str, last: &str, dob: &str) -> Patient {
        Patient {
            id: PatientId::new(id),
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            preferred_name: None,
            date_of_birth: Some(dob.into()),
            is_archived: None,
            external_id: None,
            gender: None,
        }
    }

    fn clinic() -> Vec<Patient> {
        vec![
            patient("pat_1001", "Maria", "Garcia", "1984-03-12"),
            patient("pat_1002", "Maria", "Garcia", "1991-07-30"),
            patient("pat_1005", "Robert", "Smith", "1958-09-09"),
            patient("pat_1007", "José", "Álvarez-Núñez", "1999-10-10"),
            patient("pat_1008", "Emily", "Johnson", "2015-06-01"),
        ]
    }

    fn suggest_for(text: &str) -> Suggestion {
        let words = page(text);
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).expect("a date");
        let dates = dates_in(&words, today);
        let page = Page {
            words: &words,
            dates: &dates,
            source: TextSource::PdfText,
            turned: 0,
        };
        suggest(&page, &clinic())
    }

    fn ranked(s: &Suggestion) -> Vec<(&str, Confidence)> {
        s.candidates
            .iter()
            .map(|c| (c.patient.id.as_str(), c.confidence))
            .collect()
    }

    #[test]
    fn the_birth_date_tells_two_patients_of_the_same_name_apart() {
        let s = suggest_for("Re: GARCIA, Maria DOB: 07/30/1991\nThank you for seeing her.");
        assert_eq!(
            ranked(&s),
            [
                ("pat_1002", Confidence::High),
                ("pat_1001", Confidence::Low)
            ]
        );
        let evidence: Vec<&str> = s.candidates[0]
            .evidence
            .iter()
            .map(|e| e.text.as_str())
            .collect();
        assert_eq!(evidence, ["GARCIA, Maria", "07/30/1991"]);
    }

    #[test]
    fn a_name_without_a_birth_date_is_never_high() {
        let s = suggest_for("Thank you for seeing Maria Garcia today.");
        assert_eq!(
            ranked(&s),
            [
                ("pat_1001", Confidence::Medium),
                ("pat_1002", Confidence::Medium)
            ]
        );
    }

    #[test]
    fn a_clinician_named_on_the_page_is_only_a_weak_hint() {
        let s = suggest_for("Dear Dr. Robert Smith,\nRe: Emily Johnson DOB 06/01/2015");
        assert_eq!(
            ranked(&s),
            [
                ("pat_1008", Confidence::High),
                ("pat_1005", Confidence::Low)
            ]
        );
    }

    #[test]
    fn a_birth_date_without_the_name_is_a_warning_not_a_candidate() {
        let s = suggest_for("Patient: Jane Doe\nDOB: 03/12/1984");
        assert!(s.candidates.is_empty());
        assert_eq!(s.warnings.len(), 1);
        assert_eq!(s.warnings[0].patient.id.as_str(), "pat_1001");
        assert!(s.warnings[0].message.contains("Maria Garcia"));
    }

    #[test]
    fn scanned_names_match_despite_accents_splits_and_a_misread_letter() {
        let s = suggest_for("Name: J ose Alvarez-Nunez born 10/10/1999");
        assert_eq!(ranked(&s), [("pat_1007", Confidence::High)]);
        let s = suggest_for("Patient Ernily Johnson 06/01/2015");
        assert_eq!(ranked(&s), [("pat_1008", Confidence::High)]);
        assert!(s.candidates[0].reason.contains("nearly"));
    }

    #[test]
    fn two_patients_fully_named_on_one_page_are_both_in_doubt() {
        let s = suggest_for("Maria Garcia DOB 03/12/1984\nMaria Garcia DOB 07/30/1991");
        assert_eq!(
            ranked(&s),
            [
                ("pat_1001", Confidence::Medium),
                ("pat_1002", Confidence::Medium)
            ]
        );
        assert!(s.candidates[0].reason.ends_with("as for another patient"));
    }

    #[test]
    fn a_family_name_alone_is_not_a_candidate() {
        assert!(suggest_for("Garcia Landscaping, invoice")
            .candidates
            .is_empty());
        let s = suggest_for("Smith 09/09/1958");
        assert_eq!(ranked(&s), [("pat_1005", Confidence::Medium)]);
    }
}
