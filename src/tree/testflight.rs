//! TestFlight's What to Test, per locale, beside the metadata folder:
//!
//! ```text
//! fastlane/testflight/<locale>/what_to_test.txt
//! fastlane/testflight/default/what_to_test.txt   fills every locale of the listing without one
//! ```
//!
//! Checked as App Store Connect checks it: at most 4000 characters
//! (terraform-provider-apple's docs), no emoji ("Text for whatsNew
//! contains invalid characters/formats", SharezoneApp/sharezone-app #399).

use super::TextValue;
use super::text::decode;
use crate::findings::{Code, Finding};
use crate::locale::Locale;
use std::collections::BTreeMap;
use std::path::Path;

/// The file name in each locale folder.
pub const FILE: &str = "what_to_test.txt";
/// The longest What to Test Apple takes.
pub const MAX_CHARS: usize = 4000;

/// What to Test by locale code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WhatToTest {
    pub locales: BTreeMap<String, TextValue>,
    /// Whether the folder exists.
    pub present: bool,
}

/// Reads `testflight/` beside `metadata`; `listing` are the listing's
/// locales, which `default/` fills.
pub fn load(metadata: &Path, listing: &[Locale]) -> (WhatToTest, Vec<Finding>) {
    let root = metadata.parent().unwrap_or_else(|| Path::new(".")).join("testflight");
    let mut out = WhatToTest {
        present: root.is_dir(),
        ..WhatToTest::default()
    };
    let mut findings = Vec::new();
    let Ok(entries) = std::fs::read_dir(&root) else {
        return (out, findings);
    };
    let mut default = None;
    let mut folders: Vec<(String, std::path::PathBuf)> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| Some((e.file_name().to_str()?.to_owned(), e.path())))
        .collect();
    folders.sort();
    for (name, dir) in folders {
        let path = dir.join(FILE);
        let Ok(bytes) = std::fs::read(&path) else { continue };
        let shown = path.display().to_string();
        let value = match decode(&bytes) {
            Ok(d) => TextValue {
                value: d.value,
                path: shown.clone(),
                origin: d.origin,
                from_default: false,
            },
            Err(e) => {
                findings.push(Finding::error(Code::InvalidUtf8, shown, "not UTF-8 text").at(Some((e.line, e.column))));
                continue;
            }
        };
        check(&value, &mut findings);
        if name == "default" {
            default = Some(value);
            continue;
        }
        match Locale::ignoring_case(&name) {
            Some(locale) => {
                out.locales.insert(locale.code().to_owned(), value);
            }
            None => findings.push(Finding::error(
                Code::UnknownFolder,
                dir.display().to_string(),
                "not an App Store locale code: testflight/ holds one folder per locale, and default/",
            )),
        }
    }
    if let Some(default) = default {
        for locale in listing {
            out.locales
                .entry(locale.code().to_owned())
                .or_insert_with(|| TextValue {
                    from_default: true,
                    ..default.clone()
                });
        }
    }
    (out, findings)
}

fn check(value: &TextValue, findings: &mut Vec<Finding>) {
    let length = value.value.chars().count();
    if length > MAX_CHARS {
        findings.push(Finding::error(
            Code::TooLong,
            value.path.clone(),
            format!("What to Test is {length} characters; TestFlight takes at most {MAX_CHARS}"),
        ));
    }
    let emoji = crate::validate::emoji_in(&value.value);
    if !emoji.is_empty() {
        findings.push(Finding::error(
            Code::InvalidCharacters,
            value.path.clone(),
            format!(
                "TestFlight refuses emoji in What to Test: {}",
                emoji.iter().collect::<String>()
            ),
        ));
    }
}
