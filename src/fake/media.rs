//! Screenshots and app previews, as App Store Connect keeps them
//! (shared/reference/assets-release-iap.md §2, the spec's set-based
//! resources): per version localization one set per display type, each
//! holding its assets in order; an asset is reserved (`POST`, answering
//! `uploadOperations`), uploaded part by part to the storage host
//! (`upload.rs`), committed (`PATCH uploaded: true` with the MD5 the
//! client computed), then processed asynchronously until `COMPLETE`, or
//! `FAILED` with its reasons in the delivery state, never as an HTTP error.
//!
//! Apple's refusals, with the evidence (§2.1, §2.3):
//! - a second set of one type in a localization: 409 "Screenshot Set
//!   Already Exists!", title "The request cannot be fulfilled because of
//!   the state of another resource." (two reports); the code, STATE_ERROR,
//!   is inferred from that title, which is STATE_ERROR's;
//! - an 11th screenshot in a set: 409 "Too many screenshots (10)" (one
//!   report), a 4th preview likewise (deliver's cap); code inferred;
//! - a set of another platform than the version's: 409 (one report, no
//!   body quoted: code and detail inferred);
//! - a display type not in the spec's enum (`APP_IPHONE_69`): refused (one
//!   report; 409 `ENTITY_ERROR.ATTRIBUTE.INVALID` inferred);
//! - deleting after submission: "Can't Delete Screenshot After Submit for
//!   review" (notifi PR #257); refusing reservations, new sets and
//!   reordering then too is inferred;
//! - a wrong pixel size: `FAILED` with `IMAGE_INCORRECT_DIMENSIONS` after a
//!   successful commit (four reports).

use super::api::{self, Reply, Request, Result};
use super::apple::{self, Kind, Media};
use super::body::{self, Document};
use super::errors::ApiError;
use super::mp4box::boxes;
use super::query::{DEFAULT_INCLUDED_LIMIT, MAX_INCLUDED_LIMIT, Query};
use super::render::{self, Keep};
use super::state::{MediaAsset, MediaError, MediaSet, Pending, State};
use serde_json::{Map, Value, json};

/// The localization types a set read may name in `fields[…]`.
const LOCALIZATION_FIELDS: [&str; 3] = [
    "fields[appStoreVersionLocalizations]",
    "fields[appCustomProductPageLocalizations]",
    "fields[appStoreVersionExperimentTreatmentLocalizations]",
];

fn set_index(state: &State, media: Media, id: &str) -> Result<usize> {
    state
        .media_sets(media)
        .iter()
        .position(|s| s.id == id)
        .ok_or_else(|| ApiError::not_found(media.set_type(), id))
}

/// (set, asset) indices of an asset.
fn asset_index(state: &State, media: Media, id: &str) -> Result<(usize, usize)> {
    for (s, set) in state.media_sets(media).iter().enumerate() {
        if let Some(a) = set.assets.iter().position(|a| a.id == id) {
            return Ok((s, a));
        }
    }
    Err(ApiError::not_found(media.asset_type(), id))
}

/// The platform and state of the version a localization belongs to.
fn version_of(state: &State, localization: &str) -> Option<(String, String)> {
    let (a, v, _) = api::localization_index(state, Kind::Version, localization).ok()?;
    let version = &state.apps[a].app_store_versions[v];
    Some((version.platform.clone(), version.app_version_state.clone()))
}

/// Refuses a change to the media of a localization whose version is no
/// longer editable (submitted, in review, on sale).
fn editable(state: &State, localization: &str, detail: impl FnOnce(&str) -> String) -> Result<()> {
    match version_of(state, localization) {
        Some((_, s)) if !apple::media_is_editable(&s) => Err(ApiError::state(detail(&s))),
        _ => Ok(()),
    }
}

/// The byte ranges `(offset, length)` of an upload's parts: Apple's part
/// size, the last part holding the rest.
pub fn parts(file_size: u64) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let mut offset = 0;
    while offset < file_size {
        let length = apple::UPLOAD_PART_BYTES.min(file_size - offset);
        out.push((offset, length));
        offset += length;
    }
    out
}

/// The `Content-Type` the upload operations of an asset ask for.
pub fn content_type(asset: &MediaAsset) -> String {
    apple::upload_content_type(&asset.file_name, asset.mime_type.as_deref())
}

fn upload_operations(req: &Request, asset: &MediaAsset) -> Value {
    let ct = content_type(asset);
    let ops: Vec<Value> = parts(asset.file_size)
        .iter()
        .enumerate()
        .map(|(i, (offset, length))| {
            json!({
                "method": "PUT",
                "url": format!("{}/blobstore/{}?partNumber={}", req.base, asset.id, i + 1),
                "length": length,
                "offset": offset,
                "requestHeaders": [{"name": "Content-Type", "value": ct}],
            })
        })
        .collect();
    Value::Array(ops)
}

