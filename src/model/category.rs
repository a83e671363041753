//! Category files hold Apple's `appCategories` ids, or fastlane's legacy
//! iTunes Connect names for them. asc-sync maps a legacy name exactly as
//! fastlane does (spaceship `connect_api/models/app_category.rb`): remove
//! every `MZGenre.`, then look the name up in the category table or the
//! subcategory table (the two differ: `Sports` is `SPORTS` as a category
//! and `GAMES_SPORTS` as a subcategory), else keep it as it is. What is
//! left must be one of Apple's ids, which `validate` checks offline.

use super::fields::CategorySlot;

/// Apple's `appCategories` ids (`GET /v1/appCategories?include=parent`),
/// each with the category it belongs under.
#[rustfmt::skip]
const APPLE_IDS: [(&str, Option<&str>); 57] = [
    ("BOOKS", None), ("BUSINESS", None), ("DEVELOPER_TOOLS", None), ("EDUCATION", None),
    ("ENTERTAINMENT", None), ("FINANCE", None), ("FOOD_AND_DRINK", None), ("GAMES", None),
    ("GRAPHICS_AND_DESIGN", None), ("HEALTH_AND_FITNESS", None), ("LIFESTYLE", None),
    ("MAGAZINES_AND_NEWSPAPERS", None), ("MEDICAL", None), ("MUSIC", None), ("NAVIGATION", None),
    ("NEWS", None), ("PHOTO_AND_VIDEO", None), ("PRODUCTIVITY", None), ("REFERENCE", None),
    ("SHOPPING", None), ("SOCIAL_NETWORKING", None), ("SPORTS", None), ("STICKERS", None),
    ("TRAVEL", None), ("UTILITIES", None), ("WEATHER", None),
    ("GAMES_ACTION", Some("GAMES")), ("GAMES_ADVENTURE", Some("GAMES")), ("GAMES_BOARD", Some("GAMES")),
    ("GAMES_CARD", Some("GAMES")), ("GAMES_CASINO", Some("GAMES")), ("GAMES_CASUAL", Some("GAMES")),
    ("GAMES_FAMILY", Some("GAMES")), ("GAMES_MUSIC", Some("GAMES")), ("GAMES_PUZZLE", Some("GAMES")),
    ("GAMES_RACING", Some("GAMES")), ("GAMES_ROLE_PLAYING", Some("GAMES")),
    ("GAMES_SIMULATION", Some("GAMES")), ("GAMES_SPORTS", Some("GAMES")), ("GAMES_STRATEGY", Some("GAMES")),
    ("GAMES_TRIVIA", Some("GAMES")), ("GAMES_WORD", Some("GAMES")),
    ("STICKERS_ANIMALS", Some("STICKERS")), ("STICKERS_ART", Some("STICKERS")),
    ("STICKERS_CELEBRATIONS", Some("STICKERS")), ("STICKERS_CELEBRITIES", Some("STICKERS")),
    ("STICKERS_CHARACTERS", Some("STICKERS")), ("STICKERS_EATING_AND_DRINKING", Some("STICKERS")),
    ("STICKERS_EMOJI_AND_EXPRESSIONS", Some("STICKERS")), ("STICKERS_FASHION", Some("STICKERS")),
    ("STICKERS_GAMING", Some("STICKERS")), ("STICKERS_KIDS_AND_FAMILY", Some("STICKERS")),
    ("STICKERS_MOVIES_AND_TV", Some("STICKERS")), ("STICKERS_MUSIC", Some("STICKERS")),
    ("STICKERS_PEOPLE", Some("STICKERS")), ("STICKERS_PLACES_AND_OBJECTS", Some("STICKERS")),
    ("STICKERS_SPORTS_AND_ACTIVITIES", Some("STICKERS")),
];

/// A legacy name and the id fastlane maps it to.
type Legacy = (&'static str, &'static str);

/// fastlane's `LEGACY_CATEGORY_ITC_MAP`: names for a category.
#[rustfmt::skip]
pub(crate) const LEGACY_CATEGORIES: [(&str, &str); 26] = [
    ("Apps.Food_Drink", "FOOD_AND_DRINK"), ("Business", "BUSINESS"), ("Education", "EDUCATION"),
    ("SocialNetworking", "SOCIAL_NETWORKING"), ("Book", "BOOKS"), ("Sports", "SPORTS"),
    ("Finance", "FINANCE"), ("Reference", "REFERENCE"), ("Apps.GraphicsDesign", "GRAPHICS_AND_DESIGN"),
    ("Apps.DeveloperTools", "DEVELOPER_TOOLS"), ("Healthcare_Fitness", "HEALTH_AND_FITNESS"),
    ("Music", "MUSIC"), ("Weather", "WEATHER"), ("Travel", "TRAVEL"), ("Entertainment", "ENTERTAINMENT"),
    ("Stickers", "STICKERS"), ("Games", "GAMES"), ("Lifestyle", "LIFESTYLE"), ("Medical", "MEDICAL"),
    ("Apps.Newsstand", "MAGAZINES_AND_NEWSPAPERS"), ("Utilities", "UTILITIES"),
    ("Apps.Shopping", "SHOPPING"), ("Productivity", "PRODUCTIVITY"), ("News", "NEWS"),
    ("Photography", "PHOTO_AND_VIDEO"), ("Navigation", "NAVIGATION"),
];

