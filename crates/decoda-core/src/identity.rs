//! How a patient is named wherever a patient is named: the banner, search results, the
//! confirmation before sending, held files, results, history, the command line.
//!
//! One format everywhere, as clinical software shows patients: `GARCIA, Maria`, `Born
//! 12-Mar-1984 (42y)`, gender, id; a missing value says "Not known". A numeric date alone is read
//! differently in different countries, so dates carry the month's name. And a patient who could be
//! confused with another (a family name that sounds the same or is one or two letters apart, the
//! same birth date under another name, the same full name) is flagged, on the banner as in the
//! search results, so the second identifier gets a second look.

use chrono::{Datelike, NaiveDate};
use decoda_engine::api::{models::Patient, Client};
use rphonetic::DoubleMetaphone;
use serde::Serialize;

/// What a missing value reads as.
pub const NOT_KNOWN: &str = "Not known";

/// A patient as every screen shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PatientCard {
    /// The chart's id.
    pub id: String,
    /// `FAMILY, Given`: the family name in capitals, given names in title case.
    pub name: String,
    /// The name the patient goes by, when it is not their given name.
    pub preferred_name: Option<String>,
    /// `12-Mar-1984 (42y)`, or "Not known".
    pub born: String,
    /// As the chart records it, capitalised, or "Not known".
    pub gender: String,
    /// The chart is archived.
    pub archived: bool,
    /// Patients this one could be confused with, each as a sentence naming them in this format.
    pub look_alikes: Vec<String>,
}

impl PatientCard {
    /// The card of `patient`, with ages counted on `today`, flagged against `others` (the other
    /// patients a person saw or could have meant: the search results, or a search by their name).
    pub fn new(patient: &Patient, others: &[Patient], today: NaiveDate) -> Self {
        Self {
            id: patient.id.to_string(),
            name: banner_name(patient),
            preferred_name: preferred(patient),
            born: born(patient.date_of_birth.as_deref(), today),
            gender: patient
                .gender
                .as_deref()
                .map(str::trim)
                .filter(|g| !g.is_empty())
                .map(title_case)
                .unwrap_or_else(|| NOT_KNOWN.to_owned()),
            archived: patient.is_archived == Some(true),
            look_alikes: look_alikes(patient, others)
                .into_iter()
                .map(|(other, why)| {
                    format!(
                        "{}: {}, born {}, ID {}",
                        why.sentence(),
                        banner_name(other),
                        born(other.date_of_birth.as_deref(), today),
                        other.id
                    )
                })
                .collect(),
        }
    }

    /// The patient in a few words, for a sentence about them: `GARCIA, Maria, born 12-Mar-1984
    /// (42y), ID pat_1001`.
    pub fn label(&self) -> String {
        format!("{}, born {}, ID {}", self.name, self.born, self.id)
    }

    /// The card on one line, for the command line and logs of what a person confirmed:
    /// `GARCIA, Maria  Born 12-Mar-1984 (42y)  Gender Female  ID pat_1001`.
    pub fn line(&self) -> String {
        let preferred = self
            .preferred_name
            .as_deref()
            .map(|p| format!(" (Preferred name {p})"))
            .unwrap_or_default();
        let archived = if self.archived { "  ARCHIVED" } else { "" };
        format!(
            "{}{preferred}  Born {}  Gender {}  ID {}{archived}",
            self.name, self.born, self.gender, self.id
        )
    }
}

/// Today, where the person is: the day ages are counted on.
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// The card of a patient about to be acted on (fetched fresh by the caller), flagged against the
/// patients a search by their family name finds (one extra search), so that a patient found by id
/// or date of birth is checked for look-alikes too. If that search fails, the card says the check
/// could not be made rather than showing no warning.
pub async fn card_of(client: &Client, patient: &Patient) -> PatientCard {
    let family = patient.last_name.as_deref().map(str::trim).unwrap_or("");
    let (others, failed) = if family.is_empty() {
        (Vec::new(), None)
    } else {
        match client.search_patients(family, LOOK_ALIKE_SEARCH).await {
            Ok(others) => (others, None),
            Err(e) => (Vec::new(), Some(e)),
        }
    };
    let mut card = PatientCard::new(patient, &others, today());
    if let Some(e) = failed {
        tracing::warn!("the search for similar patients failed: {e}");
        card.look_alikes.push(
            "Patients with similar names could not be looked up: check the date of birth and ID with the patient"
                .to_owned(),
        );
    }
    card
}

/// Patients a look-alike search reads at most.
const LOOK_ALIKE_SEARCH: u32 = 50;

