//! Helpers for the in-browser tests, one per job: the sandbox and its controls, tokens,
//! clients of both classes, JS calls and callbacks, error checks, spies.
//!
//! The tests of one file share one sandbox and run one at a time: they compare counter
//! values before and after (`counts()` … `since()`), and clear faults first.
#![allow(dead_code)]

use js_sys::{Array, Function, Object, Promise, Reflect};
use partner_sdk::api::SafeSdk;
use partner_sdk::core::base64url;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

// ---- the sandbox and its controls ---------------------------------------------------

/// The sandbox started by `scripts/test.sh` (compiled in from `SANDBOX_URL`).
pub fn sandbox() -> &'static str {
    match option_env!("SANDBOX_URL") {
        Some(url) => url,
        None => panic!("SANDBOX_URL is not set: run the browser tests through `npm test`"),
    }
}

/// An origin where nothing listens.
pub const CLOSED_ORIGIN: &str = "http://127.0.0.1:9";

/// The sandbox under another origin: `localhost` instead of `127.0.0.1` (same server).
pub fn sandbox_other_origin() -> String {
    sandbox().replacen("127.0.0.1", "localhost", 1)
}

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

/// `POST /__sandbox/faults` with a fault built from `pairs` (JSON-escaped by JS):
/// `path`, `count`, `status`, `delay_ms`, `body`, `headers`, … as `sandbox/README.md` lists.
pub async fn fault(pairs: &[(&str, JsValue)]) {
    let text = js_sys::JSON::stringify(&obj(pairs))
        .unwrap()
        .as_string()
        .unwrap();
    control("faults", &text).await;
}

/// Holds the next request under `path` for `ms`, then answers 503 without reaching
/// the API handler (so nothing from this test lands in later tests' counters).
pub async fn hold(path: &str, ms: u32) {
    fault(&[
        ("path", path.into()),
        ("count", 1.into()),
        ("delay_ms", ms.into()),
        ("status", 503.into()),
    ])
    .await;
}

/// `DELETE /__sandbox/faults`: no fault left over from an earlier test.
pub async fn clear_faults() {
    fetch_json("DELETE", "/__sandbox/faults", None).await;
}

/// The sandbox counters the tests compare, read at one moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Counts {
    /// Requests to the protected API (faulted ones included).
    pub api: f64,
    /// API requests answered 401.
    pub unauthorized: f64,
    /// API requests answered 403.
    pub forbidden: f64,
    /// Gatekeeper device registrations.
    pub registrations: f64,
    /// Gatekeeper device checks.
    pub checks: f64,
}

/// Reads the counters now.
pub async fn counts() -> Counts {
    let c = fetch_json("GET", "/__sandbox/counters", None).await;
    // A counter the sandbox no longer has would read as 0 and let "nothing sent" pass.
    let n = |k: &str| {
        get(&c, k)
            .as_f64()
            .unwrap_or_else(|| panic!("the sandbox has no counter {k}: {c:?}"))
    };
    Counts {
        api: n("api_requests"),
        unauthorized: n("unauthorized"),
        forbidden: n("forbidden"),
        registrations: n("device_registrations"),
        checks: n("checks"),
    }
}

impl Counts {
    /// What changed since `self` was read.
    pub async fn since(self) -> Counts {
        let now = counts().await;
        Counts {
            api: now.api - self.api,
            unauthorized: now.unauthorized - self.unauthorized,
            forbidden: now.forbidden - self.forbidden,
            registrations: now.registrations - self.registrations,
            checks: now.checks - self.checks,
        }
    }

    /// Waits (up to 5 s) until the sandbox has seen `n` API requests since `self`: a
    /// request is at the server, rather than a fixed sleep that a loaded machine outruns.
    pub async fn until_api(self, n: f64) {
        let t0 = now_ms();
        while self.since().await.api < n {
            assert!(
                now_ms() - t0 < 5000.0,
                "the sandbox never saw {n} API requests"
            );
            sleep(20).await;
        }
    }
}

/// The jti of the last token a protected endpoint accepted.
pub async fn last_jti() -> Option<String> {
    let c = fetch_json("GET", "/__sandbox/counters", None).await;
    Reflect::get(&c, &"last_jti".into()).unwrap().as_string()
}

// ---- the demo invoice, tokens -------------------------------------------------------

