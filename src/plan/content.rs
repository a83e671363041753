//! What a plan was made from, so that `apply plan.json` can prove the plan
//! still follows from the tree it is run in: a digest of each file's text,
//! and the settings that shaped the plan.
//!
//! A commit id cannot bind a plan reviewed in a pull request to the tree
//! on main: a merge commit, a squash and a rebase each make a new commit
//! with the same files. The files' content survives all three, so that is
//! what a plan records and what apply compares. Apply then checks each
//! planned `after` against what the tree says for it, which also catches a
//! hand-edited plan file.
//!
//! Digests are SHA-256 of each file's text as read (after stripping),
//! keyed by the path inside the metadata folder; a secret's file (the demo
//! password) gets a keyed digest instead (see [`super::secret`]), since a
//! plain digest of a password can be brute-forced from the artifact.

use super::secret::DigestKey;
use super::{Action, AttributeChange, Change, Plan};
use crate::config::BlankFiles;
use crate::model::Value;
use crate::model::{Attribute, RootField, category_id};
use crate::tree::{MetadataTree, TextValue, UnknownFolders, ValueRef};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The files and settings a plan was made from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Content {
    /// A digest of each file's text, by path inside the metadata folder.
    pub files: BTreeMap<String, String>,
    pub settings: PlanSettings,
    /// The MD5 of each screenshot and preview, by `screenshots/<path in
    /// the folder>` (`previews/…`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub media: BTreeMap<String, String>,
    /// A digest of each in-app purchase and subscription text file, by
    /// its path inside `in_app_purchases/` or `subscriptions/`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub products: BTreeMap<String, String>,
    /// The API key id whose derived key made the secret digests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets_key_id: Option<String>,
}

/// The settings that shape a plan besides the tree and the target.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSettings {
    pub blank_files: BlankFiles,
    pub unknown_folders: UnknownFolders,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub allow_delete: bool,
    /// `--locale`, when the plan was limited to some locales.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locales: Vec<String>,
    /// `--field`, when the plan was limited to some attributes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
}

impl PlanSettings {
    /// Each setting that differs, as `name: planned → now`.
    fn differences(&self, now: &PlanSettings) -> Vec<String> {
        let mut out = Vec::new();
        let mut differ = |name: &str, planned: String, current: String| {
            if planned != current {
                out.push(format!(
                    "{name}: the plan was made with {planned}, this run has {current}"
                ));
            }
        };
        let list = |v: &[String]| {
            if v.is_empty() { "(none)".to_owned() } else { v.join(",") }
        };
        differ(
            "blank_files",
            format!("{:?}", self.blank_files).to_lowercase(),
            format!("{:?}", now.blank_files).to_lowercase(),
        );
        differ(
            "unknown_folders",
            format!("{:?}", self.unknown_folders).to_lowercase(),
            format!("{:?}", now.unknown_folders).to_lowercase(),
        );
        differ("languages", list(&self.languages), list(&now.languages));
        differ(
            "--allow-delete",
            self.allow_delete.to_string(),
            now.allow_delete.to_string(),
        );
        differ("--locale", list(&self.locales), list(&now.locales));
        differ("--field", list(&self.fields), list(&now.fields));
        out
    }
}

/// The path of a tree value inside the metadata folder.
fn relative<'a>(tree: &MetadataTree, path: &'a str) -> &'a str {
    let root = tree.root.trim_end_matches('/');
    path.strip_prefix(root)
        .and_then(|p| p.strip_prefix('/'))
        .unwrap_or(path)
}

fn sha256(value: &str) -> String {
    use sha2::Digest;
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(value.as_bytes())))
}

/// A digest of each product text file, by its path from the folder that
/// holds `in_app_purchases/` and `subscriptions/`.
pub fn product_digests(products: &crate::tree::products::Products, metadata: &str) -> BTreeMap<String, String> {
    let base = std::path::Path::new(metadata)
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let base = base.trim_end_matches('/');
    products
        .items
        .iter()
        .flat_map(|p| p.locales.values().flat_map(|texts| texts.values()))
        .filter(|v| !v.from_default)
        .map(|v| {
            let rel = v
                .path
                .strip_prefix(base)
                .map_or(v.path.as_str(), |r| r.trim_start_matches('/'));
            (rel.to_owned(), sha256(&v.value))
        })
        .collect()
}

