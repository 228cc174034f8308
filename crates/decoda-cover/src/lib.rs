//! Patient cover sheets: paper that says whose pages follow it.
//!
//! A person prints a cover sheet for a patient (from the window's patient banner or `decoda
//! cover-sheet`), puts it on top of that patient's pages, and scans a whole stack for several
//! patients at once. The stack is split at each sheet; each part is *proposed* for the patient
//! on its sheet, and a person still confirms it (the sheet is never uploaded).
//!
//! The sheet's QR code holds only the tenant, the patient id and a check value, never a name or
//! birth date: a code read off a photocopy or a bin is no more than an id. A code from another
//! tenant, or one that does not check out, is refused with the reason.

mod code;
mod read;
mod sheet;
mod split;

pub use code::{CodeError, CoverCode};
pub use read::{codes_in, codes_in_jpeg};
pub use sheet::{cover_sheet_image, cover_sheet_pdf, SheetText};
pub use split::{classify, split, split_pages, PageKind, Part};
