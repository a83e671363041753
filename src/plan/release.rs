//! The release settings of `[release]` in a plan: the version's
//! `releaseType` and `earliestReleaseDate` (one PATCH of the version), and
//! its phased release (created or deleted). A key the settings leave out
//! is not looked at: an existing phased release stays unless
//! `phased_release = false` says otherwise. Settings change only while the
//! version is being prepared (or was sent back); a phased release that has
//! started cannot be removed.

use crate::config::ReleaseConfig;
use crate::live::{LiveBuild, LivePhasedRelease, LiveVersion};
use crate::model::Value;
use serde::{Deserialize, Serialize};

/// Which release setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ReleaseSetting {
    #[serde(rename = "releaseType")]
    ReleaseType,
    #[serde(rename = "earliestReleaseDate")]
    EarliestReleaseDate,
    #[serde(rename = "phasedRelease")]
    PhasedRelease,
    #[serde(rename = "build")]
    Build,
    /// TestFlight's What to Test of the build, in one locale
    /// (`betaBuildLocalizations.whatsNew`).
    #[serde(rename = "whatsNew")]
    WhatToTest,
    /// The build added to a TestFlight group (`betaGroups.builds`).
    #[serde(rename = "betaGroups")]
    BetaGroup,
}

impl ReleaseSetting {
    pub fn name(self) -> &'static str {
        match self {
            ReleaseSetting::ReleaseType => "releaseType",
            ReleaseSetting::EarliestReleaseDate => "earliestReleaseDate",
            ReleaseSetting::PhasedRelease => "phasedRelease",
            ReleaseSetting::Build => "build",
            ReleaseSetting::WhatToTest => "whatsNew",
            ReleaseSetting::BetaGroup => "betaGroups",
        }
    }
}

/// One setting's change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReleaseChange {
    pub setting: ReleaseSetting,
    /// The version the setting belongs to.
    pub version_id: String,
    /// A text for the version's attributes; a flag for the phased release
    /// (whether there is one).
    pub before: Value,
    pub after: Value,
    /// The phased release a removal deletes, and its state as read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phased_release: Option<PhasedReleaseRef>,
    /// The build a `build` change attaches, or whose What to Test changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_id: Option<String>,
    /// What to Test: its locale, and the localization (`null`: created).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub localization_id: Option<String>,
    /// A beta group change: the group's name and id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupRef>,
    pub blocked: Option<String>,
}

/// A TestFlight group as a plan names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRef {
    pub name: String,
    /// `null` when no group has the name (the change is blocked).
    pub id: Option<String>,
}

/// A phased release as a plan names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhasedReleaseRef {
    pub id: String,
    pub state: String,
}

impl ReleaseChange {
    pub fn is_blocked(&self) -> bool {
        self.blocked.is_some()
    }
}

/// The build a version ships with and the one the settings name, as read.
pub struct Builds {
    pub attached: Option<LiveBuild>,
    pub wanted: Option<LiveBuild>,
}

/// The changes `release` makes to `version` (with its phased release and
/// builds as read, when the settings name them).
pub fn diff(
    release: &ReleaseConfig,
    version: &LiveVersion,
    phased: Option<&LivePhasedRelease>,
    builds: Option<&Builds>,
) -> Vec<ReleaseChange> {
    let text = |v: &Option<String>| v.clone().map_or(Value::Unset, Value::Text);
    let blocked = (!version.state.editable()).then(|| {
        format!(
            "release settings cannot change while version {} is {}",
            version.version_string, version.state
        )
    });
    let change = |setting, before, after| ReleaseChange {
        setting,
        version_id: version.id.clone(),
        before,
        after,
        phased_release: None,
        build_id: None,
        locale: None,
        localization_id: None,
        group: None,
        blocked: blocked.clone(),
    };
    let mut out = Vec::new();
    if let (Some(wanted), Some(builds)) = (&release.build, builds) {
        let before = builds
            .attached
            .as_ref()
            .map_or(Value::Unset, |b| Value::Text(b.label()));
        match &builds.wanted {
            Some(b) if builds.attached.as_ref().is_some_and(|a| a.id == b.id) => {}
            Some(b) => {
                let mut c = change(ReleaseSetting::Build, before, Value::Text(b.label()));
                c.build_id = Some(b.id.clone());
                if b.processing_state != "VALID" && c.blocked.is_none() {
                    c.blocked = Some(format!(
                        "build {} is {}: App Store Connect takes only a processed (VALID) build; plan again once it is",
                        b.label(),
                        b.processing_state
                    ));
                }
                out.push(c);
            }
            None => {
                let mut c = change(
                    ReleaseSetting::Build,
                    before,
                    Value::Text(format!("{wanted} of {}", version.version_string)),
                );
                c.blocked = Some(format!(
                    "no build {} of version {} has been uploaded yet",
                    if wanted == "latest" {
                        "at all".to_owned()
                    } else {
                        wanted.clone()
                    },
                    version.version_string
                ));
                out.push(c);
            }
        }
    }
    if let Some(wanted) = release.release_type {
        let after = Value::Text(wanted.api_name().to_owned());
        let before = text(&version.release_type);
        if before != after {
            out.push(change(ReleaseSetting::ReleaseType, before, after));
        }
    }
    if let Some(date) = &release.earliest_release_date {
        let before = text(&version.earliest_release_date);
        if !same_instant(&before, date) {
            out.push(change(
                ReleaseSetting::EarliestReleaseDate,
                before,
                Value::Text(date.clone()),
            ));
        }
    }
    if let Some(wanted) = release.phased_release
        && wanted != phased.is_some()
    {
        let mut c = change(ReleaseSetting::PhasedRelease, Value::Flag(!wanted), Value::Flag(wanted));
        if let Some(p) = phased {
            c.phased_release = Some(PhasedReleaseRef {
                id: p.id.clone(),
                state: p.state.clone(),
            });
            if p.state != "INACTIVE" && c.blocked.is_none() {
                c.blocked = Some(format!(
                    "the phased release is {}: one that has started cannot be removed; release the version to all users in App Store Connect instead",
                    p.state
                ));
            }
        }
        out.push(c);
    }
    out
}

