//! In-app purchases, subscription groups and subscriptions, and their
//! versioned metadata, as App Store Connect keeps them since API 4.4.1
//! (shared/reference/assets-release-iap.md §3; the spec's `InAppPurchaseV2`,
//! `SubscriptionGroup`, `Subscription`, their `…Version` and
//! `…LocalizationV2` types): a product has versions numbered from 1, each
//! with a state and its own localizations (`name` and `description`;
//! `name` and `customAppName` for a group). A new version
//! (`POST /v1/inAppPurchaseVersions`, `/v1/subscriptionVersions`,
//! `/v1/subscriptionGroupVersions`) captures the product's current
//! localizations ("capturing its current localized metadata", Apple's
//! "Working with In-App Purchase versions"); versions cannot be deleted
//! (the spec has no DELETE on them: the router answers 405). A product
//! read that includes the product-level (v1) localizations shows the
//! newest version's.
//!
//! Apple's refusals, with the evidence:
//! - a change to a localization of a version no longer editable: 409
//!   `ENTITY_ERROR.ATTRIBUTE.INVALID.UNMODIFIABLE` "The provided entity
//!   contains a field that can not be modified in the current state"
//!   (37MobileTeam/AppleParty #12, #15, seen for v1 on an approved
//!   in-app purchase); the same for subscriptions and groups, and for
//!   creating or deleting a localization there, is inferred;
//! - deleting a version's last localization: 409 "Cannot delete the last
//!   localization" (reference §3; the code, STATE_ERROR, is inferred);
//! - a locale not among Apple's codes: 409 `ENTITY_ERROR.ATTRIBUTE.INVALID`
//!   as for every localization; one the app does not support (not its
//!   primary locale nor one of its app info localizations): refused
//!   (terraform-provider-apple `in_app_purchase_localization` docs; the
//!   body is inferred);
//! - texts over their limits (`apple.rs`, with where each comes from):
//!   409 `ENTITY_ERROR.ATTRIBUTE.INVALID.TOO_LONG` with the pointer;
//! - a new version while one is still editable: 409 `STATE_ERROR`
//!   (inferred: Apple's docs describe one draft at a time).

use super::api::{self, Reply, Request, Result};
use super::apple;
use super::body;
use super::errors::ApiError;
use super::query::{DEFAULT_INCLUDED_LIMIT, MAX_INCLUDED_LIMIT, Query};
use super::render::{self, Keep};
use super::state::{ProductLocalization, ProductVersion, State};
use serde_json::{Map, Value, json};

/// Which kind of product.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    InAppPurchase,
    SubscriptionGroup,
    Subscription,
}

/// The API's names for one family.
struct Names {
    product: &'static str,
    product_path: &'static str,
    version: &'static str,
    /// The relationship from a version to its product.
    version_to_product: &'static str,
    localization: &'static str,
    /// The relationship from a product to its (v1) localizations.
    product_to_localizations: &'static str,
    /// The relationship from a v1 localization to its product.
    localization_to_product: &'static str,
    /// The localized texts besides `locale`, with their limits.
    texts: [(&'static str, Option<usize>); 2],
    product_fields: &'static [&'static str],
    version_fields: &'static [&'static str],
    v1_localization_fields: &'static [&'static str],
    v2_localization_fields: &'static [&'static str],
    /// What a product read may include and the fake serves (the spec's
    /// other includes, prices, offers, images…, stay refused).
    product_includes: &'static [&'static str],
    /// Query names of a product read the fake accepts and ignores (the
    /// fields and limits of what it does not serve).
    product_extra: &'static [&'static str],
    version_extra: &'static [&'static str],
    id_prefix: &'static str,
}

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
const GROUP_FIELDS: [&str; 4] = [
    "referenceName",
    "subscriptions",
    "subscriptionGroupLocalizations",
    "versions",
];
const SUBSCRIPTION_FIELDS: [&str; 21] = [
    "name",
    "productId",
    "familySharable",
    "state",
    "subscriptionPeriod",
    "reviewNote",
    "groupLevel",
    "subscriptionLocalizations",
    "appStoreReviewScreenshot",
    "group",
    "introductoryOffers",
    "promotionalOffers",
    "offerCodes",
    "prices",
    "pricePoints",
    "promotedPurchase",
    "subscriptionAvailability",
    "winBackOffers",
    "images",
    "planAvailabilities",
    "versions",
];
const SUBSCRIPTION_EXTRA: [&str; 22] = [
    "fields[subscriptionAppStoreReviewScreenshots]",
    "fields[subscriptionIntroductoryOffers]",
    "fields[subscriptionPromotionalOffers]",
    "fields[subscriptionOfferCodes]",
    "fields[subscriptionPrices]",
    "fields[promotedPurchases]",
    "fields[subscriptionAvailabilities]",
    "fields[winBackOffers]",
    "fields[subscriptionImages]",
    "fields[subscriptionPlanAvailabilities]",
    "fields[subscriptionGroups]",
    "limit[introductoryOffers]",
    "limit[promotionalOffers]",
    "limit[offerCodes]",
    "limit[prices]",
    "limit[winBackOffers]",
    "limit[images]",
    "limit[planAvailabilities]",
    "fields[subscriptionPricePoints]",
    "limit[pricePoints]",
    "fields[subscriptionVersions]",
    "fields[subscriptionLocalizations]",
];

