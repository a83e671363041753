//! The one table that maps fastlane's file names to App Store Connect
//! resources and attribute names, with the limits Apple enforces on them.
//!
//! File names are fastlane deliver's (`upload_metadata.rb`), attribute names
//! are the API's own, so a plan speaks the API's language while the tree
//! keeps the layout teams already have. API names come from the variant
//! names (strum, camelCase), so they cannot drift from the enum.

use super::resource::ResourceKind;
use strum::{EnumIter, IntoEnumIterator, IntoStaticStr};

/// Which localization resource a localized field lives on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, EnumIter)]
pub enum Localization {
    /// `appStoreVersionLocalizations`: per version, per locale.
    Version,
    /// `appInfoLocalizations`: per app info record, per locale.
    AppInfo,
}

impl Localization {
    pub fn kind(self) -> ResourceKind {
        match self {
            Localization::Version => ResourceKind::AppStoreVersionLocalizations,
            Localization::AppInfo => ResourceKind::AppInfoLocalizations,
        }
    }

    /// The fields of this resource, in table order.
    pub fn fields(self) -> impl Iterator<Item = Field> {
        Field::iter().filter(move |f| f.localization() == self)
    }
}

/// What kind of value a field holds, for validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    Keywords,
    Url,
}

/// A localized text field, one file per locale folder. The variant name
/// in camelCase is the API attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, EnumIter, IntoStaticStr)]
#[strum(serialize_all = "camelCase")]
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

/// One row of the field table.
struct Spec {
    file: &'static str,
    label: &'static str,
    localization: Localization,
    kind: Kind,
    /// Apple's limit in characters (Unicode scalar values), if it has one.
    max_chars: Option<usize>,
}

impl Field {
    #[rustfmt::skip]
    const fn spec(self) -> Spec {
        use Kind::{Text, Url};
        use Localization::{AppInfo, Version};
        let (file, label, localization, kind, max_chars) = match self {
            Field::Description => ("description.txt", "description", Version, Text, Some(4000)),
            Field::Keywords => ("keywords.txt", "keywords", Version, Kind::Keywords, Some(100)),
            Field::WhatsNew => ("release_notes.txt", "release notes (What's New)", Version, Text, Some(4000)),
            Field::SupportUrl => ("support_url.txt", "support URL", Version, Url, None),
            Field::MarketingUrl => ("marketing_url.txt", "marketing URL", Version, Url, None),
            Field::PromotionalText => ("promotional_text.txt", "promotional text", Version, Text, Some(170)),
            Field::Name => ("name.txt", "app name", AppInfo, Text, Some(30)),
            Field::Subtitle => ("subtitle.txt", "subtitle", AppInfo, Text, Some(30)),
            Field::PrivacyPolicyUrl => ("privacy_url.txt", "privacy policy URL", AppInfo, Url, None),
            Field::PrivacyPolicyText => ("apple_tv_privacy_policy.txt", "Apple TV privacy policy", AppInfo, Text, None),
            Field::PrivacyChoicesUrl => ("privacy_choices_url.txt", "privacy choices URL", AppInfo, Url, None),
        };
        Spec { file, label, localization, kind, max_chars }
    }

    /// fastlane's file name inside a locale folder, e.g. `release_notes.txt`.
    pub fn file_name(self) -> &'static str {
        self.spec().file
    }

    /// The API attribute name, e.g. `whatsNew`.
    pub fn api_name(self) -> &'static str {
        self.into()
    }

    /// How a person calls it, for messages.
    pub fn label(self) -> &'static str {
        self.spec().label
    }

    pub fn localization(self) -> Localization {
        self.spec().localization
    }

    pub fn kind(self) -> Kind {
        self.spec().kind
    }

    pub fn max_chars(self) -> Option<usize> {
        self.spec().max_chars
    }

    pub fn from_file_name(name: &str) -> Option<Field> {
        Field::iter().find(|f| f.file_name() == name)
    }

    pub fn from_api_name(name: &str) -> Option<Field> {
        Field::iter().find(|f| f.api_name() == name)
    }
}

/// The six category relationships of an app info. The variant name in
/// camelCase is the relationship's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, EnumIter, IntoStaticStr)]
#[strum(serialize_all = "camelCase")]
pub enum CategorySlot {
    PrimaryCategory,
    SecondaryCategory,
    PrimarySubcategoryOne,
    PrimarySubcategoryTwo,
    SecondarySubcategoryOne,
    SecondarySubcategoryTwo,
}

