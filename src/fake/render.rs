//! The JSON:API documents the fake answers with, in Apple's shapes: single
//! and paged envelopes with absolute links, resource objects with
//! `links.self`, relationship objects with `links`, `include`d resources
//! and `fields[type]` sparse fieldsets.

use super::api::{Request, Result};
use super::apple::{self, Kind};
use super::query::{self, DEFAULT_LIMIT, MAX_LIMIT, Query};
use super::state::{App, AppInfo, Localization, ReviewDetail, Version};
use serde_json::{Map, Value, json};

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

/// A single-resource document.
pub fn single(req: &Request, data: Value, included: Vec<Value>) -> Value {
    let mut doc = json!({ "data": data, "links": { "self": self_link(req) } });
    if !included.is_empty() {
        doc["included"] = Value::Array(included);
    }
    doc
}

/// One page of a collection, with `links.next` until the last page.
pub fn page<T>(
    req: &Request,
    q: &Query,
    items: Vec<T>,
    mut render: impl FnMut(T, &mut Vec<Value>) -> Result<Value>,
) -> Result<Value> {
    let limit = q.limit("limit", MAX_LIMIT, DEFAULT_LIMIT)?;
    let offset = q.offset()?;
    let total = items.len();
    if offset > total {
        return Err(super::errors::ApiError::parameter_invalid(
            "cursor",
            "The cursor is not valid.",
        ));
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

/// Which attribute and relationship names `fields[type]` keeps (`None`:
/// all), checked against what the type has.
pub type Keep = Option<Vec<String>>;

pub fn fields(q: &Query, type_name: &str, known: &[&str]) -> Result<Keep> {
    q.list(&format!("fields[{type_name}]"), Some(known))
}

/// The names `fields[…]` accepts for a localization type.
pub fn localization_field_names(kind: Kind) -> Vec<&'static str> {
    let mut names = kind.attributes().to_vec();
    names.push("locale");
    names.push(kind.parent().0);
    if kind == Kind::Version {
        names.extend(apple::VERSION_LOCALIZATION_MEDIA);
    }
    names
}

/// The names `fields[appStoreReviewDetails]` accepts.
pub fn review_field_names() -> Vec<&'static str> {
    let mut names = apple::REVIEW_TEXT_ATTRIBUTES.to_vec();
    names.extend([apple::REVIEW_FLAG, "appStoreVersion", apple::REVIEW_ATTACHMENTS]);
    names
}

