//! The requests fastlane deliver sends for a metadata-only run, in its
//! order and with its query strings (shared/reference/fastlane-deliver.md
//! §5; spaceship's `build_params` and Faraday's `NestedParamsEncoder`,
//! which sorts and percent-encodes them), signed without `iat` as some
//! clients sign. Each is answered as Apple answers it: the status deliver
//! expects, and a body that Apple's OpenAPI schema for the operation
//! accepts (`fake_conformance::check`).
//!
//! The run: find the app by bundle id with its versions; find the editable
//! version and its localizations; find the editable app info and read its
//! localizations twice (the change check, then the language check); find
//! the version again and count the platform's versions for the
//! first-version rule; PATCH the version, each version localization, each
//! app-info localization and the app info's categories; read the review
//! detail with its attachments, PATCH it, and read it again for the
//! attachments.

use crate::fake_conformance::check;
use crate::harness::{Answer, Api, Corpus, corpus_or_skip, now};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The editable version filter and includes of `get_edit_app_store_version`.
const EDIT_VERSION_QUERY: &str = "filter%5BappVersionState%5D=PREPARE_FOR_SUBMISSION%2CDEVELOPER_REJECTED%2CREJECTED%2CMETADATA_REJECTED%2CWAITING_FOR_REVIEW%2CINVALID_BINARY&filter%5Bplatform%5D=IOS&include=appStoreVersionSubmission%2Cbuild%2CappClipDefaultExperience";

/// `AppInfo::ESSENTIAL_INCLUDES`, for `fetch_edit_app_info`.
const APP_INFO_QUERY: &str = "include=primaryCategory%2CprimarySubcategoryOne%2CprimarySubcategoryTwo%2CsecondaryCategory%2CsecondarySubcategoryOne%2CsecondarySubcategoryTwo";

/// One step of the run: method, path, query, body, the status Apple
/// answers, and the spec's path template for the schema check.
struct Step {
    method: &'static str,
    path: String,
    query: Option<&'static str>,
    body: Option<Value>,
    status: u16,
    template: &'static str,
}

fn get(path: &str, query: Option<&'static str>, template: &'static str) -> Step {
    Step {
        method: "GET",
        path: path.to_owned(),
        query,
        body: None,
        status: 200,
        template,
    }
}

fn patch(path: &str, body: Value, template: &'static str) -> Step {
    Step {
        method: "PATCH",
        path: path.to_owned(),
        query: None,
        body: Some(body),
        status: 200,
        template,
    }
}

fn version_localization(id: &str, description: &str) -> Value {
    json!({"data": {"type": "appStoreVersionLocalizations", "id": id, "attributes": {
        "description": description,
        "keywords": "movies,film,cinema",
        "marketingUrl": "https://example.com",
        "promotionalText": "Now with watchlists.",
        "supportUrl": "https://example.com/support",
        "whatsNew": "Bug fixes and watchlists."
    }}})
}

fn info_localization(id: &str, name: &str) -> Value {
    json!({"data": {"type": "appInfoLocalizations", "id": id, "attributes": {
        "name": name, "subtitle": "Watch them all", "privacyPolicyUrl": "https://example.com/privacy"
    }}})
}

/// The reads that find the app, its editable version and app info.
fn lookups() -> Vec<Step> {
    let versions = "/v1/apps/{id}/appStoreVersions";
    let info_locs = "/v1/appInfos/{id}/appInfoLocalizations";
    vec![
        get(
            "/v1/apps",
            Some("filter%5BbundleId%5D=com.example.movies&include=appStoreVersions"),
            "/v1/apps",
        ),
        get("/v1/apps/1/appStoreVersions", Some(EDIT_VERSION_QUERY), versions),
        get(
            "/v1/appStoreVersions/v1/appStoreVersionLocalizations",
            None,
            "/v1/appStoreVersions/{id}/appStoreVersionLocalizations",
        ),
        get("/v1/apps/1/appInfos", Some(APP_INFO_QUERY), "/v1/apps/{id}/appInfos"),
        get("/v1/appInfos/i1/appInfoLocalizations", None, info_locs),
        get("/v1/appInfos/i1/appInfoLocalizations", None, info_locs),
        get("/v1/apps/1/appStoreVersions", Some(EDIT_VERSION_QUERY), versions),
        get(
            "/v1/apps/1/appStoreVersions",
            Some("filter%5Bplatform%5D=IOS&limit=2"),
            versions,
        ),
    ]
}

