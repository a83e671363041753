//! Bearer-token checks as App Store Connect makes them: ES256, a `kid`,
//! `aud: appstoreconnect-v1`, `iss` (team key) or `sub: "user"`
//! (individual key), a lifetime of at most 20 minutes (from `iat`, or from
//! now when the token has none), not expired, and,
//! when public keys are configured, a valid signature. Anything else is
//! Apple's 401 `NOT_AUTHORIZED`.

use super::errors::ApiError;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use std::collections::HashMap;
use std::sync::Mutex;

pub const AUDIENCE: &str = "appstoreconnect-v1";
pub const MAX_LIFETIME_SECS: i64 = 1200;
/// Tolerated clock skew for an `iat` slightly in the future.
const SKEW_SECS: i64 = 60;

pub struct Auth {
    keys: Vec<DecodingKey>,
    /// Tokens already verified, with their key id and expiry: clients reuse
    /// one token for many requests, and ES256 verification is not free.
    verified: Mutex<HashMap<String, (String, i64)>>,
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

    /// The key id of a valid token, or Apple's 401.
    pub fn check(&self, authorization: Option<&str>, now: i64) -> Result<String, ApiError> {
        let token = authorization
            .and_then(|h| h.strip_prefix("Bearer "))
            .ok_or_else(ApiError::not_authorized)?;
        if let Some((kid, exp)) = self.verified.lock().expect("auth cache").get(token)
            && *exp > now
        {
            return Ok(kid.clone());
        }
        let (kid, exp) = check_token(token, &self.keys, now).ok_or_else(ApiError::not_authorized)?;
        let mut cache = self.verified.lock().expect("auth cache");
        if cache.len() > 10_000 {
            cache.clear();
        }
        cache.insert(token.to_owned(), (kid.clone(), exp));
        Ok(kid)
    }
}

fn check_token(token: &str, keys: &[DecodingKey], now: i64) -> Option<(String, i64)> {
    let header = jsonwebtoken::decode_header(token).ok()?;
    if header.alg != Algorithm::ES256 {
        return None;
    }
    let kid = header.kid.filter(|k| !k.is_empty())?;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let audience_ok = match &claims["aud"] {
        serde_json::Value::String(a) => a == AUDIENCE,
        serde_json::Value::Array(list) => list.iter().any(|a| a == AUDIENCE),
        _ => false,
    };
    let issuer_ok = claims["iss"].as_str().is_some_and(|i| !i.is_empty()) || claims["sub"] == "user";
    let exp = claims["exp"].as_i64()?;
    // `iat` is optional: Apple accepts tokens without it (Codemagic's CLI
    // and other clients sign none); then the lifetime counts from now.
    let (lifetime_ok, time_ok) = match &claims["iat"] {
        serde_json::Value::Null => (exp - now <= MAX_LIFETIME_SECS, exp > now),
        iat => {
            let iat = iat.as_i64()?;
            (
                exp > iat && exp - iat <= MAX_LIFETIME_SECS,
                exp > now && iat <= now + SKEW_SECS,
            )
        }
    };
    if !(audience_ok && issuer_ok && lifetime_ok && time_ok) {
        return None;
    }
    if !keys.is_empty() {
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_audience(&[AUDIENCE]);
        validation.leeway = 0;
        let signed = keys
            .iter()
            .any(|k| jsonwebtoken::decode::<serde_json::Value>(token, k, &validation).is_ok());
        if !signed {
            return None;
        }
    }
    Some((kid, exp))
}