impl Content {
    /// Digests every file of `tree`, the secret ones under `key`.
    pub fn of(tree: &MetadataTree, settings: PlanSettings, key: &DigestKey) -> Content {
        let files = tree
            .values()
            .map(|(what, value)| {
                let secret = matches!(what, ValueRef::Review(f) if Attribute::Review(f).is_sensitive());
                let digest = if secret {
                    key.digest(&value.value)
                } else {
                    sha256(&value.value)
                };
                (relative(tree, &value.path).to_owned(), digest)
            })
            .collect();
        Content {
            files,
            settings,
            media: BTreeMap::new(),
            products: BTreeMap::new(),
            secrets_key_id: Some(key.key_id.clone()),
        }
    }

    /// Everything that differs between the plan's files and settings and
    /// this run's, each as one line naming the file or setting.
    pub fn differences(&self, now: &Content) -> Vec<String> {
        let mut out = Vec::new();
        if let (Some(planned), Some(current)) = (&self.secrets_key_id, &now.secrets_key_id)
            && planned != current
        {
            out.push(format!(
                "the plan's digests of secret files were made with API key {planned}; this run uses {current}. Plan and apply with the same key"
            ));
        }
        for (path, digest) in &self.files {
            match now.files.get(path) {
                None => out.push(format!("{path}: removed since the plan was made")),
                Some(d) if d != digest => out.push(format!("{path}: changed since the plan was made")),
                Some(_) => {}
            }
        }
        for path in now.files.keys().filter(|p| !self.files.contains_key(*p)) {
            out.push(format!("{path}: added since the plan was made"));
        }
        for (path, digest) in &self.products {
            match now.products.get(path) {
                None => out.push(format!("{path}: removed since the plan was made")),
                Some(d) if d != digest => out.push(format!("{path}: changed since the plan was made")),
                Some(_) => {}
            }
        }
        for path in now.products.keys().filter(|p| !self.products.contains_key(*p)) {
            out.push(format!("{path}: added since the plan was made"));
        }
        for (path, digest) in &self.media {
            match now.media.get(path) {
                None => out.push(format!("{path}: removed since the plan was made")),
                Some(d) if d != digest => out.push(format!("{path}: changed since the plan was made")),
                Some(_) => {}
            }
        }
        for path in now.media.keys().filter(|p| !self.media.contains_key(*p)) {
            out.push(format!("{path}: added since the plan was made"));
        }
        out.extend(self.settings.differences(&now.settings));
        out
    }
}

/// The tree's value for an attribute of a locale (`None` = app-wide).
fn tree_value<'a>(tree: &'a MetadataTree, locale: Option<&str>, attribute: Attribute) -> Option<&'a TextValue> {
    match attribute {
        Attribute::Localized(field) => tree
            .locales
            .iter()
            .find(|(l, _)| Some(l.code()) == locale)
            .and_then(|(_, v)| v.fields.get(&field)),
        Attribute::Copyright => tree.root_fields.get(&RootField::Copyright),
        Attribute::Category(slot) => tree.root_fields.get(&RootField::Category(slot)),
        Attribute::Review(field) => tree.review.get(&field),
        Attribute::DemoAccountRequired | Attribute::VersionString => None,
    }
}

/// What the tree says `after` must be for this attribute, or why it says
/// nothing.
fn expected_after(
    tree: &MetadataTree,
    change: &Change,
    name: Attribute,
    blank_files: BlankFiles,
) -> Result<Value, String> {
    if name == Attribute::DemoAccountRequired {
        return tree
            .demo_account_required()
            .map(Value::Flag)
            .ok_or_else(|| "the tree has no demo account files".to_owned());
    }
    let value =
        tree_value(tree, change.locale.as_deref(), name).ok_or_else(|| format!("the tree has no file for {name}"))?;
    if value.is_blank() {
        let clears = blank_files == BlankFiles::Clear || is_subcategory(name);
        return if clears {
            Ok(Value::Unset)
        } else {
            Err(format!("{} is blank, which keeps the live value", value.path))
        };
    }
    Ok(Value::Text(match name {
        Attribute::Category(slot) => category_id(&value.value, slot),
        _ => value.value.clone(),
    }))
}

fn is_subcategory(attribute: Attribute) -> bool {
    matches!(attribute, Attribute::Category(slot) if slot.parent().is_some())
}

fn shown(v: &Value) -> String {
    v.quoted()
}

