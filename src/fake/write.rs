//! The POST, PATCH and DELETE endpoints, with Apple's rules: what each
//! state allows, the first-version whatsNew rule, locale validity and
//! uniqueness, the primary locale, and which categories fit which
//! relationship. A refused request changes nothing.

use super::api::{self, Reply, Request, Result};
use super::apple::{self, Kind};
use super::body::{self, Change, Document};
use super::errors::ApiError;
use super::query::Query;
use super::render::{self, Includes};
use super::state::{Attributes, Localization, ReviewDetail, State};
use serde_json::Value;

/// An error for every attribute the parent's state locks, one error object
/// each, as Apple sends them: `STATE_ERROR` on a version's localization,
/// `ENTITY_ERROR.ATTRIBUTE.INVALID.INVALID_STATE` on an app info's.
fn locked_attributes(state: &State, kind: Kind, app: usize, parent: usize, changes: &[Change]) -> Result<()> {
    let app = &state.apps[app];
    let (_, parent_state) = app.parent(kind, parent);
    let editable = match kind {
        Kind::Version => apple::version_is_editable(parent_state),
        Kind::AppInfo => apple::app_info_is_editable(parent_state),
    };
    let first = kind == Kind::Version && app.is_first_version(&app.app_store_versions[parent]);
    let locked: Vec<ApiError> = changes
        .iter()
        .filter(|(name, value)| {
            (!editable && !apple::editable_when_live(kind, name))
                || (first && name == apple::REFUSED_ON_FIRST_VERSION && value.is_some())
        })
        .map(|(name, _)| match kind {
            Kind::Version => ApiError::locked(name),
            Kind::AppInfo => ApiError::invalid_state(name),
        })
        .collect();
    match ApiError::merge(locked) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Apple's refusal of an app name that another app of the account has in
/// any of its app infos and locales: app names are unique, whatever their
/// locale.
fn name_taken(state: &State, kind: Kind, app: usize, changes: &[Change]) -> Result<()> {
    let wanted = changes
        .iter()
        .find(|(n, _)| n == "name")
        .and_then(|(_, v)| v.as_deref());
    let Some(wanted) = wanted.filter(|_| kind == Kind::AppInfo) else {
        return Ok(());
    };
    let taken = state
        .apps
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != app)
        .flat_map(|(_, other)| &other.app_infos)
        .flat_map(|info| &info.localizations)
        .filter_map(|l| l.attributes.get("name").cloned().flatten())
        .any(|name| apple::same_app_name(&name, wanted));
    if taken {
        Err(ApiError::duplicate_app_name())
    } else {
        Ok(())
    }
}

/// The `locale` of a create request.
fn new_locale(doc: &Document) -> Result<String> {
    match doc.attributes.get("locale") {
        Some(Value::String(l)) => Ok(l.clone()),
        Some(Value::Null) | None => Err(ApiError::required_attribute("locale")),
        Some(_) => Err(ApiError::unprocessable(
            "'locale' must be a string.",
            "/data/attributes/locale",
        )),
    }
}

/// The (app, parent) indices a create request's parent relationship names.
fn new_parent(state: &State, doc: &Document, kind: Kind) -> Result<(usize, usize)> {
    let (parent_rel, parent_type) = kind.parent();
    let parent_id = body::relationship_id(doc, parent_rel, parent_type)?;
    api::parent_index(state, kind, &parent_id).map_err(|_| {
        ApiError::invalid_relationship(
            parent_rel,
            format!("There is no resource of type '{parent_type}' with id '{parent_id}'"),
        )
    })
}

