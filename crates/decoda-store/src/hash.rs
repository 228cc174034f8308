//! Content hashes: how the same document is recognised whatever its name or folder. The engine
//! owns them, since it compares a file with what a lost answer may have stored; the queue and the
//! history keep them.

pub use decoda_engine::hash::{hash_file, ContentHash};
