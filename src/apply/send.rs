//! One change as the requests App Store Connect takes: the JSON:API body
//! of a PATCH or POST, a DELETE, and the version a plan creates.

use super::{Failure, Problem};
use crate::client::jsonapi::Resource;
use crate::client::{Client, ClientError};
use crate::model::{Attribute, ResourceKind};
use crate::plan::secret::DigestKey;
use crate::plan::{Action, Change, Plan};
use serde_json::{Map, Value, json};

/// Why one change was not applied: App Store Connect's answer, or the
/// plan itself (a secret file that changed since the plan was made).
pub enum SendError {
    Client(ClientError),
    Plan(String),
}

impl From<ClientError> for SendError {
    fn from(e: ClientError) -> SendError {
        SendError::Client(e)
    }
}

fn plain_failure(detail: String) -> Failure {
    Failure {
        status: None,
        code: None,
        title: None,
        detail,
        pointer: None,
        problems: Vec::new(),
    }
}

pub fn failure(e: &SendError) -> Failure {
    match e {
        SendError::Client(e) => client_failure(e),
        SendError::Plan(reason) => plain_failure(reason.clone()),
    }
}

/// App Store Connect's answer (or why there was none) as a failure.
pub fn client_failure(e: &ClientError) -> Failure {
    let Some(api) = e.api() else {
        return plain_failure(e.to_string());
    };
    let first = api.errors.first();
    let problems: Vec<Problem> = api
        .errors
        .iter()
        .map(|e| Problem {
            field: e
                .source()
                .and_then(|p| p.rsplit('/').find(|s| !s.is_empty() && *s != "data"))
                .map(str::to_owned),
            code: e.code.clone(),
            title: e.title.clone(),
            detail: e.detail.clone(),
        })
        .collect();
    Failure {
        status: Some(api.status),
        code: first.map(|e| e.code.clone()),
        title: first.map(|e| e.title.clone()),
        detail: problems.iter().map(Problem::text).collect::<Vec<_>>().join(" "),
        pointer: first.and_then(|e| e.source().map(str::to_owned)),
        problems,
    }
}

/// What a send needs besides the change: the key and salt of the plan's
/// secret digests.
pub struct Secrets<'a> {
    pub key: &'a DigestKey,
    pub salt: Option<&'a str>,
}

/// The value to send for an attribute: the planned `after`, or for a
/// secret, the file's current text after checking it is what was planned.
fn value_to_send(change: &Change, name: Attribute, secrets: &Secrets) -> Result<Value, String> {
    let planned = &change.attributes[&name];
    if !planned.sensitive || planned.after.is_unset() {
        return Ok(planned.after.to_json());
    }
    let file = planned
        .file
        .as_deref()
        .ok_or("no file recorded for a sensitive value")?;
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
    let value = crate::tree::text::strip(&text).to_owned();
    let digest = planned.fingerprints.as_ref().and_then(|f| f.after.as_deref());
    if !digest.is_some_and(|d| secrets.key.matches(d, &value, secrets.salt)) {
        return Err(format!(
            "{file} changed since the plan was made (or the plan was made with another API key); make the plan again"
        ));
    }
    Ok(Value::String(value))
}

type Members = Map<String, Value>;

/// The change's values, attributes and relationships apart, as JSON:API
/// sends them (a category is `{"data": {"type": "appCategories", "id"}}`).
fn body_members(change: &Change, secrets: &Secrets) -> Result<(Members, Members), String> {
    let mut attributes = Map::new();
    let mut relationships = Map::new();
    for &name in change.attributes.keys() {
        let value = value_to_send(change, name, secrets)?;
        if name.is_relationship() {
            let data = match value {
                Value::String(id) => json!({"type": "appCategories", "id": id}),
                _ => Value::Null,
            };
            relationships.insert(name.to_string(), json!({ "data": data }));
        } else {
            attributes.insert(name.to_string(), value);
        }
    }
    Ok((attributes, relationships))
}