impl Family {
    fn names(self) -> &'static Names {
        match self {
            Family::InAppPurchase => &Names {
                product: "inAppPurchases",
                product_path: "/v2/inAppPurchases",
                version: "inAppPurchaseVersions",
                version_to_product: "inAppPurchase",
                localization: "inAppPurchaseLocalizations",
                product_to_localizations: "inAppPurchaseLocalizations",
                localization_to_product: "inAppPurchaseV2",
                texts: [
                    ("name", Some(apple::IAP_NAME_MAX)),
                    ("description", Some(apple::IAP_DESCRIPTION_MAX)),
                ],
                product_fields: &IAP_FIELDS,
                version_fields: &["version", "state", "inAppPurchase", "image", "images", "localizations"],
                v1_localization_fields: &["name", "locale", "description", "state", "inAppPurchaseV2"],
                v2_localization_fields: &["name", "locale", "description", "version"],
                product_includes: &["inAppPurchaseLocalizations", "versions"],
                product_extra: &[
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
                ],
                version_extra: &["fields[inAppPurchaseImages]", "limit[images]"],
                id_prefix: "iap",
            },
            Family::SubscriptionGroup => &Names {
                product: "subscriptionGroups",
                product_path: "/v1/subscriptionGroups",
                version: "subscriptionGroupVersions",
                version_to_product: "subscriptionGroup",
                localization: "subscriptionGroupLocalizations",
                product_to_localizations: "subscriptionGroupLocalizations",
                localization_to_product: "subscriptionGroup",
                texts: [
                    // No limit read anywhere for a group's texts: none enforced.
                    ("name", None),
                    ("customAppName", None),
                ],
                product_fields: &GROUP_FIELDS,
                version_fields: &["version", "state", "subscriptionGroup", "localizations"],
                v1_localization_fields: &["name", "customAppName", "locale", "state", "subscriptionGroup"],
                v2_localization_fields: &["name", "customAppName", "locale", "version"],
                product_includes: &["subscriptions", "subscriptionGroupLocalizations", "versions"],
                product_extra: &["fields[subscriptions]"],
                version_extra: &[],
                id_prefix: "group",
            },
            Family::Subscription => &Names {
                product: "subscriptions",
                product_path: "/v1/subscriptions",
                version: "subscriptionVersions",
                version_to_product: "subscription",
                localization: "subscriptionLocalizations",
                product_to_localizations: "subscriptionLocalizations",
                localization_to_product: "subscription",
                texts: [
                    ("name", Some(apple::SUBSCRIPTION_NAME_MAX)),
                    ("description", Some(apple::SUBSCRIPTION_DESCRIPTION_MAX)),
                ],
                product_fields: &SUBSCRIPTION_FIELDS,
                version_fields: &["version", "state", "subscription", "image", "images", "localizations"],
                v1_localization_fields: &["name", "locale", "description", "state", "subscription"],
                v2_localization_fields: &["name", "locale", "description", "version"],
                product_includes: &["subscriptionLocalizations", "versions", "group"],
                product_extra: &SUBSCRIPTION_EXTRA,
                version_extra: &["fields[subscriptionImages]", "limit[images]"],
                id_prefix: "sub",
            },
        }
    }
}

/// The collection path of a family's versions, for routes.
pub fn version_type(family: Family) -> &'static str {
    family.names().version
}

/// The type (and v2 collection path) of a family's localizations.
pub fn localization_type(family: Family) -> &'static str {
    family.names().localization
}

/// The product path of a family (`/v2/inAppPurchases`, …).
pub fn product_path(family: Family) -> &'static str {
    family.names().product_path
}

// ---- The state, by family ----

fn count(state: &State, f: Family) -> usize {
    match f {
        Family::InAppPurchase => state.in_app_purchases.len(),
        Family::SubscriptionGroup => state.subscription_groups.len(),
        Family::Subscription => state.subscriptions.len(),
    }
}

fn product_id(state: &State, f: Family, p: usize) -> &str {
    match f {
        Family::InAppPurchase => &state.in_app_purchases[p].id,
        Family::SubscriptionGroup => &state.subscription_groups[p].id,
        Family::Subscription => &state.subscriptions[p].id,
    }
}

fn versions(state: &State, f: Family, p: usize) -> &Vec<ProductVersion> {
    match f {
        Family::InAppPurchase => &state.in_app_purchases[p].versions,
        Family::SubscriptionGroup => &state.subscription_groups[p].versions,
        Family::Subscription => &state.subscriptions[p].versions,
    }
}

fn versions_mut(state: &mut State, f: Family, p: usize) -> &mut Vec<ProductVersion> {
    match f {
        Family::InAppPurchase => &mut state.in_app_purchases[p].versions,
        Family::SubscriptionGroup => &mut state.subscription_groups[p].versions,
        Family::Subscription => &mut state.subscriptions[p].versions,
    }
}

/// The app a product belongs to (a subscription through its group).
fn app_of(state: &State, f: Family, p: usize) -> Option<&str> {
    match f {
        Family::InAppPurchase => Some(&state.in_app_purchases[p].app),
        Family::SubscriptionGroup => Some(&state.subscription_groups[p].app),
        Family::Subscription => {
            let group = &state.subscriptions[p].group;
            state
                .subscription_groups
                .iter()
                .find(|g| &g.id == group)
                .map(|g| g.app.as_str())
        }
    }
}

fn product_index(state: &State, f: Family, id: &str) -> Result<usize> {
    (0..count(state, f))
        .find(|p| product_id(state, f, *p) == id)
        .ok_or_else(|| ApiError::not_found(f.names().product, id))
}

/// (product, version) indices of a version.
fn version_index(state: &State, f: Family, id: &str) -> Result<(usize, usize)> {
    for p in 0..count(state, f) {
        if let Some(v) = versions(state, f, p).iter().position(|v| v.id == id) {
            return Ok((p, v));
        }
    }
    Err(ApiError::not_found(f.names().version, id))
}

