//! Facts about App Store Connect that more than one stage needs: which
//! states allow editing metadata, and the platforms. Three independent
//! clients (fastlane, eas-cli, codemagic) use these same sets; the fake
//! enforces them and the live reader selects with them.

/// Version states in which a version's metadata can be edited.
pub const EDITABLE_VERSION_STATES: [&str; 6] = [
    "PREPARE_FOR_SUBMISSION",
    "DEVELOPER_REJECTED",
    "REJECTED",
    "METADATA_REJECTED",
    "WAITING_FOR_REVIEW",
    "INVALID_BINARY",
];

/// The version on sale.
pub const LIVE_VERSION_STATES: [&str; 2] = ["READY_FOR_DISTRIBUTION", "PROCESSING_FOR_DISTRIBUTION"];

/// App info states in which name, subtitle and privacy text can be edited.
pub const EDITABLE_APP_INFO_STATES: [&str; 4] = [
    "PREPARE_FOR_SUBMISSION",
    "DEVELOPER_REJECTED",
    "REJECTED",
    "WAITING_FOR_REVIEW",
];

/// The live app info.
pub const LIVE_APP_INFO_STATES: [&str; 3] = ["READY_FOR_DISTRIBUTION", "PENDING_RELEASE", "IN_REVIEW"];

/// `Platform` in Apple's spec.
pub const PLATFORMS: [&str; 4] = ["IOS", "MAC_OS", "TV_OS", "VISION_OS"];
