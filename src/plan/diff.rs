//! The diff: desired (the tree) against live, per (resource, locale,
//! attribute). Pure: no I/O, so every rule is tested without a server.
//!
//! A local value is compared after `String#strip`; a missing or blank file
//! keeps the live value (unless `blank_files = "clear"` makes a blank file
//! clear it). The live value is stripped the same way and `null` counts as
//! empty, so a trailing newline typed in the web UI is no false change.
//! What Apple would refuse given the live state (a field locked by the
//! version's state, whatsNew on a platform's first version) becomes a
//! blocked change with its reason, shown but never sent.

use super::{Action, AttributeChange, Change, Parent, Plan, Source, fingerprint};
use crate::config::BlankFiles;
use crate::fields::{Field, Resource, ReviewField, RootField};
use crate::live::{LiveLocalization, LiveState, category_relationship};
use crate::tree::text::strip;
use crate::tree::{MetadataTree, TextValue};
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default)]
pub struct DiffOptions {
    pub blank_files: BlankFiles,
    /// Delete live locales that the tree does not have.
    pub allow_delete: bool,
    pub metadata_path: String,
    pub rev: Option<String>,
}

const VERSION_LOCS: &str = "appStoreVersionLocalizations";
const INFO_LOCS: &str = "appInfoLocalizations";

/// What the tree wants for one value: keep the live value, or this text
/// (empty = clear).
fn desired(value: Option<&TextValue>, blank: BlankFiles) -> Option<(String, String)> {
    let v = value?;
    if v.is_blank() && blank == BlankFiles::Keep {
        return None;
    }
    Some((v.value.clone(), v.path.clone()))
}

fn text_value(s: &str) -> Value {
    if s.is_empty() {
        Value::Null
    } else {
        Value::String(s.to_owned())
    }
}

/// An attribute change when the desired text differs from the live one.
fn compare(live: Option<&str>, want: &str, file: &str) -> Option<AttributeChange> {
    if strip(live.unwrap_or_default()) == want {
        return None;
    }
    Some(AttributeChange {
        before: live.map_or(Value::Null, |s| Value::String(s.to_owned())),
        after: text_value(want),
        file: Some(file.to_owned()),
        sensitive: false,
        fingerprints: None,
    })
}

pub fn diff(tree: &MetadataTree, live: &LiveState, options: &DiffOptions) -> Plan {
    let mut changes = Vec::new();
    let mut notes = Vec::new();
    let version = &live.version;
    let info = live.app_info.as_ref();

    for (locale, values) in &tree.locales {
        let code = locale.code();
        for resource in [Resource::VersionLocalization, Resource::AppInfoLocalization] {
            let fields: Vec<Field> = Field::ALL
                .iter()
                .copied()
                .filter(|f| f.resource() == resource)
                .collect();
            let wanted: Vec<(Field, String, String)> = fields
                .iter()
                .filter_map(|f| desired(values.fields.get(f), options.blank_files).map(|(v, p)| (*f, v, p)))
                .collect();
            let (type_name, live_locs, parent) = match resource {
                Resource::VersionLocalization => (
                    VERSION_LOCS,
                    Some(&version.localizations),
                    Some(("appStoreVersions", &version.id)),
                ),
                Resource::AppInfoLocalization => (
                    INFO_LOCS,
                    info.map(|i| &i.localizations),
                    info.map(|i| ("appInfos", &i.id)),
                ),
            };
            let existing = live_locs.and_then(|l| l.get(code));
            match existing {
                Some(loc) => {
                    let attrs: BTreeMap<String, AttributeChange> = wanted
                        .iter()
                        .filter_map(|(f, want, file)| {
                            compare(loc.values.get(f).cloned().flatten().as_deref(), want, file)
                                .map(|c| (f.api_name().to_owned(), c))
                        })
                        .collect();
                    push_update(&mut changes, type_name, &loc.id, code, attrs, |attr| {
                        blocked_reason(live, resource, attr)
                    });
                }
                None => {
                    let attrs: BTreeMap<String, AttributeChange> = wanted
                        .iter()
                        .filter(|(_, want, _)| !want.is_empty())
                        .map(|(f, want, file)| {
                            (
                                f.api_name().to_owned(),
                                AttributeChange {
                                    before: Value::Null,
                                    after: text_value(want),
                                    file: Some(file.clone()),
                                    sensitive: false,
                                    fingerprints: None,
                                },
                            )
                        })
                        .collect();
                    // Apple wants both localizations of a locale, so a locale with
                    // any value gets both; an empty folder creates nothing.
                    if !values.fields.values().any(|v| !v.is_blank()) {
                        if resource == Resource::VersionLocalization {
                            notes.push(format!(
                                "{code}: the tree has no values for this locale, so it is not created"
                            ));
                        }
                        continue;
                    }
                    let mut blocked = create_blocked(live, resource);
                    if blocked.is_none() && resource == Resource::AppInfoLocalization && !attrs.contains_key("name") {
                        blocked = Some(format!(
                            "{code}/name.txt is needed to create the {code} app-info localization: Apple requires a name"
                        ));
                    }
                    // whatsNew on a first version is dropped from the create, with a note.
                    let mut attrs = attrs;
                    if resource == Resource::VersionLocalization
                        && version.is_first
                        && attrs.remove("whatsNew").is_some()
                    {
                        notes.push(first_version_note(live, code));
                    }
                    changes.push(Change {
                        resource_type: type_name.to_owned(),
                        id: None,
                        locale: Some(code.to_owned()),
                        action: Action::Create,
                        parent: parent.map(|(t, id)| Parent {
                            type_name: t.to_owned(),
                            id: id.clone(),
                        }),
                        attributes: attrs,
                        blocked,
                        origin: None,
                    });
                }
            }
        }
    }

    deletions(tree, live, options, &mut changes, &mut notes);
    root_fields(tree, live, options, &mut changes);
    let salt = super::new_salt();
    review(tree, live, options, &salt, &mut changes);

    let source = Source {
        bundle_id: live.bundle_id.clone(),
        app_id: live.app_id.clone(),
        platform: live.platform.clone(),
        version_id: version.id.clone(),
        version_string: version.version_string.clone(),
        version_state: version.state.clone(),
        app_info_id: info.map(|i| i.id.clone()),
        app_info_state: info.map(|i| i.state.clone()),
        metadata_path: options.metadata_path.clone(),
        rev: options.rev.clone(),
        commit: None,
        dirty: None,
        changed_since: None,
    };
    let mut plan = Plan::new(source, changes, notes);
    if plan.changes.iter().any(|c| c.attributes.values().any(|a| a.sensitive)) {
        plan.secret_salt = Some(salt);
    }
    plan
}

