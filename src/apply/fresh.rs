//! Where each planned value stands now: the live value is the plan's
//! `after` (already applied: counted, not sent), still its `before` (to
//! write), or anything else (someone else's edit: the plan is stale and is
//! refused whole, nothing written). So applying a plan twice writes
//! nothing the second time, and a run killed midway is finished by the
//! next one, without ever overwriting an edit made since the plan.

use crate::live::media::LiveMedia;
use crate::live::{LiveLocalization, LiveState, PlannedVersion};
use crate::model::Value;
use crate::model::{Attribute, ResourceKind};
use crate::plan::media::{DesiredMedia, MediaChange, SetStands, compare, stands};
use crate::plan::secret::DigestKey;
use crate::plan::{Action, AttributeChange, Change, Plan};
use crate::tree::text::strip;
use serde::Serialize;
use std::collections::BTreeMap;

/// A planned attribute whose live value moved since the plan was made.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stale {
    pub change: String,
    pub attribute: Option<Attribute>,
    pub planned_before: Value,
    pub now: Value,
    pub reason: String,
}

/// What is left to do of a plan.
#[derive(Debug, Default)]
pub struct Remaining {
    /// The changes still to send, by index in the plan, each with only its
    /// attributes that are not live yet.
    pub to_send: BTreeMap<usize, Change>,
    /// The changes already live, by index in the plan.
    pub done: Vec<usize>,
    /// The id of the version the plan creates, when it exists already.
    pub version_id: Option<String>,
    /// The screenshot and preview sets still to send, each as what is
    /// left of it.
    pub media: Vec<MediaChange>,
    /// The sets already as planned, by index in the plan.
    pub media_done: Vec<usize>,
    /// The product texts still to send.
    pub products: Vec<crate::plan::products::ProductChange>,
    /// The product texts already as planned, by index in the plan.
    pub products_done: Vec<usize>,
    /// The release settings still to send.
    pub release: Vec<crate::plan::release::ReleaseChange>,
    /// The release settings already as planned, by index in the plan.
    pub release_done: Vec<usize>,
}

impl Remaining {
    /// Everything a fresh plan changes: it was made from the live state
    /// just now, so nothing is live yet.
    pub fn all(plan: &Plan) -> Remaining {
        Remaining {
            to_send: plan
                .changes
                .iter()
                .enumerate()
                .filter(|(_, c)| !c.is_blocked())
                .map(|(i, c)| (i, c.clone()))
                .collect(),
            media: plan.media.iter().filter(|c| !c.is_blocked()).cloned().collect(),
            products: plan.products.iter().filter(|c| !c.is_blocked()).cloned().collect(),
            release: plan.release.iter().filter(|c| !c.is_blocked()).cloned().collect(),
            ..Remaining::default()
        }
    }
}

/// A value as the diff compares it: stripped, `null` counting as empty.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Text(x), Value::Text(y)) => strip(x) == strip(y),
        (Value::Text(s), Value::Unset) | (Value::Unset, Value::Text(s)) => strip(s).is_empty(),
        _ => a == b,
    }
}

/// Where one attribute stands, given its live value now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Standing {
    Done,
    Pending,
    Moved,
}

struct Checker<'a> {
    plan: &'a Plan,
    live: &'a LiveState,
    key: &'a DigestKey,
}