impl CategorySlot {
    /// The relationship name, e.g. `primarySubcategoryOne`.
    pub fn api_name(self) -> &'static str {
        self.into()
    }

    /// The category a subcategory belongs under; `None` for a category.
    pub fn parent(self) -> Option<CategorySlot> {
        match self {
            CategorySlot::PrimaryCategory | CategorySlot::SecondaryCategory => None,
            CategorySlot::PrimarySubcategoryOne | CategorySlot::PrimarySubcategoryTwo => {
                Some(CategorySlot::PrimaryCategory)
            }
            CategorySlot::SecondarySubcategoryOne | CategorySlot::SecondarySubcategoryTwo => {
                Some(CategorySlot::SecondaryCategory)
            }
        }
    }
}

/// Files at the root of `metadata/` that are not localized.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RootField {
    Copyright,
    Category(CategorySlot),
}

impl RootField {
    /// Every root file, copyright first, then the categories in order.
    pub fn all() -> impl Iterator<Item = RootField> {
        std::iter::once(RootField::Copyright).chain(CategorySlot::iter().map(RootField::Category))
    }

    pub fn file_name(self) -> &'static str {
        match self {
            RootField::Copyright => "copyright.txt",
            RootField::Category(slot) => match slot {
                CategorySlot::PrimaryCategory => "primary_category.txt",
                CategorySlot::SecondaryCategory => "secondary_category.txt",
                CategorySlot::PrimarySubcategoryOne => "primary_first_sub_category.txt",
                CategorySlot::PrimarySubcategoryTwo => "primary_second_sub_category.txt",
                CategorySlot::SecondarySubcategoryOne => "secondary_first_sub_category.txt",
                CategorySlot::SecondarySubcategoryTwo => "secondary_second_sub_category.txt",
            },
        }
    }

    pub fn from_file_name(name: &str) -> Option<RootField> {
        RootField::all().find(|f| f.file_name() == name)
    }

    pub fn attribute(self) -> Attribute {
        match self {
            RootField::Copyright => Attribute::Copyright,
            RootField::Category(slot) => Attribute::Category(slot),
        }
    }
}

/// Files in `metadata/review_information/`, for the App Review contact.
/// The variant name in camelCase is the `appStoreReviewDetails` attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, EnumIter, IntoStaticStr)]
#[strum(serialize_all = "camelCase")]
pub enum ReviewField {
    ContactFirstName,
    ContactLastName,
    ContactPhone,
    ContactEmail,
    DemoAccountName,
    DemoAccountPassword,
    Notes,
}

impl ReviewField {
    /// The current file name and the legacy one deliver still reads first.
    pub fn file_names(self) -> (&'static str, &'static str) {
        match self {
            ReviewField::ContactFirstName => ("first_name.txt", "review_first_name.txt"),
            ReviewField::ContactLastName => ("last_name.txt", "review_last_name.txt"),
            ReviewField::ContactPhone => ("phone_number.txt", "review_phone_number.txt"),
            ReviewField::ContactEmail => ("email_address.txt", "review_email.txt"),
            ReviewField::DemoAccountName => ("demo_user.txt", "review_demo_user.txt"),
            ReviewField::DemoAccountPassword => ("demo_password.txt", "review_demo_password.txt"),
            ReviewField::Notes => ("notes.txt", "review_notes.txt"),
        }
    }

    /// The `appStoreReviewDetails` attribute.
    pub fn api_name(self) -> &'static str {
        self.into()
    }
}

/// Any attribute a plan can change, on any resource. Its API name is its
/// identity in plans, reports and on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Attribute {
    /// A localized text of a version or app-info localization.
    Localized(Field),
    /// `appStoreVersions.copyright`.
    Copyright,
    /// An `appInfos` category relationship.
    Category(CategorySlot),
    /// An `appStoreReviewDetails` text.
    Review(ReviewField),
    /// `appStoreReviewDetails.demoAccountRequired`, which deliver derives
    /// from the demo user and password files.
    DemoAccountRequired,
    /// `appStoreVersions.versionString`: set when a plan creates the
    /// version it targets, or renames the editable one (as deliver does).
    VersionString,
}

impl Attribute {
    /// Every attribute, localized ones first.
    pub fn all() -> impl Iterator<Item = Attribute> {
        Field::iter()
            .map(Attribute::Localized)
            .chain(RootField::all().map(RootField::attribute))
            .chain(ReviewField::iter().map(Attribute::Review))
            .chain([Attribute::DemoAccountRequired, Attribute::VersionString])
    }

