//! `decoda patient`: show one patient, or search.

use crate::{
    args::PatientArgs,
    context::Context,
    exit::{self, CliError},
};
use decoda_api::{models::Patient, PatientId};

/// Prints the patient, or the search results, as text or JSON.
pub async fn run(ctx: &Context, args: PatientArgs) -> Result<u8, CliError> {
    let client = ctx.client()?;
    let patients = match (&args.id, &args.search) {
        (Some(id), _) => vec![client.patient(&PatientId::new(id.as_str())).await?],
        (None, Some(term)) => client.search_patients(term, args.limit).await?,
        (None, None) => return Err(CliError::Usage("give a patient id or --search TEXT".into())),
    };
    if args.json {
        let out =
            serde_json::to_string_pretty(&patients).map_err(|e| CliError::Usage(e.to_string()))?;
        println!("{out}");
    } else if patients.is_empty() {
        eprintln!("No patients found.");
    } else {
        for p in &patients {
            println!("{}", describe(p));
        }
    }
    Ok(exit::OK)
}

/// `Maria Garcia  born 1984-03-12  id pat_1001`, with a flag for archived charts.
pub fn describe(p: &Patient) -> String {
    let dob = p.date_of_birth.as_deref().unwrap_or("unknown");
    let archived = if p.is_archived == Some(true) {
        "  [ARCHIVED]"
    } else {
        ""
    };
    format!("{}  born {dob}  id {}{archived}", p.display_name(), p.id)
}
