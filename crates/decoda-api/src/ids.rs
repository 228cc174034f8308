//! Newtype ids, so that a note id can never be passed where a patient id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id as the server or the user gave it (no trimming: ids are opaque).
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id's text, for building requests.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::new(s)
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self::new(s)
            }
        }
    };
}

id_type!(
    /// A patient's id in the clinic's tenant.
    PatientId
);
id_type!(
    /// A clinical note's id; files can be attached to one.
    NoteId
);
id_type!(
    /// An uploaded attachment's id, as the server assigned it.
    AttachmentId
);