fn first_version_note(live: &LiveState, locale: &str) -> String {
    format!(
        "{locale}: release notes (whatsNew) are not sent: version {} is the first {} version of the app, and Apple refuses What's New on it (fastlane skips it too)",
        live.version.version_string, live.platform
    )
}

/// Splits an update into the part that can be sent and the part Apple would
/// refuse, each a change of its own.
fn push_update(
    changes: &mut Vec<Change>,
    type_name: &str,
    id: &str,
    locale: &str,
    attrs: BTreeMap<String, AttributeChange>,
    blocked_reason: impl Fn(&str) -> Option<String>,
) {
    let mut allowed = BTreeMap::new();
    let mut blocked: BTreeMap<String, (String, BTreeMap<String, AttributeChange>)> = BTreeMap::new();
    for (name, change) in attrs {
        match blocked_reason(&name) {
            Some(reason) => {
                blocked
                    .entry(reason.clone())
                    .or_insert_with(|| (reason, BTreeMap::new()))
                    .1
                    .insert(name, change);
            }
            None => {
                allowed.insert(name, change);
            }
        }
    }
    let make = |attributes, blocked| Change {
        resource_type: type_name.to_owned(),
        id: Some(id.to_owned()),
        locale: Some(locale.to_owned()).filter(|l| !l.is_empty()),
        action: Action::Update,
        parent: None,
        attributes,
        blocked,
        origin: None,
    };
    if !allowed.is_empty() {
        changes.push(make(allowed, None));
    }
    for (_, (reason, attributes)) in blocked {
        changes.push(make(attributes, Some(reason)));
    }
}

/// Why App Store Connect would refuse changing `attribute` now, if it would.
fn blocked_reason(live: &LiveState, resource: Resource, attribute: &str) -> Option<String> {
    match resource {
        Resource::VersionLocalization => {
            let v = &live.version;
            if !v.editable() && attribute != "promotionalText" {
                return Some(format!(
                    "{attribute} cannot change while version {} is {}; only promotionalText can. Make the change in the next version",
                    v.version_string, v.state
                ));
            }
            if attribute == "whatsNew" && v.is_first {
                return Some(format!(
                    "whatsNew cannot be set on version {}, the first {} version of the app: Apple refuses it (fastlane skips it too)",
                    v.version_string, live.platform
                ));
            }
            None
        }
        Resource::AppInfoLocalization => {
            let info = live.app_info.as_ref()?;
            let live_editable = matches!(attribute, "privacyPolicyUrl" | "privacyChoicesUrl");
            (!info.editable() && !live_editable).then(|| {
                format!(
                    "{attribute} cannot change while the app info is {}; it can when a new version is being prepared",
                    info.state
                )
            })
        }
    }
}

