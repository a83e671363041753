//! The diff: desired (the tree) against live, per (resource, locale,
//! attribute). Pure: no I/O, so every rule is tested without a server.
//!
//! A local value is compared after `String#strip`; a missing or blank file
//! keeps the live value (unless `blank_files = "clear"` makes a blank file
//! clear it). The live value is stripped the same way and `null` counts as
//! empty, so a trailing newline typed in the web UI is no false change.
//! What Apple would refuse given the live state (see `model::Editability`)
//! becomes a blocked change with its reason, shown but never sent.

use super::secret::DigestKey;
use super::{Action, AttributeChange, Change, Parent, Plan, Source};
use crate::config::BlankFiles;
use crate::live::{LiveLocalization, LiveState, PlannedVersion};
use crate::model::Value;
use crate::model::{
    Attribute, CategorySlot, Editability, Field, Localization, ResourceKind, ReviewField, RootField, category_id,
};
use crate::targeting::Targeting;
use crate::tree::text::strip;
use crate::tree::{LocaleValues, MetadataTree, TextValue};
use std::collections::BTreeMap;
use std::sync::Arc;
use strum::IntoEnumIterator;

#[derive(Clone, Debug, Default)]
pub struct DiffOptions {
    pub blank_files: BlankFiles,
    /// Delete live locales that the tree does not have.
    pub allow_delete: bool,
    pub metadata_path: String,
    pub rev: Option<String>,
    /// `--locale` and `--field`: the changes outside them are left out.
    pub targeting: Targeting,
    /// The key of the secret digests; a random one when `None`.
    pub key: Option<Arc<DigestKey>>,
}

type Attributes = BTreeMap<Attribute, AttributeChange>;

/// What the tree wants for one value: keep the live value, or this text
/// (empty = clear), with the file it comes from.
fn desired(value: Option<&TextValue>, blank: BlankFiles) -> Option<(String, String)> {
    let v = value?;
    if v.is_blank() && blank == BlankFiles::Keep {
        return None;
    }
    Some((v.value.clone(), v.path.clone()))
}

fn plain(before: Value, after: Value, file: Option<String>) -> AttributeChange {
    AttributeChange {
        before,
        after,
        file,
        sensitive: false,
        fingerprints: None,
    }
}

/// An attribute change when the desired text differs from the live one.
fn compare(live: Option<&str>, want: &str, file: &str) -> Option<AttributeChange> {
    if strip(live.unwrap_or_default()) == want {
        return None;
    }
    Some(plain(Value::live(live), Value::text(want), Some(file.to_owned())))
}

fn change(resource: ResourceKind, id: Option<&str>, locale: Option<&str>, action: Action) -> Change {
    Change {
        resource,
        id: id.map(str::to_owned),
        locale: locale.map(str::to_owned),
        action,
        parent: None,
        attributes: BTreeMap::new(),
        blocked: None,
        origin: None,
    }
}

pub fn diff(tree: &MetadataTree, live: &LiveState, options: &DiffOptions) -> Plan {
    let mut changes = Vec::new();
    let mut notes = Vec::new();
    let rules = live.editability();
    let mut nameless = Vec::new();
    for (locale, values) in &tree.locales {
        for kind in Localization::iter() {
            let unasked = localization(
                live,
                &rules,
                options,
                locale.code(),
                values,
                kind,
                &mut changes,
                &mut notes,
            );
            if unasked {
                nameless.push(locale.code());
            }
        }
    }
    if !nameless.is_empty() {
        notes.push(nameless_note(&nameless));
    }
    deletions(tree, live, options, &mut changes, &mut notes);
    root_fields(tree, live, options, &mut changes);
    let ephemeral;
    let key = match &options.key {
        Some(k) => k.as_ref(),
        None => {
            ephemeral = DigestKey::ephemeral();
            &ephemeral
        }
    };
    review(tree, live, options, key, &mut changes);
    let mut changes = target(changes, &options.targeting);
    version_change(live, &mut changes);
    notes.splice(0..0, live.notes.iter().cloned());

    let version = &live.version;
    let info = live.app_info.as_ref();
    let source = Source {
        bundle_id: live.bundle_id.clone(),
        app_id: live.app_id.clone(),
        platform: live.platform,
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
        version_selector: None,
    };
    Plan::new(source, changes, notes)
}

