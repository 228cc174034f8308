//! Watches the folder a clinic's scanner writes into and hands over each file once it is fully
//! written.
//!
//! Scanners write a file over seconds, often under a temporary name, sometimes while holding a
//! lock; a file picked up too early is a truncated scan in a patient's chart. So a file is handed
//! over only when its size and modification time have stood still for a settle period, it is not
//! empty, it can be opened, and no other program holds it exclusively locked. Temporary, partial
//! and hidden names never are. Change events make this quick; a periodic full listing makes it
//! work on network shares that send no events.
//!
//! After a confirmed upload, [`move_to_sent`] moves the file aside without ever overwriting or
//! deleting anything. This crate knows nothing of uploads or windows: the app decides what to do
//! with a ready file.
//!
//! File names often hold patient names, so they are logged at debug level only.

mod config;
mod error;
mod names;
mod probe;
mod sent;
mod tracker;
mod watcher;

pub use config::InboxConfig;
pub use error::{InboxError, Result};
pub use names::is_ignored_name;
pub use sent::move_to_sent;
pub use watcher::Inbox;
