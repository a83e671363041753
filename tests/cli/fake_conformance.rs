//! Every operation the fake serves, validated against the response schema
//! Apple's OpenAPI spec names for it (shared/asc-openapi), so the fake
//! cannot drift from Apple's shapes as it grows.
//!
//! Three adjustments, each documented Apple behaviour the spec does not
//! say: live responses send `null` for unset attributes and for unset
//! to-one relationships (JSON:API), and a to-one related endpoint answers
//! `data: null` when there is nothing. Error bodies are checked against
//! Apple's original `ErrorResponse` (required: code, detail, status,
//! title), not the SDK's patched copy (see SOURCE.md there).

use crate::harness::{Answer, Api, Corpus, corpus_or_skip};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::OnceLock;

fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = Corpus::OpenApiSpec.path();
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    })
}

/// Adds `null` to the allowed types of a schema; a reference to an object
/// schema (`imageAsset`, `assetDeliveryState`) becomes "that or null".
fn nullable(schema: &mut Value) {
    if let Some(reference) = schema.get("$ref").cloned() {
        schema.as_object_mut().unwrap().remove("$ref");
        schema["anyOf"] = json!([{"$ref": reference}, {"type": "null"}]);
    }
    if let Some(t) = schema.get("type").and_then(Value::as_str).map(str::to_owned) {
        schema["type"] = json!([t, "null"]);
    }
    if let Some(values) = schema.get_mut("enum").and_then(Value::as_array_mut) {
        values.push(Value::Null);
    }
}

/// The SDK's copy sets `format: null` in one place (SOURCE.md, patch 5),
/// which is not valid JSON Schema; such keys are dropped.
fn drop_null_formats(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map.get("format").is_some_and(Value::is_null) {
                map.remove("format");
            }
            map.values_mut().for_each(drop_null_formats);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null_formats),
        _ => {}
    }
}

/// The spec's component schemas, adjusted as the module doc says.
fn components() -> &'static Value {
    static COMPONENTS: OnceLock<Value> = OnceLock::new();
    COMPONENTS.get_or_init(|| {
        let mut schemas = spec()["components"]["schemas"].clone();
        drop_null_formats(&mut schemas);
        for (_, schema) in schemas.as_object_mut().unwrap().iter_mut() {
            if let Some(attrs) = schema.pointer_mut("/properties/attributes/properties").and_then(Value::as_object_mut) {
                attrs.values_mut().for_each(nullable);
            }
            if let Some(rels) = schema.pointer_mut("/properties/relationships/properties").and_then(Value::as_object_mut) {
                for rel in rels.values_mut() {
                    if let Some(data) = rel.pointer_mut("/properties/data")
                        && data["type"] == "object"
                    {
                        nullable(data);
                    }
                }
            }
        }
        schemas["ErrorResponse"] = json!({
            "type": "object",
            "properties": {"errors": {"type": "array", "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"}, "status": {"type": "string"}, "code": {"type": "string"},
                    "title": {"type": "string"}, "detail": {"type": "string"},
                    "source": {"oneOf": [{"$ref": "#/components/schemas/ErrorSourcePointer"}, {"$ref": "#/components/schemas/ErrorSourceParameter"}]},
                    "links": {"$ref": "#/components/schemas/ErrorLinks"},
                    "meta": {"type": "object", "additionalProperties": {}}
                },
                "required": ["code", "detail", "status", "title"]
            }}},
            "required": ["errors"]
        });
        schemas
    })
}

/// Validates an error answer against Apple's `ErrorResponse`, for refusals
/// the spec documents no status for (a 409 on a DELETE, which Apple
/// answers after submission).
pub fn check_error(answer: &Answer) {
    let root = json!({"$ref": "#/components/schemas/ErrorResponse", "components": {"schemas": components()}});
    let validator = jsonschema::options().build(&root).unwrap();
    let errors: Vec<String> = validator.iter_errors(&answer.body).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}\n{}", answer.text);
}

/// The schema the spec names for an operation's response.
fn response_schema(template: &str, method: &str, status: u16) -> Value {
    let op = &spec()["paths"][template][method.to_lowercase()];
    assert!(op.is_object(), "the spec has no {method} {template}");
    let schema = op["responses"][status.to_string()]["content"]["application/json"]["schema"].clone();
    assert!(
        schema.is_object(),
        "the spec documents no {status} for {method} {template}"
    );
    schema
}

