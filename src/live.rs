//! The live state: what App Store Connect holds now for one app, platform
//! and version, read in two round trips whatever the number of locales and
//! the length of the app's history, one when the app id is known:
//!
//! 1. the app by exact bundle id (skipped with an app id: the app is then
//!    read by id in the next round, to check its bundle id);
//! 2. at once: the version Apple's filters select (`filter[appVersionState]`,
//!    `filter[versionString]`) with its localizations and review detail
//!    inline; at most two versions of the platform without them (is the
//!    target its first version?); the app infos with their localizations.
//!
//! Versions that are not targeted are never downloaded, so 300 releases
//! cost what two do. Only when the asked version is not there (a version
//! to create or rename, or an error that lists the versions) is every
//! version's string and state read, a few bytes each. Paged endpoints are
//! used only when a parent has more than 50 localizations, which Apple's
//! 50 locale codes make rare. `apply plan.json` reads the version and the
//! app info by the ids its plan recorded (`version_by_id`, `app_info_by_id`).

pub mod media;
pub mod products;

/// A version's phased release, as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LivePhasedRelease {
    pub id: String,
    /// `phasedReleaseState`: `INACTIVE` until the version is released.
    pub state: String,
}

/// A build, as a plan names it: `2.1 (42)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveBuild {
    pub id: String,
    /// The build number.
    pub number: String,
    pub version_string: String,
    /// `PROCESSING`, `VALID`, `FAILED` or `INVALID`.
    pub processing_state: String,
}

impl LiveBuild {
    pub fn label(&self) -> String {
        format!("{} ({})", self.version_string, self.number)
    }

    fn of(r: &Resource, version_string: &str) -> LiveBuild {
        LiveBuild {
            id: r.id.clone(),
            number: r.str("version").unwrap_or_default().to_owned(),
            version_string: version_string.to_owned(),
            processing_state: r.str("processingState").unwrap_or_default().to_owned(),
        }
    }
}

/// The build a version ships with, and the one `wanted` names (`latest`,
/// or a build number) among the app's builds of the version's string and
/// platform: two GETs at once.
pub async fn builds(
    client: &Client,
    app_id: &str,
    version: &LiveVersion,
    platform: Platform,
    wanted: &str,
) -> Result<(Option<LiveBuild>, Option<LiveBuild>), ClientError> {
    let number = match wanted {
        "latest" => String::new(),
        n => format!("&filter[version]={}", encode(n)),
    };
    let candidates = format!(
        "/v1/builds?filter[app]={}&filter[preReleaseVersion.version]={}&filter[preReleaseVersion.platform]={platform}{number}&sort=-uploadedDate&limit=1",
        encode(app_id),
        encode(&version.version_string)
    );
    let (attached, candidates) = tokio::try_join!(
        attached_build(client, version),
        client.get_as::<Vec<Resource>>(&candidates)
    )?;
    Ok((
        attached,
        candidates
            .data
            .first()
            .map(|r| LiveBuild::of(r, &version.version_string)),
    ))
}

/// The build a version ships with, if it has one (one GET).
pub async fn attached_build(client: &Client, version: &LiveVersion) -> Result<Option<LiveBuild>, ClientError> {
    let path = format!("/v1/appStoreVersions/{}/build", encode(&version.id));
    let doc = client.get_as::<Option<Resource>>(&path).await?;
    Ok(doc.data.as_ref().map(|r| LiveBuild::of(r, &version.version_string)))
}

/// A TestFlight group, and whether it has a given build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveBetaGroup {
    pub id: String,
    pub name: String,
    pub has_build: bool,
}

/// The app's TestFlight groups among `names`, each with whether it has
/// `build_id`: one GET of the groups, then one per named group at once.
pub async fn beta_groups(
    client: &Client,
    app_id: &str,
    names: &[String],
    build_id: &str,
) -> Result<(Vec<LiveBetaGroup>, Vec<String>), ClientError> {
    let all = client
        .get_all(&format!(
            "/v1/apps/{}/betaGroups?limit=200&fields[betaGroups]=name",
            encode(app_id)
        ))
        .await?;
    let every: Vec<String> = all
        .data
        .iter()
        .filter_map(|g| g.str("name").map(str::to_owned))
        .collect();
    let named: Vec<&Resource> = all
        .data
        .iter()
        .filter(|g| g.str("name").is_some_and(|n| names.iter().any(|w| w == n)))
        .collect();
    let groups = futures::future::join_all(named.iter().map(|g| async move {
        let builds = client
            .get_all(&format!(
                "/v1/betaGroups/{}/relationships/builds?limit=200",
                encode(&g.id)
            ))
            .await?;
        Ok::<_, ClientError>(LiveBetaGroup {
            id: g.id.clone(),
            name: g.str("name").unwrap_or_default().to_owned(),
            has_build: builds.data.iter().any(|b| b.id == build_id),
        })
    }))
    .await
    .into_iter()
    .collect::<Result<Vec<_>, _>>()?;
    Ok((groups, every))
}

