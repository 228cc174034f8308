//! Whom an upload is for, as the server confirmed it.

use crate::identity::{card_of, PatientCard};
use decoda_engine::{
    api::{models::Patient, ApiError, NoteId, PatientId},
    Uploader,
};

/// The patient an upload is for (with the name and date of birth to show before anything is
/// sent), and the note, checked to be one of that patient's. Only [`Target::confirm`] makes one,
/// so nothing can be planned for a patient or a note the server has not confirmed: a stale list
/// of notes in a window, or a note id pasted from another chart, sends nothing anywhere.
#[derive(Debug, Clone)]
pub struct Target {
    patient: Patient,
    card: PatientCard,
    note: Option<NoteId>,
}

impl Target {
    /// Fetches the patient fresh from the server and checks the note (if any, after trimming;
    /// an empty one means none) against the patient's notes.
    pub async fn confirm(
        uploader: &Uploader,
        patient_id: &str,
        note: Option<&str>,
    ) -> Result<Self, ApiError> {
        let patient = uploader
            .confirm_patient(&PatientId::new(patient_id.trim()))
            .await?;
        let note = note
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(NoteId::new);
        if let Some(note) = &note {
            uploader.confirm_note(&patient.id, note).await?;
        }
        let card = card_of(uploader.client(), &patient).await;
        Ok(Self {
            patient,
            card,
            note,
        })
    }

    /// The patient as every screen names them, with the patients they could be confused with.
    pub fn card(&self) -> &PatientCard {
        &self.card
    }

    /// The patient, as the server describes them.
    pub fn patient(&self) -> &Patient {
        &self.patient
    }

    /// The note the files are attached to, if any.
    pub fn note(&self) -> Option<&NoteId> {
        self.note.as_ref()
    }
}