/// Cards for a list of search results, each flagged against the others.
pub fn cards(patients: &[Patient], today: NaiveDate) -> Vec<PatientCard> {
    patients
        .iter()
        .map(|p| PatientCard::new(p, patients, today))
        .collect()
}

/// Why two patients could be confused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookAlike {
    /// The same given and family names.
    SameName,
    /// A family name that sounds the same or is spelt one or two letters differently.
    SimilarFamilyName,
    /// Born on the same day, under another name.
    SameBirthDate,
}

impl LookAlike {
    fn sentence(self) -> &'static str {
        match self {
            Self::SameName => "Another patient has the same name",
            Self::SimilarFamilyName => "Another patient has a similar family name",
            Self::SameBirthDate => "Another patient was born on the same day",
        }
    }
}

/// The patients among `others` that `patient` could be confused with, and why (the strongest
/// reason only). The patient itself is never its own look-alike.
pub fn look_alikes<'a>(patient: &Patient, others: &'a [Patient]) -> Vec<(&'a Patient, LookAlike)> {
    others
        .iter()
        .filter(|o| o.id != patient.id)
        .filter_map(|o| confusable(patient, o).map(|why| (o, why)))
        .collect()
}

fn confusable(a: &Patient, b: &Patient) -> Option<LookAlike> {
    let (family_a, family_b) = (
        folded(a.last_name.as_deref()),
        folded(b.last_name.as_deref()),
    );
    if !family_a.is_empty() && a.name_key() == b.name_key() {
        return Some(LookAlike::SameName);
    }
    if similar_family_names(&family_a, &family_b) {
        return Some(LookAlike::SimilarFamilyName);
    }
    let same_day = a.date_of_birth.is_some() && a.date_of_birth == b.date_of_birth;
    same_day.then_some(LookAlike::SameBirthDate)
}

/// The same family name, one that sounds the same (Double Metaphone, either pronunciation), or one
/// spelt one or two letters differently (Damerau-Levenshtein, so a swapped pair counts as one).
fn similar_family_names(a: &str, b: &str) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a == b || strsim::damerau_levenshtein(a, b) <= 2 {
        return true;
    }
    let metaphone = DoubleMetaphone::default();
    let (codes_a, codes_b) = (metaphone.double_metaphone(a), metaphone.double_metaphone(b));
    let codes_b = [codes_b.primary(), codes_b.alternate()];
    [codes_a.primary(), codes_a.alternate()]
        .iter()
        .any(|code| !code.is_empty() && codes_b.contains(code))
}

/// A name folded for comparison: lower case, letters only.
fn folded(name: Option<&str>) -> String {
    name.unwrap_or_default()
        .chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect()
}

/// `GARCIA, Maria`; `GARCIA` or `Maria` alone when only one is known; "Name not known".
pub fn banner_name(patient: &Patient) -> String {
    let family = patient
        .last_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_uppercase);
    let given = patient
        .first_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(title_case);
    match (family, given) {
        (Some(family), Some(given)) => format!("{family}, {given}"),
        (Some(family), None) => family,
        (None, Some(given)) => given,
        (None, None) => format!("Name {}", NOT_KNOWN.to_lowercase()),
    }
}

/// The preferred name, when set and not the given name.
fn preferred(patient: &Patient) -> Option<String> {
    let preferred = patient.preferred_name.as_deref().map(str::trim)?;
    let given = patient.first_name.as_deref().map(str::trim).unwrap_or("");
    (!preferred.is_empty() && !preferred.eq_ignore_ascii_case(given)).then(|| title_case(preferred))
}

/// Each word with its first letter in capitals and the rest as written in lower case
/// (`o'brien` → `O'brien` would be wrong, so letters after an apostrophe or hyphen are kept).
fn title_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut start = true;
    for c in text.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = c.is_whitespace() || c == '-' || c == '\'';
    }
    out
}

/// `12-Mar-1984 (42y)`: the day, the month's name, the year, and the age on `today` (in months
/// under two years, in weeks under eight weeks); "Not known" when there is no readable date.
pub fn born(date_of_birth: Option<&str>, today: NaiveDate) -> String {
    let Some(date) = date_of_birth
        .and_then(|d| d.get(..10))
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    else {
        return NOT_KNOWN.to_owned();
    };
    format!("{} ({})", date.format("%d-%b-%Y"), age(date, today))
}

