//! The App Store Connect endpoints the fake serves, and Apple's rules for
//! them: JSON:API envelopes, paging, `include` and `fields`, per-state
//! editability, the first-version whatsNew rule, length limits, locale
//! validity. Pure functions over the state: no I/O, no faults, no auth.

use super::errors::ApiError;
use super::query::{self, DEFAULT_INCLUDED_LIMIT, DEFAULT_LIMIT, MAX_INCLUDED_LIMIT, MAX_LIMIT, Query};
use super::state::Resource;
use super::state::{
    App, AppInfo, Attributes, CATEGORY_RELATIONSHIPS, Localization, ReviewDetail, State, Version,
    localization_attributes,
};
use crate::model::{Field, Kind, ReviewField};
use axum::http::{Method, StatusCode};
use serde_json::{Map, Value, json};
use strum::IntoEnumIterator;

use crate::model::PLATFORMS;
const EDITABLE_VERSION_STATES: [&str; 6] = [
    "PREPARE_FOR_SUBMISSION",
    "DEVELOPER_REJECTED",
    "REJECTED",
    "METADATA_REJECTED",
    "WAITING_FOR_REVIEW",
    "INVALID_BINARY",
];
const EDITABLE_APP_INFO_STATES: [&str; 4] = [
    "PREPARE_FOR_SUBMISSION",
    "DEVELOPER_REJECTED",
    "REJECTED",
    "WAITING_FOR_REVIEW",
];
const APP_VERSION_STATES: [&str; 15] = [
    "ACCEPTED",
    "DEVELOPER_REJECTED",
    "IN_REVIEW",
    "INVALID_BINARY",
    "METADATA_REJECTED",
    "PENDING_APPLE_RELEASE",
    "PENDING_DEVELOPER_RELEASE",
    "PREPARE_FOR_SUBMISSION",
    "PROCESSING_FOR_DISTRIBUTION",
    "READY_FOR_DISTRIBUTION",
    "READY_FOR_REVIEW",
    "REJECTED",
    "REPLACED_WITH_NEW_VERSION",
    "WAITING_FOR_EXPORT_COMPLIANCE",
    "WAITING_FOR_REVIEW",
];
const VERSION_INCLUDES: [&str; 12] = [
    "app",
    "appStoreVersionLocalizations",
    "build",
    "appStoreVersionPhasedRelease",
    "gameCenterAppVersion",
    "routingAppCoverage",
    "appStoreReviewDetail",
    "appStoreVersionSubmission",
    "appClipDefaultExperience",
    "appStoreVersionExperiments",
    "appStoreVersionExperimentsV2",
    "alternativeDistributionPackage",
];
const APP_INFO_INCLUDES: [&str; 9] = [
    "app",
    "ageRatingDeclaration",
    "appInfoLocalizations",
    "primaryCategory",
    "primarySubcategoryOne",
    "primarySubcategoryTwo",
    "secondaryCategory",
    "secondarySubcategoryOne",
    "secondarySubcategoryTwo",
];
const APP_ATTRIBUTES: [&str; 4] = ["name", "bundleId", "sku", "primaryLocale"];
const VERSION_ATTRIBUTES: [&str; 7] = [
    "platform",
    "versionString",
    "appStoreState",
    "appVersionState",
    "copyright",
    "releaseType",
    "createdDate",
];
/// A review detail's attributes: the text fields of the field table, and
/// the one boolean.
fn review_attributes() -> Vec<&'static str> {
    let mut names: Vec<&str> = ReviewField::iter().map(ReviewField::api_name).collect();
    names.push("demoAccountRequired");
    names
}

/// What the request is about, for building absolute links.
pub struct Request<'a> {
    pub method: &'a Method,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub body: &'a [u8],
    /// `http://host:port`, from the request's Host header.
    pub base: &'a str,
}

/// A successful answer: status, JSON body (none for 204), Location header.
pub struct Reply {
    pub status: StatusCode,
    pub body: Option<Value>,
    pub location: Option<String>,
}

impl Reply {
    fn ok(body: Value) -> Reply {
        Reply {
            status: StatusCode::OK,
            body: Some(body),
            location: None,
        }
    }
}

type Result<T> = std::result::Result<T, ApiError>;

/// Whether a method and path would change state (for `--drop-after-write`).
pub fn is_write(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PATCH | Method::DELETE)
}

/// Routes one request. `state` is changed only by a successful write.
pub fn handle(state: &mut State, req: &Request) -> Result<Reply> {
    let segments: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
    let m = req.method;
    let allow = |methods: &[Method]| -> Result<()> {
        if methods.contains(m) {
            Ok(())
        } else {
            Err(ApiError::method_not_allowed(m.as_str()))
        }
    };
    match segments.as_slice() {
        ["v1", "apps"] => {
            allow(&[Method::GET])?;
            list_apps(state, req)
        }
        ["v1", "apps", id] => {
            allow(&[Method::GET])?;
            get_app(state, req, id)
        }
        ["v1", "apps", id, "appStoreVersions"] => {
            allow(&[Method::GET])?;
            list_versions(state, req, id)
        }
        ["v1", "apps", id, "appInfos"] => {
            allow(&[Method::GET])?;
            list_app_infos(state, req, id)
        }
        ["v1", "appStoreVersions", id] => {
            allow(&[Method::GET, Method::PATCH])?;
            if m == Method::GET {
                get_version(state, req, id)
            } else {
                patch_version(state, req, id)
            }
        }
        ["v1", "appStoreVersions", id, "appStoreVersionLocalizations"] => {
            allow(&[Method::GET])?;
            list_version_localizations(state, req, id)
        }
        ["v1", "appStoreVersions", id, "appStoreReviewDetail"] => {
            allow(&[Method::GET])?;
            get_review_detail_of_version(state, req, id)
        }
        ["v1", "appStoreVersionLocalizations"] => {
            allow(&[Method::POST])?;
            create_localization(state, req, Resource::VersionLocalization)
        }
        ["v1", "appStoreVersionLocalizations", id] => {
            allow(&[Method::GET, Method::PATCH, Method::DELETE])?;
            localization(state, req, Resource::VersionLocalization, id)
        }
        ["v1", "appInfos", id] => {
            allow(&[Method::GET, Method::PATCH])?;
            if m == Method::GET {
                get_app_info(state, req, id)
            } else {
                patch_app_info(state, req, id)
            }
        }
        ["v1", "appInfos", id, "appInfoLocalizations"] => {
            allow(&[Method::GET])?;
            list_app_info_localizations(state, req, id)
        }
        ["v1", "appInfoLocalizations"] => {
            allow(&[Method::POST])?;
            create_localization(state, req, Resource::AppInfoLocalization)
        }
        ["v1", "appInfoLocalizations", id] => {
            allow(&[Method::GET, Method::PATCH, Method::DELETE])?;
            localization(state, req, Resource::AppInfoLocalization, id)
        }
        ["v1", "appStoreReviewDetails"] => {
            allow(&[Method::POST])?;
            create_review_detail(state, req)
        }
        ["v1", "appStoreReviewDetails", id] => {
            allow(&[Method::GET, Method::PATCH])?;
            review_detail(state, req, id)
        }
        _ => Err(ApiError::path_error(req.path)),
    }
}

