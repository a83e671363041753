//! Apple's facts and rules, as the fake states them for itself: platforms,
//! states and what each state allows, the attributes of each resource, the
//! length limits, the locale codes and the category ids.
//!
//! Why a second copy, when the product has its own tables: a fake exists
//! to disagree with the product wherever the product is wrong about Apple.
//! If the fake read the product's tables, a wrong fact there (a category id
//! Apple does not have, a limit counted the wrong way) would become the
//! fake's fact too, and every test would pass. So this module is written
//! from Apple's documentation and from refusals observed on the live API
//! (shared/reference/asc-api.md, the OpenAPI spec in shared/asc-openapi),
//! and nothing in the fake's rules may come from the product; only seeding
//! a state from a metadata tree (`seed.rs`) reads the product's types.
//!
//! It must be as strict as Apple and no stricter: where the evidence is
//! thin, the fake accepts.

/// `Platform` in Apple's spec.
pub const PLATFORMS: [&str; 4] = ["IOS", "MAC_OS", "TV_OS", "VISION_OS"];

/// `AppVersionState`, the current `appVersionState` of a version (15 values).
pub const APP_VERSION_STATES: [&str; 15] = [
    "ACCEPTED",
    "DEVELOPER_REJECTED",
    "IN_REVIEW",
    "INVALID_BINARY",
    "METADATA_REJECTED",
    "PENDING_APPLE_RELEASE",
    "PENDING_DEVELOPER_RELEASE",
    "PREPARE_FOR_SUBMISSION",
    "PROCESSING_FOR_DISTRIBUTION",
    "READY_FOR_DISTRIBUTION",
    "READY_FOR_REVIEW",
    "REJECTED",
    "REPLACED_WITH_NEW_VERSION",
    "WAITING_FOR_EXPORT_COMPLIANCE",
    "WAITING_FOR_REVIEW",
];

/// `AppInfo.attributes.state` in Apple's spec.
pub const APP_INFO_STATES: [&str; 10] = [
    "ACCEPTED",
    "DEVELOPER_REJECTED",
    "IN_REVIEW",
    "PENDING_RELEASE",
    "PREPARE_FOR_SUBMISSION",
    "READY_FOR_DISTRIBUTION",
    "READY_FOR_REVIEW",
    "REJECTED",
    "REPLACED_WITH_NEW_INFO",
    "WAITING_FOR_REVIEW",
];

/// Version states in which the version's metadata can be edited. The spec
/// has no such notion; fastlane, eas-cli and codemagic all use this set.
const EDITABLE_VERSION_STATES: [&str; 6] = [
    "PREPARE_FOR_SUBMISSION",
    "DEVELOPER_REJECTED",
    "REJECTED",
    "METADATA_REJECTED",
    "WAITING_FOR_REVIEW",
    "INVALID_BINARY",
];

/// App-info states in which its localizations and categories can be
/// edited (fastlane's `fetch_edit_app_info`).
const EDITABLE_APP_INFO_STATES: [&str; 4] = [
    "PREPARE_FOR_SUBMISSION",
    "DEVELOPER_REJECTED",
    "REJECTED",
    "WAITING_FOR_REVIEW",
];

/// After submission a PATCH still went through, but creating a locale
/// failed (itsyconnect-macos #27): in this state the fake allows edits and
/// refuses creating and deleting localizations.
const SUBMITTED: &str = "WAITING_FOR_REVIEW";

/// Whether a version in `state` accepts edits to its metadata.
pub fn version_is_editable(state: &str) -> bool {
    EDITABLE_VERSION_STATES.contains(&state)
}

/// Whether an app info in `state` accepts edits.
pub fn app_info_is_editable(state: &str) -> bool {
    EDITABLE_APP_INFO_STATES.contains(&state)
}

/// Whether localizations can be created on, or deleted from, a parent of
/// this kind in `state`.
pub fn accepts_new_locales(kind: Kind, state: &str) -> bool {
    let editable = match kind {
        Kind::Version => version_is_editable(state),
        Kind::AppInfo => app_info_is_editable(state),
    };
    editable && state != SUBMITTED
}

/// Whether `attribute` of a `kind` localization can change while the
/// parent is not editable: promotional text on a live version (Apple:
/// "without requiring an updated submission"). Nothing of a live app info:
/// Apple refuses its name, subtitle and both privacy URLs alike, one
/// INVALID_STATE error per field (itsyconnect-macos #64, READY_FOR_SALE;
/// nulljosh/bookrank #4, "privacyPolicyUrl can not be modified in the
/// current state" while READY_FOR_DISTRIBUTION), and no report shows a live
/// app info taking a privacy URL through the API.
pub fn editable_when_live(kind: Kind, attribute: &str) -> bool {
    match kind {
        Kind::Version => attribute == "promotionalText",
        Kind::AppInfo => false,
    }
}

/// The attribute Apple refuses on the first version of an app for a
/// platform: there is nothing new yet (409 STATE_ERROR "Attribute
/// 'whatsNew' cannot be edited at this time", seen live by two projects).
pub const REFUSED_ON_FIRST_VERSION: &str = "whatsNew";

/// The deprecated `appStoreState` Apple still sends beside an
/// `appVersionState`: two states were renamed.
pub fn app_store_state(app_version_state: &str) -> &str {
    match app_version_state {
        "READY_FOR_DISTRIBUTION" => "READY_FOR_SALE",
        "PROCESSING_FOR_DISTRIBUTION" => "PROCESSING_FOR_APP_STORE",
        other => other,
    }
}

/// The two localization resources.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `appStoreVersionLocalizations`, under an `appStoreVersions`.
    Version,
    /// `appInfoLocalizations`, under an `appInfos`.
    AppInfo,
}