/// The build What to Test is written for: the one `[release] build`
/// names once it is processed, else the one the version ships with.
pub fn testflight_build(builds: &Builds) -> Option<&LiveBuild> {
    builds
        .wanted
        .as_ref()
        .filter(|b| b.processing_state == "VALID")
        .or(builds.attached.as_ref())
}

/// What to Test of `build` per locale of the tree against the live one.
pub fn what_to_test(
    tree: &crate::tree::testflight::WhatToTest,
    version_id: &str,
    build: &LiveBuild,
    live: &std::collections::BTreeMap<String, crate::live::LiveWhatToTest>,
) -> Vec<ReleaseChange> {
    let mut out = Vec::new();
    for (locale, value) in &tree.locales {
        if value.is_blank() {
            continue;
        }
        let current = live.get(locale);
        let before = current
            .and_then(|l| l.whats_new.clone())
            .map_or(Value::Unset, Value::Text);
        if matches!(&before, Value::Text(t) if crate::tree::text::strip(t) == value.value) {
            continue;
        }
        out.push(ReleaseChange {
            setting: ReleaseSetting::WhatToTest,
            version_id: version_id.to_owned(),
            before,
            after: Value::Text(value.value.clone()),
            phased_release: None,
            build_id: Some(build.id.clone()),
            locale: Some(locale.clone()),
            localization_id: current.map(|l| l.id.clone()),
            group: None,
            blocked: None,
        });
    }
    out
}

/// The build added to each named TestFlight group that lacks it; a name
/// no group has is blocked, naming the groups there are.
pub fn beta_groups(
    names: &[String],
    version_id: &str,
    build: &LiveBuild,
    live: &[crate::live::LiveBetaGroup],
    every: &[String],
) -> Vec<ReleaseChange> {
    let mut out = Vec::new();
    for name in names {
        let found = live.iter().find(|g| g.name == *name);
        if found.is_some_and(|g| g.has_build) {
            continue;
        }
        out.push(ReleaseChange {
            setting: ReleaseSetting::BetaGroup,
            version_id: version_id.to_owned(),
            before: Value::Flag(false),
            after: Value::Flag(true),
            phased_release: None,
            build_id: Some(build.id.clone()),
            locale: None,
            localization_id: None,
            group: Some(GroupRef {
                name: name.clone(),
                id: found.map(|g| g.id.clone()),
            }),
            blocked: found.is_none().then(|| {
                format!(
                    "the app has no TestFlight group named \"{name}\"; it has {}",
                    if every.is_empty() {
                        "none".to_owned()
                    } else {
                        every.join(", ")
                    }
                )
            }),
        });
    }
    out
}

/// Whether a live date is the same instant as the configured one (Apple
/// may answer `2026-12-24T08:00:00Z` as `2026-12-24T08:00:00.000+00:00`).
pub fn same_instant(live: &Value, wanted: &str) -> bool {
    let parse = |s: &str| time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok();
    match live {
        Value::Text(t) => t == wanted || (parse(t).is_some() && parse(t) == parse(wanted)),
        _ => false,
    }
}