/// The sandbox's demo invoice, readable with a checkout token for `inv_1001`.
pub const INVOICE: &str = "/v1/invoices/inv_1001";
/// Payments of the demo invoice (`POST`).
pub const PAYMENTS: &str = "/v1/invoices/inv_1001/payments";
/// A JWT header for tokens built in the test (`token(H, payload)`).
pub const H: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// A real checkout token for `invoice`, minted by the sandbox with `ttl` seconds
/// (negative: already expired).
pub async fn mint_checkout(invoice: &str, ttl: i32) -> String {
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

/// A claim of a token (decoded in the test, not by the SDK).
pub fn claim_of(token: &str, name: &str) -> JsValue {
    let payload = token.split('.').nth(1).unwrap();
    let text = String::from_utf8(base64url::decode(payload).unwrap()).unwrap();
    get(&js_sys::JSON::parse(&text).unwrap(), name)
}

// ---- JS values and calls ------------------------------------------------------------

/// Builds a plain JS object from pairs.
pub fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

/// Reads `target[key]`.
pub fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &key.into()).unwrap()
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

/// Starts `target[method](...args)` and hands back its Promise without awaiting it.
pub fn start(target: &JsValue, method: &str, args: &[JsValue]) -> Promise {
    call(target, method, args).unwrap().dyn_into().unwrap()
}

/// Awaits a Promise.
pub async fn settle(p: Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(p).await
}

/// Awaits every Promise, in order.
pub async fn settle_all(ps: Vec<Promise>) -> Vec<Result<JsValue, JsValue>> {
    let all = Promise::all_settled(&ps.into_iter().collect::<Array>());
    let out: Array = JsFuture::from(all).await.unwrap().unchecked_into();
    out.iter()
        .map(|r| {
            if get(&r, "status").as_string().as_deref() == Some("fulfilled") {
                Ok(get(&r, "value"))
            } else {
                Err(get(&r, "reason"))
            }
        })
        .collect()
}

// ---- JS functions and callbacks -----------------------------------------------------

/// A JS function from a Rust closure (kept alive by the JS GC; tests only).
pub fn js_fn0(f: impl FnMut() -> JsValue + 'static) -> JsValue {
    Closure::<dyn FnMut() -> JsValue>::new(f).into_js_value()
}

/// A JS function of one argument.
pub fn js_fn1(f: impl FnMut(JsValue) -> JsValue + 'static) -> JsValue {
    Closure::<dyn FnMut(JsValue) -> JsValue>::new(f).into_js_value()
}

/// A JS function of no argument whose `Err` is thrown.
pub fn js_try0(f: impl FnMut() -> Result<JsValue, JsValue> + 'static) -> JsValue {
    Closure::<dyn FnMut() -> Result<JsValue, JsValue>>::new(f).into_js_value()
}

/// A JS function of one argument whose `Err` is thrown.
pub fn js_try1(f: impl FnMut(JsValue) -> Result<JsValue, JsValue> + 'static) -> JsValue {
    Closure::<dyn FnMut(JsValue) -> Result<JsValue, JsValue>>::new(f).into_js_value()
}

/// A JS function built from source (the test page has no CSP).
pub fn js(args: &str, body: &str) -> Function {
    Function::new_with_args(args, body)
}

/// Runs JS source on the test page and returns its result.
pub fn run_js(body: &str) -> JsValue {
    js("", body).call0(&JsValue::UNDEFINED).unwrap()
}

/// A JS function that counts its calls and answers with `f()` (an `Err` is thrown).
pub fn counting(
    mut f: impl FnMut() -> Result<JsValue, JsValue> + 'static,
) -> (JsValue, std::rc::Rc<std::cell::Cell<u32>>) {
    let n = std::rc::Rc::new(std::cell::Cell::new(0));
    let seen = n.clone();
    let cb = Closure::<dyn FnMut() -> Result<JsValue, JsValue>>::new(move || {
        seen.set(seen.get() + 1);
        f()
    })
    .into_js_value();
    (cb, n)
}

/// A token callback that must not be called, and its call count.
pub fn forbidden_callback() -> (JsValue, Rc<Cell<u32>>) {
    counting(|| Err("the token callback must not be called".into()))
}

