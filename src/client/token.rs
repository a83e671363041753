//! ES256 bearer tokens, one shared by every request of a run.
//!
//! Apple asks clients to reuse a token until it expires rather than sign
//! one per request. `iat` is set a minute in the past so a client clock
//! slightly ahead of Apple's is not refused, and the lifetime `exp - iat`
//! never exceeds the key's duration (at most 1200 s). A token is renewed a
//! minute before it expires, so an expired token is never sent, and once
//! more when the server answers 401.

use super::credentials::Credentials;
use secrecy::{ExposeSecret, SecretString};
use std::sync::{Arc, Mutex};

pub const AUDIENCE: &str = "appstoreconnect-v1";
pub const ENTERPRISE_AUDIENCE: &str = "apple-developer-enterprise-v1";
/// How far `iat` is set in the past, and how long before expiry a token
/// is renewed.
pub const SKEW_SECS: i64 = 60;

pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    })
}

#[derive(Clone)]
pub struct Token {
    value: SecretString,
    pub expires_at: i64,
}

impl Token {
    pub fn expose(&self) -> &str {
        self.value.expose_secret()
    }
}

pub struct TokenSource {
    key: jsonwebtoken::EncodingKey,
    key_id: String,
    issuer_id: Option<String>,
    audience: &'static str,
    duration: i64,
    clock: Clock,
    cached: Mutex<Option<Token>>,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot sign an App Store Connect token with key {key_id}: {reason}")]
pub struct TokenError {
    key_id: String,
    reason: String,
}

impl TokenSource {
    pub fn new(credentials: &Credentials, clock: Clock) -> Result<TokenSource, TokenError> {
        let key = jsonwebtoken::EncodingKey::from_ec_pem(credentials.private_key.expose_secret().as_bytes()).map_err(
            |e| TokenError {
                key_id: credentials.key_id.clone(),
                reason: e.to_string(),
            },
        )?;
        Ok(TokenSource {
            key,
            key_id: credentials.key_id.clone(),
            issuer_id: credentials.issuer_id.clone(),
            audience: if credentials.in_house {
                ENTERPRISE_AUDIENCE
            } else {
                AUDIENCE
            },
            duration: credentials.duration,
            clock,
            cached: Mutex::new(None),
        })
    }

    /// The key's id (not a secret), for messages.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The shared token, renewed when it is within a minute of expiry.
    pub fn token(&self) -> Result<Token, TokenError> {
        let now = (self.clock)();
        let mut cached = self.cached.lock().expect("token cache");
        if let Some(t) = cached.as_ref()
            && t.expires_at - now > SKEW_SECS
        {
            return Ok(t.clone());
        }
        let token = self.sign(now)?;
        *cached = Some(token.clone());
        Ok(token)
    }

    /// Drops `stale` (after a 401) so the next call signs a new token;
    /// a token another request already renewed is kept.
    pub fn invalidate(&self, stale: &Token) {
        let mut cached = self.cached.lock().expect("token cache");
        if cached.as_ref().is_some_and(|t| t.expose() == stale.expose()) {
            *cached = None;
        }
    }

    fn sign(&self, now: i64) -> Result<Token, TokenError> {
        let iat = now - SKEW_SECS;
        let exp = iat + self.duration;
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        header.kid = Some(self.key_id.clone());
        let mut claims = serde_json::json!({ "iat": iat, "exp": exp, "aud": self.audience });
        match &self.issuer_id {
            Some(issuer) => claims["iss"] = serde_json::Value::String(issuer.clone()),
            None => claims["sub"] = serde_json::Value::String("user".into()),
        }
        let value = jsonwebtoken::encode(&header, &claims, &self.key).map_err(|e| TokenError {
            key_id: self.key_id.clone(),
            reason: e.to_string(),
        })?;
        tracing::debug!(key_id = %self.key_id, expires_at = exp, "signed a new App Store Connect token");
        Ok(Token {
            value: SecretString::from(value),
            expires_at: exp,
        })
    }
}