/// Only the changes `--locale` and `--field` select, each with only its
/// selected attributes. A delete takes a whole locale, so it stays only
/// when its locale is selected and no field is named.
fn target(changes: Vec<Change>, targeting: &Targeting) -> Vec<Change> {
    if targeting.is_all() {
        return changes;
    }
    changes
        .into_iter()
        .filter_map(|mut c| {
            let locale = c.locale.clone();
            if c.action == Action::Delete {
                let whole = c.attributes.keys().all(|a| targeting.selects(locale.as_deref(), *a));
                return (whole && !targeting.limits_fields()).then_some(c);
            }
            let had_name = c.attributes.contains_key(&Attribute::Localized(Field::Name));
            c.attributes.retain(|a, _| targeting.selects(locale.as_deref(), *a));
            let named = c.attributes.contains_key(&Attribute::Localized(Field::Name));
            if c.action == Action::Create && c.resource == ResourceKind::AppInfoLocalizations && had_name && !named {
                c.blocked.get_or_insert_with(|| {
                    "Apple requires a name to create an app-info localization, and --field leaves name out".into()
                });
            }
            (!c.attributes.is_empty()).then_some(c)
        })
        .collect()
}

/// The version's own change when it does not exist as asked: a create
/// (with the copyright the tree wants, which the create can carry) or a
/// rename of the editable version, merged into its copyright update.
fn version_change(live: &LiveState, changes: &mut Vec<Change>) {
    let Some(planned) = &live.version.planned else { return };
    let position = changes
        .iter()
        .position(|c| c.resource == ResourceKind::AppStoreVersions && !c.is_blocked());
    let mut change = match position {
        Some(i) => changes.remove(i),
        None => change(
            ResourceKind::AppStoreVersions,
            Some(&live.version.id),
            None,
            Action::Update,
        ),
    };
    let (before, after) = match planned {
        PlannedVersion::Create => {
            change.action = Action::Create;
            change.id = None;
            (Value::Unset, live.version.version_string.clone())
        }
        PlannedVersion::Rename { to } => (Value::Text(live.version.version_string.clone()), to.clone()),
    };
    change
        .attributes
        .insert(Attribute::VersionString, plain(before, Value::Text(after), None));
    changes.push(change);
}

/// What the plan says, once, of the locales whose app-info localization
/// the tree cannot create (see [`localization`]).
fn nameless_note(locales: &[&str]) -> String {
    let (these, it) = match locales {
        [one] => (format!("{one} has"), format!("{one}/name.txt")),
        _ => (format!("{} have", locales.join(", ")), "<locale>/name.txt".to_owned()),
    };
    format!(
        "{these} no app-info localization live, and the tree has nothing for one: Apple requires a name to create it, and there is no name.txt for it (nor default/name.txt). Add {it} to create it from the tree, or add the locale's name on the web; until then it is not planned, and it is no difference"
    )
}

