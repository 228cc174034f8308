//! The sandbox's records: the seeded patients and notes, and the attachments received since start (or reset).
//!
//! Everything lives in memory behind one lock held only for short, non-async sections; file bytes live on
//! disk and are referenced by path.

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};

use crate::model::{
    NoteAttachmentNote, NoteListItem, PatientChart, PatientSummary, PatientSummaryWithMemberships,
    StoredAttachment,
};
use crate::{search, seed};

/// A clinical note a file can be attached to.
#[derive(Clone, Debug)]
pub(crate) struct Note {
    pub(crate) id: String,
    pub(crate) patient_id: String,
    pub(crate) title: String,
    pub(crate) summary: String,
    pub(crate) visit_date: DateTime<Utc>,
    pub(crate) created_date: DateTime<Utc>,
}

impl Note {
    /// The `note` object embedded in an attachment.
    pub(crate) fn reference(&self) -> NoteAttachmentNote {
        NoteAttachmentNote {
            id: self.id.clone(),
            created_date: self.created_date,
        }
    }
}

/// One stored attachment and what only the server knows about it.
#[derive(Clone, Debug)]
pub(crate) struct Attachment {
    pub(crate) stored: StoredAttachment,
    /// The `sig` query value its URLs must carry.
    pub(crate) sig: String,
    /// The received bytes; `None` in sink mode.
    pub(crate) file: Option<PathBuf>,
}

/// An attachment id that does not exist.
#[derive(Debug, thiserror::Error)]
#[error("attachment {0} not found")]
pub(crate) struct UnknownAttachment(pub(crate) String);

/// Filters of `GET /user/patient/table`.
#[derive(Debug, Default)]
pub(crate) struct TableFilter {
    pub(crate) name: Option<String>,
    pub(crate) dates_of_birth: Vec<NaiveDate>,
    pub(crate) id: Option<String>,
    pub(crate) external_id: Option<String>,
    pub(crate) phone_number: Option<String>,
}

/// All records of one sandbox.
#[derive(Debug)]
pub(crate) struct Store {
    patients: Vec<PatientChart>,
    notes: Vec<Note>,
    attachments: Vec<Attachment>,
}

impl Default for Store {
    fn default() -> Self {
        Self {
            patients: seed::patients(),
            notes: seed::notes(),
            attachments: Vec::new(),
        }
    }
}

impl Store {
    /// The patient with this id.
    pub(crate) fn patient(&self, id: &str) -> Option<&PatientChart> {
        self.patients.iter().find(|p| p.summary.id == id)
    }

    /// A seeded patient other than `id` (for the `WrongPatient` fault).
    pub(crate) fn other_patient(&self, id: &str) -> Option<PatientSummary> {
        let index = self
            .patients
            .iter()
            .position(|p| p.summary.id == id)
            .unwrap_or(0);
        let other = (index + 1) % self.patients.len().max(1);
        self.patients.get(other).map(|p| p.summary.clone())
    }

    /// The note with this id.
    pub(crate) fn note(&self, id: &str) -> Option<&Note> {
        self.notes.iter().find(|n| n.id == id)
    }

    /// Patients matching a search term, at most `limit`.
    pub(crate) fn search(
        &self,
        term: &str,
        limit: usize,
        contract_only: bool,
    ) -> Vec<PatientSummaryWithMemberships> {
        self.patients
            .iter()
            .filter(|p| search::matches(&p.summary, term, contract_only))
            .take(limit)
            .map(with_memberships)
            .collect()
    }

    /// Patients matching every given table filter.
    pub(crate) fn table(&self, filter: &TableFilter) -> Vec<PatientSummaryWithMemberships> {
        self.patients
            .iter()
            .filter(|p| table_matches(&p.summary, filter))
            .map(with_memberships)
            .collect()
    }

    /// Notes of a patient (or all), most recent visit first.
    pub(crate) fn notes(&self, patient_id: Option<&str>) -> Vec<NoteListItem> {
        let mut notes: Vec<&Note> = self
            .notes
            .iter()
            .filter(|n| patient_id.is_none_or(|p| n.patient_id == p))
            .collect();
        notes.sort_by_key(|n| std::cmp::Reverse(n.visit_date));
        notes
            .into_iter()
            .filter_map(|n| self.list_item(n))
            .collect()
    }

    fn list_item(&self, note: &Note) -> Option<NoteListItem> {
        let patient = self.patient(&note.patient_id)?.summary.clone();
        Some(NoteListItem {
            id: note.id.clone(),
            event_id: None,
            summary: Some(note.summary.clone()),
            title: Some(note.title.clone()),
            template_id: None,
            created_date: note.created_date,
            visit_date: note.visit_date,
            last_edited_date: note.created_date,
            ai_generated: false,
            patient,
            providers: Vec::new(),
            version: 1,
            source_documents: Vec::new(),
            has_answers: false,
            answers: Vec::new(),
            questions: Vec::new(),
            is_pinned: false,
        })
    }

    /// Adds a batch of attachments at once (the bulk endpoint commits all or nothing).
    pub(crate) fn add(&mut self, batch: Vec<Attachment>) {
        self.attachments.extend(batch);
    }

