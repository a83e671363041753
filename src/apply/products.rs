//! Writing in-app purchase and subscription texts: per product, the new
//! version first when the plan makes one (a lost answer is found again
//! as the product's editable version), its captured localizations read
//! to learn their ids, then the creates and updates at once, then the
//! deletes (so a version never loses its last localization on the way).
//! Products go concurrently, all under the client's limiter.

use super::send::client_failure;
use super::{Failure, Status};
use crate::client::jsonapi::Resource;
use crate::client::{Client, ClientError};
use crate::model::products::{Family, ProductText, version_is_editable};
use crate::plan::Action;
use crate::plan::products::ProductChange;
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};

/// One localization's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProductResult {
    pub family: Family,
    pub product: String,
    pub locale: String,
    pub action: Action,
    pub attributes: Vec<ProductText>,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl ProductResult {
    pub(super) fn of(c: &ProductChange, status: Status) -> ProductResult {
        ProductResult {
            family: c.family,
            product: c.product.clone(),
            locale: c.locale.clone(),
            action: c.action,
            attributes: c.attributes.keys().copied().collect(),
            status,
            error: None,
            reason: c.blocked.clone(),
        }
    }

    /// `inAppPurchaseLocalizations com.example.pro en-US`.
    pub fn label(&self) -> String {
        format!("{} {} {}", self.family.localization_type(), self.product, self.locale)
    }
}

/// The path of a product's versions.
fn versions_path(family: Family, product_id: &str) -> String {
    match family {
        Family::InAppPurchase => format!("/v2/inAppPurchases/{product_id}/versions"),
        Family::SubscriptionGroup => format!("/v1/subscriptionGroups/{product_id}/versions"),
        Family::Subscription => format!("/v1/subscriptions/{product_id}/versions"),
    }
}

/// Sends every product's changes; `progress` hears of each result.
pub async fn send_all(
    client: &Client,
    todo: Vec<ProductChange>,
    progress: &(dyn Fn(&ProductResult) + Sync),
) -> Vec<ProductResult> {
    let mut by_product: BTreeMap<(Family, String), Vec<ProductChange>> = BTreeMap::new();
    for c in todo {
        by_product.entry((c.family, c.product_id.clone())).or_default().push(c);
    }
    let runs = by_product
        .into_values()
        .map(|changes| async move { send_product(client, changes, progress).await });
    futures::future::join_all(runs).await.into_iter().flatten().collect()
}

async fn send_product(
    client: &Client,
    mut changes: Vec<ProductChange>,
    progress: &(dyn Fn(&ProductResult) + Sync),
) -> Vec<ProductResult> {
    let fail_all = |changes: &[ProductChange], e: &ClientError| -> Vec<ProductResult> {
        changes
            .iter()
            .map(|c| {
                let mut r = ProductResult::of(c, Status::Failed);
                r.error = Some(client_failure(e));
                progress(&r);
                r
            })
            .collect()
    };
    let (family, product_id) = (changes[0].family, changes[0].product_id.clone());
    if changes.iter().any(|c| c.version_id.is_none()) {
        let version = match new_version(client, family, &product_id).await {
            Ok(id) => id,
            Err(e) => return fail_all(&changes, &e),
        };
        let captured = match localizations_of(client, family, &version).await {
            Ok(list) => list,
            Err(e) => return fail_all(&changes, &e),
        };
        for c in &mut changes {
            c.version_id = Some(version.clone());
            match (c.action, captured.get(&c.locale)) {
                (Action::Create, Some(id)) | (Action::Update, Some(id)) => {
                    c.action = Action::Update;
                    c.id = Some(id.clone());
                }
                (Action::Update, None) => c.action = Action::Create,
                (Action::Delete, Some(id)) => c.id = Some(id.clone()),
                _ => {}
            }
        }
    }
    let (deletes, writes): (Vec<ProductChange>, Vec<ProductChange>) =
        changes.into_iter().partition(|c| c.action == Action::Delete);
    let mut out = Vec::new();
    for round in [writes, deletes] {
        let sent = futures::future::join_all(round.iter().map(|c| send(client, c))).await;
        for (c, outcome) in round.iter().zip(sent) {
            let mut r = ProductResult::of(c, Status::Applied);
            if let Err(e) = outcome {
                r.status = Status::Failed;
                r.error = Some(client_failure(&e));
            }
            progress(&r);
            out.push(r);
        }
    }
    out
}

/// Makes the product's next version; a lost answer is found again as
/// the product's editable version.
async fn new_version(client: &Client, family: Family, product_id: &str) -> Result<String, ClientError> {
    let body = json!({"data": {
        "type": family.version_type(),
        "relationships": { family.version_to_product(): {
            "data": {"type": family.product_type(), "id": product_id}
        }}
    }});
    let path = versions_path(family, product_id);
    let find = || async {
        let list = client.get_all(&format!("{path}?limit=50")).await?;
        Ok(list
            .data
            .into_iter()
            .find(|v: &Resource| v.str("state").is_some_and(version_is_editable)))
    };
    Ok(client
        .create(&format!("/v1/{}", family.version_type()), &body, find)
        .await?
        .id)
}

/// A version's localizations, by locale.
async fn localizations_of(
    client: &Client,
    family: Family,
    version: &str,
) -> Result<HashMap<String, String>, ClientError> {
    let list = client
        .get_all(&format!(
            "/v1/{}/{version}/localizations?limit=50",
            family.version_type()
        ))
        .await?;
    Ok(list
        .data
        .iter()
        .filter_map(|l| Some((l.str("locale")?.to_owned(), l.id.clone())))
        .collect())
}

fn attributes(c: &ProductChange) -> Map<String, Value> {
    c.attributes
        .iter()
        .map(|(text, a)| (text.api_name().to_owned(), json!(a.after.as_text())))
        .collect()
}

async fn send(client: &Client, c: &ProductChange) -> Result<(), ClientError> {
    let kind = c.family.localization_type();
    match (c.action, &c.id) {
        (Action::Update, Some(id)) => {
            let body = json!({"data": {"type": kind, "id": id, "attributes": attributes(c)}});
            client.patch(&format!("/v2/{kind}/{id}"), &body).await.map(|_| ())
        }
        (Action::Delete, Some(id)) => client.delete_gone(&format!("/v2/{kind}/{id}")).await,
        (_, _) => {
            let version = c.version_id.clone().unwrap_or_default();
            let mut attributes = attributes(c);
            attributes.insert("locale".into(), json!(c.locale));
            let body = json!({"data": {
                "type": kind,
                "attributes": attributes,
                "relationships": {"version": {"data": {"type": c.family.version_type(), "id": version}}}
            }});
            let find = || async {
                let list = localizations_of(client, c.family, &version).await?;
                Ok(list.get(&c.locale).map(|id| Resource {
                    type_name: kind.to_owned(),
                    id: id.clone(),
                    ..Resource::default()
                }))
            };
            client.create(&format!("/v2/{kind}"), &body, find).await.map(|_| ())
        }
    }
}