/// The changes of one locale's version or app-info localization: an
/// update of the live one, or a create.
///
/// A new locale's app-info localization that the tree holds nothing for
/// (no name, subtitle or privacy file: a team that keeps the name on the
/// web) cannot be created, since Apple requires a name. It is not a
/// change nor a blocked one, which would keep `plan --detailed-exitcode`
/// at 2 for ever: nothing in the tree asks for it. Returns `true` for it,
/// and the plan says once what to add. One the tree has other values for
/// (a subtitle without a name) stays a blocked create: the tree asks for
/// something it cannot have, and adding the name resolves it.
#[allow(clippy::too_many_arguments)]
fn localization(
    live: &LiveState,
    rules: &Editability,
    options: &DiffOptions,
    code: &str,
    values: &LocaleValues,
    kind: Localization,
    changes: &mut Vec<Change>,
    notes: &mut Vec<String>,
) -> bool {
    let wanted: Vec<(Field, String, String)> = kind
        .fields()
        .filter_map(|f| desired(values.fields.get(&f), options.blank_files).map(|(v, p)| (f, v, p)))
        .collect();
    let (live_locs, parent) = match kind {
        Localization::Version => (Some(&live.version.localizations), Some(live.version.parent_id())),
        Localization::AppInfo => (
            live.app_info.as_ref().map(|i| &i.localizations),
            live.app_info.as_ref().map(|i| Some(i.id.clone())),
        ),
    };
    if let Some(loc) = live_locs.and_then(|l| l.get(code)) {
        let attrs = wanted
            .iter()
            .filter_map(|(f, want, file)| {
                compare(loc.values.get(f).cloned().flatten().as_deref(), want, file)
                    .map(|c| (Attribute::Localized(*f), c))
            })
            .collect();
        push_update(
            changes,
            change(kind.kind(), Some(&loc.id), Some(code), Action::Update),
            attrs,
            rules,
        );
        return false;
    }
    // Apple wants both localizations of a locale, so a locale with any
    // value gets both; an empty folder creates nothing.
    if !values.fields.values().any(|v| !v.is_blank()) {
        if kind == Localization::Version {
            notes.push(format!(
                "{code}: the tree has no values for this locale, so it is not created"
            ));
        }
        return false;
    }
    let mut attrs: Attributes = wanted
        .iter()
        .filter(|(_, want, _)| !want.is_empty())
        .map(|(f, want, file)| {
            (
                Attribute::Localized(*f),
                plain(Value::Unset, Value::text(want), Some(file.clone())),
            )
        })
        .collect();
    if kind == Localization::AppInfo && attrs.is_empty() {
        return true;
    }
    let mut blocked = rules.create(kind.kind());
    if blocked.is_none() && kind == Localization::AppInfo && !attrs.contains_key(&Attribute::Localized(Field::Name)) {
        blocked = Some(format!(
            "{code}/name.txt is needed to create the {code} app-info localization: Apple requires a name"
        ));
    }
    // whatsNew on a first version is dropped from the create, with a note.
    if kind == Localization::Version
        && live.version.is_first
        && attrs.remove(&Attribute::Localized(Field::WhatsNew)).is_some()
    {
        notes.push(format!(
            "{code}: release notes (whatsNew) are not sent: version {} is the first {} version of the app, and Apple refuses What's New on it (fastlane skips it too)",
            live.version.version_string, live.platform
        ));
    }
    let mut create = change(kind.kind(), None, Some(code), Action::Create);
    create.parent = parent.map(|id| Parent {
        resource: kind.kind().parent().map_or(ResourceKind::AppStoreVersions, |(p, _)| p),
        id,
    });
    create.attributes = attrs;
    create.blocked = blocked;
    changes.push(create);
    false
}