/// `POST /v1/appStoreVersionLocalizations` and `/v1/appInfoLocalizations`.
pub fn create_localization(state: &mut State, req: &Request, kind: Kind) -> Result<Reply> {
    Query::parse(req.query, &[])?;
    let doc = body::document(req, kind.type_name(), None)?;
    let (parent_rel, parent_type) = kind.parent();
    if let Some(extra) = doc.relationships.keys().find(|k| *k != parent_rel) {
        return Err(ApiError::unknown_relationship(
            format!("'{extra}' is not a relationship on the resource '{}'", kind.type_name()),
            extra,
        ));
    }
    let locale = new_locale(&doc)?;
    let changes = body::localization_changes(kind, &doc, true)?;
    if let Some(missing) = kind
        .required()
        .iter()
        .find(|r| !changes.iter().any(|(n, v)| n == *r && v.is_some()))
    {
        return Err(ApiError::required_attribute(missing));
    }
    let (a, p) = new_parent(state, &doc, kind)?;
    if !apple::is_locale(&locale) {
        return Err(ApiError::invalid_locale());
    }
    let (parent_id, parent_state) = state.apps[a].parent(kind, p);
    let parent_id = parent_id.to_owned();
    if !apple::accepts_new_locales(kind, parent_state) {
        return Err(ApiError::state(format!(
            "A new localization cannot be created while the {parent_type} resource is in the state '{parent_state}'."
        )));
    }
    locked_attributes(state, kind, a, p, &changes)?;
    if state.apps[a].localizations(kind, p).iter().any(|l| l.locale == locale) {
        return Err(ApiError::duplicate_locale(&locale));
    }
    name_taken(state, kind, a, &changes)?;
    let mut attributes: Attributes = kind.attributes().iter().map(|n| ((*n).to_owned(), None)).collect();
    attributes.extend(changes);
    let loc = Localization {
        id: api::new_id(kind.id_prefix()),
        locale,
        attributes,
    };
    let body = render::single(
        req,
        render::localization_json(req, kind, &parent_id, &loc, &None),
        Vec::new(),
    );
    let location = format!("{}/v1/{}/{}", req.base, kind.type_name(), loc.id);
    state.apps[a].localizations_mut(kind, p).push(loc);
    Ok(Reply::created(body, location))
}

pub fn patch_localization(state: &mut State, req: &Request, kind: Kind, id: &str) -> Result<Reply> {
    let type_name = kind.type_name();
    Query::parse(req.query, &[])?;
    let (a, p, l) = api::localization_index(state, kind, id)?;
    let doc = body::document(req, type_name, Some(id))?;
    if doc.attributes.contains_key("locale") {
        return Err(ApiError::unknown_attribute(type_name, "locale"));
    }
    if let Some(rel) = doc.relationships.keys().next() {
        return Err(ApiError::unknown_relationship(
            format!("'{rel}' is not a relationship that can be changed on '{type_name}'"),
            rel,
        ));
    }
    let changes = body::localization_changes(kind, &doc, false)?;
    locked_attributes(state, kind, a, p, &changes)?;
    if let Some((name, _)) = changes
        .iter()
        .find(|(n, v)| kind.required().contains(&n.as_str()) && v.as_deref().is_none_or(str::is_empty))
    {
        return Err(ApiError::required_attribute(name));
    }
    name_taken(state, kind, a, &changes)?;
    let app = &mut state.apps[a];
    app.localizations_mut(kind, p)[l].attributes.extend(changes);
    let data = render::localization_json(req, kind, app.parent(kind, p).0, &app.localizations(kind, p)[l], &None);
    Ok(Reply::ok(render::single(req, data, Vec::new())))
}

pub fn delete_localization(state: &mut State, req: &Request, kind: Kind, id: &str) -> Result<Reply> {
    Query::parse(req.query, &[])?;
    let (a, p, l) = api::localization_index(state, kind, id)?;
    let app = &mut state.apps[a];
    let (_, parent_state) = app.parent(kind, p);
    if !apple::accepts_new_locales(kind, parent_state) {
        return Err(ApiError::state(format!(
            "The localization cannot be deleted while its parent is in the state '{parent_state}'."
        )));
    }
    if app.localizations(kind, p)[l].locale == app.primary_locale {
        return Err(ApiError::state(
            "The localization of the app's primary locale cannot be deleted.",
        ));
    }
    app.localizations_mut(kind, p).remove(l);
    if kind == Kind::Version {
        // A localization's screenshot and preview sets go with it.
        state.app_screenshot_sets.retain(|s| s.localization != id);
        state.app_preview_sets.retain(|s| s.localization != id);
    }
    Ok(Reply::no_content())
}

