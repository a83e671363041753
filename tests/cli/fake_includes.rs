//! What clients send that Apple accepts, accepted by the fake and answered
//! in Apple's shapes: fastlane's `include=appStoreVersions` on the app
//! lookup and `include=appStoreReviewAttachments` on the review detail,
//! and `links` in every relationship object.

use crate::harness::Api;
use serde_json::Value;

/// Every resource object of a document: `data` (one or many) and
/// `included`.
fn resources(doc: &Value) -> Vec<&Value> {
    let mut out: Vec<&Value> = match &doc["data"] {
        Value::Array(items) => items.iter().collect(),
        Value::Object(_) => vec![&doc["data"]],
        _ => Vec::new(),
    };
    if let Some(included) = doc["included"].as_array() {
        out.extend(included);
    }
    out
}

/// Asserts Apple's links on every relationship of every resource, and
/// returns how many relationships there were.
fn assert_relationship_links(base: &str, doc: &Value) -> usize {
    let mut seen = 0;
    for resource in resources(doc) {
        let (type_name, id) = (resource["type"].as_str().unwrap(), resource["id"].as_str().unwrap());
        let Some(relationships) = resource["relationships"].as_object() else {
            continue;
        };
        for (name, rel) in relationships {
            let links = &rel["links"];
            assert_eq!(
                links["self"],
                format!("{base}/v1/{type_name}/{id}/relationships/{name}"),
                "{type_name} {id} {name}: {rel}"
            );
            assert_eq!(
                links["related"],
                format!("{base}/v1/{type_name}/{id}/{name}"),
                "{type_name} {id} {name}: {rel}"
            );
            seen += 1;
        }
    }
    seen
}

#[tokio::test]
async fn the_app_lookup_includes_its_versions_up_to_the_inline_limit() {
    let api = Api::movies().await;
    let a = api
        .get("/v1/apps?filter[bundleId]=com.example.movies&include=appStoreVersions")
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let rel = &a.body["data"][0]["relationships"]["appStoreVersions"];
    let ids: Vec<&str> = rel["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["v-live", "v1", "v-mac"]);
    assert_eq!(rel["meta"]["paging"]["total"], 3);
    // The second app has no versions: an empty list, not a missing one.
    assert_eq!(
        a.body["data"][1]["relationships"]["appStoreVersions"]["data"],
        serde_json::json!([])
    );
    let included = a.body["included"].as_array().unwrap();
    assert_eq!(included.len(), 3);
    assert!(included.iter().all(|i| i["type"] == "appStoreVersions"));
    assert_eq!(included[1]["attributes"]["appVersionState"], "PREPARE_FOR_SUBMISSION");
    assert_eq!(included[1]["attributes"]["versionString"], "2.1");

    let limited = api
        .get("/v1/apps?filter[bundleId]=com.example.movies&include=appStoreVersions&limit[appStoreVersions]=1")
        .await;
    let rel = &limited.body["data"][0]["relationships"]["appStoreVersions"];
    assert_eq!(rel["data"].as_array().unwrap().len(), 1);
    assert_eq!(
        (
            rel["meta"]["paging"]["total"].clone(),
            rel["meta"]["paging"]["limit"].clone()
        ),
        (3.into(), 1.into())
    );
    assert_eq!(limited.body["included"].as_array().unwrap().len(), 1);
    let over = api
        .get("/v1/apps?include=appStoreVersions&limit[appStoreVersions]=51")
        .await;
    assert_eq!((over.status, over.code()), (400, "PARAMETER_ERROR.INVALID"));
    let unknown = api.get("/v1/apps?include=appStoreVersion").await;
    assert_eq!((unknown.status, unknown.code()), (400, "PARAMETER_ERROR.INVALID"));

    let one = api.get("/v1/apps/1?include=appInfos,appStoreVersions").await;
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(one.body["included"].as_array().unwrap().len(), 5);
    assert_eq!(one.body["data"]["relationships"]["appInfos"]["data"][1]["id"], "i1");
}

#[tokio::test]
async fn the_review_detail_includes_its_attachments_none_in_the_fake() {
    let api = Api::movies().await;
    let a = api
        .get("/v1/appStoreVersions/v1/appStoreReviewDetail?include=appStoreReviewAttachments")
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let rel = &a.body["data"]["relationships"]["appStoreReviewAttachments"];
    assert_eq!(rel["data"], serde_json::json!([]));
    assert_eq!(rel["meta"]["paging"]["total"], 0);
    assert!(a.body.get("included").is_none(), "{}", a.text);
    assert_eq!(a.body["data"]["attributes"]["contactFirstName"], "Jane");
    // Without the include, the relationship has its links only.
    let plain = api.get("/v1/appStoreVersions/v1/appStoreReviewDetail").await;
    let rel = &plain.body["data"]["relationships"]["appStoreReviewAttachments"];
    assert!(
        rel.get("data").is_none() && rel["links"]["related"].is_string(),
        "{rel}"
    );
    let with_version = api
        .get("/v1/appStoreVersions/v1/appStoreReviewDetail?include=appStoreVersion,appStoreReviewAttachments")
        .await;
    assert_eq!(with_version.body["included"][0]["id"], "v1");
    let none = api
        .get("/v1/appStoreVersions/v-mac/appStoreReviewDetail?include=appStoreReviewAttachments")
        .await;
    assert_eq!((none.status, none.body["data"].clone()), (200, Value::Null));
}

#[tokio::test]
async fn every_relationship_object_carries_apples_links() {
    let api = Api::movies().await;
    let base = &api.fake.base_url;
    let mut total = 0;
    for path in [
        "/v1/apps?include=appStoreVersions,appInfos",
        "/v1/apps/1/appStoreVersions?include=appStoreVersionLocalizations,appStoreReviewDetail,app",
        "/v1/appStoreVersions/v1?include=appStoreVersionLocalizations,appStoreReviewDetail,app",
        "/v1/appStoreVersions/v1/appStoreVersionLocalizations",
        "/v1/appStoreVersionLocalizations/l1",
        "/v1/apps/1/appInfos?include=appInfoLocalizations",
        "/v1/appInfos/i1",
        "/v1/appInfos/i1/appInfoLocalizations",
        "/v1/appInfoLocalizations/il1",
        "/v1/appStoreVersions/v1/appStoreReviewDetail?include=appStoreReviewAttachments,appStoreVersion",
        "/v1/appStoreReviewDetails/r1",
    ] {
        let a = api.get(path).await;
        assert_eq!(a.status, 200, "{path}: {}", a.text);
        let seen = assert_relationship_links(base, &a.body);
        assert!(seen > 0, "{path} has relationships");
        total += seen;
    }
    assert!(total > 60, "{total}");
    // To-one relationships carry their linkage beside the links.
    let loc = api.get("/v1/appStoreVersionLocalizations/l1").await;
    assert_eq!(loc.body["data"]["relationships"]["appStoreVersion"]["data"]["id"], "v1");
    let info = api.get("/v1/appInfos/i1").await;
    let primary = &info.body["data"]["relationships"]["primaryCategory"];
    assert_eq!(primary["data"]["id"], "ENTERTAINMENT");
    assert_eq!(
        info.body["data"]["relationships"]["secondaryCategory"]["data"],
        Value::Null
    );
}