/// Splits an update into the part that can be sent and the parts Apple
/// would refuse (one change per reason), each a change of its own.
fn push_update(changes: &mut Vec<Change>, template: Change, attrs: Attributes, rules: &Editability) {
    let mut allowed = Attributes::new();
    let mut blocked: BTreeMap<String, Attributes> = BTreeMap::new();
    for (attribute, change) in attrs {
        match rules.update(attribute) {
            Some(reason) => {
                blocked.entry(reason).or_default().insert(attribute, change);
            }
            None => {
                allowed.insert(attribute, change);
            }
        }
    }
    if !allowed.is_empty() {
        changes.push(Change {
            attributes: allowed,
            ..template.clone()
        });
    }
    for (reason, attributes) in blocked {
        changes.push(Change {
            attributes,
            blocked: Some(reason),
            ..template.clone()
        });
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
    let mut extra: Vec<(ResourceKind, &str, &LiveLocalization)> = Vec::new();
    for (locale, loc) in &live.version.localizations {
        extra.push((ResourceKind::AppStoreVersionLocalizations, locale, loc));
    }
    if let Some(info) = &live.app_info {
        for (locale, loc) in &info.localizations {
            extra.push((ResourceKind::AppInfoLocalizations, locale, loc));
        }
    }
    let rules = live.editability();
    let mut noted = Vec::new();
    for (kind, locale, loc) in extra {
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
        let mut delete = change(kind, Some(&loc.id), Some(locale), Action::Delete);
        delete.attributes = loc
            .values
            .iter()
            .filter_map(|(f, v)| {
                v.as_ref().map(|v| {
                    (
                        Attribute::Localized(*f),
                        plain(Value::Text(v.clone()), Value::Unset, None),
                    )
                })
            })
            .collect();
        delete.blocked = rules.delete(kind);
        changes.push(delete);
    }
}

fn root_fields(tree: &MetadataTree, live: &LiveState, options: &DiffOptions, changes: &mut Vec<Change>) {
    let rules = live.editability();
    if let Some((want, file)) = desired(tree.root_fields.get(&RootField::Copyright), options.blank_files)
        && let Some(c) = compare(live.version.copyright.as_deref(), &want, &file)
    {
        let update = change(
            ResourceKind::AppStoreVersions,
            Some(&live.version.id),
            None,
            Action::Update,
        );
        push_update(changes, update, BTreeMap::from([(Attribute::Copyright, c)]), &rules);
    }
    let Some(info) = &live.app_info else { return };
    let attrs = category_changes(tree, |slot| info.categories.get(&slot).cloned().flatten());
    if !attrs.is_empty() {
        let update = change(ResourceKind::AppInfos, Some(&info.id), None, Action::Update);
        push_update(changes, update, attrs, &rules);
    }
}

/// Categories follow deliver: a category is sent only when its file has
/// a value (blank or missing keeps the live one); a subcategory only when
/// its category has one, and then a blank subcategory file clears it.
fn category_changes(tree: &MetadataTree, current: impl Fn(CategorySlot) -> Option<String>) -> Attributes {
    let set = |slot| {
        tree.root_fields
            .get(&RootField::Category(slot))
            .filter(|v| !v.is_blank())
    };
    let mut attrs = Attributes::new();
    for slot in CategorySlot::iter() {
        if slot.parent().is_some_and(|p| set(p).is_none()) {
            continue;
        }
        let value = tree.root_fields.get(&RootField::Category(slot));
        let want = match value {
            Some(v) if !v.is_blank() => Some(category_id(&v.value, slot)),
            Some(_) if slot.parent().is_some() => None,
            _ => continue,
        };
        let before = current(slot);
        if before != want {
            attrs.insert(
                Attribute::Category(slot),
                plain(
                    before.map_or(Value::Unset, Value::Text),
                    want.map_or(Value::Unset, Value::Text),
                    value.map(|v| v.path.clone()),
                ),
            );
        }
    }
    attrs
}

fn review(tree: &MetadataTree, live: &LiveState, options: &DiffOptions, key: &DigestKey, changes: &mut Vec<Change>) {
    if tree.review.is_empty() {
        return;
    }
    let mut attrs = Attributes::new();
    for field in ReviewField::iter() {
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
        let attribute = Attribute::Review(field);
        let change = if attribute.is_sensitive() {
            secret(current.as_deref(), &want, file, key)
        } else {
            plain(
                current.map_or(Value::Unset, Value::Text),
                Value::text(&want),
                Some(file),
            )
        };
        attrs.insert(attribute, change);
    }
    // deliver always sends demoAccountRequired, computed from the two files.
    if let Some(required) = tree.demo_account_required() {
        let current = live.review.as_ref().and_then(|r| r.demo_account_required);
        if current != Some(required) {
            attrs.insert(
                Attribute::DemoAccountRequired,
                plain(current.map_or(Value::Unset, Value::Flag), Value::Flag(required), None),
            );
        }
    }
    if attrs.is_empty() {
        return;
    }
    let rules = live.editability();
    let mut c = match &live.review {
        Some(r) => change(ResourceKind::AppStoreReviewDetails, Some(&r.id), None, Action::Update),
        None => {
            let mut c = change(ResourceKind::AppStoreReviewDetails, None, None, Action::Create);
            c.parent = Some(Parent {
                resource: ResourceKind::AppStoreVersions,
                id: live.version.parent_id(),
            });
            c
        }
    };
    c.blocked = rules.create(ResourceKind::AppStoreReviewDetails);
    c.attributes = attrs;
    changes.push(c);
}

/// A secret's change: shown as `(sensitive value changed)`, recorded as
/// keyed digests only.
fn secret(current: Option<&str>, want: &str, file: String, key: &DigestKey) -> AttributeChange {
    let hidden = |set: bool| {
        if set {
            Value::Text(super::SENSITIVE.into())
        } else {
            Value::Unset
        }
    };
    AttributeChange {
        before: hidden(current.is_some()),
        after: hidden(!want.is_empty()),
        file: Some(file),
        sensitive: true,
        fingerprints: Some(super::Fingerprints {
            before: current.map(|c| key.digest(c)),
            after: (!want.is_empty()).then(|| key.digest(want)),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trailing_newline_on_the_live_side_is_no_change() {
        assert!(compare(Some("Hello\n"), "Hello", "f").is_none());
        assert!(compare(None, "", "f").is_none());
        let c = compare(Some("Hello"), "", "f").unwrap();
        assert_eq!(c.after, Value::Unset);
    }
}
