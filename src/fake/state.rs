//! The fake's live state, in the JSON format of `--state FILE`,
//! `GET /_fake/state` and `--state-out`. Attribute names are the API's own;
//! `null` or a missing key means unset; ids are generated when absent.

use super::apple::Kind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Localized attributes of one localization, by API name. Only names of
/// the resource's attributes are allowed (checked on load).
pub type Attributes = BTreeMap<String, Option<String>>;

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct State {
    #[serde(default)]
    pub apps: Vec<App>,
    /// Screenshot sets of version localizations (`appScreenshotSets`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub app_screenshot_sets: Vec<MediaSet>,
    /// App preview sets of version localizations (`appPreviewSets`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub app_preview_sets: Vec<MediaSet>,
    /// In-app purchases of the apps (`inAppPurchases`, v2), each with its
    /// versions and their localizations (`iap.rs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub in_app_purchases: Vec<InAppPurchase>,
    /// Subscription groups of the apps, with their versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subscription_groups: Vec<SubscriptionGroup>,
    /// Auto-renewable subscriptions of the groups, with their versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subscriptions: Vec<Subscription>,
    /// Builds uploaded for the apps (`builds.rs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub builds: Vec<Build>,
    /// TestFlight groups of the apps, with their builds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub beta_groups: Vec<BetaGroup>,
    /// Sets deleted but not settled yet (a fault): (set type,
    /// localization, display type, settled at in Unix milliseconds).
    #[serde(skip)]
    pub unsettled_set_deletes: Vec<(String, String, String, u64)>,
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

impl App {
    /// The localizations of a parent of a `kind` localization: the app's
    /// `parent`th version or app info.
    pub fn localizations(&self, kind: Kind, parent: usize) -> &Vec<Localization> {
        match kind {
            Kind::Version => &self.app_store_versions[parent].localizations,
            Kind::AppInfo => &self.app_infos[parent].localizations,
        }
    }

    pub fn localizations_mut(&mut self, kind: Kind, parent: usize) -> &mut Vec<Localization> {
        match kind {
            Kind::Version => &mut self.app_store_versions[parent].localizations,
            Kind::AppInfo => &mut self.app_infos[parent].localizations,
        }
    }

    /// The id and state of that parent.
    pub fn parent(&self, kind: Kind, parent: usize) -> (&str, &str) {
        match kind {
            Kind::Version => {
                let v = &self.app_store_versions[parent];
                (&v.id, &v.app_version_state)
            }
            Kind::AppInfo => {
                let i = &self.app_infos[parent];
                (&i.id, &i.state)
            }
        }
    }

    /// Whether `version` is the app's only version for its platform: Apple
    /// treats it as the first one.
    pub fn is_first_version(&self, version: &Version) -> bool {
        self.app_store_versions
            .iter()
            .filter(|v| v.platform == version.platform)
            .count()
            == 1
    }
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earliest_release_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phased_release: Option<PhasedRelease>,
    /// The id of the build the version ships with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<String>,
    #[serde(default)]
    pub created_date: Option<String>,
    #[serde(default)]
    pub localizations: Vec<Localization>,
    #[serde(default)]
    pub review_detail: Option<ReviewDetail>,
}

/// An uploaded build (`builds.rs`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Build {
    pub id: String,
    pub app: String,
    /// The build number (`CFBundleVersion`).
    pub version: String,
    /// The version string (`CFBundleShortVersionString`).
    pub pre_release_version: String,
    pub platform: String,
    /// `PROCESSING`, `FAILED`, `INVALID` or `VALID`.
    pub processing_state: String,
    #[serde(default)]
    pub uploaded_date: Option<String>,
    #[serde(default)]
    pub uses_non_exempt_encryption: Option<bool>,
    /// TestFlight's What to Test, per locale (`betaBuildLocalizations`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub localizations: Vec<BetaBuildLocalization>,
}

/// A TestFlight group.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BetaGroup {
    pub id: String,
    pub app: String,
    pub name: String,
    #[serde(default)]
    pub is_internal_group: bool,
    /// The ids of the builds testers of the group get.
    #[serde(default)]
    pub builds: Vec<String>,
}

/// A build's What to Test in one locale.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BetaBuildLocalization {
    pub id: String,
    pub locale: String,
    #[serde(default)]
    pub whats_new: Option<String>,
}

