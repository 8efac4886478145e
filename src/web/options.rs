//! Reads a JS options object into the core's [`Entry`] list, keeping the functions.

use crate::core::options::{Entry, Value};
use crate::core::retry::{self, RetryPolicy, RetryValue};
use crate::core::secret::Wiped;
use crate::web::error::Error;
use crate::web::js;
use js_sys::{Array, Function};
use wasm_bindgen::{JsCast, JsValue};

/// The options object, checked to be a plain object, with its own enumerable keys.
pub struct JsOptions {
    object: JsValue,
    keys: Array,
}

impl JsOptions {
    /// Wraps `value`, which must be a non-null, non-array object.
    ///
    /// # Errors
    /// `ConfigurationError` naming `options`.
    pub fn new(value: JsValue) -> Result<Self, Error> {
        let bad = || Error::config("options", "must be an object");
        // A Proxy's traps can throw here: guarded, like every read of page values.
        if !value.is_object() || value.is_function() || js::is_array(&value).unwrap_or(true) {
            return Err(bad());
        }
        let keys = js::object_keys(&value).map_err(|_| bad())?;
        Ok(JsOptions {
            object: value,
            keys,
        })
    }

    /// Every own enumerable key with its value's type.
    pub fn entries(&self) -> Vec<Entry> {
        self.keys
            .iter()
            .filter_map(|key| {
                let name = key.as_string()?;
                // A throwing getter reads as `null`: a wrong type, not an absent key.
                let value = js_sys::Reflect::get(&self.object, &key).unwrap_or(JsValue::NULL);
                let value = classify(&value);
                Some(Entry { key: name, value })
            })
            .collect()
    }

    /// The `retry` option (rule 9): `None` when it is `false`.
    ///
    /// # Errors
    /// `ConfigurationError` naming `retry` or the member at fault.
    pub fn retry(&self) -> Result<Option<RetryPolicy>, Error> {
        let value = js::get(&self.object, "retry");
        let entries;
        let reduced = if value.is_undefined() {
            RetryValue::Undefined
        } else if let Some(on) = value.as_bool() {
            RetryValue::Bool(on)
        } else if let Some(object) = js::is_plain_object(&value)
            .then(|| JsOptions::new(value).ok())
            .flatten()
        {
            // (A `Map` has no own keys: it would read as the defaults.)
            entries = object.entries();
            RetryValue::Object(&entries)
        } else {
            RetryValue::Other
        };
        Ok(retry::parse_retry(&reduced)?)
    }

    /// The function at `key`, if there is one.
    pub fn function(&self, key: &str) -> Option<Function> {
        let value = js::get(&self.object, key);
        value.is_function().then(|| value.unchecked_into())
    }
}

/// Reduces a JS value to its [`Value`] type.
pub fn classify(value: &JsValue) -> Value {
    if value.is_undefined() {
        Value::Undefined
    } else if let Some(s) = value.as_string() {
        Value::Str(Wiped::new(s))
    } else if let Some(n) = value.as_f64() {
        Value::Number(n)
    } else if value.is_function() {
        Value::Function
    } else {
        Value::Other
    }
}
