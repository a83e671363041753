//! Offline checks of a loaded tree: what App Store Connect would refuse,
//! and hygiene that saves a rejected submission. No network.
//!
//! Limits count Unicode scalar values, not bytes: real trees fill exactly
//! 100 characters of keywords in 3-byte scripts and Apple accepts them,
//! although one Apple help page says "bytes". The limits live in the field
//! table (`model`); the fake keeps its own statement of Apple's, so a wrong
//! limit here shows as a refused write in the tests.

mod refusals;

use crate::findings::{Code, Finding, Severity};
use crate::model::{Field, Kind};
use crate::tree::{MetadataTree, TextValue, ValueRef};

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
        characters(value, &mut findings);
        if let ValueRef::Review(field) = what {
            refusals::review(field, value, &mut findings);
        }
        let ValueRef::Localized(_, field) = what else {
            continue;
        };
        refusals::localized(field, value, options, &mut findings);
        length(field, value, &mut findings);
        match field.kind() {
            Kind::Url => url(field, value, &mut findings),
            Kind::Keywords => keywords(value, &mut findings),
            Kind::Text => {}
        }
    }
    crate::findings::sort(&mut findings);
    findings
}

fn length(field: Field, value: &TextValue, out: &mut Vec<Finding>) {
    let Some(max) = field.max_chars() else { return };
    let count = value.value.chars().count();
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
    let problem = if v.chars().any(char::is_whitespace) {
        Some("contains spaces or line breaks")
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
        out.push(Finding::error(Code::InvalidUrl, &value.path, message).at(Some(value.origin)));
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

/// Characters that are invisible in an editor but reach the App Store.
/// Each distinct one is reported once, at its first occurrence and with how
/// often it occurs, so that one pass over the file fixes them all.
fn characters(value: &TextValue, out: &mut Vec<Finding>) {
    let text = &value.value;
    let last = text.chars().count().saturating_sub(1);
    // (character, is it flagged only at the edges, first index, count), in
    // the order they first occur.
    let mut found: Vec<(char, bool, usize, usize)> = Vec::new();
    for (i, c) in text.chars().enumerate() {
        let edge = i == 0 || i == last;
        let flagged = match c {
            '\u{200B}' | '\u{2060}' | '\u{FEFF}' => Some(false),
            '\u{00A0}' | '\u{3000}' | '\u{200E}' | '\u{200F}' if edge => Some(true),
            '\r' | '\n' | '\t' => None,
            c if c.is_control() => Some(false),
            _ => None,
        };
        let Some(at_edge) = flagged else { continue };
        match found.iter_mut().find(|(seen, ..)| *seen == c) {
            Some((.., count)) => *count += 1,
            None => found.push((c, at_edge, i, 1)),
        }
    }
    for (c, at_edge, first, count) in found {
        let finding = if c.is_control() {
            let message = match count {
                1 => format!(
                    "contains the control character U+{:04X}, which App Store Connect will not display; remove it",
                    c as u32
                ),
                n => format!(
                    "contains the control character U+{:04X} {n} times (the first is marked), which App Store Connect will not display; remove them",
                    c as u32
                ),
            };
            Finding::warning(Code::ControlCharacter, &value.path, message)
        } else {
            let name = match c {
                '\u{200B}' => "a zero-width space (U+200B)",
                '\u{2060}' => "a word joiner (U+2060)",
                '\u{FEFF}' => "a byte order mark (U+FEFF)",
                '\u{00A0}' => "a no-break space (U+00A0)",
                '\u{3000}' => "an ideographic space (U+3000)",
                _ => "a direction mark (U+200E/U+200F)",
            };
            // Edge characters occur at most twice: at the start and the end.
            let how = match (at_edge, count) {
                (false, 1) => String::new(),
                (false, n) => format!(" {n} times (the first is marked)"),
                (true, 1) => " at the edge".to_owned(),
                (true, _) => " at both edges".to_owned(),
            };
            let (it, it_is) = if count == 1 {
                ("it", "it is")
            } else {
                ("them", "they are")
            };
            let message = format!(
                "contains {name}{how}, invisible in most editors but sent to the App Store; remove {it} unless {it_is} meant"
            );
            Finding::warning(Code::InvisibleCharacter, &value.path, message)
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
        length(Field::Keywords, &value(&"語".repeat(100)), &mut out);
        assert!(out.is_empty());
        length(Field::Keywords, &value(&"語".repeat(101)), &mut out);
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
