//! Applying a plan: first a freshness check against the live state (a
//! plan whose `before` values no longer match is refused whole, nothing
//! written), then every unblocked change sent concurrently through the
//! client's shared limiter. Every change gets a result; one failure never
//! stops the others, so a partial apply reports exactly what is left.

use crate::client::jsonapi::Resource;
use crate::client::{Client, ClientError};
use crate::live::{LiveLocalization, LiveState};
use crate::model::{Attribute, ResourceKind};
use crate::plan::{Action, Change, Plan, fingerprint};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A planned attribute whose live value moved since the plan was made.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stale {
    pub change: String,
    pub attribute: Option<Attribute>,
    pub planned_before: Value,
    pub now: Value,
    pub reason: String,
}

/// The live value of a planned attribute now, as the plan records values.
fn current_value(live: &LiveState, change: &Change, attribute: Attribute) -> Result<Value, String> {
    let text = |v: Option<&String>| v.map_or(Value::Null, |s| Value::String(s.clone()));
    let id = change.id.as_deref().unwrap_or_default();
    let localization = |locs: Option<&BTreeMap<String, LiveLocalization>>| {
        locs.and_then(|l| l.values().find(|l| l.id == id).cloned())
            .ok_or("the localization no longer exists")
    };
    match attribute {
        Attribute::Localized(field) => {
            let loc = match change.resource {
                ResourceKind::AppStoreVersionLocalizations => localization(Some(&live.version.localizations)),
                _ => localization(live.app_info.as_ref().map(|i| &i.localizations)),
            }?;
            Ok(text(loc.values.get(&field).and_then(Option::as_ref)))
        }
        Attribute::Copyright => {
            if live.version.id != id {
                return Err(format!(
                    "the target version is now {} ({})",
                    live.version.version_string, live.version.state
                ));
            }
            Ok(text(live.version.copyright.as_ref()))
        }
        Attribute::Category(slot) => {
            let info = live
                .app_info
                .as_ref()
                .filter(|i| i.id == id)
                .ok_or("the app info record changed")?;
            Ok(text(info.categories.get(&slot).and_then(Option::as_ref)))
        }
        Attribute::Review(_) | Attribute::DemoAccountRequired => {
            let review = live
                .review
                .as_ref()
                .filter(|r| r.id == id)
                .ok_or("the review details changed")?;
            Ok(match attribute {
                Attribute::Review(field) => text(review.values.get(&field).and_then(Option::as_ref)),
                _ => review.demo_account_required.map_or(Value::Null, Value::Bool),
            })
        }
    }
}

