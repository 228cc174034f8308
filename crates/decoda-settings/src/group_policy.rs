//! Windows Group Policy: the fleet settings an administrative template (ADMX) sets.
//!
//! Clinics that manage Windows with Group Policy or Intune set the app's policies from the
//! administrative template shipped with each release (`src-tauri/windows/policy/`), rather than
//! copying a file. Windows writes them under [`POLICY_KEY`] in `HKEY_LOCAL_MACHINE`, a key that
//! only administrators and SYSTEM can write, so no ownership check is needed as for the fleet
//! file. The value names are the fleet file's keys; a table's keys are values in a subkey named
//! after it (`inbox\folder`). They are read as another system layer on top of the fleet file, as
//! a macOS configuration profile is.
//!
//! A policy that is set is enforced, as every Windows program's policies are: its setting is
//! locked, whatever the fleet file's `locked` says.

use toml::{Table, Value};

/// The key under `HKEY_LOCAL_MACHINE` the administrative template writes.
pub const POLICY_KEY: &str = r"SOFTWARE\Policies\Decoda Health\Decoda Uploader";

/// The key's full name, as an administrator finds it in the Registry Editor and as messages name it.
pub fn policy_key_name() -> String {
    format!(r"HKEY_LOCAL_MACHINE\{POLICY_KEY}")
}

/// Settings that are a yes or a no: Group Policy stores them as a number, 1 or 0.
const SWITCHES: [(&str, &str); 2] = [
    ("", "keep_history"),
    ("limits", "allow_programs_and_archives"),
];

/// A registry value's data, in the types the template writes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyData {
    /// `REG_DWORD`.
    Number(u32),
    /// `REG_SZ` or `REG_EXPAND_SZ` (as stored: variables are not expanded).
    Text(String),
    /// `REG_MULTI_SZ`.
    List(Vec<String>),
    /// Any other type, which no setting takes; its name, for the message.
    Other(&'static str),
}

/// One value under the policy key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyValue {
    /// The subkey it is in: empty for the policy key itself, else a table's name (`inbox`).
    pub subkey: String,
    /// The value's name: a setting's key.
    pub name: String,
    /// Its data.
    pub data: PolicyData,
}

impl PolicyValue {
    /// A value, for callers that read the registry and for tests.
    pub fn new(subkey: &str, name: &str, data: PolicyData) -> Self {
        Self {
            subkey: subkey.to_owned(),
            name: name.to_owned(),
            data,
        }
    }

    fn path(&self) -> String {
        if self.subkey.is_empty() {
            self.name.clone()
        } else {
            format!(r"{}\{}", self.subkey, self.name)
        }
    }
}

/// The policies as a settings table, or `None` when none is set (every setting in it is locked
/// where the layers are merged, as for any device management's). The error says which value is
/// wrong, and why.
pub(crate) fn to_table(values: Vec<PolicyValue>) -> Result<Option<Table>, String> {
    if values.is_empty() {
        return Ok(None);
    }
    let mut table = Table::new();
    for value in values {
        let top = if value.subkey.is_empty() {
            &value.name
        } else {
            &value.subkey
        };
        if top == "locked" {
            return Err(
                "the policy key holds `locked`: every policy set is enforced, so none is needed"
                    .into(),
            );
        }
        let path = value.path();
        let data = to_toml(&value).map_err(|why| format!(r"the policy value {path} {why}"))?;
        if value.subkey.is_empty() {
            table.insert(value.name, data);
            continue;
        }
        let sub = table
            .entry(value.subkey.clone())
            .or_insert_with(|| Value::Table(Table::new()));
        let Value::Table(sub) = sub else {
            return Err(format!(
                r"{} is both a value and a subkey of the policy key",
                value.subkey
            ));
        };
        sub.insert(value.name, data);
    }
    Ok(Some(table))
}

fn to_toml(value: &PolicyValue) -> Result<Value, String> {
    let switch = SWITCHES.contains(&(value.subkey.as_str(), value.name.as_str()));
    Ok(match (&value.data, switch) {
        (PolicyData::Number(0), true) => Value::Boolean(false),
        (PolicyData::Number(1), true) => Value::Boolean(true),
        (PolicyData::Number(n), true) => {
            return Err(format!("is {n}; it must be 1 (yes) or 0 (no)"))
        }
        (PolicyData::Number(n), false) => Value::Integer(i64::from(*n)),
        (PolicyData::Text(text), _) => Value::String(text.clone()),
        (PolicyData::List(items), _) => {
            Value::Array(items.iter().cloned().map(Value::String).collect())
        }
        (PolicyData::Other(kind), _) => {
            return Err(format!("is of type {kind}, which no setting takes"))
        }
    })
}

/// Reads the values under the policy key and its subkeys; none when the key is absent (no policy
/// is set).
#[cfg(windows)]
pub(crate) fn read_machine() -> Result<Vec<PolicyValue>, String> {
    read_key(windows_registry::LOCAL_MACHINE, POLICY_KEY)
}

#[cfg(windows)]
fn read_key(root: &windows_registry::Key, path: &str) -> Result<Vec<PolicyValue>, String> {
    /// `HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)`: the key does not exist.
    const NOT_FOUND: i32 = 0x8007_0002_u32 as i32;
    let key = match root.open(path) {
        Ok(key) => key,
        Err(e) if e.code().0 == NOT_FOUND => return Ok(Vec::new()),
        Err(e) => return Err(unreadable(e)),
    };
    let mut values = values_of(&key, "").map_err(unreadable)?;
    for subkey in key.keys().map_err(unreadable)? {
        let sub = key.open(&subkey).map_err(unreadable)?;
        values.extend(values_of(&sub, &subkey).map_err(unreadable)?);
    }
    Ok(values)
}