/// The writes of the run, and the review detail's reads around its PATCH.
fn writes() -> Vec<Step> {
    let version_loc = "/v1/appStoreVersionLocalizations/{id}";
    let info_loc = "/v1/appInfoLocalizations/{id}";
    let review = "/v1/appStoreVersions/{id}/appStoreReviewDetail";
    let with_attachments = Some("include=appStoreReviewAttachments");
    vec![
        patch(
            "/v1/appStoreVersions/v1",
            json!({"data": {"type": "appStoreVersions", "id": "v1", "attributes": {"copyright": "2027 Example", "releaseType": "MANUAL"}}}),
            "/v1/appStoreVersions/{id}",
        ),
        patch(
            "/v1/appStoreVersionLocalizations/l1",
            version_localization("l1", "Watch movies."),
            version_loc,
        ),
        patch(
            "/v1/appStoreVersionLocalizations/l2",
            version_localization("l2", "Filme schauen."),
            version_loc,
        ),
        patch(
            "/v1/appInfoLocalizations/il1",
            info_localization("il1", "Movies"),
            info_loc,
        ),
        patch(
            "/v1/appInfoLocalizations/il2",
            info_localization("il2", "Filme"),
            info_loc,
        ),
        patch(
            "/v1/appInfos/i1",
            json!({"data": {"type": "appInfos", "id": "i1", "relationships": {
                "primaryCategory": {"data": {"type": "appCategories", "id": "PHOTO_AND_VIDEO"}},
                "primarySubcategoryOne": {"data": null},
                "primarySubcategoryTwo": {"data": null}
            }}}),
            "/v1/appInfos/{id}",
        ),
        get("/v1/appStoreVersions/v1/appStoreReviewDetail", with_attachments, review),
        patch(
            "/v1/appStoreReviewDetails/r1",
            json!({"data": {"type": "appStoreReviewDetails", "id": "r1", "attributes": {
                "contactFirstName": "Jane", "contactLastName": "Appleseed", "contactPhone": "+44 844 209 0611",
                "contactEmail": "review@example.com", "notes": "Nothing special.", "demoAccountRequired": false
            }}}),
            "/v1/appStoreReviewDetails/{id}",
        ),
        get("/v1/appStoreVersions/v1/appStoreReviewDetail", with_attachments, review),
    ]
}

async fn send(api: &Api, token: &str, step: &Step) -> Answer {
    let url = match step.query {
        Some(q) => api.url(&format!("{}?{q}", step.path)),
        None => api.url(&step.path),
    };
    let method = reqwest::Method::from_bytes(step.method.as_bytes()).unwrap();
    let mut req = api
        .http
        .request(method, url)
        .bearer_auth(token)
        .header("content-type", "application/json");
    if let Some(body) = &step.body {
        req = req.body(body.to_string());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
        text,
    }
}

/// What deliver reads from the answers: the app, the editable version and
/// app info it picks, the localizations it will PATCH, and the count that
/// decides the first-version rule.
fn assert_what_deliver_reads(step: usize, a: &Answer) {
    let ids = |doc: &Value| -> Vec<String> {
        doc["data"]
            .as_array()
            .map(|d| d.iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect())
            .unwrap_or_default()
    };
    match step {
        0 => {
            assert_eq!(a.body["data"][0]["attributes"]["bundleId"], "com.example.movies");
            let versions = &a.body["data"][0]["relationships"]["appStoreVersions"]["data"];
            assert_eq!(versions.as_array().unwrap().len(), 3, "{}", a.text);
        }
        1 | 6 => assert_eq!(ids(&a.body), ["v1"]),
        2 => assert_eq!(ids(&a.body), ["l1", "l2"]),
        3 => {
            assert_eq!(ids(&a.body), ["i-live", "i1"]);
            assert_eq!(a.body["data"][1]["attributes"]["state"], "PREPARE_FOR_SUBMISSION");
        }
        4 | 5 => assert_eq!(ids(&a.body), ["il1", "il2"]),
        7 => assert_eq!(ids(&a.body).len(), 2, "not the first version"),
        14 | 16 => {
            assert_eq!(a.body["data"]["id"], "r1");
            let attachments = &a.body["data"]["relationships"]["appStoreReviewAttachments"]["data"];
            assert_eq!(attachments, &json!([]), "no attachments to delete");
        }
        _ => {}
    }
}

#[tokio::test]
async fn a_fastlane_deliver_metadata_run_is_answered_as_apple_answers_it() {
    let validate = corpus_or_skip(Corpus::OpenApiSpec).is_some();
    let api = Api::movies().await;
    let token = api.signer.sign(
        Some(&api.signer.kid),
        &json!({"iss": "57246542-96fe-1a63-e053-0824d011072a", "exp": now() + 500, "aud": "appstoreconnect-v1"}),
    );
    let steps: Vec<Step> = lookups().into_iter().chain(writes()).collect();
    let mut seen = BTreeMap::new();
    for (i, step) in steps.iter().enumerate() {
        let a = send(&api, &token, step).await;
        let what = format!("step {i}: {} {}?{:?}", step.method, step.path, step.query);
        assert_eq!(a.status, step.status, "{what}: {}", a.text);
        assert_what_deliver_reads(i, &a);
        if validate {
            check(step.template, step.method, &a, &mut seen);
        }
    }
    let log = api.fake.requests();
    let sent: Vec<(String, String, Option<String>, Option<u16>)> = log
        .iter()
        .map(|e| (e.method.clone(), e.path.clone(), e.query.clone(), e.status))
        .collect();
    let expected: Vec<(String, String, Option<String>, Option<u16>)> = steps
        .iter()
        .map(|s| {
            (
                s.method.into(),
                s.path.clone(),
                s.query.map(str::to_owned),
                Some(s.status),
            )
        })
        .collect();
    assert_eq!(sent, expected);
    let state = api.fake.state();
    let v1 = &state.apps[0].app_store_versions[1];
    assert_eq!(v1.copyright.as_deref(), Some("2027 Example"));
    assert_eq!(
        v1.localizations[1].attributes["whatsNew"].as_deref(),
        Some("Bug fixes and watchlists.")
    );
    assert_eq!(
        state.apps[0].app_infos[1].primary_category.as_deref(),
        Some("PHOTO_AND_VIDEO")
    );
    let review = v1.review_detail.as_ref().unwrap();
    assert_eq!(review.contact_phone.as_deref(), Some("+44 844 209 0611"));
}
