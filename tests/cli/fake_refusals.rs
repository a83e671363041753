//! What Apple refuses, refused by the fake as Apple answers it: every
//! assertion names the status, code, title, detail and pointer of each
//! error, as quoted in the refusals the fake's rules come from (see
//! `src/fake/apple.rs` and `src/fake/errors.rs`).

use crate::harness::{Answer, Api};
use asc_sync::fake::state::{AppInfo, Localization};
use serde_json::{Value, json};

/// One expected error: code, title, detail, pointer.
pub type Expected<'a> = (&'a str, &'a str, &'a str, &'a str);

/// Asserts the whole error document: the status, and each error's code,
/// title, detail and `source.pointer`, in order.
pub fn assert_errors(a: &Answer, status: u16, expected: &[Expected]) {
    assert_eq!(a.status, status, "{}", a.text);
    let errors = a.body["errors"].as_array().expect("an error document");
    let got: Vec<Expected> = errors
        .iter()
        .map(|e| {
            assert_eq!(e["status"], status.to_string(), "{}", a.text);
            assert!(e["id"].is_string(), "{}", a.text);
            let text = |key: &str| e.pointer(key).and_then(Value::as_str).unwrap_or("");
            (text("/code"), text("/title"), text("/detail"), text("/source/pointer"))
        })
        .collect();
    assert_eq!(got, expected, "{}", a.text);
}

fn version_loc(id: &str, attributes: Value) -> Value {
    json!({"data": {"type": "appStoreVersionLocalizations", "id": id, "attributes": attributes}})
}

fn info_loc(id: &str, attributes: Value) -> Value {
    json!({"data": {"type": "appInfoLocalizations", "id": id, "attributes": attributes}})
}

const CHARACTERS: &str = "ENTITY_ERROR.ATTRIBUTE.INVALID.INVALID_CHARACTERS";
const CHARACTERS_TITLE: &str = "An attribute value has invalid characters.";

#[tokio::test]
async fn emoji_in_version_text_are_refused_with_the_fields_label() {
    let api = Api::movies().await;
    let cases = [
        (
            "description",
            "Launch 🚀 now",
            "Description can’t contain the following character(s): 🚀.",
        ),
        (
            "whatsNew",
            "🚨 Fixes\n🧭 🗺\u{FE0F} 🌍 🧭",
            "What's New in This Version can’t contain the following character(s): 🚨, 🧭, 🗺, \u{FE0F}, 🌍.",
        ),
        (
            "promotionalText",
            "Now 😀",
            "Promotional Text can’t contain the following character(s): 😀.",
        ),
        (
            "keywords",
            "movies,🎬,film",
            "Keywords can’t contain the following character(s): 🎬.",
        ),
    ];
    for (attribute, value, detail) in cases {
        let a = api
            .patch(
                "/v1/appStoreVersionLocalizations/l1",
                version_loc("l1", json!({ attribute: value })),
            )
            .await;
        let pointer = format!("/data/attributes/{attribute}");
        assert_errors(&a, 409, &[(CHARACTERS, CHARACTERS_TITLE, detail, &pointer)]);
    }
    let flag = api
        .patch(
            "/v1/appStoreVersionLocalizations/l1",
            version_loc("l1", json!({"description": "Made in 🇫🇷", "keywords": "🤖"})),
        )
        .await;
    assert_errors(
        &flag,
        409,
        &[
            (
                CHARACTERS,
                CHARACTERS_TITLE,
                "Description can’t contain the following character(s): \u{1F1EB}, \u{1F1F7}.",
                "/data/attributes/description",
            ),
            (
                CHARACTERS,
                CHARACTERS_TITLE,
                "Keywords can’t contain the following character(s): 🤖.",
                "/data/attributes/keywords",
            ),
        ],
    );
    let stored = &api.fake.state().apps[0].app_store_versions[1].localizations[0];
    assert_eq!(stored.attributes["description"].as_deref(), Some("Watch movies."));
}