/// (product, version, localization) indices of a localization.
fn localization_index(state: &State, f: Family, id: &str) -> Result<(usize, usize, usize)> {
    for p in 0..count(state, f) {
        for (v, version) in versions(state, f, p).iter().enumerate() {
            if let Some(l) = version.localizations.iter().position(|l| l.id == id) {
                return Ok((p, v, l));
            }
        }
    }
    Err(ApiError::not_found(f.names().localization, id))
}

/// The newest version of a product.
fn latest(versions: &[ProductVersion]) -> Option<&ProductVersion> {
    versions.iter().max_by_key(|v| v.version)
}

fn text<'a>(l: &'a ProductLocalization, name: &str) -> &'a Option<String> {
    match name {
        "customAppName" => &l.custom_app_name,
        _ => &l.description,
    }
}

fn text_mut<'a>(l: &'a mut ProductLocalization, name: &str) -> &'a mut Option<String> {
    match name {
        "customAppName" => &mut l.custom_app_name,
        _ => &mut l.description,
    }
}

// ---- Rendering ----

fn link(req: &Request, path: &str) -> String {
    format!("{}{path}", req.base)
}

fn rel_links(req: &Request, owner: &str, relation: &str) -> Value {
    json!({ "links": {
        "self": link(req, &format!("{owner}/relationships/{relation}")),
        "related": link(req, &format!("{owner}/{relation}")),
    }})
}

fn to_one(req: &Request, owner: &str, relation: &str, type_name: &str, id: &str) -> Value {
    let mut rel = rel_links(req, owner, relation);
    rel["data"] = json!({"type": type_name, "id": id});
    rel
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

fn resource(
    req: &Request,
    type_name: &str,
    id: &str,
    self_path: &str,
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
        "links": { "self": link(req, self_path) },
    });
    let relationships = kept(relationships);
    if !relationships.is_empty() {
        v["relationships"] = Value::Object(relationships);
    }
    v
}

fn product_self(f: Family, id: &str) -> String {
    format!("{}/{id}", f.names().product_path)
}

fn version_self(f: Family, id: &str) -> String {
    format!("/v1/{}/{id}", f.names().version)
}

fn localization_self(f: Family, id: &str) -> String {
    format!("/v2/{}/{id}", f.names().localization)
}

fn text_attributes(f: Family, l: &ProductLocalization) -> Map<String, Value> {
    let mut attributes = Map::new();
    attributes.insert("name".into(), json!(l.name));
    attributes.insert("locale".into(), json!(l.locale));
    for (name, _) in &f.names().texts[1..] {
        attributes.insert((*name).into(), json!(text(l, name)));
    }
    attributes
}

/// A v2 localization (of a version).
fn localization_json(req: &Request, f: Family, version: &str, l: &ProductLocalization, keep: &Keep) -> Value {
    let path = localization_self(f, &l.id);
    let mut rel = Map::new();
    rel.insert(
        "version".into(),
        to_one(req, &path, "version", f.names().version, version),
    );
    resource(
        req,
        f.names().localization,
        &l.id,
        &path,
        text_attributes(f, l),
        rel,
        keep,
    )
}

/// A v1 localization (of the product), as a product read includes it.
fn product_localization_json(
    req: &Request,
    f: Family,
    product: &str,
    version_state: &str,
    l: &ProductLocalization,
    keep: &Keep,
) -> Value {
    let n = f.names();
    let mut attributes = text_attributes(f, l);
    attributes.insert("state".into(), json!(apple::product_localization_state(version_state)));
    let mut rel = Map::new();
    rel.insert(
        n.localization_to_product.into(),
        json!({"data": {"type": n.product, "id": product}}),
    );
    let path = format!("/v1/{}/{}", n.localization, l.id);
    resource(req, n.localization, &l.id, &path, attributes, rel, keep)
}

/// What a version read asks for.
struct VersionQuery {
    keep: Keep,
    localization_keep: Keep,
    localizations: Option<usize>,
    product: Option<Keep>,
}

impl VersionQuery {
    fn plain() -> VersionQuery {
        VersionQuery {
            keep: None,
            localization_keep: None,
            localizations: None,
            product: None,
        }
    }
}

fn version_query_names(f: Family) -> Vec<String> {
    let n = f.names();
    let mut names = vec![
        format!("fields[{}]", n.version),
        format!("fields[{}]", n.product),
        format!("fields[{}]", n.localization),
        "include".into(),
        "limit[localizations]".into(),
    ];
    names.extend(n.version_extra.iter().map(|s| (*s).to_owned()));
    names
}

fn version_query(q: &Query, f: Family) -> Result<VersionQuery> {
    let n = f.names();
    let keep = render::fields(q, n.version, n.version_fields)?;
    let localization_keep = render::fields(q, n.localization, n.v2_localization_fields)?;
    let product_keep = render::fields(q, n.product, n.product_fields)?;
    let includes = [n.version_to_product, "localizations"];
    let include = q.list("include", Some(&includes))?.unwrap_or_default();
    let has = |name: &str| include.iter().any(|i| i == name);
    let limit = q.limit("limit[localizations]", MAX_INCLUDED_LIMIT, DEFAULT_INCLUDED_LIMIT)?;
    Ok(VersionQuery {
        keep,
        localization_keep,
        localizations: has("localizations").then_some(limit),
        product: has(n.version_to_product).then_some(product_keep),
    })
}