/// A build's What to Test in one locale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveWhatToTest {
    pub id: String,
    pub whats_new: Option<String>,
}

/// A build's What to Test by locale (one GET).
pub async fn what_to_test(client: &Client, build_id: &str) -> Result<BTreeMap<String, LiveWhatToTest>, ClientError> {
    let list = client
        .get_all(&format!(
            "/v1/builds/{}/betaBuildLocalizations?limit=200",
            encode(build_id)
        ))
        .await?;
    Ok(list
        .data
        .iter()
        .filter_map(|l| {
            Some((
                l.str("locale")?.to_owned(),
                LiveWhatToTest {
                    id: l.id.clone(),
                    whats_new: l.str("whatsNew").map(str::to_owned),
                },
            ))
        })
        .collect())
}

/// A version's phased release, if it has one (one GET; `data` is null
/// when it has none).
pub async fn phased_release(client: &Client, version_id: &str) -> Result<Option<LivePhasedRelease>, ClientError> {
    let path = format!(
        "/v1/appStoreVersions/{}/appStoreVersionPhasedRelease",
        encode(version_id)
    );
    let doc = client.get_as::<Option<Resource>>(&path).await?;
    Ok(doc.data.map(|r| LivePhasedRelease {
        state: r.str("phasedReleaseState").unwrap_or("INACTIVE").to_owned(),
        id: r.id,
    }))
}

use crate::client::jsonapi::Resource;
use crate::client::{Client, ClientError};
use crate::model::{AppInfoState, CategorySlot, Editability, Field, Localization, Platform, ReviewField, VersionState};
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
    pub state: VersionState,
    pub copyright: Option<String>,
    /// `releaseType` and `earliestReleaseDate`, as read.
    pub release_type: Option<String>,
    pub earliest_release_date: Option<String>,
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
            state: NEW_VERSION_STATE,
            copyright: None,
            release_type: None,
            earliest_release_date: None,
            is_first,
            localizations: BTreeMap::new(),
            planned: Some(PlannedVersion::Create),
        }
    }
}

/// The state Apple gives a version it creates.
const NEW_VERSION_STATE: VersionState = VersionState::PrepareForSubmission;

#[derive(Clone, Debug, PartialEq)]
pub struct LiveAppInfo {
    pub id: String,
    pub state: AppInfoState,
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
    pub platform: Platform,
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
    #[error("no app with id '{app_id}' (given for {bundle_id}) is visible to this API key")]
    NoAppId { app_id: String, bundle_id: String },
    #[error(
        "app id '{app_id}' is the app {found}, not {bundle_id}: correct app_id in asc-sync.toml, or remove it to find the app by its bundle id"
    )]
    OtherApp {
        app_id: String,
        bundle_id: String,
        found: String,
    },
    #[error("{0}")]
    NoVersion(String),
}

/// The app a run reads: its bundle id, and its App Store Connect id when
/// it is known (`app_id` in asc-sync.toml, a saved plan), which saves the
/// lookup by bundle id.
#[derive(Clone, Copy, Debug)]
pub struct AppRef<'a> {
    pub bundle_id: &'a str,
    pub app_id: Option<&'a str>,
}

/// Reads the live state of `bundle_id` on `platform` for the selected version.
pub async fn fetch(
    client: &Client,
    bundle_id: &str,
    platform: Platform,
    selector: &VersionSelector,
) -> Result<LiveState, LiveError> {
    fetch_app(
        client,
        &AppRef {
            bundle_id,
            app_id: None,
        },
        platform,
        selector,
    )
    .await
}

