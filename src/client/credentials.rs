//! Where the App Store Connect API key comes from, and reading it.
//!
//! Each setting is taken from the first place that has it: command-line
//! flags, then the environment (`ASC_KEY_ID`, `ASC_ISSUER_ID`,
//! `ASC_PRIVATE_KEY`, `ASC_PRIVATE_KEY_PATH`, `ASC_API_KEY_PATH`, and
//! fastlane's own `APP_STORE_CONNECT_API_KEY_PATH`), then the `[auth]`
//! table of `asc-sync.toml`. A fastlane API-key JSON file is read exactly
//! as fastlane reads it (`spaceship/lib/spaceship/connect_api/token.rb`).
//! Key material is held as a secret and never printed, not even in errors.

use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use std::path::{Path, PathBuf};

/// fastlane's and Apple's ceiling on a token's lifetime.
pub const MAX_TOKEN_DURATION: i64 = 1200;

/// A usable API key.
pub struct Credentials {
    pub key_id: String,
    /// `None` for an individual key: the token then carries `sub: "user"`.
    pub issuer_id: Option<String>,
    /// PKCS#8 PEM (SEC1 keys are converted on load).
    pub private_key: SecretString,
    /// Token lifetime in seconds, at most 1200.
    pub duration: i64,
    /// An App Store Connect Enterprise key: other audience and host.
    pub in_house: bool,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("key_id", &self.key_id)
            .field("issuer_id", &self.issuer_id)
            .field("private_key", &"(redacted)")
            .field("duration", &self.duration)
            .field("in_house", &self.in_house)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    #[error(
        "no App Store Connect API key: set ASC_KEY_ID, ASC_ISSUER_ID and ASC_PRIVATE_KEY_PATH (or ASC_PRIVATE_KEY with the key's text), \
         or ASC_API_KEY_PATH to a fastlane API-key JSON file, or the [auth] table of asc-sync.toml. Missing: {missing}"
    )]
    Missing { missing: String },
    #[error("cannot read {what} {path}: {reason}")]
    Read {
        what: &'static str,
        path: String,
        reason: String,
    },
    #[error("App Store Connect API key JSON is missing field(s): {fields} ({path})")]
    JsonMissingFields { fields: String, path: String },
    #[error("{path} is not valid App Store Connect API key JSON: {reason}")]
    JsonInvalid { path: String, reason: String },
    #[error(
        "The duration can't be more than {MAX_TOKEN_DURATION} (20 minutes) and the value entered was '{value}' ({path})"
    )]
    Duration { value: i64, path: String },
    #[error(
        "the private key from {source_name} is not an EC P-256 private key in PEM form \
         (Apple's .p8 file starts with -----BEGIN PRIVATE KEY-----; ASC_PRIVATE_KEY may also hold that text \
         with literal \\n line breaks, or in base64): {reason}"
    )]
    BadKey { source_name: String, reason: String },
}

/// What the user gave, each setting from each place.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    pub flags: Partial,
    pub env: Partial,
    pub config: Partial,
}

/// One place's settings; any may be missing.
#[derive(Clone, Debug, Default)]
pub struct Partial {
    pub key_id: Option<String>,
    pub issuer_id: Option<String>,
    /// The key's PEM text itself (`ASC_PRIVATE_KEY`). Never printed.
    pub private_key: Option<SecretStringClone>,
    pub private_key_path: Option<PathBuf>,
    pub api_key_path: Option<PathBuf>,
}

/// A secret string that can be cloned (settings are merged by copying).
#[derive(Clone)]
pub struct SecretStringClone(pub SecretString);

impl std::fmt::Debug for SecretStringClone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("(redacted)")
    }
}

impl Partial {
    /// The environment's settings.
    pub fn from_env() -> Partial {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Partial {
            key_id: var("ASC_KEY_ID"),
            issuer_id: var("ASC_ISSUER_ID"),
            private_key: var("ASC_PRIVATE_KEY").map(|k| SecretStringClone(k.into())),
            private_key_path: var("ASC_PRIVATE_KEY_PATH").map(PathBuf::from),
            api_key_path: var("ASC_API_KEY_PATH")
                .or_else(|| var("APP_STORE_CONNECT_API_KEY_PATH"))
                .map(PathBuf::from),
        }
    }
}

