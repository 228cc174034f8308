//! The administrative template (`src-tauri/windows/policy/`) against the app: each policy, in
//! every state an administrator can put it in, writes values the app applies and locks, under the
//! key the app reads; and every string and presentation the template names is in its English
//! resources, with nothing left over.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use decoda_settings::group_policy::{PolicyData, PolicyValue, POLICY_KEY};
use decoda_settings::{LayeredSettings, ManagedSource, Setting, SystemFileState};
use roxmltree::{Document, Node};
use std::collections::BTreeSet;
use std::path::Path;
use toml::Value;

const NAMESPACE: &str = "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions";

fn template(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../src-tauri/windows/policy")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What an administrator would type in each text box, by the value it writes.
fn sample_text(name: &str) -> &'static str {
    match name {
        "api_url" => "https://api.clinic.example",
        "tenant" => "clinic-west",
        "proxy" => "http://proxy.clinic.local:3128",
        "folder" => r"D:\Scans\Front desk",
        "sent_folder" => r"D:\Scans\Sent",
        "addresses" => "http://192.168.1.40/eSCL",
        other => panic!("the template has a text value {other} this test has no sample for"),
    }
}

fn child<'a>(node: Node<'a, 'a>, name: &str) -> Option<Node<'a, 'a>> {
    node.children().find(|n| n.has_tag_name((NAMESPACE, name)))
}

fn elements<'a>(node: Node<'a, 'a>) -> impl Iterator<Item = Node<'a, 'a>> {
    node.children().filter(Node::is_element)
}

/// The subkey of the policy key a policy or element writes to.
fn subkey(key: &str) -> String {
    let rest = key
        .strip_prefix(POLICY_KEY)
        .unwrap_or_else(|| panic!("{key} is not under the key the app reads, {POLICY_KEY}"));
    rest.trim_start_matches('\\').to_owned()
}

/// A `<decimal value>` or `<string>` of an enabled, disabled or enum item value.
fn data_of(value: Node) -> PolicyData {
    let v = elements(value).next().expect("a value");
    match v.tag_name().name() {
        "decimal" => PolicyData::Number(v.attribute("value").unwrap().parse().unwrap()),
        "string" => PolicyData::Text(v.text().unwrap_or_default().to_owned()),
        other => panic!("a value of type {other}, which the app does not read"),
    }
}

/// Each choice an element offers, as the data it writes; `None` for an optional one left empty.
fn choices(element: Node) -> Vec<Option<PolicyData>> {
    let name = element.attribute("valueName").unwrap();
    let mut choices: Vec<Option<PolicyData>> = match element.tag_name().name() {
        "text" => vec![Some(PolicyData::Text(sample_text(name).into()))],
        "multiText" => vec![Some(PolicyData::List(vec![
            sample_text(name).into(),
            "http://192.168.1.41/eSCL".into(),
        ]))],
        "decimal" => ["minValue", "maxValue"]
            .iter()
            .map(|bound| {
                let n = element.attribute(*bound).unwrap_or_else(|| {
                    panic!("{name}: a number without {bound}: the app has bounds")
                });
                Some(PolicyData::Number(n.parse().unwrap()))
            })
            .collect(),
        "enum" => elements(element)
            .map(|item| Some(data_of(child(item, "value").unwrap())))
            .collect(),
        "boolean" => vec![Some(PolicyData::Number(1)), Some(PolicyData::Number(0))],
        other => panic!("an element of type {other}, which this test does not know"),
    };
    if element.attribute("required") != Some("true") {
        choices.push(None);
    }
    choices
}

/// Every state a policy can be set to (Enabled with each choice of each element in turn,
/// Disabled where that writes a value), as the registry values it writes.
fn states(policy: Node) -> Vec<Vec<PolicyValue>> {
    let key = subkey(policy.attribute("key").unwrap());
    let mut states = Vec::new();
    if let Some(name) = policy.attribute("valueName") {
        for state in ["enabledValue", "disabledValue"] {
            let value = child(policy, state).unwrap_or_else(|| panic!("{name} without {state}"));
            states.push(vec![PolicyValue::new(&key, name, data_of(value))]);
        }
    }
    let Some(list) = child(policy, "elements") else {
        return states;
    };
    let offered: Vec<(String, &str, Vec<Option<PolicyData>>)> = elements(list)
        .map(|e| {
            let key = e.attribute("key").map_or(key.clone(), subkey);
            (key, e.attribute("valueName").unwrap(), choices(e))
        })
        .collect();
    for (varied, (_, _, options)) in offered.iter().enumerate() {
        for option in 0..options.len() {
            let values = offered
                .iter()
                .enumerate()
                .filter_map(|(i, (key, name, options))| {
                    let data = options[if i == varied { option } else { 0 }].clone()?;
                    Some(PolicyValue::new(key, name, data))
                })
                .collect();
            states.push(values);
        }
    }
    states
}

