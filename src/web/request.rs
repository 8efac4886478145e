//! Turns `request(method, path, { body, headers, query, signal })` into a [`Call`],
//! refusing anything that could send the token elsewhere before anything is sent.

use crate::core::{retry, url};
use crate::web::error::Error;
use crate::web::js;
use crate::web::send::Call;
use js_sys::Array;
use wasm_bindgen::prelude::*;
use web_sys::{AbortSignal, Headers, Url, UrlSearchParams};

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
const INIT_KEYS: [&str; 5] = ["body", "headers", "query", "signal", "idempotencyKey"];

fn method(name: &str) -> Result<&'static str, Error> {
    METHODS
        .into_iter()
        .find(|m| m.eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            Error::config(
                "method",
                "must be GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS",
            )
        })
}

fn check_init(init: &JsValue) -> Result<(), Error> {
    if init.is_undefined() || init.is_null() {
        return Ok(());
    }
    let bad = || Error::config("init", "must be an object");
    if !init.is_object() {
        return Err(bad());
    }
    for key in js::object_keys(init).map_err(|_| bad())?.iter() {
        let name = key.as_string().unwrap_or_default();
        if !INIT_KEYS.contains(&name.as_str()) {
            return Err(Error::config(
                &name,
                "is not a known request option (body, headers, query, signal, idempotencyKey)",
            ));
        }
    }
    Ok(())
}

fn query_error() -> Error {
    Error::config(
        "query",
        "values must be strings, finite numbers, booleans, null or undefined, or arrays of them",
    )
}

/// Appends `query` to `full`, and checks with the browser's own URL parser that the
/// result is still at `base`'s origin. A `/…` path appended to the base cannot leave
/// it, so a call with neither an absolute path nor a query is not parsed again (most
/// calls: two `new URL` fewer per request).
fn with_query(
    full: String,
    absolute: bool,
    query: &JsValue,
    base: &url::BaseUrl,
) -> Result<String, Error> {
    if !absolute && (query.is_undefined() || query.is_null()) {
        return Ok(full);
    }
    let bad_path = || Error::config("path", url::problem::PATH);
    let parsed = Url::new(&full).map_err(|_| bad_path())?;
    let origin = Url::new(&base.url).map_err(|_| bad_path())?.origin();
    if parsed.origin() != origin {
        return Err(bad_path());
    }
    if query.is_undefined() || query.is_null() {
        // `fetch` parses `full` exactly as `parsed` was.
        return Ok(full);
    }
    // A plain object (or one without a prototype): a `Map`, `URLSearchParams` or array
    // has no own enumerable entries to read, or the wrong ones, and would be sent as
    // nothing or as `?0=…`.
    if !js::is_plain_object(query) {
        return Err(Error::config("query", "must be a plain object"));
    }
    // A list of its own, put into the URL once: appending to `parsed.search_params()`
    // rewrites the whole URL on every value (10,000 values blocked the page for 3 s).
    let params = UrlSearchParams::new_with_str(&parsed.search()).map_err(|_| bad_path())?;
    let mut added = false;
    // Getters and Proxy traps run here: every read of a page value is guarded.
    for entry in js::object_entries(query).map_err(|_| query_error())?.iter() {
        let pair: Array = entry.unchecked_into();
        let (key, value) = (pair.get(0), pair.get(1));
        let values = if js::is_array(&value).map_err(|_| query_error())? {
            js::array_from(&value).map_err(|_| query_error())?
        } else {
            Array::of1(&value)
        };
        for v in values.iter().filter(|v| !v.is_undefined() && !v.is_null()) {
            // An object, function or symbol would go out as its `String()`
            // ("[object Object]", a function's source), `NaN` as "NaN" (a failed
            // `parseInt`, say): refused instead, as `JSON.stringify` refuses them in a body.
            if !(v.is_string() || v.as_f64().is_some_and(f64::is_finite) || v.as_bool().is_some()) {
                return Err(query_error());
            }
            let text = js::to_string(&v).map_err(|_| query_error())?;
            params.append(&key.as_string().unwrap_or_default(), &text);
            added = true;
        }
    }
    if added {
        parsed.set_search(&String::from(params.to_string()));
    }
    Ok(parsed.href())
}