/// Every planned attribute whose live value is no longer the plan's
/// `before`; empty when the plan can be applied as it is. Attributes the
/// plan does not touch are not looked at: a web edit elsewhere is fine.
pub fn stale(plan: &Plan, live: &LiveState) -> Vec<Stale> {
    let mut out = Vec::new();
    if live.version.id != plan.source.version_id {
        out.push(Stale {
            change: "appStoreVersions".into(),
            attribute: None,
            planned_before: Value::String(plan.source.version_id.clone()),
            now: Value::String(live.version.id.clone()),
            reason: format!(
                "the plan was made for version {} ({}); the target is now {} ({})",
                plan.source.version_string, plan.source.version_state, live.version.version_string, live.version.state
            ),
        });
        return out;
    }
    for change in plan.changes.iter().filter(|c| !c.is_blocked()) {
        if change.action == Action::Create {
            let locale = change.locale.as_deref().unwrap_or_default();
            let exists = match change.resource {
                ResourceKind::AppStoreVersionLocalizations => live.version.localizations.contains_key(locale),
                ResourceKind::AppInfoLocalizations => live
                    .app_info
                    .as_ref()
                    .is_some_and(|i| i.localizations.contains_key(locale)),
                ResourceKind::AppStoreReviewDetails => live.review.is_some(),
                ResourceKind::AppStoreVersions | ResourceKind::AppInfos => false,
            };
            if exists {
                out.push(Stale {
                    change: change.label(),
                    attribute: None,
                    planned_before: Value::Null,
                    now: Value::String("exists".into()),
                    reason: "the plan creates it, but it exists now".into(),
                });
            }
            continue;
        }
        for (&name, planned) in &change.attributes {
            let salt = plan.secret_salt.as_deref().unwrap_or_default();
            let unchanged = |now: &Value| match &planned.fingerprints {
                Some(f) => now.as_str().map(|v| fingerprint(v, salt)) == f.before,
                None => *now == planned.before,
            };
            match current_value(live, change, name) {
                Ok(now) if unchanged(&now) => {}
                Ok(now) => out.push(Stale {
                    change: change.label(),
                    attribute: Some(name),
                    planned_before: planned.before.clone(),
                    now: if planned.sensitive {
                        Value::String(crate::plan::SENSITIVE.into())
                    } else {
                        now
                    },
                    reason: "changed since the plan was made".into(),
                }),
                Err(reason) => out.push(Stale {
                    change: change.label(),
                    attribute: Some(name),
                    planned_before: planned.before.clone(),
                    now: Value::Null,
                    reason,
                }),
            }
        }
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Applied,
    Failed,
    Skipped,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Failure {
    pub status: Option<u16>,
    pub code: Option<String>,
    pub title: Option<String>,
    pub detail: String,
    pub pointer: Option<String>,
    /// Each of Apple's errors, with the field it names: one change may be
    /// refused for several fields at once.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}

/// One of Apple's errors about a change.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Problem {
    /// The attribute or relationship Apple's `source.pointer` names,
    /// e.g. `name` for `/data/attributes/name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub code: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Problem {
    /// What to show: Apple's detail, or its title when it gave none.
    pub fn text(&self) -> &str {
        self.detail.as_deref().unwrap_or(&self.title)
    }
}

/// One change's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChangeResult {
    #[serde(rename = "resource_type")]
    pub resource: ResourceKind,
    pub id: Option<String>,
    pub locale: Option<String>,
    pub action: Action,
    pub attributes: Vec<Attribute>,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
    /// Why a change was skipped (blocked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ReportSummary {
    pub applied: usize,
    pub failed: usize,
    pub skipped: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct ApplyReport {
    pub format_version: u32,
    pub bundle_id: String,
    pub version_string: String,
    pub summary: ReportSummary,
    pub results: Vec<ChangeResult>,
    pub requests: crate::client::Stats,
}

impl ApplyReport {
    pub fn is_partial(&self) -> bool {
        self.summary.failed > 0
    }
}

/// Why one change was not applied: App Store Connect's answer, or the
/// plan itself (a secret file that changed since the plan was made).
enum SendError {
    Client(ClientError),
    Plan(String),
}

impl From<ClientError> for SendError {
    fn from(e: ClientError) -> SendError {
        SendError::Client(e)
    }
}

fn failure(e: &SendError) -> Failure {
    let e = match e {
        SendError::Client(e) => e,
        SendError::Plan(reason) => {
            return Failure {
                status: None,
                code: None,
                title: None,
                detail: reason.clone(),
                pointer: None,
                problems: Vec::new(),
            };
        }
    };
    match e.api() {
        Some(api) => {
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
        None => Failure {
            status: None,
            code: None,
            title: None,
            detail: e.to_string(),
            pointer: None,
            problems: Vec::new(),
        },
    }
}

/// The value to send for an attribute: the planned `after`, or for a
/// secret, the file's current text after checking it is what was planned.
fn value_to_send(change: &Change, name: Attribute, salt: &str) -> Result<Value, String> {
    let planned = &change.attributes[&name];
    if !planned.sensitive || planned.after.is_null() {
        return Ok(planned.after.clone());
    }
    let file = planned
        .file
        .as_deref()
        .ok_or("no file recorded for a sensitive value")?;
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
    let value = crate::tree::text::strip(&text).to_owned();
    if Some(fingerprint(&value, salt)) != planned.fingerprints.as_ref().and_then(|f| f.after.clone()) {
        return Err(format!("{file} changed since the plan was made; make the plan again"));
    }
    Ok(Value::String(value))
}

type Members = Map<String, Value>;

/// The change's values, attributes and relationships apart, as JSON:API
/// sends them (a category is `{"data": {"type": "appCategories", "id"}}`).
fn body_members(change: &Change, salt: &str) -> Result<(Members, Members), String> {
    let mut attributes = Map::new();
    let mut relationships = Map::new();
    for &name in change.attributes.keys() {
        let value = value_to_send(change, name, salt)?;
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

/// Sends one change.
async fn send(client: &Client, change: &Change, salt: &str) -> Result<(), SendError> {
    let plan_error = SendError::Plan;
    let t = change.resource.type_name();
    let (mut attributes, mut relationships) = body_members(change, salt).map_err(plan_error)?;
    match change.action {
        Action::Update => {
            let id = change.id.as_deref().unwrap_or_default();
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
        Action::Delete => {
            let id = change.id.as_deref().unwrap_or_default();
            Ok(client.delete(&format!("/v1/{t}/{id}")).await?)
        }
        Action::Create => {
            let (Some(parent), Some((_, relation)), Some(list)) = (
                change.parent.as_ref(),
                change.resource.parent(),
                change.parent.as_ref().and_then(|p| change.resource.list_under(&p.id)),
            ) else {
                return Err(plan_error("the plan names no parent to create it under".into()));
            };
            if let Some(locale) = &change.locale {
                attributes.insert("locale".into(), Value::String(locale.clone()));
            }
            relationships.insert(
                relation.into(),
                json!({"data": {"type": parent.resource, "id": parent.id}}),
            );
            let body = json!({"data": {"type": t, "attributes": attributes, "relationships": relationships}});
            // Was a POST whose answer was lost created after all? Read the
            // parent's children to find out before sending it again.
            let created = || async {
                if change.resource == ResourceKind::AppStoreReviewDetails {
                    let doc = client.get(&list).await?;
                    return Ok(serde_json::from_value::<Resource>(doc.data).ok());
                }
                let url = format!("{list}?filter[locale]={}", change.locale.as_deref().unwrap_or_default());
                Ok(client.get_all(&url).await?.data.into_iter().next())
            };
            client.create(&format!("/v1/{t}"), &body, created).await?;
            Ok(())
        }
    }
}

/// Sends every unblocked change, concurrently; `progress` hears of each
/// result as it comes.
pub async fn execute(client: Arc<Client>, plan: &Plan, progress: impl Fn(&ChangeResult)) -> ApplyReport {
    let before = client.stats();
    let mut results = Vec::with_capacity(plan.changes.len());
    let mut pending = futures::stream::FuturesUnordered::new();
    for (i, change) in plan.changes.iter().enumerate() {
        if let Some(reason) = &change.blocked {
            let r = result_of(change, Status::Skipped, None, Some(reason.clone()));
            progress(&r);
            results.push((i, r));
            continue;
        }
        let client = client.clone();
        let salt = plan.secret_salt.clone().unwrap_or_default();
        pending.push(async move { (i, send(&client, change, &salt).await) });
    }
    use futures::StreamExt;
    while let Some((i, outcome)) = pending.next().await {
        let change = &plan.changes[i];
        let r = match outcome {
            Ok(()) => result_of(change, Status::Applied, None, None),
            Err(e) => result_of(change, Status::Failed, Some(failure(&e)), None),
        };
        progress(&r);
        results.push((i, r));
    }
    results.sort_by_key(|(i, _)| *i);
    let results: Vec<ChangeResult> = results.into_iter().map(|(_, r)| r).collect();
    let mut summary = ReportSummary::default();
    for r in &results {
        match r.status {
            Status::Applied => summary.applied += 1,
            Status::Failed => summary.failed += 1,
            Status::Skipped => summary.skipped += 1,
        }
    }
    ApplyReport {
        format_version: crate::FORMAT_VERSION,
        bundle_id: plan.source.bundle_id.clone(),
        version_string: plan.source.version_string.clone(),
        summary,
        results,
        requests: client.stats().since(&before),
    }
}

fn result_of(change: &Change, status: Status, error: Option<Failure>, reason: Option<String>) -> ChangeResult {
    ChangeResult {
        resource: change.resource,
        id: change.id.clone(),
        locale: change.locale.clone(),
        action: change.action,
        attributes: change.attributes.keys().copied().collect(),
        status,
        error,
        reason,
    }
}