/// Reads the live state of `app` on `platform` for the selected version:
/// the app lookup, then one parallel round; with an app id, one round in
/// all, the app read by id beside the rest.
pub async fn fetch_app(
    client: &Client,
    app: &AppRef<'_>,
    platform: Platform,
    selector: &VersionSelector,
) -> Result<LiveState, LiveError> {
    let (found, (version, review, notes), app_info) = match app.app_id {
        Some(id) => {
            let (found, version, info) = tokio::join!(
                app_by_id(client, app.bundle_id, id),
                read_version(client, id, platform, selector),
                read_app_info(client, id),
            );
            // The app's error first: a wrong id fails the other reads too.
            (found?, version?, info?)
        }
        None => {
            let found = find_app(client, app.bundle_id).await?;
            let (version, info) = tokio::try_join!(
                read_version(client, &found.id, platform, selector),
                read_app_info(client, &found.id),
            )?;
            (found, version, info)
        }
    };
    Ok(LiveState {
        app_id: found.id.clone(),
        bundle_id: app.bundle_id.to_owned(),
        primary_locale: found.str("primaryLocale").unwrap_or("en-US").to_owned(),
        platform,
        version,
        app_info,
        review,
        notes,
    })
}

/// The attributes of an app a run needs.
const APP_FIELDS: &str = "fields[apps]=bundleId,primaryLocale";

/// The app of exactly this bundle id.
async fn find_app(client: &Client, bundle_id: &str) -> Result<Resource, LiveError> {
    let apps = client
        .get_all(&format!(
            "/v1/apps?filter[bundleId]={}&{APP_FIELDS}&limit=200",
            encode(bundle_id)
        ))
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

/// The app of this id, which must have `bundle_id`: an id copied from
/// another app's settings must not read that app, nor let apply write it.
async fn app_by_id(client: &Client, bundle_id: &str, app_id: &str) -> Result<Resource, LiveError> {
    let app = match client
        .get_as::<Resource>(&format!("/v1/apps/{}?{APP_FIELDS}", encode(app_id)))
        .await
    {
        Ok(doc) => doc.data,
        Err(e) if not_found(&e) => {
            return Err(LiveError::NoAppId {
                app_id: app_id.to_owned(),
                bundle_id: bundle_id.to_owned(),
            });
        }
        Err(e) => return Err(e.into()),
    };
    match app.str("bundleId") {
        Some(found) if found == bundle_id => Ok(app),
        found => Err(LiveError::OtherApp {
            app_id: app_id.to_owned(),
            bundle_id: bundle_id.to_owned(),
            found: found.unwrap_or("(no bundle id)").to_owned(),
        }),
    }
}

/// Whether a read failed because the resource does not exist.
fn not_found(e: &ClientError) -> bool {
    e.api().is_some_and(|api| api.status == 404)
}

/// What a version read gives: the version, its review details, and what
/// to note about the choice.
type VersionRead = (LiveVersion, Option<LiveReview>, Vec<String>);

/// A version's localizations and review detail, inline.
fn version_include() -> String {
    format!(
        "include=appStoreVersionLocalizations,appStoreReviewDetail&limit[appStoreVersionLocalizations]={INCLUDED_LIMIT}"
    )
}

/// The selected version: in one round, the versions Apple's filters select
/// for `selector`, with their localizations inline, and at most two of
/// the platform's versions without them, to know whether the target is
/// its first.
async fn read_version(
    client: &Client,
    app_id: &str,
    platform: Platform,
    selector: &VersionSelector,
) -> Result<VersionRead, LiveError> {
    let versions = format!("/v1/apps/{app_id}/appStoreVersions?filter[platform]={platform}");
    let targeted = format!("{versions}&{}&{}&limit=200", target_filter(selector), version_include());
    let two = format!("{versions}&fields[appStoreVersions]=versionString&limit=2");
    let (targets, first_two) = tokio::try_join!(client.get_all(&targeted), client.get_as::<Vec<Resource>>(&two))?;
    let is_first = first_two.data.len() == 1;
    if let Some((chosen, notes)) = pick(&targets.data, selector, platform) {
        let (version, review) = version_of(client, chosen, &targets.included, is_first).await?;
        return Ok((version, review, notes));
    }
    not_targeted(client, &versions, selector, platform).await
}

/// The filter that selects the versions `selector` may name: the editable
/// ones and those on sale (so that between releases needs no second
/// round; the version on sale costs its localizations once more); those
/// on sale; a version string; an id.
fn target_filter(selector: &VersionSelector) -> String {
    let states = |states: Vec<&str>| format!("filter[appVersionState]={}", states.join(","));
    match selector {
        VersionSelector::Editable => states(
            VersionState::editable_states()
                .chain(VersionState::live_states())
                .collect(),
        ),
        VersionSelector::Live => states(VersionState::live_states().collect()),
        VersionSelector::Exact(s) => format!("filter[versionString]={}", encode(s)),
        VersionSelector::Id(id) => format!("filter[id]={}", encode(id)),
    }
}

/// The version `selector` names among those the filters selected, and
/// what to note about the choice; `None` when it is not among them.
fn pick<'a>(
    targets: &'a [Resource],
    selector: &VersionSelector,
    platform: Platform,
) -> Option<(&'a Resource, Vec<String>)> {
    let highest_in = |state: fn(&VersionState) -> bool| highest(targets.iter().filter(|v| state(&version_state(v))));
    match selector {
        VersionSelector::Editable => highest_in(VersionState::editable)
            .map(|v| (v, Vec::new()))
            .or_else(|| highest_in(VersionState::live).map(|v| (v, vec![between_releases(v, platform)]))),
        VersionSelector::Live => highest_in(VersionState::live).map(|v| (v, Vec::new())),
        VersionSelector::Exact(s) => targets
            .iter()
            .find(|v| version_string(v) == *s)
            .map(|v| (v, Vec::new())),
        VersionSelector::Id(id) => targets.iter().find(|v| v.id == *id).map(|v| (v, Vec::new())),
    }
}