/// The setting in force at a value's place, as the data Group Policy wrote for it.
fn in_force(effective: &toml::Table, value: &PolicyValue) -> PolicyData {
    let at = if value.subkey.is_empty() {
        effective.get(&value.name)
    } else {
        effective[&value.subkey].get(&value.name)
    };
    match at.unwrap_or_else(|| panic!("{value:?} is not in force")) {
        Value::String(s) => PolicyData::Text(s.clone()),
        Value::Integer(n) => PolicyData::Number(u32::try_from(*n).unwrap()),
        Value::Boolean(b) => PolicyData::Number(u32::from(*b)),
        Value::Array(items) => PolicyData::List(
            items
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect(),
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_policy_in_every_state_is_applied_and_locked() {
    let admx = template("DecodaUploader.admx");
    let doc = Document::parse(&admx).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let user = dir.path().join("user.toml");
    // The user's own choices, which an enforced policy must override.
    std::fs::write(
        &user,
        "tenant = \"my-own\"\nkeep_history = true\nhistory_days = 7\n[limits]\nallow_programs_and_archives = true\n",
    )
    .unwrap();
    let absent_fleet_file = dir.path().join("config.toml");
    let mut tried = 0;
    for policy in doc.descendants().filter(|n| n.has_tag_name("policy")) {
        let name = policy.attribute("name").unwrap();
        assert_eq!(
            policy.attribute("class"),
            Some("Machine"),
            "{name}: the app reads machine policy only"
        );
        let policy_states = states(policy);
        assert!(!policy_states.is_empty(), "{name} writes nothing");
        for values in policy_states {
            let layered = LayeredSettings::load_managed(
                &user,
                &absent_fleet_file,
                ManagedSource::GroupPolicy(Ok(values.clone())),
            )
            .unwrap();
            assert_eq!(
                layered.system,
                SystemFileState::Applied,
                "{name} with {values:?}"
            );
            let effective = toml::Table::try_from(&layered.effective).unwrap();
            for value in &values {
                assert_eq!(in_force(&effective, value), value.data, "{name}: {value:?}");
                let top = if value.subkey.is_empty() {
                    &value.name
                } else {
                    &value.subkey
                };
                let setting = Setting::ALL
                    .into_iter()
                    .find(|s| s.key() == top)
                    .unwrap_or_else(|| panic!("{name} writes {top}, which no setting is"));
                assert!(layered.is_locked(setting), "{name} locks {top}");
                let e = layered.check_unlocked(setting).unwrap_err().to_string();
                assert!(
                    e.contains(POLICY_KEY),
                    "the message names the policy key: {e}"
                );
            }
            tried += 1;
        }
    }
    assert!(tried >= 17, "only {tried} states were tried");
}

#[test]
fn a_number_one_past_its_policys_range_is_refused_so_the_ranges_are_the_apps() {
    let admx = template("DecodaUploader.admx");
    let doc = Document::parse(&admx).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let user = dir.path().join("user.toml");
    std::fs::write(&user, "").unwrap();
    let mut numbers = 0;
    for element in doc
        .descendants()
        .filter(|n| n.has_tag_name("decimal") && n.has_attribute("id"))
    {
        let name = element.attribute("valueName").unwrap();
        let key = subkey(
            element
                .ancestors()
                .find(|n| n.has_attribute("key"))
                .unwrap()
                .attribute("key")
                .unwrap(),
        );
        let max: u32 = element.attribute("maxValue").unwrap().parse().unwrap();
        let layered = LayeredSettings::load_managed(
            &user,
            &dir.path().join("config.toml"),
            ManagedSource::GroupPolicy(Ok(vec![PolicyValue::new(
                &key,
                name,
                PolicyData::Number(max + 1),
            )])),
        )
        .unwrap();
        let problem = layered
            .system_problem()
            .unwrap_or_else(|| panic!("{name} = {} is past the app's range, yet applied", max + 1));
        assert!(problem.contains(name), "{problem}");
        numbers += 1;
    }
    assert!(numbers >= 2, "only {numbers} numbers were tried");
}

#[test]
fn a_policy_goes_on_top_of_the_fleet_file_whose_own_locks_still_hold() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = dir.path().join("config.toml");
    std::fs::write(
        &fleet,
        "api_url = \"https://api.clinic.example\"\ntenant = \"from-the-file\"\nlocked = [\"api_url\"]\n[limits]\nmax_files_per_request = 5\n",
    )
    .unwrap();
    let user = dir.path().join("user.toml");
    std::fs::write(&user, "names_encoding = \"comma\"\n").unwrap();
    let layered = LayeredSettings::load_managed(
        &user,
        &fleet,
        ManagedSource::GroupPolicy(Ok(vec![
            PolicyValue::new("", "tenant", PolicyData::Text("from-policy".into())),
            PolicyValue::new(
                "limits",
                "allow_programs_and_archives",
                PolicyData::Number(0),
            ),
        ])),
    )
    .unwrap();
    let e = &layered.effective;
    assert_eq!(e.tenant.as_deref(), Some("from-policy"));
    assert_eq!(e.limits.max_files_per_request, 5, "tables merge key by key");
    assert!(!e.limits.allow_programs_and_archives);
    assert!(layered.is_locked(Setting::ApiUrl), "the file's lock holds");
    let by_file = layered.check_unlocked(Setting::ApiUrl).unwrap_err();
    assert!(by_file.to_string().contains("config.toml"), "{by_file}");
    assert!(!layered.is_locked(Setting::NamesEncoding));
    assert_eq!(
        e.names_encoding.to_string(),
        "comma",
        "the user's own stays"
    );
    assert_eq!(
        layered.system_sources().len(),
        2,
        "the file and the policy key"
    );
}

#[test]
fn a_wrong_or_unreadable_policy_sets_the_system_layer_aside_naming_the_policy_key() {
    let dir = tempfile::tempdir().unwrap();
    let user = dir.path().join("user.toml");
    std::fs::write(&user, "tenant = \"my-own\"\n").unwrap();
    let fleet = dir.path().join("config.toml");
    std::fs::write(
        &fleet,
        "tenant = \"from-the-file\"\nlocked = [\"tenant\"]\n",
    )
    .unwrap();
    for (values, expected) in [
        (
            Ok(vec![PolicyValue::new(
                "",
                "api_url",
                PolicyData::Text("http://api.clinic.example".into()),
            )]),
            "api_url",
        ),
        (
            Ok(vec![PolicyValue::new(
                "",
                "names_encoding",
                PolicyData::Text("semicolons".into()),
            )]),
            "names_encoding",
        ),
        (
            Ok(vec![PolicyValue::new(
                "",
                "no_such_setting",
                PolicyData::Number(1),
            )]),
            "no_such_setting",
        ),
        (
            Err("it cannot be read (Access is denied.)".into()),
            "Access is denied",
        ),
    ] {
        let layered =
            LayeredSettings::load_managed(&user, &fleet, ManagedSource::GroupPolicy(values))
                .unwrap();
        let problem = layered.system_problem().expect("set aside").to_owned();
        assert!(problem.contains(POLICY_KEY), "{problem}");
        assert!(problem.contains(expected), "{problem}");
        assert!(layered.locked.is_empty(), "no half-applied locks");
        assert_eq!(layered.effective.tenant.as_deref(), Some("my-own"));
    }
}

/// Every `$(string.…)` and `$(presentation.…)` the template names.
fn references<'a>(doc: &'a Document, kind: &str) -> BTreeSet<&'a str> {
    let prefix = format!("$({kind}.");
    doc.descendants()
        .flat_map(|n| n.attributes())
        .filter_map(|a| a.value().strip_prefix(prefix.as_str()))
        .map(|rest| rest.trim_end_matches(')'))
        .collect()
}

