//! The demo clinic every sandbox starts with.
//!
//! One list, so tests and the README can rely on stable, readable ids. It deliberately holds the cases a client
//! must get right: two patients with the same name told apart only by date of birth, an archived patient, and
//! names with an apostrophe and non-ASCII letters.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use crate::model::{PatientChart, PatientSummary, PATIENT_TYPE};
use crate::store::Note;

/// One demo patient, in the order search results list them.
struct SeedPatient {
    id: &'static str,
    first: &'static str,
    last: &'static str,
    preferred: Option<&'static str>,
    dob: &'static str,
    phone: &'static str,
    external_id: &'static str,
    gender: &'static str,
    archived: bool,
    city: &'static str,
}

const PATIENTS: &[SeedPatient] = &[
    SeedPatient {
        id: "pat_1001",
        first: "Maria",
        last: "Garcia",
        preferred: None,
        dob: "1984-03-12",
        phone: "(555) 010-1001",
        external_id: "MRN-1001",
        gender: "female",
        archived: false,
        city: "Springfield",
    },
    SeedPatient {
        id: "pat_1002",
        first: "Maria",
        last: "Garcia",
        preferred: Some("Mari"),
        dob: "1991-07-30",
        phone: "(555) 010-1002",
        external_id: "MRN-1002",
        gender: "female",
        archived: false,
        city: "Shelbyville",
    },
    SeedPatient {
        id: "pat_1003",
        first: "James",
        last: "Chen",
        preferred: Some("Jim"),
        dob: "1975-11-02",
        phone: "(555) 010-1003",
        external_id: "MRN-1003",
        gender: "male",
        archived: false,
        city: "Springfield",
    },
    SeedPatient {
        id: "pat_1004",
        first: "Zoë",
        last: "O'Brien",
        preferred: Some("Zo"),
        dob: "2001-02-28",
        phone: "(555) 010-1004",
        external_id: "MRN-1004",
        gender: "female",
        archived: false,
        city: "Capital City",
    },
    SeedPatient {
        id: "pat_1005",
        first: "Robert",
        last: "Smith",
        preferred: Some("Bob"),
        dob: "1958-09-09",
        phone: "(555) 010-1005",
        external_id: "MRN-1005",
        gender: "male",
        archived: true,
        city: "Ogdenville",
    },
    SeedPatient {
        id: "pat_1006",
        first: "Aisha",
        last: "Patel",
        preferred: None,
        dob: "1989-05-21",
        phone: "(555) 010-1006",
        external_id: "MRN-1006",
        gender: "female",
        archived: false,
        city: "North Haverbrook",
    },
    SeedPatient {
        id: "pat_1007",
        first: "José",
        last: "Álvarez-Núñez",
        preferred: Some("Pepe"),
        dob: "1999-10-10",
        phone: "(555) 010-1007",
        external_id: "MRN-1007",
        gender: "male",
        archived: false,
        city: "Brockway",
    },
    SeedPatient {
        id: "pat_1008",
        first: "Emily",
        last: "Johnson",
        preferred: Some("Emmy"),
        dob: "2015-06-01",
        phone: "(555) 010-1008",
        external_id: "MRN-1008",
        gender: "female",
        archived: false,
        city: "Springfield",
    },
];

/// One demo note.
struct SeedNote {
    id: &'static str,
    patient_id: &'static str,
    title: &'static str,
    summary: &'static str,
    /// Visit day as (year, month, day).
    visit: (i32, u32, u32),
}