fn create_blocked(live: &LiveState, resource: Resource) -> Option<String> {
    match resource {
        Resource::VersionLocalization => {
            let v = &live.version;
            if !v.editable() {
                Some(format!(
                    "a locale cannot be added while version {} is {}",
                    v.version_string, v.state
                ))
            } else if v.state == "WAITING_FOR_REVIEW" {
                Some(format!(
                    "a locale cannot be added to version {} after it was submitted for review",
                    v.version_string
                ))
            } else {
                None
            }
        }
        Resource::AppInfoLocalization => match &live.app_info {
            None => Some("the app has no app info record to add the locale to".into()),
            Some(i) if !i.editable() || i.state == "WAITING_FOR_REVIEW" => {
                Some(format!("a locale cannot be added while the app info is {}", i.state))
            }
            Some(_) => None,
        },
    }
}

fn deletions(
    tree: &MetadataTree,
    live: &LiveState,
    options: &DiffOptions,
    changes: &mut Vec<Change>,
    notes: &mut Vec<String>,
) {
    let local: Vec<&str> = tree.locales.keys().map(|l| l.code()).collect();
    let mut extra: Vec<(&str, &str, &LiveLocalization)> = Vec::new();
    for (locale, loc) in &live.version.localizations {
        extra.push((VERSION_LOCS, locale, loc));
    }
    if let Some(info) = &live.app_info {
        for (locale, loc) in &info.localizations {
            extra.push((INFO_LOCS, locale, loc));
        }
    }
    let mut noted = Vec::new();
    for (type_name, locale, loc) in extra {
        if local.contains(&locale) {
            continue;
        }
        if !options.allow_delete || *locale == live.primary_locale {
            if !noted.contains(&locale) {
                noted.push(locale);
                notes.push(if *locale == live.primary_locale {
                    format!("{locale} is live but not in the tree; it is the app's primary locale and is never deleted")
                } else {
                    format!("{locale} is live but not in the tree; it is kept (pass --allow-delete to delete it)")
                });
            }
            continue;
        }
        let attributes = loc
            .values
            .iter()
            .filter_map(|(f, v)| {
                v.as_ref().map(|v| {
                    (
                        f.api_name().to_owned(),
                        AttributeChange {
                            before: Value::String(v.clone()),
                            after: Value::Null,
                            file: None,
                            sensitive: false,
                            fingerprints: None,
                        },
                    )
                })
            })
            .collect();
        let blocked = match type_name {
            VERSION_LOCS if !live.version.editable() || live.version.state == "WAITING_FOR_REVIEW" => Some(format!(
                "a locale cannot be deleted while version {} is {}",
                live.version.version_string, live.version.state
            )),
            INFO_LOCS
                if live
                    .app_info
                    .as_ref()
                    .is_some_and(|i| !i.editable() || i.state == "WAITING_FOR_REVIEW") =>
            {
                Some("a locale cannot be deleted while the app info is not editable".to_owned())
            }
            _ => None,
        };
        changes.push(Change {
            resource_type: type_name.to_owned(),
            id: Some(loc.id.clone()),
            locale: Some(locale.to_owned()),
            action: Action::Delete,
            parent: None,
            attributes,
            blocked,
            origin: None,
        });
    }
}