/// One planned attribute against the tree: `None` when it follows.
fn check_attribute(
    tree: &MetadataTree,
    change: &Change,
    name: Attribute,
    planned: &AttributeChange,
    blank_files: BlankFiles,
    key: &DigestKey,
) -> Option<String> {
    let what = format!("{} {name}", change.label());
    let expected = match expected_after(tree, change, name, blank_files) {
        Ok(v) => v,
        Err(why) => return Some(format!("{what}: the plan changes it, but {why}")),
    };
    let file = tree_value(tree, change.locale.as_deref(), name).map(|v| v.path.as_str());
    if planned.file.is_some() && planned.file.as_deref() != file {
        return Some(format!(
            "{what}: the plan reads it from {}, but the tree's file for it is {}",
            planned.file.as_deref().unwrap_or_default(),
            file.unwrap_or("(none)")
        ));
    }
    if planned.sensitive {
        let digest = planned.fingerprints.as_ref().and_then(|f| f.after.as_deref());
        let follows = match (&expected, digest) {
            (Value::Unset, None) => true,
            (Value::Text(v), Some(d)) => key.matches(d, v, None),
            _ => false,
        };
        return (!follows).then(|| {
            format!(
                "{what}: the plan's digest does not match {}",
                file.unwrap_or("its file")
            )
        });
    }
    (expected != planned.after).then(|| {
        format!(
            "{what}: the plan sets {}, but {} says {} (was the plan file edited?)",
            shown(&planned.after),
            file.unwrap_or("the tree"),
            shown(&expected)
        )
    })
}

/// Every planned value that does not follow from `tree`: an `after` that
/// is not what its file says, a delete of a locale the tree has. Blocked
/// changes are never sent and are not checked.
pub fn unfollowed(plan: &Plan, tree: &MetadataTree, settings: &PlanSettings, key: &DigestKey) -> Vec<String> {
    let mut out = Vec::new();
    for change in plan.changes.iter().filter(|c| !c.is_blocked()) {
        if change.action == Action::Delete {
            let locale = change.locale.as_deref().unwrap_or_default();
            if !settings.allow_delete || tree.locales.keys().any(|l| l.code() == locale) {
                out.push(format!(
                    "{}: the plan deletes it, but the tree has {locale} or deletes were not allowed",
                    change.label()
                ));
            }
            continue;
        }
        for (&name, planned) in &change.attributes {
            if name == Attribute::VersionString {
                continue; // the target, checked against the settings
            }
            out.extend(check_attribute(tree, change, name, planned, settings.blank_files, key));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CategorySlot, Field, ReviewField};
    use crate::plan::secret::test_key;

    fn content(files: &[(&str, &str)]) -> Content {
        Content {
            files: files.iter().map(|(p, d)| (p.to_string(), d.to_string())).collect(),
            settings: PlanSettings::default(),
            media: BTreeMap::new(),
            products: BTreeMap::new(),
            secrets_key_id: Some("K".into()),
        }
    }

    #[test]
    fn every_changed_added_and_removed_file_is_named() {
        let planned = content(&[("en-US/name.txt", "a"), ("de-DE/name.txt", "b")]);
        let now = content(&[("en-US/name.txt", "x"), ("fr-FR/name.txt", "c")]);
        assert_eq!(
            planned.differences(&now),
            [
                "de-DE/name.txt: removed since the plan was made",
                "en-US/name.txt: changed since the plan was made",
                "fr-FR/name.txt: added since the plan was made",
            ]
        );
        assert!(planned.differences(&planned.clone()).is_empty());
    }

    #[test]
    fn a_setting_that_shapes_the_plan_is_compared() {
        let planned = content(&[]);
        let mut now = planned.clone();
        now.settings.blank_files = BlankFiles::Clear;
        let d = planned.differences(&now);
        assert_eq!(d, ["blank_files: the plan was made with keep, this run has clear"]);
    }

    #[test]
    fn a_secret_file_gets_a_keyed_digest() {
        let tree = MetadataTree {
            root: "m".into(),
            review: BTreeMap::from([(
                ReviewField::DemoAccountPassword,
                TextValue {
                    value: "hunter2".into(),
                    path: "m/review_information/demo_password.txt".into(),
                    origin: (1, 1),
                    from_default: false,
                },
            )]),
            ..MetadataTree::default()
        };
        let key = test_key("K");
        let c = Content::of(&tree, PlanSettings::default(), &key);
        let digest = &c.files["review_information/demo_password.txt"];
        assert!(digest.starts_with("hmac-sha256:"), "{digest}");
        assert_ne!(digest, &sha256("hunter2"));
    }

    #[test]
    fn categories_and_fields_read_their_own_files() {
        assert!(is_subcategory(Attribute::Category(CategorySlot::PrimarySubcategoryOne)));
        assert!(!is_subcategory(Attribute::Localized(Field::Name)));
    }
}