impl Kind {
    pub fn type_name(self) -> &'static str {
        match self {
            Kind::Version => "appStoreVersionLocalizations",
            Kind::AppInfo => "appInfoLocalizations",
        }
    }

    /// The to-one relationship to the parent, and the parent's type.
    pub fn parent(self) -> (&'static str, &'static str) {
        match self {
            Kind::Version => ("appStoreVersion", "appStoreVersions"),
            Kind::AppInfo => ("appInfo", "appInfos"),
        }
    }

    /// The text attributes besides `locale`, in the spec's order.
    pub fn attributes(self) -> &'static [&'static str] {
        match self {
            Kind::Version => &VERSION_LOCALIZATION_ATTRIBUTES,
            Kind::AppInfo => &APP_INFO_LOCALIZATION_ATTRIBUTES,
        }
    }

    /// Attributes that must be present and not empty: an app-info locale
    /// cannot be created without a `name` (`attributes.required`).
    pub fn required(self) -> &'static [&'static str] {
        match self {
            Kind::Version => &[],
            Kind::AppInfo => &["name"],
        }
    }

    /// Prefix of the ids the fake gives new localizations.
    pub fn id_prefix(self) -> &'static str {
        match self {
            Kind::Version => "verloc-",
            Kind::AppInfo => "infoloc-",
        }
    }
}

/// `AppStoreVersionLocalization` attributes besides `locale`.
pub const VERSION_LOCALIZATION_ATTRIBUTES: [&str; 6] = [
    "description",
    "keywords",
    "marketingUrl",
    "promotionalText",
    "supportUrl",
    "whatsNew",
];

/// `AppInfoLocalization` attributes besides `locale`.
pub const APP_INFO_LOCALIZATION_ATTRIBUTES: [&str; 5] = [
    "name",
    "subtitle",
    "privacyPolicyUrl",
    "privacyChoicesUrl",
    "privacyPolicyText",
];

/// The attributes the spec types `format: uri`: only the version
/// localization's URLs (the app info's are plain strings).
pub fn is_uri(kind: Kind, attribute: &str) -> bool {
    kind == Kind::Version && matches!(attribute, "marketingUrl" | "supportUrl")
}

/// `AppStoreReviewDetail` text attributes.
pub const REVIEW_TEXT_ATTRIBUTES: [&str; 7] = [
    "contactFirstName",
    "contactLastName",
    "contactPhone",
    "contactEmail",
    "demoAccountName",
    "demoAccountPassword",
    "notes",
];

/// `AppStoreReviewDetail`'s to-many relationship to its attachments.
pub const REVIEW_ATTACHMENTS: &str = "appStoreReviewAttachments";

/// `AppStoreReviewAttachment`'s fields, for `fields[appStoreReviewAttachments]`.
pub const REVIEW_ATTACHMENT_FIELDS: [&str; 6] = [
    "fileSize",
    "fileName",
    "sourceFileChecksum",
    "uploadOperations",
    "assetDeliveryState",
    "appStoreReviewDetail",
];

/// `AppStoreReviewDetail`'s one boolean.
pub const REVIEW_FLAG: &str = "demoAccountRequired";

/// `App` attributes the fake serves.
pub const APP_ATTRIBUTES: [&str; 4] = ["name", "bundleId", "sku", "primaryLocale"];

/// `App` relationships the fake links to.
pub const APP_RELATIONSHIPS: [&str; 2] = ["appStoreVersions", "appInfos"];

/// `AppStoreVersion` attributes the fake serves.
pub const VERSION_ATTRIBUTES: [&str; 8] = [
    "platform",
    "versionString",
    "appStoreState",
    "appVersionState",
    "copyright",
    "releaseType",
    "earliestReleaseDate",
    "createdDate",
];

/// `AppStoreVersionUpdateRequest` attributes.
pub const VERSION_UPDATE_ATTRIBUTES: [&str; 7] = [
    "copyright",
    "releaseType",
    "earliestReleaseDate",
    "versionString",
    "downloadable",
    "reviewType",
    "usesIdfa",
];

/// `releaseType` values.
pub const RELEASE_TYPES: [&str; 3] = ["MANUAL", "AFTER_APPROVAL", "SCHEDULED"];

/// `include` values of the version endpoints.
pub const VERSION_INCLUDES: [&str; 12] = [
    "app",
    "appStoreVersionLocalizations",
    "build",
    "appStoreVersionPhasedRelease",
    "gameCenterAppVersion",
    "routingAppCoverage",
    "appStoreReviewDetail",
    "appStoreVersionSubmission",
    "appClipDefaultExperience",
    "appStoreVersionExperiments",
    "appStoreVersionExperimentsV2",
    "alternativeDistributionPackage",
];

/// `include` values of the app-info endpoints.
pub const APP_INFO_INCLUDES: [&str; 9] = [
    "app",
    "ageRatingDeclaration",
    "appInfoLocalizations",
    "primaryCategory",
    "primarySubcategoryOne",
    "primarySubcategoryTwo",
    "secondaryCategory",
    "secondarySubcategoryOne",
    "secondarySubcategoryTwo",
];

/// An app info's category relationships, as `AppInfoUpdateRequest` names
/// them.
pub const CATEGORY_RELATIONSHIPS: [&str; 6] = [
    "primaryCategory",
    "secondaryCategory",
    "primarySubcategoryOne",
    "primarySubcategoryTwo",
    "secondarySubcategoryOne",
    "secondarySubcategoryTwo",
];

/// For a subcategory relationship, the category relationship it refines;
/// `None` for the two category relationships.
pub fn subcategory_of(relationship: &str) -> Option<&'static str> {
    match relationship {
        "primarySubcategoryOne" | "primarySubcategoryTwo" => Some("primaryCategory"),
        "secondarySubcategoryOne" | "secondarySubcategoryTwo" => Some("secondaryCategory"),
        _ => None,
    }
}

