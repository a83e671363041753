//! Category relationships of an app info, through real HTTP: only Apple's
//! `appCategories` ids, each in a slot it fits, refused with Apple's
//! relationship error otherwise; a refused PATCH changes nothing.

use crate::harness::{Answer, Api};
use serde_json::{Value, json};

/// PATCH /v1/appInfos/i1 (editable, primary category ENTERTAINMENT) with
/// these relationships, each `name: id` or `name: null`.
async fn patch(api: &Api, relationships: &[(&str, Option<&str>)]) -> Answer {
    let relationships: serde_json::Map<String, Value> = relationships
        .iter()
        .map(|(name, id)| {
            let data = id.map_or(Value::Null, |id| json!({"type": "appCategories", "id": id}));
            ((*name).to_owned(), json!({ "data": data }))
        })
        .collect();
    api.patch(
        "/v1/appInfos/i1",
        json!({"data": {"type": "appInfos", "id": "i1", "relationships": relationships}}),
    )
    .await
}

/// The refused relationships' names, after checking each error is Apple's.
fn refused(a: &Answer) -> Vec<String> {
    assert_eq!(a.status, 409, "{}", a.text);
    a.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["status"], "409");
            assert_eq!(e["code"], "ENTITY_ERROR.RELATIONSHIP.INVALID");
            assert_eq!(
                e["title"],
                "The provided entity includes a relationship with an invalid value"
            );
            assert!(e.get("detail").is_none(), "Apple sends no detail: {e}");
            let pointer = e["source"]["pointer"].as_str().unwrap();
            pointer.strip_prefix("/data/relationships/").unwrap().to_owned()
        })
        .collect()
}

fn stored(api: &Api) -> asc_sync::fake::state::AppInfo {
    api.fake.state().apps[0].app_infos[1].clone()
}

#[tokio::test]
async fn an_id_apple_does_not_have_is_refused() {
    let api = Api::movies().await;
    let before = stored(&api);
    // What the product makes of fastlane's MZGenre.SocialNetworking.
    let a = patch(&api, &[("primaryCategory", Some("SOCIALNETWORKING"))]).await;
    assert_eq!(refused(&a), ["primaryCategory"]);
    let lower = patch(&api, &[("secondaryCategory", Some("social_networking"))]).await;
    assert_eq!(refused(&lower), ["secondaryCategory"]);
    assert_eq!(stored(&api), before);
    let ok = patch(&api, &[("primaryCategory", Some("SOCIAL_NETWORKING"))]).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
}

#[tokio::test]
async fn a_subcategory_is_not_a_category() {
    let api = Api::movies().await;
    let a = patch(
        &api,
        &[
            ("primaryCategory", Some("GAMES_ACTION")),
            ("secondaryCategory", Some("STICKERS_ART")),
        ],
    )
    .await;
    assert_eq!(refused(&a), ["primaryCategory", "secondaryCategory"]);
    assert_eq!(stored(&api).primary_category.as_deref(), Some("ENTERTAINMENT"));
}

#[tokio::test]
async fn a_category_is_not_a_subcategory() {
    let api = Api::movies().await;
    let a = patch(
        &api,
        &[
            ("primaryCategory", Some("GAMES")),
            ("primarySubcategoryOne", Some("GAMES")),
        ],
    )
    .await;
    assert_eq!(refused(&a), ["primarySubcategoryOne"]);
    assert_eq!(stored(&api).primary_category.as_deref(), Some("ENTERTAINMENT"));
}

#[tokio::test]
async fn a_subcategory_must_refine_its_own_parent() {
    let api = Api::movies().await;
    // The stored primary category, ENTERTAINMENT, has no subcategories.
    let a = patch(&api, &[("primarySubcategoryOne", Some("GAMES_ACTION"))]).await;
    assert_eq!(refused(&a), ["primarySubcategoryOne"]);
    // Under another parent in the same request.
    let b = patch(
        &api,
        &[
            ("primaryCategory", Some("GAMES")),
            ("primarySubcategoryOne", Some("STICKERS_ART")),
            ("primarySubcategoryTwo", Some("GAMES_PUZZLE")),
        ],
    )
    .await;
    assert_eq!(refused(&b), ["primarySubcategoryOne"]);
    // A secondary subcategory refines the secondary category, not the primary.
    let c = patch(
        &api,
        &[
            ("primaryCategory", Some("GAMES")),
            ("secondarySubcategoryOne", Some("GAMES_CARD")),
        ],
    )
    .await;
    assert_eq!(refused(&c), ["secondarySubcategoryOne"]);
    assert_eq!(stored(&api).primary_category.as_deref(), Some("ENTERTAINMENT"));

    let ok = patch(
        &api,
        &[
            ("primaryCategory", Some("GAMES")),
            ("primarySubcategoryOne", Some("GAMES_PUZZLE")),
            ("secondaryCategory", Some("STICKERS")),
            ("secondarySubcategoryTwo", Some("STICKERS_ART")),
        ],
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    // Later PATCHes check a subcategory against the stored parent.
    let later = patch(&api, &[("primarySubcategoryTwo", Some("GAMES_WORD"))]).await;
    assert_eq!(later.status, 200, "{}", later.text);
    let wrong = patch(&api, &[("secondarySubcategoryOne", Some("GAMES_WORD"))]).await;
    assert_eq!(refused(&wrong), ["secondarySubcategoryOne"]);
    let info = stored(&api);
    assert_eq!(
        [
            info.primary_category,
            info.primary_subcategory_one,
            info.primary_subcategory_two,
            info.secondary_category,
            info.secondary_subcategory_two,
        ]
        .map(Option::unwrap),
        ["GAMES", "GAMES_PUZZLE", "GAMES_WORD", "STICKERS", "STICKERS_ART"]
    );
}

#[tokio::test]
async fn clearing_a_relationship_is_always_allowed() {
    let api = Api::movies().await;
    let a = patch(&api, &[("secondaryCategory", None), ("primarySubcategoryOne", None)]).await;
    assert_eq!(a.status, 200, "{}", a.text);
}
