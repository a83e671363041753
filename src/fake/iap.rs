//! In-app purchases and their versioned metadata, as App Store Connect
//! keeps them since API 4.4.1 (shared/reference/assets-release-iap.md §3,
//! the spec's `InAppPurchaseV2`, `InAppPurchaseVersion`,
//! `InAppPurchaseLocalizationV2`): a product has versions numbered from 1,
//! each with a state and its own localizations (`name`, `description`).
//! A new version (`POST /v1/inAppPurchaseVersions`) captures the current
//! localizations of the product; versions cannot be deleted (the spec has
//! no DELETE on them: the router answers 405). The product-level read
//! (`include=inAppPurchaseLocalizations`, the v1 localization type) shows
//! the newest version's localizations.
//!
//! Apple's refusals, with the evidence:
//! - editing a localization of a version no longer editable: 409
//!   `ENTITY_ERROR.ATTRIBUTE.INVALID.UNMODIFIABLE` "The provided entity
//!   contains a field that can not be modified in the current state"
//!   (37MobileTeam/AppleParty #12, #15, seen for v1 on an approved
//!   product); the same for creating or deleting one there is inferred;
//! - deleting a version's last localization: 409 "Cannot delete the last
//!   localization" (reference §3; code STATE_ERROR inferred);
//! - a locale not among Apple's codes: 409 `ENTITY_ERROR.ATTRIBUTE.INVALID`
//!   as for every localization; one the app does not support (not the
//!   primary locale nor one of its app info localizations): refused
//!   (terraform-provider-apple `in_app_purchase_localization` docs; body
//!   inferred);
//! - `name` over 30 or `description` over 45 characters: 409
//!   `ENTITY_ERROR.ATTRIBUTE.INVALID.TOO_LONG` with the pointer (limits in
//!   `apple.rs`);
//! - a new version while one is still editable: 409 `STATE_ERROR`
//!   (inferred: Apple's docs describe one draft at a time).

use super::api::{self, Reply, Request, Result};
use super::apple;
use super::body;
use super::errors::ApiError;
use super::query::{DEFAULT_INCLUDED_LIMIT, MAX_INCLUDED_LIMIT, Query};
use super::render::{self, Keep};
use super::state::{InAppPurchase, ProductLocalization, ProductVersion, State};
use serde_json::{Map, Value, json};

const IAPS: &str = "inAppPurchases";
const VERSIONS: &str = "inAppPurchaseVersions";
const LOCALIZATIONS: &str = "inAppPurchaseLocalizations";

/// `fields[inAppPurchases]` as the spec lists it.
const IAP_FIELDS: [&str; 17] = [
    "name",
    "productId",
    "inAppPurchaseType",
    "state",
    "reviewNote",
    "familySharable",
    "contentHosting",
    "inAppPurchaseLocalizations",
    "pricePoints",
    "content",
    "appStoreReviewScreenshot",
    "promotedPurchase",
    "iapPriceSchedule",
    "inAppPurchaseAvailability",
    "images",
    "offerCodes",
    "versions",
];
/// `fields[inAppPurchaseVersions]`.
const VERSION_FIELDS: [&str; 6] = ["version", "state", "inAppPurchase", "image", "images", "localizations"];
/// `fields[inAppPurchaseLocalizations]` of the v1 type (product reads).
const V1_LOCALIZATION_FIELDS: [&str; 5] = ["name", "locale", "description", "state", "inAppPurchaseV2"];
/// `fields[inAppPurchaseLocalizations]` of the v2 type (version reads).
const V2_LOCALIZATION_FIELDS: [&str; 4] = ["name", "locale", "description", "version"];
/// What a product read may include and the fake serves (the spec's other
/// includes, prices, content, images, offer codes, stay refused).
const IAP_INCLUDES: [&str; 2] = ["inAppPurchaseLocalizations", "versions"];
/// What a version read may include and the fake serves.
const VERSION_INCLUDES: [&str; 2] = ["inAppPurchase", "localizations"];

fn link(req: &Request, path: &str) -> String {
    format!("{}{path}", req.base)
}