// ---------------------------------------------------------------- lookups

fn find_app<'a>(state: &'a State, id: &str) -> Result<&'a App> {
    state
        .apps
        .iter()
        .find(|a| a.id == id)
        .ok_or_else(|| ApiError::not_found("apps", id))
}

fn version_index(state: &State, id: &str) -> Result<(usize, usize)> {
    for (a, app) in state.apps.iter().enumerate() {
        if let Some(v) = app.app_store_versions.iter().position(|v| v.id == id) {
            return Ok((a, v));
        }
    }
    Err(ApiError::not_found("appStoreVersions", id))
}

fn app_info_index(state: &State, id: &str) -> Result<(usize, usize)> {
    for (a, app) in state.apps.iter().enumerate() {
        if let Some(i) = app.app_infos.iter().position(|i| i.id == id) {
            return Ok((a, i));
        }
    }
    Err(ApiError::not_found("appInfos", id))
}

/// (app, parent, localization) indices of a localization of either kind.
fn localization_index(state: &State, resource: Resource, id: &str) -> Result<(usize, usize, usize)> {
    for (a, app) in state.apps.iter().enumerate() {
        let parents: Vec<&Vec<Localization>> = match resource {
            Resource::VersionLocalization => app.app_store_versions.iter().map(|v| &v.localizations).collect(),
            Resource::AppInfoLocalization => app.app_infos.iter().map(|i| &i.localizations).collect(),
        };
        for (p, locs) in parents.iter().enumerate() {
            if let Some(l) = locs.iter().position(|l| l.id == id) {
                return Ok((a, p, l));
            }
        }
    }
    Err(ApiError::not_found(resource.type_name(), id))
}

fn review_index(state: &State, id: &str) -> Result<(usize, usize)> {
    for (a, app) in state.apps.iter().enumerate() {
        if let Some(v) = app
            .app_store_versions
            .iter()
            .position(|v| v.review_detail.as_ref().is_some_and(|r| r.id == id))
        {
            return Ok((a, v));
        }
    }
    Err(ApiError::not_found("appStoreReviewDetails", id))
}

fn is_first_version(app: &App, version: &Version) -> bool {
    app.app_store_versions
        .iter()
        .filter(|v| v.platform == version.platform)
        .count()
        == 1
}

fn new_id(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("{prefix}{:08x}", NEXT.fetch_add(1, Ordering::Relaxed) + 0x1000_0000)
}

// ---------------------------------------------------------------- documents

/// The request's own URL, with its query re-encoded as Apple writes it
/// (`filter%5BbundleId%5D=…`): raw brackets are not valid in a URI.
fn self_link(req: &Request) -> String {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query.unwrap_or("")).unwrap_or_default();
    if pairs.is_empty() {
        return format!("{}{}", req.base, req.path);
    }
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!("{}{}?{query}", req.base, req.path)
}

fn single(req: &Request, data: Value, included: Vec<Value>) -> Value {
    let mut doc = json!({ "data": data, "links": { "self": self_link(req) } });
    if !included.is_empty() {
        doc["included"] = Value::Array(included);
    }
    doc
}

/// One page of a collection, with `links.next` until the last page.
fn page<T>(
    req: &Request,
    q: &Query,
    items: Vec<T>,
    mut render: impl FnMut(T, &mut Vec<Value>) -> Result<Value>,
) -> Result<Value> {
    let limit = q.limit("limit", MAX_LIMIT, DEFAULT_LIMIT)?;
    let offset = q.offset()?;
    let total = items.len();
    if offset > total {
        return Err(ApiError::parameter_invalid("cursor", "The cursor is not valid."));
    }
    // Only the page's items are rendered, so only they add `included`.
    let mut included = Vec::new();
    let data = items
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|item| render(item, &mut included))
        .collect::<Result<Vec<Value>>>()?;
    let mut links = json!({ "self": self_link(req) });
    if offset + limit < total {
        links["next"] = Value::String(query::with_cursor(req.base, req.path, req.query, offset + limit));
    }
    let mut doc = json!({ "data": data, "links": links, "meta": { "paging": { "total": total, "limit": limit } } });
    if !included.is_empty() {
        doc["included"] = Value::Array(included);
    }
    Ok(doc)
}

/// `fields[type]`: the attribute and relationship names to keep, checked
/// against what the type has.
fn fields(q: &Query, type_name: &str, known: &[&str]) -> Result<Option<Vec<String>>> {
    q.list(&format!("fields[{type_name}]"), Some(known))
}

fn resource(
    req: &Request,
    type_name: &str,
    id: &str,
    attributes: Map<String, Value>,
    relationships: Map<String, Value>,
    keep: &Option<Vec<String>>,
) -> Value {
    let kept = |m: Map<String, Value>| -> Map<String, Value> {
        match keep {
            Some(k) => m.into_iter().filter(|(n, _)| k.contains(n)).collect(),
            None => m,
        }
    };
    let mut v = json!({
        "type": type_name,
        "id": id,
        "attributes": kept(attributes),
        "links": { "self": format!("{}/v1/{type_name}/{id}", req.base) },
    });
    let relationships = kept(relationships);
    if !relationships.is_empty() {
        v["relationships"] = Value::Object(relationships);
    }
    v
}

fn to_many_links(req: &Request, type_name: &str, id: &str, relation: &str) -> Value {
    json!({ "links": {
        "self": format!("{}/v1/{type_name}/{id}/relationships/{relation}", req.base),
        "related": format!("{}/v1/{type_name}/{id}/{relation}", req.base),
    }})
}

fn app_json(req: &Request, app: &App, keep: &Option<Vec<String>>) -> Value {
    let mut attributes = Map::new();
    attributes.insert("name".into(), json!(app.name));
    attributes.insert("bundleId".into(), json!(app.bundle_id));
    attributes.insert("sku".into(), json!(app.sku));
    attributes.insert("primaryLocale".into(), json!(app.primary_locale));
    let mut rel = Map::new();
    rel.insert(
        "appStoreVersions".into(),
        to_many_links(req, "apps", &app.id, "appStoreVersions"),
    );
    rel.insert("appInfos".into(), to_many_links(req, "apps", &app.id, "appInfos"));
    resource(req, "apps", &app.id, attributes, rel, keep)
}

/// The deprecated `appStoreState` for an `appVersionState`.
fn app_store_state(state: &str) -> &str {
    match state {
        "READY_FOR_DISTRIBUTION" => "READY_FOR_SALE",
        "PROCESSING_FOR_DISTRIBUTION" => "PROCESSING_FOR_APP_STORE",
        other => other,
    }
}