/// Apple's length limits, counted in characters (Unicode scalar values).
///
/// Apple's help page ("Platform version information") says keywords take
/// "up to 100 bytes", but the API counts characters: it accepted Arabic
/// keywords of 91 characters and 168 UTF-8 bytes (rorkai/App-Store-Connect-
/// CLI #1399, 2026), accepted Thai keywords of 100 characters and 220
/// bytes, and refused a longer one with "Keywords for Thai cannot be longer
/// than 100 characters." (Apple developer forums thread 705360). Counting
/// bytes would make the fake stricter than Apple.
pub fn max_length(kind: Kind, attribute: &str) -> Option<usize> {
    match (kind, attribute) {
        (Kind::Version, "description" | "whatsNew") => Some(4000),
        (Kind::Version, "keywords") => Some(100),
        (Kind::Version, "promotionalText") => Some(170),
        (Kind::AppInfo, "name" | "subtitle") => Some(30),
        _ => None,
    }
}

/// A value's length as Apple counts it for [`max_length`].
pub fn length(value: &str) -> usize {
    value.chars().count()
}

/// The characters Apple refuses in the text fields that have a
/// [`field_label`], as inclusive ranges: the Unicode blocks of emoji
/// pictographs, the regional indicators that pair into flags, and the
/// emoji variation selector. Apple documents no list; this is what its
/// refusals show: 🚀 (U+1F680) in a description (blokadaorg/blokada #984),
/// 🚨 (U+1F6A8) in What's New (super-productivity #9608), 🧭 🗺 🌍 and a
/// bare U+FE0F listed as a character of its own in What's New (a 2026
/// refusal quoted in a public release-notes filter), emoji in app names
/// (expo/eas-cli's captured refusal of "Expo 🚀"). Letters of any script,
/// combining marks, ©, ®, ™ and punctuation are not refused here: where
/// the evidence is thin (older refusals of ★, ✓ or box-drawing dashes in
/// the web form) the fake accepts.
pub const REFUSED_CHARACTERS: [(char, char); 7] = [
    ('\u{1F1E6}', '\u{1F1FF}'), // regional indicator symbols (flags)
    ('\u{1F300}', '\u{1F5FF}'), // Miscellaneous Symbols and Pictographs
    ('\u{1F600}', '\u{1F64F}'), // Emoticons
    ('\u{1F680}', '\u{1F6FF}'), // Transport and Map Symbols
    ('\u{1F900}', '\u{1F9FF}'), // Supplemental Symbols and Pictographs
    ('\u{1FA70}', '\u{1FAFF}'), // Symbols and Pictographs Extended-A
    ('\u{FE0F}', '\u{FE0F}'),   // VARIATION SELECTOR-16 (emoji presentation)
];

/// The characters of `value` Apple refuses, each once, in order of first
/// appearance (Apple lists them so: "🧭, 🗺, 🌍, ️").
pub fn refused_characters(value: &str) -> Vec<char> {
    let mut found: Vec<char> = Vec::new();
    for c in value.chars() {
        let refused = REFUSED_CHARACTERS.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c));
        if refused && !found.contains(&c) {
            found.push(c);
        }
    }
    found
}

/// The name Apple's error details give a text field, as its web form
/// labels it: "Description can’t contain …" (itsyconnect-macos #54,
/// blokada #984), "What's New in This Version can’t contain …" (fastlane
/// #15962, #16988), "Name can’t contain …" (fastlane #10277), "Keywords for
/// … cannot be longer than 100 characters" (wikimedia/wikipedia-ios
/// #4726); Promotional Text and Subtitle are the form's own labels. Only
/// these fields have their characters checked.
pub fn field_label(kind: Kind, attribute: &str) -> Option<&'static str> {
    match (kind, attribute) {
        (Kind::Version, "description") => Some("Description"),
        (Kind::Version, "whatsNew") => Some("What's New in This Version"),
        (Kind::Version, "promotionalText") => Some("Promotional Text"),
        (Kind::Version, "keywords") => Some("Keywords"),
        (Kind::AppInfo, "name") => Some("Name"),
        (Kind::AppInfo, "subtitle") => Some("Subtitle"),
        _ => None,
    }
}

/// The attribute that must hold no control characters (fastlane #20285:
/// "'privacyPolicyText' must not contain control characters (for example,
/// null, new lines, carriage returns, escape, and other invisible
/// characters)").
pub const NO_CONTROL_CHARACTERS: &str = "privacyPolicyText";

/// Whether `value` holds a control character (Unicode category Cc).
pub fn has_control_character(value: &str) -> bool {
    value.chars().any(char::is_control)
}

