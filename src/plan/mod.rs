//! A plan: every change `apply` would make, per (resource, locale,
//! attribute), with the live value it was computed from. The same
//! document is printed by `plan --format json`, saved by `plan --out`, and
//! applied by `apply plan.json`, which first checks that the plan still
//! follows from the tree it is run in (`content`), then classifies each
//! planned value against the live one: already `after` (done), still
//! `before` (to write), or anything else (a stale plan, refused whole).
//!
//! The JSON wire format (`format_version` 1; later fields are additions):
//!
//! ```text
//! { "format_version": 1, "tool_version", "created_at", "source": {…},
//!   "has_changes", "summary": {create, update, delete, blocked, requests},
//!   "changes": [{ "resource_type", "id", "locale", "action", "parent",
//!                 "attributes": {apiName: {before, after, file?, sensitive?,
//!                                          fingerprints?}},
//!                 "blocked", "origin"? }],
//!   "notes": [..],
//!   "content"?: { "files": {path: digest}, "settings": {…}, "secrets_key_id" } }
//! ```
//!
//! A `parent` whose `id` is `null` is the version this plan creates.
//!
//! A plan of several apps (an `asc-sync.toml` with `[[apps]]`) is another
//! top-level form of the same format version, [`AppsPlan`]: one entry per
//! app, each holding the document above. [`SavedPlan::from_json`] reads
//! either form.

mod apps;
mod content;
mod diff;
pub mod media;
pub mod products;
pub mod release;
mod safety;
pub mod secret;
mod shared;

pub use apps::{AppOutcome, AppPlan, AppsPlan, AppsSummary, KeyUse, SavedPlan};
pub use content::{Content, PlanSettings, product_digests, unfollowed};
pub use diff::{DiffOptions, diff};
pub use safety::{UnsafePlan, check_safety};
pub use shared::{TreeView, app_info_disagreement, settle_shared_app_info};

use crate::FORMAT_VERSION;
use crate::model::{AppInfoState, Attribute, Platform, ResourceKind, VersionState};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Delete,
}

impl Action {
    /// Terraform's symbols.
    pub fn symbol(self) -> char {
        match self {
            Action::Create => '+',
            Action::Update => '~',
            Action::Delete => '-',
        }
    }

    pub fn verb(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }
}

/// One attribute's change. `null` means unset (or "clear" as an `after`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttributeChange {
    pub before: crate::model::Value,
    pub after: crate::model::Value,
    /// The tree file the new value comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// A secret: `before` and `after` read `(sensitive value changed)`;
    /// `fingerprints` hold keyed digests instead (see [`secret`]), and
    /// apply reads the value from `file` and checks it against them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprints: Option<Fingerprints>,
}

/// Keyed digests of a secret's old and new values (`null` = unset);
/// salted SHA-256 in plans saved by asc-sync 0.1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fingerprints {
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What a secret shows as, everywhere.
pub const SENSITIVE: &str = "(sensitive value changed)";

/// A resource a create belongs to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Parent {
    #[serde(rename = "type")]
    pub resource: ResourceKind,
    /// `None`: the version this plan creates, whose id apply learns when
    /// it creates it.
    pub id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Written as the API's type name, e.g. `appStoreVersionLocalizations`.
    #[serde(rename = "resource_type")]
    pub resource: ResourceKind,
    /// `null` for a create.
    pub id: Option<String>,
    pub locale: Option<String>,
    pub action: Action,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Parent>,
    pub attributes: BTreeMap<Attribute, AttributeChange>,
    /// Why this change will not be sent, or `null`.
    pub blocked: Option<String>,
    /// With `--changed-since`: whether the change comes from files changed
    /// since the base (`change`) or from a live value that moved while the
    /// files did not (`drift`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// A file this change (since the base) edited.
    Change,
    /// The files are as at the base, but the live value differs.
    Drift,
}

impl Plan {
    /// Marks each change by whether any of its files is in `changed`.
    pub fn mark_origins(&mut self, base: &str, changed: &std::collections::HashSet<std::path::PathBuf>) {
        self.source.changed_since = Some(base.to_owned());
        for c in &mut self.changes {
            let touched = c
                .attributes
                .values()
                .filter_map(|a| a.file.as_deref())
                .any(|f| changed.contains(&crate::gitinfo::normalize(std::path::Path::new(f))));
            c.origin = Some(if touched { Origin::Change } else { Origin::Drift });
        }
    }
}

impl Change {
    pub fn is_blocked(&self) -> bool {
        self.blocked.is_some()
    }

    /// A short name for reports: `appStoreVersionLocalizations en-US`.
    pub fn label(&self) -> String {
        match &self.locale {
            Some(l) => format!("{} {l}", self.resource),
            None => self.resource.to_string(),
        }
    }

