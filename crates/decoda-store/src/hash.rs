//! Content hashes: how the same document is recognised whatever its name or folder. The queue and
//! the history keep them; `decoda-hash` takes them, for this crate and the engine alike.

pub use decoda_hash::{hash_file, ContentHash};
