//! In-app purchase and subscription texts in a plan: per product and
//! locale, the texts the tree changes on the product's newest version.
//!
//! A version whose texts can still change (being prepared, or sent back)
//! is written as it is. One Apple has approved cannot change: the plan
//! then makes a new version, which captures the live texts, and writes the
//! changes on it; its texts go to review with the next submission, and a
//! version cannot be deleted, so the plan says so. A version in review
//! takes nothing until Apple decides: its changes are blocked.
//! A product the tree names that App Store Connect does not have is an
//! error: asc-sync writes texts, it does not create products.

use super::{Action, AttributeChange};
use crate::config::BlankFiles;
use crate::live::products::{LiveProduct, LiveProducts};
use crate::model::Value;
use crate::model::products::{Family, ProductText, version_in_review, version_is_editable};
use crate::targeting::Targeting;
use crate::tree::products::{DesiredProduct, Products};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One localization's change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductChange {
    pub family: Family,
    /// The product id, or a group's reference name.
    pub product: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The product's App Store Connect id.
    pub product_id: String,
    /// The version written: `null` for the version this plan creates.
    pub version_id: Option<String>,
    pub locale: String,
    pub action: Action,
    /// The localization: `null` for a create, and for one the new version
    /// captures (found by locale once it exists).
    pub id: Option<String>,
    pub attributes: BTreeMap<ProductText, AttributeChange>,
    pub blocked: Option<String>,
}

impl ProductChange {
    pub fn is_blocked(&self) -> bool {
        self.blocked.is_some()
    }

    /// `inAppPurchaseLocalizations com.example.pro en-US`.
    pub fn label(&self) -> String {
        format!("{} {} {}", self.family.localization_type(), self.product, self.locale)
    }
}

/// A new version a plan makes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewVersion {
    pub family: Family,
    pub product: String,
    pub product_id: String,
    /// The newest live version, which cannot change.
    pub from_version: u64,
    pub from_state: String,
}

/// What the tree's product texts make of the live ones.
#[derive(Debug, Default)]
pub struct ProductDiff {
    pub changes: Vec<ProductChange>,
    pub versions: Vec<NewVersion>,
    /// Products the tree names that App Store Connect lacks.
    pub missing: Vec<String>,
}

/// Diffs every product of the tree against the live ones. `locales` are
/// the app's (its primary locale and app info localizations): Apple
/// refuses product texts in others.
pub fn diff(
    tree: &Products,
    live: &LiveProducts,
    locales: &BTreeSet<String>,
    blank_files: BlankFiles,
    allow_delete: bool,
    targeting: &Targeting,
) -> ProductDiff {
    let mut out = ProductDiff::default();
    for desired in &tree.items {
        let Some(product) = live.find(desired.family, &desired.key, desired.group.as_deref()) else {
            out.missing.push(format!(
                "{}: App Store Connect has no {} {}; create it there first (asc-sync writes texts, not products, prices or availability)",
                desired.folder, desired.family, desired.key
            ));
            continue;
        };
        let changes = product_changes(desired, product, locales, blank_files, allow_delete, targeting);
        if changes.is_empty() {
            continue;
        }
        let version = product.version.as_ref();
        let state = version.map_or("", |v| v.state.as_str());
        let blocked = version_in_review(state).then(|| {
            format!(
                "version {} of {} is {state}: its texts cannot change until Apple decides",
                version.map_or(0, |v| v.version),
                desired.key
            )
        });
        let new_version = blocked.is_none() && version.is_some_and(|v| !version_is_editable(&v.state));
        if new_version && let Some(v) = version {
            out.versions.push(NewVersion {
                family: desired.family,
                product: desired.key.clone(),
                product_id: product.id.clone(),
                from_version: v.version,
                from_state: v.state.clone(),
            });
        }
        for mut change in changes {
            if change.blocked.is_none() {
                change.blocked = blocked.clone();
            }
            if new_version {
                // The new version captures the live texts under new ids.
                change.version_id = None;
                change.id = None;
            }
            out.changes.push(change);
        }
    }
    out
}

fn product_changes(
    desired: &DesiredProduct,
    product: &LiveProduct,
    locales: &BTreeSet<String>,
    blank_files: BlankFiles,
    allow_delete: bool,
    targeting: &Targeting,
) -> Vec<ProductChange> {
    let version_id = product.version.as_ref().map(|v| v.id.clone());
    let change = |locale: &str, action: Action, id: Option<String>| ProductChange {
        family: desired.family,
        product: desired.key.clone(),
        group: desired.group.clone(),
        product_id: product.id.clone(),
        version_id: version_id.clone(),
        locale: locale.to_owned(),
        action,
        id,
        attributes: BTreeMap::new(),
        blocked: None,
    };
    let selected = |locale: &str| targeting.selects_products(locale);
    let mut out = Vec::new();
    for (locale, texts) in &desired.locales {
        if !selected(locale) {
            continue;
        }
        let live = product.localizations.get(locale);
        let mut c = change(
            locale,
            if live.is_some() { Action::Update } else { Action::Create },
            live.map(|l| l.id.clone()),
        );
        for (text, value) in texts {
            let after = match (value.is_blank(), blank_files) {
                (true, BlankFiles::Keep) => continue,
                (true, _) if *text == ProductText::Name => continue,
                (true, _) => Value::Unset,
                (false, _) => Value::Text(value.value.clone()),
            };
            let before = live
                .and_then(|l| l.texts.get(text).cloned().flatten())
                .map_or(Value::Unset, Value::Text);
            if same(&before, &after) {
                continue;
            }
            c.attributes.insert(
                *text,
                AttributeChange {
                    before,
                    after,
                    file: Some(value.path.clone()),
                    sensitive: false,
                    fingerprints: None,
                },
            );
        }
        if c.attributes.is_empty() {
            continue;
        }
        if live.is_none() {
            if !locales.contains(locale) {
                c.blocked = Some(format!(
                    "the app has no {locale} localization, and Apple takes product texts only in the app's locales: add the locale to the app first"
                ));
            } else if !c.attributes.contains_key(&ProductText::Name) {
                c.blocked = Some(format!(
                    "a new {locale} localization needs a name: add {}",
                    ProductText::Name.file_name()
                ));
            }
        }
        out.push(c);
    }
    if allow_delete {
        let gone: Vec<&String> = product
            .localizations
            .keys()
            .filter(|l| !desired.locales.contains_key(*l) && selected(l))
            .collect();
        // Creates go before deletes; what is left must not be nothing.
        let created = out
            .iter()
            .filter(|c| c.action == Action::Create && !c.is_blocked())
            .count();
        let last = created == 0 && gone.len() == product.localizations.len();
        for locale in &gone {
            let mut c = change(
                locale,
                Action::Delete,
                product.localizations.get(*locale).map(|l| l.id.clone()),
            );
            if last {
                c.blocked = Some("Apple refuses to delete a version's last localization".into());
            }
            out.push(c);
        }
    }
    out
}

/// Values as the diff compares them: stripped, unset as empty.
fn same(a: &Value, b: &Value) -> bool {
    let text = |v: &Value| match v {
        Value::Text(t) => crate::tree::text::strip(t).to_owned(),
        _ => String::new(),
    };
    text(a) == text(b)
}

/// The locales of the app: its primary locale and its app info's.
pub fn app_locales(live: &crate::live::LiveState) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = live
        .app_info
        .iter()
        .flat_map(|i| i.localizations.keys().cloned())
        .collect();
    out.extend(live.version.localizations.keys().cloned());
    if !live.primary_locale.is_empty() {
        out.insert(live.primary_locale.clone());
    }
    out
}
