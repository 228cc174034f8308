//! The text of a cover sheet's QR code: `DECODA-COVER:1:<tenant>:<patient id>:<check>`.

use sha2::{Digest, Sha256};

/// What every cover sheet's code starts with; other QR codes on a page (a lab's, a letter's) are
/// not cover sheets and are ignored.
const PREFIX: &str = "DECODA-COVER";
/// The code's layout version.
const VERSION: &str = "1";

/// Whom a cover sheet names: a patient id within a tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverCode {
    /// The tenant (the clinic's account) the patient id belongs to.
    pub tenant: String,
    /// The patient's id.
    pub patient_id: String,
}

/// Why a code on a page is not taken as naming a patient.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// A QR code, but not a cover sheet's.
    #[error("the page's code is not a Decoda cover sheet")]
    NotACoverSheet,
    /// A cover sheet of a layout this version does not know.
    #[error("the cover sheet was made by a newer version of the app: update it, or print the sheet again")]
    NewerVersion,
    /// The check value does not match: damaged, mistyped into another generator, or forged.
    #[error("the cover sheet's code does not check out (it may be damaged, or not made by Decoda Uploader): print it again")]
    DoesNotCheck,
    /// A sheet for another clinic's account.
    #[error("the cover sheet is for another account (tenant {0}), not this one")]
    OtherTenant(String),
}

impl CoverCode {
    /// The code for `patient_id` in `tenant`.
    pub fn new(tenant: &str, patient_id: &str) -> Self {
        Self {
            tenant: tenant.trim().to_owned(),
            patient_id: patient_id.trim().to_owned(),
        }
    }

    /// The text the QR code holds.
    pub fn text(&self) -> String {
        format!(
            "{PREFIX}:{VERSION}:{}:{}:{}",
            escape(&self.tenant),
            escape(&self.patient_id),
            check(&self.tenant, &self.patient_id)
        )
    }

    /// Reads a code's text, for the account `tenant`.
    pub fn parse(text: &str, tenant: &str) -> Result<Self, CodeError> {
        let fields: Vec<&str> = text.trim().split(':').collect();
        let [prefix, version, code_tenant, patient, check_value] = fields.as_slice() else {
            return Err(if text.starts_with(PREFIX) {
                CodeError::DoesNotCheck
            } else {
                CodeError::NotACoverSheet
            });
        };
        if *prefix != PREFIX {
            return Err(CodeError::NotACoverSheet);
        }
        if *version != VERSION {
            return Err(CodeError::NewerVersion);
        }
        let code = Self {
            tenant: unescape(code_tenant).ok_or(CodeError::DoesNotCheck)?,
            patient_id: unescape(patient).ok_or(CodeError::DoesNotCheck)?,
        };
        if code.patient_id.is_empty() || *check_value != check(&code.tenant, &code.patient_id) {
            return Err(CodeError::DoesNotCheck);
        }
        if code.tenant != tenant.trim() {
            return Err(CodeError::OtherTenant(code.tenant));
        }
        Ok(code)
    }

    /// Whether `text` is meant as a cover sheet (valid or not).
    pub fn is_cover_sheet(text: &str) -> bool {
        text.trim().starts_with(PREFIX)
    }
}

/// The check value: the first 10 hex digits of SHA-256 over the layout, tenant and id. It catches
/// a damaged or hand-altered code; it is not a secret (the person confirming is the safeguard).
fn check(tenant: &str, patient_id: &str) -> String {
    let digest = Sha256::digest(format!("{PREFIX}\n{VERSION}\n{tenant}\n{patient_id}"));
    digest.iter().take(5).map(|b| format!("{b:02x}")).collect()
}

/// `:` and `%` as `%3A` and `%25`, so that any tenant or id fits between the separators.
fn escape(field: &str) -> String {
    field.replace('%', "%25").replace(':', "%3A")
}

fn unescape(field: &str) -> Option<String> {
    let out = field.replace("%3A", ":").replace("%25", "%");
    (escape(&out) == field).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_reads_back_as_its_patient_in_its_tenant() {
        let code = CoverCode::new("demo-clinic", "pat_1001");
        assert_eq!(code.text().split(':').count(), 5);
        assert_eq!(CoverCode::parse(&code.text(), "demo-clinic"), Ok(code));
        let odd = CoverCode::new("a:b%c", "id:1");
        assert_eq!(CoverCode::parse(&odd.text(), "a:b%c"), Ok(odd));
    }

    #[test]
    fn a_damaged_foreign_or_unknown_code_is_refused_with_the_reason() {
        let text = CoverCode::new("demo-clinic", "pat_1001").text();
        let altered = text.replace("pat_1001", "pat_1002");
        assert_eq!(
            CoverCode::parse(&altered, "demo-clinic"),
            Err(CodeError::DoesNotCheck)
        );
        assert_eq!(
            CoverCode::parse(&text, "other-clinic"),
            Err(CodeError::OtherTenant("demo-clinic".into()))
        );
        assert_eq!(
            CoverCode::parse("https://lab.example/r/1", "demo-clinic"),
            Err(CodeError::NotACoverSheet)
        );
        assert_eq!(
            CoverCode::parse(&text.replacen(":1:", ":2:", 1), "demo-clinic"),
            Err(CodeError::NewerVersion)
        );
        assert_eq!(
            CoverCode::parse("DECODA-COVER:1:x", "x"),
            Err(CodeError::DoesNotCheck)
        );
    }
}
