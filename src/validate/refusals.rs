//! What App Store Connect refuses beyond lengths and URLs, each rule from
//! an answer Apple gave: characters it will not store, category ids it
//! does not have, a review phone without its country code. A plan stops
//! on these before any request, instead of a merge failing halfway.

use super::ValidateOptions;
use crate::findings::{Code, Finding};
use crate::model::{AppCategory, CategorySlot, Field, ReviewField, RootField, category_id};
use crate::tree::{MetadataTree, TextValue};
use strum::IntoEnumIterator;
use unicode_properties::{EmojiStatus, UnicodeEmoji};

/// The fields where Apple has refused emoji: 409
/// `ENTITY_ERROR.ATTRIBUTE.INVALID.INVALID_CHARACTERS`, "Description can’t
/// contain the following character(s): 🚀." (2025), and the same for
/// What's New with 🚨 (2026).
fn refuses_emoji(field: Field) -> bool {
    matches!(
        field,
        Field::Description | Field::WhatsNew | Field::PromotionalText | Field::Keywords | Field::Name | Field::Subtitle
    )
}

/// An emoji pictograph: a character shown as an emoji by default
/// (Unicode `Emoji_Presentation`, flags and skin tones included), or any
/// emoji character followed by the emoji selector U+FE0F (`⚠️`). Text
/// symbols such as ©, ® and ™ are emoji characters too, but not shown as
/// one, and Apple takes them.
fn emoji_at(chars: &[char], i: usize) -> bool {
    let c = chars[i];
    match c.emoji_status() {
        EmojiStatus::EmojiPresentation
        | EmojiStatus::EmojiPresentationAndModifierBase
        | EmojiStatus::EmojiPresentationAndEmojiComponent
        | EmojiStatus::EmojiPresentationAndModifierAndEmojiComponent => true,
        EmojiStatus::EmojiOther | EmojiStatus::EmojiModifierBase | EmojiStatus::EmojiOtherAndEmojiComponent => {
            chars.get(i + 1) == Some(&'\u{FE0F}')
        }
        _ => false,
    }
}

fn emoji(field: Field, value: &TextValue, options: &ValidateOptions, out: &mut Vec<Finding>) {
    if !refuses_emoji(field) {
        return;
    }
    let chars: Vec<char> = value.value.chars().collect();
    let found: Vec<usize> = (0..chars.len()).filter(|&i| emoji_at(&chars, i)).collect();
    let Some(&first) = found.first() else { return };
    let mut distinct: Vec<String> = Vec::new();
    for &i in &found {
        let shown = format!("{} (U+{:04X})", chars[i], chars[i] as u32);
        if !distinct.contains(&shown) {
            distinct.push(shown);
        }
    }
    let message = format!(
        "{} has {} emoji App Store Connect refuses (409 INVALID_CHARACTERS): {}; the first is marked. Remove them, or set [validate] invalid_characters = \"warning\" in asc-sync.toml if Apple takes them for your app",
        field.label(),
        found.len(),
        distinct.join(", ")
    );
    let finding = Finding::error(Code::InvalidCharacters, &value.path, message);
    let finding = match options.invalid_characters {
        crate::findings::Severity::Error => finding,
        crate::findings::Severity::Warning => Finding::warning(finding.code, finding.path, finding.message),
    };
    out.push(finding.at(Some(value.position(first))));
}

/// Apple TV privacy policy text refuses control characters, line breaks
/// included: "'privacyPolicyText' must not contain control characters (for
/// example, null, new lines, carriage returns, escape, and other invisible
/// characters)" (fastlane #20285).
fn privacy_text(field: Field, value: &TextValue, out: &mut Vec<Finding>) {
    if field != Field::PrivacyPolicyText {
        return;
    }
    if let Some(i) = value.value.chars().position(char::is_control) {
        let message = "the Apple TV privacy policy may not hold line breaks or other control characters; App Store Connect refuses them. Put it on one line";
        out.push(Finding::error(Code::ControlCharacter, &value.path, message).at(Some(value.position(i))));
    }
}