/// When the filters found no such version: every version of the platform,
/// a few bytes each, to rename the editable one, to create the asked one,
/// or to say which versions there are; then the renamed one with its
/// localizations.
async fn not_targeted(
    client: &Client,
    versions: &str,
    selector: &VersionSelector,
    platform: Platform,
) -> Result<VersionRead, LiveError> {
    let all = client
        .get_all(&format!(
            "{versions}&fields[appStoreVersions]=versionString,appVersionState&limit=200"
        ))
        .await?;
    let (chosen, planned, notes) = match choose_version(&all.data, selector, platform)? {
        Choice::Existing(v, notes) => (v, None, notes),
        Choice::Rename(v, to, notes) => (v, Some(PlannedVersion::Rename { to }), notes),
        Choice::Create(version_string, notes) => {
            let version = LiveVersion::to_create(&version_string, all.data.is_empty());
            return Ok((version, None, notes));
        }
    };
    let (mut version, review) = version_by_id(client, &chosen.id).await?;
    version.is_first = all.data.len() == 1;
    version.planned = planned;
    Ok((version, review, notes))
}

/// The version of this id with its localizations and review detail, as
/// `apply plan.json` re-reads it; `NoVersion` when it no longer exists.
/// Whether it is the platform's first version is not read (`is_first` is
/// false): only a plan's diff asks.
pub async fn version_by_id(client: &Client, id: &str) -> Result<(LiveVersion, Option<LiveReview>), LiveError> {
    let path = format!("/v1/appStoreVersions/{}?{}", encode(id), version_include());
    match client.get_as::<Resource>(&path).await {
        Ok(doc) => Ok(version_of(client, &doc.data, &doc.included, false).await?),
        Err(e) if not_found(&e) => Err(LiveError::NoVersion(format!(
            "the version with id {id} no longer exists"
        ))),
        Err(e) => Err(e.into()),
    }
}

/// A version read with its localizations and review detail inline (the
/// localizations paged past the inline limit).
async fn version_of(
    client: &Client,
    chosen: &Resource,
    included: &[Resource],
    is_first: bool,
) -> Result<(LiveVersion, Option<LiveReview>), ClientError> {
    let locs = included_or_paged(
        client,
        chosen,
        included,
        "appStoreVersionLocalizations",
        &format!(
            "/v1/appStoreVersions/{}/appStoreVersionLocalizations?limit=200",
            chosen.id
        ),
    )
    .await?;
    let version = LiveVersion {
        id: chosen.id.clone(),
        version_string: version_string(chosen),
        state: version_state(chosen),
        copyright: chosen.str("copyright").map(str::to_owned),
        release_type: chosen.str("releaseType").map(str::to_owned),
        earliest_release_date: chosen.str("earliestReleaseDate").map(str::to_owned),
        is_first,
        localizations: localizations(&locs, Localization::Version),
        planned: None,
    };
    let review = chosen.related_id("appStoreReviewDetail").and_then(|id| {
        included
            .iter()
            .find(|r| r.type_name == "appStoreReviewDetails" && r.id == id)
            .map(review_of)
    });
    Ok((version, review))
}

