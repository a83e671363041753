//! Bearer-token checks as App Store Connect makes them: ES256, a `kid`,
//! `aud: appstoreconnect-v1`, `iss` (team key) or `sub: "user"`
//! (individual key), an expiry at most 20 minutes from now (Apple: tokens
//! "that expire more than 20 minutes into the future are not valid";
//! `iat` is optional and only must not lie in the future), not expired,
//! and, when public keys are configured, a valid signature. Anything else
//! is Apple's 401 `NOT_AUTHORIZED`. A token with a `scope` claim allows
//! only the requests it lists; any other is Apple's 403
//! `FORBIDDEN.REQUEST_DOES_NOT_MATCH_SCOPE`.

use super::errors::ApiError;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use std::collections::HashMap;
use std::sync::Mutex;

pub const AUDIENCE: &str = "appstoreconnect-v1";
pub const MAX_LIFETIME_SECS: i64 = 1200;
/// Tolerated clock skew for an `iat` slightly in the future.
const SKEW_SECS: i64 = 60;
/// Query parameters a scope does not constrain (Apple's token page).
const UNSCOPED_PARAMETERS: [&str; 3] = ["limit", "cursor", "sort"];

/// What a request asks, for matching it against a token's scope.
pub struct RequestLine<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
}

/// A verified token: its key id, expiry and scope, if it has one.
#[derive(Clone)]
struct Verified {
    kid: String,
    exp: i64,
    scope: Option<Vec<String>>,
}

pub struct Auth {
    keys: Vec<DecodingKey>,
    /// Tokens already verified, with their key id and expiry: clients reuse
    /// one token for many requests, and ES256 verification is not free.
    verified: Mutex<HashMap<String, Verified>>,
}

#[derive(Debug, thiserror::Error)]
#[error("not a usable EC public key (PEM): {0}")]
pub struct KeyError(String);

impl Auth {
    pub fn new(public_keys_pem: &[String]) -> Result<Auth, KeyError> {
        let keys = public_keys_pem
            .iter()
            .map(|pem| DecodingKey::from_ec_pem(pem.as_bytes()).map_err(|e| KeyError(e.to_string())))
            .collect::<Result<_, _>>()?;
        Ok(Auth {
            keys,
            verified: Mutex::new(HashMap::new()),
        })
    }

    /// The key id of a valid token whose scope allows `request`, or
    /// Apple's 401 (or 403 outside the scope).
    pub fn check(&self, authorization: Option<&str>, now: i64, request: &RequestLine) -> Result<String, ApiError> {
        let token = authorization
            .and_then(|h| h.strip_prefix("Bearer "))
            .ok_or_else(ApiError::not_authorized)?;
        let verified = self.verify(token, now)?;
        if let Some(scope) = &verified.scope
            && !scope.iter().any(|entry| scope_allows(entry, request))
        {
            let entries: Vec<String> = scope.iter().map(|e| entry_data(e)).collect();
            return Err(ApiError::outside_scope(&request_data(request), &entries));
        }
        Ok(verified.kid)
    }

    /// A valid token's claims, from the cache of tokens already verified.
    fn verify(&self, token: &str, now: i64) -> Result<Verified, ApiError> {
        if let Some(v) = self.verified.lock().expect("auth cache").get(token)
            && v.exp > now
        {
            return Ok(v.clone());
        }
        let verified = check_token(token, &self.keys, now).ok_or_else(ApiError::not_authorized)?;
        let mut cache = self.verified.lock().expect("auth cache");
        if cache.len() > 10_000 {
            cache.clear();
        }
        cache.insert(token.to_owned(), verified.clone());
        Ok(verified)
    }
}

/// The `kid` a bearer token's header names, unchecked: for the request
/// log, which records even the requests refused.
pub fn claimed_kid(authorization: Option<&str>) -> Option<String> {
    let token = authorization?.strip_prefix("Bearer ")?;
    jsonwebtoken::decode_header(token).ok()?.kid
}

fn check_token(token: &str, keys: &[DecodingKey], now: i64) -> Option<Verified> {
    let header = jsonwebtoken::decode_header(token).ok()?;
    if header.alg != Algorithm::ES256 {
        return None;
    }
    let kid = header.kid.filter(|k| !k.is_empty())?;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let exp = claims["exp"].as_i64()?;
    if !(claims_ok(&claims, now)? && signed(token, keys)) {
        return None;
    }
    let scope = match &claims["scope"] {
        serde_json::Value::Null => None,
        serde_json::Value::Array(entries) => Some(
            entries
                .iter()
                .map(|e| e.as_str().map(str::to_owned))
                .collect::<Option<Vec<String>>>()?,
        ),
        _ => return None,
    };
    Some(Verified { kid, exp, scope })
}

