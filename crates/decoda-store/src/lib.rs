//! The upload queue and history, kept in SQLite so that nothing is lost and nothing is sent twice.
//!
//! Every file is written to the queue, with its patient and content hash, before a byte of it is
//! sent, and each change of state is one transaction (WAL mode, so a crash or `kill -9` leaves
//! the last committed state). A file the server confirmed goes to the history in the same
//! transaction that marks it uploaded. A process that sends holds a lock on its run (see
//! [`RunLock`]); another process takes over a run's unfinished rows only once that lock is free,
//! which the operating system guarantees when the owner dies.
//!
//! The database holds patient ids and file names (patient data, kept on the user's own machine)
//! but never the API key, signed URLs or file contents. Only the queue, whose rows are deleted
//! once their files are done, keeps full paths (to resume); the history, kept for months, keeps
//! only file names, since folder names are often patient names. Its folder and files are readable
//! by their owner only, and deleted rows are overwritten on disk (`secure_delete`).
//!
//! This crate only keeps records; deciding what is sent, skipped or looked for in the chart is the
//! upload core's (`decoda-core`).

mod error;
mod hash;
mod history;
mod local_folder;
mod private;
mod queue;
mod run_lock;
mod schema;
mod store;

pub use error::{Result, StoreError};
pub use hash::{hash_file, ContentHash};
pub use history::{HistoryEntry, HistoryQuery, MoveRecord};
pub use queue::{NewItem, QueueRow, RowState};
pub use run_lock::RunLock;
pub use store::{default_data_dir, Account, Store};