/// A token callback answering `token`, and its call count.
pub fn answering(token: &str) -> (JsValue, Rc<Cell<u32>>) {
    let t = token.to_owned();
    counting(move || Ok(t.clone().into()))
}

/// A JS function of one argument that records every argument it gets.
pub fn recorder() -> (JsValue, std::rc::Rc<std::cell::RefCell<Vec<JsValue>>>) {
    let log = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let sink = log.clone();
    let f = js_fn1(move |arg| {
        sink.borrow_mut().push(arg);
        JsValue::UNDEFINED
    });
    (f, log)
}

// ---- time ---------------------------------------------------------------------------

/// `Date.now()`.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
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

/// Settles `p`, or `None` when it has not settled after `ms` (a hang).
pub async fn within(ms: i32, p: Promise) -> Option<Result<JsValue, JsValue>> {
    const HUNG: &str = "__still pending__";
    let timer = delayed(ms, HUNG.into());
    match settle(Promise::race(&Array::of2(&p, &timer))).await {
        Ok(v) if v.as_string().as_deref() == Some(HUNG) => None,
        r => Some(r),
    }
}

/// Polls `cond` every 5 ms until it holds; panics after `ms`.
pub async fn wait_until(what: &str, ms: f64, mut cond: impl FnMut() -> bool) {
    let t0 = now_ms();
    while !cond() {
        assert!(now_ms() - t0 < ms, "timed out waiting for {what}");
        sleep(5).await;
    }
}

// ---- errors -------------------------------------------------------------------------