/// Audience, issuer and times. The 20-minute cap counts from now, whether
/// or not the token has an `iat` (Codemagic's CLI and other clients sign
/// none; fastlane signs `iat = now - 60`, `exp` up to `now + 1200`).
fn claims_ok(claims: &serde_json::Value, now: i64) -> Option<bool> {
    let audience_ok = match &claims["aud"] {
        serde_json::Value::String(a) => a == AUDIENCE,
        serde_json::Value::Array(list) => list.iter().any(|a| a == AUDIENCE),
        _ => false,
    };
    let issuer_ok = claims["iss"].as_str().is_some_and(|i| !i.is_empty()) || claims["sub"] == "user";
    let exp = claims["exp"].as_i64()?;
    let time_ok = exp > now && exp - now <= MAX_LIFETIME_SECS;
    let issued_ok = match &claims["iat"] {
        serde_json::Value::Null => true,
        iat => {
            let iat = iat.as_i64()?;
            exp > iat && iat <= now + SKEW_SECS
        }
    };
    Some(audience_ok && issuer_ok && time_ok && issued_ok)
}

/// Whether one of `keys` signed the token; with no keys, any signature.
fn signed(token: &str, keys: &[DecodingKey]) -> bool {
    if keys.is_empty() {
        return true;
    }
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_audience(&[AUDIENCE]);
    validation.leeway = 0;
    // `exp` and `iat` were checked against now above.
    validation.validate_exp = false;
    keys.iter()
        .any(|k| jsonwebtoken::decode::<serde_json::Value>(token, k, &validation).is_ok())
}

/// Whether a scope entry (`GET /v1/apps?filter[platform]=IOS`) allows the
/// request: the same method and path, and the same query parameters in any
/// order, leaving out `limit`, `cursor` and `sort` on both sides.
fn scope_allows(entry: &str, request: &RequestLine) -> bool {
    let Some((method, target)) = entry.trim().split_once(' ') else {
        return false;
    };
    let (path, query) = match target.trim().split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target.trim(), None),
    };
    method == request.method && path == request.path && scoped_query(query) == scoped_query(request.query)
}

/// The query parameters a scope constrains, decoded and sorted.
fn scoped_query(raw: Option<&str>) -> Option<Vec<(String, String)>> {
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or("")).ok()?;
    pairs.retain(|(name, _)| !UNSCOPED_PARAMETERS.contains(&name.as_str()));
    pairs.sort();
    Some(pairs)
}

/// A request as Apple's 403 names it.
fn request_data(request: &RequestLine) -> String {
    let query = request.query.unwrap_or("null");
    format!(
        "RequestData(method={}, path={}, query={query})",
        request.method, request.path
    )
}

/// A scope entry as Apple's 403 lists it.
fn entry_data(entry: &str) -> String {
    let (method, target) = entry.trim().split_once(' ').unwrap_or((entry, ""));
    let (path, query) = target.trim().split_once('?').unwrap_or((target.trim(), "null"));
    format!("RequestData(method={method}, path={path}, query={query})")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line<'a>(method: &'a str, path: &'a str, query: Option<&'a str>) -> RequestLine<'a> {
        RequestLine { method, path, query }
    }

    #[test]
    fn scopes_match_method_path_and_query_in_any_order() {
        let entry = "GET /v1/apps?filter[platform]=IOS&filter[bundleId]=com.example";
        let q = Some("filter%5BbundleId%5D=com.example&limit=5&filter%5Bplatform%5D=IOS&cursor=abc");
        assert!(scope_allows(entry, &line("GET", "/v1/apps", q)));
        assert!(!scope_allows(entry, &line("PATCH", "/v1/apps", q)));
        assert!(!scope_allows(entry, &line("GET", "/v1/apps/1", q)));
        assert!(!scope_allows(
            entry,
            &line("GET", "/v1/apps", Some("filter[platform]=IOS"))
        ));
        assert!(scope_allows(
            "GET /v1/apps",
            &line("GET", "/v1/apps", Some("sort=name&limit=2"))
        ));
        assert!(!scope_allows(
            "GET /v1/apps",
            &line("GET", "/v1/apps", Some("include=appInfos"))
        ));
    }
}