#[tokio::test]
async fn emoji_in_an_app_name_or_subtitle_are_refused_on_create_and_update() {
    let api = Api::movies().await;
    let a = api
        .patch(
            "/v1/appInfoLocalizations/il1",
            info_loc("il1", json!({"name": "Movies 🍿", "subtitle": "Watch 🎥"})),
        )
        .await;
    assert_errors(
        &a,
        409,
        &[
            (
                CHARACTERS,
                CHARACTERS_TITLE,
                "Name can’t contain the following character(s): 🍿.",
                "/data/attributes/name",
            ),
            (
                CHARACTERS,
                CHARACTERS_TITLE,
                "Subtitle can’t contain the following character(s): 🎥.",
                "/data/attributes/subtitle",
            ),
        ],
    );
    let create = json!({"data": {"type": "appStoreVersionLocalizations",
        "attributes": {"locale": "fr-FR", "description": "Cinéma 🎞️"},
        "relationships": {"appStoreVersion": {"data": {"type": "appStoreVersions", "id": "v1"}}}}});
    let created = api.post("/v1/appStoreVersionLocalizations", create).await;
    assert_errors(
        &created,
        409,
        &[(
            CHARACTERS,
            CHARACTERS_TITLE,
            "Description can’t contain the following character(s): 🎞, \u{FE0F}.",
            "/data/attributes/description",
        )],
    );
}