impl Checker<'_> {
    fn standing(&self, planned: &AttributeChange, now: &Value) -> Standing {
        let Some(digests) = planned.fingerprints.as_ref().filter(|_| planned.sensitive) else {
            return if same(now, &planned.after) {
                Standing::Done
            } else if same(now, &planned.before) {
                Standing::Pending
            } else {
                Standing::Moved
            };
        };
        let salt = self.plan.secret_salt.as_deref();
        let is = |digest: &Option<String>| match (digest, now.as_text().filter(|s| !s.is_empty())) {
            (None, None) => true,
            (Some(d), Some(v)) => self.key.matches(d, v, salt),
            _ => false,
        };
        if is(&digests.after) {
            Standing::Done
        } else if is(&digests.before) {
            Standing::Pending
        } else {
            Standing::Moved
        }
    }

    fn stale(&self, change: &Change, name: Attribute, planned: &AttributeChange, now: Value, reason: &str) -> Stale {
        Stale {
            change: change.label(),
            attribute: Some(name),
            planned_before: planned.before.clone(),
            now: if planned.sensitive {
                Value::Text(crate::plan::SENSITIVE.into())
            } else {
                now
            },
            reason: reason.to_owned(),
        }
    }

    /// An update's attributes that are still to write; `Err` for those
    /// that moved.
    fn update(&self, change: &Change, out: &mut Vec<Stale>) -> Option<Change> {
        let mut pending = change.clone();
        pending.attributes.clear();
        for (&name, planned) in &change.attributes {
            match current_value(self.live, change, name) {
                Ok(now) => match self.standing(planned, &now) {
                    Standing::Done => {}
                    Standing::Pending => {
                        pending.attributes.insert(name, planned.clone());
                    }
                    Standing::Moved => {
                        out.push(self.stale(change, name, planned, now, "changed since the plan was made"))
                    }
                },
                Err(reason) => out.push(self.stale(change, name, planned, Value::Unset, &reason)),
            }
        }
        (!pending.attributes.is_empty()).then_some(pending)
    }

    /// A create: to send when the resource does not exist; done when it
    /// exists with the planned values; stale when it exists with others.
    fn create(&self, change: &Change, out: &mut Vec<Stale>) -> Option<Change> {
        if change.resource == ResourceKind::AppStoreVersions {
            return self.create_version(change, out);
        }
        let existing = match existing(self.live, change) {
            None => return Some(change.clone()),
            Some(values) => values,
        };
        for (&name, planned) in &change.attributes {
            let now = existing(name);
            if self.standing(planned, &now) != Standing::Done {
                out.push(self.stale(
                    change,
                    name,
                    planned,
                    now,
                    "the plan creates it, but it exists now with another value",
                ));
            }
        }
        None
    }

    fn create_version(&self, change: &Change, out: &mut Vec<Stale>) -> Option<Change> {
        let version = &self.live.version;
        match &version.planned {
            Some(PlannedVersion::Create) => Some(change.clone()),
            None if version.version_string == self.plan.source.version_string => None,
            _ => {
                out.push(Stale {
                    change: change.label(),
                    attribute: None,
                    planned_before: Value::Unset,
                    now: Value::Text(version.version_string.clone()),
                    reason: format!(
                        "the plan creates version {}, but version {} ({}) is being prepared now",
                        self.plan.source.version_string, version.version_string, version.state
                    ),
                });
                None
            }
        }
    }

    /// A delete: done when the localization is gone, to send while it
    /// still has the values the plan saw.
    fn delete(&self, change: &Change, out: &mut Vec<Stale>) -> Option<Change> {
        let existing = existing(self.live, change)?;
        let mut moved = false;
        for (&name, planned) in &change.attributes {
            let now = existing(name);
            if !same(&now, &planned.before) {
                moved = true;
                out.push(self.stale(change, name, planned, now, "changed since the plan was made"));
            }
        }
        (!moved).then(|| change.clone())
    }
}

/// The live values of the resource a create or delete names, by locale
/// (or the review details), when it exists.
fn existing<'a>(live: &'a LiveState, change: &Change) -> Option<Box<dyn Fn(Attribute) -> Value + 'a>> {
    let text = |v: Option<&String>| v.map_or(Value::Unset, |s| Value::Text(s.clone()));
    let locale = change.locale.as_deref().unwrap_or_default();
    let localization = |loc: &'a LiveLocalization| -> Box<dyn Fn(Attribute) -> Value + 'a> {
        Box::new(move |name| match name {
            Attribute::Localized(f) => text(loc.values.get(&f).and_then(Option::as_ref)),
            _ => Value::Unset,
        })
    };
    match change.resource {
        ResourceKind::AppStoreVersionLocalizations if live.version.planned != Some(PlannedVersion::Create) => {
            live.version.localizations.get(locale).map(localization)
        }
        ResourceKind::AppInfoLocalizations => live
            .app_info
            .as_ref()
            .and_then(|i| i.localizations.get(locale))
            .map(localization),
        ResourceKind::AppStoreReviewDetails => live.review.as_ref().map(|r| -> Box<dyn Fn(Attribute) -> Value + 'a> {
            Box::new(move |name| match name {
                Attribute::Review(f) => text(r.values.get(&f).and_then(Option::as_ref)),
                Attribute::DemoAccountRequired => r.demo_account_required.map_or(Value::Unset, Value::Flag),
                _ => Value::Unset,
            })
        }),
        _ => None,
    }
}

