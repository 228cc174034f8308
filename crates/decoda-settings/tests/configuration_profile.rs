//! The configuration profile schema IT loads into its MDM (`src-tauri/macos/com.decodahealth.uploader.json`,
//! for Jamf's "Application & Custom Settings" and the like) against the app: it offers every
//! setting and every field of every table, nothing the app would refuse, and each value in its
//! ranges is applied and locked when a profile sets it, while a value just past a range is refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use decoda_settings::{
    InboxSettings, LayeredSettings, ManagedSource, ScannerSettings, Setting, SettingsFile,
    SystemFileState,
};
use serde_json::Value as Json;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use toml::Value;

fn schema() -> Json {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../src-tauri/macos/com.decodahealth.uploader.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn names(properties: &Json) -> BTreeSet<String> {
    properties.as_object().unwrap().keys().cloned().collect()
}

/// Every table of the settings file with every field it has: the defaults, with the optional
/// tables and fields present.
fn every_table() -> toml::Table {
    let full = SettingsFile {
        inbox: Some(InboxSettings {
            folder: Some("/scans".into()),
            sent_folder: Some("/sent".into()),
            settle_seconds: Some(2),
        }),
        scanners: Some(ScannerSettings {
            addresses: vec!["http://10.0.0.9/eSCL".into()],
        }),
        ..SettingsFile::default()
    };
    toml::Table::try_from(&full).unwrap()
}

#[test]
fn the_schema_offers_every_setting_and_every_field_and_nothing_else() {
    let schema = schema();
    let properties = &schema["properties"];
    let mut expected: BTreeSet<String> = Setting::ALL.iter().map(|s| s.key().to_owned()).collect();
    expected.insert("locked".into());
    assert_eq!(names(properties), expected);
    for (key, value) in every_table() {
        if let Value::Table(table) = value {
            let fields: BTreeSet<String> = table.keys().cloned().collect();
            assert_eq!(names(&properties[&key]["properties"]), fields, "[{key}]");
        }
    }
    let lockable: BTreeSet<String> = properties["locked"]["items"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        lockable,
        Setting::ALL.iter().map(|s| s.key().to_owned()).collect()
    );
}

/// What an administrator would enter for each text setting.
fn sample_text(name: &str) -> &'static str {
    match name {
        "api_url" => "https://api.clinic.example",
        "tenant" => "clinic-west",
        "proxy" => "http://proxy.clinic.local:3128",
        "folder" => "/Users/Shared/Scans",
        "sent_folder" => "/Users/Shared/Scans/Sent",
        other => panic!("the schema has a text setting {other} this test has no sample for"),
    }
}

/// A value a property can take, and whether the app must accept it.
struct Sample {
    value: Value,
    accepted: bool,
}

fn samples(name: &str, property: &Json) -> Vec<Sample> {
    let ok = |value| Sample {
        value,
        accepted: true,
    };
    match property["type"].as_str().unwrap() {
        "string" => match property.get("enum") {
            Some(items) => items
                .as_array()
                .unwrap()
                .iter()
                .map(|v| ok(Value::String(v.as_str().unwrap().into())))
                .collect(),
            None => vec![ok(Value::String(sample_text(name).into()))],
        },
        "integer" => {
            let bound = |b: &str| {
                property[b]
                    .as_i64()
                    .unwrap_or_else(|| panic!("{name} has no {b}"))
            };
            vec![
                ok(Value::Integer(bound("minimum"))),
                ok(Value::Integer(bound("maximum"))),
                Sample {
                    value: Value::Integer(bound("maximum") + 1),
                    accepted: false,
                },
            ]
        }
        "boolean" => vec![ok(Value::Boolean(true)), ok(Value::Boolean(false))],
        "array" => {
            let items = &property["items"];
            let item_values: Vec<Value> = match items.get("enum") {
                Some(all) => all
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| Value::String(v.as_str().unwrap().into()))
                    .collect(),
                None => vec![Value::String("http://192.168.1.40/eSCL".into())],
            };
            vec![ok(Value::Array(item_values))]
        }
        other => panic!("{name} is of type {other}"),
    }
}

/// Writes a profile setting one value, at `path` (a table's field when two names), as macOS
/// writes a configuration profile's payload.
fn profile(dir: &Path, path: &[&str], value: &Value) -> PathBuf {
    fn to_plist(value: &Value) -> plist::Value {
        match value {
            Value::String(s) => plist::Value::String(s.clone()),
            Value::Integer(n) => plist::Value::Integer((*n).into()),
            Value::Boolean(b) => plist::Value::Boolean(*b),
            Value::Array(items) => plist::Value::Array(items.iter().map(to_plist).collect()),
            other => panic!("{other:?}"),
        }
    }
    let mut leaf = plist::Dictionary::new();
    leaf.insert(path[path.len() - 1].into(), to_plist(value));
    let dict = match path {
        [table, _] => {
            let mut top = plist::Dictionary::new();
            top.insert((*table).into(), plist::Value::Dictionary(leaf));
            top
        }
        _ => leaf,
    };
    let file = dir.join("com.decodahealth.uploader.plist");
    plist::Value::Dictionary(dict).to_file_xml(&file).unwrap();
    file
}

#[test]
fn every_value_the_schema_allows_is_applied_and_locked_and_one_past_a_range_is_refused() {
    let schema = schema();
    let dir = tempfile::tempdir().unwrap();
    let user = dir.path().join("user.toml");
    std::fs::write(&user, "tenant = \"my-own\"\nhistory_days = 7\n").unwrap();
    let no_fleet_file = dir.path().join("config.toml");
    let mut leaves = Vec::new();
    for (key, property) in schema["properties"].as_object().unwrap() {
        match property.get("properties") {
            Some(fields) => {
                for (field, inner) in fields.as_object().unwrap() {
                    leaves.push((vec![key.as_str(), field.as_str()], inner));
                }
            }
            None => leaves.push((vec![key.as_str()], property)),
        }
    }
    let (mut tried, mut refused) = (0, 0);
    for (path, property) in leaves {
        for sample in samples(path[path.len() - 1], property) {
            let file = profile(dir.path(), &path, &sample.value);
            let layered =
                LayeredSettings::load_managed(&user, &no_fleet_file, ManagedSource::Profile(file))
                    .unwrap();
            let shown = path.join(".");
            if !sample.accepted {
                let problem = layered.system_problem().unwrap_or_else(|| {
                    panic!(
                        "{shown} = {} is past the app's range, yet applied",
                        sample.value
                    )
                });
                assert!(problem.contains(path[path.len() - 1]), "{problem}");
                refused += 1;
                continue;
            }
            assert_eq!(
                layered.system,
                SystemFileState::Applied,
                "{shown} = {}",
                sample.value
            );
            if path == ["locked"] {
                assert_eq!(
                    layered.locked.len(),
                    Setting::ALL.len(),
                    "every listed setting is locked"
                );
                tried += 1;
                continue;
            }
            let effective = toml::Table::try_from(&layered.effective).unwrap();
            let at = match path.as_slice() {
                [key] => effective.get(*key),
                [table, field] => effective.get(*table).and_then(|t| t.get(*field)),
                _ => None,
            };
            assert_eq!(at, Some(&sample.value), "{shown}");
            let setting = Setting::ALL
                .into_iter()
                .find(|s| s.key() == path[0])
                .unwrap();
            assert!(layered.is_locked(setting), "{shown} is enforced");
            tried += 1;
        }
    }
    assert!(tried >= 39, "only {tried} values were applied");
    assert!(
        refused >= 13,
        "only {refused} values past a range were tried"
    );
}
