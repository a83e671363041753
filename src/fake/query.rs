//! Query parameters as App Store Connect reads them: comma-separated
//! lists, a whitelist per endpoint (anything else is a 400), `limit` caps
//! and opaque cursors.

use super::errors::ApiError;
use base64::Engine;

/// Apple's caps: a collection `limit` of at most 200, a `limit[relation]`
/// for included resources of at most 50.
pub const MAX_LIMIT: usize = 200;
pub const MAX_INCLUDED_LIMIT: usize = 50;
pub const DEFAULT_LIMIT: usize = 50;
pub const DEFAULT_INCLUDED_LIMIT: usize = 10;

pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Parses a raw query string, refusing any parameter not in `allowed`.
    pub fn parse(raw: Option<&str>, allowed: &[&str]) -> Result<Query, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
            .map_err(|e| ApiError::parameter_invalid("query", format!("The query string cannot be read: {e}")))?;
        for (name, _) in &pairs {
            if !allowed.contains(&name.as_str()) {
                return Err(ApiError::parameter_illegal(name));
            }
        }
        for (i, (name, _)) in pairs.iter().enumerate() {
            if pairs[..i].iter().any(|(n, _)| n == name) {
                return Err(ApiError::parameter_invalid(
                    name,
                    format!("The parameter '{name}' is given more than once"),
                ));
            }
        }
        Ok(Query { pairs })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// A comma-separated list; each value must be one of `allowed` when given.
    pub fn list(&self, name: &str, allowed: Option<&[&str]>) -> Result<Option<Vec<String>>, ApiError> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        let values: Vec<String> = raw.split(',').map(str::to_owned).collect();
        if let Some(allowed) = allowed
            && let Some(bad) = values.iter().find(|v| !allowed.contains(&v.as_str()))
        {
            return Err(ApiError::parameter_invalid(
                name,
                format!(
                    "'{bad}' is not a valid value for the parameter '{name}'. Allowed: {}",
                    allowed.join(", ")
                ),
            ));
        }
        if values.iter().any(String::is_empty) {
            return Err(ApiError::parameter_invalid(
                name,
                format!("The parameter '{name}' has an empty value"),
            ));
        }
        Ok(Some(values))
    }

    pub fn limit(&self, name: &str, max: usize, default: usize) -> Result<usize, ApiError> {
        let Some(raw) = self.get(name) else {
            return Ok(default);
        };
        match raw.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::parameter_invalid(
                name,
                format!("The parameter '{name}' must be an integer between 1 and {max}, not '{raw}'"),
            )),
        }
    }

    /// The offset a `cursor` stands for, 0 without one.
    pub fn offset(&self) -> Result<usize, ApiError> {
        let Some(raw) = self.get("cursor") else {
            return Ok(0);
        };
        decode_cursor(raw).ok_or_else(|| ApiError::parameter_invalid("cursor", "The cursor is not valid."))
    }
}

pub fn encode_cursor(offset: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("off:{offset}"))
}

fn decode_cursor(raw: &str) -> Option<usize> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(raw).ok()?;
    std::str::from_utf8(&bytes).ok()?.strip_prefix("off:")?.parse().ok()
}

/// The same URL with `cursor` set to `offset` (the other parameters kept,
/// in order), for `links.next`.
pub fn with_cursor(base: &str, path: &str, raw: Option<&str>, offset: usize) -> String {
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or("")).unwrap_or_default();
    pairs.retain(|(n, _)| n != "cursor");
    pairs.push(("cursor".into(), encode_cursor(offset)));
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!("{base}{path}?{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        assert_eq!(decode_cursor(&encode_cursor(150)), Some(150));
        assert_eq!(decode_cursor("not-a-cursor"), None);
    }

    #[test]
    fn unknown_parameters_are_illegal() {
        let e = Query::parse(Some("filter%5Bbundleid%5D=x"), &["filter[bundleId]"])
            .err()
            .unwrap();
        assert_eq!(e.code(), "PARAMETER_ERROR.ILLEGAL");
    }

    #[test]
    fn limits_are_capped() {
        let q = Query::parse(Some("limit=201"), &["limit"]).unwrap();
        assert_eq!(
            q.limit("limit", MAX_LIMIT, 50).unwrap_err().code(),
            "PARAMETER_ERROR.INVALID"
        );
    }
}
