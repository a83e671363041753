//! In-app purchases, subscription groups and subscriptions in the fake App
//! Store Connect, through real HTTP, as a client following Apple's 4.4.1
//! API drives them: read an app's products with their versions and
//! localizations, edit the draft version's texts, create a new version
//! when the only one is approved.

use crate::harness::{Answer, Api, fixture_state};
use asc_sync::fake::{FakeOptions, State};
use serde_json::{Value, json};

/// Movies (app `1`, locales en-US and de-DE) with `count` consumables
/// `iap-1`…: the first has an approved version 1 (en-US, de-DE); the
/// others a draft version 1 (en-US). And two subscription groups:
/// `group-1` (approved, en-US and de-DE) with `sub-1` (approved, en-US and
/// de-DE) and `sub-2` (draft, en-US), `group-2` (draft, en-US) with
/// `sub-3` (draft, en-US).
pub fn iap_state(count: usize) -> State {
    let mut state = serde_json::to_value(fixture_state("movies.json")).unwrap();
    let products: Vec<Value> = (1..=count)
        .map(|i| {
            let (state, locs) = if i == 1 {
                (
                    "APPROVED",
                    json!([
                        {"id": "loc-1-en", "locale": "en-US", "name": "100 Coins", "description": "A bag of coins"},
                        {"id": "loc-1-de", "locale": "de-DE", "name": "100 Münzen", "description": "Ein Beutel Münzen"},
                    ]),
                )
            } else {
                (
                    "PREPARE_FOR_SUBMISSION",
                    json!([{"id": format!("loc-{i}-en"), "locale": "en-US", "name": format!("Pack {i}"), "description": null}]),
                )
            };
            json!({
                "id": format!("iap-{i}"), "app": "1", "productId": format!("com.example.movies.pack{i}"),
                "name": format!("Pack {i}"), "inAppPurchaseType": "CONSUMABLE",
                "state": if i == 1 { "APPROVED" } else { "READY_TO_SUBMIT" },
                "versions": [{"id": format!("ver-{i}-1"), "version": 1, "state": state, "localizations": locs}],
            })
        })
        .collect();
    state["inAppPurchases"] = Value::Array(products);
    let version =
        |id: &str, state: &str, locs: Value| json!([{"id": id, "version": 1, "state": state, "localizations": locs}]);
    state["subscriptionGroups"] = json!([
        {"id": "group-1", "app": "1", "referenceName": "Movies Plus", "versions": version("gver-1", "APPROVED", json!([
            {"id": "gloc-1-en", "locale": "en-US", "name": "Movies Plus", "customAppName": "Movies+"},
            {"id": "gloc-1-de", "locale": "de-DE", "name": "Filme Plus"},
        ]))},
        {"id": "group-2", "app": "1", "referenceName": "Extras", "versions": version("gver-2", "PREPARE_FOR_SUBMISSION", json!([
            {"id": "gloc-2-en", "locale": "en-US", "name": "Extras"},
        ]))},
    ]);
    state["subscriptions"] = json!([
        {"id": "sub-1", "group": "group-1", "productId": "com.example.movies.monthly", "name": "Monthly", "state": "APPROVED",
         "subscriptionPeriod": "ONE_MONTH", "groupLevel": 1, "versions": version("sver-1", "APPROVED", json!([
            {"id": "sloc-1-en", "locale": "en-US", "name": "Monthly", "description": "All films, every month"},
            {"id": "sloc-1-de", "locale": "de-DE", "name": "Monatlich", "description": "Alle Filme, jeden Monat"},
        ]))},
        {"id": "sub-2", "group": "group-1", "productId": "com.example.movies.yearly", "name": "Yearly", "state": "READY_TO_SUBMIT",
         "subscriptionPeriod": "ONE_YEAR", "groupLevel": 2, "versions": version("sver-2", "PREPARE_FOR_SUBMISSION", json!([
            {"id": "sloc-2-en", "locale": "en-US", "name": "Yearly", "description": "All films, every year"},
        ]))},
        {"id": "sub-3", "group": "group-2", "productId": "com.example.movies.extras", "name": "Extras", "state": "READY_TO_SUBMIT",
         "versions": version("sver-3", "PREPARE_FOR_SUBMISSION", json!([
            {"id": "sloc-3-en", "locale": "en-US", "name": "Extras"},
        ]))},
    ]);
    State::from_json(&state.to_string(), "iap state").unwrap()
}