#[tokio::test]
async fn symbols_letters_and_combining_marks_are_accepted() {
    let api = Api::movies().await;
    let text = "Marquee™ © 2026 Example® – “films” • Ελληνικά, русский, 日本語, العربية, हिन्दी. Slovenčina: c\u{30C}";
    let a = api
        .patch(
            "/v1/appStoreVersionLocalizations/l1",
            version_loc("l1", json!({"description": text, "whatsNew": "Fixes… ★ ✓"})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let name = api
        .patch(
            "/v1/appInfoLocalizations/il1",
            info_loc("il1", json!({"name": "Movies™ – Films"})),
        )
        .await;
    assert_eq!(name.status, 200, "{}", name.text);
}

#[tokio::test]
async fn control_characters_in_privacy_policy_text_are_refused() {
    let api = Api::movies().await;
    let a = api
        .patch(
            "/v1/appInfoLocalizations/il1",
            info_loc("il1", json!({"privacyPolicyText": "We collect nothing.\nReally."})),
        )
        .await;
    assert_errors(
        &a,
        409,
        &[(
            CHARACTERS,
            CHARACTERS_TITLE,
            "'privacyPolicyText' must not contain control characters (for example, null, new lines, carriage returns, escape, and other invisible characters).",
            "/data/attributes/privacyPolicyText",
        )],
    );
    let ok = api
        .patch(
            "/v1/appInfoLocalizations/il1",
            info_loc("il1", json!({"privacyPolicyText": "We collect nothing. Really."})),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    // Other fields keep their new lines.
    let notes = api
        .patch(
            "/v1/appStoreVersionLocalizations/l1",
            version_loc("l1", json!({"description": "One.\n\nTwo."})),
        )
        .await;
    assert_eq!(notes.status, 200, "{}", notes.text);
}

#[tokio::test]
async fn a_live_app_info_refuses_every_field_one_error_each() {
    let api = Api::movies().await;
    let a = api
        .patch(
            "/v1/appInfoLocalizations/il-live-en",
            info_loc(
                "il-live-en",
                json!({"privacyChoicesUrl": "https://example.com/choices", "subtitle": "New", "name": "New",
                    "privacyPolicyUrl": "https://example.com/p2", "privacyPolicyText": null}),
            ),
        )
        .await;
    let code = "ENTITY_ERROR.ATTRIBUTE.INVALID.INVALID_STATE";
    let title = "An attribute value is not acceptable for the current resource state.";
    let expected: Vec<(String, String)> = [
        "name",
        "subtitle",
        "privacyPolicyUrl",
        "privacyChoicesUrl",
        "privacyPolicyText",
    ]
    .iter()
    .map(|f| {
        (
            format!("The field '{f}' can not be modified in the current state."),
            format!("/data/attributes/{f}"),
        )
    })
    .collect();
    let expected: Vec<Expected> = expected
        .iter()
        .map(|(detail, pointer)| (code, title, detail.as_str(), pointer.as_str()))
        .collect();
    assert_errors(&a, 409, &expected);
    let live = &api.fake.state().apps[0].app_infos[0].localizations[0];
    assert_eq!(
        live.attributes["privacyPolicyUrl"].as_deref(),
        Some("https://example.com/privacy")
    );
    // The editable app info takes the same fields.
    let ok = api
        .patch(
            "/v1/appInfoLocalizations/il1",
            info_loc("il1", json!({"privacyPolicyUrl": "https://example.com/p2"})),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
}

fn review(id: Option<&str>, attributes: Value) -> Value {
    let mut data = json!({"type": "appStoreReviewDetails", "attributes": attributes});
    match id {
        Some(id) => data["id"] = json!(id),
        None => {
            data["relationships"] = json!({"appStoreVersion": {"data": {"type": "appStoreVersions", "id": "v-mac"}}})
        }
    }
    json!({ "data": data })
}

const PHONE: Expected = (
    "ENTITY_ERROR.ATTRIBUTE.INVALID",
    "An attribute value is invalid.",
    "The phone number must be in a valid format. Preface the phone number with ‘+’ followed by the country code (for example, +44 844 209 0611)",
    "/data/attributes/contactPhone",
);

#[tokio::test]
async fn a_review_phone_needs_a_plus_and_a_country_code() {
    let api = Api::movies().await;
    for bad in [
        "555 0100",
        "(555) 010-0100",
        "+10000000000",
        "0044 844 209 0611",
        "call us",
    ] {
        let patched = api
            .patch(
                "/v1/appStoreReviewDetails/r1",
                review(Some("r1"), json!({"contactPhone": bad})),
            )
            .await;
        assert_errors(&patched, 409, &[PHONE]);
        let created = api
            .post("/v1/appStoreReviewDetails", review(None, json!({"contactPhone": bad})))
            .await;
        assert_errors(&created, 409, &[PHONE]);
    }
    let long = api
        .patch(
            "/v1/appStoreReviewDetails/r1",
            review(Some("r1"), json!({"contactPhone": "+44 (0) 844 209 06 11"})),
        )
        .await;
    assert_errors(
        &long,
        409,
        &[(
            "ENTITY_ERROR.ATTRIBUTE.INVALID.TOO_LONG",
            "An attribute value is too long.",
            "Phone number cannot be longer than 20 bytes",
            "/data/attributes/contactPhone",
        )],
    );
    let stored = api.fake.state().apps[0].app_store_versions[1]
        .review_detail
        .clone()
        .unwrap();
    assert_eq!(stored.contact_phone.as_deref(), Some("+1 555 0100"));
    for good in ["+44 844 209 0611", "+1 (650) 539-4696", "+819012345678", "650-539-4696"] {
        let a = api
            .patch(
                "/v1/appStoreReviewDetails/r1",
                review(Some("r1"), json!({"contactPhone": good})),
            )
            .await;
        assert_eq!(a.status, 200, "{good}: {}", a.text);
    }
    let created = api
        .post(
            "/v1/appStoreReviewDetails",
            review(None, json!({"contactPhone": "+49 30 1234567"})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
}

/// A second app of the account, holding the name "Cinema Club".
fn with_cinema_club(api: &Api) {
    let mut state = api.fake.state();
    state.apps[1].app_infos.push(AppInfo {
        state: "PREPARE_FOR_SUBMISSION".into(),
        localizations: vec![Localization {
            locale: "ja".into(),
            attributes: [("name".to_owned(), Some("Cinema Club".to_owned()))].into(),
            ..Default::default()
        }],
        ..Default::default()
    });
    state.normalize().unwrap();
    api.fake.set_state(state);
}

const TAKEN: Expected = (
    "ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE.SAME_ACCOUNT",
    "The provided entity includes an attribute with a value that has already been used on this account.",
    "The app name you entered is already being used for another app in your account. If you would like to use the name for this app you will need to submit an update to your other app to change the name, or remove it from App Store Connect.",
    "/data/attributes/name",
);

#[tokio::test]
async fn an_app_name_another_app_has_is_refused_in_any_locale_and_case() {
    let api = Api::movies().await;
    with_cinema_club(&api);
    for (id, name) in [("il1", "Cinema Club"), ("il2", "CINEMA club")] {
        let a = api
            .patch(
                &format!("/v1/appInfoLocalizations/{id}"),
                info_loc(id, json!({"name": name})),
            )
            .await;
        assert_errors(&a, 409, &[TAKEN]);
    }
    let create = json!({"data": {"type": "appInfoLocalizations", "attributes": {"locale": "fr-FR", "name": "cinema club"},
        "relationships": {"appInfo": {"data": {"type": "appInfos", "id": "i1"}}}}});
    assert_errors(&api.post("/v1/appInfoLocalizations", create).await, 409, &[TAKEN]);
    // The app's own name, in another locale or app info, is its own.
    let own = api
        .patch(
            "/v1/appInfoLocalizations/il2",
            info_loc("il2", json!({"name": "Movies"})),
        )
        .await;
    assert_eq!(own.status, 200, "{}", own.text);
    let other = api
        .patch(
            "/v1/appInfoLocalizations/il1",
            info_loc("il1", json!({"name": "Cinema Club Deluxe"})),
        )
        .await;
    assert_eq!(other.status, 200, "{}", other.text);
}