pub fn patch_version(state: &mut State, req: &Request, id: &str) -> Result<Reply> {
    Query::parse(req.query, &[])?;
    let doc = body::document(req, "appStoreVersions", Some(id))?;
    let (a, v) = api::version_index(state, id)?;
    if let Some(name) = doc
        .attributes
        .keys()
        .find(|n| !apple::VERSION_UPDATE_ATTRIBUTES.contains(&n.as_str()))
    {
        return Err(ApiError::unknown_attribute("appStoreVersions", name));
    }
    if !apple::version_is_editable(&state.apps[a].app_store_versions[v].app_version_state)
        && let Some(e) = ApiError::merge(doc.attributes.keys().map(|n| ApiError::locked(n)).collect())
    {
        return Err(e);
    }
    let copyright = body::text(&doc, "copyright")?;
    let release_type = body::text(&doc, "releaseType")?;
    let earliest = body::text(&doc, "earliestReleaseDate")?;
    let version_string = body::text(&doc, "versionString")?;
    if let Some(Some(date)) = &earliest
        && time::OffsetDateTime::parse(date, &time::format_description::well_known::Rfc3339).is_err()
    {
        return Err(ApiError::invalid_attribute(
            "earliestReleaseDate",
            format!("'{date}' is not a valid date-time for 'earliestReleaseDate'."),
        ));
    }
    if let Some(Some(rt)) = &release_type
        && !apple::RELEASE_TYPES.contains(&rt.as_str())
    {
        return Err(ApiError::invalid_attribute(
            "releaseType",
            format!("'{rt}' is not a valid value for 'releaseType'."),
        ));
    }
    let app = &mut state.apps[a];
    let version = &mut app.app_store_versions[v];
    if let Some(c) = copyright {
        version.copyright = c;
    }
    if let Some(r) = release_type {
        version.release_type = r;
    }
    if let Some(d) = earliest {
        version.earliest_release_date = d;
    }
    if let Some(Some(s)) = version_string {
        version.version_string = s;
    }
    let q = Query::parse(None, &[])?;
    let data = render::version_json(
        req,
        &q,
        app,
        &app.app_store_versions[v],
        &Includes::NONE,
        &mut Vec::new(),
    )?;
    Ok(Reply::ok(render::single(req, data, Vec::new())))
}

/// The category relationships of an `AppInfoUpdateRequest`, in order.
fn category_changes(doc: &Document) -> Result<Vec<Change>> {
    let mut changes = Vec::new();
    for (name, rel) in &doc.relationships {
        if !apple::CATEGORY_RELATIONSHIPS.contains(&name.as_str()) {
            return Err(ApiError::unknown_relationship(
                format!("'{name}' is not a relationship that can be changed on 'appInfos'"),
                name,
            ));
        }
        changes.push((name.clone(), body::category_change(name, rel)?));
    }
    Ok(changes)
}