/// A version's phased release (`release.rs`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PhasedRelease {
    #[serde(default)]
    pub id: String,
    /// `INACTIVE`, `ACTIVE`, `PAUSED` or `COMPLETE`.
    pub state: String,
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
                    complete_attributes(&mut l.attributes, Kind::Version)
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
                    complete_attributes(&mut l.attributes, Kind::AppInfo)
                        .map_err(|e| format!("apps[{ai}].appInfos[{ii}] locale {}: {e}", l.locale))?;
                }
            }
        }
        let localizations: Vec<String> = self
            .apps
            .iter()
            .flat_map(|a| &a.app_store_versions)
            .flat_map(|v| &v.localizations)
            .map(|l| l.id.clone())
            .collect();
        for (name, sets) in [
            ("appScreenshotSets", &mut self.app_screenshot_sets),
            ("appPreviewSets", &mut self.app_preview_sets),
        ] {
            for (si, set) in sets.iter_mut().enumerate() {
                fill(&mut set.id, "set-", &mut fresh);
                if !localizations.contains(&set.localization) {
                    return Err(format!(
                        "{name}[{si}]: no appStoreVersionLocalizations with id '{}'",
                        set.localization
                    ));
                }
                for asset in &mut set.assets {
                    fill(&mut asset.id, "asset-", &mut fresh);
                }
            }
        }
        let apps: Vec<String> = self.apps.iter().map(|a| a.id.clone()).collect();
        for (pi, p) in self.in_app_purchases.iter_mut().enumerate() {
            fill(&mut p.id, "iap-", &mut fresh);
            if !apps.contains(&p.app) {
                return Err(format!("inAppPurchases[{pi}]: no apps with id '{}'", p.app));
            }
            fill_versions(&mut p.versions, "iap", &mut fresh);
        }
        for (gi, g) in self.subscription_groups.iter_mut().enumerate() {
            fill(&mut g.id, "group-", &mut fresh);
            if !apps.contains(&g.app) {
                return Err(format!("subscriptionGroups[{gi}]: no apps with id '{}'", g.app));
            }
            fill_versions(&mut g.versions, "group", &mut fresh);
        }
        let groups: Vec<String> = self.subscription_groups.iter().map(|g| g.id.clone()).collect();
        for (si, s) in self.subscriptions.iter_mut().enumerate() {
            fill(&mut s.id, "sub-", &mut fresh);
            if !groups.contains(&s.group) {
                return Err(format!(
                    "subscriptions[{si}]: no subscriptionGroups with id '{}'",
                    s.group
                ));
            }
            fill_versions(&mut s.versions, "sub", &mut fresh);
        }
        Ok(())
    }
}

/// Fills in the missing ids of product versions and their localizations.
fn fill_versions(versions: &mut [ProductVersion], prefix: &str, fresh: &mut dyn FnMut(&str) -> String) {
    for v in versions {
        if v.id.is_empty() {
            v.id = fresh(&format!("{prefix}ver-"));
        }
        for l in &mut v.localizations {
            if l.id.is_empty() {
                l.id = fresh(&format!("{prefix}loc-"));
            }
        }
    }
}

/// A subscription group (`SubscriptionGroup`) of an app.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubscriptionGroup {
    #[serde(default)]
    pub id: String,
    pub app: String,
    pub reference_name: String,
    /// Versions of its localizations (`subscriptionGroupVersions`), whose
    /// localizations hold `name` and `customAppName`.
    #[serde(default)]
    pub versions: Vec<ProductVersion>,
}

/// An auto-renewable subscription (`Subscription`) of a group.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Subscription {
    #[serde(default)]
    pub id: String,
    /// The id of its subscription group.
    pub group: String,
    pub product_id: String,
    /// The reference name.
    pub name: String,
    pub state: String,
    #[serde(default)]
    pub subscription_period: Option<String>,
    #[serde(default)]
    pub group_level: Option<u32>,
    #[serde(default)]
    pub versions: Vec<ProductVersion>,
}

/// An in-app purchase (`InAppPurchaseV2`) of an app.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InAppPurchase {
    #[serde(default)]
    pub id: String,
    /// The id of the app it belongs to.
    pub app: String,
    pub product_id: String,
    /// The reference name (internal, not shown to customers).
    pub name: String,
    pub in_app_purchase_type: String,
    pub state: String,
    /// Its versions, oldest first (`inAppPurchaseVersions`).
    #[serde(default)]
    pub versions: Vec<ProductVersion>,
}

/// One version of a product's metadata, holding its localizations.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductVersion {
    #[serde(default)]
    pub id: String,
    pub version: u32,
    pub state: String,
    #[serde(default)]
    pub localizations: Vec<ProductLocalization>,
}