fn rel_links(req: &Request, owner: &str, relation: &str) -> Value {
    json!({ "links": {
        "self": link(req, &format!("{owner}/relationships/{relation}")),
        "related": link(req, &format!("{owner}/{relation}")),
    }})
}

fn kept(keep: &Keep, m: Map<String, Value>) -> Map<String, Value> {
    match keep {
        Some(k) => m.into_iter().filter(|(n, _)| k.contains(n)).collect(),
        None => m,
    }
}

fn resource(
    req: &Request,
    type_name: &str,
    id: &str,
    self_path: &str,
    attributes: Map<String, Value>,
    relationships: Map<String, Value>,
    keep: &Keep,
) -> Value {
    let mut v = json!({
        "type": type_name,
        "id": id,
        "attributes": kept(keep, attributes),
        "links": { "self": link(req, self_path) },
    });
    let relationships = kept(keep, relationships);
    if !relationships.is_empty() {
        v["relationships"] = Value::Object(relationships);
    }
    v
}

/// A to-many relationship showing its first `limit` of `ids`.
fn to_many(req: &Request, owner: &str, relation: &str, type_name: &str, ids: &[&str], limit: usize) -> Value {
    let mut rel = rel_links(req, owner, relation);
    rel["data"] = ids
        .iter()
        .take(limit)
        .map(|id| json!({"type": type_name, "id": id}))
        .collect();
    rel["meta"] = json!({ "paging": { "total": ids.len(), "limit": limit } });
    rel
}

fn iap_path(id: &str) -> String {
    format!("/v2/inAppPurchases/{id}")
}

fn version_path(id: &str) -> String {
    format!("/v1/inAppPurchaseVersions/{id}")
}

fn localization_path(id: &str) -> String {
    format!("/v2/inAppPurchaseLocalizations/{id}")
}

/// The newest version of a product.
fn latest(p: &InAppPurchase) -> Option<&ProductVersion> {
    p.versions.iter().max_by_key(|v| v.version)
}

/// A v2 localization (of a version).
fn localization_json(req: &Request, version: &str, l: &ProductLocalization, keep: &Keep) -> Value {
    let mut attributes = Map::new();
    attributes.insert("name".into(), json!(l.name));
    attributes.insert("locale".into(), json!(l.locale));
    attributes.insert("description".into(), json!(l.description));
    let mut rel = Map::new();
    let path = localization_path(&l.id);
    let mut version_rel = rel_links(req, &path, "version");
    version_rel["data"] = json!({"type": VERSIONS, "id": version});
    rel.insert("version".into(), version_rel);
    resource(req, LOCALIZATIONS, &l.id, &path, attributes, rel, keep)
}

/// A v1 localization (of the product), as a product read includes it.
fn product_localization_json(
    req: &Request,
    product: &str,
    version_state: &str,
    l: &ProductLocalization,
    keep: &Keep,
) -> Value {
    let mut attributes = Map::new();
    attributes.insert("name".into(), json!(l.name));
    attributes.insert("locale".into(), json!(l.locale));
    attributes.insert("description".into(), json!(l.description));
    attributes.insert("state".into(), json!(apple::iap_localization_state(version_state)));
    let mut rel = Map::new();
    rel.insert("inAppPurchaseV2".into(), json!({"data": {"type": IAPS, "id": product}}));
    let path = format!("/v1/inAppPurchaseLocalizations/{}", l.id);
    resource(req, LOCALIZATIONS, &l.id, &path, attributes, rel, keep)
}

/// What a version read asks for.
struct VersionQuery {
    keep: Keep,
    localization_keep: Keep,
    localizations: Option<usize>,
    product: Option<Keep>,
}

fn version_query(q: &Query) -> Result<VersionQuery> {
    let keep = render::fields(q, VERSIONS, &VERSION_FIELDS)?;
    let localization_keep = render::fields(q, LOCALIZATIONS, &V2_LOCALIZATION_FIELDS)?;
    let product_keep = render::fields(q, IAPS, &IAP_FIELDS)?;
    let include = q.list("include", Some(&VERSION_INCLUDES))?.unwrap_or_default();
    let has = |n: &str| include.iter().any(|i| i == n);
    let limit = q.limit("limit[localizations]", MAX_INCLUDED_LIMIT, DEFAULT_INCLUDED_LIMIT)?;
    Ok(VersionQuery {
        keep,
        localization_keep,
        localizations: has("localizations").then_some(limit),
        product: has("inAppPurchase").then_some(product_keep),
    })
}

