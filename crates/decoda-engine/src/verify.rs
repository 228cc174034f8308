//! Checking the server's answer against what was sent (NOTES §1 and §4).
//!
//! A 200 does not prove that every file landed, on the right patient, under the right name: the
//! contract promises neither the order nor the count of the returned attachments, and how `names`
//! is decoded is undocumented. Files are matched by position when the answer lines up, else by
//! their original file name, and every field that matters is compared.

use crate::files::CheckedFile;
use decoda_api::{models::Attachment, PatientId};

/// Whether `returned` is the `originalFilename` the server would store for `sent`, allowing for
/// the escaping that browsers and some servers apply to quotes in multipart file names.
pub(crate) fn same_file_name(sent: &str, returned: &str) -> bool {
    sent == returned
        || sent.replace('"', "%22") == returned
        || sent.replace('"', "\\\"") == returned
}

/// Pairs each sent file with its attachment. Returns the pairs (by file position in `sent`) and
/// the positions that got none; extra attachments are dropped (and logged by the caller).
pub(crate) fn pair_answer(
    sent: &[&CheckedFile],
    answer: Vec<Attachment>,
) -> (Vec<(usize, Attachment)>, Vec<usize>) {
    let lines_up = answer.len() == sent.len()
        && sent
            .iter()
            .zip(&answer)
            .all(|(f, a)| same_file_name(&f.file_name, &a.original_filename));
    if lines_up {
        return (answer.into_iter().enumerate().collect(), Vec::new());
    }
    let mut left: Vec<Option<Attachment>> = answer.into_iter().map(Some).collect();
    let mut found: Vec<Option<Attachment>> = vec![None; sent.len()];
    // First exact matches (name and external id), then by name alone: an external id the server
    // garbled must not stop a file from being recognised, but must not steal another's match.
    for exact in [true, false] {
        for (pos, file) in sent.iter().enumerate() {
            if found[pos].is_some() {
                continue;
            }
            let slot = left.iter_mut().find(|slot| {
                slot.as_ref().is_some_and(|a| {
                    same_file_name(&file.file_name, &a.original_filename)
                        && (!exact || a.external_id == file.external_id)
                })
            });
            found[pos] = slot.and_then(Option::take);
        }
    }
    let mut pairs = Vec::new();
    let mut missing = Vec::new();
    for (pos, hit) in found.into_iter().enumerate() {
        match hit {
            Some(a) => pairs.push((pos, a)),
            None => missing.push(pos),
        }
    }
    (pairs, missing)
}

/// What is wrong with one returned attachment.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Findings {
    /// The attachment is on another patient (its id). An answer that does not say (`patient` is
    /// null) is not taken as the right patient: the caller looks for it in the chart.
    pub wrong_patient: Option<String>,
    /// The display name differs from what was sent.
    pub name_differs: bool,
    /// A note about the external id, which cannot be changed later.
    pub external_id_note: Option<String>,
}

pub(crate) fn inspect(patient: &PatientId, file: &CheckedFile, a: &Attachment) -> Findings {
    let wrong_patient = match &a.patient {
        Some(p) if &p.id != patient => Some(p.id.to_string()),
        _ => None,
    };
    let external_id_note = (a.external_id != file.external_id).then(|| {
        format!(
            "the external id came back as {} instead of {}; it cannot be changed after upload",
            a.external_id
                .as_deref()
                .map_or("nothing".to_owned(), |e| format!("`{e}`")),
            file.external_id
                .as_deref()
                .map_or("nothing".to_owned(), |e| format!("`{e}`")),
        )
    });
    Findings {
        wrong_patient,
        name_differs: a.name != file.display_name,
        external_id_note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, ext: Option<&str>) -> CheckedFile {
        CheckedFile {
            path: name.into(),
            file_name: name.into(),
            display_name: name.into(),
            external_id: ext.map(Into::into),
            size: 1,
            content_type: "text/plain".into(),
            modified: None,
            content_hash: None,
        }
    }

    fn att(id: &str, name: &str, ext: Option<&str>) -> Attachment {
        serde_json::from_value(serde_json::json!({
            "id": id, "gcsPath": "", "originalFilename": name, "signedUrl": "", "name": name,
            "createdDate": "2026-01-01T00:00:00Z", "externalId": ext,
        }))
        .unwrap()
    }

    #[test]
    fn pairs_by_name_when_the_answer_is_reordered_or_short() {
        let a = file("a.pdf", None);
        let b = file("b.pdf", None);
        let c = file("a.pdf", Some("x2"));
        let sent = [&a, &b, &c];
        let (pairs, missing) = pair_answer(
            &sent,
            vec![att("2", "a.pdf", Some("x2")), att("1", "a.pdf", None)],
        );
        let ids: Vec<_> = pairs
            .iter()
            .map(|(p, a)| (*p, a.id.as_str().to_owned()))
            .collect();
        assert_eq!(ids, [(0, "1".to_owned()), (2, "2".to_owned())]);
        assert_eq!(missing, [1]);
    }

    #[test]
    fn escaped_quotes_still_match() {
        assert!(same_file_name("say \"hi\".pdf", "say %22hi%22.pdf"));
        assert!(!same_file_name("a.pdf", "b.pdf"));
    }

    #[test]
    fn inspect_flags_patient_name_and_external_id() {
        let f = file("a.pdf", Some("E1"));
        let mut a = att("1", "garbled", None);
        a.patient = serde_json::from_value(serde_json::json!({"id": "p2"})).unwrap();
        let found = inspect(&PatientId::new("p1"), &f, &a);
        assert_eq!(found.wrong_patient.as_deref(), Some("p2"));
        assert!(found.name_differs);
        assert!(found.external_id_note.unwrap().contains("`E1`"));
    }
}