/// An error's `message`, or `""`.
pub fn message(error: &JsValue) -> String {
    get(error, "message").as_string().unwrap_or_default()
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

// ---- AlternativeClient --------------------------------------------------------------

#[wasm_bindgen(module = "/js/alternative.js")]
extern "C" {
    /// The request methods the package's entries define on the class's prototype.
    #[wasm_bindgen(js_name = addMethods)]
    fn add_methods(class: &JsValue) -> JsValue;
}

/// `AlternativeClient.create(options)`, with the request methods the shipped entries
/// add (`get`, `post`, ... over the one `__send` export).
pub async fn create(options: JsValue) -> Result<JsValue, JsValue> {
    let client = JsFuture::from(partner_sdk::api::AlternativeClient::create(options)).await?;
    add_methods(&Reflect::get(&client, &"constructor".into())?);
    Ok(client)
}

/// `AlternativeClient.create` against the sandbox with `token` plus `extra` options.
pub async fn checkout_client(token: &str, extra: &[(&str, JsValue)]) -> JsValue {
    let mut pairs: Vec<(&str, JsValue)> =
        vec![("accessToken", token.into()), ("baseUrl", sandbox().into())];
    pairs.extend(extra.iter().cloned());
    create(obj(&pairs)).await.unwrap()
}

/// `client.claims.jti`.
pub fn client_jti(client: &JsValue) -> Option<String> {
    let claims = get(client, "claims");
    if claims.is_object() {
        get(&claims, "jti").as_string()
    } else {
        None
    }
}

/// A live token for inv_1001 (faults cleared first) and a client holding it, with
/// `extra` options.
pub async fn live_client(extra: &[(&str, JsValue)]) -> (JsValue, String) {
    clear_faults().await;
    let a = mint_checkout("inv_1001", 600).await;
    (checkout_client(&a, extra).await, a)
}

/// [`live_client`] with a token callback that must never be needed, and its call count.
pub async fn guarded_client(extra: &[(&str, JsValue)]) -> (JsValue, String, Rc<Cell<u32>>) {
    let (cb, calls) = forbidden_callback();
    let mut opts = vec![("onAccessTokenExpired", cb)];
    opts.extend(extra.iter().cloned());
    let (c, a) = live_client(&opts).await;
    (c, a, calls)
}

/// A live token A, then a revocation (A is now refused), then a fresh token B
/// (faults cleared first).
pub async fn revoked_then_fresh() -> (String, String) {
    clear_faults().await;
    let a = mint_checkout("inv_1001", 600).await;
    revoke_all().await;
    let b = mint_checkout("inv_1001", 600).await;
    (a, b)
}

/// `client.get(INVOICE)` and how long it took, in ms.
pub async fn timed_get(c: &JsValue) -> (Result<JsValue, JsValue>, f64) {
    let t0 = now_ms();
    let r = call_async(c, "get", &[INVOICE.into()]).await;
    (r, now_ms() - t0)
}

/// Asserts that `r` is the demo invoice.
pub fn assert_invoice(r: &Result<JsValue, JsValue>) {
    let v = r
        .as_ref()
        .unwrap_or_else(|e| panic!("request failed: {e:?}"));
    assert_eq!(get(v, "id").as_string().as_deref(), Some("inv_1001"));
}

/// A slot page callbacks read their client from (it exists only after `create`).
pub type Slot = Rc<RefCell<Option<JsValue>>>;

/// Calls `slot[method](...args)`; an `Err` when the slot is still empty.
pub fn slot_call(slot: &Slot, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let target = slot.borrow().clone().ok_or("no client yet")?;
    call(&target, method, args)
}

// ---- SafeSDK ------------------------------------------------------------------------

/// The sandbox's Gatekeeper application, version and API key.
pub const GK_APP: &str = "demo-app";
pub const GK_VERSION: &str = "1.0.0";
pub const GK_KEY: &str = "demo-api-key";

/// Valid `SafeSDK` options for the sandbox, with `overrides` applied (a value of
/// `undefined` removes the key).
pub fn safe_options(overrides: &[(&str, JsValue)]) -> JsValue {
    let o = obj(&[
        ("apiKey", GK_KEY.into()),
        ("applicationId", GK_APP.into()),
        ("applicationVersion", GK_VERSION.into()),
        ("baseUrl", sandbox().into()),
    ]);
    for (k, v) in overrides {
        if v.is_undefined() {
            Reflect::delete_property(o.unchecked_ref::<Object>(), &(*k).into()).unwrap();
        } else {
            Reflect::set(&o, &(*k).into(), v).unwrap();
        }
    }
    o
}

/// `new SafeSDK(safe_options(overrides))` through the Rust export; panics on a
/// configuration error.
pub fn safe_sdk(overrides: &[(&str, JsValue)]) -> JsValue {
    match SafeSdk::new(safe_options(overrides)) {
        Ok(s) => JsValue::from(s),
        Err(e) => panic!("SafeSDK constructor threw: {e:?}"),
    }
}

/// `new SafeSDK(options)` through the JS class, as a page writes it.
pub fn construct_safe_sdk(options: &JsValue) -> Result<JsValue, JsValue> {
    let ctor: Function = get(&safe_sdk(&[]), "constructor").dyn_into().unwrap();
    Reflect::construct(&ctor, &Array::of1(options))
}

/// `sdk.initialize(jwt)` with a fresh Gatekeeper token.
pub async fn initialize(s: &JsValue) -> Result<JsValue, JsValue> {
    let t = mint_gatekeeper(600).await;
    call_async(s, "initialize", &[t.into()]).await
}

/// `initialize(s)`, a revoke of every token, then `s.check()`'s result.
pub async fn check_after_revoke(s: &JsValue) -> JsValue {
    initialize(s).await.unwrap();
    revoke_all().await;
    call_async(s, "check", &[])
        .await
        .expect("check() resolves, it does not reject")
}

/// Asserts a `check()` result is `{ status: 'AuthenticationFailed', reason }`.
pub fn assert_authentication_failed(result: &JsValue, reason: &str) {
    assert_eq!(
        status_of(result).as_deref(),
        Some("AuthenticationFailed"),
        "{result:?}"
    );
    assert_eq!(
        get(result, "reason").as_string().as_deref(),
        Some(reason),
        "{result:?}"
    );
}

/// The `status` of a `check()` result.
pub fn status_of(result: &JsValue) -> Option<String> {
    get(result, "status").as_string()
}

/// The path of a device's checks, for fault injection.
pub fn checks_path(device_id: &str) -> String {
    format!("/v1/applications/{GK_APP}/versions/{GK_VERSION}/devices/{device_id}/checks")
}

/// A token callback that counts its calls and resolves to a freshly minted 15-minute
/// checkout token for inv_1001.
pub fn checkout_minting_callback() -> (JsValue, Rc<Cell<u32>>) {
    counting(|| {
        let minted = wasm_bindgen_futures::future_to_promise(async {
            Ok(JsValue::from(mint_checkout("inv_1001", 900).await))
        });
        Ok(minted.into())
    })
}

/// A token callback that counts its calls and resolves to a freshly minted
/// Gatekeeper token.
pub fn gatekeeper_minting_callback() -> (JsValue, Rc<Cell<u32>>) {
    counting(|| {
        let minted = wasm_bindgen_futures::future_to_promise(async {
            Ok(JsValue::from(mint_gatekeeper(600).await))
        });
        Ok(minted.into())
    })
}

/// The page's `localStorage`.
pub fn storage() -> web_sys::Storage {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .expect("localStorage")
}

/// Empties `localStorage` (device ids of earlier tests).
pub fn clear_storage() {
    storage().clear().unwrap();
}

// ---- watching the page --------------------------------------------------------------

/// One `fetch` call seen by [`FetchSpy`]: (url, method, authorization, content-type).
pub type Sent = (String, String, Option<String>, Option<String>);

/// A `fetch` spy: every call made while it is installed is recorded as a [`Sent`],
/// then passed to the real `fetch`.
pub struct FetchSpy {
    original: JsValue,
    /// The recorded calls.
    pub calls: std::rc::Rc<std::cell::RefCell<Vec<Sent>>>,
}

impl FetchSpy {
    /// Installs the spy on `window.fetch`.
    pub fn install() -> FetchSpy {
        let window: JsValue = web_sys::window().unwrap().into();
        let original = get(&window, "fetch");
        let calls = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let (sink, real, win) = (calls.clone(), original.clone(), window.clone());
        let spy = Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(
            move |input: JsValue, init: JsValue| {
                // fetch(url, init) or fetch(request): read method and headers from
                // whichever object carries them.
                let options = if input.is_string() { &init } else { &input };
                let header = |name: &str| {
                    let headers = get(options, "headers");
                    if headers.is_object() {
                        call(&headers, "get", &[name.into()])
                            .ok()
                            .and_then(|v| v.as_string())
                    } else {
                        None
                    }
                };
                let url = input.as_string().or_else(|| get(&input, "url").as_string());
                sink.borrow_mut().push((
                    url.unwrap_or_default(),
                    get(options, "method").as_string().unwrap_or_default(),
                    header("authorization"),
                    header("content-type"),
                ));
                let f: &Function = real.unchecked_ref();
                f.call2(&win, &input, &init).unwrap()
            },
        )
        .into_js_value();
        Reflect::set(&window, &"fetch".into(), &spy).unwrap();
        FetchSpy { original, calls }
    }

    /// Calls whose URL contains `part`.
    pub fn to(&self, part: &str) -> Vec<Sent> {
        self.calls
            .borrow()
            .iter()
            .filter(|c| c.0.contains(part))
            .cloned()
            .collect()
    }
}

impl Drop for FetchSpy {
    fn drop(&mut self) {
        let window: JsValue = web_sys::window().unwrap().into();
        let _ = Reflect::set(&window, &"fetch".into(), &self.original);
    }
}

/// Records every `unhandledrejection` event on `window` while it lives.
pub struct RejectionWatch {
    listener: JsValue,
    /// The `reason` of each unhandled rejection seen.
    pub seen: std::rc::Rc<std::cell::RefCell<Vec<JsValue>>>,
}

impl RejectionWatch {
    /// Installs the listener.
    pub fn install() -> RejectionWatch {
        let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let sink = seen.clone();
        let listener = js_fn1(move |event| {
            let reason = Reflect::get(&event, &"reason".into()).unwrap_or(JsValue::UNDEFINED);
            sink.borrow_mut().push(reason);
            JsValue::UNDEFINED
        });
        let window: JsValue = web_sys::window().unwrap().into();
        call(
            &window,
            "addEventListener",
            &["unhandledrejection".into(), listener.clone()],
        )
        .unwrap();
        RejectionWatch { listener, seen }
    }

    /// Gives pending rejections a tick (50 ms), then asserts none went unhandled.
    pub async fn assert_none(&self) {
        sleep(50).await;
        let seen = self.seen.borrow();
        assert!(seen.is_empty(), "unhandled rejections: {:?}", *seen);
    }
}

impl Drop for RejectionWatch {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            let _ = call(
                &window.into(),
                "removeEventListener",
                &["unhandledrejection".into(), self.listener.clone()],
            );
        }
    }
}