const VERSION_QUERY_NAMES: [&str; 7] = [
    "fields[inAppPurchaseVersions]",
    "fields[inAppPurchases]",
    "fields[inAppPurchaseImages]",
    "fields[inAppPurchaseLocalizations]",
    "include",
    "limit[images]",
    "limit[localizations]",
];

/// A version, adding what `vq` includes to `included`.
fn version_json(
    req: &Request,
    p: &InAppPurchase,
    v: &ProductVersion,
    vq: &VersionQuery,
    included: &mut Vec<Value>,
) -> Value {
    let mut attributes = Map::new();
    attributes.insert("version".into(), json!(v.version));
    attributes.insert("state".into(), json!(v.state));
    let path = version_path(&v.id);
    let mut rel = Map::new();
    let mut product = rel_links(req, &path, "inAppPurchase");
    product["data"] = json!({"type": IAPS, "id": p.id});
    rel.insert("inAppPurchase".into(), product);
    let localizations = match vq.localizations {
        Some(limit) => {
            let ids: Vec<&str> = v.localizations.iter().map(|l| l.id.as_str()).collect();
            included.extend(
                v.localizations
                    .iter()
                    .take(limit)
                    .map(|l| localization_json(req, &v.id, l, &vq.localization_keep)),
            );
            to_many(req, &path, "localizations", LOCALIZATIONS, &ids, limit)
        }
        None => rel_links(req, &path, "localizations"),
    };
    rel.insert("localizations".into(), localizations);
    if let Some(keep) = &vq.product
        && !included.iter().any(|i| i["type"] == IAPS && i["id"] == p.id.as_str())
    {
        included.push(product_json(req, p, keep, None, &mut Vec::new()));
    }
    resource(req, VERSIONS, &v.id, &path, attributes, rel, &vq.keep)
}

/// What a product read asks for.
struct ProductQuery {
    keep: Keep,
    localization_keep: Keep,
    version_keep: Keep,
    localizations: Option<usize>,
    versions: Option<usize>,
}