/// A version, adding what `vq` includes to `included`.
fn version_json(
    state: &State,
    req: &Request,
    f: Family,
    p: usize,
    v: &ProductVersion,
    vq: &VersionQuery,
    included: &mut Vec<Value>,
) -> Value {
    let n = f.names();
    let product = product_id(state, f, p);
    let mut attributes = Map::new();
    attributes.insert("version".into(), json!(v.version));
    attributes.insert("state".into(), json!(v.state));
    let path = version_self(f, &v.id);
    let mut rel = Map::new();
    rel.insert(
        n.version_to_product.into(),
        to_one(req, &path, n.version_to_product, n.product, product),
    );
    let localizations = match vq.localizations {
        Some(limit) => {
            let ids: Vec<&str> = v.localizations.iter().map(|l| l.id.as_str()).collect();
            included.extend(
                v.localizations
                    .iter()
                    .take(limit)
                    .map(|l| localization_json(req, f, &v.id, l, &vq.localization_keep)),
            );
            to_many(req, &path, "localizations", n.localization, &ids, limit)
        }
        None => rel_links(req, &path, "localizations"),
    };
    rel.insert("localizations".into(), localizations);
    if let Some(keep) = &vq.product
        && !included.iter().any(|i| i["type"] == n.product && i["id"] == product)
    {
        included.push(product_json(
            state,
            req,
            f,
            p,
            keep,
            &ProductIncludes::none(),
            &mut Vec::new(),
        ));
    }
    resource(req, n.version, &v.id, &path, attributes, rel, &vq.keep)
}

/// What a product read includes: each relation with its inline limit and
/// the fields of the included type.
struct ProductIncludes {
    localizations: Option<(usize, Keep)>,
    versions: Option<(usize, Keep)>,
    /// A group's subscriptions.
    subscriptions: Option<(usize, Keep)>,
    /// A subscription's group.
    group: Option<Keep>,
}

impl ProductIncludes {
    fn none() -> ProductIncludes {
        ProductIncludes {
            localizations: None,
            versions: None,
            subscriptions: None,
            group: None,
        }
    }
}

fn product_query_names(f: Family) -> Vec<String> {
    let n = f.names();
    let mut names = vec![
        format!("fields[{}]", n.product),
        format!("fields[{}]", n.localization),
        format!("fields[{}]", n.version),
        "include".into(),
        format!("limit[{}]", n.product_to_localizations),
        "limit[versions]".into(),
    ];
    if f == Family::SubscriptionGroup {
        names.push("limit[subscriptions]".into());
    }
    names.extend(n.product_extra.iter().map(|s| (*s).to_owned()));
    names
}

/// The product's fields and what it includes.
fn product_query(q: &Query, f: Family) -> Result<(Keep, ProductIncludes)> {
    let n = f.names();
    let keep = render::fields(q, n.product, n.product_fields)?;
    let localization_keep = render::fields(q, n.localization, n.v1_localization_fields)?;
    let version_keep = render::fields(q, n.version, n.version_fields)?;
    let include = q.list("include", Some(n.product_includes))?.unwrap_or_default();
    let has = |name: &str| include.iter().any(|i| i == name);
    let limit = |name: &str| q.limit(name, MAX_INCLUDED_LIMIT, DEFAULT_INCLUDED_LIMIT);
    let loc_limit = limit(&format!("limit[{}]", n.product_to_localizations))?;
    let version_limit = limit("limit[versions]")?;
    let subscriptions = if f == Family::SubscriptionGroup {
        let sub_keep = render::fields(q, "subscriptions", &SUBSCRIPTION_FIELDS)?;
        has("subscriptions").then_some((limit("limit[subscriptions]")?, sub_keep))
    } else {
        None
    };
    let group = if f == Family::Subscription {
        let group_keep = render::fields(q, "subscriptionGroups", &GROUP_FIELDS)?;
        has("group").then_some(group_keep)
    } else {
        None
    };
    Ok((
        keep,
        ProductIncludes {
            localizations: has(n.product_to_localizations).then_some((loc_limit, localization_keep)),
            versions: has("versions").then_some((version_limit, version_keep)),
            subscriptions,
            group,
        },
    ))
}

/// The family's own attributes of a product.
fn product_attributes(state: &State, f: Family, p: usize) -> Map<String, Value> {
    let mut a = Map::new();
    match f {
        Family::InAppPurchase => {
            let x = &state.in_app_purchases[p];
            a.insert("name".into(), json!(x.name));
            a.insert("productId".into(), json!(x.product_id));
            a.insert("inAppPurchaseType".into(), json!(x.in_app_purchase_type));
            a.insert("state".into(), json!(x.state));
        }
        Family::SubscriptionGroup => {
            a.insert(
                "referenceName".into(),
                json!(state.subscription_groups[p].reference_name),
            );
        }
        Family::Subscription => {
            let x = &state.subscriptions[p];
            a.insert("name".into(), json!(x.name));
            a.insert("productId".into(), json!(x.product_id));
            a.insert("state".into(), json!(x.state));
            a.insert("subscriptionPeriod".into(), json!(x.subscription_period));
            a.insert("groupLevel".into(), json!(x.group_level));
        }
    }
    a
}

