//! App Store locale codes: the 50 codes App Store Connect accepts for
//! metadata, case-insensitive folder matching, and "did you mean" hints.
//!
//! App Store Connect compares locale codes case-sensitively (`fr-ca` is
//! refused with "The 'locale' value is invalid"), while fastlane deliver
//! matches folders case-insensitively and then sends the folder name as
//! written. We match the same folders deliver accepts, but always carry the
//! canonical code.

use std::fmt;

/// The locale codes App Store Connect accepts for version and app-info
/// localizations (fastlane's `ALL_LANGUAGES`, 2026), in Apple's spelling.
pub const ALL: [&str; 50] = [
    "ar-SA", "bn-BD", "ca", "cs", "da", "de-DE", "el", "en-AU", "en-CA", "en-GB", "en-US", "es-ES", "es-MX", "fi",
    "fr-CA", "fr-FR", "gu-IN", "he", "hi", "hr", "hu", "id", "it", "ja", "kn-IN", "ko", "ml-IN", "mr-IN", "ms",
    "nl-NL", "no", "or-IN", "pa-IN", "pl", "pt-BR", "pt-PT", "ro", "ru", "sk", "sl-SI", "sv", "ta-IN", "te-IN", "th",
    "tr", "uk", "ur-PK", "vi", "zh-Hans", "zh-Hant",
];

/// A locale code App Store Connect accepts, always in its canonical case.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Locale(&'static str);

impl Locale {
    /// The exact, case-sensitive code, as App Store Connect requires it.
    pub fn exact(code: &str) -> Option<Locale> {
        ALL.iter().find(|c| **c == code).map(|c| Locale(c))
    }

    /// A folder name matched as deliver matches it: ignoring ASCII case.
    pub fn ignoring_case(name: &str) -> Option<Locale> {
        ALL.iter().find(|c| c.eq_ignore_ascii_case(name)).map(|c| Locale(c))
    }

    pub fn code(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Locale({})", self.0)
    }
}

impl serde::Serialize for Locale {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

/// Names teams use that App Store Connect spells differently. Looked up
/// after `_` has been turned into `-` and case has been folded.
const ALIASES: [(&str, &str); 16] = [
    ("nb", "no"),
    ("nb-no", "no"),
    ("nn", "no"),
    ("nn-no", "no"),
    ("no-no", "no"),
    ("iw", "he"),
    ("iw-il", "he"),
    ("in", "id"),
    ("zh", "zh-Hans"),
    ("zh-cn", "zh-Hans"),
    ("zh-sg", "zh-Hans"),
    ("zh-hans-cn", "zh-Hans"),
    ("zh-tw", "zh-Hant"),
    ("zh-hk", "zh-Hant"),
    ("zh-mo", "zh-Hant"),
    ("zh-hant-tw", "zh-Hant"),
];

/// The codes a mistyped or foreign-convention folder name most likely
/// meant, best first: `nb-NO` → `no`, `it-IT` → `it`, `zh_TW` → `zh-Hant`,
/// `de` → `de-DE`, `es` → `es-ES`, `es-MX`. Empty when nothing is close.
pub fn suggest(name: &str) -> Vec<Locale> {
    let folded = name.replace('_', "-").to_ascii_lowercase();
    if let Some(l) = Locale::ignoring_case(&folded) {
        return vec![l];
    }
    if let Some((_, code)) = ALIASES.iter().find(|(alias, _)| *alias == folded) {
        return Locale::exact(code).into_iter().collect();
    }
    let language = folded.split('-').next().unwrap_or_default();
    if language.is_empty() {
        return Vec::new();
    }
    let mut same_language: Vec<Locale> = ALL
        .iter()
        .filter(|c| c.split('-').next().is_some_and(|l| l.eq_ignore_ascii_case(language)))
        .map(|c| Locale(c))
        .collect();
    // en-US first for bare `en`: it is what most teams mean.
    same_language.sort_by_key(|l| (l.0 != "en-US", l.0));
    same_language
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(name: &str) -> Vec<&'static str> {
        suggest(name).into_iter().map(Locale::code).collect()
    }

    #[test]
    fn folder_case_is_folded_to_apples_spelling() {
        assert_eq!(Locale::ignoring_case("fr-ca").unwrap().code(), "fr-CA");
        assert_eq!(Locale::ignoring_case("ZH-HANT").unwrap().code(), "zh-Hant");
        assert!(Locale::exact("fr-ca").is_none());
    }

    #[test]
    fn suggestions_cover_the_usual_mistakes() {
        assert_eq!(codes("nb"), ["no"]);
        assert_eq!(codes("nb-NO"), ["no"]);
        assert_eq!(codes("it-IT"), ["it"]);
        assert_eq!(codes("zh_TW"), ["zh-Hant"]);
        assert_eq!(codes("zh-CN"), ["zh-Hans"]);
        assert_eq!(codes("de"), ["de-DE"]);
        assert_eq!(codes("sl_SI"), ["sl-SI"]);
        assert_eq!(codes("es"), ["es-ES", "es-MX"]);
        assert_eq!(codes("en")[0], "en-US");
        assert!(codes("tzl").is_empty());
        assert!(codes("").is_empty());
    }

    #[test]
    fn there_are_fifty_distinct_codes() {
        let mut v = ALL.to_vec();
        v.sort_unstable();
        v.dedup();
        assert_eq!(v.len(), 50);
    }
}