struct ProductIncludes<'a> {
    localizations: Option<(usize, &'a Keep)>,
    versions: Option<(usize, &'a Keep)>,
}

fn product_query(q: &Query) -> Result<ProductQuery> {
    let keep = render::fields(q, IAPS, &IAP_FIELDS)?;
    let localization_keep = render::fields(q, LOCALIZATIONS, &V1_LOCALIZATION_FIELDS)?;
    let version_keep = render::fields(q, VERSIONS, &VERSION_FIELDS)?;
    let include = q.list("include", Some(&IAP_INCLUDES))?.unwrap_or_default();
    let has = |n: &str| include.iter().any(|i| i == n);
    let loc_limit = q.limit(
        "limit[inAppPurchaseLocalizations]",
        MAX_INCLUDED_LIMIT,
        DEFAULT_INCLUDED_LIMIT,
    )?;
    let version_limit = q.limit("limit[versions]", MAX_INCLUDED_LIMIT, DEFAULT_INCLUDED_LIMIT)?;
    Ok(ProductQuery {
        keep,
        localization_keep,
        version_keep,
        localizations: has("inAppPurchaseLocalizations").then_some(loc_limit),
        versions: has("versions").then_some(version_limit),
    })
}

fn product_json(
    req: &Request,
    p: &InAppPurchase,
    keep: &Keep,
    includes: Option<&ProductIncludes>,
    included: &mut Vec<Value>,
) -> Value {
    let mut attributes = Map::new();
    attributes.insert("name".into(), json!(p.name));
    attributes.insert("productId".into(), json!(p.product_id));
    attributes.insert("inAppPurchaseType".into(), json!(p.in_app_purchase_type));
    attributes.insert("state".into(), json!(p.state));
    let path = iap_path(&p.id);
    let mut rel = Map::new();
    let current = latest(p);
    let locs: Vec<&ProductLocalization> = current.map(|v| v.localizations.iter().collect()).unwrap_or_default();
    let localizations = match includes.and_then(|i| i.localizations) {
        Some((limit, lk)) => {
            let state = current.map_or("PREPARE_FOR_SUBMISSION", |v| v.state.as_str());
            included.extend(
                locs.iter()
                    .take(limit)
                    .map(|l| product_localization_json(req, &p.id, state, l, lk)),
            );
            let ids: Vec<&str> = locs.iter().map(|l| l.id.as_str()).collect();
            to_many(req, &path, "inAppPurchaseLocalizations", LOCALIZATIONS, &ids, limit)
        }
        None => rel_links(req, &path, "inAppPurchaseLocalizations"),
    };
    rel.insert("inAppPurchaseLocalizations".into(), localizations);
    let versions = match includes.and_then(|i| i.versions) {
        Some((limit, vk)) => {
            let vq = VersionQuery {
                keep: vk.clone(),
                localization_keep: None,
                localizations: None,
                product: None,
            };
            for v in p.versions.iter().take(limit) {
                let v = version_json(req, p, v, &vq, &mut Vec::new());
                included.push(v);
            }
            let ids: Vec<&str> = p.versions.iter().map(|v| v.id.as_str()).collect();
            to_many(req, &path, "versions", VERSIONS, &ids, limit)
        }
        None => rel_links(req, &path, "versions"),
    };
    rel.insert("versions".into(), versions);
    resource(req, IAPS, &p.id, &path, attributes, rel, keep)
}

fn product_index(state: &State, id: &str) -> Result<usize> {
    state
        .in_app_purchases
        .iter()
        .position(|p| p.id == id)
        .ok_or_else(|| ApiError::not_found(IAPS, id))
}

/// (product, version) indices of a version.
fn version_index(state: &State, id: &str) -> Result<(usize, usize)> {
    for (p, product) in state.in_app_purchases.iter().enumerate() {
        if let Some(v) = product.versions.iter().position(|v| v.id == id) {
            return Ok((p, v));
        }
    }
    Err(ApiError::not_found(VERSIONS, id))
}

/// (product, version, localization) indices of a localization.
fn localization_index(state: &State, id: &str) -> Result<(usize, usize, usize)> {
    for (p, product) in state.in_app_purchases.iter().enumerate() {
        for (v, version) in product.versions.iter().enumerate() {
            if let Some(l) = version.localizations.iter().position(|l| l.id == id) {
                return Ok((p, v, l));
            }
        }
    }
    Err(ApiError::not_found(LOCALIZATIONS, id))
}

const PRODUCT_QUERY_NAMES: [&str; 6] = [
    "fields[inAppPurchases]",
    "fields[inAppPurchaseLocalizations]",
    "fields[inAppPurchaseVersions]",
    "include",
    "limit[inAppPurchaseLocalizations]",
    "limit[versions]",
];

/// `GET /v1/apps/{id}/inAppPurchasesV2`.
pub fn list_for_app(state: &State, req: &Request, app: &str) -> Result<Reply> {
    let mut names = PRODUCT_QUERY_NAMES.to_vec();
    names.extend([
        "filter[productId]",
        "filter[name]",
        "filter[state]",
        "filter[inAppPurchaseType]",
        "sort",
        "limit",
        "cursor",
    ]);
    let q = Query::parse(req.query, &names)?;
    api::find_app(state, app)?;
    let pq = product_query(&q)?;
    let product_ids = q.list("filter[productId]", None)?;
    let product_names = q.list("filter[name]", None)?;
    let states = q.list("filter[state]", Some(&apple::IAP_STATES))?;
    let types = q.list("filter[inAppPurchaseType]", Some(&apple::IAP_TYPES))?;
    let sort = q.list(
        "sort",
        Some(&["name", "-name", "inAppPurchaseType", "-inAppPurchaseType"]),
    )?;
    let matches = |list: &Option<Vec<String>>, value: &str| list.as_ref().is_none_or(|l| l.iter().any(|x| x == value));
    let mut products: Vec<&InAppPurchase> = state
        .in_app_purchases
        .iter()
        .filter(|p| p.app == app)
        .filter(|p| matches(&product_ids, &p.product_id) && matches(&product_names, &p.name))
        .filter(|p| matches(&states, &p.state) && matches(&types, &p.in_app_purchase_type))
        .collect();
    if let Some(key) = sort.as_ref().and_then(|s| s.first()) {
        match key.trim_start_matches('-') {
            "name" => products.sort_by(|a, b| a.name.cmp(&b.name)),
            _ => products.sort_by(|a, b| a.in_app_purchase_type.cmp(&b.in_app_purchase_type)),
        }
        if key.starts_with('-') {
            products.reverse();
        }
    }
    let includes = ProductIncludes {
        localizations: pq.localizations.map(|l| (l, &pq.localization_keep)),
        versions: pq.versions.map(|l| (l, &pq.version_keep)),
    };
    let doc = render::page(req, &q, products, |p, included| {
        Ok(product_json(req, p, &pq.keep, Some(&includes), included))
    })?;
    Ok(Reply::ok(doc))
}

/// `GET /v2/inAppPurchases/{id}`.
pub fn get_product(state: &State, req: &Request, id: &str) -> Result<Reply> {
    let mut names = PRODUCT_QUERY_NAMES.to_vec();
    names.extend([
        "fields[inAppPurchasePricePoints]",
        "fields[inAppPurchaseContents]",
        "fields[inAppPurchaseAppStoreReviewScreenshots]",
        "fields[promotedPurchases]",
        "fields[inAppPurchasePriceSchedules]",
        "fields[inAppPurchaseAvailabilities]",
        "fields[inAppPurchaseImages]",
        "fields[inAppPurchaseOfferCodes]",
        "limit[images]",
        "limit[offerCodes]",
        "limit[pricePoints]",
    ]);
    let q = Query::parse(req.query, &names)?;
    let p = &state.in_app_purchases[product_index(state, id)?];
    let pq = product_query(&q)?;
    let includes = ProductIncludes {
        localizations: pq.localizations.map(|l| (l, &pq.localization_keep)),
        versions: pq.versions.map(|l| (l, &pq.version_keep)),
    };
    let mut included = Vec::new();
    let data = product_json(req, p, &pq.keep, Some(&includes), &mut included);
    Ok(Reply::ok(render::single(req, data, included)))
}

/// `GET /v2/inAppPurchases/{id}/versions`, oldest first.
pub fn list_versions(state: &State, req: &Request, id: &str) -> Result<Reply> {
    let mut names = VERSION_QUERY_NAMES.to_vec();
    names.extend(["filter[state]", "limit", "cursor"]);
    let q = Query::parse(req.query, &names)?;
    let p = &state.in_app_purchases[product_index(state, id)?];
    let vq = version_query(&q)?;
    let states = q.list("filter[state]", Some(&apple::IAP_VERSION_STATES))?;
    let versions: Vec<&ProductVersion> = p
        .versions
        .iter()
        .filter(|v| states.as_ref().is_none_or(|s| s.contains(&v.state)))
        .collect();
    let doc = render::page(req, &q, versions, |v, included| {
        Ok(version_json(req, p, v, &vq, included))
    })?;
    Ok(Reply::ok(doc))
}

/// `GET /v1/inAppPurchaseVersions/{id}`.
pub fn get_version(state: &State, req: &Request, id: &str) -> Result<Reply> {
    let q = Query::parse(req.query, &VERSION_QUERY_NAMES)?;
    let (p, v) = version_index(state, id)?;
    let vq = version_query(&q)?;
    let product = &state.in_app_purchases[p];
    let mut included = Vec::new();
    let data = version_json(req, product, &product.versions[v], &vq, &mut included);
    Ok(Reply::ok(render::single(req, data, included)))
}

/// `GET /v1/inAppPurchaseVersions/{id}/localizations`.
pub fn list_localizations(state: &State, req: &Request, id: &str) -> Result<Reply> {
    let q = Query::parse(req.query, &["fields[inAppPurchaseLocalizations]", "limit", "cursor"])?;
    let (p, v) = version_index(state, id)?;
    let keep = render::fields(&q, LOCALIZATIONS, &V2_LOCALIZATION_FIELDS)?;
    let version = &state.in_app_purchases[p].versions[v];
    let doc = render::page(req, &q, version.localizations.iter().collect(), |l, _| {
        Ok(localization_json(req, &version.id, l, &keep))
    })?;
    Ok(Reply::ok(doc))
}

/// `GET /v2/inAppPurchaseLocalizations/{id}`.
pub fn get_localization(state: &State, req: &Request, id: &str) -> Result<Reply> {
    let q = Query::parse(req.query, &["fields[inAppPurchaseLocalizations]"])?;
    let (p, v, l) = localization_index(state, id)?;
    let keep = render::fields(&q, LOCALIZATIONS, &V2_LOCALIZATION_FIELDS)?;
    let version = &state.in_app_purchases[p].versions[v];
    let data = localization_json(req, &version.id, &version.localizations[l], &keep);
    Ok(Reply::ok(render::single(req, data, Vec::new())))
}

/// Apple's refusal of a change to a localization of a version no longer
/// editable (AppleParty #12, #15).
fn unmodifiable(pointer: &str, state: &str) -> ApiError {
    ApiError::entity(
        "ENTITY_ERROR.ATTRIBUTE.INVALID.UNMODIFIABLE",
        "The provided entity contains a field that can not be modified in the current state",
        format!("Cannot edit InAppPurchaseLocalization when its version is in {state} state"),
        pointer,
    )
}

/// The locales an app supports: its primary locale and those of its app
/// info localizations.
fn app_supports(state: &State, app: &str, locale: &str) -> bool {
    state.apps.iter().filter(|a| a.id == app).any(|a| {
        a.primary_locale == locale
            || a.app_infos
                .iter()
                .any(|i| i.localizations.iter().any(|l| l.locale == locale))
    })
}

/// Checks a text attribute against its limit.
fn check_length(name: &str, value: &str, max: usize) -> Result<()> {
    if apple::length(value) > max {
        return Err(ApiError::too_long(name, max));
    }
    Ok(())
}

/// The `name` and `description` a create or update sets (`None`: not
/// given), checked against Apple's limits. `name` cannot be null.
type Texts = (Option<String>, Option<Option<String>>);

fn texts(doc: &body::Document, allowed: &[&str]) -> Result<Texts> {
    if let Some(unknown) = doc.attributes.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(ApiError::unknown_attribute(LOCALIZATIONS, unknown));
    }
    let name = match body::text(doc, "name")? {
        Some(Some(n)) => Some(n),
        Some(None) => return Err(ApiError::required_attribute("name")),
        None => None,
    };
    if let Some(n) = &name {
        check_length("name", n, apple::IAP_NAME_MAX)?;
    }
    let description = body::text(doc, "description")?;
    if let Some(Some(d)) = &description {
        check_length("description", d, apple::IAP_DESCRIPTION_MAX)?;
    }
    Ok((name, description))
}

