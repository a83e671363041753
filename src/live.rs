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
    /// An explicit version string. When no version has it, the plan
    /// renames the editable version, or creates the version when none is
    /// editable, as fastlane deliver's `app_version` does.
    Exact(String),
    /// The version with this id: what a saved plan was made for. Never
    /// typed by a user.
    Id(String),
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
            VersionSelector::Id(id) => write!(f, "id {id}"),
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
    /// How the target version comes to be, when no version has the asked
    /// version string yet; `None` for a version that exists as it is.
    pub planned: Option<PlannedVersion>,
}

/// What a plan does to have the version it was asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlannedVersion {
    /// No version is editable: create it (`id` is empty until then).
    Create,
    /// The editable version has another version string: rename it.
    Rename { to: String },
}

impl LiveVersion {
    /// The id children are created under: `None` for a version the plan
    /// creates.
    pub fn parent_id(&self) -> Option<String> {
        (self.planned != Some(PlannedVersion::Create)).then(|| self.id.clone())
    }

    /// A version the plan creates: editable, as Apple creates it, and
    /// without localizations.
    fn to_create(version_string: &str, is_first: bool) -> LiveVersion {
        LiveVersion {
            id: String::new(),
            version_string: version_string.to_owned(),
            state: NEW_VERSION_STATE.to_owned(),
            copyright: None,
            is_first,
            localizations: BTreeMap::new(),
            planned: Some(PlannedVersion::Create),
        }
    }
}

/// The state Apple gives a version it creates.
const NEW_VERSION_STATE: &str = "PREPARE_FOR_SUBMISSION";

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
    /// What the plan should say about how the version was chosen (no
    /// version editable, so the live one was read; a version to create).
    pub notes: Vec<String>,
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
    let (version, review, notes) = read_version(client, &app.id, platform, selector).await?;
    let app_info = read_app_info(client, &app.id).await?;
    Ok(LiveState {
        app_id: app.id.clone(),
        bundle_id: bundle_id.to_owned(),
        primary_locale: app.str("primaryLocale").unwrap_or("en-US").to_owned(),
        platform: platform.to_owned(),
        version,
        app_info,
        review,
        notes,
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

/// The selected version with its localizations, its review details, and
/// what to note about the choice.
async fn read_version(
    client: &Client,
    app_id: &str,
    platform: &str,
    selector: &VersionSelector,
) -> Result<(LiveVersion, Option<LiveReview>, Vec<String>), LiveError> {
    let versions = client
        .get_all(&format!(
            "/v1/apps/{app_id}/appStoreVersions?filter[platform]={platform}&include=appStoreVersionLocalizations,appStoreReviewDetail&limit[appStoreVersionLocalizations]={INCLUDED_LIMIT}&limit=200"
        ))
        .await?;
    let (chosen, planned, notes) = match choose_version(&versions.data, selector, platform)? {
        Choice::Existing(v, notes) => (v, None, notes),
        Choice::Rename(v, to, notes) => (v, Some(PlannedVersion::Rename { to }), notes),
        Choice::Create(version_string, notes) => {
            let version = LiveVersion::to_create(&version_string, versions.data.is_empty());
            return Ok((version, None, notes));
        }
    };
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
        planned,
    };
    let review = chosen.related_id("appStoreReviewDetail").and_then(|id| {
        versions
            .included
            .iter()
            .find(|r| r.type_name == "appStoreReviewDetails" && r.id == id)
            .map(review_of)
    });
    Ok((version, review, notes))
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

/// How the target version was found.
enum Choice<'a> {
    /// A version that exists, with what to note about the choice.
    Existing(&'a Resource, Vec<String>),
    /// The editable version, to be renamed to the asked version string.
    Rename(&'a Resource, String, Vec<String>),
    /// No version to rename: create this version string.
    Create(String, Vec<String>),
}

fn version_state(v: &Resource) -> String {
    v.str("appVersionState").unwrap_or_default().to_owned()
}

fn version_string(v: &Resource) -> String {
    v.str("versionString").unwrap_or_default().to_owned()
}

/// The highest version string among `versions` (fastlane's choice when
/// more than one is editable).
fn highest<'a>(versions: impl Iterator<Item = &'a Resource>) -> Option<&'a Resource> {
    versions.max_by(|a, b| compare_versions(&version_string(a), &version_string(b)))
}

fn choose_version<'a>(
    versions: &'a [Resource],
    selector: &VersionSelector,
    platform: &str,
) -> Result<Choice<'a>, LiveError> {
    let editable = highest(versions.iter().filter(|v| model::version_editable(&version_state(v))));
    let live = highest(versions.iter().filter(|v| model::version_live(&version_state(v))));
    let listed = || {
        let list: Vec<String> = versions
            .iter()
            .map(|v| format!("{} ({})", version_string(v), version_state(v)))
            .collect();
        if list.is_empty() {
            "none".to_owned()
        } else {
            list.join(", ")
        }
    };
    let no_version = |wanted: String| LiveError::NoVersion(format!("{platform}: {wanted}. Versions: {}", listed()));
    match selector {
        VersionSelector::Editable => match (editable, live) {
            (Some(v), _) => Ok(Choice::Existing(v, Vec::new())),
            (None, Some(v)) => Ok(Choice::Existing(v, vec![between_releases(v, platform, &listed())])),
            (None, None) => Err(no_version(
                "no version is in an editable state and none is on sale; set version = \"X.Y\" in asc-sync.toml (or pass --app-version X.Y) to have apply create it".into(),
            )),
        },
        VersionSelector::Live => live
            .map(|v| Choice::Existing(v, Vec::new()))
            .ok_or_else(|| no_version("no version is on sale".into())),
        VersionSelector::Id(id) => versions
            .iter()
            .find(|v| v.id == *id)
            .map(|v| Choice::Existing(v, Vec::new()))
            .ok_or_else(|| no_version(format!("the version with id {id} no longer exists"))),
        VersionSelector::Exact(s) => {
            if let Some(v) = versions.iter().find(|v| version_string(v) == *s) {
                return Ok(Choice::Existing(v, Vec::new()));
            }
            if let Some(v) = editable {
                let note = format!(
                    "{platform} version {s} does not exist: the editable version {} is renamed to {s}, as fastlane deliver does",
                    version_string(v)
                );
                return Ok(Choice::Rename(v, s.clone(), vec![note]));
            }
            if let Some(newest) = highest(versions.iter())
                && compare_versions(s, &version_string(newest)) != std::cmp::Ordering::Greater
            {
                return Err(no_version(format!(
                    "there is no version {s}, and it cannot be created: App Store Connect takes only a version string higher than {}",
                    version_string(newest)
                )));
            }
            let note = format!(
                "{platform} version {s} does not exist and no version is editable: apply creates it, then writes its localizations in the same run"
            );
            Ok(Choice::Create(s.clone(), vec![note]))
        }
    }
}

/// The note of a plan made between releases, against the live version.
fn between_releases(live: &Resource, platform: &str, versions: &str) -> String {
    format!(
        "No {platform} version is editable (versions: {versions}), so the plan compares the tree with version {} on sale: only promotional text can change there, and every other difference is shown as blocked. To change the rest, create the next version (version = \"X.Y\" in asc-sync.toml or --app-version X.Y)",
        version_string(live)
    )
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
