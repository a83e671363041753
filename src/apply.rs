//! Applying a plan: first a freshness check against the live state (a
//! plan whose `before` values no longer match is refused whole, nothing
//! written), then every unblocked change sent concurrently through the
//! client's shared limiter. Every change gets a result; one failure never
//! stops the others, so a partial apply reports exactly what is left.

use crate::client::jsonapi::Resource;
use crate::client::{Client, ClientError};
use crate::fields::{Field, ReviewField, RootField};
use crate::live::{LiveState, category_relationship};
use crate::plan::{Action, Change, Plan, fingerprint};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// A planned attribute whose live value moved since the plan was made.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stale {
    pub change: String,
    pub attribute: Option<String>,
    pub planned_before: Value,
    pub now: Value,
    pub reason: String,
}

/// The live value of a planned attribute now, as the plan records values.
fn current_value(live: &LiveState, change: &Change, attribute: &str) -> Result<Value, String> {
    let text = |v: Option<&String>| v.map_or(Value::Null, |s| Value::String(s.clone()));
    let id = change.id.as_deref().unwrap_or_default();
    match change.resource_type.as_str() {
        "appStoreVersionLocalizations" | "appInfoLocalizations" => {
            let locs = if change.resource_type == "appStoreVersionLocalizations" {
                Some(&live.version.localizations)
            } else {
                live.app_info.as_ref().map(|i| &i.localizations)
            };
            let loc = locs
                .and_then(|l| l.values().find(|l| l.id == id))
                .ok_or("the localization no longer exists")?;
            let field = Field::from_api_name(attribute).ok_or("unknown attribute")?;
            Ok(text(loc.values.get(&field).and_then(Option::as_ref)))
        }
        "appStoreVersions" => {
            if live.version.id != id {
                return Err(format!(
                    "the target version is now {} ({})",
                    live.version.version_string, live.version.state
                ));
            }
            Ok(text(live.version.copyright.as_ref()))
        }
        "appInfos" => {
            let info = live
                .app_info
                .as_ref()
                .filter(|i| i.id == id)
                .ok_or("the app info record changed")?;
            let field = RootField::ALL
                .into_iter()
                .find(|f| category_relationship(*f) == attribute)
                .ok_or("unknown relationship")?;
            Ok(text(info.categories.get(&field).and_then(Option::as_ref)))
        }
        "appStoreReviewDetails" => {
            let review = live
                .review
                .as_ref()
                .filter(|r| r.id == id)
                .ok_or("the review details changed")?;
            if attribute == "demoAccountRequired" {
                return Ok(review.demo_account_required.map_or(Value::Null, Value::Bool));
            }
            let field = ReviewField::ALL
                .into_iter()
                .find(|f| f.api_name() == attribute)
                .ok_or("unknown attribute")?;
            Ok(text(review.values.get(&field).and_then(Option::as_ref)))
        }
        other => Err(format!("unknown resource type {other}")),
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
            let exists = match change.resource_type.as_str() {
                "appStoreVersionLocalizations" => change
                    .locale
                    .as_ref()
                    .is_some_and(|l| live.version.localizations.contains_key(l)),
                "appInfoLocalizations" => change
                    .locale
                    .as_ref()
                    .is_some_and(|l| live.app_info.as_ref().is_some_and(|i| i.localizations.contains_key(l))),
                "appStoreReviewDetails" => live.review.is_some(),
                _ => false,
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
        for (name, planned) in &change.attributes {
            let salt = plan.secret_salt.as_deref().unwrap_or_default();
            let unchanged = |now: &Value| match &planned.fingerprints {
                Some(f) => now.as_str().map(|v| fingerprint(v, salt)) == f.before,
                None => *now == planned.before,
            };
            match current_value(live, change, name) {
                Ok(now) if unchanged(&now) => {}
                Ok(now) => out.push(Stale {
                    change: change.label(),
                    attribute: Some(name.clone()),
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
                    attribute: Some(name.clone()),
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
}

/// One change's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChangeResult {
    pub resource_type: String,
    pub id: Option<String>,
    pub locale: Option<String>,
    pub action: Action,
    pub attributes: Vec<String>,
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

fn failure(e: &ClientError) -> Failure {
    match e.api() {
        Some(api) => {
            let first = api.errors.first();
            let details: Vec<String> = api
                .errors
                .iter()
                .map(|e| e.detail.clone().unwrap_or_else(|| e.title.clone()))
                .collect();
            Failure {
                status: Some(api.status),
                code: first.map(|e| e.code.clone()),
                title: first.map(|e| e.title.clone()),
                detail: details.join(" "),
                pointer: first.and_then(|e| e.source().map(str::to_owned)),
            }
        }
        None => Failure {
            status: None,
            code: None,
            title: None,
            detail: e.to_string(),
            pointer: None,
        },
    }
}

/// The value to send for an attribute: the planned `after`, or for a
/// secret, the file's current text after checking it is what was planned.
fn value_to_send(change: &Change, name: &str, salt: &str) -> Result<Value, String> {
    let planned = &change.attributes[name];
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

fn attributes_body(change: &Change, salt: &str) -> Result<Map<String, Value>, String> {
    change
        .attributes
        .keys()
        .map(|name| value_to_send(change, name, salt).map(|v| (name.clone(), v)))
        .collect()
}

/// Sends one change.
async fn send(client: &Client, change: &Change, salt: &str) -> Result<(), ClientError> {
    let t = change.resource_type.as_str();
    let id = change.id.clone().unwrap_or_default();
    let attributes = attributes_body(change, salt).map_err(|detail| ClientError::Decode {
        method: "PLAN".into(),
        path: change.label(),
        reason: detail,
    })?;
    match change.action {
        Action::Update if t == "appInfos" => {
            let relationships: Map<String, Value> = attributes
                .into_iter()
                .map(|(name, v)| {
                    let data = match v {
                        Value::String(id) => json!({"type": "appCategories", "id": id}),
                        _ => Value::Null,
                    };
                    (name, json!({ "data": data }))
                })
                .collect();
            let body = json!({"data": {"type": t, "id": id, "relationships": relationships}});
            client.patch(&format!("/v1/{t}/{id}"), &body).await.map(|_| ())
        }
        Action::Update => {
            let body = json!({"data": {"type": t, "id": id, "attributes": attributes}});
            client.patch(&format!("/v1/{t}/{id}"), &body).await.map(|_| ())
        }
        Action::Delete => client.delete(&format!("/v1/{t}/{id}")).await,
        Action::Create => {
            let parent = change.parent.clone().unwrap_or_else(|| crate::plan::Parent {
                type_name: String::new(),
                id: String::new(),
            });
            let (relation, list) = match t {
                "appStoreVersionLocalizations" => (
                    "appStoreVersion",
                    format!("/v1/appStoreVersions/{}/appStoreVersionLocalizations", parent.id),
                ),
                "appInfoLocalizations" => ("appInfo", format!("/v1/appInfos/{}/appInfoLocalizations", parent.id)),
                _ => (
                    "appStoreVersion",
                    format!("/v1/appStoreVersions/{}/appStoreReviewDetail", parent.id),
                ),
            };
            let mut attributes = attributes;
            if let Some(locale) = &change.locale {
                attributes.insert("locale".into(), Value::String(locale.clone()));
            }
            let body = json!({"data": {"type": t, "attributes": attributes,
                "relationships": {relation: {"data": {"type": parent.type_name, "id": parent.id}}}}});
            let locale = change.locale.clone();
            client
                .create(&format!("/v1/{t}"), &body, || async {
                    if t == "appStoreReviewDetails" {
                        let doc = client.get(&list).await?;
                        return Ok(serde_json::from_value::<Resource>(doc.data).ok());
                    }
                    let url = format!("{list}?filter[locale]={}", locale.clone().unwrap_or_default());
                    Ok(client.get_all(&url).await?.data.into_iter().next())
                })
                .await
                .map(|_| ())
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
        format_version: crate::plan::FORMAT_VERSION,
        bundle_id: plan.source.bundle_id.clone(),
        version_string: plan.source.version_string.clone(),
        summary,
        results,
        requests: client.stats().since(&before),
    }
}

fn result_of(change: &Change, status: Status, error: Option<Failure>, reason: Option<String>) -> ChangeResult {
    ChangeResult {
        resource_type: change.resource_type.clone(),
        id: change.id.clone(),
        locale: change.locale.clone(),
        action: change.action,
        attributes: change.attributes.keys().cloned().collect(),
        status,
        error,
        reason,
    }
}