/// `POST /v2/inAppPurchaseLocalizations` (relationship `version`).
pub fn create_localization(state: &mut State, req: &Request) -> Result<Reply> {
    let doc = body::document(req, LOCALIZATIONS, None)?;
    let (name, description) = texts(&doc, &["name", "locale", "description"])?;
    let Some(name) = name else {
        return Err(ApiError::required_attribute("name"));
    };
    let locale = match body::text(&doc, "locale")? {
        Some(Some(l)) => l,
        _ => return Err(ApiError::required_attribute("locale")),
    };
    let version_id = body::relationship_id(&doc, "version", VERSIONS)?;
    let (p, v) = version_index(state, &version_id).map_err(|_| {
        ApiError::invalid_relationship("version", format!("There is no {VERSIONS} with id '{version_id}'."))
    })?;
    if !apple::is_locale(&locale) {
        return Err(ApiError::invalid_locale());
    }
    let product = &state.in_app_purchases[p];
    if !app_supports(state, &product.app, &locale) {
        return Err(ApiError::invalid_attribute(
            "locale",
            format!("The locale '{locale}' is not one of the app's localizations."),
        ));
    }
    let version = &product.versions[v];
    if !apple::product_version_is_editable(&version.state) {
        return Err(unmodifiable("/data/relationships/version", &version.state));
    }
    if version.localizations.iter().any(|l| l.locale == locale) {
        return Err(ApiError::duplicate_locale(&locale));
    }
    let l = ProductLocalization {
        id: api::new_id("iaploc-"),
        locale,
        name,
        description: description.flatten(),
    };
    let data = localization_json(req, &version_id, &l, &None);
    let location = link(req, &localization_path(&l.id));
    state.in_app_purchases[p].versions[v].localizations.push(l);
    Ok(Reply::created(render::single(req, data, Vec::new()), location))
}