/// fastlane's `LEGACY_SUBCATEGORY_ITC_MAP`: names for a subcategory.
#[rustfmt::skip]
pub(crate) const LEGACY_SUBCATEGORIES: [(&str, &str); 31] = [
    ("Apps.Stickers.Places", "STICKERS_PLACES_AND_OBJECTS"),
    ("Apps.Stickers.Emotions", "STICKERS_EMOJI_AND_EXPRESSIONS"),
    ("Apps.Stickers.BirthdaysAndCelebrations", "STICKERS_CELEBRATIONS"),
    ("Apps.Stickers.Celebrities", "STICKERS_CELEBRITIES"), ("Apps.Stickers.MoviesAndTV", "STICKERS_MOVIES_AND_TV"),
    ("Apps.Stickers.Sports", "STICKERS_SPORTS_AND_ACTIVITIES"),
    ("Apps.Stickers.FoodAndDrink", "STICKERS_EATING_AND_DRINKING"),
    ("Apps.Stickers.Characters", "STICKERS_CHARACTERS"), ("Apps.Stickers.Animals", "STICKERS_ANIMALS"),
    ("Apps.Stickers.Fashion", "STICKERS_FASHION"), ("Apps.Stickers.Art", "STICKERS_ART"),
    ("Apps.Stickers.Games", "STICKERS_GAMING"), ("Apps.Stickers.KidsAndFamily", "STICKERS_KIDS_AND_FAMILY"),
    ("Apps.Stickers.People", "STICKERS_PEOPLE"), ("Apps.Stickers.Music", "STICKERS_MUSIC"),
    ("Sports", "GAMES_SPORTS"), ("Word", "GAMES_WORD"), ("Music", "GAMES_MUSIC"), ("Adventure", "GAMES_ADVENTURE"),
    ("Action", "GAMES_ACTION"), ("RolePlaying", "GAMES_ROLE_PLAYING"), ("Arcade", "GAMES_CASUAL"),
    ("Board", "GAMES_BOARD"), ("Trivia", "GAMES_TRIVIA"), ("Card", "GAMES_CARD"), ("Puzzle", "GAMES_PUZZLE"),
    ("Casino", "GAMES_CASINO"), ("Strategy", "GAMES_STRATEGY"), ("Simulation", "GAMES_SIMULATION"),
    ("Racing", "GAMES_RACING"), ("Family", "GAMES_FAMILY"),
];

/// The id fastlane sends for a category file's value in `slot`.
pub fn category_id(value: &str, slot: CategorySlot) -> String {
    let name = value.replace("MZGenre.", "");
    let table: &[(&str, &str)] = if slot.parent().is_none() {
        &LEGACY_CATEGORIES
    } else {
        &LEGACY_SUBCATEGORIES
    };
    table
        .iter()
        .find(|(legacy, _)| *legacy == name)
        .map_or(name.clone(), |(_, id)| (*id).to_owned())
}

/// One of Apple's category ids, with what Apple knows of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppCategory {
    pub id: &'static str,
    /// The category a subcategory belongs under; `None` for a category.
    pub parent: Option<&'static str>,
}

impl AppCategory {
    pub fn find(id: &str) -> Option<AppCategory> {
        APPLE_IDS
            .iter()
            .find(|(i, _)| *i == id)
            .map(|&(id, parent)| AppCategory { id, parent })
    }