pub async fn api_with_iaps(count: usize) -> Api {
    Api::start(FakeOptions {
        state: iap_state(count),
        ..Default::default()
    })
    .await
}

fn localization(attributes: Value, version: &str) -> Value {
    json!({"data": {"type": "inAppPurchaseLocalizations", "attributes": attributes,
        "relationships": {"version": {"data": {"type": "inAppPurchaseVersions", "id": version}}}}})
}

fn edit(id: &str, attributes: Value) -> Value {
    json!({"data": {"type": "inAppPurchaseLocalizations", "id": id, "attributes": attributes}})
}

fn new_version(product: &str) -> Value {
    json!({"data": {"type": "inAppPurchaseVersions",
        "relationships": {"inAppPurchase": {"data": {"type": "inAppPurchases", "id": product}}}}})
}

fn assert_refused(answer: &Answer, code: &str, pointer: Option<&str>) {
    assert_eq!(answer.status, 409, "{}", answer.text);
    assert_eq!(answer.code(), code, "{}", answer.text);
    if let Some(p) = pointer {
        assert_eq!(answer.body["errors"][0]["source"]["pointer"], p, "{}", answer.text);
    }
}

#[tokio::test]
async fn one_request_reads_an_apps_products_with_versions_and_localizations_and_pages_past_the_limit() {
    let api = api_with_iaps(3).await;
    let page = api
        .get("/v1/apps/1/inAppPurchasesV2?limit=2&include=inAppPurchaseLocalizations,versions&limit[inAppPurchaseLocalizations]=50")
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    let data = page.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(data[0]["attributes"]["productId"], "com.example.movies.pack1");
    assert_eq!(data[0]["relationships"]["versions"]["data"][0]["id"], "ver-1-1");
    assert_eq!(
        data[0]["relationships"]["inAppPurchaseLocalizations"]["meta"]["paging"]["total"],
        2
    );
    let included = page.body["included"].as_array().unwrap();
    let german = included.iter().find(|i| i["id"] == "loc-1-de").unwrap();
    assert_eq!(german["attributes"]["name"], "100 Münzen");
    assert_eq!(german["attributes"]["state"], "APPROVED");
    let version = included.iter().find(|i| i["id"] == "ver-1-1").unwrap();
    assert_eq!(version["attributes"]["state"], "APPROVED");
    assert_eq!(page.body["meta"]["paging"]["total"], 3);
    let next = page.body["links"]["next"].as_str().unwrap();
    let rest = api.get(next.trim_start_matches(&api.fake.base_url)).await;
    assert_eq!(rest.status, 200, "{}", rest.text);
    assert_eq!(rest.body["data"][0]["id"], "iap-3");
    assert!(rest.body["links"].get("next").is_none());

    let versions = api
        .get("/v2/inAppPurchases/iap-1/versions?filter[state]=APPROVED&include=localizations")
        .await;
    assert_eq!(versions.status, 200, "{}", versions.text);
    assert_eq!(versions.body["data"][0]["attributes"]["version"], 1);
    assert_eq!(versions.body["included"].as_array().unwrap().len(), 2);
    assert_eq!(
        versions.body["included"][0]["relationships"]["version"]["data"]["id"],
        "ver-1-1"
    );
    let none = api
        .get("/v2/inAppPurchases/iap-1/versions?filter[state]=PREPARE_FOR_SUBMISSION")
        .await;
    assert_eq!(none.body["data"], json!([]));
    let one = api.get("/v2/inAppPurchases/iap-2?include=versions").await;
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(one.body["data"]["links"]["self"], api.url("/v2/inAppPurchases/iap-2"));
}