/// `PATCH /v2/inAppPurchaseLocalizations/{id}`: `name`, `description`.
pub fn patch_localization(state: &mut State, req: &Request, id: &str) -> Result<Reply> {
    let doc = body::document(req, LOCALIZATIONS, Some(id))?;
    let (p, v, l) = localization_index(state, id)?;
    if let Some(r) = doc.relationships.keys().next() {
        return Err(ApiError::unknown_relationship(
            format!("'{r}' is not a relationship that can be changed here"),
            r,
        ));
    }
    let (name, description) = texts(&doc, &["name", "description"])?;
    let version = &state.in_app_purchases[p].versions[v];
    if !apple::product_version_is_editable(&version.state)
        && let Some(field) = doc.attributes.keys().next()
    {
        return Err(unmodifiable(&format!("/data/attributes/{field}"), &version.state));
    }
    let version_id = version.id.clone();
    let loc = &mut state.in_app_purchases[p].versions[v].localizations[l];
    if let Some(n) = name {
        loc.name = n;
    }
    if let Some(d) = description {
        loc.description = d;
    }
    let data = localization_json(req, &version_id, loc, &None);
    Ok(Reply::ok(render::single(req, data, Vec::new())))
}

/// `DELETE /v2/inAppPurchaseLocalizations/{id}`.
pub fn delete_localization(state: &mut State, _req: &Request, id: &str) -> Result<Reply> {
    let (p, v, l) = localization_index(state, id)?;
    let version = &state.in_app_purchases[p].versions[v];
    if !apple::product_version_is_editable(&version.state) {
        return Err(ApiError::state(format!(
            "Cannot delete a localization of a version in {} state",
            version.state
        )));
    }
    if version.localizations.len() == 1 {
        return Err(ApiError::state("Cannot delete the last localization"));
    }
    state.in_app_purchases[p].versions[v].localizations.remove(l);
    Ok(Reply::no_content())
}

