//! Patient look-ups: the chart, the search box, and the two-identifier table filter.
//!
//! These are how a client confirms it is filing into the right chart before it uploads.

use axum::extract::{Path, RawQuery, State};
use axum::Json;

use crate::model::{Page, PatientChart, PatientSummaryWithMemberships};
use crate::problem::ApiError;
use crate::query::{self, QueryParams};
use crate::search;
use crate::state::SandboxState;
use crate::store::TableFilter;

/// `GET /user/patient/{patient_id}`.
pub(crate) async fn chart(
    State(state): State<SandboxState>,
    Path(patient_id): Path<String>,
) -> Result<Json<PatientChart>, ApiError> {
    state
        .store()
        .patient(&patient_id)
        .cloned()
        .map(Json)
        .ok_or_else(|| ApiError::not_found("Patient"))
}

/// `GET /user/patient/search?search_term=&n=10`.
pub(crate) async fn search(
    State(state): State<SandboxState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<PatientSummaryWithMemberships>>, ApiError> {
    let q = QueryParams::parse(raw.as_deref());
    let n = q.int("n", 10)?.clamp(0, 1000);
    let term = q.get("search_term").unwrap_or_default();
    let limit = usize::try_from(n).unwrap_or(0);
    Ok(Json(state.store().search(
        term,
        limit,
        state.contract_only(),
    )))
}

/// `GET /user/patient/table?name=&date_of_birth=&id=&external_id=&phone_number=&page=&per_page=`.
pub(crate) async fn table(
    State(state): State<SandboxState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page<PatientSummaryWithMemberships>>, ApiError> {
    let q = QueryParams::parse(raw.as_deref());
    let page = q.int("page", 1)?.max(1);
    let per_page = q.int("per_page", 10)?.clamp(1, 1000);
    let filter = TableFilter {
        name: non_empty(q.get("name")),
        dates_of_birth: dates_of_birth(&q)?,
        id: non_empty(q.get("id")),
        external_id: non_empty(q.get("external_id")),
        phone_number: non_empty(q.get("phone_number")),
    };
    let all = state.store().table(&filter);
    Ok(Json(paginate(all, page, per_page)))
}

fn dates_of_birth(q: &QueryParams) -> Result<Vec<chrono::NaiveDate>, ApiError> {
    q.all("date_of_birth")
        .into_iter()
        .filter(|s| !s.is_empty())
        .map(|text| {
            search::parse_date(text).map_or_else(|| query::parse_date("date_of_birth", text), Ok)
        })
        .collect()
}

fn non_empty(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty()).map(str::to_owned)
}

/// One page of `rows` (pages count from 1).
pub(crate) fn paginate<T>(rows: Vec<T>, page: i64, per_page: i64) -> Page<T> {
    let total = rows.len();
    let per_page = usize::try_from(per_page).unwrap_or(1);
    let skip = usize::try_from(page - 1)
        .unwrap_or(0)
        .saturating_mul(per_page);
    Page {
        data: rows.into_iter().skip(skip).take(per_page).collect(),
        total,
    }
}