#[cfg(windows)]
fn unreadable(e: impl std::fmt::Display) -> String {
    format!("it cannot be read ({e})")
}

#[cfg(windows)]
fn values_of(
    key: &windows_registry::Key,
    subkey: &str,
) -> windows_registry::Result<Vec<PolicyValue>> {
    use windows_registry::Type;
    key.values()?
        .map(|(name, value)| {
            let data = match value.ty() {
                Type::U32 => PolicyData::Number(u32::try_from(value)?),
                Type::String | Type::ExpandString => PolicyData::Text(String::try_from(value)?),
                // The list's terminator can come back as empty items; Group Policy writes none.
                Type::MultiString => PolicyData::List(
                    Vec::<String>::try_from(value)?
                        .into_iter()
                        .filter(|item| !item.is_empty())
                        .collect(),
                ),
                Type::U64 => PolicyData::Other("REG_QWORD"),
                Type::Bytes => PolicyData::Other("REG_BINARY"),
                Type::Other(_) => PolicyData::Other("unknown"),
            };
            Ok(PolicyValue::new(subkey, &name, data))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The registry reader, on a key of the current user's (writing under the policy key would
    /// need an administrator and change what every other test reads).
    #[cfg(windows)]
    #[test]
    fn the_registry_reader_reads_each_type_the_template_writes_and_a_subkeys_values() {
        let path = format!(r"Software\DecodaUploaderTest-{}", std::process::id());
        let root = windows_registry::CURRENT_USER;
        assert_eq!(
            read_key(root, &path).unwrap(),
            Vec::new(),
            "absent: no policy"
        );
        let key = root.create(&path).unwrap();
        key.set_string("tenant", "clinic-west").unwrap();
        key.set_u32("keep_history", 1).unwrap();
        key.set_u64("history_days", 30).unwrap();
        key.create("scanners")
            .unwrap()
            .set_multi_string(
                "addresses",
                &["http://10.0.0.9/eSCL", "http://10.0.0.10/eSCL"],
            )
            .unwrap();
        let mut values = read_key(root, &path).unwrap();
        root.remove_tree(&path).unwrap();
        values.sort_by(|a, b| (&a.subkey, &a.name).cmp(&(&b.subkey, &b.name)));
        assert_eq!(
            values,
            [
                PolicyValue::new("", "history_days", PolicyData::Other("REG_QWORD")),
                PolicyValue::new("", "keep_history", PolicyData::Number(1)),
                PolicyValue::new("", "tenant", PolicyData::Text("clinic-west".into())),
                PolicyValue::new(
                    "scanners",
                    "addresses",
                    PolicyData::List(vec![
                        "http://10.0.0.9/eSCL".into(),
                        "http://10.0.0.10/eSCL".into()
                    ])
                ),
            ]
        );
    }

    #[test]
    fn values_become_settings_and_each_setting_set_is_locked() {
        let values = vec![
            PolicyValue::new("", "tenant", PolicyData::Text("clinic-west".into())),
            PolicyValue::new("", "keep_history", PolicyData::Number(0)),
            PolicyValue::new("", "history_days", PolicyData::Number(90)),
            PolicyValue::new("inbox", "folder", PolicyData::Text(r"D:\Scans".into())),
            PolicyValue::new("inbox", "sent_folder", PolicyData::Text(r"D:\Sent".into())),
            PolicyValue::new(
                "scanners",
                "addresses",
                PolicyData::List(vec!["http://10.0.0.9/eSCL".into()]),
            ),
        ];
        let table = to_table(values.clone()).unwrap().unwrap();
        assert_eq!(table["tenant"].as_str(), Some("clinic-west"));
        assert_eq!(table["keep_history"].as_bool(), Some(false));
        assert_eq!(table["history_days"].as_integer(), Some(90));
        assert_eq!(table["inbox"]["sent_folder"].as_str(), Some(r"D:\Sent"));
        assert_eq!(
            table["scanners"]["addresses"][0].as_str(),
            Some("http://10.0.0.9/eSCL")
        );
        let dir = tempfile::tempdir().unwrap();
        let layered = crate::LayeredSettings::load_managed(
            &dir.path().join("user.toml"),
            &dir.path().join("config.toml"),
            crate::ManagedSource::GroupPolicy(Ok(values)),
        )
        .unwrap();
        let locked: Vec<&str> = layered.locked.iter().map(|s| s.key()).collect();
        assert_eq!(
            locked,
            [
                "tenant",
                "history_days",
                "keep_history",
                "inbox",
                "scanners"
            ]
        );
        assert_eq!(to_table(Vec::new()).unwrap(), None, "no policy set");
    }

    #[test]
    fn a_value_no_setting_takes_is_refused_naming_it() {
        let e = to_table(vec![PolicyValue::new(
            "limits",
            "allow_programs_and_archives",
            PolicyData::Number(2),
        )])
        .unwrap_err();
        assert!(
            e.contains(r"limits\allow_programs_and_archives is 2; it must be 1 (yes) or 0 (no)"),
            "{e}"
        );
        let e = to_table(vec![PolicyValue::new(
            "",
            "tenant",
            PolicyData::Other("REG_BINARY"),
        )])
        .unwrap_err();
        assert!(e.contains("tenant is of type REG_BINARY"), "{e}");
        let e = to_table(vec![PolicyValue::new(
            "",
            "locked",
            PolicyData::List(vec!["tenant".into()]),
        )])
        .unwrap_err();
        assert!(e.contains("every policy set is enforced"), "{e}");
    }
}