/// One localization of a product version: `name` and `description`
/// (`customAppName` instead for a subscription group).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductLocalization {
    #[serde(default)]
    pub id: String,
    pub locale: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_app_name: Option<String>,
}

fn complete_attributes(attributes: &mut Attributes, kind: Kind) -> Result<(), String> {
    let known = kind.attributes();
    if let Some(unknown) = attributes.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(format!("unknown attribute '{unknown}' (known: {})", known.join(", ")));
    }
    for name in known {
        attributes.entry((*name).to_owned()).or_insert(None);
    }
    Ok(())
}

/// A screenshot or preview set: one display type of one version
/// localization, its assets in their order.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MediaSet {
    #[serde(default)]
    pub id: String,
    /// The `appStoreVersionLocalizations` id the set belongs to.
    pub localization: String,
    /// `screenshotDisplayType` or `previewType`.
    pub display_type: String,
    #[serde(default)]
    pub assets: Vec<MediaAsset>,
}

/// One screenshot or preview. A state file may give finished ones
/// (`state` defaults to `COMPLETE`); reservations made through the API
/// go from `AWAITING_UPLOAD` on.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MediaAsset {
    #[serde(default)]
    pub id: String,
    pub file_name: String,
    pub file_size: u64,
    #[serde(default)]
    pub source_file_checksum: Option<String>,
    /// `AWAITING_UPLOAD`, `UPLOAD_COMPLETE`, `PROCESSING` (previews),
    /// `COMPLETE` or `FAILED`.
    #[serde(default = "complete")]
    pub state: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<MediaError>,
    /// The image's (or video's) pixel size, once processed.
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
    /// Previews only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_frame_time_code: Option<String>,
    /// What happens next while the asset is processed, and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<Pending>,
    /// The uploaded parts, by part number − 1, until the commit.
    #[serde(skip)]
    pub parts: Vec<Option<Vec<u8>>>,
}

fn complete() -> String {
    "COMPLETE".into()
}

/// An `AppMediaStateError`: `{code, description}`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MediaError {
    pub code: String,
    pub description: String,
}

/// The scheduled end of an asset's processing, decided at the commit, in
/// Unix milliseconds.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pending {
    /// Previews turn `PROCESSING` then.
    #[serde(default)]
    pub processing_at_ms: Option<u64>,
    /// The asset turns `final_state` then.
    pub settles_at_ms: u64,
    pub final_state: String,
    #[serde(default)]
    pub errors: Vec<MediaError>,
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
    /// A checksum the client sent that is not shown yet (the late-checksum
    /// fault), and when it shows.
    #[serde(default)]
    pub checksum: Option<String>,
    #[serde(default)]
    pub checksum_at_ms: u64,
}

impl MediaAsset {
    /// Advances the asset to where its processing is at `now_ms`.
    fn settle(&mut self, now_ms: u64) {
        let Some(p) = &mut self.pending else { return };
        if self.state == "UPLOAD_COMPLETE" && p.processing_at_ms.is_some_and(|t| now_ms >= t) {
            self.state = "PROCESSING".into();
        }
        if matches!(self.state.as_str(), "UPLOAD_COMPLETE" | "PROCESSING") && now_ms >= p.settles_at_ms {
            self.state = p.final_state.clone();
            self.errors = std::mem::take(&mut p.errors);
            self.width = p.width;
            self.height = p.height;
        }
        if p.checksum.is_some() && now_ms >= p.checksum_at_ms {
            self.source_file_checksum = p.checksum.take();
        }
        if !matches!(self.state.as_str(), "UPLOAD_COMPLETE" | "PROCESSING") && p.checksum.is_none() {
            self.pending = None;
        }
    }
}

impl State {
    /// Advances every asset's processing to `now_ms` (Unix milliseconds).
    pub fn settle_media(&mut self, now_ms: u64) {
        for set in self.app_screenshot_sets.iter_mut().chain(&mut self.app_preview_sets) {
            for asset in &mut set.assets {
                asset.settle(now_ms);
            }
        }
    }

    /// The sets of one kind.
    pub fn media_sets(&self, media: super::apple::Media) -> &Vec<MediaSet> {
        match media {
            super::apple::Media::Screenshot => &self.app_screenshot_sets,
            super::apple::Media::Preview => &self.app_preview_sets,
        }
    }

    pub fn media_sets_mut(&mut self, media: super::apple::Media) -> &mut Vec<MediaSet> {
        match media {
            super::apple::Media::Screenshot => &mut self.app_screenshot_sets,
            super::apple::Media::Preview => &mut self.app_preview_sets,
        }
    }
}

/// The current time in Unix milliseconds, the clock of asset processing.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