impl Sources {
    /// Resolves the settings into a usable key, reading files as needed.
    pub fn resolve(&self) -> Result<Credentials, CredentialsError> {
        let levels = [&self.flags, &self.env, &self.config];
        // A fastlane JSON file is a whole key; it counts at its own level.
        for level in levels {
            if level.key_id.is_some() || level.private_key.is_some() || level.private_key_path.is_some() {
                break;
            }
            if let Some(path) = &level.api_key_path {
                return read_fastlane_json(path);
            }
        }
        let first = |get: &dyn Fn(&Partial) -> Option<String>| levels.iter().find_map(|l| get(l));
        let key_id = first(&|l| l.key_id.clone());
        let issuer_id = first(&|l| l.issuer_id.clone());
        let key = levels.iter().find_map(|l| {
            if let Some(k) = &l.private_key {
                Some(Ok((env_key_text(k.0.expose_secret()), "ASC_PRIVATE_KEY".to_owned())))
            } else {
                l.private_key_path
                    .as_ref()
                    .map(|p| read_key_file(p).map(|k| (k, p.display().to_string())))
            }
        });
        let mut missing = Vec::new();
        if key_id.is_none() {
            missing.push("key id (ASC_KEY_ID)");
        }
        if key.is_none() {
            missing.push("private key (ASC_PRIVATE_KEY_PATH or ASC_PRIVATE_KEY)");
        }
        let (Some(key_id), Some(key)) = (key_id, key) else {
            return Err(CredentialsError::Missing {
                missing: missing.join(", "),
            });
        };
        let (pem, source_name) = key?;
        Ok(Credentials {
            key_id,
            issuer_id,
            private_key: to_pkcs8(pem.expose_secret(), &source_name)?,
            duration: MAX_TOKEN_DURATION,
            in_house: false,
        })
    }
}

fn read_key_file(path: &Path) -> Result<SecretString, CredentialsError> {
    std::fs::read_to_string(path)
        .map(SecretString::from)
        .map_err(|e| CredentialsError::Read {
            what: "private key",
            path: path.display().to_string(),
            reason: e.to_string(),
        })
}

/// Reads a fastlane API-key JSON file as fastlane does: `key_id` and `key`
/// must be present, `issuer_id` is optional (absent = individual key),
/// `is_key_content_base64`, `duration` and `in_house` are honoured, other
/// fields are ignored.
pub fn read_fastlane_json(path: &Path) -> Result<Credentials, CredentialsError> {
    let display = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| CredentialsError::Read {
        what: "API key JSON",
        path: display.clone(),
        reason: e.to_string(),
    })?;
    parse_fastlane_json(&text, &display)
}

