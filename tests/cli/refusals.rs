//! What App Store Connect refuses, predicted offline: `validate` names the
//! file, line, column and rule before any request is made.

use crate::harness::{Corpus, TempTree, all_findings, asc_sync, corpus_or_skip, live, loc};
use asc_sync::model::{CategorySlot, Field, category_id};
use asc_sync::plan::{DiffOptions, diff};
use serde_json::Value;

fn codes(t: &TempTree) -> Vec<(String, &'static str, Option<usize>, Option<usize>)> {
    all_findings(&t.load())
        .into_iter()
        .map(|f| {
            let file = f.path.rsplit("metadata/").next().unwrap_or_default().to_owned();
            (file, f.code.as_str(), f.line, f.column)
        })
        .collect()
}

#[test]
fn an_emoji_in_a_description_stops_validate_with_file_line_column_and_character() {
    let t = TempTree::new(&[(
        "en-US/description.txt",
        "Fast.\nNow with rockets 🚀 and more 🚀.".as_bytes(),
    )]);
    let out = asc_sync()
        .args(["validate", "--metadata", t.metadata().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("en-US/description.txt:2:18: error[invalid-characters]"),
        "{text}"
    );
    assert!(text.contains("🚀 (U+1F680)"), "{text}");
}

#[test]
fn emoji_are_refused_in_every_text_field_apple_checks_but_text_symbols_pass() {
    let t = TempTree::new(&[
        ("en-US/release_notes.txt", "Fixed 🚨 alerts".as_bytes()),
        ("en-US/promotional_text.txt", "Warning ⚠\u{FE0F} sale".as_bytes()),
        ("en-US/keywords.txt", "films,🎬".as_bytes()),
        ("en-US/name.txt", "Marquee 🍿".as_bytes()),
        ("en-US/subtitle.txt", "Films 🇫🇷".as_bytes()),
        (
            "en-US/description.txt",
            "Marquee™ © 2026 ® — “quoted” ★ Ünïcødé ✓".as_bytes(),
        ),
    ]);
    let found = codes(&t);
    let flagged: Vec<&str> = found
        .iter()
        .filter(|f| f.1 == "invalid-characters")
        .map(|f| f.0.as_str())
        .collect();
    assert_eq!(
        flagged,
        [
            "en-US/keywords.txt",
            "en-US/name.txt",
            "en-US/promotional_text.txt",
            "en-US/release_notes.txt",
            "en-US/subtitle.txt"
        ],
        "{found:?}"
    );
}

#[test]
fn the_config_can_make_emoji_a_warning() {
    let t = TempTree::new(&[("en-US/description.txt", "Rockets 🚀".as_bytes())]);
    let config = t.dir.path().join("asc-sync.toml");
    std::fs::write(&config, "[validate]\ninvalid_characters = \"warning\"\n").unwrap();
    let out = asc_sync()
        .args(["validate", "--config", config.to_str().unwrap()])
        .args(["--metadata", t.metadata().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("warning[invalid-characters]"));
}

#[test]
fn apple_tv_privacy_text_may_not_hold_line_breaks() {
    let t = TempTree::new(&[("en-US/apple_tv_privacy_policy.txt", b"We collect nothing.\nReally.")]);
    assert!(codes(&t).contains(&(
        "en-US/apple_tv_privacy_policy.txt".into(),
        "control-character",
        Some(1),
        Some(20)
    )));
}

#[test]
fn a_review_phone_needs_a_plus_and_country_code() {
    for (phone, ok) in [
        ("+1 555 0100 123", true),
        ("+44 844 209 0611", true),
        ("+49 (30) 1234-5678", true),
        ("650.539.4696", true),
        ("+1 055 0100", false),
        ("555 0100", false),
        ("(555) 010-0100", false),
        ("+1 555 CALL NOW", false),
    ] {
        let t = TempTree::new(&[("review_information/phone_number.txt", phone.as_bytes())]);
        let flagged = codes(&t).iter().any(|f| f.1 == "phone-format");
        assert_eq!(flagged, !ok, "{phone}");
    }
}

#[test]
fn category_files_hold_apples_ids_of_the_right_kind() {
    // (files and their values, the finding codes they give)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str]);
    let cases: [Case; 6] = [
        (&[("primary_category.txt", "NOT_A_CATEGORY")], &["unknown-category"]),
        (&[("primary_category.txt", "GAMES_ACTION")], &["category-kind"]),
        (
            &[
                ("primary_category.txt", "GAMES"),
                ("primary_first_sub_category.txt", "GAMES"),
            ],
            &["category-kind"],
        ),
        (
            &[
                ("primary_category.txt", "BUSINESS"),
                ("primary_first_sub_category.txt", "GAMES_ACTION"),
            ],
            &["subcategory-parent"],
        ),
        (
            &[
                ("primary_category.txt", "BOOKS"),
                ("secondary_category.txt", "MZGenre.Book"),
            ],
            &["same-category"],
        ),
        (
            &[
                ("primary_category.txt", "MZGenre.Games"),
                ("primary_first_sub_category.txt", "MZGenre.Arcade"),
            ],
            &[],
        ),
    ];
    for (files, expected) in cases {
        let t = TempTree::new(&[("en-US/name.txt", b"Marquee")]);
        for (file, value) in files {
            t.write(file, value.as_bytes());
        }
        let found: Vec<&str> = codes(&t).iter().map(|f| f.1).collect();
        assert_eq!(found, expected, "{files:?}");
    }
}

#[test]
fn a_mistyped_category_gets_a_hint() {
    let t = TempTree::new(&[("primary_category.txt", b"SOCIALNETWORKING")]);
    let findings = all_findings(&t.load());
    assert!(
        findings[0].message.contains("did you mean SOCIAL_NETWORKING?"),
        "{findings:?}"
    );
}

/// fastlane's two tables (spaceship `connect_api/models/app_category.rb`,
/// `LEGACY_CATEGORY_ITC_MAP` and `LEGACY_SUBCATEGORY_ITC_MAP`), written out
/// here again so that a wrong entry in asc-sync's copy fails this test.
#[rustfmt::skip]
const FASTLANE_CATEGORIES: [(&str, &str); 26] = [
    ("Apps.Food_Drink", "FOOD_AND_DRINK"), ("Business", "BUSINESS"), ("Education", "EDUCATION"),
    ("SocialNetworking", "SOCIAL_NETWORKING"), ("Book", "BOOKS"), ("Sports", "SPORTS"), ("Finance", "FINANCE"),
    ("Reference", "REFERENCE"), ("Apps.GraphicsDesign", "GRAPHICS_AND_DESIGN"),
    ("Apps.DeveloperTools", "DEVELOPER_TOOLS"), ("Healthcare_Fitness", "HEALTH_AND_FITNESS"), ("Music", "MUSIC"),
    ("Weather", "WEATHER"), ("Travel", "TRAVEL"), ("Entertainment", "ENTERTAINMENT"), ("Stickers", "STICKERS"),
    ("Games", "GAMES"), ("Lifestyle", "LIFESTYLE"), ("Medical", "MEDICAL"),
    ("Apps.Newsstand", "MAGAZINES_AND_NEWSPAPERS"), ("Utilities", "UTILITIES"), ("Apps.Shopping", "SHOPPING"),
    ("Productivity", "PRODUCTIVITY"), ("News", "NEWS"), ("Photography", "PHOTO_AND_VIDEO"),
    ("Navigation", "NAVIGATION"),
];

#[rustfmt::skip]
const FASTLANE_SUBCATEGORIES: [(&str, &str); 31] = [
    ("Apps.Stickers.Places", "STICKERS_PLACES_AND_OBJECTS"), ("Apps.Stickers.Emotions", "STICKERS_EMOJI_AND_EXPRESSIONS"),
    ("Apps.Stickers.BirthdaysAndCelebrations", "STICKERS_CELEBRATIONS"), ("Apps.Stickers.Celebrities", "STICKERS_CELEBRITIES"),
    ("Apps.Stickers.MoviesAndTV", "STICKERS_MOVIES_AND_TV"), ("Apps.Stickers.Sports", "STICKERS_SPORTS_AND_ACTIVITIES"),
    ("Apps.Stickers.FoodAndDrink", "STICKERS_EATING_AND_DRINKING"), ("Apps.Stickers.Characters", "STICKERS_CHARACTERS"),
    ("Apps.Stickers.Animals", "STICKERS_ANIMALS"), ("Apps.Stickers.Fashion", "STICKERS_FASHION"),
    ("Apps.Stickers.Art", "STICKERS_ART"), ("Apps.Stickers.Games", "STICKERS_GAMING"),
    ("Apps.Stickers.KidsAndFamily", "STICKERS_KIDS_AND_FAMILY"), ("Apps.Stickers.People", "STICKERS_PEOPLE"),
    ("Apps.Stickers.Music", "STICKERS_MUSIC"), ("Sports", "GAMES_SPORTS"), ("Word", "GAMES_WORD"),
    ("Music", "GAMES_MUSIC"), ("Adventure", "GAMES_ADVENTURE"), ("Action", "GAMES_ACTION"),
    ("RolePlaying", "GAMES_ROLE_PLAYING"), ("Arcade", "GAMES_CASUAL"), ("Board", "GAMES_BOARD"),
    ("Trivia", "GAMES_TRIVIA"), ("Card", "GAMES_CARD"), ("Puzzle", "GAMES_PUZZLE"), ("Casino", "GAMES_CASINO"),
    ("Strategy", "GAMES_STRATEGY"), ("Simulation", "GAMES_SIMULATION"), ("Racing", "GAMES_RACING"),
    ("Family", "GAMES_FAMILY"),
];

#[test]
fn every_legacy_name_maps_as_fastlane_maps_it_with_and_without_mzgenre() {
    for (slots, table) in [
        (
            [CategorySlot::PrimaryCategory, CategorySlot::SecondaryCategory],
            &FASTLANE_CATEGORIES[..],
        ),
        (
            [
                CategorySlot::PrimarySubcategoryOne,
                CategorySlot::SecondarySubcategoryTwo,
            ],
            &FASTLANE_SUBCATEGORIES[..],
        ),
    ] {
        for slot in slots {
            for (legacy, id) in table {
                assert_eq!(category_id(legacy, slot), *id, "{legacy} in {slot:?}");
                assert_eq!(category_id(&format!("MZGenre.{legacy}"), slot), *id, "MZGenre.{legacy}");
            }
        }
    }
}

fn category_plan(tree: &TempTree, live_categories: &[(CategorySlot, &str)]) -> Value {
    let loaded = tree.load();
    let mut state = live(
        vec![("en-US", loc("l", &[]))],
        vec![("en-US", loc("il", &[(Field::Name, "Antidote")]))],
    );
    let info = state.app_info.as_mut().unwrap();
    for (slot, id) in live_categories {
        info.categories.insert(*slot, Some(id.to_string()));
    }
    let plan = diff(&loaded.tree, &state, &DiffOptions::default());
    serde_json::from_str(&plan.to_json()).unwrap()
}

#[test]
fn the_antidote_tree_plans_social_networking() {
    let Some(trees) = corpus_or_skip(Corpus::RealTrees) else {
        return;
    };
    let t = TempTree::new(&[]);
    crate::harness::copy_tree(&trees.join("Antidote-for-Tox__Antidote/metadata"), &t.metadata());
    let plan = category_plan(&t, &[(CategorySlot::SecondaryCategory, "BOOKS")]);
    let info = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["resource_type"] == "appInfos")
        .expect("a category change");
    // The blank secondary file keeps BOOKS: only the primary changes.
    assert_eq!(info["attributes"].as_object().unwrap().len(), 1, "{info}");
    assert_eq!(info["attributes"]["primaryCategory"]["after"], "SOCIAL_NETWORKING");
}

#[test]
fn a_blank_category_file_keeps_the_live_category_and_a_blank_subcategory_clears() {
    let t = TempTree::new(&[
        ("primary_category.txt", b"GAMES"),
        ("primary_first_sub_category.txt", b"\n"),
        ("secondary_category.txt", b" "),
        ("secondary_first_sub_category.txt", b"STICKERS_ART"),
    ]);
    let plan = category_plan(
        &t,
        &[
            (CategorySlot::PrimaryCategory, "GAMES"),
            (CategorySlot::PrimarySubcategoryOne, "GAMES_ACTION"),
            (CategorySlot::SecondaryCategory, "BOOKS"),
        ],
    );
    let changes = plan["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{plan:#}");
    let attributes = changes[0]["attributes"].as_object().unwrap();
    // Only the blank subcategory under a set category is cleared; the
    // secondary subcategory under a blank category is not sent.
    assert_eq!(attributes.keys().collect::<Vec<_>>(), ["primarySubcategoryOne"]);
    assert_eq!(attributes["primarySubcategoryOne"]["after"], Value::Null);
}