pub(super) fn resource(
    req: &Request,
    type_name: &str,
    id: &str,
    attributes: Map<String, Value>,
    relationships: Map<String, Value>,
    keep: &Keep,
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

/// A relationship object as Apple writes every one: `links.self` (the
/// relationship) and `links.related` (the related resource or resources).
pub(super) fn relationship_links(req: &Request, type_name: &str, id: &str, relation: &str) -> Value {
    json!({ "links": {
        "self": format!("{}/v1/{type_name}/{id}/relationships/{relation}", req.base),
        "related": format!("{}/v1/{type_name}/{id}/{relation}", req.base),
    }})
}

/// A to-one relationship with its links and its linkage (`null` for none).
pub(super) fn to_one(req: &Request, type_name: &str, id: &str, relation: &str, data: Value) -> Value {
    let mut rel = relationship_links(req, type_name, id, relation);
    rel["data"] = data;
    rel
}

/// A to-many relationship whose first `limit` linkages are given, of
/// `total` in all, as an `include` shows it.
pub(super) fn to_many(
    req: &Request,
    owner: (&str, &str),
    relation: &str,
    data: Vec<Value>,
    total: usize,
    limit: usize,
) -> Value {
    let mut rel = relationship_links(req, owner.0, owner.1, relation);
    rel["data"] = Value::Array(data);
    rel["meta"] = json!({ "paging": { "total": total, "limit": limit } });
    rel
}

pub fn app_json(req: &Request, app: &App, keep: &Keep) -> Value {
    let mut attributes = Map::new();
    attributes.insert("name".into(), json!(app.name));
    attributes.insert("bundleId".into(), json!(app.bundle_id));
    attributes.insert("sku".into(), json!(app.sku));
    attributes.insert("primaryLocale".into(), json!(app.primary_locale));
    let mut rel = Map::new();
    for relation in apple::APP_RELATIONSHIPS {
        rel.insert(relation.into(), relationship_links(req, "apps", &app.id, relation));
    }
    resource(req, "apps", &app.id, attributes, rel, keep)
}

/// What an app document includes: the inline limits of its versions and
/// of its app infos, when they are included.
#[derive(Clone, Copy, Default)]
pub struct AppIncludes {
    pub versions: Option<usize>,
    pub infos: Option<usize>,
}

/// An app and what `include` asks of it (`include=appStoreVersions`, as
/// fastlane finds an app), each relationship up to its inline limit. A
/// relationship `fields[apps]` leaves out stays out.
pub fn app_with_includes(
    req: &Request,
    q: &Query,
    app: &App,
    keep: &Keep,
    inc: AppIncludes,
    included: &mut Vec<Value>,
) -> Result<Value> {
    let mut doc = app_json(req, app, keep);
    let owner = ("apps", app.id.as_str());
    if let Some(limit) = inc.versions {
        let shown = &app.app_store_versions[..app.app_store_versions.len().min(limit)];
        let data = shown
            .iter()
            .map(|v| json!({"type": "appStoreVersions", "id": v.id}))
            .collect();
        for v in shown {
            included.push(version_json(req, q, app, v, &Includes::NONE, &mut Vec::new())?);
        }
        let rel = to_many(
            req,
            owner,
            "appStoreVersions",
            data,
            app.app_store_versions.len(),
            limit,
        );
        replace_relationship(&mut doc, "appStoreVersions", rel);
    }
    if let Some(limit) = inc.infos {
        let shown = &app.app_infos[..app.app_infos.len().min(limit)];
        let data = shown.iter().map(|i| json!({"type": "appInfos", "id": i.id})).collect();
        for info in shown {
            included.push(app_info_json(req, q, info, None, &mut Vec::new())?);
        }
        let rel = to_many(req, owner, "appInfos", data, app.app_infos.len(), limit);
        replace_relationship(&mut doc, "appInfos", rel);
    }
    Ok(doc)
}

fn replace_relationship(resource: &mut Value, name: &str, rel: Value) {
    if let Some(slot) = resource.pointer_mut(&format!("/relationships/{name}")) {
        *slot = rel;
    }
}

pub fn localization_json(req: &Request, kind: Kind, parent: &str, l: &Localization, keep: &Keep) -> Value {
    let mut attributes = Map::new();
    attributes.insert("locale".into(), json!(l.locale));
    for (k, v) in &l.attributes {
        attributes.insert(k.clone(), json!(v));
    }
    let (parent_rel, parent_type) = kind.parent();
    let mut rel = Map::new();
    let data = json!({ "type": parent_type, "id": parent });
    rel.insert(
        parent_rel.into(),
        to_one(req, kind.type_name(), &l.id, parent_rel, data),
    );
    resource(req, kind.type_name(), &l.id, attributes, rel, keep)
}

/// A review detail; `attachments` is the inline limit when its review
/// attachments are included. The fake keeps no attachments, so an include
/// shows an empty list.
pub fn review_json(req: &Request, version: &str, r: &ReviewDetail, keep: &Keep, attachments: Option<usize>) -> Value {
    const TYPE: &str = "appStoreReviewDetails";
    let mut attributes = Map::new();
    for name in apple::REVIEW_TEXT_ATTRIBUTES {
        attributes.insert(name.into(), json!(r.text(name).cloned().flatten()));
    }
    attributes.insert(apple::REVIEW_FLAG.into(), json!(r.demo_account_required));
    let mut rel = Map::new();
    let data = json!({ "type": "appStoreVersions", "id": version });
    rel.insert(
        "appStoreVersion".into(),
        to_one(req, TYPE, &r.id, "appStoreVersion", data),
    );
    let files = match attachments {
        Some(limit) => to_many(req, (TYPE, &r.id), apple::REVIEW_ATTACHMENTS, Vec::new(), 0, limit),
        None => relationship_links(req, TYPE, &r.id, apple::REVIEW_ATTACHMENTS),
    };
    rel.insert(apple::REVIEW_ATTACHMENTS.into(), files);
    resource(req, TYPE, &r.id, attributes, rel, keep)
}

/// A to-many relationship with its first `limit` items included.
fn include_localizations(
    req: &Request,
    kind: Kind,
    parent: &str,
    locs: &[Localization],
    limit: usize,
    keep: &Keep,
    included: &mut Vec<Value>,
) -> Value {
    let (_, parent_type) = kind.parent();
    let shown = &locs[..locs.len().min(limit)];
    let data = shown
        .iter()
        .map(|l| json!({"type": kind.type_name(), "id": l.id}))
        .collect();
    included.extend(shown.iter().map(|l| localization_json(req, kind, parent, l, keep)));
    to_many(req, (parent_type, parent), kind.type_name(), data, locs.len(), limit)
}

/// What a version document includes, read from the query.
pub struct Includes {
    /// The inline localization limit, when they are included.
    pub localizations: Option<usize>,
    pub review: bool,
    pub app: bool,
}

impl Includes {
    pub const NONE: Includes = Includes {
        localizations: None,
        review: false,
        app: false,
    };
}

pub fn version_json(
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
        &[&apple::VERSION_ATTRIBUTES[..], &apple::VERSION_INCLUDES[..]].concat(),
    )?;
    let loc_keep = fields(q, Kind::Version.type_name(), &localization_field_names(Kind::Version))?;
    let mut attributes = Map::new();
    attributes.insert("platform".into(), json!(v.platform));
    attributes.insert("versionString".into(), json!(v.version_string));
    attributes.insert(
        "appStoreState".into(),
        json!(apple::app_store_state(&v.app_version_state)),
    );
    attributes.insert("appVersionState".into(), json!(v.app_version_state));
    attributes.insert("copyright".into(), json!(v.copyright));
    attributes.insert("releaseType".into(), json!(v.release_type));
    attributes.insert("earliestReleaseDate".into(), json!(v.earliest_release_date));
    attributes.insert("createdDate".into(), json!(v.created_date));
    let mut rel = Map::new();
    let locs = match inc.localizations {
        Some(limit) => include_localizations(req, Kind::Version, &v.id, &v.localizations, limit, &loc_keep, included),
        None => relationship_links(req, "appStoreVersions", &v.id, Kind::Version.type_name()),
    };
    rel.insert(Kind::Version.type_name().into(), locs);
    let mut review = relationship_links(req, "appStoreVersions", &v.id, "appStoreReviewDetail");
    if inc.review {
        review["data"] = match &v.review_detail {
            Some(r) => {
                included.push(review_json(req, &v.id, r, &None, None));
                json!({ "type": "appStoreReviewDetails", "id": r.id })
            }
            None => Value::Null,
        };
    }
    rel.insert("appStoreReviewDetail".into(), review);
    if inc.app {
        let data = json!({ "type": "apps", "id": app.id });
        rel.insert("app".into(), to_one(req, "appStoreVersions", &v.id, "app", data));
        if !included
            .iter()
            .any(|i| i["type"] == "apps" && i["id"] == app.id.as_str())
        {
            included.push(app_json(req, app, &None));
        }
    }
    Ok(resource(req, "appStoreVersions", &v.id, attributes, rel, &keep))
}

