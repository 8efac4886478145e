//! Turns `request(method, path, { body, headers, query, signal })` into a [`Call`],
//! refusing anything that could send the token elsewhere before anything is sent.

use crate::core::url;
use crate::web::error::Error;
use crate::web::guarded;
use crate::web::http::Call;
use gloo_net::http::Method;
use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use web_sys::{AbortSignal, Headers, Url};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = String, catch)]
    fn js_string(value: &JsValue) -> Result<String, JsValue>;
}

const INIT_KEYS: [&str; 4] = ["body", "headers", "query", "signal"];

fn method(name: &str) -> Result<Method, Error> {
    let m = match name.to_ascii_uppercase().as_str() {
        "GET" => Method::GET,
        "POST" => Method::POST,
        "PUT" => Method::PUT,
        "PATCH" => Method::PATCH,
        "DELETE" => Method::DELETE,
        "HEAD" => Method::HEAD,
        "OPTIONS" => Method::OPTIONS,
        _ => {
            return Err(Error::config(
                "method",
                "must be GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS",
            ))
        }
    };
    Ok(m)
}

fn member(init: &JsValue, key: &str) -> JsValue {
    if init.is_object() {
        Reflect::get(init, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

fn check_init(init: &JsValue) -> Result<(), Error> {
    if init.is_undefined() || init.is_null() {
        return Ok(());
    }
    if !init.is_object() {
        return Err(Error::config("init", "must be an object"));
    }
    let keys =
        guarded::object_keys(init).map_err(|_| Error::config("init", "must be an object"))?;
    for key in keys.iter() {
        let name = key.as_string().unwrap_or_default();
        if !INIT_KEYS.contains(&name.as_str()) {
            return Err(Error::config(
                &name,
                "is not a known request option (body, headers, query, signal)",
            ));
        }
    }
    Ok(())
}

fn with_query(full: &str, query: &JsValue, origin: &str) -> Result<String, Error> {
    const BAD_PATH: &str = url::problem::PATH;
    let parsed = Url::new(full).map_err(|_| Error::config("path", BAD_PATH))?;
    if parsed.origin() != origin {
        return Err(Error::config("path", BAD_PATH));
    }
    if query.is_undefined() || query.is_null() {
        return Ok(parsed.href());
    }
    if !query.is_object() {
        return Err(Error::config("query", "must be an object"));
    }
    let bad = || {
        Error::config(
            "query",
            "must be a plain object of strings, numbers or arrays",
        )
    };
    let params = parsed.search_params();
    // Getters and Proxy traps run here: every read of a page value is guarded.
    let entries = guarded::object_entries(query).map_err(|_| bad())?;
    for entry in entries.iter() {
        let pair: js_sys::Array = entry.unchecked_into();
        let (key, value) = (pair.get(0), pair.get(1));
        let values = if guarded::is_array(&value).map_err(|_| bad())? {
            guarded::array_from(&value).map_err(|_| bad())?
        } else {
            js_sys::Array::of1(&value)
        };
        for v in values.iter().filter(|v| !v.is_undefined() && !v.is_null()) {
            let text = js_string(&v)
                .map_err(|_| Error::config("query", "values must be convertible to strings"))?;
            params.append(&key.as_string().unwrap_or_default(), &text);
        }
    }
    Ok(parsed.href())
}

fn headers(value: &JsValue) -> Result<Vec<(String, String)>, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    let bad = || Error::config("headers", "must be a valid HeadersInit");
    let normalized = Headers::new_with_str_sequence_sequence(value).map_err(|_| bad())?;
    let iter = js_sys::try_iter(&normalized)
        .map_err(|_| bad())?
        .ok_or_else(bad)?;
    let mut out = Vec::new();
    for pair in iter {
        let pair: js_sys::Array = pair.map_err(|_| bad())?.unchecked_into();
        let name = pair.get(0).as_string().unwrap_or_default();
        if name != "authorization" {
            out.push((name, pair.get(1).as_string().unwrap_or_default()));
        }
    }
    Ok(out)
}

fn body(value: &JsValue) -> Result<Option<String>, Error> {
    if value.is_undefined() {
        return Ok(None);
    }
    let text = js_sys::JSON::stringify(value)
        .map_err(|_| Error::config("body", "must be JSON-serializable"))?;
    Ok(text.as_string())
}

/// A signal the SDK owns that follows the caller's. `AbortSignal.any` accepts only
/// genuine signals (no look-alike, no Proxy), and reading the copy later runs no
/// page code. Its `reason` is the caller's.
fn signal(value: &JsValue) -> Result<Option<AbortSignal>, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    guarded::abort_signal_any(&js_sys::Array::of1(value))
        .map(Some)
        .map_err(|_| Error::config("signal", "must be an AbortSignal"))
}

/// Builds a call to `path` (relative to `base`, or absolute at its origin).
///
/// `explicit_body` is the body argument of `post`/`put`/`patch`; otherwise `init.body`.
///
/// # Errors
/// `ConfigurationError` naming the bad argument; nothing has been sent.
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
    let origin = Url::new(&base.url)
        .map(|u| u.origin())
        .map_err(|_| Error::config("baseUrl", url::problem::NOT_ABSOLUTE))?;
    let url = with_query(&full, &member(init, "query"), &origin)?;
    let body = body(
        &explicit_body
            .cloned()
            .unwrap_or_else(|| member(init, "body")),
    )?;
    let mut headers = headers(&member(init, "headers"))?;
    if body.is_some() && !headers.iter().any(|(n, _)| n == "content-type") {
        headers.push(("content-type".into(), "application/json".into()));
    }
    Ok(Call {
        method,
        url,
        headers,
        body,
        signal: signal(&member(init, "signal"))?,
    })
}