/// Apple's relationship error for each category that is not one of
/// Apple's, or does not fit its relationship: a subcategory as a category,
/// a category as a subcategory, or a subcategory of another category than
/// the one it refines (as changed by the same request, else as stored).
fn misfit_categories(state: &State, a: usize, i: usize, changes: &[Change]) -> Result<()> {
    let info = &state.apps[a].app_infos[i];
    let current = |relationship: &str| -> Option<String> {
        match changes.iter().find(|(n, _)| n == relationship) {
            Some((_, value)) => value.clone(),
            None => info.category(relationship).cloned().flatten(),
        }
    };
    let misfits: Vec<ApiError> = changes
        .iter()
        .filter_map(|(name, value)| Some((name, value.as_deref()?)))
        .filter(|(name, id)| {
            let parent = apple::subcategory_of(name).and_then(current);
            !apple::category_fits(name, id, parent.as_deref())
        })
        .map(|(name, _)| ApiError::invalid_category(name))
        .collect();
    match ApiError::merge(misfits) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

pub fn patch_app_info(state: &mut State, req: &Request, id: &str) -> Result<Reply> {
    Query::parse(req.query, &[])?;
    let doc = body::document(req, "appInfos", Some(id))?;
    if let Some(name) = doc.attributes.keys().next() {
        return Err(ApiError::unknown_attribute("appInfos", name));
    }
    let (a, i) = api::app_info_index(state, id)?;
    let changes = category_changes(&doc)?;
    misfit_categories(state, a, i, &changes)?;
    if !apple::app_info_is_editable(&state.apps[a].app_infos[i].state)
        && let Some(e) = ApiError::merge(changes.iter().map(|(n, _)| ApiError::locked(n)).collect())
    {
        return Err(e);
    }
    let info = &mut state.apps[a].app_infos[i];
    for (name, value) in changes {
        if let Some(slot) = info.category_mut(&name) {
            *slot = value;
        }
    }
    let q = Query::parse(None, &[])?;
    let data = render::app_info_json(req, &q, info, None, &mut Vec::new())?;
    Ok(Reply::ok(render::single(req, data, Vec::new())))
}

fn apply_review(r: &mut ReviewDetail, changes: Vec<(String, Value)>) {
    for (name, value) in changes {
        if name == apple::REVIEW_FLAG {
            r.demo_account_required = value.as_bool();
        } else if let Some(slot) = r.text_mut(&name) {
            *slot = value.as_str().map(str::to_owned);
        }
    }
}

/// Review details change only while their version is editable.
fn review_editable(state: &State, a: usize, v: usize) -> Result<()> {
    let s = &state.apps[a].app_store_versions[v].app_version_state;
    if apple::version_is_editable(s) {
        Ok(())
    } else {
        Err(ApiError::state(format!(
            "The review details cannot be changed while the version is in the state '{s}'."
        )))
    }
}

pub fn create_review_detail(state: &mut State, req: &Request) -> Result<Reply> {
    Query::parse(req.query, &[])?;
    let doc = body::document(req, "appStoreReviewDetails", None)?;
    let changes = body::review_changes(&doc)?;
    let version_id = body::relationship_id(&doc, "appStoreVersion", "appStoreVersions")?;
    let (a, v) = api::version_index(state, &version_id)?;
    review_editable(state, a, v)?;
    if state.apps[a].app_store_versions[v].review_detail.is_some() {
        return Err(ApiError::invalid_relationship(
            "appStoreVersion",
            "The version already has review details; update them instead.",
        ));
    }
    let mut r = ReviewDetail {
        id: api::new_id("review-"),
        ..ReviewDetail::default()
    };
    apply_review(&mut r, changes);
    let location = format!("{}/v1/appStoreReviewDetails/{}", req.base, r.id);
    let body = render::single(req, render::review_json(req, &version_id, &r, &None, None), Vec::new());
    state.apps[a].app_store_versions[v].review_detail = Some(r);
    Ok(Reply::created(body, location))
}

pub fn patch_review_detail(state: &mut State, req: &Request, id: &str) -> Result<Reply> {
    Query::parse(req.query, &[])?;
    let (a, v) = api::review_index(state, id)?;
    let doc = body::document(req, "appStoreReviewDetails", Some(id))?;
    let changes = body::review_changes(&doc)?;
    review_editable(state, a, v)?;
    let version = &mut state.apps[a].app_store_versions[v];
    let r = version.review_detail.as_mut().expect("found by id");
    apply_review(r, changes);
    let data = render::review_json(req, &version.id, r, &None, None);
    Ok(Reply::ok(render::single(req, data, Vec::new())))
}