    /// What makes a change impossible to send as written: an attribute of
    /// another resource, or a create without the resource it belongs to.
    fn check(&self) -> Result<(), String> {
        if let Some(a) = self.attributes.keys().find(|a| a.resource() != self.resource) {
            return Err(format!("{} has no attribute {a}", self.resource));
        }
        if self.action == Action::Create && self.resource == ResourceKind::AppStoreVersions {
            if self.parent.is_some() || !self.attributes.contains_key(&Attribute::VersionString) {
                return Err("the create of appStoreVersions must name only its versionString".into());
            }
        } else if self.action == Action::Create {
            let expected = self.resource.parent().map(|(kind, _)| kind);
            if expected.is_none() || self.parent.as_ref().map(|p| p.resource) != expected {
                return Err(format!("the create of {} names no valid parent", self.label()));
            }
        } else if self.id.is_none() {
            return Err(format!("the {} of {} names no id", self.action.verb(), self.label()));
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
    pub blocked: usize,
    /// Requests apply will send.
    pub requests: usize,
    /// Screenshots and previews, when the tree has any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<media::MediaSummary>,
}

/// What a plan was made from, so a saved plan can be checked before apply.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub bundle_id: String,
    pub app_id: String,
    pub platform: Platform,
    pub version_id: String,
    pub version_string: String,
    pub version_state: VersionState,
    pub app_info_id: Option<String>,
    pub app_info_state: Option<AppInfoState>,
    pub metadata_path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rev: Option<String>,
    /// The commit the tree was read at, when it is in a git repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Whether the work tree had uncommitted changes then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dirty: Option<bool>,
    /// The base of `--changed-since`, when changes carry an `origin`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_since: Option<String>,
    /// The version as asked for (`editable`, `live` or a version string),
    /// so apply can refuse a run that names another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_selector: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format_version: u32,
    pub tool_version: String,
    pub created_at: String,
    pub source: Source,
    pub has_changes: bool,
    pub summary: Summary,
    pub changes: Vec<Change>,
    /// Screenshot and preview sets with a difference (see [`media`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<media::MediaChange>,
    /// In-app purchase and subscription texts (see [`products`]): the
    /// versions the plan makes, then the localizations it writes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_versions: Vec<products::NewVersion>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<products::ProductChange>,
    /// The release settings of `[release]` (see [`release`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub release: Vec<release::ReleaseChange>,
    #[serde(default)]
    pub notes: Vec<String>,
    /// The salt of the secret fingerprints of a plan saved by asc-sync 0.1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_salt: Option<String>,
    /// The files and settings the plan was made from; `None` in plans
    /// saved by asc-sync 0.1, which apply checks only against the live state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Content>,
}

impl Plan {
    pub fn new(source: Source, mut changes: Vec<Change>, notes: Vec<String>) -> Plan {
        // Deterministic order: app-wide changes first, then by locale;
        // creates before updates; then in `ResourceKind` order.
        changes.sort_by(|a, b| {
            (&a.locale, a.action, a.resource, &a.id, a.blocked.is_some()).cmp(&(
                &b.locale,
                b.action,
                b.resource,
                &b.id,
                b.blocked.is_some(),
            ))
        });
        let mut plan = Plan {
            format_version: FORMAT_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            created_at: now(),
            source,
            has_changes: false,
            summary: Summary::default(),
            changes,
            media: Vec::new(),
            product_versions: Vec::new(),
            products: Vec::new(),
            release: Vec::new(),
            notes,
            secret_salt: None,
            content: None,
        };
        plan.recount();
        plan
    }

    /// Counts the changes again into `summary` and `has_changes`, after
    /// some were taken out.
    pub(crate) fn recount(&mut self) {
        let mut summary = Summary {
            media: self
                .summary
                .media
                .as_ref()
                .map(|m| media::MediaSummary::of(&self.media, m.unchanged, m.previews)),
            ..Summary::default()
        };
        for c in &self.media {
            if c.is_blocked() {
                summary.blocked += 1;
            } else {
                summary.requests += c.requests();
            }
        }
        let (blocked, sent): (Vec<_>, Vec<_>) = self.release.iter().partition(|c| c.is_blocked());
        summary.blocked += blocked.len();
        // releaseType and earliestReleaseDate go in one PATCH of the version.
        use release::ReleaseSetting::{Build, EarliestReleaseDate, ReleaseType};
        if sent
            .iter()
            .any(|c| matches!(c.setting, ReleaseType | EarliestReleaseDate))
        {
            summary.update += 1;
            summary.requests += 1;
        }
        if sent.iter().any(|c| c.setting == Build) {
            summary.update += 1;
            summary.requests += 1;
        }
        let groups = sent
            .iter()
            .filter(|c| c.setting == release::ReleaseSetting::BetaGroup)
            .count();
        summary.create += groups;
        summary.requests += groups;
        for c in sent.iter().filter(|c| c.setting == release::ReleaseSetting::WhatToTest) {
            summary.requests += 1;
            match c.localization_id {
                Some(_) => summary.update += 1,
                None => summary.create += 1,
            }
        }
        for c in sent
            .iter()
            .filter(|c| c.setting == release::ReleaseSetting::PhasedRelease)
        {
            summary.requests += 1;
            match c.after {
                crate::model::Value::Flag(true) => summary.create += 1,
                _ => summary.delete += 1,
            }
        }
        summary.create += self.product_versions.len();
        summary.requests += self.product_versions.len();
        // One request per change, listing's and products' alike.
        let changes = self.changes.iter().map(|c| (c.is_blocked(), c.action));
        for (blocked, action) in changes.chain(self.products.iter().map(|c| (c.is_blocked(), c.action))) {
            if blocked {
                summary.blocked += 1;
                continue;
            }
            summary.requests += 1;
            match action {
                Action::Create => summary.create += 1,
                Action::Update => summary.update += 1,
                Action::Delete => summary.delete += 1,
            }
        }
        self.has_changes = summary.requests > 0;
        self.summary = summary;
    }