/// Whether two app names are the same name to Apple, which keeps app names
/// unique regardless of case.
pub fn same_app_name(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

/// The review contact phone's longest value in bytes (iTunes Connect:
/// "Phone number cannot be longer than 20 bytes", fastlane #8839;
/// apple-shipkit #189 names the same cap for the API).
pub const MAX_PHONE_BYTES: usize = 20;

/// The review contact phone as Apple judges it: format characters
/// (Unicode Cf) set aside, any space a plain space, trimmed. A number
/// copied from macOS Contacts carries U+202D (left-to-right override)
/// before it and U+202C (pop directional formatting) after it; fastlane
/// deliver sends the file unchanged, and a public app shipped several
/// updates with such a file, so Apple takes the number with them. Nothing
/// shows whether Apple stores them: the fake stores what was sent. The
/// 20-byte cap is applied to this form too (nothing shows Apple counting
/// the invisible characters; where the evidence is thin the fake accepts).
pub fn phone_as_judged(value: &str) -> String {
    let read: String = value
        .chars()
        .filter(|c| !is_format_character(*c))
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    read.trim().to_owned()
}

/// Unicode's format characters (category Cf): invisible, and no part of
/// what a phone number says.
fn is_format_character(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{070F}'
        | '\u{0890}'..='\u{0891}' | '\u{08E2}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{110BD}' | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
}

/// Whether Apple takes `value` as a review contact phone: "Preface the
/// phone number with ‘+’ followed by the country code (for example, +44
/// 844 209 0611)". The digits may be grouped with spaces, hyphens, dots
/// and parentheses. After `+`, a country code and 7 to 15 digits in all
/// (E.164). After `+1` the number must start with 2 to 9, as North
/// American area codes do: `+10000000000` is refused (apple-shipkit #189).
/// It need not be a whole North American number: `+1 555 0100`, the
/// fictional number in the review files of two public trees that ship with
/// deliver (BlueWallet, DuckDuckGo), is taken. Without `+` Apple still took 10- and
/// 11-digit North American numbers (rorkai/App-Store-Connect-CLI API
/// notes), so those pass; `555 0100` and `(555) 010-0100` do not. The
/// number is judged as [`phone_as_judged`] reads it.
pub fn phone_is_valid(value: &str) -> bool {
    let judged = phone_as_judged(value);
    let (plus, rest) = match judged.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, judged.as_str()),
    };
    if !rest.chars().all(|c| c.is_ascii_digit() || " -.()".contains(c)) {
        return false;
    }
    let digits: Vec<u8> = rest.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect();
    match (plus, digits.first()) {
        (true, Some(1)) => digits.get(1).is_some_and(|d| *d >= 2) && (7..=15).contains(&digits.len()),
        (true, Some(d)) => *d != 0 && (7..=15).contains(&digits.len()),
        (false, Some(1)) if digits.len() == 11 => is_north_american(&digits[1..]),
        (false, Some(_)) => is_north_american(&digits),
        (_, None) => false,
    }
}

/// A North American Numbering Plan number without its `1`: ten digits, an
/// area code and an exchange that each start with 2–9.
fn is_north_american(digits: &[u8]) -> bool {
    digits.len() == 10 && digits[0] >= 2 && digits[3] >= 2
}

/// The 50 locale codes App Store metadata accepts, case-sensitive
/// ("Managing metadata in your app by using locale shortcodes"; the list
/// as of 2026, with the eleven codes added that year). `it-IT`, `fr-ca`
/// and `nb` are refused live.
pub const LOCALES: [&str; 50] = [
    "ar-SA", "bn-BD", "ca", "cs", "da", "de-DE", "el", "en-AU", "en-CA", "en-GB", "en-US", "es-ES", "es-MX", "fi",
    "fr-CA", "fr-FR", "gu-IN", "he", "hi", "hr", "hu", "id", "it", "ja", "kn-IN", "ko", "ml-IN", "mr-IN", "ms",
    "nl-NL", "no", "or-IN", "pa-IN", "pl", "pt-BR", "pt-PT", "ro", "ru", "sk", "sl-SI", "sv", "ta-IN", "te-IN", "th",
    "tr", "uk", "ur-PK", "vi", "zh-Hans", "zh-Hant",
];

/// Whether `code` is one of Apple's locale codes, exactly as spelled.
pub fn is_locale(code: &str) -> bool {
    LOCALES.contains(&code)
}

/// One `appCategories` resource: its id, and its parent's for a
/// subcategory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Category {
    pub id: &'static str,
    pub parent: Option<&'static str>,
}

const fn top(id: &'static str) -> Category {
    Category { id, parent: None }
}

const fn games(id: &'static str) -> Category {
    Category {
        id,
        parent: Some("GAMES"),
    }
}

const fn stickers(id: &'static str) -> Category {
    Category {
        id,
        parent: Some("STICKERS"),
    }
}

/// Apple's `appCategories` (`GET /v1/appCategories?include=parent`): 26
/// categories, the games subcategories under GAMES and the sticker
/// subcategories under STICKERS.
pub const CATEGORIES: [Category; 57] = [
    top("BOOKS"),
    top("BUSINESS"),
    top("DEVELOPER_TOOLS"),
    top("EDUCATION"),
    top("ENTERTAINMENT"),
    top("FINANCE"),
    top("FOOD_AND_DRINK"),
    top("GAMES"),
    top("GRAPHICS_AND_DESIGN"),
    top("HEALTH_AND_FITNESS"),
    top("LIFESTYLE"),
    top("MAGAZINES_AND_NEWSPAPERS"),
    top("MEDICAL"),
    top("MUSIC"),
    top("NAVIGATION"),
    top("NEWS"),
    top("PHOTO_AND_VIDEO"),
    top("PRODUCTIVITY"),
    top("REFERENCE"),
    top("SHOPPING"),
    top("SOCIAL_NETWORKING"),
    top("SPORTS"),
    top("STICKERS"),
    top("TRAVEL"),
    top("UTILITIES"),
    top("WEATHER"),
    games("GAMES_ACTION"),
    games("GAMES_ADVENTURE"),
    games("GAMES_BOARD"),
    games("GAMES_CARD"),
    games("GAMES_CASINO"),
    games("GAMES_CASUAL"),
    games("GAMES_FAMILY"),
    games("GAMES_MUSIC"),
    games("GAMES_PUZZLE"),
    games("GAMES_RACING"),
    games("GAMES_ROLE_PLAYING"),
    games("GAMES_SIMULATION"),
    games("GAMES_SPORTS"),
    games("GAMES_STRATEGY"),
    games("GAMES_TRIVIA"),
    games("GAMES_WORD"),
    stickers("STICKERS_ANIMALS"),
    stickers("STICKERS_ART"),
    stickers("STICKERS_CELEBRATIONS"),
    stickers("STICKERS_CELEBRITIES"),
    stickers("STICKERS_CHARACTERS"),
    stickers("STICKERS_EATING_AND_DRINKING"),
    stickers("STICKERS_EMOJI_AND_EXPRESSIONS"),
    stickers("STICKERS_FASHION"),
    stickers("STICKERS_GAMING"),
    stickers("STICKERS_KIDS_AND_FAMILY"),
    stickers("STICKERS_MOVIES_AND_TV"),
    stickers("STICKERS_MUSIC"),
    stickers("STICKERS_PEOPLE"),
    stickers("STICKERS_PLACES_AND_OBJECTS"),
    stickers("STICKERS_SPORTS_AND_ACTIVITIES"),
];