/// The live value of a planned attribute of an existing resource now, as
/// the plan records values.
fn current_value(live: &LiveState, change: &Change, attribute: Attribute) -> Result<Value, String> {
    let text = |v: Option<&String>| v.map_or(Value::Unset, |s| Value::Text(s.clone()));
    let id = change.id.as_deref().unwrap_or_default();
    let localization = |locs: Option<&BTreeMap<String, LiveLocalization>>| {
        locs.and_then(|l| l.values().find(|l| l.id == id).cloned())
            .ok_or("the localization no longer exists")
    };
    match attribute {
        Attribute::Localized(field) => {
            let loc = match change.resource {
                ResourceKind::AppStoreVersionLocalizations => localization(Some(&live.version.localizations)),
                _ => localization(live.app_info.as_ref().map(|i| &i.localizations)),
            }?;
            Ok(text(loc.values.get(&field).and_then(Option::as_ref)))
        }
        Attribute::Copyright | Attribute::VersionString => {
            if live.version.id != id {
                return Err(format!(
                    "the target version is now {} ({})",
                    live.version.version_string, live.version.state
                ));
            }
            Ok(match attribute {
                Attribute::Copyright => text(live.version.copyright.as_ref()),
                _ => Value::Text(live.version.version_string.clone()),
            })
        }
        Attribute::Category(slot) => {
            let info = live
                .app_info
                .as_ref()
                .filter(|i| i.id == id)
                .ok_or("the app info record changed")?;
            Ok(text(info.categories.get(&slot).and_then(Option::as_ref)))
        }
        Attribute::Review(_) | Attribute::DemoAccountRequired => {
            let review = live
                .review
                .as_ref()
                .filter(|r| r.id == id)
                .ok_or("the review details changed")?;
            Ok(match attribute {
                Attribute::Review(field) => text(review.values.get(&field).and_then(Option::as_ref)),
                _ => review.demo_account_required.map_or(Value::Unset, Value::Flag),
            })
        }
    }
}

/// What is left of `plan` given the live state now, or every planned
/// attribute whose live value is neither the plan's `before` nor its
/// `after`. Attributes the plan does not touch are not looked at: a web
/// edit elsewhere is fine.
pub fn remaining(plan: &Plan, live: &LiveState, key: &DigestKey) -> Result<Remaining, Vec<Stale>> {
    let mut stale = Vec::new();
    if !plan.source.version_id.is_empty() && live.version.id != plan.source.version_id {
        stale.push(Stale {
            change: "appStoreVersions".into(),
            attribute: None,
            planned_before: Value::Text(plan.source.version_id.clone()),
            now: Value::Text(live.version.id.clone()),
            reason: format!(
                "the plan was made for version {} ({}); the target is now {} ({})",
                plan.source.version_string, plan.source.version_state, live.version.version_string, live.version.state
            ),
        });
        return Err(stale);
    }
    let checker = Checker { plan, live, key };
    let mut left = Remaining::default();
    for (i, change) in plan.changes.iter().enumerate().filter(|(_, c)| !c.is_blocked()) {
        let pending = match change.action {
            Action::Update => checker.update(change, &mut stale),
            Action::Create => checker.create(change, &mut stale),
            Action::Delete => checker.delete(change, &mut stale),
        };
        match pending {
            Some(c) => {
                left.to_send.insert(i, c);
            }
            None => left.done.push(i),
        }
    }
    if plan.creates_version() && live.version.planned.is_none() {
        left.version_id = Some(live.version.id.clone());
    }
    if stale.is_empty() { Ok(left) } else { Err(stale) }
}