/// Sends one change of an existing resource, or a create under one.
pub async fn send(client: &Client, change: &Change, secrets: &Secrets<'_>) -> Result<(), SendError> {
    let t = change.resource.type_name();
    let (mut attributes, mut relationships) = body_members(change, secrets).map_err(SendError::Plan)?;
    let id = change.id.as_deref().unwrap_or_default();
    match change.action {
        Action::Update => {
            let mut data = json!({"type": t, "id": id});
            if !attributes.is_empty() {
                data["attributes"] = Value::Object(attributes);
            }
            if !relationships.is_empty() {
                data["relationships"] = Value::Object(relationships);
            }
            client.patch(&format!("/v1/{t}/{id}"), &json!({ "data": data })).await?;
            Ok(())
        }
        Action::Delete => Ok(client.delete(&format!("/v1/{t}/{id}")).await?),
        Action::Create => {
            let parent = change.parent.as_ref().and_then(|p| Some((p.resource, p.id.clone()?)));
            let (Some((parent_type, parent_id)), Some((_, relation))) = (parent, change.resource.parent()) else {
                return Err(SendError::Plan("the plan names no parent to create it under".into()));
            };
            if let Some(locale) = &change.locale {
                attributes.insert("locale".into(), Value::String(locale.clone()));
            }
            relationships.insert(relation.into(), json!({"data": {"type": parent_type, "id": parent_id}}));
            let body = json!({"data": {"type": t, "attributes": attributes, "relationships": relationships}});
            client
                .create(&format!("/v1/{t}"), &body, || created(client, change, &parent_id))
                .await?;
            Ok(())
        }
    }
}

/// Was a create whose answer was lost made after all? Reads the parent's
/// children to find out before sending it again.
async fn created(client: &Client, change: &Change, parent_id: &str) -> Result<Option<Resource>, ClientError> {
    let Some(list) = change.resource.list_under(parent_id) else {
        return Ok(None);
    };
    if change.resource == ResourceKind::AppStoreReviewDetails {
        let doc = client.get(&list).await?;
        return Ok(serde_json::from_value::<Resource>(doc.data).ok());
    }
    let url = format!("{list}?filter[locale]={}", change.locale.as_deref().unwrap_or_default());
    Ok(client.get_all(&url).await?.data.into_iter().next())
}

/// Creates the version a plan targets (`POST /v1/appStoreVersions`) and
/// returns its id. A lost answer is checked by listing the app's versions
/// of that string, so the version is never created twice.
pub async fn create_version(
    client: &Client,
    plan: &Plan,
    change: &Change,
    secrets: &Secrets<'_>,
) -> Result<String, SendError> {
    let (mut attributes, _) = body_members(change, secrets).map_err(SendError::Plan)?;
    let source = &plan.source;
    attributes.insert("platform".into(), Value::String(source.platform.to_string()));
    let body = json!({"data": {
        "type": "appStoreVersions",
        "attributes": attributes,
        "relationships": {"app": {"data": {"type": "apps", "id": source.app_id}}},
    }});
    let find = || async {
        let url = format!(
            "/v1/apps/{}/appStoreVersions?filter[platform]={}&filter[versionString]={}",
            source.app_id, source.platform, source.version_string
        );
        Ok(client.get_all(&url).await?.data.into_iter().next())
    };
    let created = client.create("/v1/appStoreVersions", &body, find).await?;
    Ok(created.id)
}

/// The localizations a version has, by locale: Apple may fill a version
/// it creates from the one before, and a create of a locale it already
/// has would be refused, so apply updates those instead.
pub async fn localizations_of(client: &Client, version_id: &str) -> Result<Vec<(String, String)>, ClientError> {
    let list = ResourceKind::AppStoreVersionLocalizations
        .list_under(version_id)
        .unwrap_or_default();
    let doc = client.get_all(&format!("{list}?limit=200")).await?;
    Ok(doc
        .data
        .iter()
        .filter_map(|r| Some((r.str("locale")?.to_owned(), r.id.clone())))
        .collect())
}