#[tokio::test]
async fn a_localization_of_an_editable_version_is_edited_and_of_an_approved_one_refused_with_apples_body() {
    let api = api_with_iaps(2).await;
    let ok = api
        .patch(
            "/v2/inAppPurchaseLocalizations/loc-2-en",
            edit("loc-2-en", json!({"name": "Starter pack", "description": "Ten films"})),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body["data"]["attributes"]["name"], "Starter pack");
    let read = api.get("/v2/inAppPurchaseLocalizations/loc-2-en").await;
    assert_eq!(read.body["data"]["attributes"]["description"], "Ten films");

    let refused = api
        .patch(
            "/v2/inAppPurchaseLocalizations/loc-1-en",
            edit("loc-1-en", json!({"name": "200 Coins"})),
        )
        .await;
    assert_refused(
        &refused,
        "ENTITY_ERROR.ATTRIBUTE.INVALID.UNMODIFIABLE",
        Some("/data/attributes/name"),
    );
    assert_eq!(
        refused.body["errors"][0]["title"],
        "The provided entity contains a field that can not be modified in the current state"
    );
    let unchanged = api.get("/v2/inAppPurchaseLocalizations/loc-1-en").await;
    assert_eq!(unchanged.body["data"]["attributes"]["name"], "100 Coins");
}

