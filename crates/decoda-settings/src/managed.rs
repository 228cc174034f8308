//! macOS managed preferences: the fleet settings a configuration profile (MDM) sets.
//!
//! A Mac managed by MDM gets its settings as a configuration profile, not as a file IT copies:
//! the system writes the profile's payload for the app's domain, `com.decodahealth.uploader`, to
//! `/Library/Managed Preferences/com.decodahealth.uploader.plist`, owned by root. Its keys are the
//! fleet file's (`api_url`, `tenant`, `locked`, `limits`…), as property list types. It is read as
//! another system layer, on top of the fleet file. Every setting the profile sets is locked where
//! the layers are merged, as macOS forces managed preferences; the fleet file's `locked` list
//! (and the profile's own, for settings only the file sets) apply too.

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use crate::{Result, SettingsError};

/// The app's preference domain, as a configuration profile's payload names it.
pub const PREFERENCE_DOMAIN: &str = "com.decodahealth.uploader";

/// Where macOS keeps the profile's settings for every account of the Mac (`None` elsewhere).
pub fn managed_preferences_path() -> Option<PathBuf> {
    cfg!(target_os = "macos").then(|| {
        Path::new("/Library/Managed Preferences").join(format!("{PREFERENCE_DOMAIN}.plist"))
    })
}

/// The profile's settings as a settings table, or `None` when no profile sets any.
pub(crate) fn read(path: &Path) -> Result<Option<Table>> {
    if !path.exists() {
        return Ok(None);
    }
    let invalid = |reason: String| SettingsError::Invalid {
        path: path.to_path_buf(),
        reason,
    };
    let value = plist::Value::from_file(path)
        .map_err(|e| invalid(format!("the managed preferences cannot be read ({e})")))?;
    let plist::Value::Dictionary(dict) = value else {
        return Err(invalid(
            "the managed preferences are not a dictionary of settings".into(),
        ));
    };
    let mut table = Table::new();
    for (key, value) in dict {
        // Keys a profile carries about itself, not settings.
        if key.starts_with("Payload") {
            continue;
        }
        let value = to_toml(value).map_err(|why| invalid(format!("{key}: {why}")))?;
        table.insert(key, value);
    }
    Ok(Some(table))
}

fn to_toml(value: plist::Value) -> std::result::Result<Value, String> {
    Ok(match value {
        plist::Value::String(s) => Value::String(s),
        plist::Value::Boolean(b) => Value::Boolean(b),
        plist::Value::Integer(i) => Value::Integer(
            i.as_signed()
                .ok_or_else(|| "the number is too large".to_owned())?,
        ),
        plist::Value::Real(r) => Value::Float(r),
        plist::Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(to_toml)
                .collect::<std::result::Result<_, _>>()?,
        ),
        plist::Value::Dictionary(dict) => Value::Table(
            dict.into_iter()
                .map(|(k, v)| to_toml(v).map(|v| (k, v)))
                .collect::<std::result::Result<_, _>>()?,
        ),
        _ => return Err("a date or binary data, which no setting takes".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profiles_property_list_becomes_settings_without_its_own_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("com.decodahealth.uploader.plist");
        std::fs::write(
            &path,
            r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
  <key>PayloadUUID</key><string>9A1C</string>
  <key>tenant</key><string>clinic-west</string>
  <key>keep_history</key><true/>
  <key>locked</key><array><string>tenant</string></array>
  <key>limits</key><dict><key>max_files_per_request</key><integer>5</integer></dict>
</dict></plist>"#,
        )
        .unwrap();
        let table = read(&path).unwrap().unwrap();
        assert_eq!(table["tenant"].as_str(), Some("clinic-west"));
        assert_eq!(table["keep_history"].as_bool(), Some(true));
        assert_eq!(
            table["limits"]["max_files_per_request"].as_integer(),
            Some(5)
        );
        assert!(!table.contains_key("PayloadUUID"));
        assert_eq!(crate::test_support::locked(&table), ["tenant"], "as listed");
        assert_eq!(read(&dir.path().join("absent.plist")).unwrap(), None);
    }

    #[test]
    fn a_value_no_setting_takes_is_refused_naming_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.plist");
        std::fs::write(
            &path,
            r#"<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict><key>tenant</key><data>AAAA</data></dict></plist>"#,
        )
        .unwrap();
        let e = read(&path).unwrap_err().to_string();
        assert!(e.contains("tenant: a date or binary data"), "{e}");
    }
}
