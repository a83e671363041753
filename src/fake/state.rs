//! The fake's live state, in the JSON format of `--state FILE`,
//! `GET /_fake/state` and `--state-out`. Attribute names are the API's own;
//! `null` or a missing key means unset; ids are generated when absent.

use crate::model::{CategorySlot, Field, Localization as Kind, ReviewField, RootField};
use strum::IntoEnumIterator;

/// The fake's two localization resources.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    VersionLocalization,
    AppInfoLocalization,
}

impl Resource {
    pub fn type_name(self) -> &'static str {
        match self {
            Resource::VersionLocalization => "appStoreVersionLocalizations",
            Resource::AppInfoLocalization => "appInfoLocalizations",
        }
    }
}
use crate::tree::MetadataTree;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Localized attributes of one localization, by API name. Only names of
/// the resource's attributes are allowed (checked on load).
pub type Attributes = BTreeMap<String, Option<String>>;

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct State {
    #[serde(default)]
    pub apps: Vec<App>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct App {
    #[serde(default)]
    pub id: String,
    pub bundle_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub sku: Option<String>,
    #[serde(default = "default_primary_locale")]
    pub primary_locale: String,
    #[serde(default)]
    pub app_store_versions: Vec<Version>,
    #[serde(default)]
    pub app_infos: Vec<AppInfo>,
}

fn default_primary_locale() -> String {
    "en-US".into()
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Version {
    #[serde(default)]
    pub id: String,
    pub platform: String,
    pub version_string: String,
    pub app_version_state: String,
    #[serde(default)]
    pub copyright: Option<String>,
    #[serde(default)]
    pub release_type: Option<String>,
    #[serde(default)]
    pub created_date: Option<String>,
    #[serde(default)]
    pub localizations: Vec<Localization>,
    #[serde(default)]
    pub review_detail: Option<ReviewDetail>,
}

impl Version {
    /// The localization of `locale`, if the version has one.
    pub fn localization(&self, locale: &str) -> Option<&Localization> {
        self.localizations.iter().find(|l| l.locale == locale)
    }

    pub fn localization_mut(&mut self, locale: &str) -> Option<&mut Localization> {
        self.localizations.iter_mut().find(|l| l.locale == locale)
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Localization {
    #[serde(default)]
    pub id: String,
    pub locale: String,
    #[serde(flatten)]
    pub attributes: Attributes,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReviewDetail {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub contact_first_name: Option<String>,
    #[serde(default)]
    pub contact_last_name: Option<String>,
    #[serde(default)]
    pub contact_phone: Option<String>,
    #[serde(default)]
    pub contact_email: Option<String>,
    #[serde(default)]
    pub demo_account_name: Option<String>,
    #[serde(default)]
    pub demo_account_password: Option<String>,
    #[serde(default)]
    pub demo_account_required: Option<bool>,
    #[serde(default)]
    pub notes: Option<String>,
}

impl ReviewDetail {
    pub fn text(&self, name: &str) -> Option<&Option<String>> {
        Some(match name {
            "contactFirstName" => &self.contact_first_name,
            "contactLastName" => &self.contact_last_name,
            "contactPhone" => &self.contact_phone,
            "contactEmail" => &self.contact_email,
            "demoAccountName" => &self.demo_account_name,
            "demoAccountPassword" => &self.demo_account_password,
            "notes" => &self.notes,
            _ => return None,
        })
    }

    pub fn text_mut(&mut self, name: &str) -> Option<&mut Option<String>> {
        Some(match name {
            "contactFirstName" => &mut self.contact_first_name,
            "contactLastName" => &mut self.contact_last_name,
            "contactPhone" => &mut self.contact_phone,
            "contactEmail" => &mut self.contact_email,
            "demoAccountName" => &mut self.demo_account_name,
            "demoAccountPassword" => &mut self.demo_account_password,
            "notes" => &mut self.notes,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppInfo {
    #[serde(default)]
    pub id: String,
    pub state: String,
    #[serde(default)]
    pub primary_category: Option<String>,
    #[serde(default)]
    pub secondary_category: Option<String>,
    #[serde(default)]
    pub primary_subcategory_one: Option<String>,
    #[serde(default)]
    pub primary_subcategory_two: Option<String>,
    #[serde(default)]
    pub secondary_subcategory_one: Option<String>,
    #[serde(default)]
    pub secondary_subcategory_two: Option<String>,
    #[serde(default)]
    pub localizations: Vec<Localization>,
}

/// The category relationships of an app info, by API name.
pub const CATEGORY_RELATIONSHIPS: [&str; 6] = [
    "primaryCategory",
    "secondaryCategory",
    "primarySubcategoryOne",
    "primarySubcategoryTwo",
    "secondarySubcategoryOne",
    "secondarySubcategoryTwo",
];

impl AppInfo {
    pub fn category_mut(&mut self, name: &str) -> Option<&mut Option<String>> {
        Some(match name {
            "primaryCategory" => &mut self.primary_category,
            "secondaryCategory" => &mut self.secondary_category,
            "primarySubcategoryOne" => &mut self.primary_subcategory_one,
            "primarySubcategoryTwo" => &mut self.primary_subcategory_two,
            "secondarySubcategoryOne" => &mut self.secondary_subcategory_one,
            "secondarySubcategoryTwo" => &mut self.secondary_subcategory_two,
            _ => return None,
        })
    }

    pub fn category(&self, name: &str) -> Option<&Option<String>> {
        Some(match name {
            "primaryCategory" => &self.primary_category,
            "secondaryCategory" => &self.secondary_category,
            "primarySubcategoryOne" => &self.primary_subcategory_one,
            "primarySubcategoryTwo" => &self.primary_subcategory_two,
            "secondarySubcategoryOne" => &self.secondary_subcategory_one,
            "secondarySubcategoryTwo" => &self.secondary_subcategory_two,
            _ => return None,
        })
    }
}

/// The attribute names of a localization resource, as the API spells them.
pub fn localization_attributes(resource: Resource) -> Vec<&'static str> {
    let kind = match resource {
        Resource::VersionLocalization => Kind::Version,
        Resource::AppInfoLocalization => Kind::AppInfo,
    };
    kind.fields().map(Field::api_name).collect()
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl State {
    /// Parses a state document and fills in missing ids and unset
    /// attributes. `origin` names the source in errors.
    pub fn from_json(text: &str, origin: &str) -> Result<State, StateError> {
        let mut state: State = serde_json::from_str(text).map_err(|e| StateError::Invalid {
            path: origin.to_owned(),
            message: e.to_string(),
        })?;
        state.normalize().map_err(|message| StateError::Invalid {
            path: origin.to_owned(),
            message,
        })?;
        Ok(state)
    }

    /// Generates missing ids (unique across the state), sets every known
    /// attribute key (unset = null) and refuses unknown attribute names.
    pub fn normalize(&mut self) -> Result<(), String> {
        let mut next = 1u64;
        let mut fresh = |prefix: &str| {
            let id = format!("{prefix}{next:06}");
            next += 1;
            id
        };
        let fill = |id: &mut String, prefix: &str, fresh: &mut dyn FnMut(&str) -> String| {
            if id.is_empty() {
                *id = fresh(prefix);
            }
        };
        for (ai, app) in self.apps.iter_mut().enumerate() {
            fill(&mut app.id, "app-", &mut fresh);
            for (vi, v) in app.app_store_versions.iter_mut().enumerate() {
                fill(&mut v.id, "ver-", &mut fresh);
                for l in &mut v.localizations {
                    fill(&mut l.id, "verloc-", &mut fresh);
                    complete(&mut l.attributes, Resource::VersionLocalization)
                        .map_err(|e| format!("apps[{ai}].appStoreVersions[{vi}] locale {}: {e}", l.locale))?;
                }
                if let Some(r) = &mut v.review_detail {
                    fill(&mut r.id, "review-", &mut fresh);
                }
            }
            for (ii, info) in app.app_infos.iter_mut().enumerate() {
                fill(&mut info.id, "info-", &mut fresh);
                for l in &mut info.localizations {
                    fill(&mut l.id, "infoloc-", &mut fresh);
                    complete(&mut l.attributes, Resource::AppInfoLocalization)
                        .map_err(|e| format!("apps[{ai}].appInfos[{ii}] locale {}: {e}", l.locale))?;
                }
            }
        }
        Ok(())
    }

    /// A live state equal to a metadata tree: the app with a live version
    /// and an editable one (so whatsNew is allowed), and a live and an
    /// editable app info, all holding the tree's values. Blank and absent
    /// files become unset attributes.
    pub fn from_tree(tree: &MetadataTree, bundle_id: &str, platform: &str) -> State {
        let mut version_locs = Vec::new();
        let mut info_locs = Vec::new();
        for (locale, values) in &tree.locales {
            let mut v = Attributes::new();
            let mut i = Attributes::new();
            for field in Field::iter() {
                let value = values
                    .fields
                    .get(&field)
                    .filter(|t| !t.is_blank())
                    .map(|t| t.value.clone());
                match field.localization() {
                    Kind::Version => v.insert(field.api_name().to_owned(), value),
                    Kind::AppInfo => i.insert(field.api_name().to_owned(), value),
                };
            }
            version_locs.push(Localization {
                id: String::new(),
                locale: locale.code().to_owned(),
                attributes: v,
            });
            info_locs.push(Localization {
                id: String::new(),
                locale: locale.code().to_owned(),
                attributes: i,
            });
        }
        let root = |f: RootField| {
            tree.root_fields
                .get(&f)
                .filter(|t| !t.is_blank())
                .map(|t| t.value.clone())
        };
        // Apple stores category ids; fastlane trees may hold legacy names.
        let category =
            |slot: CategorySlot| root(RootField::Category(slot)).map(|v| crate::model::category_id(&v, slot));
        let review = |f: ReviewField| tree.review.get(&f).filter(|t| !t.is_blank()).map(|t| t.value.clone());
        let review_detail = (!tree.review.is_empty()).then(|| ReviewDetail {
            contact_first_name: review(ReviewField::ContactFirstName),
            contact_last_name: review(ReviewField::ContactLastName),
            contact_phone: review(ReviewField::ContactPhone),
            contact_email: review(ReviewField::ContactEmail),
            demo_account_name: review(ReviewField::DemoAccountName),
            demo_account_password: review(ReviewField::DemoAccountPassword),
            demo_account_required: tree.demo_account_required(),
            notes: review(ReviewField::Notes),
            ..ReviewDetail::default()
        });
        let name = info_locs
            .iter()
            .find_map(|l| l.attributes.get("name").cloned().flatten())
            .unwrap_or_else(|| bundle_id.to_owned());
        let info = |state: &str| AppInfo {
            state: state.into(),
            primary_category: category(CategorySlot::PrimaryCategory),
            secondary_category: category(CategorySlot::SecondaryCategory),
            primary_subcategory_one: category(CategorySlot::PrimarySubcategoryOne),
            primary_subcategory_two: category(CategorySlot::PrimarySubcategoryTwo),
            secondary_subcategory_one: category(CategorySlot::SecondarySubcategoryOne),
            secondary_subcategory_two: category(CategorySlot::SecondarySubcategoryTwo),
            localizations: info_locs.clone(),
            ..AppInfo::default()
        };
        let version = |string: &str, state: &str| Version {
            platform: platform.into(),
            version_string: string.into(),
            app_version_state: state.into(),
            copyright: root(RootField::Copyright),
            localizations: version_locs.clone(),
            review_detail: review_detail.clone(),
            ..Version::default()
        };
        let primary_locale = if tree.locales.keys().any(|l| l.code() == "en-US") {
            "en-US".to_owned()
        } else {
            tree.locales
                .keys()
                .next()
                .map_or("en-US".to_owned(), |l| l.code().to_owned())
        };
        let mut state = State {
            apps: vec![App {
                bundle_id: bundle_id.into(),
                name,
                primary_locale,
                app_store_versions: vec![
                    version("1.0", "READY_FOR_DISTRIBUTION"),
                    version("1.1", "PREPARE_FOR_SUBMISSION"),
                ],
                app_infos: vec![info("READY_FOR_DISTRIBUTION"), info("PREPARE_FOR_SUBMISSION")],
                ..App::default()
            }],
        };
        state.normalize().expect("a tree only holds known attributes");
        state
    }
}

fn complete(attributes: &mut Attributes, resource: Resource) -> Result<(), String> {
    let known = localization_attributes(resource);
    if let Some(unknown) = attributes.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(format!("unknown attribute '{unknown}' (known: {})", known.join(", ")));
    }
    for name in known {
        attributes.entry(name.to_owned()).or_insert(None);
    }
    Ok(())
}
