//! JSON:API documents as App Store Connect sends them, and its errors.
//!
//! Resources keep their attributes as a JSON map so one type serves every
//! resource we read; typed views live with the code that reads them.
//! Errors are a typed value matched by code prefix, as Apple advises
//! (`STATE_ERROR`, `ENTITY_ERROR.ATTRIBUTE.INVALID.*`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Resource {
    #[serde(rename = "type")]
    pub type_name: String,
    pub id: String,
    #[serde(default)]
    pub attributes: Map<String, Value>,
    #[serde(default)]
    pub relationships: Map<String, Value>,
}

impl Resource {
    /// A string attribute; `None` when unset or null.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).and_then(Value::as_str)
    }

    /// The ids of a to-many relationship's `data`, when it was included.
    pub fn related_ids(&self, name: &str) -> Option<Vec<&str>> {
        let data = self.relationships.get(name)?.get("data")?.as_array()?;
        Some(
            data.iter()
                .filter_map(|d| d.get("id").and_then(Value::as_str))
                .collect(),
        )
    }

    /// `meta.paging.total` of a relationship, when the server gave it.
    pub fn related_total(&self, name: &str) -> Option<u64> {
        self.relationships.get(name)?.pointer("/meta/paging/total")?.as_u64()
    }

    /// The id of a to-one relationship's `data`.
    pub fn related_id(&self, name: &str) -> Option<&str> {
        self.relationships.get(name)?.pointer("/data/id")?.as_str()
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Links {
    /// The next page, followed verbatim as Apple asks.
    pub next: Option<String>,
}

/// A single or collection document.
#[derive(Clone, Debug, Deserialize)]
pub struct Document<T> {
    pub data: T,
    #[serde(default)]
    pub included: Vec<Resource>,
    #[serde(default)]
    pub links: Links,
}

/// All pages of a collection.
#[derive(Clone, Debug, Default)]
pub struct Collection {
    pub data: Vec<Resource>,
    pub included: Vec<Resource>,
    pub pages: usize,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct ErrorObject {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub detail: Option<String>,
    #[serde(default)]
    pub source: Option<Value>,
}

impl ErrorObject {
    /// `source.pointer` or `source.parameter`, when Apple gave one.
    pub fn source(&self) -> Option<&str> {
        let s = self.source.as_ref()?;
        s.get("pointer").or_else(|| s.get("parameter")).and_then(Value::as_str)
    }
}

#[derive(Debug, Deserialize)]
struct ErrorDocument {
    errors: Vec<ErrorObject>,
}

/// A request App Store Connect answered with an error.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub method: String,
    pub path: String,
    pub errors: Vec<ErrorObject>,
}

impl ApiError {
    /// Parses Apple's error document; `None` when the body is not one.
    pub fn parse(status: u16, method: &str, path: &str, body: &[u8]) -> Option<ApiError> {
        let doc: ErrorDocument = serde_json::from_slice(body).ok()?;
        Some(ApiError {
            status,
            method: method.to_owned(),
            path: path.to_owned(),
            errors: doc.errors,
        })
    }

    /// Whether any error's code is `prefix` or starts with `prefix.`.
    pub fn has_code(&self, prefix: &str) -> bool {
        self.errors.iter().any(|e| code_matches(&e.code, prefix))
    }
}

/// Apple's advice: match codes by dotted prefix.
pub fn code_matches(code: &str, prefix: &str) -> bool {
    code == prefix || code.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('.'))
}

impl std::error::Error for ApiError {}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "App Store Connect refused {} {} ({})",
            self.method, self.path, self.status
        )?;
        for e in &self.errors {
            write!(f, "\n  {}: {}", e.code, e.title)?;
            if let Some(detail) = &e.detail {
                write!(f, " {detail}")?;
            }
            if let Some(source) = e.source() {
                write!(f, " [{source}]")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_by_dotted_prefix() {
        assert!(code_matches(
            "ENTITY_ERROR.ATTRIBUTE.INVALID.TOO_LONG",
            "ENTITY_ERROR.ATTRIBUTE.INVALID"
        ));
        assert!(code_matches("STATE_ERROR", "STATE_ERROR"));
        assert!(!code_matches("STATE_ERRORS", "STATE_ERROR"));
        assert!(!code_matches("ENTITY_ERROR", "ENTITY_ERROR.ATTRIBUTE"));
    }
}
