//! The fake App Store Connect through real HTTP: every endpoint, Apple's
//! envelopes and paging, and Apple's rules with Apple's error bodies.

use crate::harness::Api;
use serde_json::{Value, json};

fn ids(doc: &Value) -> Vec<&str> {
    doc["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect()
}

fn patch_loc(id: &str, attributes: Value) -> Value {
    json!({"data": {"type": "appStoreVersionLocalizations", "id": id, "attributes": attributes}})
}

#[tokio::test]
async fn apps_by_bundle_id_include_near_matches_like_apple() {
    let api = Api::movies().await;
    let a = api.get("/v1/apps?filter[bundleId]=com.example.movies").await;
    assert_eq!(a.status, 200);
    assert_eq!(ids(&a.body), ["1", "2"]);
    assert_eq!(a.body["data"][0]["attributes"]["bundleId"], "com.example.movies");
    assert_eq!(a.body["data"][0]["type"], "apps");
    assert!(
        a.body["links"]["self"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    assert_eq!(a.body["meta"]["paging"]["total"], 2);
    let one = api.get("/v1/apps/1").await;
    assert_eq!(one.body["data"]["attributes"]["primaryLocale"], "en-US");
    let missing = api.get("/v1/apps/404").await;
    assert_eq!((missing.status, missing.code()), (404, "NOT_FOUND"));
    assert_eq!(missing.body["errors"][0]["status"], "404");
}

#[tokio::test]
async fn versions_filter_and_include_their_localizations() {
    let api = Api::movies().await;
    let a = api
        .get("/v1/apps/1/appStoreVersions?filter[platform]=IOS&filter[appVersionState]=PREPARE_FOR_SUBMISSION&include=appStoreVersionLocalizations&limit[appStoreVersionLocalizations]=50")
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(ids(&a.body), ["v1"]);
    let rel = &a.body["data"][0]["relationships"]["appStoreVersionLocalizations"];
    assert_eq!(rel["data"].as_array().unwrap().len(), 2);
    assert_eq!(rel["meta"]["paging"]["total"], 2);
    let included: Vec<&str> = a.body["included"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["attributes"]["locale"].as_str().unwrap())
        .collect();
    assert_eq!(included, ["en-US", "de-DE"]);

    let by_string = api
        .get("/v1/apps/1/appStoreVersions?filter[versionString]=2.0,1.0")
        .await;
    assert_eq!(ids(&by_string.body), ["v-live", "v-mac"]);
    let bad = api.get("/v1/apps/1/appStoreVersions?filter[platform]=ANDROID").await;
    assert_eq!((bad.status, bad.code()), (400, "PARAMETER_ERROR.INVALID"));
    assert_eq!(bad.body["errors"][0]["source"]["parameter"], "filter[platform]");
}

#[tokio::test]
async fn limits_over_apples_caps_are_refused() {
    let api = Api::movies().await;
    for path in [
        "/v1/apps?limit=201",
        "/v1/apps?limit=0",
        "/v1/apps/1/appStoreVersions?include=appStoreVersionLocalizations&limit[appStoreVersionLocalizations]=51",
        "/v1/apps/1/appInfos?include=appInfoLocalizations&limit[appInfoLocalizations]=51",
    ] {
        let a = api.get(path).await;
        assert_eq!((a.status, a.code()), (400, "PARAMETER_ERROR.INVALID"), "{path}");
    }
    assert_eq!(api.get("/v1/apps?limit=200").await.status, 200);
}

#[tokio::test]
async fn collections_page_with_absolute_next_links_until_the_last_page() {
    let api = Api::movies().await;
    let mut state = api.fake.state();
    let v1 = &mut state.apps[0].app_store_versions[1];
    v1.localizations.clear();
    for (i, code) in asc_sync::locale::ALL.iter().enumerate() {
        v1.localizations.push(asc_sync::fake::state::Localization {
            id: format!("p{i}"),
            locale: code.to_string(),
            attributes: Default::default(),
        });
    }
    state.normalize().unwrap();
    api.fake.set_state(state);

    let mut url = api.url(
        "/v1/appStoreVersions/v1/appStoreVersionLocalizations?limit=20&fields[appStoreVersionLocalizations]=locale",
    );
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let resp = api.http.get(&url).bearer_auth(&api.token).send().await.unwrap();
        let doc: Value = resp.json().await.unwrap();
        pages += 1;
        assert_eq!(doc["meta"]["paging"]["total"], 50);
        assert_eq!(doc["meta"]["paging"]["limit"], 20);
        for d in doc["data"].as_array().unwrap() {
            assert_eq!(
                d["attributes"].as_object().unwrap().len(),
                1,
                "fields[] keeps only locale"
            );
            seen.push(d["attributes"]["locale"].as_str().unwrap().to_owned());
        }
        match doc["links"]["next"].as_str() {
            Some(next) => {
                assert!(
                    next.starts_with(&api.fake.base_url) && next.contains("cursor="),
                    "{next}"
                );
                url = next.to_owned();
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, asc_sync::locale::ALL);

    let bad = api
        .get("/v1/appStoreVersions/v1/appStoreVersionLocalizations?cursor=bm9wZQ")
        .await;
    assert_eq!((bad.status, bad.code()), (400, "PARAMETER_ERROR.INVALID"));
}

#[tokio::test]
async fn a_patch_changes_only_the_attributes_it_carries_and_null_clears() {
    let api = Api::movies().await;
    let a = api
        .patch(
            "/v1/appStoreVersionLocalizations/l1",
            patch_loc("l1", json!({"keywords": "movies,cinema", "promotionalText": null})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let attrs = &a.body["data"]["attributes"];
    assert_eq!(attrs["keywords"], "movies,cinema");
    assert_eq!(attrs["promotionalText"], Value::Null);
    assert_eq!(attrs["description"], "Watch movies.");
    assert_eq!(attrs["locale"], "en-US");
    let again = api.get("/v1/appStoreVersionLocalizations/l1").await;
    assert_eq!(again.body["data"]["attributes"], *attrs);
}

#[tokio::test]
async fn a_live_version_locks_everything_but_promotional_text_one_error_per_attribute() {
    let api = Api::movies().await;
    let a = api
        .patch(
            "/v1/appStoreVersionLocalizations/l-live-en",
            patch_loc("l-live-en", json!({"description": "x", "keywords": "y"})),
        )
        .await;
    assert_eq!(a.status, 409);
    let errors = a.body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    for e in errors {
        assert_eq!(e["code"], "STATE_ERROR");
        assert_eq!(e["status"], "409");
        assert_eq!(
            e["title"],
            "The request cannot be fulfilled because of the state of another resource."
        );
    }
    assert_eq!(
        errors[0]["detail"],
        "Attribute 'description' cannot be edited at this time"
    );
    let promo = api
        .patch(
            "/v1/appStoreVersionLocalizations/l-live-en",
            patch_loc("l-live-en", json!({"promotionalText": "Live edit"})),
        )
        .await;
    assert_eq!(promo.status, 200, "{}", promo.text);
    // Nothing of the refused PATCH was applied.
    assert_eq!(
        api.fake.state().apps[0].app_store_versions[0].localizations[0].attributes["description"].as_deref(),
        Some("Watch movies.")
    );
}

#[tokio::test]
async fn whats_new_is_refused_on_a_platforms_first_version() {
    let api = Api::movies().await;
    let a = api
        .patch(
            "/v1/appStoreVersionLocalizations/l-mac-en",
            patch_loc("l-mac-en", json!({"whatsNew": "First!"})),
        )
        .await;
    assert_eq!((a.status, a.code()), (409, "STATE_ERROR"));
    assert_eq!(
        a.body["errors"][0]["detail"],
        "Attribute 'whatsNew' cannot be edited at this time"
    );
    let ok = api
        .patch(
            "/v1/appStoreVersionLocalizations/l1",
            patch_loc("l1", json!({"whatsNew": "Second version notes"})),
        )
        .await;
    assert_eq!(ok.status, 200);
}

#[tokio::test]
async fn too_long_values_are_refused_with_a_pointer() {
    let api = Api::movies().await;
    let a = api
        .patch(
            "/v1/appStoreVersionLocalizations/l1",
            patch_loc("l1", json!({"keywords": "k".repeat(101)})),
        )
        .await;
    assert_eq!((a.status, a.code()), (409, "ENTITY_ERROR.ATTRIBUTE.INVALID.TOO_LONG"));
    assert_eq!(a.body["errors"][0]["source"]["pointer"], "/data/attributes/keywords");
    assert!(a.body["errors"][0]["detail"].as_str().unwrap().contains("100"));
    let name = api
        .patch(
            "/v1/appInfoLocalizations/il1",
            json!({"data": {"type": "appInfoLocalizations", "id": "il1", "attributes": {"name": "N".repeat(31)}}}),
        )
        .await;
    assert_eq!(name.code(), "ENTITY_ERROR.ATTRIBUTE.INVALID.TOO_LONG");
    let exact = api
        .patch(
            "/v1/appStoreVersionLocalizations/l1",
            patch_loc("l1", json!({"keywords": "語".repeat(100)})),
        )
        .await;
    assert_eq!(exact.status, 200);
}

#[tokio::test]
async fn malformed_requests_get_apples_errors() {
    let api = Api::movies().await;
    let path = "/v1/appStoreVersionLocalizations/l1";
    let cases: Vec<(Option<String>, u16, &str)> = vec![
        (Some("{not json".into()), 400, "ENTITY_INVALID"),
        (Some(json!({"date": {}}).to_string()), 422, "ENTITY_UNPROCESSABLE"),
        (
            Some(json!({"data": {"type": "appStoreVersionLocalizations", "id": "l1", "atributes": {}}}).to_string()),
            422,
            "ENTITY_UNPROCESSABLE",
        ),
        (
            Some(patch_loc("l1", json!({"keywords": 5})).to_string()),
            422,
            "ENTITY_UNPROCESSABLE",
        ),
        (
            Some(patch_loc("l1", json!({"locale": "de-DE"})).to_string()),
            409,
            "ENTITY_ERROR.ATTRIBUTE.UNKNOWN",
        ),
        (
            Some(patch_loc("l1", json!({"subtitle": "x"})).to_string()),
            409,
            "ENTITY_ERROR.ATTRIBUTE.UNKNOWN",
        ),
        (
            Some(json!({"data": {"type": "appInfoLocalizations", "id": "l1", "attributes": {}}}).to_string()),
            409,
            "ENTITY_ERROR",
        ),
        (Some(patch_loc("l2", json!({})).to_string()), 409, "ENTITY_ERROR"),
    ];
    for (body, status, code) in cases {
        let a = api.send("PATCH", path, body.clone()).await.unwrap();
        assert_eq!(a.status, status, "{body:?}: {}", a.text);
        assert!(a.code().starts_with(code), "{body:?}: {}", a.text);
        let e = &a.body["errors"][0];
        for key in ["id", "status", "code", "title", "detail"] {
            assert!(e[key].is_string(), "{key} missing in {}", a.text);
        }
    }
    let unknown_path = api.get("/v1/appStoreVersionLocalisations/l1").await;
    assert_eq!((unknown_path.status, unknown_path.code()), (404, "PATH_ERROR"));
    let wrong_method = api.send("PUT", path, Some("{}".into())).await.unwrap();
    assert_eq!((wrong_method.status, wrong_method.code()), (405, "METHOD_NOT_ALLOWED"));
    let no_collection = api.get("/v1/appStoreVersionLocalizations").await;
    assert_eq!(no_collection.status, 405);
    let unknown_param = api.get("/v1/apps?filter[bundleID]=x").await;
    assert_eq!(
        (unknown_param.status, unknown_param.code()),
        (400, "PARAMETER_ERROR.ILLEGAL")
    );
    assert_eq!(
        unknown_param.body["errors"][0]["source"]["parameter"],
        "filter[bundleID]"
    );
    let huge = api
        .send("PATCH", path, Some("x".repeat(1024 * 1024 + 10)))
        .await
        .unwrap();
    assert_eq!(huge.status, 413);
    assert_eq!(huge.body["errors"][0]["status"], "413");
    let garbage = api.send("PATCH", path, Some("\u{0}\u{1}garbage".into())).await.unwrap();
    assert_eq!(garbage.status, 400);
}

#[tokio::test]
async fn creating_localizations_follows_apples_rules() {
    let api = Api::movies().await;
    let create = |locale: &str| {
        json!({"data": {"type": "appStoreVersionLocalizations", "attributes": {"locale": locale, "description": "Bonjour"},
            "relationships": {"appStoreVersion": {"data": {"type": "appStoreVersions", "id": "v1"}}}}})
    };
    let created = api.post("/v1/appStoreVersionLocalizations", create("fr-FR")).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["data"]["id"].as_str().unwrap();
    let location = created.headers["location"].to_str().unwrap();
    assert_eq!(location, api.url(&format!("/v1/appStoreVersionLocalizations/{id}")));
    assert_eq!(created.body["data"]["attributes"]["description"], "Bonjour");
    assert_eq!(created.body["data"]["attributes"]["keywords"], Value::Null);

    let duplicate = api.post("/v1/appStoreVersionLocalizations", create("fr-FR")).await;
    assert_eq!(duplicate.status, 409);
    assert!(duplicate.code().starts_with("ENTITY_ERROR.ATTRIBUTE.INVALID"));
    for bad in ["fr-fr", "it-IT", "nb"] {
        let a = api.post("/v1/appStoreVersionLocalizations", create(bad)).await;
        assert_eq!((a.status, a.code()), (409, "ENTITY_ERROR.ATTRIBUTE.INVALID"), "{bad}");
        assert_eq!(a.body["errors"][0]["detail"], "The 'locale' value is invalid.");
    }
    let on_live = api
        .post(
            "/v1/appStoreVersionLocalizations",
            json!({"data": {"type": "appStoreVersionLocalizations", "attributes": {"locale": "ja"},
                "relationships": {"appStoreVersion": {"data": {"type": "appStoreVersions", "id": "v-live"}}}}}),
        )
        .await;
    assert_eq!((on_live.status, on_live.code()), (409, "STATE_ERROR"));

    let info = |attributes: Value| {
        json!({"data": {"type": "appInfoLocalizations", "attributes": attributes,
            "relationships": {"appInfo": {"data": {"type": "appInfos", "id": "i1"}}}}})
    };
    let nameless = api
        .post(
            "/v1/appInfoLocalizations",
            info(json!({"locale": "fr-FR", "subtitle": "Sous-titre"})),
        )
        .await;
    assert_eq!(
        (nameless.status, nameless.code()),
        (409, "ENTITY_ERROR.ATTRIBUTE.REQUIRED")
    );
    assert_eq!(nameless.body["errors"][0]["source"]["pointer"], "/data/attributes/name");
    let named = api
        .post(
            "/v1/appInfoLocalizations",
            info(json!({"locale": "fr-FR", "name": "Films"})),
        )
        .await;
    assert_eq!(named.status, 201, "{}", named.text);
    let fr = api
        .get("/v1/appInfos/i1/appInfoLocalizations?filter[locale]=fr-FR")
        .await;
    assert_eq!(fr.body["data"][0]["attributes"]["name"], "Films");
}

#[tokio::test]
async fn delete_answers_204_without_a_body() {
    let api = Api::movies().await;
    let a = api
        .send("DELETE", "/v1/appStoreVersionLocalizations/l2", None)
        .await
        .unwrap();
    assert_eq!(a.status, 204);
    assert!(a.text.is_empty());
    assert_eq!(api.get("/v1/appStoreVersionLocalizations/l2").await.status, 404);
    let primary = api
        .send("DELETE", "/v1/appStoreVersionLocalizations/l1", None)
        .await
        .unwrap();
    assert_eq!((primary.status, primary.code()), (409, "STATE_ERROR"));
    let info = api.send("DELETE", "/v1/appInfoLocalizations/il2", None).await.unwrap();
    assert_eq!(info.status, 204);
}

#[tokio::test]
async fn app_infos_include_localizations_and_patch_categories() {
    let api = Api::movies().await;
    let a = api
        .get("/v1/apps/1/appInfos?include=appInfoLocalizations&limit[appInfoLocalizations]=50")
        .await;
    assert_eq!(ids(&a.body), ["i-live", "i1"]);
    assert_eq!(a.body["data"][1]["attributes"]["state"], "PREPARE_FOR_SUBMISSION");
    assert_eq!(a.body["included"].as_array().unwrap().len(), 3);
    assert_eq!(
        a.body["data"][1]["relationships"]["primaryCategory"]["data"]["id"],
        "ENTERTAINMENT"
    );
    let patch = |id: &str| {
        json!({"data": {"type": "appInfos", "id": id, "relationships": {
            "primaryCategory": {"data": {"type": "appCategories", "id": "PHOTO_AND_VIDEO"}},
            "secondaryCategory": {"data": null}}}})
    };
    let ok = api.patch("/v1/appInfos/i1", patch("i1")).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(
        ok.body["data"]["relationships"]["primaryCategory"]["data"]["id"],
        "PHOTO_AND_VIDEO"
    );
    let live = api.patch("/v1/appInfos/i-live", patch("i-live")).await;
    assert_eq!((live.status, live.code()), (409, "STATE_ERROR"));
    // App-info localizations of a live app info: every field is refused,
    // the privacy URLs too (itsyconnect-macos #64, nulljosh/bookrank #4).
    for attribute in ["name", "privacyPolicyUrl"] {
        let a = api
            .patch(
                "/v1/appInfoLocalizations/il-live-en",
                json!({"data": {"type": "appInfoLocalizations", "id": "il-live-en", "attributes": {attribute: "https://example.com/p2"}}}),
            )
            .await;
        assert_eq!(
            (a.status, a.code()),
            (409, "ENTITY_ERROR.ATTRIBUTE.INVALID.INVALID_STATE"),
            "{attribute}"
        );
    }
}

#[tokio::test]
async fn review_details_are_read_through_the_version_and_written_directly() {
    let api = Api::movies().await;
    let a = api.get("/v1/appStoreVersions/v1/appStoreReviewDetail").await;
    assert_eq!(a.body["data"]["id"], "r1");
    assert_eq!(a.body["data"]["attributes"]["contactFirstName"], "Jane");
    let patched = api
        .patch(
            "/v1/appStoreReviewDetails/r1",
            json!({"data": {"type": "appStoreReviewDetails", "id": "r1", "attributes": {"demoAccountName": "demo", "demoAccountPassword": "pw", "demoAccountRequired": true}}}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.body["data"]["attributes"]["demoAccountRequired"], true);
    let none = api.get("/v1/appStoreVersions/v-mac/appStoreReviewDetail").await;
    assert_eq!(none.body["data"], Value::Null);
    let created = api
        .post(
            "/v1/appStoreReviewDetails",
            json!({"data": {"type": "appStoreReviewDetails", "attributes": {"contactEmail": "a@example.com"},
                "relationships": {"appStoreVersion": {"data": {"type": "appStoreVersions", "id": "v-mac"}}}}}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let included = api.get("/v1/appStoreVersions/v-mac?include=appStoreReviewDetail").await;
    assert_eq!(
        included.body["included"][0]["attributes"]["contactEmail"],
        "a@example.com"
    );
}

#[tokio::test]
async fn versions_patch_copyright_only_while_editable() {
    let api = Api::movies().await;
    let body =
        |id: &str| json!({"data": {"type": "appStoreVersions", "id": id, "attributes": {"copyright": "2027 Example"}}});
    let ok = api.patch("/v1/appStoreVersions/v1", body("v1")).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body["data"]["attributes"]["copyright"], "2027 Example");
    let live = api.patch("/v1/appStoreVersions/v-live", body("v-live")).await;
    assert_eq!((live.status, live.code()), (409, "STATE_ERROR"));
}