fn product_json(
    state: &State,
    req: &Request,
    f: Family,
    p: usize,
    keep: &Keep,
    includes: &ProductIncludes,
    included: &mut Vec<Value>,
) -> Value {
    let n = f.names();
    let id = product_id(state, f, p);
    let path = product_self(f, id);
    let all = versions(state, f, p);
    let mut rel = Map::new();
    let current = latest(all);
    let locs: Vec<&ProductLocalization> = current.map(|v| v.localizations.iter().collect()).unwrap_or_default();
    let localizations = match &includes.localizations {
        Some((limit, lk)) => {
            let state_of = current.map_or("PREPARE_FOR_SUBMISSION", |v| v.state.as_str());
            included.extend(
                locs.iter()
                    .take(*limit)
                    .map(|l| product_localization_json(req, f, id, state_of, l, lk)),
            );
            let ids: Vec<&str> = locs.iter().map(|l| l.id.as_str()).collect();
            to_many(req, &path, n.product_to_localizations, n.localization, &ids, *limit)
        }
        None => rel_links(req, &path, n.product_to_localizations),
    };
    rel.insert(n.product_to_localizations.into(), localizations);
    let versions_rel = match &includes.versions {
        Some((limit, vk)) => {
            let vq = VersionQuery {
                keep: vk.clone(),
                ..VersionQuery::plain()
            };
            for v in all.iter().take(*limit) {
                included.push(version_json(state, req, f, p, v, &vq, &mut Vec::new()));
            }
            let ids: Vec<&str> = all.iter().map(|v| v.id.as_str()).collect();
            to_many(req, &path, "versions", n.version, &ids, *limit)
        }
        None => rel_links(req, &path, "versions"),
    };
    rel.insert("versions".into(), versions_rel);
    if f == Family::SubscriptionGroup {
        let members: Vec<usize> = (0..state.subscriptions.len())
            .filter(|s| state.subscriptions[*s].group == id)
            .collect();
        let subs = match &includes.subscriptions {
            Some((limit, sk)) => {
                for s in members.iter().take(*limit) {
                    let sub = product_json(
                        state,
                        req,
                        Family::Subscription,
                        *s,
                        sk,
                        &ProductIncludes::none(),
                        &mut Vec::new(),
                    );
                    included.push(sub);
                }
                let ids: Vec<&str> = members.iter().map(|s| state.subscriptions[*s].id.as_str()).collect();
                to_many(req, &path, "subscriptions", "subscriptions", &ids, *limit)
            }
            None => rel_links(req, &path, "subscriptions"),
        };
        rel.insert("subscriptions".into(), subs);
    }
    if f == Family::Subscription {
        let group = &state.subscriptions[p].group;
        rel.insert("group".into(), to_one(req, &path, "group", "subscriptionGroups", group));
        if let Some(gk) = &includes.group
            && !included
                .iter()
                .any(|i| i["type"] == "subscriptionGroups" && i["id"] == group.as_str())
            && let Ok(g) = product_index(state, Family::SubscriptionGroup, group)
        {
            let group_json = product_json(
                state,
                req,
                Family::SubscriptionGroup,
                g,
                gk,
                &ProductIncludes::none(),
                &mut Vec::new(),
            );
            included.push(group_json);
        }
    }
    resource(req, n.product, id, &path, product_attributes(state, f, p), rel, keep)
}

// ---- Reads ----

fn allowed(names: &[String]) -> Vec<&str> {
    names.iter().map(String::as_str).collect()
}

fn matches(list: &Option<Vec<String>>, value: &str) -> bool {
    list.as_ref().is_none_or(|l| l.iter().any(|x| x == value))
}

/// `GET /v1/apps/{id}/inAppPurchasesV2`.
pub fn list_in_app_purchases(state: &State, req: &Request, app: &str) -> Result<Reply> {
    let f = Family::InAppPurchase;
    let mut names = product_query_names(f);
    names.extend(
        [
            "filter[productId]",
            "filter[name]",
            "filter[state]",
            "filter[inAppPurchaseType]",
            "sort",
            "limit",
            "cursor",
        ]
        .map(str::to_owned),
    );
    let q = Query::parse(req.query, &allowed(&names))?;
    api::find_app(state, app)?;
    let (keep, includes) = product_query(&q, f)?;
    let product_ids = q.list("filter[productId]", None)?;
    let product_names = q.list("filter[name]", None)?;
    let states = q.list("filter[state]", Some(&apple::IAP_STATES))?;
    let types = q.list("filter[inAppPurchaseType]", Some(&apple::IAP_TYPES))?;
    let sort = q.list(
        "sort",
        Some(&["name", "-name", "inAppPurchaseType", "-inAppPurchaseType"]),
    )?;
    let iaps = &state.in_app_purchases;
    let mut products: Vec<usize> = (0..iaps.len())
        .filter(|p| iaps[*p].app == app)
        .filter(|p| matches(&product_ids, &iaps[*p].product_id) && matches(&product_names, &iaps[*p].name))
        .filter(|p| matches(&states, &iaps[*p].state) && matches(&types, &iaps[*p].in_app_purchase_type))
        .collect();
    if let Some(key) = sort.as_ref().and_then(|s| s.first()) {
        match key.trim_start_matches('-') {
            "name" => products.sort_by(|a, b| iaps[*a].name.cmp(&iaps[*b].name)),
            _ => products.sort_by(|a, b| iaps[*a].in_app_purchase_type.cmp(&iaps[*b].in_app_purchase_type)),
        }
        if key.starts_with('-') {
            products.reverse();
        }
    }
    let doc = render::page(req, &q, products, |p, included| {
        Ok(product_json(state, req, f, p, &keep, &includes, included))
    })?;
    Ok(Reply::ok(doc))
}

/// `GET /v1/apps/{id}/subscriptionGroups`.
pub fn list_subscription_groups(state: &State, req: &Request, app: &str) -> Result<Reply> {
    let f = Family::SubscriptionGroup;
    let mut names = product_query_names(f);
    names.extend(
        [
            "filter[referenceName]",
            "filter[subscriptions.state]",
            "sort",
            "limit",
            "cursor",
        ]
        .map(str::to_owned),
    );
    let q = Query::parse(req.query, &allowed(&names))?;
    api::find_app(state, app)?;
    let (keep, includes) = product_query(&q, f)?;
    let references = q.list("filter[referenceName]", None)?;
    let states = q.list("filter[subscriptions.state]", Some(&apple::SUBSCRIPTION_STATES))?;
    let sort = q.list("sort", Some(&["referenceName", "-referenceName"]))?;
    let groups = &state.subscription_groups;
    let mut products: Vec<usize> = (0..groups.len())
        .filter(|g| groups[*g].app == app && matches(&references, &groups[*g].reference_name))
        .filter(|g| {
            states.is_none()
                || state
                    .subscriptions
                    .iter()
                    .any(|s| s.group == groups[*g].id && matches(&states, &s.state))
        })
        .collect();
    if let Some(key) = sort.as_ref().and_then(|s| s.first()) {
        products.sort_by(|a, b| groups[*a].reference_name.cmp(&groups[*b].reference_name));
        if key.starts_with('-') {
            products.reverse();
        }
    }
    let doc = render::page(req, &q, products, |p, included| {
        Ok(product_json(state, req, f, p, &keep, &includes, included))
    })?;
    Ok(Reply::ok(doc))
}