/// `AppMediaAssetState` / `AppMediaVideoState`.
fn delivery_state(state: &str, asset: &MediaAsset) -> Value {
    json!({ "state": state, "errors": asset.errors, "warnings": [] })
}

/// An `ImageAsset` of the asset's processed size, with a template URL in
/// Apple's form (`…/{w}x{h}bb.{f}`).
fn image_asset(req: &Request, asset: &MediaAsset) -> Value {
    match (asset.state.as_str(), asset.width, asset.height) {
        ("COMPLETE", Some(w), Some(h)) => json!({
            "templateUrl": format!("{}/image/thumb/{}/{}/{{w}}x{{h}}bb.{{f}}", req.base, asset.id, asset.file_name),
            "width": w,
            "height": h,
        }),
        _ => Value::Null,
    }
}

fn asset_json(req: &Request, media: Media, set_id: &str, asset: &MediaAsset, keep: &Keep) -> Value {
    let mut attributes = Map::new();
    attributes.insert("fileSize".into(), json!(asset.file_size));
    attributes.insert("fileName".into(), json!(asset.file_name));
    attributes.insert("sourceFileChecksum".into(), json!(asset.source_file_checksum));
    let operations = if asset.state == "AWAITING_UPLOAD" {
        upload_operations(req, asset)
    } else {
        Value::Null
    };
    match media {
        Media::Screenshot => {
            attributes.insert("imageAsset".into(), image_asset(req, asset));
            attributes.insert("assetToken".into(), json!(format!("{}/{}", asset.id, asset.file_name)));
            attributes.insert("assetType".into(), Value::Null);
            attributes.insert("uploadOperations".into(), operations);
            attributes.insert("assetDeliveryState".into(), delivery_state(&asset.state, asset));
        }
        Media::Preview => {
            let complete = asset.state == "COMPLETE";
            attributes.insert("previewFrameTimeCode".into(), json!(asset.preview_frame_time_code));
            attributes.insert("mimeType".into(), json!(asset.mime_type));
            let video = complete.then(|| format!("{}/video/{}/{}", req.base, asset.id, asset.file_name));
            attributes.insert("videoUrl".into(), json!(video));
            let image = image_asset(req, asset);
            let frame = if image.is_null() {
                Value::Null
            } else {
                json!({ "image": image, "state": { "state": "COMPLETE", "errors": [], "warnings": [] } })
            };
            attributes.insert("previewFrameImage".into(), frame);
            attributes.insert("previewImage".into(), image);
            attributes.insert("uploadOperations".into(), operations);
            // The deprecated asset state has no PROCESSING.
            let old = if asset.state == "PROCESSING" {
                "UPLOAD_COMPLETE"
            } else {
                &asset.state
            };
            attributes.insert("assetDeliveryState".into(), delivery_state(old, asset));
            attributes.insert("videoDeliveryState".into(), delivery_state(&asset.state, asset));
        }
    }
    let mut rel = Map::new();
    let data = json!({ "type": media.set_type(), "id": set_id });
    rel.insert(
        media.set_relationship().into(),
        render::to_one(req, media.asset_type(), &asset.id, media.set_relationship(), data),
    );
    render::resource(req, media.asset_type(), &asset.id, attributes, rel, keep)
}

/// A set; `assets` is the inline limit when its assets are included
/// (they are added to `included`).
fn set_json(
    req: &Request,
    media: Media,
    set: &MediaSet,
    keep: &Keep,
    assets: Option<(usize, &Keep)>,
    included: &mut Vec<Value>,
) -> Value {
    let mut attributes = Map::new();
    attributes.insert(media.type_attribute().into(), json!(set.display_type));
    let mut rel = Map::new();
    let data = json!({ "type": Kind::Version.type_name(), "id": set.localization });
    rel.insert(
        "appStoreVersionLocalization".into(),
        render::to_one(req, media.set_type(), &set.id, "appStoreVersionLocalization", data),
    );
    let relation = media.asset_type();
    let list = match assets {
        Some((limit, asset_keep)) => {
            let shown = &set.assets[..set.assets.len().min(limit)];
            included.extend(shown.iter().map(|a| asset_json(req, media, &set.id, a, asset_keep)));
            let data = shown.iter().map(|a| json!({ "type": relation, "id": a.id })).collect();
            render::to_many(
                req,
                (media.set_type(), &set.id),
                relation,
                data,
                set.assets.len(),
                limit,
            )
        }
        None => render::relationship_links(req, media.set_type(), &set.id, relation),
    };
    rel.insert(relation.into(), list);
    render::resource(req, media.set_type(), &set.id, attributes, rel, keep)
}

/// What a set read asks for: which fields, and what it includes.
struct SetQuery {
    keep: Keep,
    asset_keep: Keep,
    assets: Option<usize>,
    localization: bool,
}

