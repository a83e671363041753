//! Builds, as the spec has them: an app's uploaded builds with their
//! build number (`version`), their version string and platform (the
//! pre-release version's), `processingState` (`PROCESSING` until Apple is
//! done, then `VALID`, or `FAILED`/`INVALID`) and `uploadedDate`; the build
//! a version is to ship with, as its to-one `build` relationship.
//!
//! Each build has TestFlight's What to Test per locale
//! (`betaBuildLocalizations`, `whatsNew` up to 4000 characters, emoji
//! refused: "Text for whatsNew contains invalid characters/formats",
//! SharezoneApp/sharezone-app #399; one per locale, a second refused,
//! inferred).
//!
//! Apple's refusals, inferred (no error body was read for them): a build
//! that is not `VALID`, or of another version string or platform than the
//! version's, is refused as the version's build (409
//! `ENTITY_ERROR.RELATIONSHIP.INVALID` on `/data`); a version no longer
//! being prepared takes no other build (409 `STATE_ERROR`).

use super::api::{self, Reply, Request, Result};
use super::apple;
use super::body;
use super::errors::ApiError;
use super::query::Query;
use super::render;
use super::state::{BetaBuildLocalization, BetaGroup, Build, State};
use serde_json::{Value, json};

fn build_json(req: &Request, b: &Build) -> Value {
    json!({
        "type": "builds",
        "id": b.id,
        "attributes": {
            "version": b.version,
            "uploadedDate": b.uploaded_date,
            "processingState": b.processing_state,
            "usesNonExemptEncryption": b.uses_non_exempt_encryption,
            "expired": false,
        },
        "relationships": {
            "preReleaseVersion": {"data": {"type": "preReleaseVersions", "id": format!("prv-{}-{}", b.platform, b.pre_release_version)}},
            "app": {"data": {"type": "apps", "id": b.app}},
        },
        "links": {"self": format!("{}/v1/builds/{}", req.base, b.id)},
    })
}

/// `GET /v1/builds`: an app's builds, filtered and sorted as the spec lets.
pub fn list(state: &State, req: &Request) -> Result<Reply> {
    let q = Query::parse(
        req.query,
        &[
            "filter[app]",
            "filter[version]",
            "filter[processingState]",
            "filter[preReleaseVersion.version]",
            "filter[preReleaseVersion.platform]",
            "filter[expired]",
            "sort",
            "limit",
            "cursor",
            "fields[builds]",
        ],
    )?;
    let filter = |name: &str| q.list(name, None);
    let (apps, numbers, states) = (
        filter("filter[app]")?,
        filter("filter[version]")?,
        filter("filter[processingState]")?,
    );
    let (strings, platforms) = (
        filter("filter[preReleaseVersion.version]")?,
        filter("filter[preReleaseVersion.platform]")?,
    );
    let matches = |set: &Option<Vec<String>>, value: &str| set.as_ref().is_none_or(|s| s.iter().any(|v| v == value));
    let mut builds: Vec<&Build> = state
        .builds
        .iter()
        .filter(|b| matches(&apps, &b.app) && matches(&numbers, &b.version))
        .filter(|b| matches(&states, &b.processing_state) && matches(&strings, &b.pre_release_version))
        .filter(|b| matches(&platforms, &b.platform))
        .collect();
    match q
        .list("sort", Some(&["uploadedDate", "-uploadedDate", "version", "-version"]))?
        .as_deref()
    {
        Some([key, ..]) if key.ends_with("uploadedDate") => {
            builds.sort_by(|a, b| a.uploaded_date.cmp(&b.uploaded_date));
            if key.starts_with('-') {
                builds.reverse();
            }
        }
        Some([key, ..]) => {
            builds.sort_by_key(|b| b.version.parse::<u64>().unwrap_or(0));
            if key.starts_with('-') {
                builds.reverse();
            }
        }
        _ => {}
    }
    let doc = render::page(req, &q, builds, |b, _| Ok(build_json(req, b)))?;
    Ok(Reply::ok(doc))
}

/// `GET /v1/appStoreVersions/{id}/build`: the version's build, or `null`.
pub fn of_version(state: &State, req: &Request, id: &str) -> Result<Reply> {
    Query::parse(req.query, &["fields[builds]"])?;
    let (a, v) = api::version_index(state, id)?;
    let version = &state.apps[a].app_store_versions[v];
    let data = version
        .build
        .as_ref()
        .and_then(|b| state.builds.iter().find(|x| x.id == *b))
        .map_or(Value::Null, |b| build_json(req, b));
    Ok(Reply::ok(render::single(req, data, Vec::new())))
}

