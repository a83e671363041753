//! The GET endpoints: apps, versions, app infos, their localizations and
//! review details, with Apple's filters, paging, `include` and `fields`.
//! Each refuses query parameters its endpoint does not take (400).

use super::api::{self, Reply, Request, Result};
use super::apple::{self, Kind};
use super::media;
use super::query::{DEFAULT_INCLUDED_LIMIT, MAX_INCLUDED_LIMIT, Query};
use super::render::{self, Includes};
use super::state::{App, AppInfo, Localization, State, Version};
use serde_json::Value;

fn app_fields() -> Vec<&'static str> {
    [&apple::APP_ATTRIBUTES[..], &apple::APP_RELATIONSHIPS[..]].concat()
}

/// The query one app takes, as an item of `GET /v1/apps` or alone.
const APP_QUERY: [&str; 6] = [
    "fields[apps]",
    "include",
    "limit[appStoreVersions]",
    "limit[appInfos]",
    "fields[appStoreVersions]",
    "fields[appInfos]",
];

/// `include=appStoreVersions` and `include=appInfos` on apps, with their
/// inline limits.
fn app_includes(q: &Query) -> Result<render::AppIncludes> {
    let include = q.list("include", Some(&apple::APP_RELATIONSHIPS))?.unwrap_or_default();
    let has = |name: &str| include.iter().any(|i| i == name);
    let versions = q.limit("limit[appStoreVersions]", MAX_INCLUDED_LIMIT, DEFAULT_INCLUDED_LIMIT)?;
    let infos = q.limit("limit[appInfos]", MAX_INCLUDED_LIMIT, DEFAULT_INCLUDED_LIMIT)?;
    Ok(render::AppIncludes {
        versions: has("appStoreVersions").then_some(versions),
        infos: has("appInfos").then_some(infos),
    })
}

pub fn list_apps(state: &State, req: &Request) -> Result<Reply> {
    let allowed = [
        &APP_QUERY[..],
        &[
            "filter[bundleId]",
            "filter[name]",
            "filter[sku]",
            "filter[id]",
            "limit",
            "cursor",
            "sort",
        ],
    ]
    .concat();
    let q = Query::parse(req.query, &allowed)?;
    let keep = render::fields(&q, "apps", &app_fields())?;
    let inc = app_includes(&q)?;
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
    Ok(Reply::ok(render::page(req, &q, apps, |a, included| {
        render::app_with_includes(req, &q, a, &keep, inc, included)
    })?))
}

pub fn get_app(state: &State, req: &Request, id: &str) -> Result<Reply> {
    let q = Query::parse(req.query, &APP_QUERY)?;
    let keep = render::fields(&q, "apps", &app_fields())?;
    let inc = app_includes(&q)?;
    let app = api::find_app(state, id)?;
    let mut included = Vec::new();
    let data = render::app_with_includes(req, &q, app, &keep, inc, &mut included)?;
    Ok(Reply::ok(render::single(req, data, included)))
}

