//! What `apply plan.json` reads again before it writes: only the resources
//! the plan writes, by the ids the plan recorded, in one parallel round
//! (the version with its localizations and review detail, the app info
//! with its localizations). No lookup of the app and no list of versions:
//! the plan names them. A plan that creates its version reads as `plan`
//! does, with the app's id, since a killed run may have created it.

use crate::client::{Client, ClientError};
use crate::live::media::{LiveMedia, MediaRead};
use crate::live::{self, AppRef, LiveError, LiveState, LiveVersion, VersionSelector};
use crate::model::ResourceKind;
use crate::plan::{Plan, Source};

/// The resources written under a version: re-read with it.
const UNDER_VERSION: [ResourceKind; 3] = [
    ResourceKind::AppStoreVersions,
    ResourceKind::AppStoreVersionLocalizations,
    ResourceKind::AppStoreReviewDetails,
];

/// The resources written under an app info.
const UNDER_APP_INFO: [ResourceKind; 2] = [ResourceKind::AppInfos, ResourceKind::AppInfoLocalizations];

/// The live state of what `plan` writes. What it does not write is not
/// read: the version then stands as the plan saw it, without
/// localizations, and the app info is absent. Neither the app's primary
/// locale nor whether the version is the platform's first is read (only
/// a diff asks); freshness does not depend on them.
pub async fn reread(client: &Client, plan: &Plan) -> Result<LiveState, LiveError> {
    let source = &plan.source;
    if plan.creates_version() {
        let app = AppRef {
            bundle_id: &source.bundle_id,
            app_id: Some(&source.app_id),
        };
        let selector = VersionSelector::Exact(source.version_string.clone());
        return live::fetch_app(client, &app, source.platform, &selector).await;
    }
    let writes = |under: &[ResourceKind]| {
        plan.changes
            .iter()
            .any(|c| !c.is_blocked() && under.contains(&c.resource))
    };
    // Images change only while the version is editable: its state is read too.
    let writes_media = plan.media.iter().any(|c| !c.is_blocked()) || plan.release.iter().any(|c| !c.is_blocked());
    let version = async {
        if writes(&UNDER_VERSION) || writes_media {
            live::version_by_id(client, &source.version_id).await.map(Some)
        } else {
            Ok(None)
        }
    };
    let app_info = async {
        match source.app_info_id.as_deref().filter(|_| writes(&UNDER_APP_INFO)) {
            Some(id) => live::app_info_by_id(client, id).await,
            None => Ok(None),
        }
    };
    let (version, app_info) = tokio::try_join!(version, app_info)?;
    let (version, review) = version.unwrap_or_else(|| (as_planned(source), None));
    Ok(LiveState {
        app_id: source.app_id.clone(),
        bundle_id: source.bundle_id.clone(),
        primary_locale: String::new(),
        platform: source.platform,
        version,
        app_info,
        review,
        notes: Vec::new(),
    })
}

/// The version as the plan recorded it, for a plan that writes nothing
/// under it.
fn as_planned(source: &Source) -> LiveVersion {
    LiveVersion {
        id: source.version_id.clone(),
        version_string: source.version_string.clone(),
        state: source.version_state.clone(),
        copyright: None,
        release_type: None,
        earliest_release_date: None,
        is_first: false,
        localizations: Default::default(),
        planned: None,
    }
}

/// The sets a saved plan writes, read again by their localizations: one
/// GET per localization and kind, in one round.
pub async fn reread_media(client: &Client, plan: &Plan) -> Result<LiveMedia, ClientError> {
    let mut reads: Vec<MediaRead> = Vec::new();
    for c in plan.media.iter().filter(|c| !c.is_blocked()) {
        let Some(id) = &c.localization_id else { continue };
        let kind = c.slot.kind();
        match reads.iter_mut().find(|r| r.localization_id == *id) {
            Some(r) if r.kinds.contains(&kind) => {}
            Some(r) => r.kinds.push(kind),
            None => reads.push(MediaRead {
                locale: c.locale.clone(),
                localization_id: id.clone(),
                kinds: vec![kind],
            }),
        }
    }
    crate::live::media::fetch(client, &reads).await
}
