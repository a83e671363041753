//! In-app purchases, subscription groups and subscriptions: their kinds,
//! the texts each localization holds, and the limits and version states
//! asc-sync predicts (shared/reference/assets-release-iap.md §3). Since
//! API 4.4.1 the texts live on the product's *versions*: an approved
//! version's texts cannot change, a new version captures them and goes
//! to review with the next submission, and versions cannot be deleted.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The three kinds of product whose texts the tree holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Family {
    InAppPurchase,
    SubscriptionGroup,
    Subscription,
}

impl Family {
    /// The API's product type (`inAppPurchases` for v2 in-app purchases).
    pub fn product_type(self) -> &'static str {
        match self {
            Family::InAppPurchase => "inAppPurchases",
            Family::SubscriptionGroup => "subscriptionGroups",
            Family::Subscription => "subscriptions",
        }
    }

    /// The version type (`inAppPurchaseVersions`).
    pub fn version_type(self) -> &'static str {
        match self {
            Family::InAppPurchase => "inAppPurchaseVersions",
            Family::SubscriptionGroup => "subscriptionGroupVersions",
            Family::Subscription => "subscriptionVersions",
        }
    }

    /// The localization type, v1 and v2 alike (`inAppPurchaseLocalizations`).
    pub fn localization_type(self) -> &'static str {
        match self {
            Family::InAppPurchase => "inAppPurchaseLocalizations",
            Family::SubscriptionGroup => "subscriptionGroupLocalizations",
            Family::Subscription => "subscriptionLocalizations",
        }
    }

    /// The relationship from a new version to its product.
    pub fn version_to_product(self) -> &'static str {
        match self {
            Family::InAppPurchase => "inAppPurchase",
            Family::SubscriptionGroup => "subscriptionGroup",
            Family::Subscription => "subscription",
        }
    }

    /// The texts of one localization, `name` first (required on create).
    pub fn texts(self) -> [ProductText; 2] {
        match self {
            Family::SubscriptionGroup => [ProductText::Name, ProductText::CustomAppName],
            _ => [ProductText::Name, ProductText::Description],
        }
    }

    /// What the tree calls it in messages.
    pub fn noun(self) -> &'static str {
        match self {
            Family::InAppPurchase => "in-app purchase",
            Family::SubscriptionGroup => "subscription group",
            Family::Subscription => "subscription",
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.noun())
    }
}

/// One text of a product localization.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ProductText {
    #[serde(rename = "name")]
    Name,
    #[serde(rename = "description")]
    Description,
    #[serde(rename = "customAppName")]
    CustomAppName,
}

impl ProductText {
    pub const ALL: [ProductText; 3] = [ProductText::Name, ProductText::Description, ProductText::CustomAppName];

    pub fn api_name(self) -> &'static str {
        match self {
            ProductText::Name => "name",
            ProductText::Description => "description",
            ProductText::CustomAppName => "customAppName",
        }
    }

    /// The file in a locale folder.
    pub fn file_name(self) -> &'static str {
        match self {
            ProductText::Name => "name.txt",
            ProductText::Description => "description.txt",
            ProductText::CustomAppName => "custom_app_name.txt",
        }
    }

    /// The longest value Apple takes, in characters: 30 and 45 for the
    /// name and description of in-app purchases (terraform-provider-apple's
    /// docs; security-union/remote-shutter PR #121 hit both), the same for
    /// subscriptions (the same display fields); a group's texts have no
    /// limit documented, and none is predicted.
    pub fn limit(self, family: Family) -> Option<usize> {
        match (family, self) {
            (Family::SubscriptionGroup, _) => None,
            (_, ProductText::Name) => Some(30),
            (_, ProductText::Description) => Some(45),
            (_, ProductText::CustomAppName) => None,
        }
    }
}

impl fmt::Display for ProductText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.api_name())
    }
}

/// Version states whose localizations still take edits: before
/// submission, and sent back. Apple: "When you need to change any
/// localization or image, you create a new version rather than editing
/// the live product" ("Working with In-App Purchase versions").
pub fn version_is_editable(state: &str) -> bool {
    matches!(
        state,
        "PREPARE_FOR_SUBMISSION" | "READY_FOR_REVIEW" | "REJECTED" | "DEVELOPER_REJECTED"
    )
}

/// A version waiting for or in review: a new one cannot be made, and
/// its texts cannot change, until Apple decides.
pub fn version_in_review(state: &str) -> bool {
    matches!(state, "WAITING_FOR_REVIEW" | "IN_REVIEW" | "ACCEPTED")
}
