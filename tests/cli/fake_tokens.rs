//! Tokens as Apple's token page describes them: an expiry at most 20
//! minutes from now, whatever `iat` says, and a `scope` claim that limits
//! the token to the requests it lists (Apple's 403 for any other).

use crate::harness::{Answer, Api, now};
use serde_json::{Value, json};

async fn send(api: &Api, token: &str, method: &str, path: &str, body: Option<Value>) -> Answer {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = api.http.request(method, api.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.header("content-type", "application/json").body(b.to_string());
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

fn token(api: &Api, claims: Value) -> String {
    let mut all = json!({"iss": "57246542-96fe-1a63-e053-0824d011072a", "aud": "appstoreconnect-v1"});
    for (k, v) in claims.as_object().unwrap() {
        all[k] = v.clone();
    }
    api.signer.sign(Some(&api.signer.kid), &all)
}

fn assert_not_authorized(a: &Answer) {
    crate::fake_refusals::assert_errors(
        a,
        401,
        &[(
            "NOT_AUTHORIZED",
            "Authentication credentials are missing or invalid.",
            "Provide a properly configured and signed bearer token, and make sure that it has not expired. Learn more about Generating Tokens for API Requests https://developer.apple.com/go/?id=api-generating-tokens",
            "",
        )],
    );
}

#[tokio::test]
async fn the_twenty_minutes_count_from_now_not_from_iat() {
    let api = Api::movies().await;
    let t = now();
    let cases = [
        (json!({"exp": t + 1200}), 200),
        (json!({"exp": t + 1260}), 401),
        (json!({"iat": t - 60, "exp": t + 1200}), 200),
        (json!({"iat": t - 600, "exp": t + 1100}), 200),
        (json!({"iat": t, "exp": t + 1300}), 401),
        (json!({"iat": t - 3000, "exp": t + 3600}), 401),
    ];
    for (claims, status) in cases {
        let a = send(&api, &token(&api, claims.clone()), "GET", "/v1/apps", None).await;
        assert_eq!(a.status, status, "{claims}: {}", a.text);
        if status == 401 {
            assert_not_authorized(&a);
        }
    }
}

/// Apple's 403 for a request outside the token's scope (Apple developer
/// forums: `FORBIDDEN.REQUEST_DOES_NOT_MATCH_SCOPE`).
fn assert_outside_scope(a: &Answer, detail: &str) {
    crate::fake_refusals::assert_errors(
        a,
        403,
        &[(
            "FORBIDDEN.REQUEST_DOES_NOT_MATCH_SCOPE",
            "This request does not match the scope specified in the API token.",
            detail,
            "",
        )],
    );
    assert_eq!(
        a.body["errors"][0]["links"]["see"],
        "https://developer.apple.com/documentation/appstoreconnectapi/generating_tokens_for_api_requests"
    );
}

#[tokio::test]
async fn a_scoped_token_allows_only_the_requests_it_lists() {
    let api = Api::movies().await;
    let scoped = token(
        &api,
        json!({"exp": now() + 600, "scope": [
            "GET /v1/apps?filter[name]=Movies&filter[bundleId]=com.example.movies",
            "PATCH /v1/appStoreVersionLocalizations/l1",
        ]}),
    );
    // The same parameters in another order, encoded, with limit and sort.
    let lookup = "/v1/apps?filter%5BbundleId%5D=com.example.movies&limit=1&filter%5Bname%5D=Movies&sort=name";
    let a = send(&api, &scoped, "GET", lookup, None).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["data"][0]["id"], "1");
    let patch =
        json!({"data": {"type": "appStoreVersionLocalizations", "id": "l1", "attributes": {"keywords": "a,b"}}});
    let ok = send(
        &api,
        &scoped,
        "PATCH",
        "/v1/appStoreVersionLocalizations/l1",
        Some(patch.clone()),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text);

    let entries = "[RequestData(method=GET, path=/v1/apps, query=filter[name]=Movies&filter[bundleId]=com.example.movies), RequestData(method=PATCH, path=/v1/appStoreVersionLocalizations/l1, query=null)]";
    let other_app = send(&api, &scoped, "GET", "/v1/apps/1", None).await;
    assert_outside_scope(
        &other_app,
        &format!(
            "The request RequestData(method=GET, path=/v1/apps/1, query=null) does not match any authorized scope: {entries}"
        ),
    );
    let other_filter = send(
        &api,
        &scoped,
        "GET",
        "/v1/apps?filter[bundleId]=com.example.movies",
        None,
    )
    .await;
    assert_outside_scope(
        &other_filter,
        &format!(
            "The request RequestData(method=GET, path=/v1/apps, query=filter[bundleId]=com.example.movies) does not match any authorized scope: {entries}"
        ),
    );
    let other_method = send(&api, &scoped, "DELETE", "/v1/appStoreVersionLocalizations/l1", None).await;
    assert_eq!(other_method.status, 403, "{}", other_method.text);
    let other_loc = send(
        &api,
        &scoped,
        "PATCH",
        "/v1/appStoreVersionLocalizations/l2",
        Some(patch),
    )
    .await;
    assert_eq!(other_loc.status, 403, "{}", other_loc.text);
    assert_eq!(api.fake.state().apps[0].app_store_versions[1].localizations.len(), 2);
}

#[tokio::test]
async fn a_scope_that_is_not_a_list_of_requests_is_not_a_token() {
    let api = Api::movies().await;
    for scope in [json!("GET /v1/apps"), json!([1, 2]), json!({"GET": "/v1/apps"})] {
        let t = token(&api, json!({"exp": now() + 600, "scope": scope}));
        assert_not_authorized(&send(&api, &t, "GET", "/v1/apps", None).await);
    }
    // An empty scope allows nothing.
    let none = token(&api, json!({"exp": now() + 600, "scope": []}));
    assert_eq!(send(&api, &none, "GET", "/v1/apps", None).await.status, 403);
    // Without a scope, anything the key may do.
    let all = token(&api, json!({"exp": now() + 600}));
    assert_eq!(send(&api, &all, "GET", "/v1/apps/1", None).await.status, 200);
}