/// `GET /v1/subscriptionGroups/{id}/subscriptions`.
pub fn list_subscriptions(state: &State, req: &Request, group: &str) -> Result<Reply> {
    let f = Family::Subscription;
    let mut names = product_query_names(f);
    names.extend(
        [
            "filter[productId]",
            "filter[name]",
            "filter[state]",
            "sort",
            "limit",
            "cursor",
        ]
        .map(str::to_owned),
    );
    let q = Query::parse(req.query, &allowed(&names))?;
    product_index(state, Family::SubscriptionGroup, group)?;
    let (keep, includes) = product_query(&q, f)?;
    let product_ids = q.list("filter[productId]", None)?;
    let product_names = q.list("filter[name]", None)?;
    let states = q.list("filter[state]", Some(&apple::SUBSCRIPTION_STATES))?;
    let sort = q.list("sort", Some(&["name", "-name"]))?;
    let subs = &state.subscriptions;
    let mut products: Vec<usize> = (0..subs.len())
        .filter(|s| subs[*s].group == group)
        .filter(|s| matches(&product_ids, &subs[*s].product_id) && matches(&product_names, &subs[*s].name))
        .filter(|s| matches(&states, &subs[*s].state))
        .collect();
    if let Some(key) = sort.as_ref().and_then(|s| s.first()) {
        products.sort_by(|a, b| subs[*a].name.cmp(&subs[*b].name));
        if key.starts_with('-') {
            products.reverse();
        }
    }
    let doc = render::page(req, &q, products, |p, included| {
        Ok(product_json(state, req, f, p, &keep, &includes, included))
    })?;
    Ok(Reply::ok(doc))
}

/// `GET /v2/inAppPurchases/{id}`, `/v1/subscriptionGroups/{id}`,
/// `/v1/subscriptions/{id}`.
pub fn get_product(state: &State, req: &Request, f: Family, id: &str) -> Result<Reply> {
    let q = Query::parse(req.query, &allowed(&product_query_names(f)))?;
    let p = product_index(state, f, id)?;
    let (keep, includes) = product_query(&q, f)?;
    let mut included = Vec::new();
    let data = product_json(state, req, f, p, &keep, &includes, &mut included);
    Ok(Reply::ok(render::single(req, data, included)))
}

/// `GET …/{id}/versions` of a product, oldest first.
pub fn list_versions(state: &State, req: &Request, f: Family, id: &str) -> Result<Reply> {
    let mut names = version_query_names(f);
    names.extend(["filter[state]", "limit", "cursor"].map(str::to_owned));
    let q = Query::parse(req.query, &allowed(&names))?;
    let p = product_index(state, f, id)?;
    let vq = version_query(&q, f)?;
    let states = q.list("filter[state]", Some(&apple::PRODUCT_VERSION_STATES))?;
    let list: Vec<&ProductVersion> = versions(state, f, p)
        .iter()
        .filter(|v| states.as_ref().is_none_or(|s| s.contains(&v.state)))
        .collect();
    let doc = render::page(req, &q, list, |v, included| {
        Ok(version_json(state, req, f, p, v, &vq, included))
    })?;
    Ok(Reply::ok(doc))
}

/// `GET /v1/{versions}/{id}`.
pub fn get_version(state: &State, req: &Request, f: Family, id: &str) -> Result<Reply> {
    let q = Query::parse(req.query, &allowed(&version_query_names(f)))?;
    let (p, v) = version_index(state, f, id)?;
    let vq = version_query(&q, f)?;
    let mut included = Vec::new();
    let data = version_json(state, req, f, p, &versions(state, f, p)[v], &vq, &mut included);
    Ok(Reply::ok(render::single(req, data, included)))
}

/// The query of a v2 localization read; `include=version` is accepted,
/// but the spec's responses of these reads have no `included`, so it adds
/// nothing.
fn localization_query(req: &Request, f: Family, list: bool) -> Result<(Query, Keep)> {
    let n = f.names();
    let mut names = vec![
        format!("fields[{}]", n.localization),
        format!("fields[{}]", n.version),
        "include".to_owned(),
    ];
    if list {
        names.extend(["limit".to_owned(), "cursor".to_owned()]);
    }
    let q = Query::parse(req.query, &allowed(&names))?;
    render::fields(&q, n.version, n.version_fields)?;
    q.list("include", Some(&["version"]))?;
    let keep = render::fields(&q, n.localization, n.v2_localization_fields)?;
    Ok((q, keep))
}

/// `GET /v1/{versions}/{id}/localizations`.
pub fn list_localizations(state: &State, req: &Request, f: Family, id: &str) -> Result<Reply> {
    let (q, keep) = localization_query(req, f, true)?;
    let (p, v) = version_index(state, f, id)?;
    let version = &versions(state, f, p)[v];
    let doc = render::page(req, &q, version.localizations.iter().collect(), |l, _| {
        Ok(localization_json(req, f, &version.id, l, &keep))
    })?;
    Ok(Reply::ok(doc))
}

