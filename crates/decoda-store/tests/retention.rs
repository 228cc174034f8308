//! The history's retention: whatever the setting says, pruning at start-up cannot panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use decoda_store::Store;

#[test]
fn a_retention_longer_than_the_calendar_keeps_everything_instead_of_panicking() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    for days in [u32::MAX, 100_000_000, 3_000_000, 3650, 0] {
        assert_eq!(
            store.prune_history(days).unwrap(),
            0,
            "an empty history prunes nothing for {days} days"
        );
    }
}
