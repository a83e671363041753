//! The one table that maps fastlane's file names to App Store Connect
//! resources and attribute names, and the limits Apple enforces on them.
//!
//! File names are fastlane deliver's (`upload_metadata.rb`), attribute names
//! are the API's own, so a plan speaks the API's language while the tree
//! keeps the layout teams already have.

use serde::Serialize;

/// Which App Store Connect resource a localized field lives on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Resource {
    /// `appStoreVersionLocalizations`: per version, per locale.
    #[serde(rename = "appStoreVersionLocalizations")]
    VersionLocalization,
    /// `appInfoLocalizations`: per app info record, per locale.
    #[serde(rename = "appInfoLocalizations")]
    AppInfoLocalization,
}

impl Resource {
    /// The JSON:API type name.
    pub fn type_name(self) -> &'static str {
        match self {
            Resource::VersionLocalization => "appStoreVersionLocalizations",
            Resource::AppInfoLocalization => "appInfoLocalizations",
        }
    }
}

/// A localized text field, one file per locale folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Description,
    Keywords,
    WhatsNew,
    SupportUrl,
    MarketingUrl,
    PromotionalText,
    Name,
    Subtitle,
    PrivacyPolicyUrl,
    PrivacyPolicyText,
    PrivacyChoicesUrl,
}

/// What kind of value a field holds, for validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    Keywords,
    Url,
}

struct FieldInfo {
    field: Field,
    file: &'static str,
    api: &'static str,
    label: &'static str,
    resource: Resource,
    kind: Kind,
    /// Apple's limit in characters (Unicode scalar values), if it has one.
    max_chars: Option<usize>,
}

#[rustfmt::skip]
const TABLE: [FieldInfo; 11] = {
    use Field::*;
    use Kind::{Text, Url};
    use Resource::*;
    [
        FieldInfo { field: Description, file: "description.txt", api: "description", label: "description", resource: VersionLocalization, kind: Text, max_chars: Some(4000) },
        FieldInfo { field: Keywords, file: "keywords.txt", api: "keywords", label: "keywords", resource: VersionLocalization, kind: Kind::Keywords, max_chars: Some(100) },
        FieldInfo { field: WhatsNew, file: "release_notes.txt", api: "whatsNew", label: "release notes (What's New)", resource: VersionLocalization, kind: Text, max_chars: Some(4000) },
        FieldInfo { field: SupportUrl, file: "support_url.txt", api: "supportUrl", label: "support URL", resource: VersionLocalization, kind: Url, max_chars: None },
        FieldInfo { field: MarketingUrl, file: "marketing_url.txt", api: "marketingUrl", label: "marketing URL", resource: VersionLocalization, kind: Url, max_chars: None },
        FieldInfo { field: PromotionalText, file: "promotional_text.txt", api: "promotionalText", label: "promotional text", resource: VersionLocalization, kind: Text, max_chars: Some(170) },
        FieldInfo { field: Name, file: "name.txt", api: "name", label: "app name", resource: AppInfoLocalization, kind: Text, max_chars: Some(30) },
        FieldInfo { field: Subtitle, file: "subtitle.txt", api: "subtitle", label: "subtitle", resource: AppInfoLocalization, kind: Text, max_chars: Some(30) },
        FieldInfo { field: PrivacyPolicyUrl, file: "privacy_url.txt", api: "privacyPolicyUrl", label: "privacy policy URL", resource: AppInfoLocalization, kind: Url, max_chars: None },
        FieldInfo { field: PrivacyPolicyText, file: "apple_tv_privacy_policy.txt", api: "privacyPolicyText", label: "Apple TV privacy policy", resource: AppInfoLocalization, kind: Text, max_chars: None },
        FieldInfo { field: PrivacyChoicesUrl, file: "privacy_choices_url.txt", api: "privacyChoicesUrl", label: "privacy choices URL", resource: AppInfoLocalization, kind: Url, max_chars: None },
    ]
};

impl Field {
    pub const ALL: [Field; 11] = {
        let mut all = [Field::Description; 11];
        let mut i = 0;
        while i < TABLE.len() {
            all[i] = TABLE[i].field;
            i += 1;
        }
        all
    };