/// The category with this id, exactly as spelled.
pub fn category(id: &str) -> Option<Category> {
    CATEGORIES.iter().copied().find(|c| c.id == id)
}

/// Whether `id` may fill `relationship` when the category it refines (for
/// a subcategory relationship) is `parent`: a category relationship takes
/// a top-level category; a subcategory relationship takes a subcategory of
/// exactly that parent.
pub fn category_fits(relationship: &str, id: &str, parent: Option<&str>) -> bool {
    let Some(found) = category(id) else {
        return false;
    };
    match subcategory_of(relationship) {
        None => found.parent.is_none(),
        Some(_) => found.parent.is_some() && found.parent == parent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_have_no_duplicates() {
        let mut locales = LOCALES.to_vec();
        locales.sort_unstable();
        locales.dedup();
        assert_eq!(locales.len(), 50);
        let mut ids: Vec<&str> = CATEGORIES.iter().map(|c| c.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), CATEGORIES.len());
        for c in CATEGORIES {
            if let Some(p) = c.parent {
                assert_eq!(category(p).map(|p| p.parent), Some(None), "{}", c.id);
                assert!(c.id.starts_with(p), "{}", c.id);
            }
        }
    }

    #[test]
    fn categories_fit_only_their_slot() {
        assert!(category_fits("primaryCategory", "SOCIAL_NETWORKING", None));
        assert!(!category_fits("primaryCategory", "SOCIALNETWORKING", None));
        assert!(!category_fits("primaryCategory", "GAMES_ACTION", None));
        assert!(category_fits("primarySubcategoryOne", "GAMES_ACTION", Some("GAMES")));
        assert!(!category_fits(
            "primarySubcategoryOne",
            "GAMES_ACTION",
            Some("STICKERS")
        ));
        assert!(!category_fits("primarySubcategoryOne", "GAMES_ACTION", None));
        assert!(!category_fits("secondarySubcategoryTwo", "GAMES", Some("GAMES")));
    }

    #[test]
    fn locales_are_case_sensitive() {
        assert!(is_locale("zh-Hans") && is_locale("no"));
        assert!(!is_locale("zh-hans") && !is_locale("it-IT") && !is_locale("nb"));
    }

    #[test]
    fn keywords_are_counted_in_characters() {
        let thai = "ตัวแก้ไข xliff, การแปลเป็นภาษาท้องถิ่น, เครื่องมือ xliff, xcode, การแปล xliff, xcloc, การแปลงข้อความ";
        assert_eq!((length(thai), thai.len()), (100, 220));
        assert!(length(thai) <= max_length(Kind::Version, "keywords").unwrap());
    }

    #[test]
    fn emoji_are_refused_and_ordinary_text_is_not() {
        assert_eq!(refused_characters("Go 🚀🚀 to 🌍\u{FE0F}!"), ['🚀', '🌍', '\u{FE0F}']);
        assert_eq!(
            refused_characters("🇫🇷 🧭 🥳 🫠"),
            ['\u{1F1EB}', '\u{1F1F7}', '🧭', '🥳', '🫠']
        );
        for fine in [
            "© ® ™ – — … « » “quotes” ‘single’ • · ¶",
            "Ελληνικά, русский, 日本語, العربية, हिन्दी, ไทย, 한국어",
            "Slovenčina with a combining caron: c\u{30C}, e\u{301}",
        ] {
            assert!(refused_characters(fine).is_empty(), "{fine}");
        }
    }

    #[test]
    fn review_phones_need_a_country_code() {
        for good in [
            "+44 844 209 0611",
            "+1 650 539 4696",
            "+16505394696",
            "+49 (0)30 1234567",
            "+81-90-1234-5678",
            "+819012345678",
            "650.539.4696",
            "1 (650) 539-4696",
            "+1 555 0100",
        ] {
            assert!(phone_is_valid(good), "{good}");
        }
        for contacts in [
            "\u{202D}+44 844 209 0611\u{202C}",
            "+1\u{A0}415\u{A0}555\u{A0}0100",
            "\u{202D}+1 415 555 0100\u{202C}",
        ] {
            assert!(phone_is_valid(contacts), "{contacts:?}");
            assert!(phone_as_judged(contacts).len() <= MAX_PHONE_BYTES, "{contacts:?}");
        }
        for bad in [
            "555 0100",
            "(555) 010-0100",
            "+10000000000",
            "+1 055 0100",
            "+",
            "+ 43",
            "+0 123 4567",
            "call me",
            "+44 844 209 0611 ext. 2",
            "",
        ] {
            assert!(!phone_is_valid(bad), "{bad}");
        }
    }

    #[test]
    fn states_gate_edits_and_new_locales() {
        assert!(version_is_editable("WAITING_FOR_REVIEW"));
        assert!(!accepts_new_locales(Kind::Version, "WAITING_FOR_REVIEW"));
        assert!(accepts_new_locales(Kind::AppInfo, "PREPARE_FOR_SUBMISSION"));
        assert!(!app_info_is_editable("READY_FOR_DISTRIBUTION"));
        for s in EDITABLE_VERSION_STATES {
            assert!(APP_VERSION_STATES.contains(&s));
        }
        for s in EDITABLE_APP_INFO_STATES {
            assert!(APP_INFO_STATES.contains(&s));
        }
    }
}

/// Screenshots and app previews: the two kinds of media a version
/// localization holds, each in sets of one display type
/// (shared/reference/assets-release-iap.md §2; the spec's
/// `AppScreenshotSet`, `AppScreenshot`, `AppPreviewSet`, `AppPreview`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Media {
    Screenshot,
    Preview,
}