/// Where each planned set stands now (read again in `now`): what is left
/// to send, the sets already as planned, or why the plan is stale. The
/// uploads come from `desired`, the tree here, whose files the plan's
/// content record has already matched.
pub fn media_remaining(
    plan: &Plan,
    live: &LiveState,
    desired: &DesiredMedia,
    now: &LiveMedia,
    left: &mut Remaining,
) -> Result<(), Vec<Stale>> {
    let mut stale = Vec::new();
    let stale_set = |change: &MediaChange, reason: String| Stale {
        change: format!("{} {}", change.slot.kind().set_type(), change.label()),
        attribute: None,
        planned_before: Value::Text(format!("{} images", change.before.len())),
        now: Value::Unset,
        reason,
    };
    let todo: Vec<(usize, &MediaChange)> = plan.media.iter().enumerate().filter(|(_, c)| !c.is_blocked()).collect();
    if let (Some(why), Some((_, first))) = (live.editability().media(), todo.first()) {
        return Err(vec![stale_set(first, why)]);
    }
    for (i, change) in todo {
        let Some(files) = desired.get(&(change.locale.clone(), change.slot)) else {
            stale.push(stale_set(change, "the tree no longer has this set".into()));
            continue;
        };
        if change.localization_id.is_none() {
            left.media.push(compare(&change.locale, change.slot, files, None));
            continue;
        }
        match stands(change, files, now.sets.get(&(change.locale.clone(), change.slot))) {
            SetStands::Done => left.media_done.push(i),
            SetStands::ToSend(rest) => left.media.push(rest),
            SetStands::Stale(why) => stale.push(stale_set(change, why)),
        }
    }
    if stale.is_empty() { Ok(()) } else { Err(stale) }
}

/// Where each planned release setting stands now (the version and its
/// phased release read again): live as its `after` is done, as its
/// `before` is sent, anything else makes the plan stale.
pub fn release_remaining(
    plan: &Plan,
    version: &crate::live::LiveVersion,
    phased: Option<&crate::live::LivePhasedRelease>,
    build: Option<&crate::live::LiveBuild>,
    what_to_test: &BTreeMap<String, crate::live::LiveWhatToTest>,
    left: &mut Remaining,
) -> Result<(), Vec<Stale>> {
    use crate::plan::release::{ReleaseSetting, same_instant};
    let mut stale = Vec::new();
    for (i, c) in plan.release.iter().enumerate().filter(|(_, c)| !c.is_blocked()) {
        let now = match c.setting {
            ReleaseSetting::ReleaseType => version.release_type.clone().map_or(Value::Unset, Value::Text),
            ReleaseSetting::EarliestReleaseDate => {
                version.earliest_release_date.clone().map_or(Value::Unset, Value::Text)
            }
            ReleaseSetting::PhasedRelease => Value::Flag(phased.is_some()),
            ReleaseSetting::Build => build.map_or(Value::Unset, |b| Value::Text(b.label())),
            // A group's builds are not read again: adding a build a group
            // has already changes nothing.
            ReleaseSetting::BetaGroup => c.before.clone(),
            ReleaseSetting::WhatToTest => c
                .locale
                .as_ref()
                .and_then(|l| what_to_test.get(l))
                .and_then(|l| l.whats_new.clone())
                .map_or(Value::Unset, Value::Text),
        };
        let is = |v: &Value| match (c.setting, v) {
            (ReleaseSetting::EarliestReleaseDate, Value::Text(t)) => same_instant(&now, t),
            _ => now == *v,
        };
        if is(&c.after) {
            left.release_done.push(i);
        } else if is(&c.before) {
            let mut c = c.clone();
            if c.setting == ReleaseSetting::WhatToTest {
                c.localization_id = c
                    .locale
                    .as_ref()
                    .and_then(|l| what_to_test.get(l))
                    .map(|l| l.id.clone());
            }
            if let (ReleaseSetting::PhasedRelease, Some(p)) = (c.setting, phased) {
                c.phased_release = Some(crate::plan::release::PhasedReleaseRef {
                    id: p.id.clone(),
                    state: p.state.clone(),
                });
            }
            left.release.push(c);
        } else {
            stale.push(Stale {
                change: format!("appStoreVersions {}", c.setting.name()),
                attribute: None,
                planned_before: c.before.clone(),
                now,
                reason: "the release setting changed in App Store Connect since the plan".into(),
            });
        }
    }
    if stale.is_empty() { Ok(()) } else { Err(stale) }
}