    fn info(self) -> &'static FieldInfo {
        &TABLE[self as usize]
    }

    /// fastlane's file name inside a locale folder, e.g. `release_notes.txt`.
    pub fn file_name(self) -> &'static str {
        self.info().file
    }

    /// The API attribute name, e.g. `whatsNew`.
    pub fn api_name(self) -> &'static str {
        self.info().api
    }

    /// How a person calls it, for messages.
    pub fn label(self) -> &'static str {
        self.info().label
    }

    pub fn resource(self) -> Resource {
        self.info().resource
    }

    pub fn kind(self) -> Kind {
        self.info().kind
    }

    pub fn max_chars(self) -> Option<usize> {
        self.info().max_chars
    }

    pub fn from_file_name(name: &str) -> Option<Field> {
        TABLE.iter().find(|i| i.file == name).map(|i| i.field)
    }

    pub fn from_api_name(name: &str) -> Option<Field> {
        TABLE.iter().find(|i| i.api == name).map(|i| i.field)
    }
}

impl Serialize for Field {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.api_name())
    }
}

/// Files at the root of `metadata/` that are not localized.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum RootField {
    #[serde(rename = "copyright")]
    Copyright,
    #[serde(rename = "primaryCategory")]
    PrimaryCategory,
    #[serde(rename = "secondaryCategory")]
    SecondaryCategory,
    #[serde(rename = "primarySubcategoryOne")]
    PrimarySubcategoryOne,
    #[serde(rename = "primarySubcategoryTwo")]
    PrimarySubcategoryTwo,
    #[serde(rename = "secondarySubcategoryOne")]
    SecondarySubcategoryOne,
    #[serde(rename = "secondarySubcategoryTwo")]
    SecondarySubcategoryTwo,
}

impl RootField {
    pub const ALL: [RootField; 7] = [
        RootField::Copyright,
        RootField::PrimaryCategory,
        RootField::SecondaryCategory,
        RootField::PrimarySubcategoryOne,
        RootField::PrimarySubcategoryTwo,
        RootField::SecondarySubcategoryOne,
        RootField::SecondarySubcategoryTwo,
    ];

    pub fn file_name(self) -> &'static str {
        match self {
            RootField::Copyright => "copyright.txt",
            RootField::PrimaryCategory => "primary_category.txt",
            RootField::SecondaryCategory => "secondary_category.txt",
            RootField::PrimarySubcategoryOne => "primary_first_sub_category.txt",
            RootField::PrimarySubcategoryTwo => "primary_second_sub_category.txt",
            RootField::SecondarySubcategoryOne => "secondary_first_sub_category.txt",
            RootField::SecondarySubcategoryTwo => "secondary_second_sub_category.txt",
        }
    }

    pub fn from_file_name(name: &str) -> Option<RootField> {
        Self::ALL.into_iter().find(|f| f.file_name() == name)
    }
}

/// Files in `metadata/review_information/`, for the App Review contact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReviewField {
    FirstName,
    LastName,
    Phone,
    Email,
    DemoUser,
    DemoPassword,
    Notes,
}

impl ReviewField {
    pub const ALL: [ReviewField; 7] = [
        ReviewField::FirstName,
        ReviewField::LastName,
        ReviewField::Phone,
        ReviewField::Email,
        ReviewField::DemoUser,
        ReviewField::DemoPassword,
        ReviewField::Notes,
    ];

    /// The current file name and the legacy one deliver still reads first.
    pub fn file_names(self) -> (&'static str, &'static str) {
        match self {
            ReviewField::FirstName => ("first_name.txt", "review_first_name.txt"),
            ReviewField::LastName => ("last_name.txt", "review_last_name.txt"),
            ReviewField::Phone => ("phone_number.txt", "review_phone_number.txt"),
            ReviewField::Email => ("email_address.txt", "review_email.txt"),
            ReviewField::DemoUser => ("demo_user.txt", "review_demo_user.txt"),
            ReviewField::DemoPassword => ("demo_password.txt", "review_demo_password.txt"),
            ReviewField::Notes => ("notes.txt", "review_notes.txt"),
        }
    }