/// `PATCH /v1/appStoreVersions/{id}/relationships/build`.
pub fn attach(state: &mut State, req: &Request, id: &str) -> Result<Reply> {
    Query::parse(req.query, &[])?;
    let (a, v) = api::version_index(state, id)?;
    let body: Value = serde_json::from_slice(req.body)
        .map_err(|_| ApiError::entity_invalid("The request entity is not valid JSON."))?;
    let build_id = body
        .pointer("/data/id")
        .and_then(Value::as_str)
        .filter(|_| body.pointer("/data/type").and_then(Value::as_str) == Some("builds"))
        .ok_or_else(|| ApiError::unprocessable("'data' must name a build.", "/data"))?
        .to_owned();
    let refuse = |detail: String| {
        ApiError::entity(
            "ENTITY_ERROR.RELATIONSHIP.INVALID",
            "The provided entity includes a relationship with an invalid value",
            detail,
            "/data",
        )
    };
    let build = state
        .builds
        .iter()
        .find(|b| b.id == build_id)
        .ok_or_else(|| refuse(format!("There is no build with id '{build_id}'.")))?
        .clone();
    let version = &mut state.apps[a].app_store_versions[v];
    if !apple::version_is_editable(&version.app_version_state) {
        return Err(ApiError::state(format!(
            "The build cannot change while the version is {}.",
            version.app_version_state
        )));
    }
    if build.processing_state != "VALID" {
        return Err(refuse(format!(
            "Build {} is {} and cannot be selected.",
            build.version, build.processing_state
        )));
    }
    if build.pre_release_version != version.version_string || build.platform != version.platform {
        return Err(refuse(format!(
            "Build {} is of version {} on {}, not {} on {}.",
            build.version, build.pre_release_version, build.platform, version.version_string, version.platform
        )));
    }
    version.build = Some(build_id);
    Ok(Reply::no_content())
}

/// The longest `whatsNew` of a build localization (terraform-provider-apple's docs).
const WHATS_NEW_MAX: usize = 4000;

fn localization_json(req: &Request, build: &str, l: &BetaBuildLocalization) -> Value {
    json!({
        "type": "betaBuildLocalizations",
        "id": l.id,
        "attributes": {"locale": l.locale, "whatsNew": l.whats_new},
        "relationships": {"build": {"data": {"type": "builds", "id": build}}},
        "links": {"self": format!("{}/v1/betaBuildLocalizations/{}", req.base, l.id)},
    })
}

/// Refuses a `whatsNew` Apple would refuse.
fn check_whats_new(value: &Option<String>) -> Result<()> {
    let Some(text) = value else { return Ok(()) };
    if text.chars().count() > WHATS_NEW_MAX {
        return Err(ApiError::too_long("whatsNew", WHATS_NEW_MAX));
    }
    if !apple::refused_characters(text).is_empty() {
        return Err(ApiError::entity(
            "ENTITY_ERROR.ATTRIBUTE.INVALID.INVALID_CHARACTERS",
            "An attribute value has invalid characters.",
            "Text for whatsNew contains invalid characters/formats",
            "/data/attributes/whatsNew",
        ));
    }
    Ok(())
}

/// `GET /v1/builds/{id}/betaBuildLocalizations`.
pub fn list_localizations(state: &State, req: &Request, id: &str) -> Result<Reply> {
    let q = Query::parse(req.query, &["limit", "cursor", "fields[betaBuildLocalizations]"])?;
    let build = state
        .builds
        .iter()
        .find(|b| b.id == id)
        .ok_or_else(|| ApiError::not_found("builds", id))?;
    let doc = render::page(req, &q, build.localizations.iter().collect(), |l, _| {
        Ok(localization_json(req, id, l))
    })?;
    Ok(Reply::ok(doc))
}

/// `POST /v1/betaBuildLocalizations`.
pub fn create_localization(state: &mut State, req: &Request) -> Result<Reply> {
    Query::parse(req.query, &[])?;
    let doc = body::document(req, "betaBuildLocalizations", None)?;
    let build_id = body::relationship_id(&doc, "build", "builds")?;
    let locale = body::text(&doc, "locale")?
        .flatten()
        .ok_or_else(|| ApiError::required_attribute("locale"))?;
    let whats_new = body::text(&doc, "whatsNew")?.flatten();
    check_whats_new(&whats_new)?;
    let build =
        state.builds.iter_mut().find(|b| b.id == build_id).ok_or_else(|| {
            ApiError::invalid_relationship("build", format!("There is no build with id '{build_id}'"))
        })?;
    if build.localizations.iter().any(|l| l.locale == locale) {
        return Err(ApiError::duplicate_locale(&locale));
    }
    let l = BetaBuildLocalization {
        id: api::new_id("bbl-"),
        locale,
        whats_new,
    };
    let location = format!("{}/v1/betaBuildLocalizations/{}", req.base, l.id);
    let body = render::single(req, localization_json(req, &build_id, &l), Vec::new());
    build.localizations.push(l);
    Ok(Reply::created(body, location))
}

