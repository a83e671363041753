//! The live state: what App Store Connect holds now for one app, platform
//! and version, read in a constant number of requests whatever the number
//! of locales: the app by exact bundle id, every version of the platform
//! with its localizations and review detail inline, and the app infos with
//! theirs. Paged endpoints are used only when a version has more than 50
//! localizations, which Apple's 50 locale codes make rare.

use crate::client::jsonapi::{Collection, Resource};
use crate::client::{Client, ClientError};
use crate::model::{self, CategorySlot, Editability, Field, Localization, ReviewField};
use std::collections::BTreeMap;
use strum::IntoEnumIterator;
const INCLUDED_LIMIT: usize = 50;

/// Which version a run targets.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum VersionSelector {
    /// The one version of the platform in an editable state.
    Editable,
    /// The version on sale (only promotional text can change there).
    Live,
    /// An explicit version string.
    Exact(String),
}

impl std::str::FromStr for VersionSelector {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "editable" => VersionSelector::Editable,
            "live" => VersionSelector::Live,
            other => VersionSelector::Exact(other.to_owned()),
        })
    }
}

impl std::fmt::Display for VersionSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VersionSelector::Editable => f.write_str("editable"),
            VersionSelector::Live => f.write_str("live"),
            VersionSelector::Exact(v) => f.write_str(v),
        }
    }
}

