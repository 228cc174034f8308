//! Finding and confirming the patient, and listing their notes.

use crate::{error::UiResult, state::AppState};
use decoda_engine::api::{models::Patient, PatientId};
use serde::Serialize;
use tauri::State;

/// A patient as the window shows it: two identifiers, always.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PatientView {
    /// The id.
    pub id: String,
    /// Full name (with the preferred name when different).
    pub name: String,
    /// Date of birth, YYYY-MM-DD, or "unknown".
    pub date_of_birth: String,
    /// Whether the chart is archived.
    pub archived: bool,
    /// Another result has the same name: check the date of birth.
    pub look_alike: bool,
    /// The legal name folded for comparison; not sent to the window.
    #[serde(skip)]
    name_key: String,
}

impl From<&Patient> for PatientView {
    fn from(p: &Patient) -> Self {
        Self {
            id: p.id.to_string(),
            name: p.display_name(),
            date_of_birth: p.date_of_birth.clone().unwrap_or_else(|| "unknown".into()),
            archived: p.is_archived == Some(true),
            look_alike: false,
            name_key: p.name_key(),
        }
    }
}

/// Marks results whose legal names collide (whatever preferred names they show), so the window
/// can ask for care.
pub(crate) fn mark_look_alikes(mut views: Vec<PatientView>) -> Vec<PatientView> {
    let names: Vec<String> = views.iter().map(|v| v.name_key.clone()).collect();
    for (i, v) in views.iter_mut().enumerate() {
        v.look_alike = names
            .iter()
            .enumerate()
            .any(|(j, n)| j != i && *n == names[i]);
    }
    views
}

/// Searches by name, date of birth, phone or id.
#[tauri::command]
pub async fn search_patients(
    state: State<'_, AppState>,
    term: String,
) -> UiResult<Vec<PatientView>> {
    let hits = state.client()?.search_patients(term.trim(), 20).await?;
    Ok(mark_look_alikes(
        hits.iter().map(PatientView::from).collect(),
    ))
}

/// Fetches one patient fresh from the server, to confirm the choice.
#[tauri::command]
pub async fn get_patient(state: State<'_, AppState>, id: String) -> UiResult<PatientView> {
    let p = state.client()?.patient(&PatientId::new(id.trim())).await?;
    Ok(PatientView::from(&p))
}

/// A note as the window lists it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteView {
    /// The id.
    pub id: String,
    /// Title, or "Untitled note".
    pub title: String,
    /// The visit's date (YYYY-MM-DD), if known.
    pub visit_date: Option<String>,
}

/// The patient's notes, newest first as the server gives them.
#[tauri::command]
pub async fn list_notes(state: State<'_, AppState>, patient_id: String) -> UiResult<Vec<NoteView>> {
    let page = state
        .client()?
        .notes(&PatientId::new(patient_id), 1, 50)
        .await?;
    Ok(page
        .data
        .into_iter()
        .map(|n| NoteView {
            id: n.id.to_string(),
            title: n
                .title
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| "Untitled note".into()),
            visit_date: n.visit_date.map(|d| d.chars().take(10).collect()),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(first: &str, last: &str, preferred: Option<&str>) -> PatientView {
        let p: Patient = serde_json::from_value(serde_json::json!({
            "id": format!("{first}-{last}"), "firstName": first, "lastName": last,
            "preferredName": preferred,
        }))
        .unwrap();
        PatientView::from(&p)
    }

    #[test]
    fn same_legal_names_are_flagged_as_look_alikes_whatever_they_go_by() {
        let out = mark_look_alikes(vec![
            v("Maria", "Garcia", None),
            v("maria", "garcia", Some("Mari")),
            v("James", "Chen", None),
        ]);
        assert_eq!(
            out.iter().map(|p| p.look_alike).collect::<Vec<_>>(),
            [true, true, false]
        );
    }
}
