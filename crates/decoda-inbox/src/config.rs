//! How the inbox is set up: which folder, and how long a file must stay still before it counts as
//! fully written.

use std::path::PathBuf;
use std::time::Duration;

/// The checks never run more often than this, so a tiny settle period cannot spin a core.
const MIN_TICK: Duration = Duration::from_millis(50);
/// The checks run at least this often, so a file that was locked is handed over soon after the
/// lock goes (releasing a lock sends no event).
const MAX_TICK: Duration = Duration::from_secs(1);
/// Listings happen at least daily; this also keeps "never" (`Duration::MAX`) from overflowing.
const MAX_LISTING_INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);

/// Settings for [`Inbox::watch`](crate::Inbox::watch).
///
/// Built with [`InboxConfig::new`] and then adjusted field by field, so new settings can be added
/// without breaking callers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InboxConfig {
    /// The scanner's output folder. Only files directly in it are handed over; subfolders (a
    /// "sent" folder inside the inbox, for instance) are ignored.
    pub folder: PathBuf,
    /// How long a file's size and modification time must stay unchanged before it is handed over.
    /// Scanners write in bursts; two seconds of quiet is long enough for the ones we know of and
    /// short enough that staff do not wait.
    pub settle: Duration,
    /// How often the whole folder is listed even without change events. Network shares often
    /// deliver no events at all, so this listing is what finds files there.
    pub rescan: Duration,
}

impl InboxConfig {
    /// The default settle period.
    pub const DEFAULT_SETTLE: Duration = Duration::from_secs(2);
    /// The default interval between full listings.
    pub const DEFAULT_RESCAN: Duration = Duration::from_secs(10);

    /// Settings for `folder` with the default settle period (2 s) and listing interval (10 s).
    pub fn new(folder: PathBuf) -> Self {
        Self {
            folder,
            settle: Self::DEFAULT_SETTLE,
            rescan: Self::DEFAULT_RESCAN,
        }
    }

    /// How often candidates are checked: a quarter of the settle period, so a settled file waits
    /// at most a quarter longer than needed, within 50 ms to 1 s.
    pub(crate) fn tick(&self) -> Duration {
        (self.settle / 4).clamp(MIN_TICK, MAX_TICK)
    }

    /// The listing interval, between a tick and a day.
    pub(crate) fn listing_interval(&self) -> Duration {
        self.rescan.clamp(self.tick(), MAX_LISTING_INTERVAL)
    }
}

#[cfg(test)]
mod tests {
    use super::InboxConfig;
    use std::time::Duration;

    #[test]
    fn defaults_are_two_seconds_settle_and_ten_seconds_listing() {
        let config = InboxConfig::new("inbox".into());
        assert_eq!(config.settle, Duration::from_secs(2));
        assert_eq!(config.rescan, Duration::from_secs(10));
        assert_eq!(
            config.tick(),
            Duration::from_millis(500),
            "a quarter of the settle period"
        );
    }

    #[test]
    fn a_zero_settle_period_still_ticks_at_a_sane_pace() {
        let mut config = InboxConfig::new("inbox".into());
        config.settle = Duration::ZERO;
        config.rescan = Duration::ZERO;
        assert_eq!(
            config.tick(),
            Duration::from_millis(50),
            "must not spin a core"
        );
        assert_eq!(config.listing_interval(), Duration::from_millis(50));
    }

    #[test]
    fn huge_periods_are_capped_so_time_arithmetic_cannot_overflow() {
        let mut config = InboxConfig::new("inbox".into());
        config.settle = Duration::MAX;
        config.rescan = Duration::MAX;
        assert_eq!(
            config.tick(),
            Duration::from_secs(1),
            "a released lock is noticed soon"
        );
        assert_eq!(config.listing_interval(), Duration::from_secs(86_400));
    }
}