impl Media {
    /// The set resource's type.
    pub fn set_type(self) -> &'static str {
        match self {
            Media::Screenshot => "appScreenshotSets",
            Media::Preview => "appPreviewSets",
        }
    }

    /// The asset resource's type, also the set's to-many relationship.
    pub fn asset_type(self) -> &'static str {
        match self {
            Media::Screenshot => "appScreenshots",
            Media::Preview => "appPreviews",
        }
    }

    /// The asset's to-one relationship to its set.
    pub fn set_relationship(self) -> &'static str {
        match self {
            Media::Screenshot => "appScreenshotSet",
            Media::Preview => "appPreviewSet",
        }
    }

    /// The set attribute naming its display type.
    pub fn type_attribute(self) -> &'static str {
        match self {
            Media::Screenshot => "screenshotDisplayType",
            Media::Preview => "previewType",
        }
    }

    /// The spec's enum of display types: `ScreenshotDisplayType`,
    /// `PreviewType`.
    pub fn display_types(self) -> &'static [&'static str] {
        match self {
            Media::Screenshot => &SCREENSHOT_DISPLAY_TYPES,
            Media::Preview => &PREVIEW_TYPES,
        }
    }

    /// The most assets a set holds: 10 screenshots (Apple's asset-library
    /// reference data, `maxCount: 10`; a live 409 "Too many screenshots
    /// (10)", PriceJar) and 3 previews per type (fastlane deliver's cap).
    pub fn max_per_set(self) -> usize {
        match self {
            Media::Screenshot => 10,
            Media::Preview => 3,
        }
    }

    /// Word used in Apple's messages about this kind.
    pub fn noun(self) -> &'static str {
        match self {
            Media::Screenshot => "Screenshot",
            Media::Preview => "Preview",
        }
    }

    /// `fields[appScreenshotSets]` / `fields[appPreviewSets]`.
    pub fn set_fields(self) -> &'static [&'static str] {
        match self {
            Media::Screenshot => &[
                "screenshotDisplayType",
                "appStoreVersionLocalization",
                "appCustomProductPageLocalization",
                "appStoreVersionExperimentTreatmentLocalization",
                "appScreenshots",
            ],
            Media::Preview => &[
                "previewType",
                "appStoreVersionLocalization",
                "appCustomProductPageLocalization",
                "appStoreVersionExperimentTreatmentLocalization",
                "appPreviews",
            ],
        }
    }

    /// `fields[appScreenshots]` / `fields[appPreviews]`.
    pub fn asset_fields(self) -> &'static [&'static str] {
        match self {
            Media::Screenshot => &[
                "fileSize",
                "fileName",
                "sourceFileChecksum",
                "imageAsset",
                "assetToken",
                "assetType",
                "uploadOperations",
                "assetDeliveryState",
                "appScreenshotSet",
            ],
            Media::Preview => &[
                "fileSize",
                "fileName",
                "sourceFileChecksum",
                "previewFrameTimeCode",
                "mimeType",
                "videoUrl",
                "previewFrameImage",
                "previewImage",
                "uploadOperations",
                "assetDeliveryState",
                "videoDeliveryState",
                "appPreviewSet",
            ],
        }
    }

    /// `include` values of a set read.
    pub fn set_includes(self) -> [&'static str; 4] {
        [
            "appStoreVersionLocalization",
            "appCustomProductPageLocalization",
            "appStoreVersionExperimentTreatmentLocalization",
            self.asset_type(),
        ]
    }

    /// The attributes an asset reservation (`AppScreenshotCreateRequest`,
    /// `AppPreviewCreateRequest`) takes.
    pub fn create_attributes(self) -> &'static [&'static str] {
        match self {
            Media::Screenshot => &["fileName", "fileSize"],
            Media::Preview => &["fileName", "fileSize", "previewFrameTimeCode", "mimeType"],
        }
    }

    /// The attributes a commit (`AppScreenshotUpdateRequest`,
    /// `AppPreviewUpdateRequest`) takes.
    pub fn update_attributes(self) -> &'static [&'static str] {
        match self {
            Media::Screenshot => &["sourceFileChecksum", "uploaded"],
            Media::Preview => &["sourceFileChecksum", "previewFrameTimeCode", "uploaded"],
        }
    }
}

/// A version localization's relationships to its screenshot and preview
/// sets.
pub const VERSION_LOCALIZATION_MEDIA: [&str; 2] = ["appScreenshotSets", "appPreviewSets"];

/// `ScreenshotDisplayType` (33 values). `APP_IPHONE_69` is not one: Apple
/// reuses `APP_IPHONE_67` for the 6.9" slot and refuses the other name.
pub const SCREENSHOT_DISPLAY_TYPES: [&str; 33] = [
    "APP_IPHONE_67",
    "APP_IPHONE_61",
    "APP_IPHONE_65",
    "APP_IPHONE_58",
    "APP_IPHONE_55",
    "APP_IPHONE_47",
    "APP_IPHONE_40",
    "APP_IPHONE_35",
    "APP_IPAD_PRO_3GEN_129",
    "APP_IPAD_PRO_3GEN_11",
    "APP_IPAD_PRO_129",
    "APP_IPAD_105",
    "APP_IPAD_97",
    "APP_DESKTOP",
    "APP_WATCH_ULTRA",
    "APP_WATCH_SERIES_10",
    "APP_WATCH_SERIES_7",
    "APP_WATCH_SERIES_4",
    "APP_WATCH_SERIES_3",
    "APP_APPLE_TV",
    "APP_APPLE_VISION_PRO",
    "IMESSAGE_APP_IPHONE_67",
    "IMESSAGE_APP_IPHONE_61",
    "IMESSAGE_APP_IPHONE_65",
    "IMESSAGE_APP_IPHONE_58",
    "IMESSAGE_APP_IPHONE_55",
    "IMESSAGE_APP_IPHONE_47",
    "IMESSAGE_APP_IPHONE_40",
    "IMESSAGE_APP_IPAD_PRO_3GEN_129",
    "IMESSAGE_APP_IPAD_PRO_3GEN_11",
    "IMESSAGE_APP_IPAD_PRO_129",
    "IMESSAGE_APP_IPAD_105",
    "IMESSAGE_APP_IPAD_97",
];