fn version_includes(q: &Query) -> Result<Includes> {
    let include = q.list("include", Some(&apple::VERSION_INCLUDES))?.unwrap_or_default();
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

pub fn list_versions(state: &State, req: &Request, app_id: &str) -> Result<Reply> {
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
    let app = api::find_app(state, app_id)?;
    let platforms = q.list("filter[platform]", Some(&apple::PLATFORMS))?;
    let states = q.list("filter[appVersionState]", Some(&apple::APP_VERSION_STATES))?;
    let old_states = q.list("filter[appStoreState]", None)?;
    let strings = q.list("filter[versionString]", None)?;
    let ids = q.list("filter[id]", None)?;
    let inc = version_includes(&q)?;
    let versions: Vec<&Version> = app
        .app_store_versions
        .iter()
        .filter(|v| {
            platforms.as_ref().is_none_or(|p| p.contains(&v.platform))
                && states.as_ref().is_none_or(|s| s.contains(&v.app_version_state))
                && old_states
                    .as_ref()
                    .is_none_or(|s| s.iter().any(|s| s == apple::app_store_state(&v.app_version_state)))
                && strings.as_ref().is_none_or(|s| s.contains(&v.version_string))
                && ids.as_ref().is_none_or(|i| i.contains(&v.id))
        })
        .collect();
    let doc = render::page(req, &q, versions, |v, included| {
        render::version_json(req, &q, app, v, &inc, included)
    })?;
    Ok(Reply::ok(doc))
}

pub fn get_version(state: &State, req: &Request, id: &str) -> Result<Reply> {
    let q = Query::parse(req.query, &VERSION_QUERY)?;
    let (a, v) = api::version_index(state, id)?;
    let app = &state.apps[a];
    let inc = version_includes(&q)?;
    let mut included = Vec::new();
    let data = render::version_json(req, &q, app, &app.app_store_versions[v], &inc, &mut included)?;
    Ok(Reply::ok(render::single(req, data, included)))
}

/// The localizations of one version or app info, filtered by locale.
pub fn list_localizations(state: &State, req: &Request, kind: Kind, parent: &str) -> Result<Reply> {
    let fields_param = format!("fields[{}]", kind.type_name());
    let mut allowed = vec!["filter[locale]", "limit", "cursor", &fields_param];
    if kind == Kind::Version {
        allowed.extend(media::LOCALIZATION_QUERY);
    }
    let q = Query::parse(req.query, &allowed)?;
    let (a, p) = api::parent_index(state, kind, parent)?;
    let app = &state.apps[a];
    let keep = render::fields(&q, kind.type_name(), &render::localization_field_names(kind))?;
    let sets = media::localization_includes(&q)?;
    let locales = q.list("filter[locale]", None)?;
    let items: Vec<&Localization> = app
        .localizations(kind, p)
        .iter()
        .filter(|l| locales.as_ref().is_none_or(|f| f.contains(&l.locale)))
        .collect();
    let parent_id = app.parent(kind, p).0;
    let doc = render::page(req, &q, items, |l, included| {
        let mut doc = render::localization_json(req, kind, parent_id, l, &keep);
        media::include_sets(state, req, &sets, &keep, &mut doc, included);
        Ok(doc)
    })?;
    Ok(Reply::ok(doc))
}

/// `include=appInfoLocalizations` and its limit, for app-info documents.
fn app_info_includes(q: &Query) -> Result<Option<usize>> {
    let include = q.list("include", Some(&apple::APP_INFO_INCLUDES))?.unwrap_or_default();
    let limit = q.limit(
        "limit[appInfoLocalizations]",
        MAX_INCLUDED_LIMIT,
        DEFAULT_INCLUDED_LIMIT,
    )?;
    Ok(include.iter().any(|i| i == "appInfoLocalizations").then_some(limit))
}

const APP_INFO_QUERY: [&str; 4] = [
    "include",
    "limit[appInfoLocalizations]",
    "fields[appInfos]",
    "fields[appInfoLocalizations]",
];

pub fn list_app_infos(state: &State, req: &Request, app_id: &str) -> Result<Reply> {
    let q = Query::parse(req.query, &[&APP_INFO_QUERY[..], &["limit", "cursor"]].concat())?;
    let app = api::find_app(state, app_id)?;
    let loc_limit = app_info_includes(&q)?;
    let infos: Vec<&AppInfo> = app.app_infos.iter().collect();
    let doc = render::page(req, &q, infos, |info, included| {
        render::app_info_json(req, &q, info, loc_limit, included)
    })?;
    Ok(Reply::ok(doc))
}

pub fn get_app_info(state: &State, req: &Request, id: &str) -> Result<Reply> {
    let q = Query::parse(req.query, &APP_INFO_QUERY)?;
    let (a, i) = api::app_info_index(state, id)?;
    let loc_limit = app_info_includes(&q)?;
    let mut included = Vec::new();
    let data = render::app_info_json(req, &q, &state.apps[a].app_infos[i], loc_limit, &mut included)?;
    Ok(Reply::ok(render::single(req, data, included)))
}

pub fn get_localization(state: &State, req: &Request, kind: Kind, id: &str) -> Result<Reply> {
    let fields_param = format!("fields[{}]", kind.type_name());
    let mut allowed = vec![fields_param.as_str()];
    if kind == Kind::Version {
        allowed.extend(media::LOCALIZATION_QUERY);
    }
    let q = Query::parse(req.query, &allowed)?;
    let (a, p, l) = api::localization_index(state, kind, id)?;
    let keep = render::fields(&q, kind.type_name(), &render::localization_field_names(kind))?;
    let sets = media::localization_includes(&q)?;
    let app = &state.apps[a];
    let mut data = render::localization_json(req, kind, app.parent(kind, p).0, &app.localizations(kind, p)[l], &keep);
    let mut included = Vec::new();
    media::include_sets(state, req, &sets, &keep, &mut data, &mut included);
    Ok(Reply::ok(render::single(req, data, included)))
}

/// The query of a review detail read through its version.
const REVIEW_OF_VERSION_QUERY: [&str; 5] = [
    "include",
    "limit[appStoreReviewAttachments]",
    "fields[appStoreReviewDetails]",
    "fields[appStoreReviewAttachments]",
    "fields[appStoreVersions]",
];

/// `GET /v1/appStoreVersions/{id}/appStoreReviewDetail`: `data: null`
/// when the version has none. `include=appStoreReviewAttachments` (sent by
/// fastlane) shows the attachments, none in the fake; `include=
/// appStoreVersion` adds the version.
pub fn get_review_detail_of_version(state: &State, req: &Request, id: &str) -> Result<Reply> {
    let q = Query::parse(req.query, &REVIEW_OF_VERSION_QUERY)?;
    let keep = render::fields(&q, "appStoreReviewDetails", &render::review_field_names())?;
    render::fields(&q, "appStoreReviewAttachments", &apple::REVIEW_ATTACHMENT_FIELDS)?;
    let include = q.list("include", Some(&["appStoreVersion", apple::REVIEW_ATTACHMENTS]))?;
    let has = |name: &str| include.as_ref().is_some_and(|i| i.iter().any(|n| n == name));
    let limit = q.limit(
        "limit[appStoreReviewAttachments]",
        MAX_INCLUDED_LIMIT,
        DEFAULT_INCLUDED_LIMIT,
    )?;
    let (a, v) = api::version_index(state, id)?;
    let app = &state.apps[a];
    let version = &app.app_store_versions[v];
    let Some(r) = &version.review_detail else {
        return Ok(Reply::ok(render::single(req, Value::Null, Vec::new())));
    };
    let attachments = has(apple::REVIEW_ATTACHMENTS).then_some(limit);
    let data = render::review_json(req, &version.id, r, &keep, attachments);
    let mut included = Vec::new();
    if has("appStoreVersion") {
        included.push(render::version_json(
            req,
            &q,
            app,
            version,
            &Includes::NONE,
            &mut Vec::new(),
        )?);
    }
    Ok(Reply::ok(render::single(req, data, included)))
}

pub fn get_review_detail(state: &State, req: &Request, id: &str) -> Result<Reply> {
    let q = Query::parse(req.query, &["fields[appStoreReviewDetails]"])?;
    let (a, v) = api::review_index(state, id)?;
    let keep = render::fields(&q, "appStoreReviewDetails", &render::review_field_names())?;
    let version = &state.apps[a].app_store_versions[v];
    let r = version.review_detail.as_ref().expect("found by id");
    Ok(Reply::ok(render::single(
        req,
        render::review_json(req, &version.id, r, &keep, None),
        Vec::new(),
    )))
}