#[tokio::test]
async fn a_new_version_captures_the_localizations_and_takes_edits_and_versions_cannot_be_deleted() {
    let api = api_with_iaps(1).await;
    let created = api.post("/v1/inAppPurchaseVersions", new_version("iap-1")).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["data"]["attributes"]["version"], 2);
    assert_eq!(created.body["data"]["attributes"]["state"], "PREPARE_FOR_SUBMISSION");
    let id = created.body["data"]["id"].as_str().unwrap().to_owned();
    let locs = api.get(&format!("/v1/inAppPurchaseVersions/{id}/localizations")).await;
    assert_eq!(locs.status, 200, "{}", locs.text);
    let list = locs.body["data"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    let en = list.iter().find(|l| l["attributes"]["locale"] == "en-US").unwrap();
    assert_eq!(en["attributes"]["name"], "100 Coins");
    let en_id = en["id"].as_str().unwrap();
    assert_ne!(en_id, "loc-1-en");
    let ok = api
        .patch(
            &format!("/v2/inAppPurchaseLocalizations/{en_id}"),
            edit(en_id, json!({"name": "200 Coins"})),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let old = api.get("/v2/inAppPurchaseLocalizations/loc-1-en").await;
    assert_eq!(old.body["data"]["attributes"]["name"], "100 Coins");

    let second = api.post("/v1/inAppPurchaseVersions", new_version("iap-1")).await;
    assert_refused(&second, "STATE_ERROR", None);
    let delete = api
        .send("DELETE", &format!("/v1/inAppPurchaseVersions/{id}"), None)
        .await
        .unwrap();
    assert_eq!(delete.status, 405, "{}", delete.text);
    let state: Value = api.get("/v2/inAppPurchases/iap-1/versions").await.body;
    assert_eq!(state["data"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn deleting_a_versions_last_localization_is_refused() {
    let api = api_with_iaps(2).await;
    let answer = api
        .send("DELETE", "/v2/inAppPurchaseLocalizations/loc-2-en", None)
        .await
        .unwrap();
    assert_refused(&answer, "STATE_ERROR", None);
    assert_eq!(
        answer.body["errors"][0]["detail"],
        "Cannot delete the last localization"
    );
    let added = api
        .post(
            "/v2/inAppPurchaseLocalizations",
            localization(json!({"locale": "de-DE", "name": "Paket 2"}), "ver-2-1"),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.text);
    let deleted = api
        .send("DELETE", "/v2/inAppPurchaseLocalizations/loc-2-en", None)
        .await
        .unwrap();
    assert_eq!(deleted.status, 204, "{}", deleted.text);
}

#[tokio::test]
async fn unknown_and_unsupported_locales_and_over_long_texts_are_refused_with_a_pointer() {
    let api = api_with_iaps(2).await;
    let unknown = api
        .post(
            "/v2/inAppPurchaseLocalizations",
            localization(json!({"locale": "it-IT", "name": "Pacco"}), "ver-2-1"),
        )
        .await;
    assert_refused(
        &unknown,
        "ENTITY_ERROR.ATTRIBUTE.INVALID",
        Some("/data/attributes/locale"),
    );
    let unsupported = api
        .post(
            "/v2/inAppPurchaseLocalizations",
            localization(json!({"locale": "fr-FR", "name": "Paquet"}), "ver-2-1"),
        )
        .await;
    assert_refused(
        &unsupported,
        "ENTITY_ERROR.ATTRIBUTE.INVALID",
        Some("/data/attributes/locale"),
    );
    let long_name = api
        .patch(
            "/v2/inAppPurchaseLocalizations/loc-2-en",
            edit("loc-2-en", json!({"name": "n".repeat(31)})),
        )
        .await;
    assert_refused(
        &long_name,
        "ENTITY_ERROR.ATTRIBUTE.INVALID.TOO_LONG",
        Some("/data/attributes/name"),
    );
    let long_description = api
        .patch(
            "/v2/inAppPurchaseLocalizations/loc-2-en",
            edit("loc-2-en", json!({"description": "d".repeat(46)})),
        )
        .await;
    assert_refused(
        &long_description,
        "ENTITY_ERROR.ATTRIBUTE.INVALID.TOO_LONG",
        Some("/data/attributes/description"),
    );
    let at_limit = api
        .patch(
            "/v2/inAppPurchaseLocalizations/loc-2-en",
            edit(
                "loc-2-en",
                json!({"name": "n".repeat(30), "description": "d".repeat(45)}),
            ),
        )
        .await;
    assert_eq!(at_limit.status, 200, "{}", at_limit.text);
}

#[tokio::test]
async fn products_versions_and_localizations_are_in_the_fakes_state() {
    let api = api_with_iaps(1).await;
    api.post("/v1/inAppPurchaseVersions", new_version("iap-1")).await;
    let state: Value = reqwest::get(api.url("/_fake/state"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let product = &state["inAppPurchases"][0];
    assert_eq!(product["productId"], "com.example.movies.pack1");
    assert_eq!(product["versions"].as_array().unwrap().len(), 2);
    assert_eq!(product["versions"][1]["localizations"][1]["name"], "100 Münzen");
}

#[tokio::test]
async fn two_requests_and_one_per_group_read_every_subscription_text_with_versions() {
    let api = api_with_iaps(1).await;
    let groups = api
        .get("/v1/apps/1/subscriptionGroups?limit=200&include=subscriptionGroupLocalizations,versions,subscriptions&limit[subscriptionGroupLocalizations]=50")
        .await;
    assert_eq!(groups.status, 200, "{}", groups.text);
    assert_eq!(groups.body["data"].as_array().unwrap().len(), 2);
    let included = groups.body["included"].as_array().unwrap();
    let custom = included.iter().find(|i| i["id"] == "gloc-1-en").unwrap();
    assert_eq!(custom["attributes"]["customAppName"], "Movies+");
    assert_eq!(custom["attributes"]["state"], "APPROVED");
    assert!(
        included
            .iter()
            .any(|i| i["type"] == "subscriptionGroupVersions" && i["id"] == "gver-2")
    );
    assert_eq!(
        groups.body["data"][0]["relationships"]["subscriptions"]["meta"]["paging"]["total"],
        2
    );

    let subs = api
        .get("/v1/subscriptionGroups/group-1/subscriptions?include=subscriptionLocalizations,versions&limit[subscriptionLocalizations]=50")
        .await;
    assert_eq!(subs.status, 200, "{}", subs.text);
    assert_eq!(subs.body["data"].as_array().unwrap().len(), 2);
    let included = subs.body["included"].as_array().unwrap();
    let german = included.iter().find(|i| i["id"] == "sloc-1-de").unwrap();
    assert_eq!(german["attributes"]["description"], "Alle Filme, jeden Monat");
    assert!(
        included
            .iter()
            .any(|i| i["type"] == "subscriptionVersions" && i["attributes"]["state"] == "APPROVED")
    );

    let versions = api
        .get("/v1/subscriptionGroups/group-1/versions?include=localizations")
        .await;
    assert_eq!(versions.status, 200, "{}", versions.text);
    assert_eq!(versions.body["included"].as_array().unwrap().len(), 2);
    let one = api
        .get("/v1/subscriptions/sub-1/versions?filter[state]=APPROVED&include=localizations")
        .await;
    assert_eq!(
        one.body["included"][0]["relationships"]["version"]["data"]["id"],
        "sver-1"
    );
}

#[tokio::test]
async fn subscription_and_group_texts_follow_the_version_rules() {
    let api = api_with_iaps(1).await;
    let group_edit = |id: &str, attributes: Value| json!({"data": {"type": "subscriptionGroupLocalizations", "id": id, "attributes": attributes}});
    let sub_edit = |id: &str, attributes: Value| json!({"data": {"type": "subscriptionLocalizations", "id": id, "attributes": attributes}});

    let ok = api
        .patch(
            "/v2/subscriptionGroupLocalizations/gloc-2-en",
            group_edit("gloc-2-en", json!({"customAppName": "Movies"})),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body["data"]["attributes"]["customAppName"], "Movies");
    let refused = api
        .patch(
            "/v2/subscriptionGroupLocalizations/gloc-1-en",
            group_edit("gloc-1-en", json!({"name": "Plus"})),
        )
        .await;
    assert_refused(
        &refused,
        "ENTITY_ERROR.ATTRIBUTE.INVALID.UNMODIFIABLE",
        Some("/data/attributes/name"),
    );
    let refused = api
        .patch(
            "/v2/subscriptionLocalizations/sloc-1-en",
            sub_edit("sloc-1-en", json!({"description": "New"})),
        )
        .await;
    assert_refused(
        &refused,
        "ENTITY_ERROR.ATTRIBUTE.INVALID.UNMODIFIABLE",
        Some("/data/attributes/description"),
    );
    let unknown = api
        .patch(
            "/v2/subscriptionLocalizations/sloc-2-en",
            sub_edit("sloc-2-en", json!({"customAppName": "x"})),
        )
        .await;
    assert_refused(
        &unknown,
        "ENTITY_ERROR.ATTRIBUTE.UNKNOWN",
        Some("/data/attributes/customAppName"),
    );
    let long = api
        .patch(
            "/v2/subscriptionLocalizations/sloc-2-en",
            sub_edit("sloc-2-en", json!({"name": "n".repeat(31)})),
        )
        .await;
    assert_refused(
        &long,
        "ENTITY_ERROR.ATTRIBUTE.INVALID.TOO_LONG",
        Some("/data/attributes/name"),
    );
    let last = api
        .send("DELETE", "/v2/subscriptionLocalizations/sloc-3-en", None)
        .await
        .unwrap();
    assert_refused(&last, "STATE_ERROR", None);
    let last = api
        .send("DELETE", "/v2/subscriptionGroupLocalizations/gloc-2-en", None)
        .await
        .unwrap();
    assert_refused(&last, "STATE_ERROR", None);
    let locale = json!({"data": {"type": "subscriptionLocalizations", "attributes": {"locale": "xx", "name": "X"},
        "relationships": {"version": {"data": {"type": "subscriptionVersions", "id": "sver-2"}}}}});
    let unknown_locale = api.post("/v2/subscriptionLocalizations", locale).await;
    assert_refused(
        &unknown_locale,
        "ENTITY_ERROR.ATTRIBUTE.INVALID",
        Some("/data/attributes/locale"),
    );

    for (path, relation, product, kind) in [
        ("/v1/subscriptionVersions", "subscription", "sub-1", "subscriptions"),
        (
            "/v1/subscriptionGroupVersions",
            "subscriptionGroup",
            "group-1",
            "subscriptionGroups",
        ),
    ] {
        let type_name = path.trim_start_matches("/v1/");
        let body =
            json!({"data": {"type": type_name, "relationships": {relation: {"data": {"type": kind, "id": product}}}}});
        let created = api.post(path, body).await;
        assert_eq!(created.status, 201, "{}", created.text);
        assert_eq!(created.body["data"]["attributes"]["version"], 2);
        let id = created.body["data"]["id"].as_str().unwrap();
        let locs = api.get(&format!("{path}/{id}/localizations")).await;
        assert_eq!(locs.body["data"].as_array().unwrap().len(), 2, "{}", locs.text);
        let en = locs.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["attributes"]["locale"] == "en-US")
            .unwrap()
            .clone();
        let loc_type = en["type"].as_str().unwrap();
        let loc_id = en["id"].as_str().unwrap();
        let edit = json!({"data": {"type": loc_type, "id": loc_id, "attributes": {"name": "Renamed"}}});
        let ok = api.patch(&format!("/v2/{loc_type}/{loc_id}"), edit).await;
        assert_eq!(ok.status, 200, "{}", ok.text);
        let delete = api.send("DELETE", &format!("{path}/{id}"), None).await.unwrap();
        assert_eq!(delete.status, 405, "{}", delete.text);
    }
    let custom = api
        .get("/v1/subscriptionGroups/group-1?include=subscriptionGroupLocalizations")
        .await;
    let en = custom.body["included"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["attributes"]["locale"] == "en-US")
        .unwrap()
        .clone();
    assert_eq!(en["attributes"]["name"], "Renamed");
    assert_eq!(en["attributes"]["customAppName"], "Movies+");
    assert_eq!(en["attributes"]["state"], "PREPARE_FOR_SUBMISSION");
}

#[tokio::test]
async fn the_product_level_localizations_a_read_links_to_are_served_with_their_versions_state() {
    let api = api_with_iaps(1).await;
    let product = api.get("/v2/inAppPurchases/iap-1").await;
    let related = product.body["data"]["relationships"]["inAppPurchaseLocalizations"]["links"]["related"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = api
        .get(&format!(
            "{}?include=inAppPurchaseV2",
            related.trim_start_matches(&api.fake.base_url)
        ))
        .await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.body["data"].as_array().unwrap().len(), 2);
    assert_eq!(list.body["data"][0]["attributes"]["state"], "APPROVED");
    assert_eq!(list.body["included"][0]["id"], "iap-1");
    let one = list.body["data"][0]["links"]["self"].as_str().unwrap().to_owned();
    let one = api.get(one.trim_start_matches(&api.fake.base_url)).await;
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(
        one.body["data"]["relationships"]["inAppPurchaseV2"]["data"]["id"],
        "iap-1"
    );
    let group = api
        .get("/v1/subscriptionGroups/group-1/subscriptionGroupLocalizations")
        .await;
    assert_eq!(group.body["data"][0]["attributes"]["customAppName"], "Movies+");
    let sub = api
        .get("/v1/subscriptionLocalizations/sloc-2-en?include=subscription")
        .await;
    assert_eq!(sub.body["data"]["attributes"]["state"], "PREPARE_FOR_SUBMISSION");
    assert_eq!(sub.body["included"][0]["type"], "subscriptions");
}
