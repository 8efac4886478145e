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
    /// The functions [`JsOptions::entries`] read: a callback is the value that was
    /// checked, never a second read (a getter could answer something else then).
    functions: Vec<(String, Function)>,
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
            functions: Vec::new(),
        })
    }

    /// Every own enumerable key with its value's type, each value read once; the
    /// functions among them are kept for [`JsOptions::function`].
    pub fn entries(&mut self) -> Vec<Entry> {
        let mut entries = Vec::new();
        for key in self.keys.iter() {
            let Some(name) = key.as_string() else {
                continue;
            };
            // A throwing getter reads as `null`: a wrong type, not an absent key.
            let value = js_sys::Reflect::get(&self.object, &key).unwrap_or(JsValue::NULL);
            let class = classify(&value);
            if let Value::Function = class {
                self.functions.push((name.clone(), value.unchecked_into()));
            }
            entries.push(Entry {
                key: name,
                value: class,
            });
        }
        entries
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
        } else if let Some(mut object) = js::is_plain_object(&value)
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

    /// The function [`JsOptions::entries`] read at `key`, if it read one.
    pub fn function(&self, key: &str) -> Option<Function> {
        let (_, f) = self.functions.iter().find(|(k, _)| k == key)?;
        Some(f.clone())
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
