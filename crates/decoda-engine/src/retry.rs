//! When to try a request again, and how long to wait first.
//!
//! The decision of *whether* a failure is safe to retry lives in the upload loop, which knows if
//! the body was fully sent; this module only bounds the number of tries and spaces them out with
//! exponential backoff and jitter, so that many workstations recovering from one outage do not
//! all come back at the same instant.

use backon::{BackoffBuilder, ExponentialBuilder};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How hard to try.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "snake_case")]
pub struct RetryPolicy {
    /// Tries per request, the first included.
    pub max_attempts: u32,
    /// The first wait.
    #[serde(with = "millis")]
    pub initial_delay: Duration,
    /// The longest wait between two tries.
    #[serde(with = "millis")]
    pub max_delay: Duration,
    /// The longest wait a rate limit may impose before we give up instead.
    #[serde(with = "millis")]
    pub max_rate_limit_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            initial_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_rate_limit_wait: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// The waits before the 2nd, 3rd, … tries.
    pub(crate) fn delays(&self) -> impl Iterator<Item = Duration> {
        ExponentialBuilder::default()
            .with_min_delay(self.initial_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_attempts.saturating_sub(1) as usize)
            .with_jitter()
            .build()
    }
}

/// (De)serialises a `Duration` as whole milliseconds, the unit settings files use.
pub(crate) mod millis {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis().try_into().unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_are_bounded_in_count_and_size() {
        let policy = RetryPolicy {
            max_attempts: 4,
            initial_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
            ..RetryPolicy::default()
        };
        let delays: Vec<_> = policy.delays().collect();
        assert_eq!(delays.len(), 3, "three retries after the first try");
        // Jitter adds up to one more base delay on top of the capped value.
        assert!(
            delays.iter().all(|d| *d <= Duration::from_millis(600)),
            "{delays:?}"
        );
    }
}
