//! Offline checks of a loaded tree: what App Store Connect would refuse,
//! and hygiene that saves a rejected submission. No network.
//!
//! Limits count Unicode scalar values, not bytes: real trees fill exactly
//! 100 characters of keywords in 3-byte scripts and Apple accepts them,
//! although one Apple help page says "bytes". The limits live in the field
//! table (`model`); the fake keeps its own statement of Apple's, so a wrong
//! limit here shows as a refused write in the tests.

mod refusals;
mod scan;

use crate::findings::{Code, Finding, Severity};
use crate::model::{CategorySlot, Field, Kind, ReviewField, RootField};
use crate::tree::{MetadataTree, TextValue, ValueRef};
use strum::IntoEnumIterator;

/// How strict the checks are, from `[validate]` in `asc-sync.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidateOptions {
    /// Emoji in a text field: an error by default, since Apple refuses
    /// them; a warning for teams that know Apple takes them for their app.
    pub invalid_characters: Severity,
    /// Warnings with these codes are not reported (`[validate] ignore`,
    /// `--ignore`). Errors always are.
    pub ignore: std::collections::BTreeSet<Code>,
}

impl Default for ValidateOptions {
    fn default() -> ValidateOptions {
        ValidateOptions {
            invalid_characters: Severity::Error,
            ignore: Default::default(),
        }
    }
}

impl ValidateOptions {
    /// Whether a finding is reported: every error, and the warnings whose
    /// code is not ignored.
    pub fn reports(&self, finding: &Finding) -> bool {
        finding.is_error() || !self.ignore.contains(&finding.code)
    }
}

/// Every finding for the values of a tree, each file checked once.
pub fn validate(tree: &MetadataTree) -> Vec<Finding> {
    validate_with(tree, &ValidateOptions::default())
}

/// [`validate`], with the strictness the user chose.
pub fn validate_with(tree: &MetadataTree, options: &ValidateOptions) -> Vec<Finding> {
    let mut findings = Vec::new();
    refusals::categories(tree, &mut findings);
    for (what, value) in tree.values() {
        if value.is_blank() {
            continue;
        }
        check_value(what, value, options, &mut findings);
    }
    crate::findings::sort(&mut findings);
    findings
}

/// The errors `validate` gives one value of `what`: what App Store Connect
/// would refuse in it (a category file aside: its rules look at the other
/// category files too, see [`refused_categories`]). `pull` asks before it
/// writes a live value into a file.
pub fn refusals_of(what: ValueRef, value: &TextValue, options: &ValidateOptions) -> Vec<Finding> {
    let mut findings = Vec::new();
    if !value.is_blank() {
        check_value(what, value, options, &mut findings);
    }
    findings.retain(Finding::is_error);
    findings
}

/// The emoji in a text, in order: App Store Connect refuses them in
/// names and descriptions, product texts included.
pub fn emoji_in(value: &str) -> Vec<char> {
    scan::scan(value, scan::Text::Prose, true)
        .emoji
        .into_iter()
        .map(|(_, c)| c)
        .collect()
}

/// The errors `validate` gives the category files of a tree holding these
/// values (ids or fastlane's names), each with the slot it is about.
pub fn refused_categories(values: &[(CategorySlot, String)]) -> Vec<(CategorySlot, Finding)> {
    let mut tree = MetadataTree::default();
    for (slot, value) in values {
        let field = RootField::Category(*slot);
        tree.root_fields.insert(
            field,
            TextValue {
                value: value.clone(),
                path: field.file_name().to_owned(),
                origin: (1, 1),
                from_default: false,
            },
        );
    }
    let mut findings = Vec::new();
    refusals::categories(&tree, &mut findings);
    findings
        .into_iter()
        .filter(Finding::is_error)
        .filter_map(|f| {
            let slot = CategorySlot::iter().find(|s| RootField::Category(*s).file_name() == f.path)?;
            Some((slot, f))
        })
        .collect()
}