    /// Every attachment, in the order stored.
    pub(crate) fn all(&self) -> impl Iterator<Item = &Attachment> {
        self.attachments.iter()
    }

    /// The attachment with this id.
    pub(crate) fn attachment(&self, id: &str) -> Option<&Attachment> {
        self.attachments.iter().find(|a| a.stored.response.id == id)
    }

    fn attachment_mut(&mut self, id: &str) -> Option<&mut Attachment> {
        self.attachments
            .iter_mut()
            .find(|a| a.stored.response.id == id)
    }

    /// Renames several attachments; changes nothing when any id is unknown.
    pub(crate) fn rename_all(
        &mut self,
        updates: &[(String, String)],
    ) -> Result<(), UnknownAttachment> {
        if let Some((id, _)) = updates.iter().find(|(id, _)| self.attachment(id).is_none()) {
            return Err(UnknownAttachment(id.clone()));
        }
        for (id, name) in updates {
            if let Some(a) = self.attachment_mut(id) {
                a.stored.response.name.clone_from(name);
            }
        }
        Ok(())
    }

    /// Files an attachment under another patient, dropping its note link.
    pub(crate) fn move_to(
        &mut self,
        id: &str,
        patient: PatientSummary,
    ) -> Result<(), UnknownAttachment> {
        let a = self
            .attachment_mut(id)
            .ok_or_else(|| UnknownAttachment(id.to_owned()))?;
        a.stored.patient_id.clone_from(&patient.id);
        a.stored.response.patient = Some(patient);
        a.stored.response.note_id = None;
        a.stored.response.note = None;
        Ok(())
    }

    /// Changes when an attachment counts as created (tests of day paging).
    pub(crate) fn set_created(&mut self, id: &str, created: DateTime<Utc>) -> bool {
        self.attachment_mut(id)
            .map(|a| a.stored.response.created_date = created)
            .is_some()
    }

    /// Removes an attachment and returns it.
    pub(crate) fn remove(&mut self, id: &str) -> Option<Attachment> {
        let index = self
            .attachments
            .iter()
            .position(|a| a.stored.response.id == id)?;
        Some(self.attachments.remove(index))
    }

    /// Removes every attachment and returns them.
    pub(crate) fn clear_attachments(&mut self) -> Vec<Attachment> {
        std::mem::take(&mut self.attachments)
    }

    /// Attachments of one note (optionally also of one patient), in the order stored.
    pub(crate) fn for_note(
        &self,
        note_id: &str,
        patient_id: Option<&str>,
    ) -> Vec<StoredAttachment> {
        self.attachments
            .iter()
            .map(|a| &a.stored)
            .filter(|s| s.response.note_id.as_deref() == Some(note_id))
            .filter(|s| patient_id.is_none_or(|p| s.patient_id == p))
            .cloned()
            .collect()
    }

    /// The UTC days on which a patient (or anyone) has attachments.
    pub(crate) fn days(&self, patient_id: Option<&str>) -> BTreeSet<NaiveDate> {
        self.of_patient(patient_id)
            .map(|s| s.response.created_date.date_naive())
            .collect()
    }

    /// A patient's (or everyone's) attachments created on one UTC day, newest first.
    pub(crate) fn on_day(&self, patient_id: Option<&str>, day: NaiveDate) -> Vec<StoredAttachment> {
        let mut found: Vec<StoredAttachment> = self
            .of_patient(patient_id)
            .filter(|s| s.response.created_date.date_naive() == day)
            .cloned()
            .collect();
        found.reverse();
        found.sort_by_key(|s| std::cmp::Reverse(s.response.created_date));
        found
    }

    fn of_patient<'a>(
        &'a self,
        patient_id: Option<&'a str>,
    ) -> impl Iterator<Item = &'a StoredAttachment> {
        self.attachments
            .iter()
            .map(|a| &a.stored)
            .filter(move |s| patient_id.is_none_or(|p| s.patient_id == p))
    }
}

fn with_memberships(p: &PatientChart) -> PatientSummaryWithMemberships {
    PatientSummaryWithMemberships {
        summary: p.summary.clone(),
        memberships: Vec::new(),
    }
}

fn table_matches(p: &PatientSummary, f: &TableFilter) -> bool {
    let name_ok = f.name.as_deref().is_none_or(|n| {
        let n = search::fold(n.trim());
        search::names(p)
            .iter()
            .any(|candidate| search::fold(candidate).contains(&n))
    });
    let dob = p.date_of_birth.as_deref().and_then(search::parse_date);
    let dob_ok = f.dates_of_birth.is_empty() || dob.is_some_and(|d| f.dates_of_birth.contains(&d));
    let id_ok = f.id.as_deref().is_none_or(|id| p.id == id);
    let ext_ok = f
        .external_id
        .as_deref()
        .is_none_or(|e| p.external_id.as_deref() == Some(e));
    let phone_ok = f
        .phone_number
        .as_deref()
        .is_none_or(|ph| search::phone_matches(p.phone_number.as_deref(), ph));
    name_ok && dob_ok && id_ok && ext_ok && phone_ok
}