    pub fn api_name(self) -> &'static str {
        match self {
            Attribute::Localized(f) => f.api_name(),
            Attribute::Copyright => "copyright",
            Attribute::Category(slot) => slot.api_name(),
            Attribute::Review(f) => f.api_name(),
            Attribute::DemoAccountRequired => "demoAccountRequired",
            Attribute::VersionString => "versionString",
        }
    }

    pub fn from_api_name(name: &str) -> Option<Attribute> {
        Attribute::all().find(|a| a.api_name() == name)
    }

    /// fastlane's files for the attribute: one, two for a review field
    /// (the current name and the legacy one), none for the derived
    /// `demoAccountRequired` and for `versionString`, which comes from the
    /// settings.
    pub fn file_names(self) -> Vec<&'static str> {
        match self {
            Attribute::Localized(f) => vec![f.file_name()],
            Attribute::Copyright => vec![RootField::Copyright.file_name()],
            Attribute::Category(slot) => vec![RootField::Category(slot).file_name()],
            Attribute::Review(f) => {
                let (current, legacy) = f.file_names();
                vec![current, legacy]
            }
            Attribute::DemoAccountRequired | Attribute::VersionString => Vec::new(),
        }
    }

    /// The resource the attribute belongs to.
    pub fn resource(self) -> ResourceKind {
        match self {
            Attribute::Localized(f) => f.localization().kind(),
            Attribute::Copyright | Attribute::VersionString => ResourceKind::AppStoreVersions,
            Attribute::Category(_) => ResourceKind::AppInfos,
            Attribute::Review(_) | Attribute::DemoAccountRequired => ResourceKind::AppStoreReviewDetails,
        }
    }

    /// Values that must never be printed: plans show that they changed,
    /// not what to, and plan files hold only fingerprints of them.
    pub fn is_sensitive(self) -> bool {
        self == Attribute::Review(ReviewField::DemoAccountPassword)
    }

    /// Sent as a relationship (`{"data": {"type", "id"}}`), not an attribute.
    pub fn is_relationship(self) -> bool {
        matches!(self, Attribute::Category(_))
    }
}

/// Attributes sort by API name, the order plan files have always used.
impl Ord for Attribute {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.api_name().cmp(other.api_name())
    }
}

impl PartialOrd for Attribute {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for Attribute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.api_name())
    }
}

impl serde::Serialize for Attribute {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.api_name())
    }
}

impl<'de> serde::Deserialize<'de> for Attribute {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<str>::deserialize(d)?;
        Attribute::from_api_name(&name).ok_or_else(|| serde::de::Error::custom(format!("unknown attribute '{name}'")))
    }
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
    closest(&lower, Field::iter().map(Field::file_name))
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
    fn every_name_maps_back_to_its_field() {
        for f in Field::iter() {
            assert_eq!(Field::from_file_name(f.file_name()), Some(f));
            assert_eq!(Field::from_api_name(f.api_name()), Some(f));
        }
        for a in Attribute::all() {
            assert_eq!(Attribute::from_api_name(a.api_name()), Some(a));
        }
        for r in RootField::all() {
            assert_eq!(RootField::from_file_name(r.file_name()), Some(r));
        }
    }

    #[test]
    fn api_names_are_apples() {
        let names: Vec<&str> = Attribute::all().map(Attribute::api_name).collect();
        assert_eq!(
            names,
            [
                "description",
                "keywords",
                "whatsNew",
                "supportUrl",
                "marketingUrl",
                "promotionalText",
                "name",
                "subtitle",
                "privacyPolicyUrl",
                "privacyPolicyText",
                "privacyChoicesUrl",
                "copyright",
                "primaryCategory",
                "secondaryCategory",
                "primarySubcategoryOne",
                "primarySubcategoryTwo",
                "secondarySubcategoryOne",
                "secondarySubcategoryTwo",
                "contactFirstName",
                "contactLastName",
                "contactPhone",
                "contactEmail",
                "demoAccountName",
                "demoAccountPassword",
                "notes",
                "demoAccountRequired",
                "versionString",
            ]
        );
    }

    #[test]
    fn fastlane_file_names_map_to_api_attributes() {
        let api = |file| Field::from_file_name(file).unwrap().api_name();
        assert_eq!(api("release_notes.txt"), "whatsNew");
        assert_eq!(api("privacy_url.txt"), "privacyPolicyUrl");
        assert_eq!(api("apple_tv_privacy_policy.txt"), "privacyPolicyText");
        assert_eq!(api("privacy_choices_url.txt"), "privacyChoicesUrl");
    }

    #[test]
    fn only_the_demo_password_is_a_secret() {
        let secrets: Vec<Attribute> = Attribute::all().filter(|a| a.is_sensitive()).collect();
        assert_eq!(secrets, [Attribute::Review(ReviewField::DemoAccountPassword)]);
    }

    #[test]
    fn typos_get_a_hint() {
        assert_eq!(closest_locale_file("releasenotes.txt"), Some("release_notes.txt"));
        assert_eq!(closest_locale_file("whats_new.txt"), Some("release_notes.txt"));
        assert_eq!(closest_locale_file("Keywords.txt"), Some("keywords.txt"));
        assert_eq!(closest_locale_file("app_store_screenshot_1.txt"), None);
    }
}