/// The caller's headers, normalised; `Authorization` cannot be overridden.
fn headers(value: &JsValue) -> Result<Headers, Error> {
    let bad = || Error::config("headers", "must be a valid HeadersInit");
    if value.is_undefined() || value.is_null() {
        return Headers::new_with_str_sequence_sequence(&JsValue::UNDEFINED).map_err(|_| bad());
    }
    let headers = Headers::new_with_str_sequence_sequence(value).map_err(|_| bad())?;
    headers.delete("authorization").map_err(|_| bad())?;
    Ok(headers)
}

/// The body as JSON text, kept as a JS string; `None` for `undefined`. What JSON would
/// send as something else (a FormData as `{}`, a function as nothing) is refused.
fn body(value: &JsValue) -> Result<Option<JsValue>, Error> {
    if value.is_undefined() {
        return Ok(None);
    }
    let text = js::json_body(value).map_err(|_| {
        Error::config(
            "body",
            "must be JSON data: plain objects, arrays, strings, numbers, booleans, null",
        )
    })?;
    Ok(Some(text.into()))
}

/// A signal the SDK owns that follows the caller's. `AbortSignal.any` accepts only
/// genuine signals (no look-alike, no Proxy), and reading the copy later runs no
/// page code. Its `reason` is the caller's.
fn signal(value: &JsValue) -> Result<Option<AbortSignal>, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    js::abort_signal_any(&Array::of1(value))
        .map(Some)
        .map_err(|_| Error::config("signal", "must be an AbortSignal"))
}

/// `init.idempotencyKey` (rule 9): a string, or `true` for a fresh random UUID.
///
/// A string of nothing but HTTP whitespace is refused: `Headers` trims it to an empty
/// value, which an API reads as no key at all, and a `POST` it let rule 9 resend could
/// then pay twice.
fn idempotency_key(value: &JsValue) -> Result<Option<String>, Error> {
    if value.is_undefined() {
        return Ok(None);
    }
    if value.as_bool() == Some(true) {
        let key = js::random_uuid()
            .ok_or_else(|| Error::config("idempotencyKey", "true needs crypto.getRandomValues"))?;
        return Ok(Some(key));
    }
    let blank = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    match value.as_string() {
        Some(key) if !key.bytes().all(blank) => Ok(Some(key)),
        _ => Err(Error::config(
            "idempotencyKey",
            "must be true or a string with more than spaces and tabs",
        )),
    }
}

/// Builds a call to `path` (relative to `base`, or absolute at its origin).
///
/// `explicit_body` is the body argument of `post`/`put`/`patch`; otherwise `init.body`.
///
/// # Errors
/// `ConfigurationError` naming the bad argument; nothing has been sent.
#[inline(never)]
pub fn build(
    base: &url::BaseUrl,
    method_name: &str,
    path: &JsValue,
    explicit_body: Option<&JsValue>,
    init: &JsValue,
) -> Result<Call, Error> {
    check_init(init)?;
    let method = method(method_name)?;
    let path = path
        .as_string()
        .ok_or_else(|| Error::config("path", "must be a string"))?;
    let full = url::resolve(base, &path).map_err(|p| Error::config("path", p))?;
    let absolute = !path.starts_with('/');
    let url = with_query(full, absolute, &js::get(init, "query"), base)?;
    let body = body(explicit_body.unwrap_or(&js::get(init, "body")))?;
    // `fetch` refuses these before sending: a retried NetworkError would hide the cause.
    if body.is_some() && matches!(method, "GET" | "HEAD") {
        return Err(Error::config("body", "is not allowed with GET or HEAD"));
    }
    let headers = headers(&js::get(init, "headers"))?;
    if body.is_some() && !headers.has("content-type").unwrap_or(true) {
        let _ = headers.set("content-type", "application/json");
    }
    let key = idempotency_key(&js::get(init, "idempotencyKey"))?;
    if let Some(key) = &key {
        headers
            .set("idempotency-key", key)
            .map_err(|_| Error::config("idempotencyKey", "must be a valid header value"))?;
    }
    Ok(Call {
        method,
        url,
        headers,
        body,
        signal: signal(&js::get(init, "signal"))?,
        may_retry: retry::may_retry(method, key.is_some()),
    })
}
