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

// ---- helpers for the AlternativeClient tests -------------------------------------

/// The sandbox counters the tests compare, read at one moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Counts {
    /// Requests to the protected API (faulted ones included).
    pub api: f64,
    /// API requests answered 401.
    pub unauthorized: f64,
    /// API requests answered 403.
    pub forbidden: f64,
}

/// Reads the counters now.
pub async fn counts() -> Counts {
    let c = fetch_json("GET", "/__sandbox/counters", None).await;
    let n = |k: &str| get(&c, k).as_f64().unwrap_or(0.0);
    Counts {
        api: n("api_requests"),
        unauthorized: n("unauthorized"),
        forbidden: n("forbidden"),
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
        }
    }
}

/// `DELETE /__sandbox/faults`: no fault left over from an earlier test.
pub async fn clear_faults() {
    fetch_json("DELETE", "/__sandbox/faults", None).await;
}

/// `POST /__sandbox/faults` with a fault object built in JS (so `body` is escaped).
pub async fn fault_obj(fault: &JsValue) {
    let text = js_sys::JSON::stringify(fault).unwrap().as_string().unwrap();
    control("faults", &text).await;
}

/// A claim of a token (decoded in the test, not by the SDK).
pub fn claim_of(token: &str, name: &str) -> JsValue {
    let payload = token.split('.').nth(1).unwrap();
    let text = String::from_utf8(base64url::decode(payload).unwrap()).unwrap();
    get(&js_sys::JSON::parse(&text).unwrap(), name)
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

/// Polls `cond` every 5 ms until it holds; panics after `ms`.
pub async fn wait_until(what: &str, ms: f64, mut cond: impl FnMut() -> bool) {
    let t0 = now_ms();
    while !cond() {
        assert!(now_ms() - t0 < ms, "timed out waiting for {what}");
        sleep(5).await;
    }
}

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

// ---- helpers for the hostile-server / hostile-page / re-entrancy tests -------------

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

/// The sandbox under another origin: `localhost` instead of `127.0.0.1` (same server).
pub fn sandbox_other_origin() -> String {
    sandbox().replacen("127.0.0.1", "localhost", 1)
}
