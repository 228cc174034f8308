//! `decoda patient`: show one patient, or search.

use crate::{
    args::PatientArgs,
    context::Context,
    exit::{self, CliError},
};
use decoda_api::PatientId;
use decoda_core::identity::{card_of, cards, today};

/// Prints the patient, or the search results, as text (each in the banner's format, with the
/// patients they could be confused with) or JSON.
pub async fn run(ctx: &Context, args: PatientArgs) -> Result<u8, CliError> {
    let client = ctx.client()?;
    let patients = match (&args.id, &args.search) {
        (Some(id), _) => vec![client.patient(&PatientId::new(id.as_str())).await?],
        (None, Some(term)) => decoda_core::find_patients(&client, term, args.limit).await?,
        (None, None) => return Err(CliError::Usage("give a patient id or --search TEXT".into())),
    };
    if args.json {
        let out =
            serde_json::to_string_pretty(&patients).map_err(|e| CliError::Usage(e.to_string()))?;
        println!("{out}");
        return Ok(exit::OK);
    }
    let shown = match (&args.id, patients.first()) {
        // One patient by id: their look-alikes come from a search by their family name.
        (Some(_), Some(patient)) => vec![card_of(&client, patient).await],
        _ => cards(&patients, today()),
    };
    if shown.is_empty() {
        eprintln!("No patients found.");
    }
    for card in shown {
        println!("{}", card.line());
        for look_alike in &card.look_alikes {
            println!("  Warning: {look_alike}.");
        }
    }
    Ok(exit::OK)
}
