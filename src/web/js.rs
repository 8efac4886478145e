//! Every JS function the SDK imports, in one place.
//!
//! Each import that can run page code (a getter, a Proxy trap, a replaced global, a
//! promise's `constructor`) is declared with `catch`, or is a helper of `js/errors.js`
//! that catches in JS: a throw comes back as an `Err` (or a fallback) instead of
//! unwinding through Rust frames, which would leave a borrow locked, a future never
//! polled again, or a promise never settled, and stall every later call of the module.

use js_sys::{Array, Function, JsString, Object, Promise};
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

#[wasm_bindgen]
extern "C" {
    /// `performance.now()`: the monotonic clock of attempt deadlines.
    #[wasm_bindgen(js_namespace = performance, js_name = now, catch)]
    fn performance_now() -> Result<f64, JsValue>;
    /// `Date.now()`: the page's wall clock.
    #[wasm_bindgen(js_namespace = Date, js_name = now, catch)]
    fn date_now() -> Result<f64, JsValue>;

    /// `JSON.parse` on a JS string: a body is never copied into wasm memory.
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    pub fn json_parse(text: &JsString) -> Result<JsValue, JsValue>;
    /// `String(value)`: runs the page's `toString`.
    #[wasm_bindgen(js_name = String, catch)]
    pub fn to_string(value: &JsValue) -> Result<String, JsValue>;

    /// `Object.keys(value)`.
    #[wasm_bindgen(js_namespace = Object, js_name = keys, catch)]
    pub fn object_keys(value: &JsValue) -> Result<Array, JsValue>;
    /// `Object.entries(value)`.
    #[wasm_bindgen(js_namespace = Object, js_name = entries, catch)]
    pub fn object_entries(value: &JsValue) -> Result<Array, JsValue>;
    /// `Object.getPrototypeOf(value)` (a Proxy's trap may throw).
    #[wasm_bindgen(js_namespace = Object, js_name = getPrototypeOf, catch)]
    pub fn prototype_of(value: &JsValue) -> Result<JsValue, JsValue>;
    /// `Array.isArray(value)` (throws for a revoked Proxy).
    #[wasm_bindgen(js_namespace = Array, js_name = isArray, catch)]
    pub fn is_array(value: &JsValue) -> Result<bool, JsValue>;
    /// `Array.from(value)`: a genuine array of whatever `value` iterates.
    #[wasm_bindgen(js_namespace = Array, js_name = from, catch)]
    pub fn array_from(value: &JsValue) -> Result<Array, JsValue>;
    /// `crypto.getRandomValues(bytes)`: in every browser context, secure or not, and Node.
    #[cfg(any(feature = "checkout", feature = "gatekeeper"))]
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues, catch)]
    fn get_random_values(bytes: &mut [u8]) -> Result<JsValue, JsValue>;
    /// `Math.random()`, for the retry jitter.
    #[wasm_bindgen(js_namespace = Math, js_name = random, catch)]
    fn math_random() -> Result<f64, JsValue>;
}

