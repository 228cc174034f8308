//! How long to wait on a bulk request, measured where it means something.
//!
//! A whole-request timeout would cut off a large upload on a slow link that is progressing
//! normally, so an upload is bounded in two other ways: a *stall* (no byte could be sent for a
//! while, before the body was complete: safe to retry) and the *answer* wait (the body was sent
//! and the server has not answered: the files may have landed, so the chart is checked).

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Upload timeouts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "snake_case")]
pub struct Timeouts {
    /// Give up on a request when no byte of its body could be sent for this long.
    #[serde(with = "crate::retry::millis")]
    pub stall: Duration,
    /// Give up waiting for the answer this long after the whole body was sent.
    #[serde(with = "crate::retry::millis")]
    pub answer: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            stall: Duration::from_secs(60),
            // The server stores every file of the request (concurrently) before it answers.
            answer: Duration::from_secs(180),
        }
    }
}
