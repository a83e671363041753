//! Findings: what reading and validating a metadata tree has to say.
//!
//! Every problem is collected, not thrown: a user fixing a tree wants the
//! whole list at once, each item naming its file, and a CI step wants a
//! stable code to filter on. Codes never change meaning once released.

use serde::Serialize;
use std::fmt;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize, strum::IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Severity {
    /// App Store Connect would refuse it, or asc-sync cannot read it: nothing is sent.
    Error,
    /// Allowed, but probably not what was meant.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.into())
    }
}

/// Stable identifiers of findings, as printed and as in JSON.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Code {
    // Reading the tree.
    MetadataNotFound,
    InvalidUtf8,
    FileTooLarge,
    SymlinkOutsideTree,
    SymlinkAsFile,
    NotAFile,
    Unreadable,
    UnknownFolder,
    DuplicateLocale,
    LocaleCase,
    UnknownFile,
    NestedFolder,
    LegacyReviewFile,
    BomRemoved,
    // What Apple will refuse.
    TooLong,
    InvalidUrl,
    ControlCharacter,
    InvalidCharacters,
    UnknownCategory,
    CategoryKind,
    SubcategoryParent,
    SubcategoryIgnored,
    SameCategory,
    PhoneFormat,
    // Hygiene.
    DuplicateKeyword,
    KeywordSpaces,
    EmptyKeyword,
    InvisibleCharacter,
    // Screenshots and app previews.
    ScreenshotSize,
    ImageFormat,
    ImageAlpha,
    TooManyScreenshots,
    DuplicateScreenshot,
    PreviewType,
    TooManyPreviews,
    PreviewDuration,
    PreviewSound,
    PreviewTooLarge,
    PreviewTimeCode,
}

impl Code {
    /// The code as printed, e.g. `too-long`: the variant in kebab case.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Reads codes as printed (`keyword-spaces`); the first name that is
    /// none, with a "did you mean" hint, is the error.
    pub fn parse_all(names: &[String]) -> Result<std::collections::BTreeSet<Code>, (String, String)> {
        use strum::IntoEnumIterator;
        names
            .iter()
            .map(|name| {
                name.trim().parse::<Code>().map_err(|_| {
                    let hint = crate::model::closest(name.trim(), Code::iter().map(Code::as_str))
                        .map(|c| format!("; did you mean '{c}'?"))
                        .unwrap_or_default();
                    (name.clone(), hint)
                })
            })
            .collect()
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing worth telling the user about a tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    /// The file or folder, as the user would type it (metadata path joined
    /// with the path inside the tree).
    pub path: String,
    /// 1-based line and column (in characters) where that makes sense.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    pub message: String,
}

impl Finding {
    pub fn error(code: Code, path: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding {
            code,
            severity: Severity::Error,
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    pub fn warning(code: Code, path: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding {
            severity: Severity::Warning,
            ..Finding::error(code, path, message)
        }
    }

    pub fn at(mut self, position: Option<(usize, usize)>) -> Finding {
        if let Some((line, column)) = position {
            self.line = Some(line);
            self.column = Some(column);
        }
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Finding {
    /// `path:line:col: severity[code]: message`, the form editors and
    /// terminals turn into links.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}[{}]: {}", self.severity, self.code, self.message)
    }
}

/// Orders findings for output: by path, then position, then code, so a
/// report reads top to bottom like the tree and never depends on the order
/// the file system listed things.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (&a.path, a.line, a.column, a.code, &a.message).cmp(&(&b.path, b.line, b.column, b.code, &b.message))
    });
}

pub fn count(findings: &[Finding], severity: Severity) -> usize {
    findings.iter().filter(|f| f.severity == severity).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_print_as_in_json() {
        for code in [
            Code::SymlinkAsFile,
            Code::InvalidUtf8,
            Code::TooLong,
            Code::InvalidCharacters,
        ] {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json.as_str(), Some(code.as_str()));
        }
        assert_eq!(Code::InvalidUtf8.as_str(), "invalid-utf8");
        assert_eq!(Severity::Warning.to_string(), "warning");
    }
}