fn set_query(q: &Query, media: Media) -> Result<SetQuery> {
    let keep = render::fields(q, media.set_type(), media.set_fields())?;
    let asset_keep = render::fields(q, media.asset_type(), media.asset_fields())?;
    render::fields(
        q,
        Kind::Version.type_name(),
        &render::localization_field_names(Kind::Version),
    )?;
    let include = q.list("include", Some(&media.set_includes()))?.unwrap_or_default();
    let has = |name: &str| include.iter().any(|i| i == name);
    let limit = q.limit(
        &format!("limit[{}]", media.asset_type()),
        MAX_INCLUDED_LIMIT,
        DEFAULT_INCLUDED_LIMIT,
    )?;
    Ok(SetQuery {
        keep,
        asset_keep,
        assets: has(media.asset_type()).then_some(limit),
        localization: has("appStoreVersionLocalization"),
    })
}

fn set_query_names(media: Media) -> Vec<String> {
    let mut names: Vec<String> = LOCALIZATION_FIELDS.iter().map(|s| (*s).to_owned()).collect();
    names.push(format!("fields[{}]", media.set_type()));
    names.push(format!("fields[{}]", media.asset_type()));
    names.push("include".into());
    names.push(format!("limit[{}]", media.asset_type()));
    names
}

/// Renders a set with what the query includes.
fn set_with_includes(
    state: &State,
    req: &Request,
    media: Media,
    set: &MediaSet,
    sq: &SetQuery,
    included: &mut Vec<Value>,
) -> Result<Value> {
    let data = set_json(
        req,
        media,
        set,
        &sq.keep,
        sq.assets.map(|l| (l, &sq.asset_keep)),
        included,
    );
    if sq.localization
        && !included
            .iter()
            .any(|i| i["type"] == Kind::Version.type_name() && i["id"] == set.localization.as_str())
    {
        let (a, v, l) = api::localization_index(state, Kind::Version, &set.localization)?;
        let version = &state.apps[a].app_store_versions[v];
        included.push(render::localization_json(
            req,
            Kind::Version,
            &version.id,
            &version.localizations[l],
            &None,
        ));
    }
    Ok(data)
}

/// What a version localization read may add to ask for its sets:
/// `include=appScreenshotSets,appPreviewSets`, their inline limits and
/// fields. (The spec's other includes of a localization, its version and
/// search keywords, are not served by the fake and stay refused.)
pub const LOCALIZATION_QUERY: [&str; 5] = [
    "include",
    "limit[appScreenshotSets]",
    "limit[appPreviewSets]",
    "fields[appScreenshotSets]",
    "fields[appPreviewSets]",
];

/// The sets a localization read includes: each kind asked for, with its
/// inline limit and fields.
pub fn localization_includes(q: &Query) -> Result<Vec<(Media, usize, Keep)>> {
    let include = q
        .list("include", Some(&apple::VERSION_LOCALIZATION_MEDIA))?
        .unwrap_or_default();
    let mut out = Vec::new();
    for media in [Media::Screenshot, Media::Preview] {
        let limit = q.limit(
            &format!("limit[{}]", media.set_type()),
            MAX_INCLUDED_LIMIT,
            DEFAULT_INCLUDED_LIMIT,
        )?;
        let keep = render::fields(q, media.set_type(), media.set_fields())?;
        if include.iter().any(|i| i == media.set_type()) {
            out.push((media, limit, keep));
        }
    }
    Ok(out)
}

/// Adds a localization's sets to `included`, up to each inline limit, and
/// the relationship with their linkage to the localization (unless
/// `fields[…]` left it out: `keep` is the localization's). The sets come
/// without their assets: an include from the localization does not reach
/// them (§2.1). Without an include the fake leaves these relationships
/// out, as it leaves out others of the localization it does not serve.
pub fn include_sets(
    state: &State,
    req: &Request,
    wanted: &[(Media, usize, Keep)],
    keep: &Keep,
    localization: &mut Value,
    included: &mut Vec<Value>,
) {
    let id = localization["id"].as_str().unwrap_or_default().to_owned();
    for (media, limit, set_keep) in wanted {
        let all: Vec<&MediaSet> = state
            .media_sets(*media)
            .iter()
            .filter(|s| s.localization == id)
            .collect();
        let shown = &all[..all.len().min(*limit)];
        let data = shown
            .iter()
            .map(|s| json!({ "type": media.set_type(), "id": s.id }))
            .collect();
        included.extend(
            shown
                .iter()
                .map(|s| set_json(req, *media, s, set_keep, None, &mut Vec::new())),
        );
        let rel = render::to_many(
            req,
            (Kind::Version.type_name(), &id),
            media.set_type(),
            data,
            all.len(),
            *limit,
        );
        if keep.as_ref().is_none_or(|k| k.iter().any(|n| n == media.set_type())) {
            localization["relationships"][media.set_type()] = rel;
        }
    }
}

