//! JS built-ins that can run page code (getters, Proxy traps, a promise's
//! `constructor`), imported with `catch`: a throw comes back as an `Err` instead of
//! unwinding through Rust frames, which would leave a borrow locked, a future
//! never polled again, or a promise never settled.

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

#[wasm_bindgen]
extern "C" {
    /// `Object.keys(value)`.
    #[wasm_bindgen(js_namespace = Object, js_name = keys, catch)]
    pub fn object_keys(value: &JsValue) -> Result<Array, JsValue>;
    /// `Object.entries(value)`.
    #[wasm_bindgen(js_namespace = Object, js_name = entries, catch)]
    pub fn object_entries(value: &JsValue) -> Result<Array, JsValue>;
    /// `Array.isArray(value)` (throws for a revoked Proxy).
    #[wasm_bindgen(js_namespace = Array, js_name = isArray, catch)]
    pub fn is_array(value: &JsValue) -> Result<bool, JsValue>;
    /// `Array.from(value)`: a genuine array, whatever `value` is.
    #[wasm_bindgen(js_namespace = Array, js_name = from, catch)]
    pub fn array_from(value: &JsValue) -> Result<Array, JsValue>;
    /// `Promise.resolve(value)`.
    #[wasm_bindgen(js_namespace = Promise, js_name = resolve, catch)]
    pub fn promise_resolve(value: &JsValue) -> Result<Promise, JsValue>;
    /// `AbortSignal.any(signals)`: throws unless every item is a genuine signal.
    #[wasm_bindgen(js_namespace = AbortSignal, js_name = any, catch)]
    pub fn abort_signal_any(signals: &Array) -> Result<AbortSignal, JsValue>;
}