/// `GET /v2/{localizations}/{id}`.
pub fn get_localization(state: &State, req: &Request, f: Family, id: &str) -> Result<Reply> {
    let (_, keep) = localization_query(req, f, false)?;
    let (p, v, l) = localization_index(state, f, id)?;
    let version = &versions(state, f, p)[v];
    let data = localization_json(req, f, &version.id, &version.localizations[l], &keep);
    Ok(Reply::ok(render::single(req, data, Vec::new())))
}

// ---- Writes ----

/// Apple's refusal of a change to a localization of a version no longer
/// editable (AppleParty #12, #15; the detail is Apple's for v1 with the
/// version's state in place of the product's).
fn unmodifiable(f: Family, pointer: &str, state: &str) -> ApiError {
    let type_name = match f {
        Family::InAppPurchase => "InAppPurchaseLocalization",
        Family::SubscriptionGroup => "SubscriptionGroupLocalization",
        Family::Subscription => "SubscriptionLocalization",
    };
    ApiError::entity(
        "ENTITY_ERROR.ATTRIBUTE.INVALID.UNMODIFIABLE",
        "The provided entity contains a field that can not be modified in the current state",
        format!("Cannot edit {type_name} when it is in {state} state"),
        pointer,
    )
}

/// The locales an app supports: its primary locale and those of its app
/// info localizations.
fn app_supports(state: &State, app: Option<&str>, locale: &str) -> bool {
    state.apps.iter().filter(|a| Some(a.id.as_str()) == app).any(|a| {
        a.primary_locale == locale
            || a.app_infos
                .iter()
                .any(|i| i.localizations.iter().any(|l| l.locale == locale))
    })
}

/// The texts a create or update sets (`None`: not given), checked against
/// Apple's limits; `name` cannot be null.
fn texts(f: Family, doc: &body::Document, creating: bool) -> Result<Vec<(&'static str, Option<String>)>> {
    let n = f.names();
    let known = |k: &str| n.texts.iter().any(|(t, _)| *t == k) || (creating && k == "locale");
    if let Some(unknown) = doc.attributes.keys().find(|k| !known(k)) {
        return Err(ApiError::unknown_attribute(n.localization, unknown));
    }
    let mut out = Vec::new();
    for (name, max) in n.texts {
        let Some(value) = body::text(doc, name)? else {
            continue;
        };
        if name == "name" && value.is_none() {
            return Err(ApiError::required_attribute("name"));
        }
        if let (Some(v), Some(max)) = (&value, max)
            && apple::length(v) > max
        {
            return Err(ApiError::too_long(name, max));
        }
        out.push((name, value));
    }
    Ok(out)
}

/// `POST /v2/{localizations}` (relationship `version`).
pub fn create_localization(state: &mut State, req: &Request, f: Family) -> Result<Reply> {
    let n = f.names();
    let doc = body::document(req, n.localization, None)?;
    let given = texts(f, &doc, true)?;
    let Some(name) = given.iter().find(|(t, _)| *t == "name").and_then(|(_, v)| v.clone()) else {
        return Err(ApiError::required_attribute("name"));
    };
    let locale = match body::text(&doc, "locale")? {
        Some(Some(l)) => l,
        _ => return Err(ApiError::required_attribute("locale")),
    };
    let version_id = body::relationship_id(&doc, "version", n.version)?;
    let (p, v) = version_index(state, f, &version_id).map_err(|_| {
        ApiError::invalid_relationship("version", format!("There is no {} with id '{version_id}'.", n.version))
    })?;
    if !apple::is_locale(&locale) {
        return Err(ApiError::invalid_locale());
    }
    if !app_supports(state, app_of(state, f, p), &locale) {
        return Err(ApiError::invalid_attribute(
            "locale",
            format!("The locale '{locale}' is not one of the app's localizations."),
        ));
    }
    let version = &versions(state, f, p)[v];
    if !apple::product_version_is_editable(&version.state) {
        return Err(unmodifiable(f, "/data/relationships/version", &version.state));
    }
    if version.localizations.iter().any(|l| l.locale == locale) {
        return Err(ApiError::duplicate_locale(&locale));
    }
    let mut l = ProductLocalization {
        id: api::new_id(&format!("{}loc-", n.id_prefix)),
        locale,
        name,
        ..ProductLocalization::default()
    };
    for (t, value) in given.into_iter().filter(|(t, _)| *t != "name") {
        *text_mut(&mut l, t) = value;
    }
    let data = localization_json(req, f, &version_id, &l, &None);
    let location = link(req, &localization_self(f, &l.id));
    versions_mut(state, f, p)[v].localizations.push(l);
    Ok(Reply::created(render::single(req, data, Vec::new()), location))
}

/// `PATCH /v2/{localizations}/{id}`.
pub fn patch_localization(state: &mut State, req: &Request, f: Family, id: &str) -> Result<Reply> {
    let doc = body::document(req, f.names().localization, Some(id))?;
    let (p, v, l) = localization_index(state, f, id)?;
    if let Some(r) = doc.relationships.keys().next() {
        return Err(ApiError::unknown_relationship(
            format!("'{r}' is not a relationship that can be changed here"),
            r,
        ));
    }
    let given = texts(f, &doc, false)?;
    let version = &versions(state, f, p)[v];
    if !apple::product_version_is_editable(&version.state)
        && let Some((field, _)) = given.first()
    {
        return Err(unmodifiable(f, &format!("/data/attributes/{field}"), &version.state));
    }
    let version_id = version.id.clone();
    let loc = &mut versions_mut(state, f, p)[v].localizations[l];
    for (t, value) in given {
        match (t, value) {
            ("name", Some(name)) => loc.name = name,
            (t, value) => *text_mut(loc, t) = value,
        }
    }
    let data = localization_json(req, f, &version_id, loc, &None);
    Ok(Reply::ok(render::single(req, data, Vec::new())))
}

