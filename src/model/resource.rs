//! The App Store Connect resources a plan changes, named as the API names
//! their JSON:API `type`, and how they hang together.

use serde::{Deserialize, Serialize};

/// A resource type. Declaration order is the order a plan lists changes
/// of one locale in: a version localization before its paired app-info
/// localization, as Apple asks them to be created.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "camelCase")]
#[strum(serialize_all = "camelCase")]
pub enum ResourceKind {
    AppStoreVersions,
    AppStoreVersionLocalizations,
    AppInfos,
    AppInfoLocalizations,
    AppStoreReviewDetails,
}

impl ResourceKind {
    /// The JSON:API type name, e.g. `appStoreVersionLocalizations`.
    pub fn type_name(self) -> &'static str {
        self.into()
    }

    /// The resource a new one is created under, and the name of the
    /// relationship that points to it; `None` for what asc-sync never creates.
    pub fn parent(self) -> Option<(ResourceKind, &'static str)> {
        match self {
            ResourceKind::AppStoreVersionLocalizations | ResourceKind::AppStoreReviewDetails => {
                Some((ResourceKind::AppStoreVersions, "appStoreVersion"))
            }
            ResourceKind::AppInfoLocalizations => Some((ResourceKind::AppInfos, "appInfo")),
            ResourceKind::AppStoreVersions | ResourceKind::AppInfos => None,
        }
    }

    /// Where the children of this type are listed under a parent: what
    /// apply reads to learn whether a lost POST was created after all.
    pub fn list_under(self, parent_id: &str) -> Option<String> {
        Some(match self {
            ResourceKind::AppStoreVersionLocalizations => {
                format!("/v1/appStoreVersions/{parent_id}/appStoreVersionLocalizations")
            }
            ResourceKind::AppInfoLocalizations => format!("/v1/appInfos/{parent_id}/appInfoLocalizations"),
            ResourceKind::AppStoreReviewDetails => format!("/v1/appStoreVersions/{parent_id}/appStoreReviewDetail"),
            ResourceKind::AppStoreVersions | ResourceKind::AppInfos => return None,
        })
    }
}

impl std::fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.type_name())
    }
}
