//! Helpers for the in-browser tests: the sandbox, JS calls, tokens, error checks.
#![allow(dead_code)]

use js_sys::{Array, Function, Object, Promise, Reflect};
use partner_sdk::core::base64url;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// The sandbox started by `scripts/test.sh` (compiled in from `SANDBOX_URL`).
pub fn sandbox() -> &'static str {
    match option_env!("SANDBOX_URL") {
        Some(url) => url,
        None => panic!("SANDBOX_URL is not set: run the browser tests through `npm test`"),
    }
}

/// An origin where nothing listens.
pub const CLOSED_ORIGIN: &str = "http://127.0.0.1:9";

/// `fetch` against the sandbox; resolves to the parsed JSON body (or null).
pub async fn fetch_json(method: &str, path: &str, body: Option<&str>) -> JsValue {
    let url = format!("{}{}", sandbox(), path);
    let builder = gloo_net::http::RequestBuilder::new(&url)
        .method(method.parse().unwrap())
        .header("content-type", "application/json");
    let req = match body {
        Some(b) => builder.body(b).unwrap(),
        None => builder.build().unwrap(),
    };
    let resp = req.send().await.unwrap();
    let text = resp.text().await.unwrap();
    assert!(resp.ok(), "{method} {path} -> {}: {text}", resp.status());
    if text.is_empty() {
        JsValue::NULL
    } else {
        js_sys::JSON::parse(&text).unwrap_or(JsValue::from_str(&text))
    }
}

/// `POST /__sandbox/<what>` with a JSON body.
pub async fn control(what: &str, body: &str) -> JsValue {
    fetch_json("POST", &format!("/__sandbox/{what}"), Some(body)).await
}

/// Revokes every token issued so far.
pub async fn revoke_all() {
    control("revoke", "{}").await;
}

/// Makes the next `count` requests under `path` wait `delay_ms` and/or answer `status`.
pub async fn fault(path: &str, count: u32, status: Option<u16>, delay_ms: u32) {
    let status = status.map_or("null".to_string(), |s| s.to_string());
    let body =
        format!(r#"{{"path":"{path}","count":{count},"status":{status},"delay_ms":{delay_ms}}}"#);
    control("faults", &body).await;
}

/// Reads one counter.
pub async fn counter(name: &str) -> f64 {
    let c = fetch_json("GET", "/__sandbox/counters", None).await;
    Reflect::get(&c, &name.into())
        .unwrap()
        .as_f64()
        .unwrap_or(0.0)
}

/// The jti of the last token a protected endpoint accepted.
pub async fn last_jti() -> Option<String> {
    let c = fetch_json("GET", "/__sandbox/counters", None).await;
    Reflect::get(&c, &"last_jti".into()).unwrap().as_string()
}

/// A real checkout token for `invoice`, minted by the sandbox with `ttl` seconds.
pub async fn mint_checkout(invoice: &str, ttl: u32) -> String {
    let body = format!(
        r#"{{"kind":"checkout","invoiceId":"{invoice}","customerId":"cus_demo","ttl":{ttl}}}"#
    );
    let out = control("mint", &body).await;
    Reflect::get(&out, &"token".into())
        .unwrap()
        .as_string()
        .unwrap()
}

/// A real Gatekeeper token.
pub async fn mint_gatekeeper(ttl: u32) -> String {
    let out = control("mint", &format!(r#"{{"kind":"gatekeeper","ttl":{ttl}}}"#)).await;
    Reflect::get(&out, &"token".into())
        .unwrap()
        .as_string()
        .unwrap()
}

/// A token with the given header and payload JSON and a dummy signature.
pub fn token(header: &str, payload: &str) -> String {
    format!(
        "{}.{}.c2ln",
        base64url::encode(header.as_bytes()),
        base64url::encode(payload.as_bytes())
    )
}

/// The jti claim inside a token (decoded in the test, not by the SDK).
pub fn jti_of(token: &str) -> String {
    let payload = token.split('.').nth(1).unwrap();
    let text = String::from_utf8(base64url::decode(payload).unwrap()).unwrap();
    let claims = js_sys::JSON::parse(&text).unwrap();
    Reflect::get(&claims, &"jti".into())
        .unwrap()
        .as_string()
        .unwrap()
}

/// Builds a plain JS object from pairs.
pub fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

/// Calls `target[method](...args)`.
pub fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = Reflect::get(target, &method.into())?.dyn_into()?;
    f.apply(target, &args.iter().collect::<Array>())
}

/// Awaits `target[method](...args)`, which returns a Promise.
pub async fn call_async(
    target: &JsValue,
    method: &str,
    args: &[JsValue],
) -> Result<JsValue, JsValue> {
    let promise: Promise = call(target, method, args)?.dyn_into()?;
    JsFuture::from(promise).await
}

/// Reads `target[key]`.
pub fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &key.into()).unwrap()
}

/// `AlternativeClient.create(options)`.
pub async fn create(options: JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(partner_sdk::api::AlternativeClient::create(options)).await
}

/// Asserts that `error` is a partner-sdk error of class `name` with `code`.
pub fn assert_error(error: &JsValue, name: &str, code: &str) {
    assert!(
        error.is_instance_of::<js_sys::Error>(),
        "not an Error: {error:?}"
    );
    assert_eq!(
        get(error, "name").as_string().as_deref(),
        Some(name),
        "{error:?}"
    );
    assert_eq!(
        get(error, "code").as_string().as_deref(),
        Some(code),
        "{error:?}"
    );
    // The prototype chain is Class -> PartnerSdkError -> Error.
    let proto = Object::get_prototype_of(error);
    let base = Object::get_prototype_of(&proto);
    let base_name = get(&get(&base, "constructor"), "name").as_string();
    let expected_base = if name == "PartnerSdkError" {
        "Error"
    } else {
        "PartnerSdkError"
    };
    assert_eq!(base_name.as_deref(), Some(expected_base));
    let brand = Reflect::get(error, &js_sys::Symbol::for_("partner-sdk.error").into()).unwrap();
    assert_eq!(
        brand.as_bool(),
        Some(true),
        "isPartnerSdkError brand missing"
    );
}

/// A JS function from a Rust closure (kept alive by the JS GC; tests only).
pub fn js_fn0(f: impl FnMut() -> JsValue + 'static) -> JsValue {
    Closure::<dyn FnMut() -> JsValue>::new(f).into_js_value()
}

/// A JS function of one argument.
pub fn js_fn1(f: impl FnMut(JsValue) -> JsValue + 'static) -> JsValue {
    Closure::<dyn FnMut(JsValue) -> JsValue>::new(f).into_js_value()
}

/// A Promise resolved with `value` after `ms`.
pub fn delayed(ms: i32, value: JsValue) -> Promise {
    Promise::new(&mut |resolve, _| {
        let value = value.clone();
        let f = Closure::once_into_js(move || {
            resolve.call1(&JsValue::UNDEFINED, &value).unwrap();
        });
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(f.unchecked_ref(), ms)
            .unwrap();
    })
}

/// Sleeps `ms`.
pub async fn sleep(ms: i32) {
    JsFuture::from(delayed(ms, JsValue::UNDEFINED))
        .await
        .unwrap();
}

/// A Promise that never settles.
pub fn never() -> Promise {
    Promise::new(&mut |_, _| {})
}

/// `Date.now()`.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}