/// `PreviewType` (16 values): the slot names without `APP_`, no watch or
/// iMessage.
pub const PREVIEW_TYPES: [&str; 16] = [
    "IPHONE_67",
    "IPHONE_61",
    "IPHONE_65",
    "IPHONE_58",
    "IPHONE_55",
    "IPHONE_47",
    "IPHONE_40",
    "IPHONE_35",
    "IPAD_PRO_3GEN_129",
    "IPAD_PRO_3GEN_11",
    "IPAD_PRO_129",
    "IPAD_105",
    "IPAD_97",
    "DESKTOP",
    "APPLE_TV",
    "APPLE_VISION_PRO",
];

/// The version platform a display type belongs to. A set of another
/// platform than its version's is refused: `APP_DESKTOP` on an iOS
/// version gave 409 (ascelerate's MediaUpload.swift, a single report);
/// the other directions (an iPhone slot on a Mac version, …) are inferred
/// from each platform having only its own slots in App Store Connect.
pub fn display_type_platform(display_type: &str) -> &'static str {
    match display_type.trim_start_matches("APP_") {
        "DESKTOP" => "MAC_OS",
        "APPLE_TV" => "TV_OS",
        "APPLE_VISION_PRO" => "VISION_OS",
        _ => "IOS",
    }
}

/// Pixel sizes Apple accepts per screenshot slot, portrait, as fastlane
/// deliver's `DEVICE_RESOLUTIONS` lists them and live refusals confirm
/// (shared/reference/assets-release-iap.md §2.2). Apple reuses old names
/// for new sizes: `APP_IPHONE_67` is the 6.9" slot, `_61` the 6.3", `_58`
/// the 6.1", `APP_IPAD_PRO_3GEN_129` the 13". The landscape of each size
/// is accepted too, except where [`landscape_only`] says otherwise; the
/// iMessage slots take their app slot's sizes.
pub fn screenshot_sizes(display_type: &str) -> &'static [(u32, u32)] {
    match display_type.trim_start_matches("IMESSAGE_") {
        "APP_IPHONE_67" => &[(1260, 2736), (1290, 2796), (1320, 2868)],
        // 1284×2778 is refused by _67 (a live report) but taken here.
        "APP_IPHONE_65" => &[(1242, 2688), (1284, 2778)],
        "APP_IPHONE_61" => &[(1179, 2556), (1206, 2622)],
        "APP_IPHONE_58" => &[(1170, 2532), (1125, 2436), (1080, 2340)],
        "APP_IPHONE_55" => &[(1242, 2208)],
        "APP_IPHONE_47" => &[(750, 1334)],
        "APP_IPHONE_40" => &[(640, 1096), (640, 1136), (600, 1136)],
        "APP_IPHONE_35" => &[(640, 920), (640, 960), (600, 960)],
        "APP_IPAD_PRO_3GEN_129" => &[(2048, 2732), (2064, 2752)],
        "APP_IPAD_PRO_129" => &[(2048, 2732)],
        "APP_IPAD_PRO_3GEN_11" => &[(1488, 2266), (1668, 2420), (1668, 2388), (1640, 2360)],
        "APP_IPAD_105" => &[(1668, 2224)],
        "APP_IPAD_97" => &[(748, 1024), (768, 1024), (1496, 2048), (1536, 2048)],
        "APP_DESKTOP" => &[(1280, 800), (1440, 900), (2560, 1600), (2880, 1800)],
        "APP_APPLE_TV" => &[(1920, 1080), (3840, 2160)],
        "APP_APPLE_VISION_PRO" => &[(3840, 2160)],
        "APP_WATCH_ULTRA" => &[(410, 502), (422, 514)],
        "APP_WATCH_SERIES_10" => &[(416, 496)],
        "APP_WATCH_SERIES_7" => &[(396, 484)],
        "APP_WATCH_SERIES_4" => &[(368, 448)],
        "APP_WATCH_SERIES_3" => &[(312, 390)],
        _ => &[],
    }
}

/// Slots whose sizes are taken only as listed: the Mac's are landscape
/// only.
fn landscape_only(display_type: &str) -> bool {
    display_type == "APP_DESKTOP"
}

/// Whether an image of `width`×`height` pixels fits a screenshot slot;
/// Apple fails one that does not with `IMAGE_INCORRECT_DIMENSIONS`, after
/// the commit, in `assetDeliveryState` (four live reports, §2.3).
pub fn screenshot_fits(display_type: &str, width: u32, height: u32) -> bool {
    screenshot_sizes(display_type)
        .iter()
        .any(|&(w, h)| (w, h) == (width, height) || (!landscape_only(display_type) && (h, w) == (width, height)))
}

/// Whether an app preview has a sound track (a `moov/trak` whose
/// `mdia/hdlr` handler is `soun`). Apple fails a silent preview after
/// the commit with `MOV_RESAVE_STEREO` (one live report, §2.3: "silent
/// video → FAILED MOV_RESAVE_STEREO"); its description is inferred.
pub fn preview_has_sound(bytes: &[u8]) -> bool {
    use super::mp4box::boxes;
    let Some((_, moov)) = boxes(bytes).find(|(t, _)| *t == b"moov") else {
        return false;
    };
    boxes(moov).filter(|(t, _)| *t == b"trak").any(|(_, trak)| {
        boxes(trak)
            .filter(|(t, _)| *t == b"mdia")
            .flat_map(|(_, mdia)| boxes(mdia))
            .any(|(t, hdlr)| t == b"hdlr" && hdlr.get(8..12) == Some(b"soun"))
    })
}