/// Where each planned product text stands now (`live` read again): each
/// attribute live as its `after` is done, as its `before` is sent, and
/// anything else makes the plan stale. A new version an interrupted apply
/// already made is used instead of making another.
pub fn products_remaining(
    plan: &Plan,
    live: &crate::live::products::LiveProducts,
    left: &mut Remaining,
) -> Result<(), Vec<Stale>> {
    use crate::model::products::version_is_editable;
    let mut stale = Vec::new();
    let stale_of = |c: &crate::plan::products::ProductChange, reason: String| Stale {
        change: c.label(),
        attribute: None,
        planned_before: Value::Unset,
        now: Value::Unset,
        reason,
    };
    for (i, planned) in plan.products.iter().enumerate().filter(|(_, c)| !c.is_blocked()) {
        let Some(product) = live.find(planned.family, &planned.product, planned.group.as_deref()) else {
            stale.push(stale_of(planned, "the product is gone from App Store Connect".into()));
            continue;
        };
        let newest = product.version.as_ref();
        let mut change = planned.clone();
        match (&planned.version_id, newest) {
            (Some(v), Some(n)) if *v == n.id => {}
            (None, Some(n)) => {
                let from = plan
                    .product_versions
                    .iter()
                    .find(|v| v.product_id == planned.product_id)
                    .map_or(0, |v| v.from_version);
                if n.version > from && version_is_editable(&n.state) {
                    change.version_id = Some(n.id.clone()); // made by an earlier run
                } else if n.version > from {
                    stale.push(stale_of(
                        planned,
                        format!("version {} was made since the plan", n.version),
                    ));
                    continue;
                } else {
                    left.products.push(change);
                    continue;
                }
            }
            _ => {
                stale.push(stale_of(
                    planned,
                    "the product has another version than the plan saw".into(),
                ));
                continue;
            }
        }
        let localization = product.localizations.get(&planned.locale);
        change.id = localization.map(|l| l.id.clone());
        if planned.action == Action::Delete {
            match localization {
                None => left.products_done.push(i),
                Some(_) => left.products.push(change),
            }
            continue;
        }
        let mut moved = false;
        change.attributes.retain(|text, a| {
            let now = localization
                .and_then(|l| l.texts.get(text).cloned().flatten())
                .map_or(Value::Unset, Value::Text);
            if same(&now, &a.after) {
                return false;
            }
            moved |= !same(&now, &a.before);
            true
        });
        if moved {
            stale.push(stale_of(
                planned,
                "a text changed in App Store Connect since the plan".into(),
            ));
        } else if change.attributes.is_empty() {
            left.products_done.push(i);
        } else {
            change.action = if localization.is_some() {
                Action::Update
            } else {
                Action::Create
            };
            left.products.push(change);
        }
    }
    if stale.is_empty() { Ok(()) } else { Err(stale) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_compare_as_the_diff_compares_them() {
        assert!(same(&Value::Text("Hello\n".into()), &Value::Text("Hello".into())));
        assert!(same(&Value::Unset, &Value::Text(String::new())));
        assert!(!same(&Value::Unset, &Value::Text("x".into())));
        assert!(same(&Value::Flag(true), &Value::Flag(true)));
    }
}