fn localization_json(
    req: &Request,
    resource_kind: Resource,
    parent: &str,
    l: &Localization,
    keep: &Option<Vec<String>>,
) -> Value {
    let mut attributes = Map::new();
    attributes.insert("locale".into(), json!(l.locale));
    for (k, v) in &l.attributes {
        attributes.insert(k.clone(), json!(v));
    }
    let (parent_rel, parent_type) = match resource_kind {
        Resource::VersionLocalization => ("appStoreVersion", "appStoreVersions"),
        Resource::AppInfoLocalization => ("appInfo", "appInfos"),
    };
    let mut rel = Map::new();
    rel.insert(
        parent_rel.into(),
        json!({ "data": { "type": parent_type, "id": parent } }),
    );
    resource(req, resource_kind.type_name(), &l.id, attributes, rel, keep)
}

fn review_json(req: &Request, version: &str, r: &ReviewDetail, keep: &Option<Vec<String>>) -> Value {
    let mut attributes = Map::new();
    for name in ReviewField::iter().map(ReviewField::api_name) {
        attributes.insert(name.into(), json!(r.text(name).cloned().flatten()));
    }
    attributes.insert("demoAccountRequired".into(), json!(r.demo_account_required));
    let mut rel = Map::new();
    rel.insert(
        "appStoreVersion".into(),
        json!({ "data": { "type": "appStoreVersions", "id": version } }),
    );
    resource(req, "appStoreReviewDetails", &r.id, attributes, rel, keep)
}

/// What a version or app-info document includes, read from the query.
struct Includes {
    localizations: Option<usize>,
    review: bool,
    app: bool,
}

fn version_json(
    req: &Request,
    q: &Query,
    app: &App,
    v: &Version,
    inc: &Includes,
    included: &mut Vec<Value>,
) -> Result<Value> {
    let keep = fields(
        q,
        "appStoreVersions",
        &[&VERSION_ATTRIBUTES[..], &VERSION_INCLUDES[..]].concat(),
    )?;
    let loc_keep = fields(
        q,
        "appStoreVersionLocalizations",
        &localization_field_names(Resource::VersionLocalization),
    )?;
    let mut attributes = Map::new();
    attributes.insert("platform".into(), json!(v.platform));
    attributes.insert("versionString".into(), json!(v.version_string));
    attributes.insert("appStoreState".into(), json!(app_store_state(&v.app_version_state)));
    attributes.insert("appVersionState".into(), json!(v.app_version_state));
    attributes.insert("copyright".into(), json!(v.copyright));
    attributes.insert("releaseType".into(), json!(v.release_type));
    attributes.insert("createdDate".into(), json!(v.created_date));
    let mut rel = Map::new();
    let mut locs = to_many_links(req, "appStoreVersions", &v.id, "appStoreVersionLocalizations");
    if let Some(limit) = inc.localizations {
        let data: Vec<Value> = v
            .localizations
            .iter()
            .take(limit)
            .map(|l| json!({"type": "appStoreVersionLocalizations", "id": l.id}))
            .collect();
        for l in v.localizations.iter().take(limit) {
            included.push(localization_json(
                req,
                Resource::VersionLocalization,
                &v.id,
                l,
                &loc_keep,
            ));
        }
        locs["data"] = Value::Array(data);
        locs["meta"] = json!({ "paging": { "total": v.localizations.len(), "limit": limit } });
    }
    rel.insert("appStoreVersionLocalizations".into(), locs);
    let mut review = json!({ "links": {
        "self": format!("{}/v1/appStoreVersions/{}/relationships/appStoreReviewDetail", req.base, v.id),
        "related": format!("{}/v1/appStoreVersions/{}/appStoreReviewDetail", req.base, v.id),
    }});
    if inc.review {
        review["data"] = match &v.review_detail {
            Some(r) => {
                included.push(review_json(req, &v.id, r, &None));
                json!({ "type": "appStoreReviewDetails", "id": r.id })
            }
            None => Value::Null,
        };
    }
    rel.insert("appStoreReviewDetail".into(), review);
    if inc.app {
        rel.insert("app".into(), json!({ "data": { "type": "apps", "id": app.id } }));
        if !included
            .iter()
            .any(|i| i["type"] == "apps" && i["id"] == app.id.as_str())
        {
            included.push(app_json(req, app, &None));
        }
    }
    Ok(resource(req, "appStoreVersions", &v.id, attributes, rel, &keep))
}

fn localization_field_names(resource: Resource) -> Vec<&'static str> {
    let mut names = localization_attributes(resource);
    names.push("locale");
    names.push(match resource {
        Resource::VersionLocalization => "appStoreVersion",
        Resource::AppInfoLocalization => "appInfo",
    });
    names
}

fn app_info_json(
    req: &Request,
    q: &Query,
    info: &AppInfo,
    loc_limit: Option<usize>,
    included: &mut Vec<Value>,
) -> Result<Value> {
    let keep = fields(q, "appInfos", &[&["state"][..], &APP_INFO_INCLUDES[..]].concat())?;
    let loc_keep = fields(
        q,
        "appInfoLocalizations",
        &localization_field_names(Resource::AppInfoLocalization),
    )?;
    let mut attributes = Map::new();
    attributes.insert("state".into(), json!(info.state));
    let mut rel = Map::new();
    let mut locs = to_many_links(req, "appInfos", &info.id, "appInfoLocalizations");
    if let Some(limit) = loc_limit {
        let data: Vec<Value> = info
            .localizations
            .iter()
            .take(limit)
            .map(|l| json!({"type": "appInfoLocalizations", "id": l.id}))
            .collect();
        for l in info.localizations.iter().take(limit) {
            included.push(localization_json(
                req,
                Resource::AppInfoLocalization,
                &info.id,
                l,
                &loc_keep,
            ));
        }
        locs["data"] = Value::Array(data);
        locs["meta"] = json!({ "paging": { "total": info.localizations.len(), "limit": limit } });
    }
    rel.insert("appInfoLocalizations".into(), locs);
    for name in CATEGORY_RELATIONSHIPS {
        let data = match info.category(name).cloned().flatten() {
            Some(id) => json!({ "type": "appCategories", "id": id }),
            None => Value::Null,
        };
        rel.insert(name.into(), json!({ "data": data }));
    }
    Ok(resource(req, "appInfos", &info.id, attributes, rel, &keep))
}

// ---------------------------------------------------------------- reads