    /// The category a value that is no id most likely meant, for a "did
    /// you mean": first fastlane's names in any case, the whole name or
    /// what follows a dot in it (`MZGenre.Apps.Utilities` is fastlane's
    /// `Utilities`, which its tables know only without `Apps.`); then an id
    /// with the same words (`PHOTO_VIDEO`, `GAMES_ROLEPLAYING`, `Photo &
    /// Video`, `FoodAndDrink`); then the closest id by spelling. Ids that
    /// fit `slot` come first, but one of the other kind is suggested too:
    /// the hint then says where it belongs.
    pub fn suggest(value: &str, slot: CategorySlot) -> Option<AppCategory> {
        let name = value.trim().replace("MZGenre.", "");
        let subcategory = slot.parent().is_some();
        let mut tails = vec![name.as_str()];
        tails.extend(name.match_indices('.').map(|(i, _)| &name[i + 1..]));
        let (own, other): (&[Legacy], &[Legacy]) = if subcategory {
            (&LEGACY_SUBCATEGORIES, &LEGACY_CATEGORIES)
        } else {
            (&LEGACY_CATEGORIES, &LEGACY_SUBCATEGORIES)
        };
        for table in [own, other] {
            for tail in &tails {
                if let Some((_, id)) = table.iter().find(|(legacy, _)| legacy.eq_ignore_ascii_case(tail)) {
                    return AppCategory::find(id);
                }
            }
        }
        let all = || APPLE_IDS.iter().map(|&(id, parent)| AppCategory { id, parent });
        let fits = |c: &AppCategory| c.parent.is_some() == subcategory;
        for tail in &tails {
            let key = words(tail);
            let same = |c: &AppCategory| !key.is_empty() && words(c.id) == key;
            if let Some(c) = all().filter(fits).find(same).or_else(|| all().find(same)) {
                return Some(c);
            }
        }
        let upper = name.to_ascii_uppercase().replace('&', " AND ");
        let upper = upper
            .split([' ', '-', '_', '.'])
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("_");
        let fitting = super::fields::closest(&upper, all().filter(fits).map(|c| c.id));
        fitting
            .or_else(|| super::fields::closest(&upper, all().map(|c| c.id)))
            .and_then(AppCategory::find)
    }
}

/// A name's words, upper-cased and joined, without "and": `Photo & Video`,
/// `PHOTO_VIDEO` and `PHOTO_AND_VIDEO` are all `PHOTOVIDEO`, `FoodAndDrink`
/// is `FOODDRINK`.
fn words(name: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            words.push(std::mem::take(&mut word));
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower {
            words.push(std::mem::take(&mut word));
        }
        previous_lower = c.is_ascii_lowercase();
        word.push(c.to_ascii_uppercase());
    }
    words.push(word);
    words.retain(|w| !w.is_empty() && w != "AND");
    words.concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_legacy_name_maps_to_an_apple_id_of_the_right_kind() {
        for (legacy, id) in LEGACY_CATEGORIES {
            let c = AppCategory::find(id).unwrap_or_else(|| panic!("{id}"));
            assert!(c.parent.is_none(), "{legacy} → {id} is a category");
        }
        for (legacy, id) in LEGACY_SUBCATEGORIES {
            let c = AppCategory::find(id).unwrap_or_else(|| panic!("{id}"));
            assert!(c.parent.is_some(), "{legacy} → {id} is a subcategory");
        }
    }

    #[test]
    fn apples_ids_pass_through() {
        assert_eq!(
            category_id("ENTERTAINMENT", CategorySlot::PrimaryCategory),
            "ENTERTAINMENT"
        );
        assert_eq!(
            category_id("GAMES_ACTION", CategorySlot::PrimarySubcategoryOne),
            "GAMES_ACTION"
        );
        assert_eq!(
            category_id("NOT_A_CATEGORY", CategorySlot::PrimaryCategory),
            "NOT_A_CATEGORY"
        );
    }

    #[test]
    fn hints_fit_the_slot() {
        let suggest = |value, slot| AppCategory::suggest(value, slot).map(|c| c.id);
        let primary = CategorySlot::PrimaryCategory;
        let sub = CategorySlot::PrimarySubcategoryOne;
        assert_eq!(suggest("Photo & Video", primary), Some("PHOTO_AND_VIDEO"));
        assert_eq!(suggest("games action", sub), Some("GAMES_ACTION"));
        assert_eq!(suggest("SOCIALNETWORKING", primary), Some("SOCIAL_NETWORKING"));
        assert_eq!(suggest("PHOTO_VIDEO", primary), Some("PHOTO_AND_VIDEO"));
        assert_eq!(suggest("FoodAndDrink", primary), Some("FOOD_AND_DRINK"));
        assert_eq!(suggest("GAMES_ROLEPLAYING", sub), Some("GAMES_ROLE_PLAYING"));
        assert_eq!(suggest("GAMES_ROLEPLAYING", primary), Some("GAMES_ROLE_PLAYING"));
        assert_eq!(suggest("Apps.Stickers", primary), Some("STICKERS"));
        assert_eq!(suggest("MZGenre.Apps.Utilities", primary), Some("UTILITIES"));
        assert_eq!(suggest("Apps.Games.Action", sub), Some("GAMES_ACTION"));
        assert_eq!(suggest("utilities", primary), Some("UTILITIES"));
        assert_eq!(suggest("PRODUCTIVE", primary), Some("PRODUCTIVITY"));
        assert_eq!(suggest("NOT_A_CATEGORY", primary), None);
    }
}