/// `GET /v1/appStoreVersionLocalizations/{id}/appScreenshotSets` (and
/// `…/appPreviewSets`): the localization's sets, filtered by type.
pub fn list_sets(state: &State, req: &Request, media: Media, localization: &str) -> Result<Reply> {
    let filter = format!("filter[{}]", media.type_attribute());
    let mut names = set_query_names(media);
    names.extend([
        filter.clone(),
        "filter[appCustomProductPageLocalization]".into(),
        "filter[appStoreVersionExperimentTreatmentLocalization]".into(),
        "limit".into(),
        "cursor".into(),
    ]);
    let allowed: Vec<&str> = names.iter().map(String::as_str).collect();
    let q = Query::parse(req.query, &allowed)?;
    api::localization_index(state, Kind::Version, localization)?;
    let sq = set_query(&q, media)?;
    let types = q.list(&filter, Some(media.display_types()))?;
    // The fake keeps no custom product pages or experiments: their
    // filters match none of a version localization's sets.
    let other = q.get("filter[appCustomProductPageLocalization]").is_some()
        || q.get("filter[appStoreVersionExperimentTreatmentLocalization]")
            .is_some();
    let sets: Vec<&MediaSet> = state
        .media_sets(media)
        .iter()
        .filter(|s| s.localization == localization && !other)
        .filter(|s| types.as_ref().is_none_or(|t| t.contains(&s.display_type)))
        .collect();
    let doc = render::page(req, &q, sets, |s, included| {
        set_with_includes(state, req, media, s, &sq, included)
    })?;
    Ok(Reply::ok(doc))
}

/// `GET /v1/appStoreVersionLocalizations/{id}/relationships/appScreenshotSets`.
pub fn list_set_linkages(state: &State, req: &Request, media: Media, localization: &str) -> Result<Reply> {
    let q = Query::parse(req.query, &["limit", "cursor"])?;
    api::localization_index(state, Kind::Version, localization)?;
    let sets: Vec<&MediaSet> = state
        .media_sets(media)
        .iter()
        .filter(|s| s.localization == localization)
        .collect();
    let doc = render::page(req, &q, sets, |s, _| {
        Ok(json!({ "type": media.set_type(), "id": s.id }))
    })?;
    Ok(Reply::ok(doc))
}

pub fn get_set(state: &State, req: &Request, media: Media, id: &str) -> Result<Reply> {
    let names = set_query_names(media);
    let allowed: Vec<&str> = names.iter().map(String::as_str).collect();
    let q = Query::parse(req.query, &allowed)?;
    let sq = set_query(&q, media)?;
    let set = &state.media_sets(media)[set_index(state, media, id)?];
    let mut included = Vec::new();
    let data = set_with_includes(state, req, media, set, &sq, &mut included)?;
    Ok(Reply::ok(render::single(req, data, included)))
}

/// `POST /v1/appScreenshotSets` / `POST /v1/appPreviewSets`.
pub fn create_set(state: &mut State, req: &Request, media: Media) -> Result<Reply> {
    Query::parse(req.query, &[])?;
    let doc = body::document(req, media.set_type(), None)?;
    let attribute = media.type_attribute();
    if let Some(name) = doc.attributes.keys().find(|n| *n != attribute) {
        return Err(ApiError::unknown_attribute(media.set_type(), name));
    }
    let display_type = match doc.attributes.get(attribute) {
        None | Some(Value::Null) => return Err(ApiError::required_attribute(attribute)),
        Some(Value::String(t)) => t.clone(),
        Some(_) => {
            return Err(ApiError::unprocessable(
                format!("'{attribute}' must be a string."),
                &format!("/data/attributes/{attribute}"),
            ));
        }
    };
    let relation = "appStoreVersionLocalization";
    let localization = match doc.relationships.keys().find(|k| *k != relation) {
        // Custom product pages and experiments take sets too; the fake has
        // none of them, so their relationships name nothing it knows.
        Some(other) => {
            let id = doc.relationships[other]["data"]["id"].as_str().unwrap_or("");
            return Err(ApiError::invalid_relationship(
                other,
                format!("There is no resource for the relationship '{other}' with id '{id}'"),
            ));
        }
        None => body::relationship_id(&doc, relation, Kind::Version.type_name())?,
    };
    if !media.display_types().contains(&display_type.as_str()) {
        return Err(ApiError::invalid_attribute(
            attribute,
            format!("'{display_type}' is not a valid value for '{attribute}'."),
        ));
    }
    let Some((platform, _)) = version_of(state, &localization) else {
        return Err(ApiError::invalid_relationship(
            relation,
            format!(
                "There is no resource of type '{}' with id '{localization}'",
                Kind::Version.type_name()
            ),
        ));
    };
    if apple::display_type_platform(&display_type) != platform {
        return Err(ApiError::invalid_attribute(
            attribute,
            format!("The {attribute} '{display_type}' is not valid for the platform '{platform}'."),
        ));
    }
    editable(state, &localization, |s| {
        format!(
            "{} sets cannot be created while the version is in the state '{s}'.",
            media.noun()
        )
    })?;
    let unsettled = state.unsettled_set_deletes.iter().any(|(t, l, d, until)| {
        t == media.set_type() && *l == localization && *d == display_type && req.now_ms < *until
    });
    if unsettled
        || state
            .media_sets(media)
            .iter()
            .any(|s| s.localization == localization && s.display_type == display_type)
    {
        return Err(ApiError::state(format!("{} Set Already Exists!", media.noun())));
    }
    let set = MediaSet {
        id: api::new_id("set-"),
        localization,
        display_type,
        assets: Vec::new(),
    };
    let location = format!("{}/v1/{}/{}", req.base, media.set_type(), set.id);
    let body = render::single(
        req,
        set_json(req, media, &set, &None, None, &mut Vec::new()),
        Vec::new(),
    );
    state.media_sets_mut(media).push(set);
    Ok(Reply::created(body, location))
}