fn list_apps(state: &State, req: &Request) -> Result<Reply> {
    let q = Query::parse(
        req.query,
        &[
            "filter[bundleId]",
            "filter[name]",
            "filter[sku]",
            "filter[id]",
            "limit",
            "cursor",
            "fields[apps]",
            "sort",
        ],
    )?;
    let keep = fields(
        &q,
        "apps",
        &[&APP_ATTRIBUTES[..], &["appStoreVersions", "appInfos"][..]].concat(),
    )?;
    let bundle = q.list("filter[bundleId]", None)?;
    let names = q.list("filter[name]", None)?;
    let ids = q.list("filter[id]", None)?;
    let skus = q.list("filter[sku]", None)?;
    let mut apps: Vec<&App> = state
        .apps
        .iter()
        // Apple's bundle id filter is not exact: it also returns apps whose
        // bundle id merely starts with the value (e.g. an app's extensions).
        .filter(|a| {
            bundle
                .as_ref()
                .is_none_or(|b| b.iter().any(|b| a.bundle_id.starts_with(b.as_str())))
        })
        .filter(|a| names.as_ref().is_none_or(|n| n.contains(&a.name)))
        .filter(|a| ids.as_ref().is_none_or(|i| i.contains(&a.id)))
        .filter(|a| {
            skus.as_ref()
                .is_none_or(|s| a.sku.as_ref().is_some_and(|k| s.contains(k)))
        })
        .collect();
    if let Some(sort) = q.list("sort", Some(&["name", "-name", "bundleId", "-bundleId", "sku", "-sku"]))? {
        let key = sort[0].trim_start_matches('-').to_owned();
        apps.sort_by(|a, b| match key.as_str() {
            "name" => a.name.cmp(&b.name),
            "bundleId" => a.bundle_id.cmp(&b.bundle_id),
            _ => a.sku.cmp(&b.sku),
        });
        if sort[0].starts_with('-') {
            apps.reverse();
        }
    }
    Ok(Reply::ok(page(req, &q, apps, |a, _| Ok(app_json(req, a, &keep)))?))
}

fn get_app(state: &State, req: &Request, id: &str) -> Result<Reply> {
    let q = Query::parse(req.query, &["fields[apps]"])?;
    let keep = fields(
        &q,
        "apps",
        &[&APP_ATTRIBUTES[..], &["appStoreVersions", "appInfos"][..]].concat(),
    )?;
    let app = find_app(state, id)?;
    Ok(Reply::ok(single(req, app_json(req, app, &keep), Vec::new())))
}

fn version_includes(q: &Query) -> Result<Includes> {
    let include = q.list("include", Some(&VERSION_INCLUDES))?.unwrap_or_default();
    let has = |name: &str| include.iter().any(|i| i == name);
    let limit = q.limit(
        "limit[appStoreVersionLocalizations]",
        MAX_INCLUDED_LIMIT,
        DEFAULT_INCLUDED_LIMIT,
    )?;
    Ok(Includes {
        localizations: has("appStoreVersionLocalizations").then_some(limit),
        review: has("appStoreReviewDetail"),
        app: has("app"),
    })
}

const VERSION_QUERY: [&str; 6] = [
    "include",
    "limit[appStoreVersionLocalizations]",
    "fields[appStoreVersions]",
    "fields[appStoreVersionLocalizations]",
    "fields[apps]",
    "fields[appStoreReviewDetails]",
];

fn list_versions(state: &State, req: &Request, app_id: &str) -> Result<Reply> {
    let allowed: Vec<&str> = [
        &VERSION_QUERY[..],
        &[
            "filter[platform]",
            "filter[versionString]",
            "filter[appVersionState]",
            "filter[appStoreState]",
            "filter[id]",
            "limit",
            "cursor",
        ],
    ]
    .concat();
    let q = Query::parse(req.query, &allowed)?;
    let app = find_app(state, app_id)?;
    let platforms = q.list("filter[platform]", Some(&PLATFORMS))?;
    let states = q.list("filter[appVersionState]", Some(&APP_VERSION_STATES))?;
    let old_states = q.list("filter[appStoreState]", None)?;
    let strings = q.list("filter[versionString]", None)?;
    let ids = q.list("filter[id]", None)?;
    let inc = version_includes(&q)?;
    let versions = app.app_store_versions.iter().filter(|v| {
        platforms.as_ref().is_none_or(|p| p.contains(&v.platform))
            && states.as_ref().is_none_or(|s| s.contains(&v.app_version_state))
            && old_states
                .as_ref()
                .is_none_or(|s| s.iter().any(|s| s == app_store_state(&v.app_version_state)))
            && strings.as_ref().is_none_or(|s| s.contains(&v.version_string))
            && ids.as_ref().is_none_or(|i| i.contains(&v.id))
    });
    let versions: Vec<&Version> = versions.collect();
    let doc = page(req, &q, versions, |v, included| {
        version_json(req, &q, app, v, &inc, included)
    })?;
    Ok(Reply::ok(doc))
}

fn get_version(state: &State, req: &Request, id: &str) -> Result<Reply> {
    let q = Query::parse(req.query, &VERSION_QUERY)?;
    let (a, v) = version_index(state, id)?;
    let app = &state.apps[a];
    let inc = version_includes(&q)?;
    let mut included = Vec::new();
    let data = version_json(req, &q, app, &app.app_store_versions[v], &inc, &mut included)?;
    Ok(Reply::ok(single(req, data, included)))
}

fn list_version_localizations(state: &State, req: &Request, id: &str) -> Result<Reply> {
    let q = Query::parse(
        req.query,
        &[
            "filter[locale]",
            "limit",
            "cursor",
            "fields[appStoreVersionLocalizations]",
        ],
    )?;
    let (a, v) = version_index(state, id)?;
    let version = &state.apps[a].app_store_versions[v];
    let keep = fields(
        &q,
        "appStoreVersionLocalizations",
        &localization_field_names(Resource::VersionLocalization),
    )?;
    let locales = q.list("filter[locale]", None)?;
    let items: Vec<&Localization> = version
        .localizations
        .iter()
        .filter(|l| locales.as_ref().is_none_or(|f| f.contains(&l.locale)))
        .collect();
    let doc = page(req, &q, items, |l, _| {
        Ok(localization_json(
            req,
            Resource::VersionLocalization,
            &version.id,
            l,
            &keep,
        ))
    })?;
    Ok(Reply::ok(doc))
}

fn list_app_infos(state: &State, req: &Request, app_id: &str) -> Result<Reply> {
    let q = Query::parse(
        req.query,
        &[
            "include",
            "limit",
            "cursor",
            "limit[appInfoLocalizations]",
            "fields[appInfos]",
            "fields[appInfoLocalizations]",
        ],
    )?;
    let app = find_app(state, app_id)?;
    let include = q.list("include", Some(&APP_INFO_INCLUDES))?.unwrap_or_default();
    let limit = q.limit(
        "limit[appInfoLocalizations]",
        MAX_INCLUDED_LIMIT,
        DEFAULT_INCLUDED_LIMIT,
    )?;
    let loc_limit = include.iter().any(|i| i == "appInfoLocalizations").then_some(limit);
    let infos: Vec<&AppInfo> = app.app_infos.iter().collect();
    let doc = page(req, &q, infos, |info, included| {
        app_info_json(req, &q, info, loc_limit, included)
    })?;
    Ok(Reply::ok(doc))
}