/// Checks one localized value.
pub(super) fn localized(field: Field, value: &TextValue, options: &ValidateOptions, out: &mut Vec<Finding>) {
    emoji(field, value, options, out);
    privacy_text(field, value, out);
}

/// The review contact's phone: "The phone number must be in a valid
/// format. Preface the phone number with ‘+’ followed by the country code
/// (for example, +44 844 209 0611)" (fastlane #16716).
pub(super) fn review(field: ReviewField, value: &TextValue, out: &mut Vec<Finding>) {
    if field != ReviewField::ContactPhone {
        return;
    }
    let phone = value.value.as_str();
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = |c: char| c.is_ascii_digit() || " -().".contains(c);
    let well_formed = phone.starts_with('+') && phone[1..].chars().all(allowed) && (7..=15).contains(&digits);
    if !well_formed {
        let message = format!(
            "'{phone}' is not a phone number App Store Connect takes: start with '+' and the country code, e.g. +44 844 209 0611"
        );
        out.push(Finding::error(Code::PhoneFormat, &value.path, message).at(Some(value.origin)));
    }
}

/// The six category files: Apple's ids (after fastlane's legacy names),
/// each of the kind its file needs, subcategories under their category.
pub(super) fn categories(tree: &MetadataTree, out: &mut Vec<Finding>) {
    let value = |slot| {
        tree.root_fields
            .get(&RootField::Category(slot))
            .filter(|v| !v.is_blank())
    };
    for slot in CategorySlot::iter() {
        let Some(v) = value(slot) else { continue };
        let id = category_id(&v.value, slot);
        let parent = slot
            .parent()
            .and_then(value)
            .map(|p| category_id(&p.value, slot.parent().unwrap_or(slot)));
        if let Some(problem) = category_problem(slot, &id, parent.as_deref()) {
            let (code, message, error) = problem;
            let finding = if error {
                Finding::error(code, &v.path, message)
            } else {
                Finding::warning(code, &v.path, message)
            };
            out.push(finding.at(Some(v.origin)));
        }
    }
    if let (Some(p), Some(s)) = (
        value(CategorySlot::PrimaryCategory),
        value(CategorySlot::SecondaryCategory),
    ) {
        let id = category_id(&p.value, CategorySlot::PrimaryCategory);
        if id == category_id(&s.value, CategorySlot::SecondaryCategory) {
            let message = format!(
                "the secondary category is {id}, the same as the primary; choose another or leave the file empty"
            );
            out.push(Finding::error(Code::SameCategory, &s.path, message).at(Some(s.origin)));
        }
    }
}

/// What is wrong with `id` in `slot`, whose parent category is `parent`.
fn category_problem(slot: CategorySlot, id: &str, parent: Option<&str>) -> Option<(Code, String, bool)> {
    let subcategory = slot.parent().is_some();
    let Some(category) = AppCategory::find(id) else {
        let hint = AppCategory::suggest(id, slot)
            .map(|s| format!("; did you mean {s}?"))
            .unwrap_or_default();
        let kind = if subcategory { "subcategory" } else { "category" };
        return Some((
            Code::UnknownCategory,
            format!("'{id}' is not one of App Store Connect's {kind} ids{hint}"),
            true,
        ));
    };
    match (subcategory, category.parent) {
        (false, Some(p)) => Some((
            Code::CategoryKind,
            format!("{id} is a subcategory of {p}, not a category: put {p} here and {id} in a subcategory file"),
            true,
        )),
        (true, None) => Some((
            Code::CategoryKind,
            format!("{id} is a category, not a subcategory; subcategory files take ids such as GAMES_ACTION"),
            true,
        )),
        (true, Some(p)) => match parent {
            None => Some((
                Code::SubcategoryIgnored,
                format!(
                    "{id} is not sent: its category file is empty, and a subcategory needs its category (it belongs under {p})"
                ),
                false,
            )),
            Some(parent) if parent != p => Some((
                Code::SubcategoryParent,
                format!("{id} belongs under {p}, but its category is {parent}"),
                true,
            )),
            Some(_) => None,
        },
        (false, None) => None,
    }
}