pub fn delete_set(state: &mut State, req: &Request, media: Media, id: &str) -> Result<Reply> {
    Query::parse(req.query, &[])?;
    let s = set_index(state, media, id)?;
    let localization = state.media_sets(media)[s].localization.clone();
    editable(state, &localization, |_| {
        format!("Can't Delete {} Set After Submit for review", media.noun())
    })?;
    let set = state.media_sets_mut(media).remove(s);
    let now = req.now_ms;
    state.unsettled_set_deletes.retain(|d| d.3 > now);
    if req.set_delete_settle_ms > 0 {
        state.unsettled_set_deletes.push((
            media.set_type().to_owned(),
            set.localization,
            set.display_type,
            now + req.set_delete_settle_ms,
        ));
    }
    Ok(Reply::no_content())
}

/// `GET /v1/appScreenshotSets/{id}/appScreenshots`: the set's assets in
/// their order.
pub fn list_assets(state: &State, req: &Request, media: Media, set_id: &str) -> Result<Reply> {
    let asset_fields = format!("fields[{}]", media.asset_type());
    let set_fields = format!("fields[{}]", media.set_type());
    let q = Query::parse(req.query, &[&asset_fields, &set_fields, "limit", "cursor", "include"])?;
    let keep = render::fields(&q, media.asset_type(), media.asset_fields())?;
    let set_keep = render::fields(&q, media.set_type(), media.set_fields())?;
    let include = q.list("include", Some(&[media.set_relationship()]))?.is_some();
    let set = &state.media_sets(media)[set_index(state, media, set_id)?];
    let mut doc = render::page(req, &q, set.assets.iter().collect(), |a, _| {
        Ok(asset_json(req, media, &set.id, a, &keep))
    })?;
    if include && !set.assets.is_empty() {
        doc["included"] = json!([set_json(req, media, set, &set_keep, None, &mut Vec::new())]);
    }
    Ok(Reply::ok(doc))
}

/// `GET /v1/appScreenshotSets/{id}/relationships/appScreenshots`: the
/// order of the set.
pub fn list_asset_linkages(state: &State, req: &Request, media: Media, set_id: &str) -> Result<Reply> {
    let q = Query::parse(req.query, &["limit", "cursor"])?;
    let set = &state.media_sets(media)[set_index(state, media, set_id)?];
    let doc = render::page(req, &q, set.assets.iter().collect(), |a, _| {
        Ok(json!({ "type": media.asset_type(), "id": a.id }))
    })?;
    Ok(Reply::ok(doc))
}

/// `PATCH /v1/appScreenshotSets/{id}/relationships/appScreenshots`: a new
/// order, as a replace-to-many with the full list of the set's assets.
/// A list that leaves one out, repeats one or names another set's is
/// refused (409 `ENTITY_ERROR.RELATIONSHIP.INVALID`, inferred): the fake
/// does not take a reorder as a way to delete.
pub fn reorder(state: &mut State, req: &Request, media: Media, set_id: &str) -> Result<Reply> {
    Query::parse(req.query, &[])?;
    let s = set_index(state, media, set_id)?;
    let value: Value = serde_json::from_slice(req.body)
        .map_err(|e| ApiError::entity_invalid(format!("The request body is not valid JSON: {e}")))?;
    let Some(items) = value.get("data").and_then(Value::as_array) else {
        return Err(ApiError::unprocessable(
            "The request must have a 'data' array.",
            "/data",
        ));
    };
    let mut ids = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let (Some(t), Some(id)) = (
            item.get("type").and_then(Value::as_str),
            item.get("id").and_then(Value::as_str),
        ) else {
            return Err(ApiError::unprocessable(
                "Each item must have a 'type' and an 'id'.",
                &format!("/data/{i}"),
            ));
        };
        if t != media.asset_type() {
            return Err(ApiError::entity(
                "ENTITY_ERROR.INCLUDED.INVALID_TYPE",
                "The provided entity has an invalid type",
                format!("The type '{t}' is not valid here; expected '{}'.", media.asset_type()),
                &format!("/data/{i}/type"),
            ));
        }
        ids.push(id.to_owned());
    }
    let set = &state.media_sets(media)[s];
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    let mut current: Vec<&str> = set.assets.iter().map(|a| a.id.as_str()).collect();
    current.sort_unstable();
    if sorted.len() != ids.len() || sorted != current {
        return Err(ApiError::entity(
            "ENTITY_ERROR.RELATIONSHIP.INVALID",
            "The provided entity includes a relationship with an invalid value",
            format!(
                "The list must name each of the {} {} of the set once.",
                set.assets.len(),
                media.asset_type()
            ),
            "/data",
        ));
    }
    let localization = set.localization.clone();
    editable(state, &localization, |s| {
        format!("The order cannot be changed while the version is in the state '{s}'.")
    })?;
    let set = &mut state.media_sets_mut(media)[s];
    set.assets
        .sort_by_key(|a| ids.iter().position(|id| *id == a.id).unwrap_or(usize::MAX));
    Ok(Reply::no_content())
}

