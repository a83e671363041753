//! In-app purchase and subscription texts in the tree, beside the
//! metadata folder, one file per text as the listing's:
//!
//! ```text
//! fastlane/in_app_purchases/<productId>/<locale>/{name,description}.txt
//! fastlane/subscriptions/<group reference name>/<locale>/{name,custom_app_name}.txt
//! fastlane/subscriptions/<group reference name>/<productId>/<locale>/{name,description}.txt
//! ```
//!
//! A folder under a group is a locale when its name is an App Store
//! locale code, else a subscription. `default/` in a product's folder
//! fills the files its locale folders lack, as for the listing. Every
//! problem is a finding with its path; values are checked for Apple's
//! limits and refused characters.

use super::TextValue;
use super::text::decode;
use crate::findings::{Code, Finding};
use crate::locale::Locale;
use crate::model::products::{Family, ProductText};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One product's texts, as the tree has them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DesiredProduct {
    pub family: Family,
    /// The product id (`com.example.pro`), or a group's reference name.
    pub key: String,
    /// A subscription's group reference name.
    pub group: Option<String>,
    /// The product's folder, as shown.
    pub folder: String,
    /// Texts by locale code and text; a blank file is a blank value.
    pub locales: BTreeMap<String, BTreeMap<ProductText, TextValue>>,
}

impl DesiredProduct {
    /// `in-app purchase com.example.pro`.
    pub fn label(&self) -> String {
        format!("{} {}", self.family, self.key)
    }
}

/// Every product folder of the tree, in path order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Products {
    pub items: Vec<DesiredProduct>,
    /// Whether either folder exists (a plan reads products only then).
    pub present: bool,
}

/// The two folders, beside the metadata folder.
pub fn folders(metadata: &Path) -> (PathBuf, PathBuf) {
    let base = metadata.parent().unwrap_or_else(|| Path::new("."));
    (base.join("in_app_purchases"), base.join("subscriptions"))
}

/// Reads both folders; a folder that does not exist reads as nothing.
pub fn load(metadata: &Path) -> (Products, Vec<Finding>) {
    let (iaps, subscriptions) = folders(metadata);
    let mut r = Reader::default();
    r.products.present = iaps.is_dir() || subscriptions.is_dir();
    for (name, dir) in r.subfolders(&iaps) {
        r.product(Family::InAppPurchase, name, None, &dir);
    }
    for (group, dir) in r.subfolders(&subscriptions) {
        r.product(Family::SubscriptionGroup, group.clone(), None, &dir);
        for (name, sub) in r.subfolders(&dir) {
            if name != "default" && Locale::ignoring_case(&name).is_none() {
                r.product(Family::Subscription, name, Some(group.clone()), &sub);
            }
        }
    }
    r.products.items.retain(|p| !p.locales.is_empty());
    let Reader { products, findings } = r;
    (products, findings)
}

#[derive(Default)]
struct Reader {
    products: Products,
    findings: Vec<Finding>,
}

impl Reader {
    /// The folders in `dir`, by name, sorted.
    fn subfolders(&mut self, dir: &Path) -> Vec<(String, PathBuf)> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut out: Vec<(String, PathBuf)> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| Some((e.file_name().to_str()?.to_owned(), e.path())))
            .filter(|(n, _)| !n.starts_with('.'))
            .collect();
        out.sort();
        out
    }

    fn product(&mut self, family: Family, key: String, group: Option<String>, dir: &Path) {
        let folder = dir.display().to_string();
        let mut locales: BTreeMap<String, BTreeMap<ProductText, TextValue>> = BTreeMap::new();
        let mut defaults = BTreeMap::new();
        for (name, sub) in self.subfolders(dir) {
            if name == "default" {
                defaults = self.texts(family, &sub);
                continue;
            }
            let Some(locale) = Locale::ignoring_case(&name) else {
                if family != Family::SubscriptionGroup {
                    let hint = crate::locale::suggest(&name)
                        .first()
                        .map(|l| format!("; did you mean '{l}'?"))
                        .unwrap_or_default();
                    self.findings.push(Finding::error(
                        Code::UnknownFolder,
                        sub.display().to_string(),
                        format!("not an App Store locale code{hint}: a {family}'s folder holds one folder per locale"),
                    ));
                }
                continue;
            };
            let texts = self.texts(family, &sub);
            if locales.insert(locale.code().to_owned(), texts).is_some() {
                self.findings.push(Finding::error(
                    Code::DuplicateLocale,
                    sub.display().to_string(),
                    format!("a second folder of locale {}: keep one", locale.code()),
                ));
            }
        }
        for texts in locales.values_mut() {
            for (text, value) in &defaults {
                texts.entry(*text).or_insert_with(|| TextValue {
                    from_default: true,
                    ..value.clone()
                });
            }
        }
        self.products.items.push(DesiredProduct {
            family,
            key,
            group,
            folder,
            locales,
        });
    }

    /// The text files of one locale folder, checked.
    fn texts(&mut self, family: Family, dir: &Path) -> BTreeMap<ProductText, TextValue> {
        let mut out = BTreeMap::new();
        for text in family.texts() {
            let path = dir.join(text.file_name());
            let Ok(bytes) = std::fs::read(&path) else { continue };
            let shown = path.display().to_string();
            match decode(&bytes) {
                Ok(decoded) => {
                    let value = TextValue {
                        value: decoded.value,
                        path: shown,
                        origin: decoded.origin,
                        from_default: false,
                    };
                    self.check(family, text, &value);
                    out.insert(text, value);
                }
                Err(e) => self
                    .findings
                    .push(Finding::error(Code::InvalidUtf8, shown, "not UTF-8 text").at(Some((e.line, e.column)))),
            }
        }
        out
    }

    /// Apple's limit and refused characters.
    fn check(&mut self, family: Family, text: ProductText, value: &TextValue) {
        let length = value.value.chars().count();
        if let Some(limit) = text.limit(family)
            && length > limit
        {
            self.findings.push(Finding::error(
                Code::TooLong,
                value.path.clone(),
                format!("{text} is {length} characters; App Store Connect takes at most {limit} for a {family}"),
            ));
        }
        let emoji = crate::validate::emoji_in(&value.value);
        if !emoji.is_empty() {
            self.findings.push(Finding::error(
                Code::InvalidCharacters,
                value.path.clone(),
                format!(
                    "App Store Connect refuses emoji in a {family}'s {text}: {}",
                    emoji.iter().collect::<String>()
                ),
            ));
        }
        if text == ProductText::Name && value.value.contains('\n') {
            self.findings.push(Finding::error(
                Code::ControlCharacter,
                value.path.clone(),
                format!("a {family}'s name is one line"),
            ));
        }
    }
}
