//! The live texts of an app's in-app purchases, subscription groups and
//! subscriptions, in 2 + G requests (G groups): the app's in-app
//! purchases and its subscription groups at once, each with its versions
//! and its newest version's localizations included, then each group's
//! subscriptions the same way. A product read includes the newest
//! version's localizations; their ids are the version's (v2) ones.

use crate::client::jsonapi::{Collection, Resource};
use crate::client::{Client, ClientError};
use crate::model::products::{Family, ProductText};
use std::collections::BTreeMap;

/// A product's newest version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveProductVersion {
    pub id: String,
    pub version: u64,
    pub state: String,
}

/// One live localization of the newest version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveProductLocalization {
    pub id: String,
    pub texts: BTreeMap<ProductText, Option<String>>,
}

/// One live product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveProduct {
    pub family: Family,
    pub id: String,
    /// The product id, or a group's reference name.
    pub key: String,
    /// A subscription's group reference name.
    pub group: Option<String>,
    pub version: Option<LiveProductVersion>,
    pub localizations: BTreeMap<String, LiveProductLocalization>,
}

/// Every product of the app.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LiveProducts {
    pub items: Vec<LiveProduct>,
}

impl LiveProducts {
    pub fn find(&self, family: Family, key: &str, group: Option<&str>) -> Option<&LiveProduct> {
        self.items
            .iter()
            .find(|p| p.family == family && p.key == key && p.group.as_deref() == group)
    }
}

fn list_path(family: Family, owner: &str) -> String {
    let (loc, versions) = (family.localization_type(), family.version_type());
    let base = match family {
        Family::InAppPurchase => format!("/v1/apps/{owner}/inAppPurchasesV2"),
        Family::SubscriptionGroup => format!("/v1/apps/{owner}/subscriptionGroups"),
        Family::Subscription => format!("/v1/subscriptionGroups/{owner}/subscriptions"),
    };
    format!("{base}?limit=200&include={loc},versions&limit[{loc}]=50")
        + &format!("&fields[{loc}]=name,locale,{}", family.texts()[1].api_name())
        + &format!("&fields[{versions}]=version,state")
}

/// Reads every product's texts of the app `app_id`.
pub async fn fetch(client: &Client, app_id: &str) -> Result<LiveProducts, ClientError> {
    let (iap_path, group_path) = (
        list_path(Family::InAppPurchase, app_id),
        list_path(Family::SubscriptionGroup, app_id),
    );
    let (iaps, groups) = tokio::try_join!(client.get_all(&iap_path), client.get_all(&group_path))?;
    let mut items = products(Family::InAppPurchase, &iaps, None);
    let groups = products(Family::SubscriptionGroup, &groups, None);
    let subscriptions = futures::future::join_all(groups.iter().map(|g| async move {
        let list = client.get_all(&list_path(Family::Subscription, &g.id)).await?;
        Ok::<_, ClientError>(products(Family::Subscription, &list, Some(&g.key)))
    }))
    .await;
    items.extend(groups);
    for s in subscriptions {
        items.extend(s?);
    }
    Ok(LiveProducts { items })
}

/// The products of one list, with their included versions and
/// localizations.
fn products(family: Family, list: &Collection, group: Option<&str>) -> Vec<LiveProduct> {
    let included = |type_name: &str| -> BTreeMap<&str, &Resource> {
        list.included
            .iter()
            .filter(|r| r.type_name == type_name)
            .map(|r| (r.id.as_str(), r))
            .collect()
    };
    let (versions, localizations) = (included(family.version_type()), included(family.localization_type()));
    list.data
        .iter()
        .map(|p| {
            let key = match family {
                Family::SubscriptionGroup => p.str("referenceName"),
                _ => p.str("productId"),
            };
            let version = p
                .related_ids("versions")
                .unwrap_or_default()
                .iter()
                .filter_map(|id| versions.get(id))
                .map(|v| LiveProductVersion {
                    id: v.id.clone(),
                    version: v.attributes.get("version").and_then(|n| n.as_u64()).unwrap_or(0),
                    state: v.str("state").unwrap_or_default().to_owned(),
                })
                .max_by_key(|v| v.version);
            let localizations = p
                .related_ids(family.localization_type())
                .unwrap_or_default()
                .iter()
                .filter_map(|id| localizations.get(id))
                .filter_map(|l| {
                    let texts = family
                        .texts()
                        .iter()
                        .map(|t| (*t, l.str(t.api_name()).map(str::to_owned)))
                        .collect();
                    Some((
                        l.str("locale")?.to_owned(),
                        LiveProductLocalization {
                            id: l.id.clone(),
                            texts,
                        },
                    ))
                })
                .collect();
            LiveProduct {
                family,
                id: p.id.clone(),
                key: key.unwrap_or_default().to_owned(),
                group: group.map(str::to_owned),
                version,
                localizations,
            }
        })
        .collect()
}