pub fn get_asset(state: &State, req: &Request, media: Media, id: &str) -> Result<Reply> {
    let asset_fields = format!("fields[{}]", media.asset_type());
    let set_fields = format!("fields[{}]", media.set_type());
    let q = Query::parse(req.query, &[&asset_fields, &set_fields, "include"])?;
    let keep = render::fields(&q, media.asset_type(), media.asset_fields())?;
    let set_keep = render::fields(&q, media.set_type(), media.set_fields())?;
    let include = q.list("include", Some(&[media.set_relationship()]))?.is_some();
    let (s, a) = asset_index(state, media, id)?;
    let set = &state.media_sets(media)[s];
    let data = asset_json(req, media, &set.id, &set.assets[a], &keep);
    let included = if include {
        vec![set_json(req, media, set, &set_keep, None, &mut Vec::new())]
    } else {
        Vec::new()
    };
    Ok(Reply::ok(render::single(req, data, included)))
}

/// An optional string attribute: absent or null is `None`.
fn optional_text(doc: &Document, name: &str) -> Result<Option<String>> {
    Ok(body::text(doc, name)?.flatten())
}

/// `POST /v1/appScreenshots` / `POST /v1/appPreviews`: a reservation,
/// answered with the upload operations.
pub fn create_asset(state: &mut State, req: &Request, media: Media) -> Result<Reply> {
    Query::parse(req.query, &[])?;
    let doc = body::document(req, media.asset_type(), None)?;
    if let Some(name) = doc
        .attributes
        .keys()
        .find(|n| !media.create_attributes().contains(&n.as_str()))
    {
        return Err(ApiError::unknown_attribute(media.asset_type(), name));
    }
    if let Some(extra) = doc.relationships.keys().find(|k| *k != media.set_relationship()) {
        return Err(ApiError::unknown_relationship(
            format!(
                "'{extra}' is not a relationship on the resource '{}'",
                media.asset_type()
            ),
            extra,
        ));
    }
    let file_name = match optional_text(&doc, "fileName")? {
        Some(n) if !n.is_empty() => n,
        _ => return Err(ApiError::required_attribute("fileName")),
    };
    let file_size = match doc.attributes.get("fileSize") {
        None | Some(Value::Null) => return Err(ApiError::required_attribute("fileSize")),
        Some(v) => match v.as_u64() {
            Some(n) if n > 0 => n,
            // An empty file has nothing to upload (inferred).
            Some(_) => {
                return Err(ApiError::invalid_attribute(
                    "fileSize",
                    "The 'fileSize' value must be greater than 0.",
                ));
            }
            None => {
                return Err(ApiError::unprocessable(
                    "'fileSize' must be an integer.",
                    "/data/attributes/fileSize",
                ));
            }
        },
    };
    let mime_type = optional_text(&doc, "mimeType")?;
    let frame = optional_text(&doc, "previewFrameTimeCode")?;
    let set_id = body::relationship_id(&doc, media.set_relationship(), media.set_type())?;
    let s = set_index(state, media, &set_id).map_err(|_| {
        ApiError::invalid_relationship(
            media.set_relationship(),
            format!("There is no resource of type '{}' with id '{set_id}'", media.set_type()),
        )
    })?;
    let set = &state.media_sets(media)[s];
    editable(state, &set.localization, |s| {
        format!(
            "{}s cannot be added while the version is in the state '{s}'.",
            media.noun()
        )
    })?;
    let max = media.max_per_set();
    if set.assets.len() >= max {
        return Err(ApiError::state(format!(
            "Too many {}s ({max})",
            media.noun().to_lowercase()
        )));
    }
    let asset = MediaAsset {
        id: api::new_id(if media == Media::Screenshot {
            "shot-"
        } else {
            "preview-"
        }),
        file_name,
        file_size,
        source_file_checksum: None,
        state: "AWAITING_UPLOAD".into(),
        mime_type,
        preview_frame_time_code: frame,
        parts: vec![None; parts(file_size).len()],
        ..MediaAsset::default()
    };
    let location = format!("{}/v1/{}/{}", req.base, media.asset_type(), asset.id);
    let body = render::single(req, asset_json(req, media, &set_id, &asset, &None), Vec::new());
    state.media_sets_mut(media)[s].assets.push(asset);
    Ok(Reply::created(body, location))
}

