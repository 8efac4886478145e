//! The JSON seam: core decides the rules, the host parses.
//!
//! In the browser `JSON.parse` does the parsing (almost free in wasm bytes); natively
//! `serde_json` does, for tests and fuzzing.

/// Why a text is not a JSON object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotObject {
    /// The text is not JSON at all.
    NotJson,
    /// The text is JSON but not an object (an array, a string, ...).
    OtherValue,
}

/// A member of a JSON object, reduced to what the shape rules look at.
#[derive(Debug, Clone, PartialEq)]
pub enum Member {
    /// The key is absent.
    Absent,
    /// A string.
    Str(String),
    /// A number.
    Number(f64),
    /// Anything else (`null`, a bool, an array, an object).
    Other,
}

/// Parses JSON objects and reads their members.
pub trait JsonObjects {
    /// The host's object type.
    type Object;
    /// Parses `text`, which must be a JSON object.
    ///
    /// # Errors
    /// [`NotObject`] when it is not JSON, or JSON of another kind.
    fn parse_object(&self, text: &str) -> Result<Self::Object, NotObject>;
    /// Reads one top-level member.
    fn member(&self, object: &Self::Object, key: &str) -> Member;
}

/// `serde_json` as the parser, for native code.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug, Clone, Copy, Default)]
pub struct SerdeJson;

#[cfg(not(target_arch = "wasm32"))]
impl JsonObjects for SerdeJson {
    type Object = serde_json::Map<String, serde_json::Value>;

    fn parse_object(&self, text: &str) -> Result<Self::Object, NotObject> {
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(map)) => Ok(map),
            Ok(_) => Err(NotObject::OtherValue),
            Err(_) => Err(NotObject::NotJson),
        }
    }

    fn member(&self, object: &Self::Object, key: &str) -> Member {
        match object.get(key) {
            None => Member::Absent,
            Some(serde_json::Value::String(s)) => Member::Str(s.clone()),
            Some(serde_json::Value::Number(n)) => n.as_f64().map_or(Member::Other, Member::Number),
            Some(_) => Member::Other,
        }
    }
}
