//! Request documents as Apple reads them: `{"data": {type, id?, attributes?,
//! relationships?}}`, refused in Apple's order of checks. Not JSON → 400
//! `ENTITY_INVALID`; the wrong shape → 422 `ENTITY_UNPROCESSABLE`; the
//! wrong type or id, unknown attributes and unacceptable values → 409
//! `ENTITY_ERROR…`.

use super::api::{Request, Result};
use super::apple::{self, Kind};
use super::errors::ApiError;
use serde_json::{Map, Value};

/// The parts of a request document, checked for shape.
pub struct Document {
    pub attributes: Map<String, Value>,
    pub relationships: Map<String, Value>,
}

/// Parses and checks a request document of `expected_type`; `path_id` is
/// the id in the URL for updates, `None` when creating.
pub fn document(req: &Request, expected_type: &str, path_id: Option<&str>) -> Result<Document> {
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
    check_id(data.get("id"), path_id)?;
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

/// An update names the id of its URL; a create names none.
fn check_id(id: Option<&Value>, path_id: Option<&str>) -> Result<()> {
    let id = match id {
        None => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => return Err(ApiError::unprocessable("'data.id' must be a string.", "/data/id")),
    };
    let invalid = |detail: String| {
        ApiError::entity(
            "ENTITY_ERROR.ID.INVALID",
            "The provided entity id is invalid",
            detail,
            "/data/id",
        )
    };
    match (path_id, id) {
        (Some(path), Some(body)) if path != body => Err(invalid(format!(
            "The id '{body}' in the request body does not match the id '{path}' in the path."
        ))),
        (Some(_), None) => Err(ApiError::unprocessable("'data.id' is required.", "/data/id")),
        (None, Some(_)) => Err(invalid("An id cannot be given when creating a resource.".into())),
        _ => Ok(()),
    }
}

/// A string-or-null attribute: `None` when absent, `Some(None)` for null.
pub fn text(doc: &Document, name: &str) -> Result<Option<Option<String>>> {
    match doc.attributes.get(name) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
        Some(_) => Err(ApiError::unprocessable(
            format!("'{name}' must be a string or null."),
            &format!("/data/attributes/{name}"),
        )),
    }
}

/// One attribute change: its name and its new value (`None` clears it).
pub type Change = (String, Option<String>);

/// The text attributes of a localization request: strings or null, of the
/// resource's attribute names, within Apple's limits, in the order the
/// spec lists them (Apple's errors come in that order: name, subtitle,
/// privacyPolicyUrl, privacyChoicesUrl). `locale` is allowed only when
/// creating (and read by the caller).
pub fn localization_changes(kind: Kind, doc: &Document, creating: bool) -> Result<Vec<Change>> {
    if let Some(name) = doc
        .attributes
        .keys()
        .find(|n| !(kind.attributes().contains(&n.as_str()) || creating && *n == "locale"))
    {
        return Err(ApiError::unknown_attribute(kind.type_name(), name));
    }
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for name in kind.attributes().iter().filter(|n| doc.attributes.contains_key(**n)) {
        let value = text(doc, name)?.flatten();
        if let Some(problem) = value.as_deref().and_then(|v| check_value(kind, name, v)) {
            problems.push(problem);
        }
        out.push(((*name).to_owned(), value));
    }
    match ApiError::merge(problems) {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// Apple's server-side checks of one value: its length, the URL form of
/// the attributes the spec types `format: uri`, the characters a text
/// field refuses, and control characters where they are refused.
fn check_value(kind: Kind, name: &str, value: &str) -> Option<ApiError> {
    if let Some(max) = apple::max_length(kind, name)
        && apple::length(value) > max
    {
        return Some(ApiError::too_long(name, max));
    }
    if apple::is_uri(kind, name) && !value.is_empty() && reqwest::Url::parse(value).is_err() {
        return Some(ApiError::invalid_attribute(
            name,
            format!("The '{name}' value is not a valid URL."),
        ));
    }
    if let Some(label) = apple::field_label(kind, name) {
        let found = apple::refused_characters(value);
        if !found.is_empty() {
            return Some(ApiError::invalid_characters(name, label, &found));
        }
    }
    if name == apple::NO_CONTROL_CHARACTERS && apple::has_control_character(value) {
        return Some(ApiError::control_characters(name));
    }
    None
}

/// The id of a required to-one relationship in a create request.
pub fn relationship_id(doc: &Document, name: &str, type_name: &str) -> Result<String> {
    let data = doc.relationships.get(name).and_then(|r| r.get("data"));
    match data {
        Some(d) if d.get("type").and_then(Value::as_str) == Some(type_name) => {
            match d.get("id").and_then(Value::as_str) {
                Some(id) => Ok(id.to_owned()),
                None => Err(ApiError::unprocessable(
                    format!("'{name}.data.id' is required."),
                    &format!("/data/relationships/{name}"),
                )),
            }
        }
        Some(_) => Err(ApiError::invalid_relationship(
            name,
            format!("The relationship '{name}' must refer to a resource of type '{type_name}'."),
        )),
        None => Err(ApiError::required_relationship(name)),
    }
}

/// The category a relationship of an `AppInfoUpdateRequest` sets: an
/// `appCategories` id, or `None` for `{"data": null}`.
pub fn category_change(name: &str, relationship: &Value) -> Result<Option<String>> {
    let pointer = format!("/data/relationships/{name}/data");
    match relationship.get("data") {
        Some(Value::Null) => Ok(None),
        Some(d) if d.get("type").and_then(Value::as_str) == Some("appCategories") => {
            match d.get("id").and_then(Value::as_str) {
                Some(id) => Ok(Some(id.to_owned())),
                None => Err(ApiError::unprocessable("'data.id' is required.", &pointer)),
            }
        }
        _ => Err(ApiError::unprocessable(
            "expected {\"data\": {\"type\": \"appCategories\", \"id\": …}} or {\"data\": null}",
            &pointer,
        )),
    }
}

/// Review-detail attributes of a request: strings or null, and the one
/// boolean; a contact phone as Apple takes it (an empty one is not
/// judged: nothing shows what Apple does with it).
pub fn review_changes(doc: &Document) -> Result<Vec<(String, Value)>> {
    let changes = review_values(doc)?;
    if let Some(Value::String(phone)) = doc.attributes.get("contactPhone")
        && !phone.trim().is_empty()
    {
        if apple::phone_as_judged(phone).len() > apple::MAX_PHONE_BYTES {
            return Err(ApiError::phone_too_long(apple::MAX_PHONE_BYTES));
        }
        if !apple::phone_is_valid(phone) {
            return Err(ApiError::invalid_phone());
        }
    }
    Ok(changes)
}

fn review_values(doc: &Document) -> Result<Vec<(String, Value)>> {
    let mut out = Vec::new();
    for (name, value) in &doc.attributes {
        let ok = if name == apple::REVIEW_FLAG {
            value.is_boolean() || value.is_null()
        } else if apple::REVIEW_TEXT_ATTRIBUTES.contains(&name.as_str()) {
            value.is_string() || value.is_null()
        } else {
            return Err(ApiError::unknown_attribute("appStoreReviewDetails", name));
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
