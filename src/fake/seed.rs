//! Seeding the fake from a metadata tree (`fake-asc --seed-tree`, the demo,
//! tests): the one place in the fake that reads the product's types, to
//! turn its tree into a live state. Nothing here decides what Apple
//! accepts; the state it builds is checked with the fake's own attribute
//! names like any state file.

use super::state::{App, AppInfo, Attributes, Localization, ReviewDetail, State, Version};
use crate::model::{CategorySlot, Field, Localization as Kind, ReviewField, RootField, category_id};
use crate::tree::MetadataTree;
use strum::IntoEnumIterator;

impl State {
    /// A live state equal to a metadata tree: the app with a live version
    /// and an editable one (so whatsNew is allowed), and a live and an
    /// editable app info, all holding the tree's values. Blank and absent
    /// files become unset attributes.
    pub fn from_tree(tree: &MetadataTree, bundle_id: &str, platform: &str) -> State {
        let (version_locs, info_locs) = localizations(tree);
        let name = info_locs
            .iter()
            .find_map(|l| l.attributes.get("name").cloned().flatten())
            .unwrap_or_else(|| bundle_id.to_owned());
        let review_detail = review_detail(tree);
        let info = |state: &str| AppInfo {
            state: state.into(),
            localizations: info_locs.clone(),
            ..categories(tree)
        };
        let version = |string: &str, state: &str| Version {
            platform: platform.into(),
            version_string: string.into(),
            app_version_state: state.into(),
            copyright: root(tree, RootField::Copyright),
            localizations: version_locs.clone(),
            review_detail: review_detail.clone(),
            ..Version::default()
        };
        let mut state = State {
            apps: vec![App {
                bundle_id: bundle_id.into(),
                name,
                primary_locale: primary_locale(tree),
                app_store_versions: vec![
                    version("1.0", "READY_FOR_DISTRIBUTION"),
                    version("1.1", "PREPARE_FOR_SUBMISSION"),
                ],
                app_infos: vec![info("READY_FOR_DISTRIBUTION"), info("PREPARE_FOR_SUBMISSION")],
                ..App::default()
            }],
            ..State::default()
        };
        state.normalize().expect("a tree only holds known attributes");
        state
    }
}

/// One app of [`State::from_trees`]: its tree, bundle id and platform.
pub struct Seed<'a> {
    pub tree: &'a MetadataTree,
    pub bundle_id: &'a str,
    pub platform: &'a str,
}

impl State {
    /// An account with several apps, each as [`State::from_tree`] makes
    /// it, ids unique across them. Seeds with one bundle id are one app
    /// on several platforms: the later ones add their versions, and the
    /// app infos (which Apple keeps per app, not per platform) are the
    /// first one's.
    pub fn from_trees(seeds: &[Seed]) -> State {
        let mut state = State::default();
        for seed in seeds {
            let mut app = State::from_tree(seed.tree, seed.bundle_id, seed.platform)
                .apps
                .remove(0);
            clear_ids(&mut app);
            match state.apps.iter_mut().find(|a| a.bundle_id == seed.bundle_id) {
                Some(existing) => existing.app_store_versions.append(&mut app.app_store_versions),
                None => state.apps.push(app),
            }
        }
        state.normalize().expect("a tree only holds known attributes");
        state
    }
}

/// Forgets an app's ids, for `normalize` to give it new ones.
fn clear_ids(app: &mut App) {
    app.id.clear();
    for v in &mut app.app_store_versions {
        v.id.clear();
        v.localizations.iter_mut().for_each(|l| l.id.clear());
        if let Some(r) = &mut v.review_detail {
            r.id.clear();
        }
    }
    for i in &mut app.app_infos {
        i.id.clear();
        i.localizations.iter_mut().for_each(|l| l.id.clear());
    }
}

/// The tree's localizations, for the version and for the app info.
fn localizations(tree: &MetadataTree) -> (Vec<Localization>, Vec<Localization>) {
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
        let loc = |attributes| Localization {
            id: String::new(),
            locale: locale.code().to_owned(),
            attributes,
        };
        version_locs.push(loc(v));
        info_locs.push(loc(i));
    }
    (version_locs, info_locs)
}

fn root(tree: &MetadataTree, field: RootField) -> Option<String> {
    tree.root_fields
        .get(&field)
        .filter(|t| !t.is_blank())
        .map(|t| t.value.clone())
}

/// The category relationships as the tree names them. fastlane trees may
/// hold legacy names; the product's mapping turns them into ids, and the
/// fake stores whatever comes out (a state is data, not a request).
fn categories(tree: &MetadataTree) -> AppInfo {
    let category = |slot: CategorySlot| root(tree, RootField::Category(slot)).map(|v| category_id(&v, slot));
    AppInfo {
        primary_category: category(CategorySlot::PrimaryCategory),
        secondary_category: category(CategorySlot::SecondaryCategory),
        primary_subcategory_one: category(CategorySlot::PrimarySubcategoryOne),
        primary_subcategory_two: category(CategorySlot::PrimarySubcategoryTwo),
        secondary_subcategory_one: category(CategorySlot::SecondarySubcategoryOne),
        secondary_subcategory_two: category(CategorySlot::SecondarySubcategoryTwo),
        ..AppInfo::default()
    }
}

fn review_detail(tree: &MetadataTree) -> Option<ReviewDetail> {
    let review = |f: ReviewField| tree.review.get(&f).filter(|t| !t.is_blank()).map(|t| t.value.clone());
    (!tree.review.is_empty()).then(|| ReviewDetail {
        contact_first_name: review(ReviewField::ContactFirstName),
        contact_last_name: review(ReviewField::ContactLastName),
        contact_phone: review(ReviewField::ContactPhone),
        contact_email: review(ReviewField::ContactEmail),
        demo_account_name: review(ReviewField::DemoAccountName),
        demo_account_password: review(ReviewField::DemoAccountPassword),
        demo_account_required: tree.demo_account_required(),
        notes: review(ReviewField::Notes),
        ..ReviewDetail::default()
    })
}

/// en-US when the tree has it, else its first locale.
fn primary_locale(tree: &MetadataTree) -> String {
    if tree.locales.keys().any(|l| l.code() == "en-US") {
        return "en-US".to_owned();
    }
    tree.locales
        .keys()
        .next()
        .map_or("en-US".to_owned(), |l| l.code().to_owned())
}