/// What processing will make of the uploaded bytes: the final state, its
/// errors, and the pixel size.
fn outcome(media: Media, display_type: &str, asset: &MediaAsset) -> (String, Vec<MediaError>, Option<(u32, u32)>) {
    let failed = |code: &str, description: &str| {
        let error = MediaError {
            code: code.into(),
            description: description.into(),
        };
        ("FAILED".to_owned(), vec![error], None)
    };
    if asset.parts.iter().any(Option::is_none) {
        // Apple's answer to a commit without every part is not documented:
        // the fake fails the asset (code inferred).
        return failed(
            "ASSET_UPLOAD_INCOMPLETE",
            "Not every part of the file was uploaded before the commit.",
        );
    }
    let bytes: Vec<u8> = asset.parts.iter().flatten().flatten().copied().collect();
    match media {
        Media::Screenshot => match imagesize::blob_size(&bytes) {
            Ok(size) => {
                let (w, h) = (size.width as u32, size.height as u32);
                if apple::screenshot_fits(display_type, w, h) {
                    ("COMPLETE".into(), Vec::new(), Some((w, h)))
                } else {
                    // Code seen live (§2.3); the description is inferred.
                    failed(
                        "IMAGE_INCORRECT_DIMENSIONS",
                        &format!("The dimensions of the screenshot ({w}x{h}) are not valid for {display_type}."),
                    )
                }
            }
            // Not an image Apple can read (code inferred).
            Err(_) => failed("IMAGE_TOOL_FAILURE", "The file could not be read as an image."),
        },
        // The size of a preview's video is shown when its header says it;
        // a preview is not failed for its size (Apple's code for that is
        // not known).
        Media::Preview if !apple::preview_has_sound(&bytes) => failed(
            "MOV_RESAVE_STEREO",
            "The app preview has no stereo audio track. Add one, silent if need be, and upload it again.",
        ),
        Media::Preview => ("COMPLETE".into(), Vec::new(), video_size(&bytes)),
    }
}

/// The width and height of the first video track of an MP4/QuickTime
/// file, from its `moov/trak/tkhd` box (16.16 fixed point, at the box's
/// end).
fn video_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let (_, moov) = boxes(bytes).find(|(t, _)| *t == b"moov")?;
    boxes(moov).filter(|(t, _)| *t == b"trak").find_map(|(_, trak)| {
        let (_, tkhd) = boxes(trak).find(|(t, _)| *t == b"tkhd")?;
        let end = tkhd.len().checked_sub(8)?;
        let w = u32::from_be_bytes(tkhd[end..end + 4].try_into().ok()?) >> 16;
        let h = u32::from_be_bytes(tkhd[end + 4..].try_into().ok()?) >> 16;
        (w > 0 && h > 0).then_some((w, h))
    })
}

/// `PATCH /v1/appScreenshots/{id}` / `PATCH /v1/appPreviews/{id}`: the
/// commit (`uploaded: true`, with the client's checksum) and, for
/// previews, the frame time code.
pub fn patch_asset(state: &mut State, req: &Request, media: Media, id: &str) -> Result<Reply> {
    Query::parse(req.query, &[])?;
    let (s, a) = asset_index(state, media, id)?;
    let doc = body::document(req, media.asset_type(), Some(id))?;
    if let Some(name) = doc
        .attributes
        .keys()
        .find(|n| !media.update_attributes().contains(&n.as_str()))
    {
        return Err(ApiError::unknown_attribute(media.asset_type(), name));
    }
    if let Some(rel) = doc.relationships.keys().next() {
        return Err(ApiError::unknown_relationship(
            format!(
                "'{rel}' is not a relationship that can be changed on '{}'",
                media.asset_type()
            ),
            rel,
        ));
    }
    let checksum = body::text(&doc, "sourceFileChecksum")?;
    let frame = body::text(&doc, "previewFrameTimeCode")?;
    let uploaded = match doc.attributes.get("uploaded") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(ApiError::unprocessable(
                "'uploaded' must be a boolean.",
                "/data/attributes/uploaded",
            ));
        }
    };
    let display_type = state.media_sets(media)[s].display_type.clone();
    let asset = &mut state.media_sets_mut(media)[s].assets[a];
    if let Some(f) = frame {
        asset.preview_frame_time_code = f;
    }
    if uploaded && asset.state == "AWAITING_UPLOAD" {
        let (final_state, errors, size) = outcome(media, &display_type, asset);
        let settles_at_ms = req.now_ms + req.processing_ms;
        asset.parts = Vec::new();
        asset.state = "UPLOAD_COMPLETE".into();
        let late = checksum.is_some() && req.late_checksum_ms > 0;
        asset.pending = Some(Pending {
            processing_at_ms: (media == Media::Preview).then_some(req.now_ms + req.processing_ms / 2),
            settles_at_ms,
            final_state,
            errors,
            width: size.map(|s| s.0),
            height: size.map(|s| s.1),
            checksum: if late { checksum.clone().flatten() } else { None },
            checksum_at_ms: settles_at_ms + req.late_checksum_ms,
        });
        if !late && let Some(c) = checksum {
            asset.source_file_checksum = c;
        }
    } else if let Some(c) = checksum {
        asset.source_file_checksum = c;
    }
    let data = asset_json(
        req,
        media,
        &state.media_sets(media)[s].id,
        &state.media_sets(media)[s].assets[a],
        &None,
    );
    Ok(Reply::ok(render::single(req, data, Vec::new())))
}

