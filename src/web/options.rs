//! Reads a JS options object into the core's [`Entry`] list, keeping the functions.

use crate::core::options::{Entry, Value};
use crate::web::error::Error;
use crate::web::guarded::{is_array, object_keys};
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// The options object, checked to be a plain object, with its own enumerable keys.
pub struct JsOptions(Object, js_sys::Array);

impl JsOptions {
    /// Wraps `value`, which must be a non-null, non-array object.
    ///
    /// # Errors
    /// `ConfigurationError` naming `options`.
    pub fn new(value: JsValue) -> Result<Self, Error> {
        let bad = || Error::config("options", "must be an object");
        // A Proxy's traps can throw here: guarded, like every read of page values.
        if !value.is_object() || value.is_function() || is_array(&value).unwrap_or(true) {
            return Err(bad());
        }
        let keys = object_keys(&value).map_err(|_| bad())?;
        Ok(JsOptions(value.unchecked_into(), keys))
    }

    /// Every own enumerable key with its value's type.
    pub fn entries(&self) -> Vec<Entry> {
        self.1
            .iter()
            .filter_map(|key| {
                let name = key.as_string()?;
                let value = classify(&Reflect::get(&self.0, &key).unwrap_or(JsValue::NULL));
                Some(Entry { key: name, value })
            })
            .collect()
    }

    /// The function at `key`, if there is one.
    pub fn function(&self, key: &str) -> Option<Function> {
        Reflect::get(&self.0, &JsValue::from_str(key))
            .ok()?
            .dyn_into()
            .ok()
    }
}

/// Reduces a JS value to its [`Value`] type.
pub fn classify(value: &JsValue) -> Value {
    if value.is_undefined() {
        Value::Undefined
    } else if let Some(s) = value.as_string() {
        Value::Str(s)
    } else if let Some(n) = value.as_f64() {
        Value::Number(n)
    } else if value.is_function() {
        Value::Function
    } else {
        Value::Other
    }
}