#[wasm_bindgen(module = "/js/errors.js")]
extern "C" {
    /// Builds the error class for `code` (the one conversion point's JS half).
    /// `key` is `""` and `status` 0 when absent; `cause` is used only for
    /// `TOKEN_REFRESH_FAILED`; `attempts` is 0 when not counted; `method` and `url` (the
    /// request answered, else `""` and `undefined`) only for `API_ERROR`, whose message
    /// then names them and the API's own error code.
    #[wasm_bindgen(js_name = makeError)]
    #[allow(clippy::too_many_arguments)]
    pub fn make_error(
        code: &str,
        message: &str,
        key: &str,
        status: u16,
        body: &JsValue,
        request_id: &JsValue,
        cause: &JsValue,
        attempts: u32,
        method: &str,
        url: &JsValue,
    ) -> JsValue;

    /// One attempt's `fetch(url, { method, headers, body, signal, redirect: 'manual', cache: 'no-store' })`,
    /// after `headers.set('authorization', authorization)`: one call from wasm instead of
    /// one per option (each of which would decode its key string again). `body` is
    /// `undefined` when there is none.
    #[wasm_bindgen(js_name = fetchAttempt, catch)]
    pub fn fetch_attempt(
        url: &JsValue,
        method: &JsValue,
        headers: &web_sys::Headers,
        authorization: &JsValue,
        body: &JsValue,
        signal: &AbortSignal,
    ) -> Result<Promise, JsValue>;

    /// Every timer: `kind` [`TIMEOUT`] or [`INTERVAL`]. Never throws: if the page made
    /// `setTimeout` throw, the timer runs on `AbortSignal.timeout` instead.
    #[wasm_bindgen(js_name = setTimer)]
    pub fn set_timer(handler: &Closure<dyn FnMut()>, ms: u32, kind: u8) -> JsValue;
    /// Clears a timer of [`set_timer`]. Never throws.
    #[wasm_bindgen(js_name = clearTimer)]
    pub fn clear_timer(id: &JsValue);

    /// A promise of `value`: a thenable is adopted in a job of its own, so nothing its
    /// `then` does (throw, too) runs inside this call. `cut` (an `AbortSignal`, or
    /// `undefined`) aborted settles it with `undefined`: a callback whose promise never
    /// settles then holds nothing of the SDK. Never throws.
    #[wasm_bindgen(js_name = settleOf)]
    pub fn settle_of(value: &JsValue, cut: &JsValue) -> Promise;

    /// `AbortSignal.any(signals)`, built in JS where the runtime lacks it: throws
    /// unless every item is a genuine signal.
    #[wasm_bindgen(js_name = anySignal, catch)]
    pub fn abort_signal_any(signals: &Array) -> Result<AbortSignal, JsValue>;

    /// `JSON.stringify(body)`; throws for a value JSON would send as something else
    /// (`{}` for a FormData, Blob, Map…; nothing for a function or symbol).
    #[wasm_bindgen(js_name = jsonBody, catch)]
    pub fn json_body(value: &JsValue) -> Result<JsString, JsValue>;

    /// `text` with every occurrence of the token in `authorization` (`Bearer <token>`)
    /// replaced by `[redacted]`. Never throws.
    #[wasm_bindgen(js_name = redact)]
    pub fn redact(text: &JsValue, authorization: &JsValue) -> JsValue;

    /// Calls a page's notification callback with `arg`. What it throws or rejects
    /// with is reported as the page's own uncaught error (`reportError`), never to the
    /// SDK. Never throws.
    pub fn notify(callback: &Function, arg: &JsValue);

    /// Resolves, once this tab holds the Web Lock `name`, to `[release, id]`: `id` is a
    /// device id another tab registered while this one waited, and `release(newId?)`
    /// hands this tab's new id on and lets the lock go. Resolves to `[no-op]` at once
    /// where the page has no Web Locks, or when `signal` aborts or `ms` pass first.
    /// Never rejects.
    #[cfg(feature = "gatekeeper")]
    #[wasm_bindgen(js_name = takeTurn, catch)]
    pub fn take_turn(name: &str, signal: &AbortSignal, ms: u32) -> Result<Promise, JsValue>;
}

/// [`set_timer`]'s `setTimeout`.
pub const TIMEOUT: u8 = 0;
/// [`set_timer`]'s `setInterval`.
#[cfg(feature = "gatekeeper")]
pub const INTERVAL: u8 = 2;

/// An object whose prototype is `null` or an `Object.prototype` (of any realm: an
/// iframe's, a Node `vm` context's): not a `Map`, array, `URLSearchParams`, class
/// instance or object inheriting its keys, whose own enumerable keys are not its entries.
pub fn is_plain_object(value: &JsValue) -> bool {
    value.is_object() && prototype_of(value).is_ok_and(|p| p.is_null() || is_object_prototype(&p))
}

/// `Object.prototype` of some realm: no prototype of its own, and the `prototype` of
/// its `constructor`, a function named `Object` (not an `Object.create(null)` object).
fn is_object_prototype(p: &JsValue) -> bool {
    if !prototype_of(p).is_ok_and(|o| o.is_null()) {
        return false;
    }
    let constructor = get(p, "constructor");
    constructor.is_function()
        && get(&constructor, "prototype") == *p
        && get(&constructor, "name").as_string().as_deref() == Some("Object")
}

/// `performance.now()`, in milliseconds; 0 if a page made it throw (attempt deadlines
/// then never come due: each attempt still ends with its response or an abort).
pub fn monotonic_ms() -> f64 {
    performance_now().unwrap_or(0.0)
}

/// `Date.now()`, in milliseconds; 0 if a page made it throw.
pub fn wall_clock_ms() -> f64 {
    date_now().unwrap_or(0.0)
}

/// `Math.random()`; 0.5 if a page made it throw.
pub fn random() -> f64 {
    math_random().unwrap_or(0.5)
}

/// A fresh version-4 UUID for `Idempotency-Key`; `None` without `crypto` (or when
/// a page replaced it with something that throws).
#[cfg(any(feature = "checkout", feature = "gatekeeper"))]
pub fn random_uuid() -> Option<String> {
    let mut bytes = [0; 16];
    get_random_values(&mut bytes).ok()?;
    Some(crate::core::uuid::v4(bytes))
}

/// Reads `object[key]`, running any getter or Proxy trap under `catch`; `undefined`
/// when it throws or `object` is not an object.
pub fn get(object: &JsValue, key: &str) -> JsValue {
    if !object.is_object() && !object.is_function() {
        return JsValue::UNDEFINED;
    }
    js_sys::Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Sets `object[key] = value` on an object the SDK made.
pub fn set(object: &Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(object, &JsValue::from_str(key), value);
}

/// Calls a page function with no `this`; a throw comes back as `Err`.
pub fn call(function: &Function, arg: Option<&JsValue>) -> Result<JsValue, JsValue> {
    match arg {
        Some(a) => function.call1(&JsValue::UNDEFINED, a),
        None => function.call0(&JsValue::UNDEFINED),
    }
}