pub fn parse_fastlane_json(text: &str, path: &str) -> Result<Credentials, CredentialsError> {
    let json: serde_json::Value = serde_json::from_str(text).map_err(|e| CredentialsError::JsonInvalid {
        path: path.to_owned(),
        // serde's message names line and column, never the content.
        reason: e.to_string(),
    })?;
    let Some(object) = json.as_object() else {
        return Err(CredentialsError::JsonInvalid {
            path: path.to_owned(),
            reason: "expected a JSON object".into(),
        });
    };
    let missing: Vec<&str> = ["key_id", "key"]
        .into_iter()
        .filter(|k| !object.contains_key(*k))
        .collect();
    if !missing.is_empty() {
        return Err(CredentialsError::JsonMissingFields {
            fields: missing.join(", "),
            path: path.to_owned(),
        });
    }
    let string = |name: &str| object.get(name).and_then(serde_json::Value::as_str).map(str::to_owned);
    let truthy = |name: &str| match object.get(name) {
        Some(serde_json::Value::Bool(b)) => *b,
        Some(serde_json::Value::String(s)) => s == "true",
        _ => false,
    };
    let key_id = string("key_id").ok_or_else(|| CredentialsError::JsonInvalid {
        path: path.to_owned(),
        reason: "key_id must be a string".into(),
    })?;
    // fastlane accepts "key": null with a "filepath" to the .p8.
    let key_text = match (string("key"), string("filepath")) {
        (Some(k), _) => SecretString::from(k),
        (None, Some(file)) => read_key_file(Path::new(&file))?,
        (None, None) => {
            return Err(CredentialsError::JsonInvalid {
                path: path.to_owned(),
                reason: "key must be a string".into(),
            });
        }
    };
    let pem = if truthy("is_key_content_base64") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(key_text.expose_secret().trim())
            .map_err(|e| CredentialsError::BadKey {
                source_name: path.to_owned(),
                reason: format!("not base64: {e}"),
            })?;
        SecretString::from(String::from_utf8(decoded).map_err(|_| CredentialsError::BadKey {
            source_name: path.to_owned(),
            reason: "the base64 content is not text".into(),
        })?)
    } else {
        key_text
    };
    let duration = match object.get("duration") {
        None | Some(serde_json::Value::Null) => MAX_TOKEN_DURATION,
        Some(v) => v
            .as_i64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            .unwrap_or(0),
    };
    if duration > MAX_TOKEN_DURATION {
        return Err(CredentialsError::Duration {
            value: duration,
            path: path.to_owned(),
        });
    }
    if duration <= 60 {
        return Err(CredentialsError::JsonInvalid {
            path: path.to_owned(),
            reason: format!("duration must be a number of seconds above 60, not {duration}"),
        });
    }
    Ok(Credentials {
        key_id,
        issuer_id: string("issuer_id"),
        private_key: to_pkcs8(pem.expose_secret(), path)?,
        duration,
        in_house: truthy("in_house"),
    })
}

/// The PEM text of `ASC_PRIVATE_KEY` as CI secrets hold it: the `.p8`
/// file's text with real line breaks, with literal `\n` (a secret pasted
/// as one line), or base64 of that text or of the key's DER bytes (a
/// secret kept free of line breaks). Anything else is passed on as it is,
/// for the PEM reader to refuse with a hint.
fn env_key_text(raw: &str) -> SecretString {
    let unescape = |s: &str| s.trim().trim_matches('"').replace("\\r\\n", "\n").replace("\\n", "\n");
    let text = unescape(raw);
    if text.contains("-----BEGIN") {
        return SecretString::from(text);
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(compact) else {
        return SecretString::from(text);
    };
    match String::from_utf8(decoded) {
        Ok(pem) if pem.contains("-----BEGIN") => SecretString::from(unescape(&pem)),
        Ok(_) => SecretString::from(text),
        Err(e) => {
            let der = e.into_bytes();
            let body = base64::engine::general_purpose::STANDARD.encode(der);
            let lines: Vec<&str> = body
                .as_bytes()
                .chunks(64)
                .map(|c| std::str::from_utf8(c).unwrap_or_default())
                .collect();
            SecretString::from(format!(
                "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
                lines.join("\n")
            ))
        }
    }
}

/// Apple's `.p8` keys are PKCS#8; fastlane's fixtures and some tools use
/// SEC1 (`BEGIN EC PRIVATE KEY`). Both are checked and held as PKCS#8.
fn to_pkcs8(pem: &str, source_name: &str) -> Result<SecretString, CredentialsError> {
    use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
    let bad = |reason: String| CredentialsError::BadKey {
        source_name: source_name.to_owned(),
        reason,
    };
    let pem = pem.trim();
    let key = if pem.contains("BEGIN EC PRIVATE KEY") {
        p256::SecretKey::from_sec1_pem(pem).map_err(|_| bad("the SEC1 key cannot be decoded".into()))?
    } else if pem.contains("BEGIN PRIVATE KEY") {
        p256::SecretKey::from_pkcs8_pem(pem).map_err(|_| bad("the PKCS#8 key cannot be decoded as P-256".into()))?
    } else {
        return Err(bad("no PEM header found".into()));
    };
    let pkcs8 = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|_| bad("cannot re-encode the key".into()))?;
    Ok(SecretString::from(pkcs8.to_string()))
}
