//! The real OS keychain (Secret Service on Linux). The test script runs it inside a private D-Bus
//! session with an unlocked gnome-keyring and sets DECODA_REQUIRE_KEYCHAIN=1, so it cannot pass
//! by skipping there; elsewhere it is skipped when no session bus exists.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use decoda_api::{ApiKey, BaseUrl};
use decoda_settings::Keychain;

fn keychain_available() -> bool {
    let available =
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() || !cfg!(target_os = "linux");
    assert!(
        available || std::env::var_os("DECODA_REQUIRE_KEYCHAIN").is_none(),
        "DECODA_REQUIRE_KEYCHAIN is set but there is no D-Bus session"
    );
    available
}

#[test]
fn a_key_round_trips_through_the_real_keychain_and_delete_is_idempotent() {
    if !keychain_available() {
        eprintln!("skipped: no keychain here");
        return;
    }
    let keychain = Keychain::with_service(format!("decoda-uploader-test-{}", uuid::Uuid::new_v4()));
    let base = BaseUrl::parse("http://127.0.0.1:9").unwrap();
    assert!(
        keychain.get(&base, "clinic-a").unwrap().is_none(),
        "nothing stored yet"
    );
    keychain
        .set(&base, "clinic-a", &ApiKey::new("secret-one"))
        .unwrap();
    keychain
        .set(&base, "clinic-b", &ApiKey::new("secret-two"))
        .unwrap();
    assert_eq!(
        keychain.get(&base, "clinic-a").unwrap().unwrap().expose(),
        "secret-one"
    );
    assert_eq!(
        keychain.get(&base, "clinic-b").unwrap().unwrap().expose(),
        "secret-two",
        "one entry per tenant"
    );
    keychain
        .set(&base, "clinic-a", &ApiKey::new("secret-three"))
        .unwrap();
    assert_eq!(
        keychain.get(&base, "clinic-a").unwrap().unwrap().expose(),
        "secret-three",
        "replaced, not added"
    );
    keychain.delete(&base, "clinic-a").unwrap();
    keychain.delete(&base, "clinic-a").unwrap();
    assert!(keychain.get(&base, "clinic-a").unwrap().is_none());
    keychain.delete(&base, "clinic-b").unwrap();
}
