//! Apple's enumerations asc-sync reads, typed: the platform, a version's
//! `appVersionState` and an app info's `state`, with the names of Apple's
//! spec (4.4.1). A state Apple adds later is kept as Apple spelled it
//! (`Other`), never a parse error: it is neither editable nor live until
//! asc-sync knows it, so nothing is sent to it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `Platform` in Apple's spec.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::Display,
    strum::IntoStaticStr,
    strum::VariantNames,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE", ascii_case_insensitive)]
pub enum Platform {
    /// What a run reads when no platform is named, as deliver does.
    #[default]
    Ios,
    MacOs,
    TvOs,
    VisionOs,
}

/// An enumeration of Apple's with a fallback for values it adds later,
/// written and read as Apple's string.
macro_rules! apple_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)*
            /// A value this asc-sync does not know, as Apple spelled it.
            Other(String),
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::Other(s) => s,
                }
            }

            pub fn parse(s: &str) -> $name {
                match s {
                    $($text => $name::$variant,)*
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                Ok($name::parse(&String::deserialize(d)?))
            }
        }
    };
}

impl Platform {
    /// Reads a platform as a flag or `asc-sync.toml` names it, in any case.
    pub fn named(value: &str) -> Result<Platform, String> {
        value.parse().map_err(|_| {
            let names: &[&str] = <Platform as strum::VariantNames>::VARIANTS;
            format!("platform '{value}' is not one of {}", names.join(", "))
        })
    }
}

apple_enum! {
    /// A version's `appVersionState`.
    VersionState {
        Accepted = "ACCEPTED",
        DeveloperRejected = "DEVELOPER_REJECTED",
        InReview = "IN_REVIEW",
        InvalidBinary = "INVALID_BINARY",
        MetadataRejected = "METADATA_REJECTED",
        PendingAppleRelease = "PENDING_APPLE_RELEASE",
        PendingDeveloperRelease = "PENDING_DEVELOPER_RELEASE",
        PrepareForSubmission = "PREPARE_FOR_SUBMISSION",
        ProcessingForDistribution = "PROCESSING_FOR_DISTRIBUTION",
        ReadyForDistribution = "READY_FOR_DISTRIBUTION",
        ReadyForReview = "READY_FOR_REVIEW",
        Rejected = "REJECTED",
        ReplacedWithNewVersion = "REPLACED_WITH_NEW_VERSION",
        WaitingForExportCompliance = "WAITING_FOR_EXPORT_COMPLIANCE",
        WaitingForReview = "WAITING_FOR_REVIEW",
    }
}

apple_enum! {
    /// An app info's `state`.
    AppInfoState {
        Accepted = "ACCEPTED",
        DeveloperRejected = "DEVELOPER_REJECTED",
        InReview = "IN_REVIEW",
        PendingRelease = "PENDING_RELEASE",
        PrepareForSubmission = "PREPARE_FOR_SUBMISSION",
        ReadyForDistribution = "READY_FOR_DISTRIBUTION",
        ReadyForReview = "READY_FOR_REVIEW",
        Rejected = "REJECTED",
        ReplacedWithNewInfo = "REPLACED_WITH_NEW_INFO",
        WaitingForReview = "WAITING_FOR_REVIEW",
    }
}

impl Default for VersionState {
    fn default() -> VersionState {
        VersionState::Other(String::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_read_and_write_as_apple_spells_them_and_keep_unknown_ones() {
        assert_eq!(
            VersionState::parse("READY_FOR_DISTRIBUTION"),
            VersionState::ReadyForDistribution
        );
        assert_eq!(VersionState::parse("ON_THE_MOON").to_string(), "ON_THE_MOON");
        let json = serde_json::to_string(&AppInfoState::PendingRelease).unwrap();
        assert_eq!(json, "\"PENDING_RELEASE\"");
        assert_eq!(
            serde_json::from_str::<AppInfoState>(&json).unwrap(),
            AppInfoState::PendingRelease
        );
    }

    #[test]
    fn platforms_are_the_specs_and_parse_in_any_case() {
        assert_eq!("mac_os".parse::<Platform>().unwrap(), Platform::MacOs);
        assert_eq!(Platform::VisionOs.to_string(), "VISION_OS");
        assert_eq!(serde_json::to_string(&Platform::TvOs).unwrap(), "\"TV_OS\"");
        assert!("ANDROID".parse::<Platform>().is_err());
    }
}