pub fn app_info_json(
    req: &Request,
    q: &Query,
    info: &AppInfo,
    loc_limit: Option<usize>,
    included: &mut Vec<Value>,
) -> Result<Value> {
    let keep = fields(q, "appInfos", &[&["state"][..], &apple::APP_INFO_INCLUDES[..]].concat())?;
    let loc_keep = fields(q, Kind::AppInfo.type_name(), &localization_field_names(Kind::AppInfo))?;
    let mut attributes = Map::new();
    attributes.insert("state".into(), json!(info.state));
    let mut rel = Map::new();
    let locs = match loc_limit {
        Some(limit) => include_localizations(
            req,
            Kind::AppInfo,
            &info.id,
            &info.localizations,
            limit,
            &loc_keep,
            included,
        ),
        None => relationship_links(req, "appInfos", &info.id, Kind::AppInfo.type_name()),
    };
    rel.insert(Kind::AppInfo.type_name().into(), locs);
    for name in apple::CATEGORY_RELATIONSHIPS {
        let data = match info.category(name).cloned().flatten() {
            Some(id) => json!({ "type": "appCategories", "id": id }),
            None => Value::Null,
        };
        rel.insert(name.into(), to_one(req, "appInfos", &info.id, name, data));
    }
    Ok(resource(req, "appInfos", &info.id, attributes, rel, &keep))
}