/// The app info being edited, else the live one, with its localizations.
/// Apple has no filter here; an app has one or two app infos.
async fn read_app_info(client: &Client, app_id: &str) -> Result<Option<LiveAppInfo>, LiveError> {
    let infos = client
        .get_all(&format!(
            "/v1/apps/{app_id}/appInfos?include=appInfoLocalizations&limit[appInfoLocalizations]={INCLUDED_LIMIT}&limit=200"
        ))
        .await?;
    let with_state = |pick: fn(&AppInfoState) -> bool| {
        let state = |i: &Resource| AppInfoState::parse(i.str("state").unwrap_or_default());
        infos.data.iter().find(|i| pick(&state(i)))
    };
    let Some(info) = with_state(AppInfoState::editable)
        .or_else(|| with_state(AppInfoState::live))
        .or_else(|| infos.data.first())
    else {
        return Ok(None);
    };
    Ok(Some(app_info_of(client, info, &infos.included).await?))
}

/// The app info of this id with its localizations, as `apply plan.json`
/// re-reads it; `None` when it no longer exists.
pub async fn app_info_by_id(client: &Client, id: &str) -> Result<Option<LiveAppInfo>, LiveError> {
    let path = format!(
        "/v1/appInfos/{}?include=appInfoLocalizations&limit[appInfoLocalizations]={INCLUDED_LIMIT}",
        encode(id)
    );
    match client.get_as::<Resource>(&path).await {
        Ok(doc) => Ok(Some(app_info_of(client, &doc.data, &doc.included).await?)),
        Err(e) if not_found(&e) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// An app info read with its localizations inline (paged past the limit).
async fn app_info_of(client: &Client, info: &Resource, included: &[Resource]) -> Result<LiveAppInfo, ClientError> {
    let locs = included_or_paged(
        client,
        info,
        included,
        "appInfoLocalizations",
        &format!("/v1/appInfos/{}/appInfoLocalizations?limit=200", info.id),
    )
    .await?;
    Ok(LiveAppInfo {
        id: info.id.clone(),
        state: AppInfoState::parse(info.str("state").unwrap_or_default()),
        categories: CategorySlot::iter()
            .map(|slot| (slot, info.related_id(slot.api_name()).map(str::to_owned)))
            .collect(),
        localizations: localizations(&locs, Localization::AppInfo),
    })
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

fn version_state(v: &Resource) -> VersionState {
    VersionState::parse(v.str("appVersionState").unwrap_or_default())
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
    platform: Platform,
) -> Result<Choice<'a>, LiveError> {
    let editable = highest(versions.iter().filter(|v| version_state(v).editable()));
    let live = highest(versions.iter().filter(|v| version_state(v).live()));
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
            (None, Some(v)) => Ok(Choice::Existing(v, vec![between_releases(v, platform)])),
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
fn between_releases(live: &Resource, platform: Platform) -> String {
    format!(
        "No {platform} version is editable, so the plan compares the tree with version {} on sale: only promotional text can change there, and every other difference is shown as blocked. To change the rest, create the next version (version = \"X.Y\" in asc-sync.toml or --app-version X.Y)",
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
    included: &[Resource],
    relationship: &str,
    paged: &str,
) -> Result<Vec<Resource>, ClientError> {
    // No `data` at all means the server included nothing: read the list.
    let ids = parent.related_ids(relationship);
    let given = ids.as_ref().map_or(0, Vec::len) as u64;
    let total = parent.related_total(relationship).unwrap_or(given);
    let Some(ids) = ids.filter(|_| given >= total) else {
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
            included
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
            platform: self.platform,
            version_string: &self.version.version_string,
            version_state: &self.version.state,
            first_version: self.version.is_first,
            app_info_state: self.app_info.as_ref().map(|i| &i.state),
        }
    }
}