/// An age as clinicians write it: `42y`, `18m`, `3w`; a date in the future reads as such.
fn age(born: NaiveDate, today: NaiveDate) -> String {
    if born > today {
        return "not born yet".to_owned();
    }
    let months = (today.year() - born.year()) * 12 + today.month() as i32
        - born.month() as i32
        - i32::from(today.day() < born.day());
    if months >= 24 {
        return format!("{}y", months / 12);
    }
    let days = (today - born).num_days();
    if days < 56 {
        return format!("{}w", days / 7);
    }
    format!("{months}m")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patient(id: &str, first: &str, last: &str, dob: &str) -> Patient {
        serde_json::from_value(serde_json::json!({
            "id": id, "firstName": first, "lastName": last, "dateOfBirth": dob,
        }))
        .unwrap()
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_patient_reads_family_name_first_in_capitals_with_birth_date_and_age() {
        let mut p = patient("pat_1001", "maria", "Garcia", "1984-03-12");
        p.gender = Some("female".into());
        p.preferred_name = Some("Mari".into());
        let card = PatientCard::new(&p, &[], day("2026-11-29"));
        assert_eq!(card.name, "GARCIA, Maria");
        assert_eq!(card.born, "12-Mar-1984 (42y)");
        assert_eq!(card.gender, "Female");
        assert_eq!(card.preferred_name.as_deref(), Some("Mari"));
        assert_eq!(
            card.line(),
            "GARCIA, Maria (Preferred name Mari)  Born 12-Mar-1984 (42y)  Gender Female  ID pat_1001"
        );
    }

    #[test]
    fn missing_values_say_so_in_words() {
        let p: Patient = serde_json::from_value(serde_json::json!({"id": "p"})).unwrap();
        let card = PatientCard::new(&p, &[], day("2026-11-29"));
        assert_eq!(card.name, "Name not known");
        assert_eq!(card.born, "Not known");
        assert_eq!(card.gender, "Not known");
        assert_eq!(born(Some("12/03/1984"), day("2026-11-29")), "Not known");
    }

    #[test]
    fn ages_are_years_then_months_then_weeks_and_turn_on_the_birthday() {
        let today = day("2026-11-29");
        assert_eq!(born(Some("1984-11-29"), today), "29-Nov-1984 (42y)");
        assert_eq!(born(Some("1984-11-30"), today), "30-Nov-1984 (41y)");
        assert_eq!(born(Some("2025-01-15"), today), "15-Jan-2025 (22m)");
        assert_eq!(born(Some("2026-11-01"), today), "01-Nov-2026 (4w)");
        assert_eq!(
            born(Some("2026-12-01"), today),
            "01-Dec-2026 (not born yet)"
        );
    }

    #[test]
    fn names_keep_apostrophes_and_hyphens_readable() {
        let p = patient("p", "zoë", "O'Brien-Smith", "2001-02-28");
        assert_eq!(banner_name(&p), "O'BRIEN-SMITH, Zoë");
        let p = patient("p", "anne-marie", "lee", "2001-02-28");
        assert_eq!(banner_name(&p), "LEE, Anne-Marie");
    }

    #[test]
    fn look_alikes_are_names_that_sound_alike_or_differ_by_two_letters_or_a_shared_birthday() {
        let maria = patient("pat_1", "Maria", "Garcia", "1984-03-12");
        let others = [
            maria.clone(),
            patient("pat_2", "Maria", "GARCIA", "1991-07-30"),
            patient("pat_3", "Mario", "Garsia", "1990-01-01"),
            patient("pat_4", "Ann", "Gracia", "1970-05-05"),
            patient("pat_5", "Tom", "Wong", "1984-03-12"),
            patient("pat_6", "James", "Chen", "1975-11-02"),
        ];
        let found: Vec<(&str, LookAlike)> = look_alikes(&maria, &others)
            .into_iter()
            .map(|(p, why)| (p.id.as_str(), why))
            .collect();
        assert_eq!(
            found,
            [
                ("pat_2", LookAlike::SameName),
                ("pat_3", LookAlike::SimilarFamilyName),
                ("pat_4", LookAlike::SimilarFamilyName),
                ("pat_5", LookAlike::SameBirthDate),
            ],
            "not the patient itself, and not an unrelated name born another day"
        );
        let card = PatientCard::new(&maria, &others, day("2026-11-29"));
        assert_eq!(
            card.look_alikes[0],
            "Another patient has the same name: GARCIA, Maria, born 30-Jul-1991 (35y), ID pat_2"
        );
    }

    #[test]
    fn names_that_sound_alike_but_are_spelt_far_apart_are_flagged() {
        assert!(strsim::damerau_levenshtein("phillips", "filips") > 2);
        assert!(similar_family_names("phillips", "filips"));
        assert!(
            similar_family_names("schmidt", "smith"),
            "by their alternative pronunciations"
        );
        assert!(!similar_family_names("garcia", "chen"));
        assert!(!similar_family_names("", "chen"));
    }
}