fn ids<'a>(doc: &'a Document, tag: &str) -> BTreeSet<&'a str> {
    doc.descendants()
        .filter(|n| n.has_tag_name((NAMESPACE, tag)))
        .map(|n| n.attribute("id").unwrap())
        .collect()
}

#[test]
fn the_english_resources_hold_every_string_and_presentation_and_nothing_else() {
    let admx = template("DecodaUploader.admx");
    let adml = template("en-US/DecodaUploader.adml");
    let policies = Document::parse(&admx).unwrap();
    let resources = Document::parse(&adml).unwrap();
    for doc in [&policies, &resources] {
        let root = doc.root_element();
        assert_eq!(root.tag_name().namespace(), Some(NAMESPACE));
        assert_eq!(root.attribute("revision"), Some("1.0"));
    }
    assert_eq!(references(&policies, "string"), ids(&resources, "string"));
    assert_eq!(
        references(&policies, "presentation"),
        ids(&resources, "presentation")
    );
    for policy in policies.descendants().filter(|n| n.has_tag_name("policy")) {
        let element_ids: BTreeSet<&str> = child(policy, "elements")
            .map(|list| elements(list).map(|e| e.attribute("id").unwrap()).collect())
            .unwrap_or_default();
        let shown: BTreeSet<&str> = policy
            .attribute("presentation")
            .map(|p| {
                let id = p
                    .trim_start_matches("$(presentation.")
                    .trim_end_matches(')');
                let presentation = resources
                    .descendants()
                    .find(|n| n.has_tag_name("presentation") && n.attribute("id") == Some(id))
                    .unwrap();
                elements(presentation)
                    .map(|e| e.attribute("refId").unwrap())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            element_ids,
            shown,
            "{}: each element has its box, and each box its element",
            policy.attribute("name").unwrap()
        );
    }
}