/// How a value's text is read by the character rules.
fn text_of(what: ValueRef) -> scan::Text {
    match what {
        ValueRef::Localized(_, field) => match field.kind() {
            Kind::Keywords => scan::Text::Keywords,
            Kind::Url => scan::Text::Plain,
            Kind::Text => scan::Text::Prose,
        },
        ValueRef::Root(RootField::Copyright) => scan::Text::Prose,
        ValueRef::Root(RootField::Category(_)) => scan::Text::Plain,
        ValueRef::Review(field) => match field {
            ReviewField::ContactFirstName | ReviewField::ContactLastName | ReviewField::Notes => scan::Text::Prose,
            ReviewField::ContactPhone
            | ReviewField::ContactEmail
            | ReviewField::DemoAccountName
            | ReviewField::DemoAccountPassword => scan::Text::Plain,
        },
    }
}

/// Every rule for one value that is not blank. The per-character rules
/// share one pass over its characters.
fn check_value(what: ValueRef, value: &TextValue, options: &ValidateOptions, out: &mut Vec<Finding>) {
    let field = match what {
        ValueRef::Localized(_, field) => Some(field),
        _ => None,
    };
    let emoji = field.is_some_and(refusals::refuses_emoji);
    let scanned = scan::scan(&value.value, text_of(what), emoji);
    characters(what, value, &scanned, out);
    if let ValueRef::Review(field) = what {
        refusals::review(field, value, out);
    }
    let Some(field) = field else { return };
    refusals::localized(field, value, &scanned, options, out);
    length(field, value, scanned.len, out);
    match field.kind() {
        Kind::Url => url(field, value, out),
        Kind::Keywords => keywords(value, out),
        Kind::Text => {}
    }
}

fn length(field: Field, value: &TextValue, count: usize, out: &mut Vec<Finding>) {
    let Some(max) = field.max_chars() else { return };
    if count > max {
        let over = count - max;
        let message = format!(
            "{} is {count} characters; App Store Connect allows at most {max}. Shorten it by {over} (the first character over the limit is marked)",
            field.label(),
        );
        out.push(Finding::error(Code::TooLong, &value.path, message).at(Some(value.position(max))));
    }
}

fn url(field: Field, value: &TextValue, out: &mut Vec<Finding>) {
    let v = value.value.as_str();
    let space = v.chars().position(char::is_whitespace);
    let named;
    let problem = if let Some(i) = space {
        let c = v.chars().nth(i).unwrap_or(' ');
        named = match c {
            ' ' => "contains a space".to_owned(),
            '\n' | '\r' => "contains a line break".to_owned(),
            c => format!("contains {}", scan::describe(c)),
        };
        Some(named.as_str())
    } else {
        match reqwest::Url::parse(v) {
            Ok(u) if !matches!(u.scheme(), "http" | "https") => Some("is not an http(s) URL"),
            Ok(u) if u.host_str().is_none_or(str::is_empty) => Some("has no host"),
            Ok(_) => None,
            Err(_) => Some("is not an absolute URL"),
        }
    };
    if let Some(problem) = problem {
        let shown: String = v.chars().take(80).collect();
        let message = format!(
            "{} '{shown}' {problem}; App Store Connect needs an absolute http(s) URL such as https://example.com/support",
            field.label()
        );
        let at = space.map_or(value.origin, |i| value.position(i));
        out.push(Finding::error(Code::InvalidUrl, &value.path, message).at(Some(at)));
    }
}

