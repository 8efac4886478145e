//! Reads a JS options object into the core's [`Entry`] list, keeping the functions.

use crate::core::options::{Entry, Value};
use crate::web::error::Error;
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// The options object, checked to be a plain object.
pub struct JsOptions(Object);

impl JsOptions {
    /// Wraps `value`, which must be a non-null, non-array object.
    ///
    /// # Errors
    /// `ConfigurationError` naming `options`.
    pub fn new(value: JsValue) -> Result<Self, Error> {
        if !value.is_object() || js_sys::Array::is_array(&value) || value.is_function() {
            return Err(Error::config("options", "must be an object"));
        }
        Ok(JsOptions(value.unchecked_into()))
    }

    /// Every own enumerable key with its value's type.
    pub fn entries(&self) -> Vec<Entry> {
        Object::keys(&self.0)
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
