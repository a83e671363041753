//! The value of an attribute as a plan holds it: unset, a text or a flag.
//! In memory a plan speaks these; its wire form is JSON's `null`, a string
//! or a boolean, as every plan file since format version 1 has it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Value {
    /// No value (or, as an `after`, clear it).
    #[default]
    Unset,
    Text(String),
    /// `demoAccountRequired`.
    Flag(bool),
}

impl Value {
    /// A text, where an empty one means unset.
    pub fn text(s: &str) -> Value {
        if s.is_empty() {
            Value::Unset
        } else {
            Value::Text(s.to_owned())
        }
    }

    /// A live value: `None` is unset, any text (even blank) is kept.
    pub fn live(s: Option<&str>) -> Value {
        s.map_or(Value::Unset, |s| Value::Text(s.to_owned()))
    }

    pub fn is_unset(&self) -> bool {
        *self == Value::Unset
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The value for people: a quoted text, `(unset)`, `true` or `false`.
    pub fn quoted(&self) -> String {
        match self {
            Value::Unset => "(unset)".into(),
            Value::Text(s) => format!("{s:?}"),
            Value::Flag(b) => b.to_string(),
        }
    }

    /// The value as the API's JSON takes it.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Unset => serde_json::Value::Null,
            Value::Text(s) => serde_json::Value::String(s.clone()),
            Value::Flag(b) => serde_json::Value::Bool(*b),
        }
    }
}

/// Its JSON form, as messages quote it.
impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.to_json())
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Unset => s.serialize_none(),
            Value::Text(t) => s.serialize_str(t),
            Value::Flag(b) => s.serialize_bool(*b),
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Null => Ok(Value::Unset),
            serde_json::Value::String(s) => Ok(Value::Text(s)),
            serde_json::Value::Bool(b) => Ok(Value::Flag(b)),
            other => Err(serde::de::Error::custom(format!(
                "a value is a string, a boolean or null, not {other}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_travel_as_null_strings_and_booleans() {
        for (value, json) in [
            (Value::Unset, "null"),
            (Value::Text("Hi".into()), "\"Hi\""),
            (Value::Flag(true), "true"),
        ] {
            assert_eq!(serde_json::to_string(&value).unwrap(), json);
            assert_eq!(serde_json::from_str::<Value>(json).unwrap(), value);
        }
        assert!(serde_json::from_str::<Value>("3").is_err());
    }
}
