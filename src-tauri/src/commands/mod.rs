//! The app's commands: thin adapters from the window to the engine and settings crates.
//!
//! Each takes the shared state, calls the same functions the CLI calls, and maps errors to
//! [`crate::UiError`]. None returns the API key, in any form.

pub mod cover;
pub mod diagnostics;
pub mod files;
pub mod history;
pub mod moves;
pub mod patients;
pub mod scanning;
pub mod scans;
pub mod settings;
pub mod stacks;
pub mod suggestions;
pub mod upload;