/// One live localization: its id and its values by field (`None` = unset).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LiveLocalization {
    pub id: String,
    pub values: BTreeMap<Field, Option<String>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LiveVersion {
    pub id: String,
    pub version_string: String,
    pub state: String,
    pub copyright: Option<String>,
    /// The platform's only version: Apple refuses whatsNew on it.
    pub is_first: bool,
    pub localizations: BTreeMap<String, LiveLocalization>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LiveAppInfo {
    pub id: String,
    pub state: String,
    pub categories: BTreeMap<CategorySlot, Option<String>>,
    pub localizations: BTreeMap<String, LiveLocalization>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LiveReview {
    pub id: String,
    pub values: BTreeMap<ReviewField, Option<String>>,
    pub demo_account_required: Option<bool>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LiveState {
    pub app_id: String,
    pub bundle_id: String,
    pub primary_locale: String,
    pub platform: String,
    pub version: LiveVersion,
    pub app_info: Option<LiveAppInfo>,
    pub review: Option<LiveReview>,
}

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error("no app with bundle id '{bundle_id}' is visible to this API key{near}")]
    NoApp { bundle_id: String, near: String },
    #[error("{0}")]
    NoVersion(String),
}

/// Reads the live state of `bundle_id` on `platform` for the selected version.
pub async fn fetch(
    client: &Client,
    bundle_id: &str,
    platform: &str,
    selector: &VersionSelector,
) -> Result<LiveState, LiveError> {
    let app = find_app(client, bundle_id).await?;
    let (version, review) = read_version(client, &app.id, platform, selector).await?;
    let app_info = read_app_info(client, &app.id).await?;
    Ok(LiveState {
        app_id: app.id.clone(),
        bundle_id: bundle_id.to_owned(),
        primary_locale: app.str("primaryLocale").unwrap_or("en-US").to_owned(),
        platform: platform.to_owned(),
        version,
        app_info,
        review,
    })
}

/// The app of exactly this bundle id.
async fn find_app(client: &Client, bundle_id: &str) -> Result<Resource, LiveError> {
    let apps = client
        .get_all(&format!("/v1/apps?filter[bundleId]={}&limit=200", encode(bundle_id)))
        .await?;
    // Apple's filter also returns near matches: compare exactly.
    if let Some(app) = apps.data.iter().find(|a| a.str("bundleId") == Some(bundle_id)) {
        return Ok(app.clone());
    }
    let near: Vec<&str> = apps.data.iter().filter_map(|a| a.str("bundleId")).collect();
    let near = if near.is_empty() {
        String::new()
    } else {
        format!(" (near matches: {})", near.join(", "))
    };
    Err(LiveError::NoApp {
        bundle_id: bundle_id.to_owned(),
        near,
    })
}

/// The selected version with its localizations, and its review details.
async fn read_version(
    client: &Client,
    app_id: &str,
    platform: &str,
    selector: &VersionSelector,
) -> Result<(LiveVersion, Option<LiveReview>), LiveError> {
    let versions = client
        .get_all(&format!(
            "/v1/apps/{app_id}/appStoreVersions?filter[platform]={platform}&include=appStoreVersionLocalizations,appStoreReviewDetail&limit[appStoreVersionLocalizations]={INCLUDED_LIMIT}&limit=200"
        ))
        .await?;
    let chosen = select_version(&versions.data, selector, platform)?;
    let locs = included_or_paged(
        client,
        chosen,
        &versions,
        "appStoreVersionLocalizations",
        &format!(
            "/v1/appStoreVersions/{}/appStoreVersionLocalizations?limit=200",
            chosen.id
        ),
    )
    .await?;
    let version = LiveVersion {
        id: chosen.id.clone(),
        version_string: chosen.str("versionString").unwrap_or_default().to_owned(),
        state: chosen.str("appVersionState").unwrap_or_default().to_owned(),
        copyright: chosen.str("copyright").map(str::to_owned),
        is_first: versions.data.len() == 1,
        localizations: localizations(&locs, Localization::Version),
    };
    let review = chosen.related_id("appStoreReviewDetail").and_then(|id| {
        versions
            .included
            .iter()
            .find(|r| r.type_name == "appStoreReviewDetails" && r.id == id)
            .map(review_of)
    });
    Ok((version, review))
}

/// The app info being edited, else the live one, with its localizations.
async fn read_app_info(client: &Client, app_id: &str) -> Result<Option<LiveAppInfo>, LiveError> {
    let infos = client
        .get_all(&format!(
            "/v1/apps/{app_id}/appInfos?include=appInfoLocalizations&limit[appInfoLocalizations]={INCLUDED_LIMIT}&limit=200"
        ))
        .await?;
    let with_state = |pick: fn(&str) -> bool| infos.data.iter().find(|i| i.str("state").is_some_and(pick));
    let Some(info) = with_state(model::app_info_editable)
        .or_else(|| with_state(model::app_info_live))
        .or_else(|| infos.data.first())
    else {
        return Ok(None);
    };
    let locs = included_or_paged(
        client,
        info,
        &infos,
        "appInfoLocalizations",
        &format!("/v1/appInfos/{}/appInfoLocalizations?limit=200", info.id),
    )
    .await?;
    Ok(Some(LiveAppInfo {
        id: info.id.clone(),
        state: info.str("state").unwrap_or_default().to_owned(),
        categories: CategorySlot::iter()
            .map(|slot| (slot, info.related_id(slot.api_name()).map(str::to_owned)))
            .collect(),
        localizations: localizations(&locs, Localization::AppInfo),
    }))
}

fn encode(value: &str) -> String {
    serde_urlencoded::to_string([("v", value)])
        .unwrap_or_default()
        .trim_start_matches("v=")
        .to_owned()
}

fn select_version<'a>(
    versions: &'a [Resource],
    selector: &VersionSelector,
    platform: &str,
) -> Result<&'a Resource, LiveError> {
    let state = |v: &Resource| v.str("appVersionState").unwrap_or_default().to_owned();
    let string = |v: &Resource| v.str("versionString").unwrap_or_default().to_owned();
    let candidates: Vec<&Resource> = versions
        .iter()
        .filter(|v| match selector {
            VersionSelector::Editable => model::version_editable(&state(v)),
            VersionSelector::Live => model::version_live(&state(v)),
            VersionSelector::Exact(s) => string(v) == *s,
        })
        .collect();
    // More than one editable version is unusual; the highest wins, as in fastlane.
    let best = candidates
        .into_iter()
        .max_by(|a, b| compare_versions(&string(a), &string(b)));
    best.ok_or_else(|| {
        let list: Vec<String> = versions.iter().map(|v| format!("{} ({})", string(v), state(v))).collect();
        let existing = if list.is_empty() { "none".to_owned() } else { list.join(", ") };
        let wanted = match selector {
            VersionSelector::Editable => "no version is in an editable state; create the next version in App Store Connect, or use --app-version live to change only the promotional text of the version on sale".to_owned(),
            VersionSelector::Live => "no version is on sale".to_owned(),
            VersionSelector::Exact(s) => format!("there is no version {s}"),
        };
        LiveError::NoVersion(format!("{platform}: {wanted}. Versions: {existing}"))
    })
}

