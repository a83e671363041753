//! Apple's rules that asc-sync predicts, in one place: which states allow
//! editing, what a live version or app info still accepts, the
//! first-version rule. The diff asks [`Editability`] before it plans a
//! change, so what Apple would refuse is shown as blocked and never sent.
//!
//! The state sets are the ones three independent clients use (fastlane,
//! eas-cli, codemagic); the fake keeps its own statement of them.

use super::fields::{Attribute, Field};
use super::resource::ResourceKind;
use super::state::{AppInfoState, Platform, VersionState};

/// Version states in which a version's metadata can be edited.
static EDITABLE_VERSION_STATES: [VersionState; 6] = [
    VersionState::PrepareForSubmission,
    VersionState::DeveloperRejected,
    VersionState::Rejected,
    VersionState::MetadataRejected,
    VersionState::WaitingForReview,
    VersionState::InvalidBinary,
];

/// The version on sale.
static LIVE_VERSION_STATES: [VersionState; 2] = [
    VersionState::ReadyForDistribution,
    VersionState::ProcessingForDistribution,
];

/// App info states in which name, subtitle and privacy text can be edited.
static EDITABLE_APP_INFO_STATES: [AppInfoState; 4] = [
    AppInfoState::PrepareForSubmission,
    AppInfoState::DeveloperRejected,
    AppInfoState::Rejected,
    AppInfoState::WaitingForReview,
];

/// The live app info.
static LIVE_APP_INFO_STATES: [AppInfoState; 3] = [
    AppInfoState::ReadyForDistribution,
    AppInfoState::PendingRelease,
    AppInfoState::InReview,
];

impl VersionState {
    pub fn editable(&self) -> bool {
        EDITABLE_VERSION_STATES.contains(self)
    }

    /// On sale: only promotional text can change.
    pub fn live(&self) -> bool {
        LIVE_VERSION_STATES.contains(self)
    }

    /// Submitted for review: edits are still accepted, but Apple refuses
    /// to add or remove a locale.
    fn submitted(&self) -> bool {
        *self == VersionState::WaitingForReview
    }

    /// The editable states, as `filter[appVersionState]` takes them.
    pub fn editable_states() -> impl Iterator<Item = &'static str> {
        EDITABLE_VERSION_STATES.iter().map(VersionState::as_str)
    }

    /// The states of the version on sale, as `filter[appVersionState]` takes them.
    pub fn live_states() -> impl Iterator<Item = &'static str> {
        LIVE_VERSION_STATES.iter().map(VersionState::as_str)
    }
}

impl AppInfoState {
    pub fn editable(&self) -> bool {
        EDITABLE_APP_INFO_STATES.contains(self)
    }

    pub fn live(&self) -> bool {
        LIVE_APP_INFO_STATES.contains(self)
    }

    fn submitted(&self) -> bool {
        *self == AppInfoState::WaitingForReview
    }
}

/// Attributes Apple accepts in any state, the live one included: only
/// promotional text. A live app info refuses every field, privacy URLs
/// too (409 `ENTITY_ERROR.ATTRIBUTE.INVALID.INVALID_STATE`, "The field
/// 'privacyPolicyUrl' can not be modified in the current state.", seen on
/// READY_FOR_DISTRIBUTION app infos in 2026), though fastlane lists them
/// as live-editable.
fn editable_while_live(attribute: Attribute) -> bool {
    attribute == Attribute::Localized(Field::PromotionalText)
}

/// The live facts Apple's refusals depend on.
#[derive(Clone, Copy, Debug)]
pub struct Editability<'a> {
    pub platform: Platform,
    pub version_string: &'a str,
    pub version_state: &'a VersionState,
    /// The platform's only version: Apple refuses whatsNew on it.
    pub first_version: bool,
    /// `None` when the app has no app info record.
    pub app_info_state: Option<&'a AppInfoState>,
}

