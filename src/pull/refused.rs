//! Live values `validate` would refuse, which pull leaves out of the tree.
//!
//! App Store Connect can hold a value it refuses today: emoji stored before
//! Apple began refusing them, a phone typed in the web form, a text longer
//! than the API takes, a category id of an older list. Written into the
//! tree, such a value makes the next `validate` fail, and with it `plan`
//! and the drift check, although nobody changed anything. So pull never
//! writes one: it leaves the file as it is and says why in its report
//! (`left`, with the finding's code and position, never the value). With
//! no file there, plan keeps the live value, so the pulled tree validates
//! and plans with no changes; a file that holds something else keeps it,
//! and plan proposes that value, as it would have before the pull.
//!
//! Warnings (an invisible character, a phone copied from macOS Contacts
//! with its bidi marks) are no refusal: such values are written, and
//! `validate` names the characters.
//!
//! The judgement is `validate`'s own ([`crate::validate::refusals_of`],
//! [`crate::validate::refused_categories`]), with the tree's `[validate]`
//! strictness: with `invalid_characters = "warning"`, live emoji are
//! written.

use super::decide::Withheld;
use super::slots::Slot;
use crate::model::{Attribute, CategorySlot, RootField};
use crate::tree::{TextValue, ValueRef};
use crate::validate::{ValidateOptions, refusals_of, refused_categories};
use std::collections::BTreeMap;

/// The slots whose live value `validate` would refuse in their file.
pub fn refused(slots: &[Slot], options: &ValidateOptions) -> BTreeMap<usize, Withheld> {
    let mut out = BTreeMap::new();
    for (i, slot) in slots.iter().enumerate() {
        let what = match slot.attribute {
            Attribute::Localized(field) => ValueRef::Localized(None, field),
            Attribute::Review(field) => ValueRef::Review(field),
            Attribute::Copyright => ValueRef::Root(RootField::Copyright),
            _ => continue,
        };
        let value = TextValue {
            value: slot.live.clone(),
            path: slot.rel.clone(),
            origin: (1, 1),
            from_default: false,
        };
        if let Some(f) = refusals_of(what, &value, options).first() {
            out.insert(i, Withheld::Refused(f.code, f.line.zip(f.column)));
        }
    }
    categories(slots, &mut out);
    out
}

/// The category files judged together, as they will be: the live id where
/// it is written, the file's value where it is left. Leaving one can make
/// another refused (a subcategory under a category left as it was), so
/// this runs until nothing more is left.
fn categories(slots: &[Slot], out: &mut BTreeMap<usize, Withheld>) {
    let category = |s: &Slot| match s.attribute {
        Attribute::Category(c) => Some(c),
        _ => None,
    };
    loop {
        let values: Vec<(CategorySlot, String)> = slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let value = if out.contains_key(&i) {
                    s.current.clone().unwrap_or_default()
                } else {
                    s.live.clone()
                };
                Some((category(s)?, value)).filter(|(_, v)| !v.is_empty())
            })
            .collect();
        let mut more = false;
        for (slot, finding) in refused_categories(&values) {
            let Some(i) = slots.iter().position(|s| category(s) == Some(slot)) else {
                continue;
            };
            if !out.contains_key(&i) && !slots[i].live.is_empty() {
                out.insert(i, Withheld::Refused(finding.code, finding.line.zip(finding.column)));
                more = true;
            }
        }
        if !more {
            return;
        }
    }
}