pub fn delete_asset(state: &mut State, req: &Request, media: Media, id: &str) -> Result<Reply> {
    Query::parse(req.query, &[])?;
    let (s, a) = asset_index(state, media, id)?;
    let localization = state.media_sets(media)[s].localization.clone();
    editable(state, &localization, |_| {
        format!("Can't Delete {} After Submit for review", media.noun())
    })?;
    state.media_sets_mut(media)[s].assets.remove(a);
    Ok(Reply::no_content())
}

/// Where an upload part goes: the asset (of either kind) an upload URL
/// names, if it awaits its upload.
pub fn find_upload<'a>(state: &'a mut State, id: &str) -> Option<&'a mut MediaAsset> {
    state
        .app_screenshot_sets
        .iter_mut()
        .chain(state.app_preview_sets.iter_mut())
        .flat_map(|s| s.assets.iter_mut())
        .find(|a| a.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_split_into_apples_part_size_with_the_rest_last() {
        let part = apple::UPLOAD_PART_BYTES;
        assert_eq!(parts(10), [(0, 10)]);
        assert_eq!(parts(part), [(0, part)]);
        assert_eq!(parts(2 * part + 3), [(0, part), (part, part), (2 * part, 3)]);
    }

    #[test]
    fn slots_take_their_sizes_turned_or_not_and_the_mac_only_landscape() {
        assert!(apple::screenshot_fits("APP_IPHONE_67", 1320, 2868));
        assert!(apple::screenshot_fits("APP_IPHONE_67", 2868, 1320));
        assert!(!apple::screenshot_fits("APP_IPHONE_67", 1284, 2778));
        assert!(apple::screenshot_fits("APP_IPHONE_65", 1284, 2778));
        assert!(apple::screenshot_fits("IMESSAGE_APP_IPHONE_65", 1242, 2688));
        assert!(apple::screenshot_fits("APP_IPHONE_40", 1136, 600));
        assert!(apple::screenshot_fits("APP_DESKTOP", 2880, 1800));
        assert!(!apple::screenshot_fits("APP_DESKTOP", 1800, 2880));
        assert!(apple::screenshot_fits("APP_IPAD_97", 1024, 768));
        assert!(apple::screenshot_fits("APP_IPAD_97", 768, 1024));
        // Every slot of the spec's enum has sizes.
        for t in apple::SCREENSHOT_DISPLAY_TYPES {
            assert!(!apple::screenshot_sizes(t).is_empty(), "{t}");
        }
    }

    #[test]
    fn each_slot_belongs_to_one_platform() {
        assert_eq!(apple::display_type_platform("APP_DESKTOP"), "MAC_OS");
        assert_eq!(apple::display_type_platform("DESKTOP"), "MAC_OS");
        assert_eq!(apple::display_type_platform("APP_APPLE_TV"), "TV_OS");
        assert_eq!(apple::display_type_platform("APPLE_VISION_PRO"), "VISION_OS");
        assert_eq!(apple::display_type_platform("IMESSAGE_APP_IPAD_97"), "IOS");
        assert_eq!(apple::display_type_platform("APP_WATCH_ULTRA"), "IOS");
    }

    #[test]
    fn a_video_size_is_read_from_its_track_header() {
        let mut tkhd = vec![0u8; 84];
        tkhd[76..80].copy_from_slice(&(886u32 << 16).to_be_bytes());
        tkhd[80..84].copy_from_slice(&(1920u32 << 16).to_be_bytes());
        let wrap = |kind: &[u8], inner: &[u8]| {
            let mut b = ((inner.len() + 8) as u32).to_be_bytes().to_vec();
            b.extend_from_slice(kind);
            b.extend_from_slice(inner);
            b
        };
        let file = [
            wrap(b"ftyp", b"isom"),
            wrap(b"moov", &wrap(b"trak", &wrap(b"tkhd", &tkhd))),
        ]
        .concat();
        assert_eq!(video_size(&file), Some((886, 1920)));
        assert_eq!(video_size(b"not a video"), None);
    }
}