fn root_fields(tree: &MetadataTree, live: &LiveState, options: &DiffOptions, changes: &mut Vec<Change>) {
    if let Some((want, file)) = desired(tree.root_fields.get(&RootField::Copyright), options.blank_files)
        && let Some(change) = compare(live.version.copyright.as_deref(), &want, &file)
    {
        let blocked = (!live.version.editable()).then(|| {
            format!(
                "copyright cannot change while version {} is {}",
                live.version.version_string, live.version.state
            )
        });
        changes.push(Change {
            resource_type: "appStoreVersions".into(),
            id: Some(live.version.id.clone()),
            locale: None,
            action: Action::Update,
            parent: None,
            attributes: BTreeMap::from([("copyright".to_owned(), change)]),
            blocked,
            origin: None,
        });
    }
    // Categories follow deliver: nothing is sent unless the primary category
    // is set; then a blank subcategory file clears that subcategory.
    let Some(info) = &live.app_info else { return };
    let primary = tree
        .root_fields
        .get(&RootField::PrimaryCategory)
        .filter(|v| !v.is_blank());
    if primary.is_none() {
        return;
    }
    let mut attrs = BTreeMap::new();
    for field in RootField::ALL.into_iter().filter(|f| *f != RootField::Copyright) {
        let value = tree.root_fields.get(&field);
        let parent_set = match field {
            RootField::PrimarySubcategoryOne | RootField::PrimarySubcategoryTwo => primary.is_some(),
            RootField::SecondarySubcategoryOne | RootField::SecondarySubcategoryTwo => tree
                .root_fields
                .get(&RootField::SecondaryCategory)
                .is_some_and(|v| !v.is_blank()),
            _ => true,
        };
        let want = match value {
            Some(v) if !v.is_blank() => Some(crate::fields::category_id(&v.value)),
            Some(_) if parent_set => None,
            _ => continue,
        };
        let current = info.categories.get(&field).cloned().flatten();
        if current != want {
            attrs.insert(
                category_relationship(field).to_owned(),
                AttributeChange {
                    before: current.map_or(Value::Null, Value::String),
                    after: want.map_or(Value::Null, Value::String),
                    file: value.map(|v| v.path.clone()),
                    sensitive: false,
                    fingerprints: None,
                },
            );
        }
    }
    if !attrs.is_empty() {
        let blocked =
            (!info.editable()).then(|| format!("categories cannot change while the app info is {}", info.state));
        changes.push(Change {
            resource_type: "appInfos".into(),
            id: Some(info.id.clone()),
            locale: None,
            action: Action::Update,
            parent: None,
            attributes: attrs,
            blocked,
            origin: None,
        });
    }
}

fn review(tree: &MetadataTree, live: &LiveState, options: &DiffOptions, salt: &str, changes: &mut Vec<Change>) {
    if tree.review.is_empty() {
        return;
    }
    let mut attrs = BTreeMap::new();
    for field in ReviewField::ALL {
        let Some((want, file)) = desired(tree.review.get(&field), options.blank_files) else {
            continue;
        };
        let current = live
            .review
            .as_ref()
            .and_then(|r| r.values.get(&field).cloned().flatten());
        if strip(current.as_deref().unwrap_or_default()) == want {
            continue;
        }
        let change = if field.is_sensitive() {
            let hidden = |set: bool| {
                if set {
                    Value::String(super::SENSITIVE.into())
                } else {
                    Value::Null
                }
            };
            AttributeChange {
                before: hidden(current.is_some()),
                after: hidden(!want.is_empty()),
                file: Some(file),
                sensitive: true,
                fingerprints: Some(super::Fingerprints {
                    before: current.as_deref().map(|c| fingerprint(c, salt)),
                    after: (!want.is_empty()).then(|| fingerprint(&want, salt)),
                }),
            }
        } else {
            AttributeChange {
                before: current.map_or(Value::Null, Value::String),
                after: text_value(&want),
                file: Some(file),
                sensitive: false,
                fingerprints: None,
            }
        };
        attrs.insert(field.api_name().to_owned(), change);
    }
    // deliver always sends demoAccountRequired, computed from the two files.
    if let Some(required) = tree.demo_account_required() {
        let current = live.review.as_ref().and_then(|r| r.demo_account_required);
        if current != Some(required) {
            attrs.insert(
                "demoAccountRequired".into(),
                AttributeChange {
                    before: current.map_or(Value::Null, Value::Bool),
                    after: Value::Bool(required),
                    file: None,
                    sensitive: false,
                    fingerprints: None,
                },
            );
        }
    }
    if attrs.is_empty() {
        return;
    }
    let blocked = (!live.version.editable()).then(|| {
        format!(
            "review information cannot change while version {} is {}",
            live.version.version_string, live.version.state
        )
    });
    let (action, id, parent) = match &live.review {
        Some(r) => (Action::Update, Some(r.id.clone()), None),
        None => (
            Action::Create,
            None,
            Some(Parent {
                type_name: "appStoreVersions".into(),
                id: live.version.id.clone(),
            }),
        ),
    };
    changes.push(Change {
        resource_type: "appStoreReviewDetails".into(),
        id,
        locale: None,
        action,
        parent,
        attributes: attrs,
        blocked,
        origin: None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trailing_newline_on_the_live_side_is_no_change() {
        assert!(compare(Some("Hello\n"), "Hello", "f").is_none());
        assert!(compare(None, "", "f").is_none());
        let c = compare(Some("Hello"), "", "f").unwrap();
        assert_eq!(c.after, Value::Null);
    }
}