/// The size of the parts Apple splits an upload into: 5 MiB, as the
/// `uploadOperations` of Apple's answers captured in a public client's
/// fixtures show it (`"length" : 5242880`, offsets 0, 5242880, …; the last
/// part holds the rest). Seen on build uploads; the fake assumes the
/// media reservations split the same way (inferred).
pub const UPLOAD_PART_BYTES: u64 = 5 * 1024 * 1024;

/// The `Content-Type` an upload operation asks for, by the file's name:
/// `image/png` for a PNG screenshot (Apple developer forums 742314), the
/// reserved `mimeType` of a preview when given; otherwise inferred from
/// the extension, and `application/octet-stream` (Apple's parts of other
/// files) when it says nothing.
pub fn upload_content_type(file_name: &str, mime_type: Option<&str>) -> String {
    if let Some(m) = mime_type {
        return m.to_owned();
    }
    let ext = file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("mp4") => "video/mp4",
        Some("mov") => "video/quicktime",
        Some("m4v") => "video/x-m4v",
        _ => "application/octet-stream",
    }
    .to_owned()
}

/// Version states in which screenshots and previews can be added,
/// reordered and deleted: the editable states before submission. Apple
/// refuses deleting a screenshot once the version is submitted ("Can't
/// Delete Screenshot After Submit for review", notifi PR #257) while the
/// text stays editable in WAITING_FOR_REVIEW; that adding and reordering
/// are refused alike is inferred.
pub fn media_is_editable(version_state: &str) -> bool {
    version_is_editable(version_state) && version_state != SUBMITTED
}

/// States of in-app purchase, subscription and subscription group
/// versions (spec 4.4.1, `InAppPurchaseVersion.state`; the same enum on
/// `SubscriptionVersion` and `SubscriptionGroupVersion`).
pub const PRODUCT_VERSION_STATES: [&str; 9] = [
    "PREPARE_FOR_SUBMISSION",
    "READY_FOR_REVIEW",
    "WAITING_FOR_REVIEW",
    "IN_REVIEW",
    "ACCEPTED",
    "APPROVED",
    "REPLACED_WITH_NEW_VERSION",
    "REJECTED",
    "DEVELOPER_REJECTED",
];

/// Whether the localizations of a product version in `state` can be
/// created, edited or deleted. Apple: "When you need to change any
/// localization or image, you create a new version rather than editing
/// the live product" ("Working with In-App Purchase versions"); which
/// states still take edits is inferred: those before submission and
/// those sent back.
pub fn product_version_is_editable(state: &str) -> bool {
    matches!(
        state,
        "PREPARE_FOR_SUBMISSION" | "READY_FOR_REVIEW" | "REJECTED" | "DEVELOPER_REJECTED"
    )
}

/// The state the product-level (v1) localization shows for a version's
/// state (`InAppPurchaseLocalization.state`, and the subscription and
/// group ones, have four values; the mapping is inferred).
pub fn product_localization_state(version_state: &str) -> &'static str {
    match version_state {
        "WAITING_FOR_REVIEW" | "IN_REVIEW" | "ACCEPTED" => "WAITING_FOR_REVIEW",
        "APPROVED" | "REPLACED_WITH_NEW_VERSION" => "APPROVED",
        "REJECTED" | "DEVELOPER_REJECTED" => "REJECTED",
        _ => "PREPARE_FOR_SUBMISSION",
    }
}

/// The longest in-app purchase localization `name` and `description`, in
/// characters: 30 and 45 (terraform-provider-apple's
/// `in_app_purchase_localization` docs; security-union/remote-shutter
/// PR #121, which hit both).
pub const IAP_NAME_MAX: usize = 30;
pub const IAP_DESCRIPTION_MAX: usize = 45;

/// `InAppPurchaseV2.state` (spec 4.4.1, the `filter[state]` of an app's
/// in-app purchases).
pub const IAP_STATES: [&str; 12] = [
    "MISSING_METADATA",
    "WAITING_FOR_UPLOAD",
    "PROCESSING_CONTENT",
    "READY_TO_SUBMIT",
    "WAITING_FOR_REVIEW",
    "IN_REVIEW",
    "DEVELOPER_ACTION_NEEDED",
    "PENDING_BINARY_APPROVAL",
    "APPROVED",
    "DEVELOPER_REMOVED_FROM_SALE",
    "REMOVED_FROM_SALE",
    "REJECTED",
];

/// `InAppPurchaseType` (spec 4.4.1).
pub const IAP_TYPES: [&str; 3] = ["CONSUMABLE", "NON_CONSUMABLE", "NON_RENEWING_SUBSCRIPTION"];

/// The longest subscription localization `name` and `description`: 30 and
/// 45, inferred (no report read; the same display name and description
/// fields as an in-app purchase's). A group's `name` and `customAppName`
/// have no limit read anywhere, and the fake enforces none.
pub const SUBSCRIPTION_NAME_MAX: usize = 30;
pub const SUBSCRIPTION_DESCRIPTION_MAX: usize = 45;

/// `Subscription.state` (spec 4.4.1, also `filter[subscriptions.state]`).
pub const SUBSCRIPTION_STATES: [&str; 10] = [
    "MISSING_METADATA",
    "READY_TO_SUBMIT",
    "WAITING_FOR_REVIEW",
    "IN_REVIEW",
    "DEVELOPER_ACTION_NEEDED",
    "PENDING_BINARY_APPROVAL",
    "APPROVED",
    "DEVELOPER_REMOVED_FROM_SALE",
    "REMOVED_FROM_SALE",
    "REJECTED",
];