const NOTES: &[SeedNote] = &[
    SeedNote {
        id: "note_2001",
        patient_id: "pat_1001",
        title: "Annual physical",
        summary: "Routine check-up; labs ordered.",
        visit: (2026, 1, 14),
    },
    SeedNote {
        id: "note_2002",
        patient_id: "pat_1001",
        title: "Lab review",
        summary: "Reviewed lipid panel.",
        visit: (2026, 2, 3),
    },
    SeedNote {
        id: "note_2003",
        patient_id: "pat_1002",
        title: "New patient intake",
        summary: "Intake visit, history taken.",
        visit: (2026, 1, 20),
    },
    SeedNote {
        id: "note_2004",
        patient_id: "pat_1003",
        title: "Knee pain",
        summary: "Right knee pain after running.",
        visit: (2025, 11, 5),
    },
    SeedNote {
        id: "note_2005",
        patient_id: "pat_1003",
        title: "Physio referral",
        summary: "Referred to physiotherapy.",
        visit: (2025, 12, 1),
    },
    SeedNote {
        id: "note_2006",
        patient_id: "pat_1003",
        title: "Follow-up",
        summary: "Improving; continue exercises.",
        visit: (2026, 2, 10),
    },
    SeedNote {
        id: "note_2007",
        patient_id: "pat_1004",
        title: "Allergy consult",
        summary: "Seasonal allergies; antihistamine.",
        visit: (2026, 3, 2),
    },
    SeedNote {
        id: "note_2008",
        patient_id: "pat_1005",
        title: "Discharge summary",
        summary: "Care transferred; chart archived.",
        visit: (2024, 6, 30),
    },
    SeedNote {
        id: "note_2009",
        patient_id: "pat_1006",
        title: "Prenatal visit",
        summary: "Week 12 visit, all normal.",
        visit: (2026, 2, 18),
    },
    SeedNote {
        id: "note_2010",
        patient_id: "pat_1006",
        title: "Ultrasound",
        summary: "Scan images attached.",
        visit: (2026, 3, 18),
    },
    SeedNote {
        id: "note_2011",
        patient_id: "pat_1007",
        title: "Sports physical",
        summary: "Cleared for soccer season.",
        visit: (2026, 1, 8),
    },
    SeedNote {
        id: "note_2012",
        patient_id: "pat_1008",
        title: "Well-child visit",
        summary: "Growth on track; vaccines up to date.",
        visit: (2026, 2, 25),
    },
];

/// The demo patients, in seed order.
pub(crate) fn patients() -> Vec<PatientChart> {
    PATIENTS
        .iter()
        .enumerate()
        .map(|(i, p)| chart(i, p))
        .collect()
}

/// The demo notes, in seed order.
pub(crate) fn notes() -> Vec<Note> {
    NOTES
        .iter()
        .map(|n| {
            let (y, m, d) = n.visit;
            let visit = at_nine(y, m, d);
            Note {
                id: n.id.to_owned(),
                patient_id: n.patient_id.to_owned(),
                title: n.title.to_owned(),
                summary: n.summary.to_owned(),
                visit_date: visit,
                created_date: visit,
            }
        })
        .collect()
}

fn chart(index: usize, p: &SeedPatient) -> PatientChart {
    let email = format!("{}.{}@example.com", ascii_slug(p.first), ascii_slug(p.last));
    let created_day = u32::try_from(index).unwrap_or(0) + 1;
    PatientChart {
        summary: PatientSummary {
            id: p.id.to_owned(),
            first_name: Some(p.first.to_owned()),
            last_name: Some(p.last.to_owned()),
            preferred_name: p.preferred.map(str::to_owned),
            date_of_birth: Some(p.dob.to_owned()),
            phone_number: Some(p.phone.to_owned()),
            email: Some(email),
            user_type: PATIENT_TYPE.to_owned(),
            external_id: Some(p.external_id.to_owned()),
            is_archived: Some(p.archived),
            gender: Some(p.gender.to_owned()),
            created_date: at_nine(2024, 1, created_day),
        },
        address: Some(format!("{} Main Street", 100 + index)),
        city: Some(p.city.to_owned()),
        state: Some("IL".to_owned()),
        zip_code: Some(format!("6270{index}")),
        country: Some("US".to_owned()),
        pronouns: None,
        memberships: Vec::new(),
    }
}

/// 09:00 UTC on a fixed day; seed dates never depend on the clock.
fn at_nine(year: i32, month: u32, day: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(year, month, day)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .map(|dt| Utc.from_utc_datetime(&dt))
        .unwrap_or_default()
}

fn ascii_slug(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}