fn get_app_info(state: &State, req: &Request, id: &str) -> Result<Reply> {
    let q = Query::parse(
        req.query,
        &[
            "include",
            "limit[appInfoLocalizations]",
            "fields[appInfos]",
            "fields[appInfoLocalizations]",
        ],
    )?;
    let (a, i) = app_info_index(state, id)?;
    let include = q.list("include", Some(&APP_INFO_INCLUDES))?.unwrap_or_default();
    let limit = q.limit(
        "limit[appInfoLocalizations]",
        MAX_INCLUDED_LIMIT,
        DEFAULT_INCLUDED_LIMIT,
    )?;
    let loc_limit = include.iter().any(|i| i == "appInfoLocalizations").then_some(limit);
    let mut included = Vec::new();
    let data = app_info_json(req, &q, &state.apps[a].app_infos[i], loc_limit, &mut included)?;
    Ok(Reply::ok(single(req, data, included)))
}

fn list_app_info_localizations(state: &State, req: &Request, id: &str) -> Result<Reply> {
    let q = Query::parse(
        req.query,
        &["filter[locale]", "limit", "cursor", "fields[appInfoLocalizations]"],
    )?;
    let (a, i) = app_info_index(state, id)?;
    let info = &state.apps[a].app_infos[i];
    let keep = fields(
        &q,
        "appInfoLocalizations",
        &localization_field_names(Resource::AppInfoLocalization),
    )?;
    let locales = q.list("filter[locale]", None)?;
    let items: Vec<&Localization> = info
        .localizations
        .iter()
        .filter(|l| locales.as_ref().is_none_or(|f| f.contains(&l.locale)))
        .collect();
    let doc = page(req, &q, items, |l, _| {
        Ok(localization_json(
            req,
            Resource::AppInfoLocalization,
            &info.id,
            l,
            &keep,
        ))
    })?;
    Ok(Reply::ok(doc))
}

fn get_review_detail_of_version(state: &State, req: &Request, id: &str) -> Result<Reply> {
    let q = Query::parse(req.query, &["fields[appStoreReviewDetails]"])?;
    let keep = fields(
        &q,
        "appStoreReviewDetails",
        &[&review_attributes()[..], &["appStoreVersion"][..]].concat(),
    )?;
    let (a, v) = version_index(state, id)?;
    let version = &state.apps[a].app_store_versions[v];
    let data = match &version.review_detail {
        Some(r) => review_json(req, &version.id, r, &keep),
        None => Value::Null,
    };
    Ok(Reply::ok(single(req, data, Vec::new())))
}

// ---------------------------------------------------------------- writes

/// The parts of a JSON:API request document, checked for shape.
struct Document {
    attributes: Map<String, Value>,
    relationships: Map<String, Value>,
}

/// Parses `{"data": {"type", "id"?, "attributes"?, "relationships"?}}`:
/// not JSON → 400; wrong shape → 422; wrong type or id → 409.
fn document(req: &Request, expected_type: &str, path_id: Option<&str>) -> Result<Document> {
    let value: Value = serde_json::from_slice(req.body)
        .map_err(|e| ApiError::entity_invalid(format!("The request body is not valid JSON: {e}")))?;
    let Some(data) = value.get("data").and_then(Value::as_object) else {
        return Err(ApiError::unprocessable(
            "The request must have a 'data' object.",
            "/data",
        ));
    };
    if let Some(extra) = value
        .as_object()
        .and_then(|o| o.keys().find(|k| *k != "data" && *k != "included"))
    {
        return Err(ApiError::unprocessable(
            format!("'{extra}' is not allowed at the top of the document."),
            &format!("/{extra}"),
        ));
    }
    if let Some(extra) = data
        .keys()
        .find(|k| !["type", "id", "attributes", "relationships"].contains(&k.as_str()))
    {
        return Err(ApiError::unprocessable(
            format!("'{extra}' is not allowed in 'data'."),
            &format!("/data/{extra}"),
        ));
    }
    let Some(type_name) = data.get("type").and_then(Value::as_str) else {
        return Err(ApiError::unprocessable(
            "'data.type' is required and must be a string.",
            "/data/type",
        ));
    };
    if type_name != expected_type {
        return Err(ApiError::entity(
            "ENTITY_ERROR.INCLUDED.INVALID_TYPE",
            "The provided entity has an invalid type",
            format!("The type '{type_name}' is not valid here; expected '{expected_type}'."),
            "/data/type",
        ));
    }
    let id = match data.get("id") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(ApiError::unprocessable("'data.id' must be a string.", "/data/id"));
        }
    };
    match (path_id, &id) {
        (Some(path), Some(body)) if path != body => {
            return Err(ApiError::entity(
                "ENTITY_ERROR.ID.INVALID",
                "The provided entity id is invalid",
                format!("The id '{body}' in the request body does not match the id '{path}' in the path."),
                "/data/id",
            ));
        }
        (Some(_), None) => {
            return Err(ApiError::unprocessable("'data.id' is required.", "/data/id"));
        }
        (None, Some(_)) => {
            return Err(ApiError::entity(
                "ENTITY_ERROR.ID.INVALID",
                "The provided entity id is invalid",
                "An id cannot be given when creating a resource.",
                "/data/id",
            ));
        }
        _ => {}
    }
    let object = |key: &str| -> Result<Map<String, Value>> {
        match data.get(key) {
            None | Some(Value::Null) => Ok(Map::new()),
            Some(Value::Object(m)) => Ok(m.clone()),
            Some(_) => Err(ApiError::unprocessable(
                format!("'data.{key}' must be an object."),
                &format!("/data/{key}"),
            )),
        }
    };
    Ok(Document {
        attributes: object("attributes")?,
        relationships: object("relationships")?,
    })
}

fn unknown_attribute(type_name: &str, name: &str) -> ApiError {
    ApiError::entity(
        "ENTITY_ERROR.ATTRIBUTE.UNKNOWN",
        "The provided entity includes an unknown attribute",
        format!("'{name}' is not an attribute on the resource '{type_name}' for this request"),
        &format!("/data/attributes/{name}"),
    )
}