/// Validates an answer against the schema Apple's spec names for the
/// operation and its status, and records that the operation was checked.
pub fn check(template: &str, method: &str, answer: &Answer, seen: &mut BTreeMap<String, u16>) {
    let mut schema = response_schema(template, method, answer.status);
    // A to-one related endpoint with nothing to relate answers data: null.
    let single = schema["$ref"]
        .as_str()
        .is_some_and(|r| r.ends_with("Response") && !r.ends_with("sResponse"));
    if single && answer.status == 200 && answer.body["data"].is_null() {
        schema = json!({"type": "object", "properties": {"data": {"type": "null"}, "links": {"$ref": "#/components/schemas/DocumentLinks"}}, "required": ["data", "links"]});
    }
    let root = json!({"$ref": schema["$ref"].clone(), "components": {"schemas": components()}});
    let root = if schema.get("$ref").is_some() {
        root
    } else {
        json!({"allOf": [schema], "components": {"schemas": components()}})
    };
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&root)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&answer.body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {template} {}: {errors:#?}\n{}",
        answer.status,
        answer.text
    );
    seen.insert(format!("{method} {template} {}", answer.status), answer.status);
}

#[tokio::test]
async fn every_operation_answers_in_apples_shapes() {
    let Some(_) = corpus_or_skip(Corpus::OpenApiSpec) else {
        return;
    };
    let api = Api::movies().await;
    let mut seen = BTreeMap::new();
    let loc = |id: &str, attributes: Value| json!({"data": {"type": "appStoreVersionLocalizations", "id": id, "attributes": attributes}});

    check(
        "/v1/apps",
        "GET",
        &api.get("/v1/apps?filter[bundleId]=com.example.movies&limit=1").await,
        &mut seen,
    );
    check("/v1/apps", "GET", &api.get("/v1/apps?limit=500").await, &mut seen);
    check("/v1/apps/{id}", "GET", &api.get("/v1/apps/1").await, &mut seen);
    check("/v1/apps/{id}", "GET", &api.get("/v1/apps/nope").await, &mut seen);
    check(
        "/v1/apps/{id}/appStoreVersions",
        "GET",
        &api.get("/v1/apps/1/appStoreVersions?include=appStoreVersionLocalizations,appStoreReviewDetail,app&limit[appStoreVersionLocalizations]=50").await,
        &mut seen,
    );
    check(
        "/v1/apps/{id}/appInfos",
        "GET",
        &api.get("/v1/apps/1/appInfos?include=appInfoLocalizations").await,
        &mut seen,
    );
    check(
        "/v1/appStoreVersions/{id}",
        "GET",
        &api.get("/v1/appStoreVersions/v1?include=appStoreVersionLocalizations")
            .await,
        &mut seen,
    );
    let copyright = json!({"data": {"type": "appStoreVersions", "id": "v1", "attributes": {"copyright": "2027"}}});
    check(
        "/v1/appStoreVersions/{id}",
        "PATCH",
        &api.patch("/v1/appStoreVersions/v1", copyright).await,
        &mut seen,
    );
    check(
        "/v1/appStoreVersions/{id}/appStoreVersionLocalizations",
        "GET",
        &api.get("/v1/appStoreVersions/v1/appStoreVersionLocalizations?limit=1")
            .await,
        &mut seen,
    );
    check(
        "/v1/appStoreVersions/{id}/appStoreReviewDetail",
        "GET",
        &api.get("/v1/appStoreVersions/v1/appStoreReviewDetail").await,
        &mut seen,
    );
    check(
        "/v1/appStoreVersions/{id}/appStoreReviewDetail",
        "GET",
        &api.get("/v1/appStoreVersions/v-mac/appStoreReviewDetail").await,
        &mut seen,
    );

    let create = json!({"data": {"type": "appStoreVersionLocalizations", "attributes": {"locale": "fr-FR", "supportUrl": "https://example.com/fr"},
        "relationships": {"appStoreVersion": {"data": {"type": "appStoreVersions", "id": "v1"}}}}});
    let created = api.post("/v1/appStoreVersionLocalizations", create.clone()).await;
    check("/v1/appStoreVersionLocalizations", "POST", &created, &mut seen);
    check(
        "/v1/appStoreVersionLocalizations",
        "POST",
        &api.post("/v1/appStoreVersionLocalizations", create).await,
        &mut seen,
    );
    let id = created.body["data"]["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/appStoreVersionLocalizations/{id}");
    check(
        "/v1/appStoreVersionLocalizations/{id}",
        "GET",
        &api.get(&path).await,
        &mut seen,
    );
    check(
        "/v1/appStoreVersionLocalizations/{id}",
        "PATCH",
        &api.patch(&path, loc(&id, json!({"keywords": "a,b"}))).await,
        &mut seen,
    );
    check(
        "/v1/appStoreVersionLocalizations/{id}",
        "PATCH",
        &api.patch(&path, loc(&id, json!({"locale": "de-DE"}))).await,
        &mut seen,
    );
    check(
        "/v1/appStoreVersionLocalizations/{id}",
        "PATCH",
        &api.patch(&path, json!({"nodata": 1})).await,
        &mut seen,
    );
    check(
        "/v1/appStoreVersionLocalizations/{id}",
        "PATCH",
        &api.patch(
            "/v1/appStoreVersionLocalizations/l-live-en",
            loc("l-live-en", json!({"description": "x", "keywords": "y"})),
        )
        .await,
        &mut seen,
    );
    let deleted = api.send("DELETE", &path, None).await.unwrap();
    assert_eq!((deleted.status, deleted.text.as_str()), (204, ""));
    check(
        "/v1/appStoreVersionLocalizations/{id}",
        "GET",
        &api.get(&path).await,
        &mut seen,
    );

    check(
        "/v1/appInfos/{id}",
        "GET",
        &api.get("/v1/appInfos/i1?include=appInfoLocalizations").await,
        &mut seen,
    );
    let categories = json!({"data": {"type": "appInfos", "id": "i1", "relationships": {"secondaryCategory": {"data": {"type": "appCategories", "id": "LIFESTYLE"}}}}});
    check(
        "/v1/appInfos/{id}",
        "PATCH",
        &api.patch("/v1/appInfos/i1", categories).await,
        &mut seen,
    );
    check(
        "/v1/appInfos/{id}/appInfoLocalizations",
        "GET",
        &api.get("/v1/appInfos/i1/appInfoLocalizations").await,
        &mut seen,
    );
    let info = json!({"data": {"type": "appInfoLocalizations", "attributes": {"locale": "fr-FR", "name": "Films"},
        "relationships": {"appInfo": {"data": {"type": "appInfos", "id": "i1"}}}}});
    let created = api.post("/v1/appInfoLocalizations", info).await;
    check("/v1/appInfoLocalizations", "POST", &created, &mut seen);
    let id = created.body["data"]["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/appInfoLocalizations/{id}");
    check("/v1/appInfoLocalizations/{id}", "GET", &api.get(&path).await, &mut seen);
    let subtitle =
        json!({"data": {"type": "appInfoLocalizations", "id": id, "attributes": {"subtitle": "Sous-titre"}}});
    check(
        "/v1/appInfoLocalizations/{id}",
        "PATCH",
        &api.patch(&path, subtitle).await,
        &mut seen,
    );
    assert_eq!(api.send("DELETE", &path, None).await.unwrap().status, 204);

    let review = json!({"data": {"type": "appStoreReviewDetails", "attributes": {"contactEmail": "a@example.com", "demoAccountRequired": false},
        "relationships": {"appStoreVersion": {"data": {"type": "appStoreVersions", "id": "v-mac"}}}}});
    let created = api.post("/v1/appStoreReviewDetails", review).await;
    check("/v1/appStoreReviewDetails", "POST", &created, &mut seen);
    check(
        "/v1/appStoreReviewDetails/{id}",
        "GET",
        &api.get("/v1/appStoreReviewDetails/r1").await,
        &mut seen,
    );
    let notes = json!({"data": {"type": "appStoreReviewDetails", "id": "r1", "attributes": {"notes": "New notes"}}});
    check(
        "/v1/appStoreReviewDetails/{id}",
        "PATCH",
        &api.patch("/v1/appStoreReviewDetails/r1", notes).await,
        &mut seen,
    );

    refusals_answer_in_apples_shapes(&api, &mut seen).await;

    let unauthorized = api.http.get(api.url("/v1/apps/1")).send().await.unwrap();
    let status = unauthorized.status().as_u16();
    let text = unauthorized.text().await.unwrap();
    let answer = Answer {
        status,
        headers: Default::default(),
        body: serde_json::from_str(&text).unwrap(),
        text,
    };
    check("/v1/apps/{id}", "GET", &answer, &mut seen);

    // Every operation the fake serves was checked, and errors of each kind.
    let operations: std::collections::BTreeSet<String> =
        seen.keys().map(|k| k.rsplit_once(' ').unwrap().0.to_owned()).collect();
    assert_eq!(operations.len(), 20, "{operations:#?}");
    for status in [400, 401, 403, 404, 409, 422] {
        assert!(seen.values().any(|s| *s == status), "no {status} checked: {seen:#?}");
    }
}

