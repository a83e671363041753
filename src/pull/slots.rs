//! Which file of the tree holds each live value, and what the tree means
//! there now: the loader's value (after strip, BOM removal, links and
//! `default/`), compared the way `plan` compares.

use crate::live::{LiveLocalization, LiveState};
use crate::locale::Locale;
use crate::model::{Attribute, CategorySlot, Localization, ReviewField, RootField, category_id};
use crate::targeting::Targeting;
use crate::tree::text::strip;
use crate::tree::{MetadataTree, TextValue};
use std::collections::BTreeMap;
use strum::IntoEnumIterator;

/// One live value and the file that states it in the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    pub attribute: Attribute,
    /// As Apple spells it; `None` for app-wide values.
    pub locale: Option<String>,
    /// The file inside the tree the loader reads for this value.
    pub rel: String,
    /// The live value as a file states it: stripped text, or a category
    /// id; empty when unset.
    pub live: String,
    /// What the tree means now; `None` when no file says anything.
    pub current: Option<String>,
}

impl Slot {
    /// Whether a file meaning `meaning` states the live value: equal after
    /// strip, a blank or absent file for an unset value, a category by the
    /// id fastlane sends for it (`MZGenre.SocialNetworking` is
    /// `SOCIAL_NETWORKING`).
    pub fn states(&self, meaning: Option<&str>) -> bool {
        let meaning = meaning.unwrap_or_default();
        match self.attribute {
            Attribute::Category(slot) if !meaning.is_empty() => category_id(meaning, slot) == self.live,
            _ => meaning == self.live,
        }
    }
}

/// What the slots are built from.
pub struct Sources<'a> {
    pub tree: &'a MetadataTree,
    pub live: &'a LiveState,
    pub targeting: &'a Targeting,
    /// `review_information`, as the tree spells it.
    pub review_folder: &'a str,
}

/// Every live value the run targets, in a file each, and what is worth
/// saying about values that have no file.
pub fn slots(from: &Sources) -> (Vec<Slot>, Vec<String>) {
    let mut slots = Vec::new();
    let mut notes = Vec::new();
    localized(from, &mut slots, &mut notes);
    root(from, &mut slots);
    review(from, &mut slots, &mut notes);
    notes.sort();
    notes.dedup();
    (slots, notes)
}

fn text(value: Option<&Option<String>>) -> String {
    strip(value.and_then(Option::as_deref).unwrap_or_default()).to_owned()
}

fn value(v: Option<&TextValue>) -> Option<String> {
    v.map(|t| t.value.clone())
}

fn localized(from: &Sources, slots: &mut Vec<Slot>, notes: &mut Vec<String>) {
    let info = from.live.app_info.as_ref().map(|i| &i.localizations);
    let kinds = [
        (Localization::Version, Some(&from.live.version.localizations)),
        (Localization::AppInfo, info),
    ];
    for (kind, locs) in kinds {
        for (code, loc) in locs.into_iter().flatten() {
            let Some(locale) = Locale::exact(code) else {
                notes.push(format!(
                    "{code} is live but is not one of the App Store locale codes asc-sync reads; nothing is written for it"
                ));
                continue;
            };
            localization(from, kind, locale, loc, slots);
        }
    }
    one_sided(from, notes);
}

fn localization(from: &Sources, kind: Localization, locale: Locale, loc: &LiveLocalization, slots: &mut Vec<Slot>) {
    let code = locale.code();
    let values = from.tree.locales.get(&locale);
    let folder = values.and_then(|v| v.folder.clone()).unwrap_or_else(|| code.to_owned());
    for field in kind.fields() {
        let attribute = Attribute::Localized(field);
        if !from.targeting.selects(Some(code), attribute) {
            continue;
        }
        // A locale the tree lacks gets a folder, and `default/` fills it.
        let current = match values {
            Some(v) => value(v.fields.get(&field)),
            None => value(from.tree.defaults.get(&field)),
        };
        slots.push(Slot {
            attribute,
            locale: Some(code.to_owned()),
            rel: format!("{folder}/{}", field.file_name()),
            live: text(loc.values.get(&field)),
            current,
        });
    }
}