/// `PATCH /v1/betaBuildLocalizations/{id}`: its `whatsNew`.
pub fn patch_localization(state: &mut State, req: &Request, id: &str) -> Result<Reply> {
    Query::parse(req.query, &[])?;
    let doc = body::document(req, "betaBuildLocalizations", Some(id))?;
    let whats_new = body::text(&doc, "whatsNew")?;
    if let Some(value) = &whats_new {
        check_whats_new(value)?;
    }
    for build in &mut state.builds {
        let build_id = build.id.clone();
        if let Some(l) = build.localizations.iter_mut().find(|l| l.id == id) {
            if let Some(value) = whats_new {
                l.whats_new = value;
            }
            let data = localization_json(req, &build_id, l);
            return Ok(Reply::ok(render::single(req, data, Vec::new())));
        }
    }
    Err(ApiError::not_found("betaBuildLocalizations", id))
}

/// `GET /v1/apps/{id}/betaGroups`: the app's TestFlight groups.
pub fn list_groups(state: &State, req: &Request, app: &str) -> Result<Reply> {
    let q = Query::parse(req.query, &["limit", "cursor", "fields[betaGroups]"])?;
    api::find_app(state, app)?;
    let groups: Vec<&BetaGroup> = state.beta_groups.iter().filter(|g| g.app == app).collect();
    let doc = render::page(req, &q, groups, |g, _| {
        Ok(json!({
            "type": "betaGroups",
            "id": g.id,
            "attributes": {"name": g.name, "isInternalGroup": g.is_internal_group},
            "links": {"self": format!("{}/v1/betaGroups/{}", req.base, g.id)},
        }))
    })?;
    Ok(Reply::ok(doc))
}

fn group_index(state: &State, id: &str) -> Result<usize> {
    state
        .beta_groups
        .iter()
        .position(|g| g.id == id)
        .ok_or_else(|| ApiError::not_found("betaGroups", id))
}

/// `GET /v1/betaGroups/{id}/relationships/builds`: the group's builds.
pub fn group_builds(state: &State, req: &Request, id: &str) -> Result<Reply> {
    let q = Query::parse(req.query, &["limit", "cursor"])?;
    let g = &state.beta_groups[group_index(state, id)?];
    let doc = render::page(req, &q, g.builds.iter().collect(), |b, _| {
        Ok(json!({"type": "builds", "id": b}))
    })?;
    Ok(Reply::ok(doc))
}

/// `POST /v1/betaGroups/{id}/relationships/builds`: builds added to the
/// group. A build that is not `VALID` is refused (inferred, as for a
/// version's build); adding one the group has is a no-op, as Apple's
/// to-many relationship posts are.
pub fn add_builds(state: &mut State, req: &Request, id: &str) -> Result<Reply> {
    Query::parse(req.query, &[])?;
    let g = group_index(state, id)?;
    let body: Value = serde_json::from_slice(req.body)
        .map_err(|_| ApiError::entity_invalid("The request entity is not valid JSON."))?;
    let ids: Vec<String> = body
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::unprocessable("'data' must be a list of builds.", "/data"))?
        .iter()
        .filter_map(|d| d.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect();
    for build_id in &ids {
        let build = state.builds.iter().find(|b| b.id == *build_id).ok_or_else(|| {
            ApiError::entity(
                "ENTITY_ERROR.RELATIONSHIP.INVALID",
                "The provided entity includes a relationship with an invalid value",
                format!("There is no build with id '{build_id}'."),
                "/data",
            )
        })?;
        if build.processing_state != "VALID" {
            return Err(ApiError::state(format!(
                "Build {} is {} and cannot be added to a group.",
                build.version, build.processing_state
            )));
        }
    }
    let group = &mut state.beta_groups[g];
    for build_id in ids {
        if !group.builds.contains(&build_id) {
            group.builds.push(build_id);
        }
    }
    Ok(Reply::no_content())
}