impl Editability<'_> {
    fn version_editable(&self) -> bool {
        self.version_state.editable()
    }

    fn app_info_editable(&self) -> bool {
        self.app_info_state.is_some_and(AppInfoState::editable)
    }

    /// Why Apple would refuse changing `attribute` now, if it would.
    pub fn update(&self, attribute: Attribute) -> Option<String> {
        let (version, state) = (self.version_string, self.version_state);
        match attribute.resource() {
            ResourceKind::AppStoreVersionLocalizations => {
                if !self.version_editable() && !editable_while_live(attribute) {
                    return Some(format!(
                        "{attribute} cannot change while version {version} is {state}; only promotionalText can. Make the change in the next version"
                    ));
                }
                (attribute == Attribute::Localized(Field::WhatsNew) && self.first_version).then(|| {
                    format!(
                        "whatsNew cannot be set on version {version}, the first {} version of the app: Apple refuses it (fastlane skips it too)",
                        self.platform
                    )
                })
            }
            ResourceKind::AppInfoLocalizations => {
                let info = self.app_info_state?;
                (!self.app_info_editable() && !editable_while_live(attribute)).then(|| {
                    format!("{attribute} cannot change while the app info is {info}; it can when a new version is being prepared")
                })
            }
            ResourceKind::AppStoreVersions => (!self.version_editable())
                .then(|| format!("{attribute} cannot change while version {version} is {state}")),
            ResourceKind::AppInfos => {
                let info = self.app_info_state?;
                (!self.app_info_editable()).then(|| format!("categories cannot change while the app info is {info}"))
            }
            ResourceKind::AppStoreReviewDetails => (!self.version_editable())
                .then(|| format!("review information cannot change while version {version} is {state}")),
        }
    }

    /// Why Apple would refuse creating a `resource` now, if it would.
    pub fn create(&self, resource: ResourceKind) -> Option<String> {
        let (version, state) = (self.version_string, self.version_state);
        match resource {
            ResourceKind::AppStoreVersionLocalizations if !self.version_editable() => {
                Some(format!("a locale cannot be added while version {version} is {state}"))
            }
            ResourceKind::AppStoreVersionLocalizations if state.submitted() => Some(format!(
                "a locale cannot be added to version {version} after it was submitted for review"
            )),
            ResourceKind::AppInfoLocalizations => match self.app_info_state {
                None => Some("the app has no app info record to add the locale to".into()),
                Some(info) if !self.app_info_editable() || info.submitted() => {
                    Some(format!("a locale cannot be added while the app info is {info}"))
                }
                Some(_) => None,
            },
            ResourceKind::AppStoreReviewDetails => self.update(Attribute::DemoAccountRequired),
            _ => None,
        }
    }

    /// Why Apple would refuse changing the version's screenshots and
    /// previews now, if it would: they change only while the version is
    /// prepared or rejected. Once it is submitted Apple refuses deletes
    /// ("Can't Delete Screenshot After Submit for review", notifi PR #257)
    /// while text stays editable, so a half-applied set is never risked.
    pub fn media(&self) -> Option<String> {
        let (version, state) = (self.version_string, self.version_state);
        (!self.version_editable() || state.submitted()).then(|| {
            format!(
                "screenshots and previews cannot change while version {version} is {state}; they can in the next version"
            )
        })
    }

    /// Why Apple would refuse deleting a `resource` now, if it would.
    pub fn delete(&self, resource: ResourceKind) -> Option<String> {
        let (version, state) = (self.version_string, self.version_state);
        match resource {
            ResourceKind::AppStoreVersionLocalizations if !self.version_editable() || state.submitted() => {
                Some(format!("a locale cannot be deleted while version {version} is {state}"))
            }
            ResourceKind::AppInfoLocalizations
                if self
                    .app_info_state
                    .is_some_and(|info| !info.editable() || info.submitted()) =>
            {
                Some("a locale cannot be deleted while the app info is not editable".to_owned())
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ReviewField;

    fn live(version_state: &str, info: Option<&str>) -> Editability<'static> {
        Editability {
            platform: Platform::Ios,
            version_string: "2.0",
            version_state: Box::leak(Box::new(VersionState::parse(version_state))),
            first_version: false,
            app_info_state: info.map(|i| &*Box::leak(Box::new(AppInfoState::parse(i)))),
        }
    }

    #[test]
    fn a_live_version_takes_only_promotional_text() {
        let e = live("READY_FOR_DISTRIBUTION", Some("READY_FOR_DISTRIBUTION"));
        assert!(e.update(Attribute::Localized(Field::PromotionalText)).is_none());
        assert!(e.update(Attribute::Localized(Field::Description)).is_some());
        assert!(e.update(Attribute::Copyright).is_some());
        assert!(e.update(Attribute::Review(ReviewField::Notes)).is_some());
    }

    #[test]
    fn a_live_app_info_takes_no_field() {
        let e = live("READY_FOR_DISTRIBUTION", Some("READY_FOR_DISTRIBUTION"));
        for field in [
            Field::Name,
            Field::Subtitle,
            Field::PrivacyPolicyUrl,
            Field::PrivacyChoicesUrl,
        ] {
            assert!(e.update(Attribute::Localized(field)).is_some(), "{field:?}");
        }
    }

    #[test]
    fn a_submitted_version_takes_edits_but_no_new_locale() {
        let e = live("WAITING_FOR_REVIEW", Some("WAITING_FOR_REVIEW"));
        assert!(e.update(Attribute::Localized(Field::Description)).is_none());
        assert!(e.create(ResourceKind::AppStoreVersionLocalizations).is_some());
        assert!(e.delete(ResourceKind::AppStoreVersionLocalizations).is_some());
        assert!(e.create(ResourceKind::AppInfoLocalizations).is_some());
    }

    #[test]
    fn whats_new_is_refused_on_a_first_version() {
        let e = Editability {
            first_version: true,
            ..live("PREPARE_FOR_SUBMISSION", None)
        };
        assert!(e.update(Attribute::Localized(Field::WhatsNew)).is_some());
        assert!(e.update(Attribute::Localized(Field::Description)).is_none());
    }
}