/// The refusals of text, state, phone and scope, in Apple's error shape.
async fn refusals_answer_in_apples_shapes(api: &Api, seen: &mut BTreeMap<String, u16>) {
    let emoji =
        json!({"data": {"type": "appStoreVersionLocalizations", "id": "l1", "attributes": {"description": "🚀"}}});
    let answer = api.patch("/v1/appStoreVersionLocalizations/l1", emoji).await;
    assert_eq!(answer.status, 409, "{}", answer.text);
    check("/v1/appStoreVersionLocalizations/{id}", "PATCH", &answer, seen);
    let live = json!({"data": {"type": "appInfoLocalizations", "id": "il-live-en", "attributes": {"privacyPolicyUrl": "https://example.com/p"}}});
    let answer = api.patch("/v1/appInfoLocalizations/il-live-en", live).await;
    assert_eq!(answer.status, 409, "{}", answer.text);
    check("/v1/appInfoLocalizations/{id}", "PATCH", &answer, seen);
    let phone =
        json!({"data": {"type": "appStoreReviewDetails", "id": "r1", "attributes": {"contactPhone": "555 0100"}}});
    let answer = api.patch("/v1/appStoreReviewDetails/r1", phone).await;
    assert_eq!(answer.status, 409, "{}", answer.text);
    check("/v1/appStoreReviewDetails/{id}", "PATCH", &answer, seen);
    let scoped = api.signer.sign(
        Some(&api.signer.kid),
        &json!({"iss": "i", "exp": crate::harness::now() + 600, "aud": "appstoreconnect-v1", "scope": ["GET /v1/apps"]}),
    );
    let resp = api
        .http
        .get(api.url("/v1/apps/1"))
        .bearer_auth(scoped)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    let answer = Answer {
        status,
        headers: Default::default(),
        body: serde_json::from_str(&text).unwrap(),
        text,
    };
    assert_eq!(answer.status, 403, "{}", answer.text);
    check("/v1/apps/{id}", "GET", &answer, seen);
}