fn keywords(value: &TextValue, out: &mut Vec<Finding>) {
    let mut seen: Vec<String> = Vec::new();
    let mut wasted = 0;
    let mut first_waste = None;
    let mut index = 0; // character index of the current keyword's start
    for raw in value.value.split(',') {
        let len = raw.chars().count();
        let lead = raw.chars().take_while(|c| *c == ' ').count();
        let trail = if lead == len {
            0
        } else {
            raw.chars().rev().take_while(|c| *c == ' ').count()
        };
        if lead + trail > 0 {
            // The value is stripped, so these are always spaces next to a comma.
            wasted += lead + trail;
            first_waste.get_or_insert(index);
        }
        let keyword = raw.trim();
        if keyword.is_empty() {
            let message = "empty keyword between commas; remove the extra comma";
            out.push(Finding::warning(Code::EmptyKeyword, &value.path, message).at(Some(value.position(index))));
        } else {
            let folded = keyword.to_lowercase();
            if seen.contains(&folded) {
                let message = format!(
                    "keyword '{keyword}' appears more than once; the repeat wastes {} characters of the 100",
                    keyword.chars().count() + 1
                );
                out.push(
                    Finding::warning(Code::DuplicateKeyword, &value.path, message)
                        .at(Some(value.position(index + lead))),
                );
            } else {
                seen.push(folded);
            }
        }
        index += len + 1;
    }
    if wasted > 0 {
        let message = format!(
            "spaces around commas use {wasted} of the 100 keyword characters; Apple needs only commas (\"one,two,three\")"
        );
        out.push(
            Finding::warning(Code::KeywordSpaces, &value.path, message).at(first_waste.map(|i| value.position(i))),
        );
    }
}