/// Text attributes of a localization request: strings or null, of the
/// resource's attribute names, within Apple's limits. `locale` is allowed
/// only when creating.
fn text_attributes(resource: Resource, doc: &Document, creating: bool) -> Result<Vec<(String, Option<String>)>> {
    let known = localization_attributes(resource);
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (name, value) in &doc.attributes {
        if name == "locale" && creating {
            continue;
        }
        if !known.contains(&name.as_str()) {
            return Err(unknown_attribute(resource.type_name(), name));
        }
        let text = match value {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            _ => {
                return Err(ApiError::unprocessable(
                    format!("'{name}' must be a string or null."),
                    &format!("/data/attributes/{name}"),
                ));
            }
        };
        if let (Some(t), Some(field)) = (&text, Field::from_api_name(name))
            && let Some(e) = check_value(field, t)
        {
            problems.push(e);
        }
        out.push((name.clone(), text));
    }
    match ApiError::merge(problems) {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// Apple's server-side checks of one value: length, and URL form on the
/// version localization's `format: uri` attributes.
fn check_value(field: Field, value: &str) -> Option<ApiError> {
    let name = field.api_name();
    if let Some(max) = field.max_chars()
        && value.chars().count() > max
    {
        {
            return Some(ApiError::entity(
                "ENTITY_ERROR.ATTRIBUTE.INVALID.TOO_LONG",
                "An attribute value is too long.",
                format!(
                    "The attribute '{name}' has a value whose length exceeds the maximum. It cannot exceed {max} characters."
                ),
                &format!("/data/attributes/{name}"),
            ));
        }
    }
    let is_uri = field.kind() == Kind::Url && field.localization() == crate::model::Localization::Version;
    if is_uri && !value.is_empty() && reqwest::Url::parse(value).is_err() {
        return Some(ApiError::entity(
            "ENTITY_ERROR.ATTRIBUTE.INVALID",
            "The provided entity includes an attribute with an invalid value",
            format!("The '{name}' value is not a valid URL."),
            &format!("/data/attributes/{name}"),
        ));
    }
    None
}

/// `STATE_ERROR` for every attribute the parent's state locks, one error
/// object each, as Apple sends them.
fn locked_attributes(
    state: &State,
    resource: Resource,
    app: usize,
    parent: usize,
    changes: &[(String, Option<String>)],
) -> Result<()> {
    let app = &state.apps[app];
    let mut locked = Vec::new();
    for (name, value) in changes {
        let refused = match resource {
            Resource::VersionLocalization => {
                let v = &app.app_store_versions[parent];
                let editable = EDITABLE_VERSION_STATES.contains(&v.app_version_state.as_str());
                (!editable && name != "promotionalText")
                    || (name == "whatsNew" && value.is_some() && is_first_version(app, v))
            }
            Resource::AppInfoLocalization => {
                let info = &app.app_infos[parent];
                let editable = EDITABLE_APP_INFO_STATES.contains(&info.state.as_str());
                // The privacy URLs stay editable while the app info is live.
                !editable && !matches!(name.as_str(), "privacyPolicyUrl" | "privacyChoicesUrl")
            }
        };
        if refused {
            locked.push(ApiError::locked(name));
        }
    }
    match ApiError::merge(locked) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The id of a required to-one relationship in a create request.
fn relationship_id(doc: &Document, name: &str, type_name: &str) -> Result<String> {
    let data = doc.relationships.get(name).and_then(|r| r.get("data"));
    let pointer = format!("/data/relationships/{name}");
    match data {
        Some(d) if d.get("type").and_then(Value::as_str) == Some(type_name) => {
            match d.get("id").and_then(Value::as_str) {
                Some(id) => Ok(id.to_owned()),
                None => Err(ApiError::unprocessable(
                    format!("'{name}.data.id' is required."),
                    &pointer,
                )),
            }
        }
        Some(_) => Err(ApiError::entity(
            "ENTITY_ERROR.RELATIONSHIP.INVALID",
            "The provided entity includes a relationship with an invalid value",
            format!("The relationship '{name}' must refer to a resource of type '{type_name}'."),
            &pointer,
        )),
        None => Err(ApiError::entity(
            "ENTITY_ERROR.RELATIONSHIP.REQUIRED",
            "The provided entity is missing a required relationship",
            format!("You must provide a value for the relationship '{name}' with this request"),
            &pointer,
        )),
    }
}

fn required_attribute(name: &str) -> ApiError {
    ApiError::entity(
        "ENTITY_ERROR.ATTRIBUTE.REQUIRED",
        "The provided entity is missing a required attribute",
        format!("You must provide a value for the attribute '{name}' with this request"),
        &format!("/data/attributes/{name}"),
    )
}

fn create_localization(state: &mut State, req: &Request, resource: Resource) -> Result<Reply> {
    Query::parse(req.query, &[])?;
    let doc = document(req, resource.type_name(), None)?;
    let (parent_rel, parent_type) = match resource {
        Resource::VersionLocalization => ("appStoreVersion", "appStoreVersions"),
        Resource::AppInfoLocalization => ("appInfo", "appInfos"),
    };
    if let Some(extra) = doc.relationships.keys().find(|k| *k != parent_rel) {
        return Err(ApiError::entity(
            "ENTITY_ERROR.RELATIONSHIP.UNKNOWN",
            "The provided entity includes an unknown relationship",
            format!(
                "'{extra}' is not a relationship on the resource '{}'",
                resource.type_name()
            ),
            &format!("/data/relationships/{extra}"),
        ));
    }
    let locale = match doc.attributes.get("locale") {
        Some(Value::String(l)) => l.clone(),
        Some(Value::Null) | None => return Err(required_attribute("locale")),
        Some(_) => {
            return Err(ApiError::unprocessable(
                "'locale' must be a string.",
                "/data/attributes/locale",
            ));
        }
    };
    let changes = text_attributes(resource, &doc, true)?;
    if resource == Resource::AppInfoLocalization && !changes.iter().any(|(n, v)| n == "name" && v.is_some()) {
        return Err(required_attribute("name"));
    }
    let parent_id = relationship_id(&doc, parent_rel, parent_type)?;
    let (a, p) = match resource {
        Resource::VersionLocalization => version_index(state, &parent_id),
        Resource::AppInfoLocalization => app_info_index(state, &parent_id),
    }
    .map_err(|_| {
        ApiError::entity(
            "ENTITY_ERROR.RELATIONSHIP.INVALID",
            "The provided entity includes a relationship with an invalid value",
            format!("There is no resource of type '{parent_type}' with id '{parent_id}'"),
            &format!("/data/relationships/{parent_rel}"),
        )
    })?;
    if crate::locale::Locale::exact(&locale).is_none() {
        return Err(ApiError::entity(
            "ENTITY_ERROR.ATTRIBUTE.INVALID",
            "The provided entity includes an attribute with an invalid value",
            "The 'locale' value is invalid.",
            "/data/attributes/locale",
        ));
    }
    // Creating a locale needs a parent that accepts new locales.
    let (parent_state, accepts) = match resource {
        Resource::VersionLocalization => {
            let s = &state.apps[a].app_store_versions[p].app_version_state;
            (
                s.clone(),
                EDITABLE_VERSION_STATES.contains(&s.as_str()) && s != "WAITING_FOR_REVIEW",
            )
        }
        Resource::AppInfoLocalization => {
            let s = &state.apps[a].app_infos[p].state;
            (
                s.clone(),
                EDITABLE_APP_INFO_STATES.contains(&s.as_str()) && s != "WAITING_FOR_REVIEW",
            )
        }
    };
    if !accepts {
        return Err(ApiError::state(format!(
            "A new localization cannot be created while the {parent_type} resource is in the state '{parent_state}'."
        )));
    }
    locked_attributes(state, resource, a, p, &changes)?;
    let siblings = match resource {
        Resource::VersionLocalization => &state.apps[a].app_store_versions[p].localizations,
        Resource::AppInfoLocalization => &state.apps[a].app_infos[p].localizations,
    };
    if siblings.iter().any(|l| l.locale == locale) {
        return Err(ApiError::entity(
            "ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE",
            "The provided entity includes an attribute with an invalid value",
            format!("There is an entity with same 'locale' ('{locale}') already."),
            "/data/attributes/locale",
        ));
    }
    let mut attributes: Attributes = localization_attributes(resource)
        .into_iter()
        .map(|n| (n.to_owned(), None))
        .collect();
    for (name, value) in changes {
        attributes.insert(name, value);
    }
    let prefix = if resource == Resource::VersionLocalization {
        "verloc-"
    } else {
        "infoloc-"
    };
    let loc = Localization {
        id: new_id(prefix),
        locale,
        attributes,
    };
    let body = single(
        req,
        localization_json(req, resource, &parent_id, &loc, &None),
        Vec::new(),
    );
    let location = format!("{}/v1/{}/{}", req.base, resource.type_name(), loc.id);
    match resource {
        Resource::VersionLocalization => state.apps[a].app_store_versions[p].localizations.push(loc),
        Resource::AppInfoLocalization => state.apps[a].app_infos[p].localizations.push(loc),
    }
    let mut body = body;
    body["links"]["self"] = Value::String(location.clone());
    Ok(Reply {
        status: StatusCode::CREATED,
        body: Some(body),
        location: Some(location),
    })
}

fn localization(state: &mut State, req: &Request, resource: Resource, id: &str) -> Result<Reply> {
    let type_name = resource.type_name();
    let allowed = [format!("fields[{type_name}]")];
    let allowed: Vec<&str> = if *req.method == Method::GET {
        allowed.iter().map(String::as_str).collect()
    } else {
        Vec::new()
    };
    let q = Query::parse(req.query, &allowed)?;
    let (a, p, l) = localization_index(state, resource, id)?;
    let parent_id = match resource {
        Resource::VersionLocalization => state.apps[a].app_store_versions[p].id.clone(),
        Resource::AppInfoLocalization => state.apps[a].app_infos[p].id.clone(),
    };
    fn siblings(state: &mut State, resource: Resource, a: usize, p: usize) -> &mut Vec<Localization> {
        match resource {
            Resource::VersionLocalization => &mut state.apps[a].app_store_versions[p].localizations,
            Resource::AppInfoLocalization => &mut state.apps[a].app_infos[p].localizations,
        }
    }
    match *req.method {
        Method::GET => {
            let keep = fields(&q, type_name, &localization_field_names(resource))?;
            let loc = &siblings(state, resource, a, p)[l];
            Ok(Reply::ok(single(
                req,
                localization_json(req, resource, &parent_id, loc, &keep),
                Vec::new(),
            )))
        }
        Method::PATCH => {
            let doc = document(req, type_name, Some(id))?;
            if doc.attributes.contains_key("locale") {
                return Err(unknown_attribute(type_name, "locale"));
            }
            if let Some(rel) = doc.relationships.keys().next() {
                return Err(ApiError::entity(
                    "ENTITY_ERROR.RELATIONSHIP.UNKNOWN",
                    "The provided entity includes an unknown relationship",
                    format!("'{rel}' is not a relationship that can be changed on '{type_name}'"),
                    &format!("/data/relationships/{rel}"),
                ));
            }
            let changes = text_attributes(resource, &doc, false)?;
            locked_attributes(state, resource, a, p, &changes)?;
            if resource == Resource::AppInfoLocalization
                && changes
                    .iter()
                    .any(|(n, v)| n == "name" && v.as_deref().is_none_or(str::is_empty))
            {
                return Err(required_attribute("name"));
            }
            let loc = &mut siblings(state, resource, a, p)[l];
            for (name, value) in changes {
                loc.attributes.insert(name, value);
            }
            let loc = &siblings(state, resource, a, p)[l];
            Ok(Reply::ok(single(
                req,
                localization_json(req, resource, &parent_id, loc, &None),
                Vec::new(),
            )))
        }
        _ => {
            let parent_state = match resource {
                Resource::VersionLocalization => state.apps[a].app_store_versions[p].app_version_state.clone(),
                Resource::AppInfoLocalization => state.apps[a].app_infos[p].state.clone(),
            };
            let editable = match resource {
                Resource::VersionLocalization => EDITABLE_VERSION_STATES.contains(&parent_state.as_str()),
                Resource::AppInfoLocalization => EDITABLE_APP_INFO_STATES.contains(&parent_state.as_str()),
            };
            if !editable || parent_state == "WAITING_FOR_REVIEW" {
                return Err(ApiError::state(format!(
                    "The localization cannot be deleted while its parent is in the state '{parent_state}'."
                )));
            }
            let primary = state.apps[a].primary_locale.clone();
            if siblings(state, resource, a, p)[l].locale == primary {
                return Err(ApiError::state(
                    "The localization of the app's primary locale cannot be deleted.",
                ));
            }
            siblings(state, resource, a, p).remove(l);
            Ok(Reply {
                status: StatusCode::NO_CONTENT,
                body: None,
                location: None,
            })
        }
    }
}

fn patch_version(state: &mut State, req: &Request, id: &str) -> Result<Reply> {
    Query::parse(req.query, &[])?;
    let doc = document(req, "appStoreVersions", Some(id))?;
    let (a, v) = version_index(state, id)?;
    let known = [
        "copyright",
        "releaseType",
        "earliestReleaseDate",
        "versionString",
        "downloadable",
        "reviewType",
        "usesIdfa",
    ];
    for name in doc.attributes.keys() {
        if !known.contains(&name.as_str()) {
            return Err(unknown_attribute("appStoreVersions", name));
        }
    }
    let version = &state.apps[a].app_store_versions[v];
    if !EDITABLE_VERSION_STATES.contains(&version.app_version_state.as_str()) {
        let locked: Vec<ApiError> = doc.attributes.keys().map(|n| ApiError::locked(n)).collect();
        if let Some(e) = ApiError::merge(locked) {
            return Err(e);
        }
    }
    let text = |name: &str| -> Result<Option<Option<String>>> {
        match doc.attributes.get(name) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
            Some(_) => Err(ApiError::unprocessable(
                format!("'{name}' must be a string or null."),
                &format!("/data/attributes/{name}"),
            )),
        }
    };
    let copyright = text("copyright")?;
    let release_type = text("releaseType")?;
    let version_string = text("versionString")?;
    if let Some(Some(rt)) = &release_type
        && !["MANUAL", "AFTER_APPROVAL", "SCHEDULED"].contains(&rt.as_str())
    {
        {
            return Err(ApiError::entity(
                "ENTITY_ERROR.ATTRIBUTE.INVALID",
                "The provided entity includes an attribute with an invalid value",
                format!("'{rt}' is not a valid value for 'releaseType'."),
                "/data/attributes/releaseType",
            ));
        }
    }
    let version = &mut state.apps[a].app_store_versions[v];
    if let Some(c) = copyright {
        version.copyright = c;
    }
    if let Some(r) = release_type {
        version.release_type = r;
    }
    if let Some(Some(s)) = version_string {
        version.version_string = s;
    }
    get_version_after_write(state, req, id)
}

fn get_version_after_write(state: &State, req: &Request, id: &str) -> Result<Reply> {
    let (a, v) = version_index(state, id)?;
    let app = &state.apps[a];
    let q = Query::parse(None, &[])?;
    let inc = Includes {
        localizations: None,
        review: false,
        app: false,
    };
    let data = version_json(req, &q, app, &app.app_store_versions[v], &inc, &mut Vec::new())?;
    Ok(Reply::ok(single(req, data, Vec::new())))
}

fn patch_app_info(state: &mut State, req: &Request, id: &str) -> Result<Reply> {
    Query::parse(req.query, &[])?;
    let doc = document(req, "appInfos", Some(id))?;
    if let Some(name) = doc.attributes.keys().next() {
        return Err(unknown_attribute("appInfos", name));
    }
    let (a, i) = app_info_index(state, id)?;
    let mut changes = Vec::new();
    for (name, rel) in &doc.relationships {
        if !CATEGORY_RELATIONSHIPS.contains(&name.as_str()) {
            return Err(ApiError::entity(
                "ENTITY_ERROR.RELATIONSHIP.UNKNOWN",
                "The provided entity includes an unknown relationship",
                format!("'{name}' is not a relationship that can be changed on 'appInfos'"),
                &format!("/data/relationships/{name}"),
            ));
        }
        let pointer = format!("/data/relationships/{name}/data");
        let value = match rel.get("data") {
            Some(Value::Null) => None,
            Some(d) if d.get("type").and_then(Value::as_str) == Some("appCategories") => {
                match d.get("id").and_then(Value::as_str) {
                    Some(id) => Some(id.to_owned()),
                    None => return Err(ApiError::unprocessable("'data.id' is required.", &pointer)),
                }
            }
            _ => {
                return Err(ApiError::unprocessable(
                    "expected {\"data\": {\"type\": \"appCategories\", \"id\": …}} or {\"data\": null}",
                    &pointer,
                ));
            }
        };
        changes.push((name.clone(), value));
    }
    let info = &state.apps[a].app_infos[i];
    if !changes.is_empty() && !EDITABLE_APP_INFO_STATES.contains(&info.state.as_str()) {
        let locked: Vec<ApiError> = changes.iter().map(|(n, _)| ApiError::locked(n)).collect();
        return Err(ApiError::merge(locked).expect("not empty"));
    }
    let info = &mut state.apps[a].app_infos[i];
    for (name, value) in changes {
        if let Some(slot) = info.category_mut(&name) {
            *slot = value;
        }
    }
    let info = &state.apps[a].app_infos[i];
    let q = Query::parse(None, &[])?;
    let data = app_info_json(req, &q, info, None, &mut Vec::new())?;
    Ok(Reply::ok(single(req, data, Vec::new())))
}

/// Review-detail attributes of a request: strings or null, and the one boolean.
fn review_changes(doc: &Document) -> Result<Vec<(String, Value)>> {
    let mut out = Vec::new();
    for (name, value) in &doc.attributes {
        if !review_attributes().contains(&name.as_str()) {
            return Err(unknown_attribute("appStoreReviewDetails", name));
        }
        let ok = if name == "demoAccountRequired" {
            value.is_boolean() || value.is_null()
        } else {
            value.is_string() || value.is_null()
        };
        if !ok {
            return Err(ApiError::unprocessable(
                format!("'{name}' has the wrong type."),
                &format!("/data/attributes/{name}"),
            ));
        }
        out.push((name.clone(), value.clone()));
    }
    Ok(out)
}

fn apply_review(r: &mut ReviewDetail, changes: Vec<(String, Value)>) {
    for (name, value) in changes {
        if name == "demoAccountRequired" {
            r.demo_account_required = value.as_bool();
        } else if let Some(slot) = r.text_mut(&name) {
            *slot = value.as_str().map(str::to_owned);
        }
    }
}

fn review_editable(state: &State, a: usize, v: usize) -> Result<()> {
    let s = &state.apps[a].app_store_versions[v].app_version_state;
    if EDITABLE_VERSION_STATES.contains(&s.as_str()) {
        Ok(())
    } else {
        Err(ApiError::state(format!(
            "The review details cannot be changed while the version is in the state '{s}'."
        )))
    }
}

fn create_review_detail(state: &mut State, req: &Request) -> Result<Reply> {
    Query::parse(req.query, &[])?;
    let doc = document(req, "appStoreReviewDetails", None)?;
    let changes = review_changes(&doc)?;
    let version_id = relationship_id(&doc, "appStoreVersion", "appStoreVersions")?;
    let (a, v) = version_index(state, &version_id)?;
    review_editable(state, a, v)?;
    if state.apps[a].app_store_versions[v].review_detail.is_some() {
        return Err(ApiError::entity(
            "ENTITY_ERROR.RELATIONSHIP.INVALID",
            "The provided entity includes a relationship with an invalid value",
            "The version already has review details; update them instead.",
            "/data/relationships/appStoreVersion",
        ));
    }
    let mut r = ReviewDetail {
        id: new_id("review-"),
        ..ReviewDetail::default()
    };
    apply_review(&mut r, changes);
    let location = format!("{}/v1/appStoreReviewDetails/{}", req.base, r.id);
    let mut body = single(req, review_json(req, &version_id, &r, &None), Vec::new());
    body["links"]["self"] = Value::String(location.clone());
    state.apps[a].app_store_versions[v].review_detail = Some(r);
    Ok(Reply {
        status: StatusCode::CREATED,
        body: Some(body),
        location: Some(location),
    })
}

fn review_detail(state: &mut State, req: &Request, id: &str) -> Result<Reply> {
    let get = *req.method == Method::GET;
    let q = Query::parse(req.query, if get { &["fields[appStoreReviewDetails]"] } else { &[] })?;
    let (a, v) = review_index(state, id)?;
    let version_id = state.apps[a].app_store_versions[v].id.clone();
    if get {
        let keep = fields(
            &q,
            "appStoreReviewDetails",
            &[&review_attributes()[..], &["appStoreVersion"][..]].concat(),
        )?;
        let r = state.apps[a].app_store_versions[v]
            .review_detail
            .as_ref()
            .expect("found by id");
        return Ok(Reply::ok(single(
            req,
            review_json(req, &version_id, r, &keep),
            Vec::new(),
        )));
    }
    let doc = document(req, "appStoreReviewDetails", Some(id))?;
    let changes = review_changes(&doc)?;
    review_editable(state, a, v)?;
    let r = state.apps[a].app_store_versions[v]
        .review_detail
        .as_mut()
        .expect("found by id");
    apply_review(r, changes);
    let r = state.apps[a].app_store_versions[v]
        .review_detail
        .as_ref()
        .expect("found by id");
    Ok(Reply::ok(single(
        req,
        review_json(req, &version_id, r, &None),
        Vec::new(),
    )))
}
