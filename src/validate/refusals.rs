//! What App Store Connect refuses beyond lengths and URLs, each rule from
//! an answer Apple gave: characters it will not store, category ids it
//! does not have, a review phone without its country code. A plan stops
//! on these before any request, instead of a merge failing halfway.

use super::ValidateOptions;
use super::scan::{self, Scan};
use crate::findings::{Code, Finding};
use crate::model::{AppCategory, CategorySlot, Field, ReviewField, RootField, category_id};
use crate::tree::{MetadataTree, TextValue};
use strum::IntoEnumIterator;

/// The fields where Apple has refused emoji: 409
/// `ENTITY_ERROR.ATTRIBUTE.INVALID.INVALID_CHARACTERS`, "Description can’t
/// contain the following character(s): 🚀." (2025), and the same for
/// What's New with 🚨 (2026).
pub(super) fn refuses_emoji(field: Field) -> bool {
    matches!(
        field,
        Field::Description | Field::WhatsNew | Field::PromotionalText | Field::Keywords | Field::Name | Field::Subtitle
    )
}

/// Emoji pictographs (see [`scan::scan`]) in a field that refuses them.
fn emoji(field: Field, value: &TextValue, scanned: &Scan, options: &ValidateOptions, out: &mut Vec<Finding>) {
    if !refuses_emoji(field) {
        return;
    }
    let Some(&(first, _)) = scanned.emoji.first() else {
        return;
    };
    let mut distinct: Vec<String> = Vec::new();
    for &(_, c) in &scanned.emoji {
        let shown = format!("{c} (U+{:04X})", c as u32);
        if !distinct.contains(&shown) {
            distinct.push(shown);
        }
    }
    let message = format!(
        "{} has {} emoji App Store Connect refuses (409 INVALID_CHARACTERS): {}; the first is marked. Remove them, or set [validate] invalid_characters = \"warning\" in asc-sync.toml if Apple takes them for your app",
        field.label(),
        scanned.emoji.len(),
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
fn privacy_text(field: Field, value: &TextValue, scanned: &Scan, out: &mut Vec<Finding>) {
    if field != Field::PrivacyPolicyText {
        return;
    }
    if let Some(i) = scanned.first_control {
        let message = "the Apple TV privacy policy may not hold line breaks or other control characters; App Store Connect refuses them. Put it on one line";
        out.push(Finding::error(Code::ControlCharacter, &value.path, message).at(Some(value.position(i))));
    }
}

/// Checks one localized value, from the pass over its characters.
pub(super) fn localized(
    field: Field,
    value: &TextValue,
    scanned: &Scan,
    options: &ValidateOptions,
    out: &mut Vec<Finding>,
) {
    emoji(field, value, scanned, options, out);
    privacy_text(field, value, scanned, out);
}

/// The review contact's phone.
pub(super) fn review(field: ReviewField, value: &TextValue, out: &mut Vec<Finding>) {
    if field != ReviewField::ContactPhone {
        return;
    }
    if let Some((problem, at)) = phone_problem(&value.value) {
        out.push(Finding::error(Code::PhoneFormat, &value.path, problem).at(Some(value.position(at))));
    }
}

/// The review contact phone's longest value in bytes: "Phone number
/// cannot be longer than 20 bytes" (fastlane #8839).
const MAX_PHONE_BYTES: usize = 20;

/// What App Store Connect finds wrong with a review contact phone, and the
/// index of the character to mark; `None` when it takes the number.
///
/// Apple: "The phone number must be in a valid format. Preface the phone
/// number with ‘+’ followed by the country code (for example, +44 844 209
/// 0611)" (fastlane #16716). After `+`, a country code that does not
/// start with 0 and 7 to 15 digits in all, grouped with spaces, `-`, `.`,
/// `(` and `)`; after `+1` an area code's 2 to 9 (`+10000000000` is
/// refused, while `+1 555 0100`, in two public trees that ship with
/// deliver, is taken); a whole North American number may go without `+1`
/// (Apple took `650-539-4696`). At most 20 bytes.
///
/// The number is judged as read: format characters (Unicode Cf) are set
/// aside and any space counts as a space. A number copied from macOS
/// Contacts carries U+202D before it and U+202C after it, fastlane deliver
/// sends it unchanged, and a public app shipped several updates with such
/// a file, so App Store Connect takes it; the characters themselves are
/// named by the invisible-character warning, never as a wrong format.
/// The fake states the same rule for itself (`fake::apple::phone_is_valid`).
pub(crate) fn phone_problem(phone: &str) -> Option<(String, usize)> {
    let mut read: Vec<(usize, char)> = phone
        .chars()
        .enumerate()
        .filter(|(_, c)| !scan::is_format(*c))
        .map(|(i, c)| (i, if c.is_whitespace() { ' ' } else { c }))
        .collect();
    while read.last().is_some_and(|(_, c)| *c == ' ') {
        read.pop();
    }
    let start = read.iter().take_while(|(_, c)| *c == ' ').count();
    let read = &read[start..];
    let number: String = read.iter().map(|(_, c)| c).collect();
    let aside = if number.chars().count() == phone.chars().count() {
        ""
    } else {
        " (invisible characters aside)"
    };
    let first = read.first().map_or(0, |(i, _)| *i);
    let problem = |what: String| Some((format!("'{number}'{aside} {what}"), first));
    if number.len() > MAX_PHONE_BYTES {
        return problem(format!(
            "is {} bytes long; App Store Connect takes at most {MAX_PHONE_BYTES} (\"Phone number cannot be longer than {MAX_PHONE_BYTES} bytes\"). Leave out some separators",
            number.len()
        ));
    }
    let plus = number.starts_with('+');
    let rest = &read[usize::from(plus)..];
    if let Some(&(i, c)) = rest.iter().find(|(_, c)| !(c.is_ascii_digit() || " -.()".contains(*c))) {
        let shown = if c.is_control() {
            scan::describe(c)
        } else {
            format!("'{c}'")
        };
        let message = format!(
            "'{number}'{aside} holds {shown}: App Store Connect takes a '+', the country code and digits, grouped only with spaces, '-', '.', '(' and ')', e.g. +44 844 209 0611"
        );
        return Some((message, i));
    }
    let digits: Vec<u8> = rest
        .iter()
        .filter(|(_, c)| c.is_ascii_digit())
        .map(|(_, c)| *c as u8 - b'0')
        .collect();
    let north_american = |d: &[u8]| d.len() == 10 && d[0] >= 2 && d[3] >= 2;
    match (plus, digits.first()) {
        (_, None) => problem("has no digits: start with '+' and the country code, e.g. +44 844 209 0611".to_owned()),
        (true, Some(1)) if digits.get(1).is_none_or(|d| *d < 2) => problem(
            "has 0 or 1 right after +1, the North American code: there the area code follows, which starts with 2 to 9, e.g. +1 650 555 0100".to_owned(),
        ),
        (true, Some(0)) => problem("starts with 0 after the '+': country codes never do (+44 844 209 0611, not +044)".to_owned()),
        (true, Some(_)) if !(7..=15).contains(&digits.len()) => problem(format!(
            "has {} digits; with its country code a phone number has 7 to 15, e.g. +44 844 209 0611",
            digits.len()
        )),
        (false, Some(_)) => {
            let national = match digits.as_slice() {
                [1, rest @ ..] if rest.len() == 10 => rest,
                all => all,
            };
            (!north_american(national)).then(|| {
                (
                    format!("'{number}'{aside} is not a phone number App Store Connect takes: start with '+' and the country code, e.g. +44 844 209 0611 (only a North American number may go without them)"),
                    first,
                )
            })
        }
        _ => None,
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
        let hint = match AppCategory::suggest(id, slot) {
            None => String::new(),
            Some(s) => match (subcategory, s.parent) {
                (false, Some(p)) => format!(
                    "; did you mean {}? It is a subcategory of {p}: put {p} here and {} in a subcategory file",
                    s.id, s.id
                ),
                (true, None) => format!(
                    "; did you mean {}? It is a category, not a subcategory: it goes in a category file",
                    s.id
                ),
                _ => format!("; did you mean {}?", s.id),
            },
        };
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