/// `POST /v1/inAppPurchaseVersions` (relationship `inAppPurchase`): a new
/// version capturing the product's current localizations.
pub fn create_version(state: &mut State, req: &Request) -> Result<Reply> {
    let doc = body::document(req, VERSIONS, None)?;
    if let Some(a) = doc.attributes.keys().next() {
        return Err(ApiError::unknown_attribute(VERSIONS, a));
    }
    let product_id = body::relationship_id(&doc, "inAppPurchase", IAPS)?;
    let p = product_index(state, &product_id).map_err(|_| {
        ApiError::invalid_relationship("inAppPurchase", format!("There is no {IAPS} with id '{product_id}'."))
    })?;
    let product = &state.in_app_purchases[p];
    if let Some(draft) = product
        .versions
        .iter()
        .find(|v| apple::product_version_is_editable(&v.state))
    {
        return Err(ApiError::state(format!(
            "Version {} of this in-app purchase is still in {} state; edit it instead of creating a new one",
            draft.version, draft.state
        )));
    }
    let current = latest(product);
    let version = ProductVersion {
        id: api::new_id("iapver-"),
        version: current.map_or(1, |v| v.version + 1),
        state: "PREPARE_FOR_SUBMISSION".into(),
        localizations: current
            .map(|v| {
                v.localizations
                    .iter()
                    .map(|l| ProductLocalization {
                        id: api::new_id("iaploc-"),
                        ..l.clone()
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    let vq = VersionQuery {
        keep: None,
        localization_keep: None,
        localizations: None,
        product: None,
    };
    let product = product.clone();
    let data = version_json(req, &product, &version, &vq, &mut Vec::new());
    let location = link(req, &version_path(&version.id));
    state.in_app_purchases[p].versions.push(version);
    Ok(Reply::created(render::single(req, data, Vec::new()), location))
}