    /// Adds the screenshot and preview changes of a plan that read them.
    pub fn set_media(&mut self, diff: media::MediaDiff, previews: bool) {
        self.media = diff.changes;
        self.notes.extend(diff.notes);
        self.summary.media = Some(media::MediaSummary::of(&self.media, diff.unchanged, previews));
        self.recount();
    }

    /// Adds the release settings' changes.
    pub fn set_release(&mut self, changes: Vec<release::ReleaseChange>) {
        self.release = changes;
        self.recount();
    }

    /// Adds the in-app purchase and subscription texts of a plan that
    /// read them.
    pub fn set_products(&mut self, diff: products::ProductDiff) {
        self.product_versions = diff.versions;
        self.products = diff.changes;
        self.recount();
    }

    /// What `--locale` and `--field` limited the plan to, for its header.
    pub fn targeting(&self) -> Option<String> {
        let settings = &self.content.as_ref()?.settings;
        crate::targeting::describe(&settings.locales, &settings.fields)
    }

    /// The version string the plan renames its version to, if it does.
    pub fn renames_to(&self) -> Option<&str> {
        self.changes
            .iter()
            .filter(|c| c.resource == ResourceKind::AppStoreVersions && c.action == Action::Update)
            .find_map(|c| c.attributes.get(&Attribute::VersionString)?.after.as_text())
    }

    /// Whether the plan creates its target version.
    pub fn creates_version(&self) -> bool {
        self.changes
            .iter()
            .any(|c| c.resource == ResourceKind::AppStoreVersions && c.action == Action::Create)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a plan always serializes") + "\n"
    }

    /// Reads a saved plan, refusing other format versions.
    pub fn from_json(text: &str, path: &str) -> Result<Plan, PlanFileError> {
        let raw: Value = serde_json::from_str(text).map_err(|e| PlanFileError::Invalid {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        if raw.get("apps").is_some() {
            return Err(PlanFileError::Invalid {
                path: path.to_owned(),
                reason:
                    "it is a plan of several apps ([[apps]] in asc-sync.toml); apply it where asc-sync.toml lists them"
                        .into(),
            });
        }
        Plan::from_value(raw, path)
    }

    /// Reads one app's plan document, checking its format version and
    /// that every change can be sent as written.
    pub(crate) fn from_value(raw: Value, path: &str) -> Result<Plan, PlanFileError> {
        check_format_version(&raw, path)?;
        let invalid = |reason: String| PlanFileError::Invalid {
            path: path.to_owned(),
            reason,
        };
        let plan: Plan = serde_json::from_value(raw).map_err(|e| invalid(e.to_string()))?;
        plan.changes.iter().try_for_each(Change::check).map_err(invalid)?;
        let orphan = plan
            .changes
            .iter()
            .any(|c| c.parent.as_ref().is_some_and(|p| p.id.is_none()));
        if orphan && !plan.creates_version() {
            return Err(invalid(
                "a create names the new version as its parent, but the plan creates none".into(),
            ));
        }
        Ok(plan)
    }
}

/// The time now, as a plan's `created_at`.
fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Refuses a document of another format version, or of none.
fn check_format_version(raw: &Value, path: &str) -> Result<(), PlanFileError> {
    match raw.get("format_version").and_then(Value::as_u64) {
        Some(v) if v == u64::from(FORMAT_VERSION) => Ok(()),
        Some(v) => Err(PlanFileError::Version {
            path: path.to_owned(),
            found: v,
        }),
        None => Err(PlanFileError::Invalid {
            path: path.to_owned(),
            reason: "no format_version: not an asc-sync plan".into(),
        }),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("{path} is not a readable asc-sync plan: {reason}")]
    Invalid { path: String, reason: String },
    #[error(
        "{path} has plan format version {found}; this asc-sync reads version {FORMAT_VERSION}. Make the plan again with this version"
    )]
    Version { path: String, found: u64 },
}