/// Compares dotted version strings numerically where they are numbers.
fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    let parts = |s: &str| s.split('.').map(|p| p.parse::<u64>().unwrap_or(0)).collect::<Vec<_>>();
    parts(a).cmp(&parts(b))
}

/// A parent's localizations from `included`, or from the paged endpoint
/// when the server included fewer than the parent has.
async fn included_or_paged(
    client: &Client,
    parent: &Resource,
    doc: &Collection,
    relationship: &str,
    paged: &str,
) -> Result<Vec<Resource>, ClientError> {
    // No `data` at all means the server included nothing: read the list.
    let ids = parent.related_ids(relationship);
    let included = ids.as_ref().map_or(0, Vec::len) as u64;
    let total = parent.related_total(relationship).unwrap_or(included);
    let Some(ids) = ids.filter(|_| included >= total) else {
        tracing::debug!(
            relationship,
            total,
            "more localizations than Apple includes; reading the paged list"
        );
        return Ok(client.get_all(paged).await?.data);
    };
    Ok(ids
        .iter()
        .filter_map(|id| {
            doc.included
                .iter()
                .find(|r| r.type_name == relationship && r.id == *id)
                .cloned()
        })
        .collect())
}

fn localizations(resources: &[Resource], kind: Localization) -> BTreeMap<String, LiveLocalization> {
    resources
        .iter()
        .filter_map(|r| {
            let locale = r.str("locale")?.to_owned();
            let values = kind
                .fields()
                .map(|f| (f, r.str(f.api_name()).map(str::to_owned)))
                .collect();
            Some((
                locale,
                LiveLocalization {
                    id: r.id.clone(),
                    values,
                },
            ))
        })
        .collect()
}

fn review_of(r: &Resource) -> LiveReview {
    LiveReview {
        id: r.id.clone(),
        values: ReviewField::iter()
            .map(|f| (f, r.str(f.api_name()).map(str::to_owned)))
            .collect(),
        demo_account_required: r
            .attributes
            .get("demoAccountRequired")
            .and_then(serde_json::Value::as_bool),
    }
}

impl LiveState {
    /// Every non-empty live value a plan could clear (localized texts,
    /// copyright, categories, review details): the base of the "clears
    /// too much" guard, so a share can never exceed 100 %.
    pub fn value_count(&self) -> usize {
        fn set<'a>(values: impl Iterator<Item = &'a Option<String>>) -> usize {
            values.filter(|v| v.as_deref().is_some_and(|s| !s.is_empty())).count()
        }
        let localized = |locs: &BTreeMap<String, LiveLocalization>| set(locs.values().flat_map(|l| l.values.values()));
        localized(&self.version.localizations)
            + set(std::iter::once(&self.version.copyright))
            + self
                .app_info
                .as_ref()
                .map_or(0, |i| localized(&i.localizations) + set(i.categories.values()))
            + self.review.as_ref().map_or(0, |r| set(r.values.values()))
    }

    /// What Apple allows now, for the diff to predict its refusals.
    pub fn editability(&self) -> Editability<'_> {
        Editability {
            platform: &self.platform,
            version_string: &self.version.version_string,
            version_state: &self.version.state,
            first_version: self.version.is_first,
            app_info_state: self.app_info.as_ref().map(|i| i.state.as_str()),
        }
    }
}
