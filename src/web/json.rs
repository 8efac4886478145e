//! `JSON.parse` as the core's JSON parser: almost free in wasm bytes.

use crate::core::json::{JsonObjects, Member, NotObject};
use wasm_bindgen::JsValue;

/// The browser's JSON.
pub struct JsJson;

impl JsonObjects for JsJson {
    type Object = JsValue;

    fn parse_object(&self, text: &str) -> Result<JsValue, NotObject> {
        let value = js_sys::JSON::parse(text).map_err(|_| NotObject::NotJson)?;
        if value.is_object() && !js_sys::Array::is_array(&value) {
            Ok(value)
        } else {
            Err(NotObject::OtherValue)
        }
    }

    fn member(&self, object: &JsValue, key: &str) -> Member {
        let Ok(value) = js_sys::Reflect::get(object, &JsValue::from_str(key)) else {
            return Member::Other;
        };
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

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `JSON.parse` on a JS string, so a body never has to be copied into wasm memory.
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn parse_js(text: &js_sys::JsString) -> Result<JsValue, JsValue>;
}

/// Parses a response body, left as a JS string: `null` for an empty body.
///
/// # Errors
/// When the text is not JSON.
pub fn parse_body(text: &js_sys::JsString) -> Result<JsValue, ()> {
    if text.trim().length() == 0 {
        return Ok(JsValue::NULL);
    }
    parse_js(text).map_err(|_| ())
}