/// `DELETE /v2/{localizations}/{id}`.
pub fn delete_localization(state: &mut State, _req: &Request, f: Family, id: &str) -> Result<Reply> {
    let (p, v, l) = localization_index(state, f, id)?;
    let version = &versions(state, f, p)[v];
    if !apple::product_version_is_editable(&version.state) {
        return Err(ApiError::state(format!(
            "Cannot delete a localization of a version in {} state",
            version.state
        )));
    }
    if version.localizations.len() == 1 {
        return Err(ApiError::state("Cannot delete the last localization"));
    }
    versions_mut(state, f, p)[v].localizations.remove(l);
    Ok(Reply::no_content())
}

/// `POST /v1/{versions}`: a new version capturing the product's current
/// localizations.
pub fn create_version(state: &mut State, req: &Request, f: Family) -> Result<Reply> {
    let n = f.names();
    let doc = body::document(req, n.version, None)?;
    if let Some(a) = doc.attributes.keys().next() {
        return Err(ApiError::unknown_attribute(n.version, a));
    }
    let product = body::relationship_id(&doc, n.version_to_product, n.product)?;
    let p = product_index(state, f, &product).map_err(|_| {
        ApiError::invalid_relationship(
            n.version_to_product,
            format!("There is no {} with id '{product}'.", n.product),
        )
    })?;
    let all = versions(state, f, p);
    if let Some(draft) = all.iter().find(|v| apple::product_version_is_editable(&v.state)) {
        return Err(ApiError::state(format!(
            "Version {} is still in {} state; edit it instead of creating a new one",
            draft.version, draft.state
        )));
    }
    let current = latest(all);
    let version = ProductVersion {
        id: api::new_id(&format!("{}ver-", n.id_prefix)),
        version: current.map_or(1, |v| v.version + 1),
        state: "PREPARE_FOR_SUBMISSION".into(),
        localizations: current
            .map(|v| {
                v.localizations
                    .iter()
                    .map(|l| ProductLocalization {
                        id: api::new_id(&format!("{}loc-", n.id_prefix)),
                        ..l.clone()
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    let data = version_json(state, req, f, p, &version, &VersionQuery::plain(), &mut Vec::new());
    let location = link(req, &version_self(f, &version.id));
    versions_mut(state, f, p).push(version);
    Ok(Reply::created(render::single(req, data, Vec::new()), location))
}

// ---- The product-level (v1) localization reads ----

/// The query of a v1 localization read: its fields, and the product it
/// may include.
fn v1_localization_query(req: &Request, f: Family, list: bool) -> Result<(Query, Keep, Option<Keep>)> {
    let n = f.names();
    let mut names = vec![
        format!("fields[{}]", n.localization),
        format!("fields[{}]", n.product),
        "include".to_owned(),
    ];
    if list {
        names.extend(["limit".to_owned(), "cursor".to_owned()]);
    }
    let q = Query::parse(req.query, &allowed(&names))?;
    let keep = render::fields(&q, n.localization, n.v1_localization_fields)?;
    let product_keep = render::fields(&q, n.product, n.product_fields)?;
    let include = q.list("include", Some(&[n.localization_to_product]))?;
    Ok((q, keep, include.is_some().then_some(product_keep)))
}

/// Adds the product to `included` once.
fn include_product(state: &State, req: &Request, f: Family, p: usize, keep: &Keep, included: &mut Vec<Value>) {
    let id = product_id(state, f, p);
    if !included.iter().any(|i| i["id"] == id) {
        included.push(product_json(
            state,
            req,
            f,
            p,
            keep,
            &ProductIncludes::none(),
            &mut Vec::new(),
        ));
    }
}

/// `GET /v2/inAppPurchases/{id}/inAppPurchaseLocalizations` (and the
/// subscription and group ones): the newest version's localizations, in
/// the product-level (v1) type.
pub fn list_product_localizations(state: &State, req: &Request, f: Family, id: &str) -> Result<Reply> {
    let (q, keep, product) = v1_localization_query(req, f, true)?;
    let p = product_index(state, f, id)?;
    let current = latest(versions(state, f, p));
    let version_state = current.map_or("PREPARE_FOR_SUBMISSION", |v| v.state.as_str());
    let locs: Vec<&ProductLocalization> = current.map(|v| v.localizations.iter().collect()).unwrap_or_default();
    let doc = render::page(req, &q, locs, |l, included| {
        if let Some(pk) = &product {
            include_product(state, req, f, p, pk, included);
        }
        Ok(product_localization_json(req, f, id, version_state, l, &keep))
    })?;
    Ok(Reply::ok(doc))
}

/// `GET /v1/inAppPurchaseLocalizations/{id}` (and the subscription and
/// group ones): a localization in the product-level (v1) type, with its
/// version's state.
pub fn get_product_localization(state: &State, req: &Request, f: Family, id: &str) -> Result<Reply> {
    let (_, keep, product) = v1_localization_query(req, f, false)?;
    let (p, v, l) = localization_index(state, f, id)?;
    let version = &versions(state, f, p)[v];
    let data = product_localization_json(
        req,
        f,
        product_id(state, f, p),
        &version.state,
        &version.localizations[l],
        &keep,
    );
    let mut included = Vec::new();
    if let Some(pk) = &product {
        include_product(state, req, f, p, pk, &mut included);
    }
    Ok(Reply::ok(render::single(req, data, included)))
}
