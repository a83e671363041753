//! Writing the release settings, after the text and images: one PATCH of
//! the version for `releaseType` and `earliestReleaseDate`, and the phased
//! release created (`POST appStoreVersionPhasedReleases`, found again if
//! its answer is lost) or deleted.

use super::send::client_failure;
use super::{Failure, Status};
use crate::client::jsonapi::Resource;
use crate::client::{Client, ClientError};
use crate::model::Value;
use crate::plan::release::{ReleaseChange, ReleaseSetting};
use serde::Serialize;
use serde_json::{Map, json};

/// One setting's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReleaseResult {
    pub setting: ReleaseSetting,
    /// What to Test's locale.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// A TestFlight group's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub after: Value,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl ReleaseResult {
    pub(super) fn of(c: &ReleaseChange, status: Status) -> ReleaseResult {
        ReleaseResult {
            setting: c.setting,
            locale: c.locale.clone(),
            group: c.group.as_ref().map(|g| g.name.clone()),
            after: c.after.clone(),
            status,
            error: None,
            reason: c.blocked.clone(),
        }
    }
}

/// Sends every setting still to send; `progress` hears of each result.
pub async fn send_all(
    client: &Client,
    todo: Vec<ReleaseChange>,
    progress: &(dyn Fn(&ReleaseResult) + Sync),
) -> Vec<ReleaseResult> {
    let (phased, version): (Vec<ReleaseChange>, Vec<ReleaseChange>) = todo
        .into_iter()
        .partition(|c| c.setting == ReleaseSetting::PhasedRelease);
    let (build, version): (Vec<ReleaseChange>, Vec<ReleaseChange>) =
        version.into_iter().partition(|c| c.setting == ReleaseSetting::Build);
    let (tested, version): (Vec<ReleaseChange>, Vec<ReleaseChange>) = version
        .into_iter()
        .partition(|c| c.setting == ReleaseSetting::WhatToTest);
    let (grouped, version): (Vec<ReleaseChange>, Vec<ReleaseChange>) = version
        .into_iter()
        .partition(|c| c.setting == ReleaseSetting::BetaGroup);
    let groups = futures::future::join_all(grouped.iter().map(|c| async move {
        let group = c.group.as_ref().and_then(|g| g.id.clone()).unwrap_or_default();
        let body = json!({"data": [{"type": "builds", "id": c.build_id}]});
        let path = format!("/v1/betaGroups/{group}/relationships/builds");
        let outcome = client.post_relationship(&path, &body).await;
        result(c, outcome.as_ref())
    }));
    let what_to_test = futures::future::join_all(tested.iter().map(|c| async move {
        let outcome = write_what_to_test(client, c).await;
        result(c, outcome.as_ref())
    }));
    let attach = async {
        let mut out = Vec::new();
        for c in &build {
            let body = json!({"data": {"type": "builds", "id": c.build_id}});
            let path = format!("/v1/appStoreVersions/{}/relationships/build", c.version_id);
            let outcome = client.patch_relationship(&path, &body).await;
            out.push(result(c, outcome.as_ref()));
        }
        out
    };
    let patch = async {
        let Some(first) = version.first() else {
            return Vec::new();
        };
        let attributes: Map<String, serde_json::Value> = version
            .iter()
            .map(|c| (c.setting.name().to_owned(), json!(c.after.as_text())))
            .collect();
        let id = &first.version_id;
        let body = json!({"data": {"type": "appStoreVersions", "id": id, "attributes": attributes}});
        let outcome = client
            .patch(&format!("/v1/appStoreVersions/{id}"), &body)
            .await
            .map(|_| ());
        version.iter().map(|c| result(c, outcome.as_ref())).collect::<Vec<_>>()
    };
    let phased_release = async {
        let mut out = Vec::new();
        for c in &phased {
            let outcome = match c.after {
                Value::Flag(true) => create(client, &c.version_id).await,
                _ => match &c.phased_release {
                    Some(p) => {
                        client
                            .delete_gone(&format!("/v1/appStoreVersionPhasedReleases/{}", p.id))
                            .await
                    }
                    None => Ok(()),
                },
            };
            out.push(result(c, outcome.as_ref()));
        }
        out
    };
    let (mut patched, created, attached, tested, grouped) =
        tokio::join!(patch, phased_release, attach, what_to_test, groups);
    patched.extend(created);
    patched.extend(attached);
    patched.extend(tested);
    patched.extend(grouped);
    for r in &patched {
        progress(r);
    }
    patched
}

fn result(c: &ReleaseChange, outcome: Result<&(), &ClientError>) -> ReleaseResult {
    let mut r = ReleaseResult::of(c, Status::Applied);
    if let Err(e) = outcome {
        r.status = Status::Failed;
        r.error = Some(client_failure(e));
    }
    r
}

async fn create(client: &Client, version_id: &str) -> Result<(), ClientError> {
    let body = json!({"data": {
        "type": "appStoreVersionPhasedReleases",
        "attributes": {"phasedReleaseState": "INACTIVE"},
        "relationships": {"appStoreVersion": {"data": {"type": "appStoreVersions", "id": version_id}}}
    }});
    let find = || async {
        Ok(crate::live::phased_release(client, version_id)
            .await?
            .map(|p| Resource {
                type_name: "appStoreVersionPhasedReleases".into(),
                id: p.id,
                ..Resource::default()
            }))
    };
    client
        .create("/v1/appStoreVersionPhasedReleases", &body, find)
        .await
        .map(|_| ())
}

/// What to Test of one locale: a PATCH of its localization, or a POST of
/// a new one (found again by locale if the answer is lost).
async fn write_what_to_test(client: &Client, c: &ReleaseChange) -> Result<(), ClientError> {
    let whats_new = json!(c.after.as_text());
    if let Some(id) = &c.localization_id {
        let body = json!({"data": {"type": "betaBuildLocalizations", "id": id, "attributes": {"whatsNew": whats_new}}});
        return client
            .patch(&format!("/v1/betaBuildLocalizations/{id}"), &body)
            .await
            .map(|_| ());
    }
    let build = c.build_id.clone().unwrap_or_default();
    let locale = c.locale.clone().unwrap_or_default();
    let body = json!({"data": {
        "type": "betaBuildLocalizations",
        "attributes": {"locale": locale, "whatsNew": whats_new},
        "relationships": {"build": {"data": {"type": "builds", "id": build}}}
    }});
    let find = || async {
        let live = crate::live::what_to_test(client, &build).await?;
        Ok(live.get(&locale).map(|l| Resource {
            type_name: "betaBuildLocalizations".into(),
            id: l.id.clone(),
            ..Resource::default()
        }))
    };
    client
        .create("/v1/betaBuildLocalizations", &body, find)
        .await
        .map(|_| ())
}
