//! A version's phased release (`appStoreVersionPhasedReleases`), as the
//! spec has it: at most one per version, created `INACTIVE` (it starts
//! when the version is released), read through the version's to-one
//! relationship (`data: null` when there is none, as fastlane's deliver
//! reads it before every release), its state changed by PATCH
//! (`ACTIVE`, `PAUSED`, `COMPLETE`), deleted by DELETE.
//!
//! Apple's refusals, inferred (no error body was read for them): a second
//! phased release of a version, and one for a version no longer being
//! prepared, are 409 `STATE_ERROR`; so is deleting one that started
//! (Apple's web page offers only "release to all users" then).

use super::api::{self, Reply, Request, Result};
use super::apple;
use super::body;
use super::errors::ApiError;
use super::query::Query;
use super::render;
use super::state::{PhasedRelease, State};
use serde_json::{Value, json};

/// `PhasedReleaseState`.
const STATES: [&str; 4] = ["INACTIVE", "ACTIVE", "PAUSED", "COMPLETE"];

fn json_of(req: &Request, version: &str, p: &PhasedRelease) -> Value {
    let path = format!("/v1/appStoreVersionPhasedReleases/{}", p.id);
    json!({
        "type": "appStoreVersionPhasedReleases",
        "id": p.id,
        "attributes": {
            "phasedReleaseState": p.state,
            "startDate": Value::Null,
            "totalPauseDuration": 0,
            "currentDayNumber": if p.state == "INACTIVE" { Value::Null } else { json!(1) },
        },
        "relationships": {
            "appStoreVersion": {"data": {"type": "appStoreVersions", "id": version}}
        },
        "links": {"self": format!("{}{path}", req.base)},
    })
}

/// The version and index of a phased release.
fn find(state: &State, id: &str) -> Result<(usize, usize)> {
    for (a, app) in state.apps.iter().enumerate() {
        if let Some(v) = app
            .app_store_versions
            .iter()
            .position(|v| v.phased_release.as_ref().is_some_and(|p| p.id == id))
        {
            return Ok((a, v));
        }
    }
    Err(ApiError::not_found("appStoreVersionPhasedReleases", id))
}

/// `GET /v1/appStoreVersions/{id}/appStoreVersionPhasedRelease`.
pub fn get_of_version(state: &State, req: &Request, id: &str) -> Result<Reply> {
    Query::parse(req.query, &["fields[appStoreVersionPhasedReleases]"])?;
    let (a, v) = api::version_index(state, id)?;
    let version = &state.apps[a].app_store_versions[v];
    let data = version
        .phased_release
        .as_ref()
        .map_or(Value::Null, |p| json_of(req, &version.id, p));
    Ok(Reply::ok(render::single(req, data, Vec::new())))
}

/// `POST /v1/appStoreVersionPhasedReleases`.
pub fn create(state: &mut State, req: &Request) -> Result<Reply> {
    Query::parse(req.query, &[])?;
    let doc = body::document(req, "appStoreVersionPhasedReleases", None)?;
    let version_id = body::relationship_id(&doc, "appStoreVersion", "appStoreVersions")?;
    let wanted = body::text(&doc, "phasedReleaseState")?.flatten();
    let (a, v) = api::version_index(state, &version_id)?;
    let version = &mut state.apps[a].app_store_versions[v];
    if !apple::version_is_editable(&version.app_version_state) {
        return Err(ApiError::state(format!(
            "A phased release cannot be added to a version in the state {}.",
            version.app_version_state
        )));
    }
    if version.phased_release.is_some() {
        return Err(ApiError::state("The version already has a phased release."));
    }
    if let Some(s) = wanted.as_deref().filter(|s| *s != "INACTIVE") {
        return Err(ApiError::invalid_attribute(
            "phasedReleaseState",
            format!("A phased release is created INACTIVE, not {s}."),
        ));
    }
    let p = PhasedRelease {
        id: api::new_id("phased-"),
        state: "INACTIVE".into(),
    };
    let location = format!("{}/v1/appStoreVersionPhasedReleases/{}", req.base, p.id);
    let body = render::single(req, json_of(req, &version.id, &p), Vec::new());
    version.phased_release = Some(p);
    Ok(Reply::created(body, location))
}

/// `PATCH /v1/appStoreVersionPhasedReleases/{id}`: its state.
pub fn patch(state: &mut State, req: &Request, id: &str) -> Result<Reply> {
    Query::parse(req.query, &[])?;
    let (a, v) = find(state, id)?;
    let doc = body::document(req, "appStoreVersionPhasedReleases", Some(id))?;
    let wanted = body::text(&doc, "phasedReleaseState")?.flatten();
    let version = &mut state.apps[a].app_store_versions[v];
    let p = version.phased_release.as_mut().expect("found by id");
    if let Some(s) = wanted {
        if !STATES.contains(&s.as_str()) {
            return Err(ApiError::invalid_attribute(
                "phasedReleaseState",
                format!("'{s}' is not a valid value for 'phasedReleaseState'."),
            ));
        }
        p.state = s;
    }
    let data = json_of(req, &version.id, p);
    Ok(Reply::ok(render::single(req, data, Vec::new())))
}

/// `DELETE /v1/appStoreVersionPhasedReleases/{id}`.
pub fn delete(state: &mut State, req: &Request, id: &str) -> Result<Reply> {
    Query::parse(req.query, &[])?;
    let (a, v) = find(state, id)?;
    let version = &mut state.apps[a].app_store_versions[v];
    if version.phased_release.as_ref().is_some_and(|p| p.state != "INACTIVE") {
        return Err(ApiError::state(
            "A phased release that has started cannot be deleted; release the version to all users instead.",
        ));
    }
    version.phased_release = None;
    Ok(Reply::no_content())
}