/// Locales in the tree that are not live, or live on one resource only:
/// pull leaves their files, and says why plan will still show them.
fn one_sided(from: &Sources, notes: &mut Vec<String>) {
    let live = from.live;
    let empty = BTreeMap::new();
    let info = live.app_info.as_ref().map_or(&empty, |i| &i.localizations);
    for (locale, values) in &from.tree.locales {
        let code = locale.code();
        let selected = Localization::iter().any(|k| {
            k.fields()
                .any(|f| from.targeting.selects(Some(code), Attribute::Localized(f)))
        });
        if !selected || values.folder.is_none() {
            continue;
        }
        let has = |kind: Localization| {
            kind.fields()
                .any(|f| values.fields.get(&f).is_some_and(|v| !v.is_blank()))
        };
        match (live.version.localizations.contains_key(code), info.contains_key(code)) {
            (false, false) => notes.push(format!(
                "{code} is in the tree but not live: pull leaves its files, and plan proposes to create it. Delete the folder to accept the App Store's version"
            )),
            (true, false) if live.app_info.is_some() && has(Localization::AppInfo) => notes.push(format!(
                "{code} has no app-info localization live: pull leaves its name, subtitle and privacy files"
            )),
            (false, true) if has(Localization::Version) => notes.push(format!(
                "{code} has no version localization live: pull leaves its description, keywords, release notes and URLs"
            )),
            _ => {}
        }
    }
}

fn root(from: &Sources, slots: &mut Vec<Slot>) {
    let mut push = |field: RootField, live: String| {
        let attribute = field.attribute();
        if from.targeting.selects(None, attribute) {
            slots.push(Slot {
                attribute,
                locale: None,
                rel: field.file_name().to_owned(),
                live,
                current: value(from.tree.root_fields.get(&field)),
            });
        }
    };
    push(RootField::Copyright, text(Some(&from.live.version.copyright)));
    let Some(info) = &from.live.app_info else { return };
    for slot in CategorySlot::iter() {
        let id = info.categories.get(&slot).cloned().flatten().unwrap_or_default();
        push(RootField::Category(slot), id);
    }
}

fn review(from: &Sources, slots: &mut Vec<Slot>, notes: &mut Vec<String>) {
    let Some(live) = &from.live.review else {
        if !from.tree.review.is_empty() {
            notes.push(format!(
                "the version has no App Review information live: pull leaves {}/",
                from.review_folder
            ));
        }
        return;
    };
    for field in ReviewField::iter() {
        let attribute = Attribute::Review(field);
        if !from.targeting.selects(None, attribute) {
            continue;
        }
        let current = from.tree.review.get(&field);
        // The file the loader reads: a legacy name when the tree has one.
        let name = current
            .and_then(|t| t.path.rsplit('/').next())
            .unwrap_or(field.file_names().0);
        slots.push(Slot {
            attribute,
            locale: None,
            rel: format!("{}/{name}", from.review_folder),
            live: text(live.values.get(&field)),
            current: value(current),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CategorySlot;

    fn slot(attribute: Attribute, live: &str) -> Slot {
        Slot {
            attribute,
            locale: None,
            rel: String::new(),
            live: live.to_owned(),
            current: None,
        }
    }

    #[test]
    fn a_blank_or_absent_file_states_an_unset_value_only() {
        let s = slot(Attribute::Copyright, "");
        assert!(s.states(None) && s.states(Some("")));
        assert!(!s.states(Some("2026 Example")));
        let s = slot(Attribute::Copyright, "2026 Example");
        assert!(!s.states(None) && !s.states(Some("")));
        assert!(s.states(Some("2026 Example")));
    }

    #[test]
    fn a_legacy_category_name_states_its_id() {
        let s = slot(Attribute::Category(CategorySlot::PrimaryCategory), "SOCIAL_NETWORKING");
        assert!(s.states(Some("MZGenre.SocialNetworking")));
        assert!(s.states(Some("SOCIAL_NETWORKING")));
        assert!(!s.states(Some("Games")));
        let sub = slot(Attribute::Category(CategorySlot::PrimarySubcategoryOne), "GAMES_SPORTS");
        assert!(sub.states(Some("Sports")), "Sports is GAMES_SPORTS as a subcategory");
    }
}