/// The in-app purchase operations, answers and refusals, against the
/// spec's schemas.
#[tokio::test]
async fn in_app_purchase_operations_answer_in_apples_shapes() {
    let Some(_) = corpus_or_skip(Corpus::OpenApiSpec) else {
        return;
    };
    let api = crate::fake_iap::api_with_iaps(3).await;
    let mut seen = BTreeMap::new();
    let edit = |id: &str, attributes: Value| json!({"data": {"type": "inAppPurchaseLocalizations", "id": id, "attributes": attributes}});
    check(
        "/v1/apps/{id}/inAppPurchasesV2",
        "GET",
        &api.get("/v1/apps/1/inAppPurchasesV2?limit=2&include=inAppPurchaseLocalizations,versions&limit[inAppPurchaseLocalizations]=50").await,
        &mut seen,
    );
    check(
        "/v1/apps/{id}/inAppPurchasesV2",
        "GET",
        &api.get("/v1/apps/1/inAppPurchasesV2?include=content").await,
        &mut seen,
    );
    check(
        "/v2/inAppPurchases/{id}",
        "GET",
        &api.get("/v2/inAppPurchases/iap-1?include=versions,inAppPurchaseLocalizations")
            .await,
        &mut seen,
    );
    check(
        "/v2/inAppPurchases/{id}",
        "GET",
        &api.get("/v2/inAppPurchases/nope").await,
        &mut seen,
    );
    check(
        "/v2/inAppPurchases/{id}/versions",
        "GET",
        &api.get("/v2/inAppPurchases/iap-1/versions?include=localizations,inAppPurchase")
            .await,
        &mut seen,
    );
    check(
        "/v1/inAppPurchaseVersions/{id}",
        "GET",
        &api.get("/v1/inAppPurchaseVersions/ver-1-1?include=localizations").await,
        &mut seen,
    );
    check(
        "/v1/inAppPurchaseVersions/{id}/localizations",
        "GET",
        &api.get("/v1/inAppPurchaseVersions/ver-1-1/localizations").await,
        &mut seen,
    );
    check(
        "/v2/inAppPurchaseLocalizations/{id}",
        "GET",
        &api.get("/v2/inAppPurchaseLocalizations/loc-1-en").await,
        &mut seen,
    );
    check(
        "/v2/inAppPurchases/{id}/inAppPurchaseLocalizations",
        "GET",
        &api.get("/v2/inAppPurchases/iap-1/inAppPurchaseLocalizations?include=inAppPurchaseV2")
            .await,
        &mut seen,
    );
    check(
        "/v1/inAppPurchaseLocalizations/{id}",
        "GET",
        &api.get("/v1/inAppPurchaseLocalizations/loc-1-en?include=inAppPurchaseV2")
            .await,
        &mut seen,
    );
    let create = json!({"data": {"type": "inAppPurchaseLocalizations", "attributes": {"locale": "de-DE", "name": "Paket"},
        "relationships": {"version": {"data": {"type": "inAppPurchaseVersions", "id": "ver-2-1"}}}}});
    let created = api.post("/v2/inAppPurchaseLocalizations", create.clone()).await;
    assert_eq!(created.status, 201, "{}", created.text);
    check("/v2/inAppPurchaseLocalizations", "POST", &created, &mut seen);
    check(
        "/v2/inAppPurchaseLocalizations",
        "POST",
        &api.post("/v2/inAppPurchaseLocalizations", create).await,
        &mut seen,
    );
    let ok = api
        .patch(
            "/v2/inAppPurchaseLocalizations/loc-2-en",
            edit("loc-2-en", json!({"name": "Pack"})),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    check("/v2/inAppPurchaseLocalizations/{id}", "PATCH", &ok, &mut seen);
    let refused = api
        .patch(
            "/v2/inAppPurchaseLocalizations/loc-1-en",
            edit("loc-1-en", json!({"name": "Pack"})),
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    check("/v2/inAppPurchaseLocalizations/{id}", "PATCH", &refused, &mut seen);
    let last = api
        .send("DELETE", "/v2/inAppPurchaseLocalizations/loc-3-en", None)
        .await
        .unwrap();
    assert_eq!(last.status, 409, "{}", last.text);
    check_error(&last);
    let version = json!({"data": {"type": "inAppPurchaseVersions",
        "relationships": {"inAppPurchase": {"data": {"type": "inAppPurchases", "id": "iap-1"}}}}});
    let created = api.post("/v1/inAppPurchaseVersions", version.clone()).await;
    assert_eq!(created.status, 201, "{}", created.text);
    check("/v1/inAppPurchaseVersions", "POST", &created, &mut seen);
    check(
        "/v1/inAppPurchaseVersions",
        "POST",
        &api.post("/v1/inAppPurchaseVersions", version).await,
        &mut seen,
    );
    let operations: std::collections::BTreeSet<String> =
        seen.keys().map(|k| k.rsplit_once(' ').unwrap().0.to_owned()).collect();
    assert_eq!(operations.len(), 11, "{operations:#?}");
    for status in [200, 201, 400, 404, 409] {
        assert!(seen.values().any(|s| *s == status), "no {status} checked: {seen:#?}");
    }
}

/// The subscription group and subscription operations, answers and
/// refusals, against the spec's schemas.
#[tokio::test]
async fn subscription_operations_answer_in_apples_shapes() {
    let Some(_) = corpus_or_skip(Corpus::OpenApiSpec) else {
        return;
    };
    let api = crate::fake_iap::api_with_iaps(1).await;
    let mut seen = BTreeMap::new();
    let reads = [
        (
            "/v1/apps/{id}/subscriptionGroups",
            "/v1/apps/1/subscriptionGroups?include=subscriptions,subscriptionGroupLocalizations,versions&limit=1",
        ),
        (
            "/v1/subscriptionGroups/{id}",
            "/v1/subscriptionGroups/group-1?include=subscriptions,subscriptionGroupLocalizations,versions",
        ),
        ("/v1/subscriptionGroups/{id}", "/v1/subscriptionGroups/nope"),
        (
            "/v1/subscriptionGroups/{id}/subscriptions",
            "/v1/subscriptionGroups/group-1/subscriptions?include=subscriptionLocalizations,versions,group",
        ),
        (
            "/v1/subscriptionGroups/{id}/subscriptions",
            "/v1/subscriptionGroups/group-1/subscriptions?include=prices",
        ),
        (
            "/v1/subscriptionGroups/{id}/versions",
            "/v1/subscriptionGroups/group-1/versions?include=localizations,subscriptionGroup",
        ),
        (
            "/v1/subscriptions/{id}",
            "/v1/subscriptions/sub-1?include=subscriptionLocalizations,versions,group",
        ),
        (
            "/v1/subscriptions/{id}/versions",
            "/v1/subscriptions/sub-1/versions?include=localizations,subscription",
        ),
        (
            "/v1/subscriptionVersions/{id}",
            "/v1/subscriptionVersions/sver-1?include=localizations",
        ),
        (
            "/v1/subscriptionGroupVersions/{id}",
            "/v1/subscriptionGroupVersions/gver-1?include=localizations",
        ),
        (
            "/v1/subscriptionVersions/{id}/localizations",
            "/v1/subscriptionVersions/sver-1/localizations",
        ),
        (
            "/v1/subscriptionGroupVersions/{id}/localizations",
            "/v1/subscriptionGroupVersions/gver-1/localizations?include=version",
        ),
        (
            "/v2/subscriptionLocalizations/{id}",
            "/v2/subscriptionLocalizations/sloc-1-en",
        ),
        (
            "/v2/subscriptionGroupLocalizations/{id}",
            "/v2/subscriptionGroupLocalizations/gloc-1-en",
        ),
        (
            "/v1/subscriptionGroups/{id}/subscriptionGroupLocalizations",
            "/v1/subscriptionGroups/group-1/subscriptionGroupLocalizations?include=subscriptionGroup",
        ),
        (
            "/v1/subscriptionGroupLocalizations/{id}",
            "/v1/subscriptionGroupLocalizations/gloc-1-en",
        ),
        (
            "/v1/subscriptions/{id}/subscriptionLocalizations",
            "/v1/subscriptions/sub-1/subscriptionLocalizations",
        ),
        (
            "/v1/subscriptionLocalizations/{id}",
            "/v1/subscriptionLocalizations/sloc-1-de?include=subscription",
        ),
    ];
    for (template, path) in reads {
        check(template, "GET", &api.get(path).await, &mut seen);
    }
    for (loc_type, version_type, version, locale) in [
        ("subscriptionLocalizations", "subscriptionVersions", "sver-2", "de-DE"),
        (
            "subscriptionGroupLocalizations",
            "subscriptionGroupVersions",
            "gver-2",
            "de-DE",
        ),
    ] {
        let create = json!({"data": {"type": loc_type, "attributes": {"locale": locale, "name": "Neu"},
            "relationships": {"version": {"data": {"type": version_type, "id": version}}}}});
        let template = format!("/v2/{loc_type}");
        let created = api.post(&template, create.clone()).await;
        assert_eq!(created.status, 201, "{}", created.text);
        check(&template, "POST", &created, &mut seen);
        check(&template, "POST", &api.post(&template, create).await, &mut seen);
    }
    let edit = |loc_type: &str, id: &str| json!({"data": {"type": loc_type, "id": id, "attributes": {"name": "Plus"}}});
    for (loc_type, draft, approved) in [
        ("subscriptionLocalizations", "sloc-2-en", "sloc-1-en"),
        ("subscriptionGroupLocalizations", "gloc-2-en", "gloc-1-en"),
    ] {
        let template = format!("/v2/{loc_type}/{{id}}");
        let ok = api
            .patch(&format!("/v2/{loc_type}/{draft}"), edit(loc_type, draft))
            .await;
        assert_eq!(ok.status, 200, "{}", ok.text);
        check(&template, "PATCH", &ok, &mut seen);
        let refused = api
            .patch(&format!("/v2/{loc_type}/{approved}"), edit(loc_type, approved))
            .await;
        assert_eq!(refused.status, 409, "{}", refused.text);
        check(&template, "PATCH", &refused, &mut seen);
    }
    for (path, relation, kind, id) in [
        ("/v1/subscriptionVersions", "subscription", "subscriptions", "sub-1"),
        (
            "/v1/subscriptionGroupVersions",
            "subscriptionGroup",
            "subscriptionGroups",
            "group-1",
        ),
    ] {
        let body = json!({"data": {"type": path.trim_start_matches("/v1/"), "relationships": {relation: {"data": {"type": kind, "id": id}}}}});
        let created = api.post(path, body.clone()).await;
        assert_eq!(created.status, 201, "{}", created.text);
        check(path, "POST", &created, &mut seen);
        check(path, "POST", &api.post(path, body).await, &mut seen);
    }
    let operations: std::collections::BTreeSet<String> =
        seen.keys().map(|k| k.rsplit_once(' ').unwrap().0.to_owned()).collect();
    assert_eq!(operations.len(), 22, "{operations:#?}");
    for status in [200, 201, 400, 404, 409] {
        assert!(seen.values().any(|s| *s == status), "no {status} checked: {seen:#?}");
    }
}