/// Characters that are invisible in an editor but reach the App Store:
/// format characters (Unicode Cf: zero-width spaces, bidi controls, a byte
/// order mark), spaces that are not a plain space where one is meant, and
/// control characters. Each distinct one is reported once, at its first
/// occurrence, with its code point and how often and where it occurs, so
/// that one pass over the file fixes them all.
///
/// Warnings, never refusals: App Store Connect takes them. The evidence:
/// a review phone copied from macOS Contacts, U+202D before the number and
/// U+202C after it, went out unchanged with fastlane deliver in several
/// updates of a public app; the characters Apple is seen refusing are
/// emoji, named in its 409 (shared/reference/asc-api.md, "Characters"),
/// never a format character. Nothing shows Apple normalizing them either,
/// so they are taken to be stored as sent (as the fake stores them), and a
/// pulled value plans no change. The Apple TV privacy text is the one
/// field whose refusal names "control characters (… and other invisible
/// characters)"; its examples are all control characters, so only those
/// are refused there (`refusals`), and format characters are named here.
fn characters(what: ValueRef, value: &TextValue, scanned: &scan::Scan, out: &mut Vec<Finding>) {
    let phone = what == ValueRef::Review(ReviewField::ContactPhone);
    for mark in &scanned.marks {
        let (c, count) = (mark.c, mark.count);
        let first = mark.at[0];
        let places = || {
            let mut shown: Vec<String> = mark
                .at
                .iter()
                .map(|&i| {
                    let (line, column) = value.position(i);
                    format!("{line}:{column}")
                })
                .collect();
            if count > shown.len() {
                shown.push("…".to_owned());
            }
            shown.join(", ")
        };
        let finding = match mark.class {
            scan::Class::Control => {
                let message = match count {
                    1 => format!(
                        "contains the control character U+{:04X}, which App Store Connect will not display; remove it",
                        c as u32
                    ),
                    n => format!(
                        "contains the control character U+{:04X} {n} times (the first is marked; at {}), which App Store Connect will not display; remove them",
                        c as u32,
                        places()
                    ),
                };
                Finding::warning(Code::ControlCharacter, &value.path, message)
            }
            scan::Class::Invisible(reach) => {
                let how = match (reach, count) {
                    (scan::Reach::Anywhere, 1) => String::new(),
                    (scan::Reach::Anywhere, n) => format!(" {n} times (the first is marked; at {})", places()),
                    (scan::Reach::Edges, 1) => " at the edge".to_owned(),
                    // Edge characters occur at most twice: at the start and the end.
                    (scan::Reach::Edges, _) => " at both edges".to_owned(),
                };
                let extra = if phone && scan::is_bidi_control(c) {
                    ": a number copied from macOS Contacts carries U+202D before it and U+202C after it. App Store Connect takes the number with them, and asc-sync checks the number without them"
                } else if scan::is_bidi_control(c) {
                    " (a bidirectional control: it changes the order in which the text around it is shown)"
                } else if scan::is_other_space(c) && reach == scan::Reach::Anywhere {
                    " where a plain space is meant"
                } else {
                    ""
                };
                let (it, it_is) = if count == 1 {
                    ("it", "it is")
                } else {
                    ("them", "they are")
                };
                let message = format!(
                    "contains {}{how}, invisible in most editors but sent to the App Store{extra}; remove {it} unless {it_is} meant",
                    scan::describe(c)
                );
                Finding::warning(Code::InvisibleCharacter, &value.path, message)
            }
        };
        out.push(finding.at(Some(value.position(first))));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> TextValue {
        TextValue {
            value: text.into(),
            path: "m/en-US/keywords.txt".into(),
            origin: (1, 1),
            from_default: false,
        }
    }

    /// The character rules on a description holding `text`.
    fn characters(value: &TextValue, out: &mut Vec<Finding>) {
        let what = ValueRef::Localized(None, Field::Description);
        let scanned = scan::scan(&value.value, text_of(what), false);
        super::characters(what, value, &scanned, out);
    }

    fn codes(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.code.as_str()).collect()
    }

    #[test]
    fn duplicate_keywords_are_case_insensitive() {
        let mut out = Vec::new();
        keywords(&value("movies,Films,MOVIES"), &mut out);
        assert_eq!(codes(&out), ["duplicate-keyword"]);
        assert_eq!(out[0].column, Some(14));
    }

    #[test]
    fn spaces_after_commas_are_counted() {
        let mut out = Vec::new();
        keywords(&value("a, b,  c"), &mut out);
        assert_eq!(codes(&out), ["keyword-spaces"]);
        assert!(out[0].message.contains("use 3 of the 100"), "{}", out[0].message);
    }

    #[test]
    fn empty_keywords_are_flagged() {
        let mut out = Vec::new();
        keywords(&value("a,,b"), &mut out);
        assert_eq!(codes(&out), ["empty-keyword"]);
    }

    #[test]
    fn clean_keywords_pass() {
        let mut out = Vec::new();
        keywords(&value("a,b,c"), &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn urls_must_be_absolute_http() {
        for bad in [
            "example.com",
            "ftp://example.com",
            "https://",
            "https://a.com/x y",
            "mailto:a@b.c",
        ] {
            let mut out = Vec::new();
            url(Field::SupportUrl, &value(bad), &mut out);
            assert_eq!(codes(&out), ["invalid-url"], "{bad}");
        }
        let mut out = Vec::new();
        url(Field::SupportUrl, &value("https://example.com/help?x=1"), &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        let mut out = Vec::new();
        length(Field::Keywords, &value(&"語".repeat(100)), 100, &mut out);
        assert!(out.is_empty());
        length(Field::Keywords, &value(&"語".repeat(101)), 101, &mut out);
        assert_eq!(codes(&out), ["too-long"]);
        assert_eq!(out[0].column, Some(101));
    }

    #[test]
    fn zero_width_spaces_are_flagged_but_joiners_inside_words_are_not() {
        let mut out = Vec::new();
        characters(&value("می\u{200C}خواهم"), &mut out);
        assert!(out.is_empty());
        characters(&value("a\u{200B}b"), &mut out);
        assert_eq!(codes(&out), ["invisible-character"]);
    }

    #[test]
    fn each_distinct_character_is_reported_once_with_its_count() {
        let mut out = Vec::new();
        characters(&value("a\u{200B}b\u{7}c\u{200B}d\u{7}\u{2060}"), &mut out);
        assert_eq!(
            codes(&out),
            ["invisible-character", "control-character", "invisible-character"]
        );
        let columns: Vec<_> = out.iter().map(|f| f.column).collect();
        assert_eq!(columns, [Some(2), Some(4), Some(9)]);
        assert!(out[0].message.contains("U+200B) 2 times"), "{}", out[0].message);
        assert!(
            out[0].message.contains("remove them unless they are meant"),
            "{}",
            out[0].message
        );
        assert!(out[1].message.contains("U+0007 2 times"), "{}", out[1].message);
        assert!(
            out[2].message.contains("remove it unless it is meant"),
            "{}",
            out[2].message
        );
    }
}
