//! A scanned stack split at its cover sheets.

use crate::{CodeError, CoverCode};

/// What a page of a stack is, for splitting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageKind {
    /// A page of a document.
    Content,
    /// A cover sheet naming a patient of this tenant.
    Cover(CoverCode),
    /// A cover sheet whose code is refused (another tenant, damaged): it still ends the part
    /// before it, and the pages after it get no patient, with this reason.
    RefusedCover(CodeError),
}

/// Classifies a page by the QR codes found on it, for the account `tenant`. Codes that are not
/// cover sheets (a lab's QR code on a result) leave the page a content page.
pub fn classify(codes: &[String], tenant: &str) -> PageKind {
    let mut refused = None;
    for text in codes.iter().filter(|t| CoverCode::is_cover_sheet(t)) {
        match CoverCode::parse(text, tenant) {
            Ok(code) => return PageKind::Cover(code),
            Err(e) => refused = Some(e),
        }
    }
    refused.map_or(PageKind::Content, PageKind::RefusedCover)
}

/// The parts of a stack of scanned pages (JPEGs, as scanners send them), or `None` when the stack
/// holds no cover sheet: it is then one document. A page whose image cannot be read counts as a
/// page of a document.
pub fn split_pages(jpegs: &[&[u8]], tenant: &str) -> Option<Vec<Part>> {
    let kinds: Vec<PageKind> = jpegs
        .iter()
        .map(|jpeg| classify(&crate::codes_in_jpeg(jpeg).unwrap_or_default(), tenant))
        .collect();
    kinds
        .iter()
        .any(|k| *k != PageKind::Content)
        .then(|| split(&kinds))
}

/// One part of a stack: the pages that followed a cover sheet (or came before the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The part's pages, counted from 1 in the stack; the cover sheet is not among them.
    pub pages: Vec<usize>,
    /// The cover sheet's page, if the part has one.
    pub cover_page: Option<usize>,
    /// The patient its cover sheet names: proposed, for a person to confirm.
    pub patient_id: Option<String>,
    /// Why no patient is proposed, when none is.
    pub no_patient: Option<String>,
}

/// Splits a stack at its cover sheets. Pages before the first sheet form a part with no patient;
/// a sheet followed at once by another sheet (or by the end) gives a part with no pages, so the
/// person is told rather than the sheet silently dropped.
pub fn split(kinds: &[PageKind]) -> Vec<Part> {
    let mut parts: Vec<Part> = Vec::new();
    for (i, kind) in kinds.iter().enumerate() {
        let number = i + 1;
        match kind {
            PageKind::Content => match parts.last_mut() {
                Some(part) => part.pages.push(number),
                None => parts.push(Part {
                    pages: vec![number],
                    cover_page: None,
                    patient_id: None,
                    no_patient: Some("no cover sheet before these pages".into()),
                }),
            },
            PageKind::Cover(code) => parts.push(Part {
                pages: Vec::new(),
                cover_page: Some(number),
                patient_id: Some(code.patient_id.clone()),
                no_patient: None,
            }),
            PageKind::RefusedCover(why) => parts.push(Part {
                pages: Vec::new(),
                cover_page: Some(number),
                patient_id: None,
                no_patient: Some(why.to_string()),
            }),
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cover(patient: &str) -> PageKind {
        PageKind::Cover(CoverCode::new("t", patient))
    }

    #[test]
    fn a_stack_splits_at_each_sheet_and_the_sheets_are_not_pages_of_any_part() {
        let kinds = [
            PageKind::Content,
            cover("pat_1"),
            PageKind::Content,
            PageKind::Content,
            cover("pat_2"),
            PageKind::Content,
            PageKind::RefusedCover(CodeError::OtherTenant("x".into())),
            PageKind::Content,
            cover("pat_3"),
        ];
        let parts = split(&kinds);
        let summary: Vec<_> = parts
            .iter()
            .map(|p| {
                (
                    p.pages.clone(),
                    p.patient_id.clone(),
                    p.no_patient.is_some(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (vec![1], None, true),
                (vec![3, 4], Some("pat_1".into()), false),
                (vec![6], Some("pat_2".into()), false),
                (vec![8], None, true),
                (vec![], Some("pat_3".into()), false),
            ]
        );
        assert!(parts[3]
            .no_patient
            .as_deref()
            .unwrap()
            .contains("another account"));
    }

    #[test]
    fn other_qr_codes_leave_a_page_a_content_page() {
        let tenant = "t";
        let good = CoverCode::new(tenant, "pat_1").text();
        assert_eq!(
            classify(&["https://lab.example/r/9".into()], tenant),
            PageKind::Content
        );
        assert_eq!(
            classify(&["https://lab.example".into(), good], tenant),
            PageKind::Cover(CoverCode::new(tenant, "pat_1"))
        );
        assert_eq!(
            classify(&[CoverCode::new("other", "pat_1").text()], tenant),
            PageKind::RefusedCover(CodeError::OtherTenant("other".into()))
        );
    }
}
