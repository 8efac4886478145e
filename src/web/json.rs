//! `JSON.parse` as the core's JSON parser: almost free in wasm bytes.

use crate::core::json::{JsonObjects, Member, NotObject};
use crate::web::js;
use js_sys::JsString;
use wasm_bindgen::JsValue;

/// The host's JSON.
pub struct JsJson;

impl JsonObjects for JsJson {
    type Object = JsValue;

    fn parse_object(&self, text: &str) -> Result<JsValue, NotObject> {
        let value = js::json_parse(&JsString::from(text)).map_err(|_| NotObject::NotJson)?;
        if value.is_object() && !js::is_array(&value).unwrap_or(true) {
            Ok(value)
        } else {
            Err(NotObject::OtherValue)
        }
    }

    fn member(&self, object: &JsValue, key: &str) -> Member {
        let value = js::get(object, key);
        if value.is_undefined() {
            Member::Absent
        } else if let Some(s) = value.as_string() {
            Member::Str(s)
        } else if let Some(n) = value.as_f64() {
            Member::Number(n)
        } else {
            Member::Other
        }
    }
}

/// Parses a response body, left as a JS string: `null` for an empty body.
///
/// # Errors
/// When the text is not JSON.
pub fn parse_body(text: &JsString) -> Result<JsValue, ()> {
    // Whitespace alone is not JSON: the emptiness check runs only when parsing failed.
    js::json_parse(text).or_else(|_| {
        if text.trim().length() == 0 {
            Ok(JsValue::NULL)
        } else {
            Err(())
        }
    })
}