    /// The `appStoreReviewDetails` attribute.
    pub fn api_name(self) -> &'static str {
        match self {
            ReviewField::FirstName => "contactFirstName",
            ReviewField::LastName => "contactLastName",
            ReviewField::Phone => "contactPhone",
            ReviewField::Email => "contactEmail",
            ReviewField::DemoUser => "demoAccountName",
            ReviewField::DemoPassword => "demoAccountPassword",
            ReviewField::Notes => "notes",
        }
    }

    /// Values that must never be printed: plans show that they changed, not what to.
    pub fn is_sensitive(self) -> bool {
        matches!(self, ReviewField::DemoPassword)
    }
}

impl Serialize for ReviewField {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.api_name())
    }
}

/// fastlane's category names: `MZGenre.` prefixes and legacy spellings
/// (`Photo & Video`) become Apple's ids (`PHOTO_AND_VIDEO`).
pub fn category_id(value: &str) -> String {
    let v = value.trim_start_matches("MZGenre.").trim_start_matches("Apps.");
    let mut id = String::new();
    for c in v.replace('&', " AND ").chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_uppercase());
        } else if !id.ends_with('_') && !id.is_empty() {
            id.push('_');
        }
    }
    id.trim_end_matches('_').to_owned()
}

/// File names teams use that mean a known field: a hint for the warning.
const FILE_ALIASES: [(&str, Field); 8] = [
    ("whats_new.txt", Field::WhatsNew),
    ("whatsnew.txt", Field::WhatsNew),
    ("changelog.txt", Field::WhatsNew),
    ("title.txt", Field::Name),
    ("full_description.txt", Field::Description),
    ("short_description.txt", Field::PromotionalText),
    ("privacy_policy_url.txt", Field::PrivacyPolicyUrl),
    ("promo_text.txt", Field::PromotionalText),
];

/// The known locale file an unknown file name most likely meant.
pub fn closest_locale_file(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    if let Some(f) = Field::from_file_name(&lower) {
        return Some(f.file_name());
    }
    if let Some((_, f)) = FILE_ALIASES.iter().find(|(a, _)| *a == lower) {
        return Some(f.file_name());
    }
    closest(&lower, TABLE.iter().map(|i| i.file))
}

/// The closest of `candidates` by edit distance, if it is close enough to
/// be a typo rather than a different file.
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::normalized_damerau_levenshtein(name, c), c))
        .filter(|(score, _)| *score >= 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_order_matches_the_enum() {
        for (i, f) in Field::ALL.iter().enumerate() {
            assert_eq!(*f as usize, i);
            assert_eq!(Field::from_file_name(f.file_name()), Some(*f));
            assert_eq!(Field::from_api_name(f.api_name()), Some(*f));
        }
    }

    #[test]
    fn fastlane_file_names_map_to_api_attributes() {
        assert_eq!(
            Field::from_file_name("release_notes.txt").unwrap().api_name(),
            "whatsNew"
        );
        assert_eq!(
            Field::from_file_name("privacy_url.txt").unwrap().api_name(),
            "privacyPolicyUrl"
        );
        assert_eq!(
            Field::from_file_name("apple_tv_privacy_policy.txt").unwrap().api_name(),
            "privacyPolicyText"
        );
        assert_eq!(
            Field::from_file_name("privacy_choices_url.txt").unwrap().api_name(),
            "privacyChoicesUrl"
        );
    }

    #[test]
    fn category_names_become_apples_ids() {
        assert_eq!(category_id("ENTERTAINMENT"), "ENTERTAINMENT");
        assert_eq!(category_id("MZGenre.Productivity"), "PRODUCTIVITY");
        assert_eq!(category_id("Photo & Video"), "PHOTO_AND_VIDEO");
        assert_eq!(category_id("GAMES_ACTION"), "GAMES_ACTION");
    }

    #[test]
    fn typos_get_a_hint() {
        assert_eq!(closest_locale_file("releasenotes.txt"), Some("release_notes.txt"));
        assert_eq!(closest_locale_file("whats_new.txt"), Some("release_notes.txt"));
        assert_eq!(closest_locale_file("Keywords.txt"), Some("keywords.txt"));
        assert_eq!(closest_locale_file("app_store_screenshot_1.txt"), None);
    }
}
