//! `POST /v1/appStoreVersions`: creating the next version of an app, with
//! Apple's rules for it, as the fake states them for itself:
//!
//! - The request is an `AppStoreVersionCreateRequest`: `platform` and
//!   `versionString` are required attributes, `copyright`, `releaseType`,
//!   `earliestReleaseDate`, `reviewType` and `usesIdfa` optional; the `app`
//!   relationship is required (shared/asc-openapi, asc-api.md §2).
//! - One version in progress per platform: while a version of the
//!   platform is anywhere between being prepared and being released
//!   (any state but on sale or replaced), Apple answers 409
//!   `ENTITY_ERROR.RELATIONSHIP.INVALID` "You cannot create a new version
//!   of the App in the current state." on `/data/relationships/app`
//!   (fastlane #17534 with a version pending developer release, #18794;
//!   sceneview #3143 with one in App Review; asc-api.md §3 [single]).
//! - A version string is used once per platform: 409
//!   `ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE` "The version number has
//!   been previously used." on `/data/attributes/versionString` (fastlane
//!   #21888). Re-creating an existing version in progress returns both
//!   errors, the relationship one first (rorkai/App-Store-Connect-CLI
//!   #2579, verified live).
//! - The new string must be higher than every earlier one of the platform
//!   (a single report, divvun/giellakbd-ios #232, and Apple's rule for
//!   builds, ITMS-90062): 409 `ENTITY_ERROR.ATTRIBUTE.INVALID`.
//! - The new version is `PREPARE_FOR_SUBMISSION`, without localizations
//!   or review details: the fake does not copy the previous version's
//!   (whether Apple does is not documented).

use super::api::{self, Reply, Request, Result};
use super::apple;
use super::body::{self, Document};
use super::errors::ApiError;
use super::query::Query;
use super::render::{self, Includes};
use super::state::{State, Version};
use serde_json::Value;

/// `AppStoreVersionCreateRequest` attributes.
const CREATE_ATTRIBUTES: [&str; 7] = [
    "platform",
    "versionString",
    "copyright",
    "reviewType",
    "releaseType",
    "earliestReleaseDate",
    "usesIdfa",
];

/// States in which a version no longer blocks creating the next one: on
/// sale (or about to be), or replaced by a newer one.
const SETTLED_STATES: [&str; 3] = [
    "READY_FOR_DISTRIBUTION",
    "PROCESSING_FOR_DISTRIBUTION",
    "REPLACED_WITH_NEW_VERSION",
];

/// Compares version strings as Apple orders them: numerically by dotted part.
fn higher(a: &str, b: &str) -> bool {
    let parts = |s: &str| s.split('.').map(|p| p.parse::<u64>().unwrap_or(0)).collect::<Vec<_>>();
    parts(a) > parts(b)
}

/// A required string attribute of the request.
fn required(doc: &Document, name: &str) -> Result<String> {
    match body::text(doc, name)? {
        Some(Some(v)) if !v.is_empty() => Ok(v),
        _ => Err(ApiError::required_attribute(name)),
    }
}

/// The attributes and relationships a create request may hold.
fn check_shape(doc: &Document) -> Result<()> {
    if let Some(name) = doc.attributes.keys().find(|n| !CREATE_ATTRIBUTES.contains(&n.as_str())) {
        return Err(ApiError::unknown_attribute("appStoreVersions", name));
    }
    if let Some(extra) = doc.relationships.keys().find(|k| *k != "app") {
        return Err(ApiError::unknown_relationship(
            format!("'{extra}' is not a relationship the fake takes on a new 'appStoreVersions'"),
            extra,
        ));
    }
    if !doc.relationships.contains_key("app") {
        return Err(ApiError::required_relationship("app"));
    }
    Ok(())
}

/// Apple's refusals of a new version of `platform` for the app at `a`.
fn refusals(state: &State, a: usize, platform: &str, version_string: &str) -> Option<ApiError> {
    let versions: Vec<&Version> = state.apps[a]
        .app_store_versions
        .iter()
        .filter(|v| v.platform == platform)
        .collect();
    let mut errors = Vec::new();
    if versions
        .iter()
        .any(|v| !SETTLED_STATES.contains(&v.app_version_state.as_str()))
    {
        errors.push(ApiError::invalid_relationship(
            "app",
            "You cannot create a new version of the App in the current state.",
        ));
    }
    if versions.iter().any(|v| v.version_string == version_string) {
        errors.push(ApiError::entity(
            "ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE",
            "The provided entity includes an attribute with a value that has already been used",
            "The version number has been previously used.",
            "/data/attributes/versionString",
        ));
    } else if let Some(later) = versions.iter().find(|v| !higher(version_string, &v.version_string)) {
        errors.push(ApiError::invalid_attribute(
            "versionString",
            format!(
                "The version number must be higher than the previous version number ({}).",
                later.version_string
            ),
        ));
    }
    ApiError::merge(errors)
}

/// `POST /v1/appStoreVersions`.
pub fn create_version(state: &mut State, req: &Request) -> Result<Reply> {
    Query::parse(req.query, &[])?;
    let doc = body::document(req, "appStoreVersions", None)?;
    check_shape(&doc)?;
    let platform = required(&doc, "platform")?;
    if !apple::PLATFORMS.contains(&platform.as_str()) {
        return Err(ApiError::invalid_attribute(
            "platform",
            format!("'{platform}' is not a valid value for 'platform'."),
        ));
    }
    let version_string = required(&doc, "versionString")?;
    let app_id = body::relationship_id(&doc, "app", "apps")?;
    let a = state
        .apps
        .iter()
        .position(|app| app.id == app_id)
        .ok_or_else(|| ApiError::invalid_relationship("app", format!("There is no app with id '{app_id}'")))?;
    if let Some(e) = refusals(state, a, &platform, &version_string) {
        return Err(e);
    }
    let text = |name: &str| body::text(&doc, name).map(Option::flatten);
    let version = Version {
        id: api::new_id("ver-"),
        platform,
        version_string,
        app_version_state: "PREPARE_FOR_SUBMISSION".into(),
        copyright: text("copyright")?,
        release_type: text("releaseType")?,
        earliest_release_date: text("earliestReleaseDate")?,
        phased_release: None,
        build: None,
        created_date: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .ok(),
        localizations: Vec::new(),
        review_detail: None,
    };
    let app = &state.apps[a];
    let q = Query::parse(None, &[])?;
    let data = render::version_json(req, &q, app, &version, &Includes::NONE, &mut Vec::new())?;
    let location = format!("{}/v1/appStoreVersions/{}", req.base, version.id);
    state.apps[a].app_store_versions.push(version);
    Ok(Reply::created(render::single(req, data, Vec::<Value>::new()), location))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_strings_compare_by_number() {
        assert!(higher("2.10", "2.9"));
        assert!(higher("2.2", "2.1.5"));
        assert!(!higher("2.1", "2.1"));
        assert!(!higher("1.9", "2.0"));
    }
}
