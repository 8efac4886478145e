//! Hostile servers, hostile pages and re-entrancy, in headless Chromium against the
//! sandbox's fault injection: every case ends in a typed error or a correct result,
//! within its deadline, with no borrow error and no unhandled rejection.
//!
//! The tests share one sandbox and run one at a time, so they read counter deltas and
//! clear faults first.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::{Promise, Reflect};
use partner_sdk::api::SafeSdk;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const INVOICE: &str = "/v1/invoices/inv_1001";
const PAYMENTS: &str = "/v1/invoices/inv_1001/payments";

/// Injects one fault built from `pairs` (JSON-escaped by JS).
async fn inject(pairs: &[(&str, JsValue)]) {
    fault_obj(&obj(pairs)).await;
}

/// A live token for inv_1001 and a client with `extra` options.
async fn live(extra: &[(&str, JsValue)]) -> (JsValue, String) {
    clear_faults().await;
    let a = mint_checkout("inv_1001", 600).await;
    (checkout_client(&a, extra).await, a)
}

/// `client.get(INVOICE)` and how long it took, in ms.
async fn timed_get(c: &JsValue) -> (Result<JsValue, JsValue>, f64) {
    let t0 = now_ms();
    let r = call_async(c, "get", &[INVOICE.into()]).await;
    (r, now_ms() - t0)
}

/// A token callback that must not be called, and its call count.
fn forbidden_callback() -> (JsValue, Rc<Cell<u32>>) {
    counting(|| Err("the token callback must not be called".into()))
}

/// A token callback answering `token`, and its call count.
fn answering(token: &str) -> (JsValue, Rc<Cell<u32>>) {
    let t = token.to_owned();
    counting(move || Ok(t.clone().into()))
}

/// A JS function of no argument whose `Err` is thrown.
fn js_try0(f: impl FnMut() -> Result<JsValue, JsValue> + 'static) -> JsValue {
    Closure::<dyn FnMut() -> Result<JsValue, JsValue>>::new(f).into_js_value()
}

/// A JS function of one argument whose `Err` is thrown.
fn js_try1(f: impl FnMut(JsValue) -> Result<JsValue, JsValue> + 'static) -> JsValue {
    Closure::<dyn FnMut(JsValue) -> Result<JsValue, JsValue>>::new(f).into_js_value()
}

fn assert_invoice(r: &Result<JsValue, JsValue>) {
    let v = r
        .as_ref()
        .unwrap_or_else(|e| panic!("request failed: {e:?}"));
    assert_eq!(get(v, "id").as_string().as_deref(), Some("inv_1001"));
}

// ---- hostile servers ------------------------------------------------------------

#[wasm_bindgen_test]
async fn a_200_that_is_not_json_is_api_error_with_the_raw_text() {
    let watch = RejectionWatch::install();
    let (cb, calls) = forbidden_callback();
    let (c, _) = live(&[("onAccessTokenExpired", cb)]).await;
    inject(&[
        ("path", INVOICE.into()),
        ("status", 200.into()),
        ("body", "<html>".into()),
    ])
    .await;
    let (r, ms) = timed_get(&c).await;
    let err = r.unwrap_err();
    assert_error(&err, "ApiError", "API_ERROR");
    assert_eq!(get(&err, "status").as_f64(), Some(200.0));
    assert_eq!(get(&err, "body").as_string().as_deref(), Some("<html>"));
    assert!(get(&err, "requestId").as_string().is_some());
    assert!(ms < 5000.0, "{ms} ms");
    assert_eq!(calls.get(), 0);
    assert_invoice(&timed_get(&c).await.0);
    watch.assert_none().await;
}

#[wasm_bindgen_test]
async fn a_10_mb_body_is_read_and_typed_within_its_deadline() {
    let (c, _) = live(&[("requestTimeoutMs", 20_000.into())]).await;
    let n = 10 * 1024 * 1024;
    inject(&[
        ("path", INVOICE.into()),
        ("status", 200.into()),
        ("body_bytes", n.into()),
    ])
    .await;
    let (r, ms) = timed_get(&c).await;
    let err = r.unwrap_err();
    assert_error(&err, "ApiError", "API_ERROR");
    assert_eq!(get(&err, "status").as_f64(), Some(200.0));
    let body = get(&err, "body").as_string().unwrap();
    assert_eq!(body.len(), n as usize, "the whole body, as text");
    assert!(body.bytes().all(|b| b == b'x'));
    assert!(ms < 20_000.0, "{ms} ms");
    // The same body under an error status: ApiError with the raw text too.
    inject(&[
        ("path", INVOICE.into()),
        ("status", 500.into()),
        ("body_bytes", n.into()),
    ])
    .await;
    let err = timed_get(&c).await.0.unwrap_err();
    assert_eq!(get(&err, "status").as_f64(), Some(500.0));
    assert_eq!(
        get(&err, "body").as_string().map(|b| b.len()),
        Some(n as usize)
    );
    assert_invoice(&timed_get(&c).await.0);
}

#[wasm_bindgen_test]
async fn a_body_trickling_past_request_timeout_is_request_timeout() {
    let watch = RejectionWatch::install();
    let (c, _) = live(&[("requestTimeoutMs", 1000.into())]).await;
    // The head arrives at once; 30 bytes at one byte per 200 ms would take 6 s.
    inject(&[
        ("path", INVOICE.into()),
        ("status", 200.into()),
        ("body", r#"{"id":"inv_1001","pad":"....."}"#.into()),
        ("trickle_ms", 200.into()),
    ])
    .await;
    let (r, ms) = timed_get(&c).await;
    let err = r.unwrap_err();
    assert_error(&err, "NetworkError", "REQUEST_TIMEOUT");
    assert!(
        (900.0..3500.0).contains(&ms),
        "{ms} ms for a 1000 ms deadline"
    );
    assert_invoice(&timed_get(&c).await.0);
    watch.assert_none().await;
}

#[wasm_bindgen_test]
async fn a_connection_closed_mid_body_is_network_error() {
    let watch = RejectionWatch::install();
    let (cb, calls) = forbidden_callback();
    let (c, _) = live(&[("onAccessTokenExpired", cb)]).await;
    for (status, total, sent) in [(200, 100_000, 1000), (401, 5000, 10), (500, 64, 1)] {
        inject(&[
            ("path", INVOICE.into()),
            ("status", status.into()),
            ("body_bytes", total.into()),
            ("close_after_bytes", sent.into()),
        ])
        .await;
        let (r, ms) = timed_get(&c).await;
        let err = r.unwrap_err();
        assert_error(&err, "NetworkError", "NETWORK_ERROR");
        assert!(ms < 5000.0, "{status}: {ms} ms");
    }
    assert_eq!(
        calls.get(),
        0,
        "a cut 401 is a network failure, not a refusal"
    );
    assert_invoice(&timed_get(&c).await.0);
    watch.assert_none().await;
}

#[wasm_bindgen_test]
async fn a_401_with_no_body_or_html_is_expired_without_callback_and_refreshes_with_one() {
    let watch = RejectionWatch::install();
    for body in ["", "<html><body><h1>401 Unauthorized</h1></body></html>"] {
        let (plain, _) = live(&[]).await;
        inject(&[
            ("path", INVOICE.into()),
            ("status", 401.into()),
            ("body", body.into()),
        ])
        .await;
        let err = timed_get(&plain).await.0.unwrap_err();
        assert_error(&err, "AccessTokenExpiredError", "ACCESS_TOKEN_EXPIRED");

        let fresh = mint_checkout("inv_1001", 600).await;
        let (cb, calls) = answering(&fresh);
        let (c, _) = live(&[("onAccessTokenExpired", cb)]).await;
        inject(&[
            ("path", INVOICE.into()),
            ("status", 401.into()),
            ("body", body.into()),
        ])
        .await;
        let before = counts().await;
        assert_invoice(&timed_get(&c).await.0);
        assert_eq!(calls.get(), 1, "body {body:?}");
        assert_eq!(before.since().await.api, 2.0);
        assert_eq!(last_jti().await, Some(jti_of(&fresh)));
    }
    watch.assert_none().await;
}

#[wasm_bindgen_test]
async fn a_401_on_every_request_refreshes_once_then_gives_up() {
    let watch = RejectionWatch::install();
    clear_faults().await;
    let a = mint_checkout("inv_1001", 600).await;
    let calls = Rc::new(Cell::new(0u32));
    let seen = calls.clone();
    // Each call hands out a brand-new token (minted in advance).
    let mut spare = Vec::new();
    for _ in 0..3 {
        spare.push(mint_checkout("inv_1001", 600).await);
    }
    let cb = js_fn0(move || {
        seen.set(seen.get() + 1);
        spare.pop().map_or(JsValue::UNDEFINED, JsValue::from)
    });
    let c = checkout_client(&a, &[("onAccessTokenExpired", cb)]).await;
    inject(&[
        ("path", INVOICE.into()),
        ("count", 10.into()),
        ("status", 401.into()),
    ])
    .await;
    let before = counts().await;
    let (r, ms) = timed_get(&c).await;
    assert_error(
        &r.unwrap_err(),
        "AccessTokenExpiredError",
        "ACCESS_TOKEN_EXPIRED",
    );
    assert!(ms < 5000.0, "{ms} ms");
    assert_eq!(calls.get(), 1, "one refresh per request, never a loop");
    let d = before.since().await;
    assert_eq!((d.api, d.unauthorized), (2.0, 2.0));
    clear_faults().await;
    watch.assert_none().await;
}

#[wasm_bindgen_test]
async fn a_429_with_retry_after_is_api_error_never_a_refresh() {
    let (cb, calls) = forbidden_callback();
    let (c, _) = live(&[("onAccessTokenExpired", cb)]).await;
    inject(&[
        ("path", INVOICE.into()),
        ("status", 429.into()),
        ("body", r#"{"error":"rate_limited"}"#.into()),
        ("headers", obj(&[("retry-after", "30".into())])),
    ])
    .await;
    let before = counts().await;
    let err = timed_get(&c).await.0.unwrap_err();
    assert_error(&err, "ApiError", "API_ERROR");
    assert_eq!(get(&err, "status").as_f64(), Some(429.0));
    assert_eq!(
        get(&get(&err, "body"), "error").as_string().as_deref(),
        Some("rate_limited")
    );
    assert_eq!(calls.get(), 0, "429 is not a refusal of the token");
    assert_eq!(before.since().await.api, 1.0, "no retry");
}

#[wasm_bindgen_test]
async fn a_redirect_to_another_origin_is_network_error_and_the_token_does_not_follow() {
    let watch = RejectionWatch::install();
    let (c, _) = live(&[]).await;
    let other = sandbox_other_origin();
    assert_ne!(other, sandbox(), "the other origin must differ");
    let echo = format!("{other}/__sandbox/echo");
    // Reset the record through the other origin itself (which also proves it answers).
    let plain = plain_fetch_json(&echo).await;
    assert_eq!(get(&plain, "authorization_present").as_bool(), Some(false));
    for status in [301, 302, 307, 308] {
        inject(&[
            ("path", INVOICE.into()),
            ("status", status.into()),
            ("headers", obj(&[("location", echo.clone().into())])),
        ])
        .await;
        let (r, ms) = timed_get(&c).await;
        assert_error(&r.unwrap_err(), "NetworkError", "NETWORK_ERROR");
        assert!(ms < 5000.0, "{status}: {ms} ms");
        let counters = fetch_json("GET", "/__sandbox/counters", None).await;
        assert_ne!(
            get(&counters, "last_authorization_present").as_bool(),
            Some(true),
            "{status}: the other origin saw an Authorization header"
        );
    }
    assert_invoice(&timed_get(&c).await.0);
    watch.assert_none().await;
}

/// `fetch(url)` without credentials or headers, as JSON.
async fn plain_fetch_json(url: &str) -> JsValue {
    let window = web_sys::window().unwrap();
    let resp = settle(
        call(&window.into(), "fetch", &[url.into()])
            .unwrap()
            .unchecked_into(),
    )
    .await
    .unwrap();
    let text: Promise = call(&resp, "json", &[]).unwrap().unchecked_into();
    settle(text).await.unwrap()
}

// ---- hostile pages ----------------------------------------------------------------

#[wasm_bindgen_test]
async fn a_token_for_the_wrong_api_is_simply_used_and_refused_typed() {
    let watch = RejectionWatch::install();
    clear_faults().await;
    let a = mint_checkout("inv_1001", 600).await;
    revoke_all().await;
    // A valid Gatekeeper token (the other API), and a checkout token for another invoice.
    let wrong = [
        mint_gatekeeper(600).await,
        mint_checkout("inv_9999", 600).await,
    ];
    for w in wrong {
        let (cb, calls) = answering(&w);
        let c = checkout_client(&a, &[("onAccessTokenExpired", cb)]).await;
        let spy = FetchSpy::install();
        let before = counts().await;
        let err = timed_get(&c).await.0.unwrap_err();
        assert_error(&err, "ApiError", "API_ERROR");
        assert_eq!(get(&err, "status").as_f64(), Some(403.0));
        assert_eq!(calls.get(), 1);
        let sent = spy.to(INVOICE);
        assert_eq!(sent.len(), 2);
        assert_eq!(sent[1].2.as_deref(), Some(format!("Bearer {w}").as_str()));
        let d = before.since().await;
        assert_eq!((d.api, d.unauthorized, d.forbidden), (2.0, 1.0, 1.0));
        assert_eq!(client_jti(&c), Some(jti_of(&w)), "the client holds it");
    }
    // A well-shaped token the API does not know: refused again, so expired.
    let forged = token(r#"{"alg":"HS256"}"#, r#"{"jti":"nobody","exp":4102444800}"#);
    let (cb, calls) = answering(&forged);
    let c = checkout_client(&a, &[("onAccessTokenExpired", cb)]).await;
    let err = timed_get(&c).await.0.unwrap_err();
    assert_error(&err, "AccessTokenExpiredError", "ACCESS_TOKEN_EXPIRED");
    assert_eq!(calls.get(), 1);
    watch.assert_none().await;
}

/// A slot the callbacks read the client from (it exists only after `create`).
type Slot = Rc<RefCell<Option<JsValue>>>;

fn slot_call(slot: &Slot, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let target = slot.borrow().clone().ok_or("no client yet")?;
    call(&target, method, args)
}

#[wasm_bindgen_test]
async fn a_callback_that_destroys_the_client_rejects_the_waiter_with_client_destroyed() {
    let watch = RejectionWatch::install();
    clear_faults().await;
    for returns_promise in [false, true] {
        let a = mint_checkout("inv_1001", 600).await;
        revoke_all().await;
        let b = mint_checkout("inv_1001", 600).await;
        let slot: Slot = Rc::default();
        let (inner, thrown) = (slot.clone(), Rc::new(RefCell::new(None)));
        let thrown_in = thrown.clone();
        let (cb, calls) = counting(move || {
            *thrown_in.borrow_mut() = slot_call(&inner, "destroy", &[]).err();
            Ok(if returns_promise {
                delayed(100, b.clone().into()).into()
            } else {
                b.clone().into()
            })
        });
        let (on_refreshed, events) = recorder();
        let c = checkout_client(
            &a,
            &[
                ("onAccessTokenExpired", cb),
                ("onTokenRefreshed", on_refreshed),
            ],
        )
        .await;
        *slot.borrow_mut() = Some(c.clone());
        let before = counts().await;
        let err = timed_get(&c).await.0.unwrap_err();
        assert_error(&err, "ClientDestroyedError", "CLIENT_DESTROYED");
        assert!(
            thrown.borrow().is_none(),
            "destroy() threw: {:?}",
            thrown.borrow()
        );
        assert_eq!(calls.get(), 1);
        sleep(200).await; // a promised token arrives meanwhile, and is discarded
        assert!(
            events.borrow().is_empty(),
            "no onTokenRefreshed after destroy"
        );
        assert!(get(&c, "claims").is_null());
        let later = timed_get(&c).await.0.unwrap_err();
        assert_error(&later, "ClientDestroyedError", "CLIENT_DESTROYED");
        assert_eq!(before.since().await.api, 1.0, "nothing sent after destroy");
    }
    watch.assert_none().await;
}

#[wasm_bindgen_test]
async fn on_token_refreshed_that_destroys_the_client_rejects_the_retry_cleanly() {
    let watch = RejectionWatch::install();
    clear_faults().await;
    let a = mint_checkout("inv_1001", 600).await;
    revoke_all().await;
    let b = mint_checkout("inv_1001", 600).await;
    let slot: Slot = Rc::default();
    let inner = slot.clone();
    let on_refreshed = js_fn1(move |_| slot_call(&inner, "destroy", &[]).unwrap_or_else(|e| e));
    let (cb, _) = answering(&b);
    let c = checkout_client(
        &a,
        &[
            ("onAccessTokenExpired", cb),
            ("onTokenRefreshed", on_refreshed),
        ],
    )
    .await;
    *slot.borrow_mut() = Some(c.clone());
    let err = timed_get(&c).await.0.unwrap_err();
    assert_error(&err, "ClientDestroyedError", "CLIENT_DESTROYED");
    assert!(get(&c, "claims").is_null());
    watch.assert_none().await;
}

#[wasm_bindgen_test]
async fn a_callback_that_sets_x_then_returns_y_leaves_y() {
    let watch = RejectionWatch::install();
    clear_faults().await;
    let a = mint_checkout("inv_1001", 600).await;
    revoke_all().await;
    let x = mint_checkout("inv_1001", 600).await;
    let y = mint_checkout("inv_1001", 600).await;
    let slot: Slot = Rc::default();
    let (inner, xs, ys) = (slot.clone(), x.clone(), y.clone());
    let (cb, calls) = counting(move || {
        slot_call(&inner, "setAccessToken", &[xs.clone().into()])?;
        Ok(ys.clone().into())
    });
    let (on_refreshed, events) = recorder();
    let c = checkout_client(
        &a,
        &[
            ("onAccessTokenExpired", cb),
            ("onTokenRefreshed", on_refreshed),
        ],
    )
    .await;
    *slot.borrow_mut() = Some(c.clone());
    assert_invoice(&timed_get(&c).await.0);
    assert_eq!(calls.get(), 1);
    assert_eq!(last_jti().await, Some(jti_of(&y)), "the retry used Y");
    assert_eq!(client_jti(&c), Some(jti_of(&y)));
    assert_eq!(get(&c, "expiresAt").as_f64(), claim_of(&y, "exp").as_f64());
    assert_eq!(events.borrow().len(), 1);
    assert_invoice(&timed_get(&c).await.0);
    assert_eq!(last_jti().await, Some(jti_of(&y)), "later requests use Y");
    watch.assert_none().await;
}

#[wasm_bindgen_test]
async fn on_token_refreshed_that_throws_or_rejects_breaks_nothing() {
    let watch = RejectionWatch::install();
    let throwing: Vec<(&str, JsValue)> = vec![
        (
            "throws an Error",
            js_try1(|_| Err(js_sys::Error::new("page bug").into())),
        ),
        (
            "returns a rejected promise",
            js_fn1(|_| Promise::reject(&js_sys::Error::new("async page bug").into()).into()),
        ),
        (
            "returns a thenable whose then throws",
            js_fn1(|_| {
                let then = js_try0(|| Err("hostile then".into()));
                obj(&[("then", then)])
            }),
        ),
    ];
    for (label, on_refreshed) in throwing {
        clear_faults().await;
        let a = mint_checkout("inv_1001", 600).await;
        revoke_all().await;
        let b = mint_checkout("inv_1001", 600).await;
        let (cb, calls) = answering(&b);
        let c = checkout_client(
            &a,
            &[
                ("onAccessTokenExpired", cb),
                ("onTokenRefreshed", on_refreshed),
            ],
        )
        .await;
        let r = timed_get(&c).await.0;
        assert!(r.is_ok(), "{label}: {r:?}");
        assert_eq!(calls.get(), 1, "{label}");
        assert_eq!(client_jti(&c), Some(jti_of(&b)), "{label}");
        assert_invoice(&timed_get(&c).await.0);
        call(&c, "setAccessToken", &[b.clone().into()]).unwrap();
    }
    watch.assert_none().await;
}

#[wasm_bindgen_test]
async fn a_token_callback_that_throws_or_rejects_anything_is_token_refresh_error() {
    let watch = RejectionWatch::install();
    let cases: Vec<(&str, JsValue)> = vec![
        ("throws a string", js_try0(|| Err("nope".into()))),
        (
            "rejects with undefined",
            js_fn0(|| Promise::reject(&JsValue::UNDEFINED).into()),
        ),
        (
            "returns a thenable whose then throws",
            js_fn0(|| obj(&[("then", js_try0(|| Err("hostile then".into())))])),
        ),
    ];
    for (label, cb) in cases {
        clear_faults().await;
        let a = mint_checkout("inv_1001", 600).await;
        revoke_all().await;
        let c = checkout_client(&a, &[("onAccessTokenExpired", cb)]).await;
        let err = timed_get(&c).await.0.unwrap_err();
        assert_error(&err, "TokenRefreshError", "TOKEN_REFRESH_FAILED");
        assert!(Reflect::has(&err, &"cause".into()).unwrap(), "{label}");
        assert_eq!(
            client_jti(&c),
            Some(jti_of(&a)),
            "{label}: the old token stays"
        );
    }
    watch.assert_none().await;
}

#[wasm_bindgen_test]
async fn a_token_callback_that_rejects_late_or_waits_on_its_own_client_times_out_typed() {
    let watch = RejectionWatch::install();
    clear_faults().await;
    let a = mint_checkout("inv_1001", 600).await;
    revoke_all().await;
    // Rejects 300 ms after the 200 ms deadline: the late rejection is nobody's problem.
    let late = js(
        "",
        "return new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 500));",
    );
    let c = checkout_client(
        &a,
        &[
            ("onAccessTokenExpired", late.into()),
            ("refreshTimeoutMs", 200.into()),
        ],
    )
    .await;
    let (r, ms) = timed_get(&c).await;
    assert_error(
        &r.unwrap_err(),
        "TokenRefreshTimeoutError",
        "TOKEN_REFRESH_TIMEOUT",
    );
    assert!(ms < 2000.0, "{ms} ms");
    sleep(500).await;

    // Waits for a request on its own client, which waits for this refresh: the
    // deadline breaks the cycle, and both end typed.
    let slot: Slot = Rc::default();
    let inner = slot.clone();
    let inner_result: Rc<RefCell<Option<Result<JsValue, JsValue>>>> = Rc::default();
    let sink = inner_result.clone();
    let (cb, calls) = counting(move || {
        let p: Promise = slot_call(&inner, "get", &[INVOICE.into()])?.unchecked_into();
        let (ok, err) = (sink.clone(), sink.clone());
        let on_ok = js_fn1(move |v| {
            *ok.borrow_mut() = Some(Ok(v.clone()));
            v
        });
        let on_err = js_try1(move |e| {
            *err.borrow_mut() = Some(Err(e.clone()));
            Err(e)
        });
        call(&p, "then", &[on_ok, on_err])
    });
    let c = checkout_client(
        &a,
        &[
            ("onAccessTokenExpired", cb),
            ("refreshTimeoutMs", 300.into()),
        ],
    )
    .await;
    *slot.borrow_mut() = Some(c.clone());
    let (r, ms) = timed_get(&c).await;
    let err = r.unwrap_err();
    assert_error(&err, "TokenRefreshTimeoutError", "TOKEN_REFRESH_TIMEOUT");
    assert!(ms < 2000.0, "{ms} ms");
    assert_eq!(calls.get(), 1);
    wait_until("the inner request to settle", 3000.0, || {
        inner_result.borrow().is_some()
    })
    .await;
    let inner_err = inner_result.borrow().clone().unwrap().unwrap_err();
    assert_error(
        &inner_err,
        "TokenRefreshTimeoutError",
        "TOKEN_REFRESH_TIMEOUT",
    );
    watch.assert_none().await;
}

/// Settles `p`, or `None` when it has not settled after `ms` (a hang).
async fn within(ms: i32, p: Promise) -> Option<Result<JsValue, JsValue>> {
    const HUNG: &str = "__still pending__";
    let timer = delayed(ms, HUNG.into());
    match settle(Promise::race(&js_sys::Array::of2(&p, &timer))).await {
        Ok(v) if v.as_string().as_deref() == Some(HUNG) => None,
        r => Some(r),
    }
}

/// A JS function built from source (the test page has no CSP).
fn js(args: &str, body: &str) -> js_sys::Function {
    js_sys::Function::new_with_args(args, body)
}

#[wasm_bindgen_test]
async fn on_token_refreshed_returning_a_thenable_with_a_throwing_getter_breaks_nothing() {
    let watch = RejectionWatch::install();
    clear_faults().await;
    let a = mint_checkout("inv_1001", 600).await;
    revoke_all().await;
    let b = mint_checkout("inv_1001", 600).await;
    let (cb, calls) = answering(&b);
    let hostile = js(
        "",
        "return Object.defineProperty({}, 'then', { get() { throw new Error('hostile getter'); } });",
    );
    let c = checkout_client(
        &a,
        &[
            ("onAccessTokenExpired", cb),
            ("onTokenRefreshed", hostile.into()),
        ],
    )
    .await;
    let r = within(5000, start(&c, "get", &[INVOICE.into()])).await;
    assert_invoice(&r.expect("the request hung"));
    assert_eq!(calls.get(), 1);
    let again = within(5000, start(&c, "get", &[INVOICE.into()])).await;
    assert_invoice(&again.expect("the client hung"));
    watch.assert_none().await;
}

#[wasm_bindgen_test]
async fn a_token_callback_returning_a_promise_whose_constructor_throws_is_token_refresh_error() {
    let watch = RejectionWatch::install();
    clear_faults().await;
    let a = mint_checkout("inv_1001", 600).await;
    revoke_all().await;
    let b = mint_checkout("inv_1001", 600).await;
    // Promise.resolve(p) reads p.constructor synchronously: this one throws.
    let hostile = js(
        "token",
        "const p = Promise.resolve(token);
         Object.defineProperty(p, 'constructor', { get() { throw new Error('hostile constructor'); } });
         return p;",
    );
    let tok = b.clone();
    let (cb, calls) = counting(move || hostile.call1(&JsValue::UNDEFINED, &tok.clone().into()));
    let c = checkout_client(&a, &[("onAccessTokenExpired", cb)]).await;
    let r = within(5000, start(&c, "get", &[INVOICE.into()])).await;
    let err = r.expect("the request hung").unwrap_err();
    assert_error(&err, "TokenRefreshError", "TOKEN_REFRESH_FAILED");
    assert_eq!(calls.get(), 1);
    // The client is not stuck on a dead refresh.
    call(&c, "setAccessToken", &[b.into()]).unwrap();
    let again = within(5000, start(&c, "get", &[INVOICE.into()])).await;
    assert_invoice(&again.expect("the client hung"));
    watch.assert_none().await;
}

#[wasm_bindgen_test]
async fn hostile_request_arguments_reject_with_configuration_error() {
    let watch = RejectionWatch::install();
    let (c, _) = live(&[]).await;
    let before = counts().await;
    let throwing_getter = js(
        "",
        "return { query: Object.defineProperty({}, 'q', { enumerable: true, get() { throw new Error('getter'); } }) };",
    )
    .call0(&JsValue::UNDEFINED)
    .unwrap();
    let trap = js("", "throw new Error('trap');");
    let handler = obj(&[
        ("ownKeys", trap.clone().into()),
        ("getPrototypeOf", trap.into()),
    ]);
    let proxy: JsValue = js_sys::Proxy::new(&js_sys::Object::new(), handler.unchecked_ref()).into();
    let revocable = js_sys::Proxy::revocable(&js_sys::Object::new(), &js_sys::Object::new());
    let revoked = get(&revocable, "proxy");
    call(&revocable, "revoke", &[]).unwrap();
    let fake_signal = js("", "return Object.create(AbortSignal.prototype);")
        .call0(&JsValue::UNDEFINED)
        .unwrap();
    let cases: Vec<(&str, JsValue, &str)> = vec![
        ("query with a throwing getter", throwing_getter, "query"),
        ("init is a throwing proxy", proxy.clone(), "init"),
        (
            "query is a throwing proxy",
            obj(&[("query", proxy.clone())]),
            "query",
        ),
        (
            "query value is a revoked proxy",
            obj(&[("query", obj(&[("q", revoked.clone())]))]),
            "query",
        ),
        (
            "query is a revoked proxy",
            obj(&[("query", revoked.clone())]),
            "query",
        ),
        (
            "a fake AbortSignal",
            obj(&[("signal", fake_signal)]),
            "signal",
        ),
        (
            "signal is a throwing proxy",
            obj(&[("signal", proxy.clone())]),
            "signal",
        ),
    ];
    for (label, init, key) in cases {
        let sent = call(&c, "get", &[INVOICE.into(), init]);
        let p: Promise = sent
            .unwrap_or_else(|e| panic!("{label}: threw synchronously: {e:?}"))
            .unchecked_into();
        let err = within(3000, p)
            .await
            .unwrap_or_else(|| panic!("{label}: hung"))
            .expect_err(label);
        assert_error(&err, "ConfigurationError", "INVALID_CONFIGURATION");
        assert_eq!(
            get(&err, "key").as_string().as_deref(),
            Some(key),
            "{label}"
        );
    }
    assert_eq!(before.since().await.api, 0.0, "nothing was sent");
    assert_invoice(&timed_get(&c).await.0);

    // Options: create() rejects, the SafeSDK constructor throws, both typed.
    let created = within(
        3000,
        partner_sdk::api::AlternativeClient::create(proxy.clone()),
    )
    .await;
    let err = created.expect("create() hung").unwrap_err();
    assert_error(&err, "ConfigurationError", "INVALID_CONFIGURATION");
    let err = SafeSdk::new(proxy).map(JsValue::from).unwrap_err();
    assert_error(&err, "ConfigurationError", "INVALID_CONFIGURATION");
    watch.assert_none().await;
}

// ---- re-entrancy -------------------------------------------------------------------

/// Every outcome of every call made by the re-entrancy tests.
#[derive(Default)]
struct Outcomes {
    launched: Cell<u32>,
    settled: RefCell<Vec<Result<JsValue, JsValue>>>,
    thrown: RefCell<Vec<(String, JsValue)>>,
    /// Nesting guard for page code that the SDK runs inside its own exports.
    depth: Cell<u32>,
}

impl Outcomes {
    /// Records a synchronous call; a returned Promise is tracked to its end.
    fn sync(self: &Rc<Self>, what: &str, r: Result<JsValue, JsValue>) {
        match r {
            Ok(v) if v.is_instance_of::<Promise>() => self.track(v.unchecked_into()),
            Ok(_) => {}
            Err(e) => self.thrown.borrow_mut().push((what.to_owned(), e)),
        }
    }

    /// Attaches handlers at once (so nothing goes unhandled) and records the outcome.
    fn track(self: &Rc<Self>, p: Promise) {
        self.launched.set(self.launched.get() + 1);
        let (ok, err) = (self.clone(), self.clone());
        let on_ok = js_fn1(move |v| {
            ok.settled.borrow_mut().push(Ok(v));
            JsValue::UNDEFINED
        });
        let on_err = js_fn1(move |e| {
            err.settled.borrow_mut().push(Err(e));
            JsValue::UNDEFINED
        });
        call(&p, "then", &[on_ok, on_err]).unwrap();
    }

    async fn all_settled(&self, what: &str) {
        wait_until(what, 15_000.0, || {
            self.settled.borrow().len() as u32 == self.launched.get()
        })
        .await;
    }

    /// Every rejection and throw is a partner-sdk error or an expected abort, and none
    /// is an aliasing error or a trap.
    fn assert_all_typed(&self) {
        let settled = self.settled.borrow();
        let rejected = settled.iter().filter_map(|r| r.as_ref().err());
        let thrown = self.thrown.borrow();
        for e in rejected.chain(thrown.iter().map(|(_, e)| e)) {
            if let Err(why) = typed(e) {
                let during: Vec<&str> = thrown.iter().map(|(w, _)| w.as_str()).collect();
                panic!("{why} (sync throws during: {during:?})");
            }
        }
    }
}

/// Ok when `e` is a partner-sdk error or an AbortError, never an aliasing error.
fn typed(e: &JsValue) -> Result<(), String> {
    let field = |k: &str| {
        if e.is_object() {
            Reflect::get(e, &k.into()).ok().and_then(|v| v.as_string())
        } else {
            None
        }
    };
    let message = field("message").unwrap_or_else(|| format!("{e:?}"));
    for bad in [
        "recursive use of an object",
        "already borrowed",
        "already mutably borrowed",
        "unreachable",
        "null pointer passed to rust",
        "closure invoked",
    ] {
        if message.contains(bad) {
            return Err(format!("aliasing error or trap: {message}"));
        }
    }
    let brand = e.is_object()
        && Reflect::get(e, &js_sys::Symbol::for_("partner-sdk.error").into())
            .ok()
            .and_then(|v| v.as_bool())
            == Some(true);
    if brand || field("name").as_deref() == Some("AbortError") {
        Ok(())
    } else {
        Err(format!("not a partner-sdk error: {message}"))
    }
}

/// Calls every public method of an AlternativeClient (and destroys `second`).
fn poke_client(o: &Rc<Outcomes>, c: &JsValue, second: &JsValue, token: &str) {
    let body = obj(&[("amount", 1.into())]);
    let aborted = web_sys::AbortController::new().unwrap();
    let with_signal = obj(&[("signal", aborted.signal().into())]);
    let calls: Vec<(&str, &str, Vec<JsValue>)> = vec![
        ("get", "get", vec![INVOICE.into()]),
        ("post", "post", vec![PAYMENTS.into(), body.clone()]),
        (
            "request",
            "request",
            vec!["GET".into(), INVOICE.into(), obj(&[])],
        ),
        ("put", "put", vec![INVOICE.into(), body.clone()]),
        ("patch", "patch", vec![INVOICE.into(), body]),
        ("delete", "delete", vec![INVOICE.into()]),
        ("get+signal", "get", vec![INVOICE.into(), with_signal]),
        ("bad path", "get", vec!["https://elsewhere.test/x".into()]),
        ("setAccessToken", "setAccessToken", vec![token.into()]),
        ("setAccessToken bad", "setAccessToken", vec!["a.b".into()]),
        ("toJSON", "toJSON", vec![]),
    ];
    for (what, method, args) in calls {
        o.sync(what, call(c, method, &args));
    }
    aborted.abort();
    for key in ["claims", "expiresAt"] {
        o.sync(key, Reflect::get(c, &key.into()));
    }
    o.sync("stringify", js_sys::JSON::stringify(c).map(JsValue::from));
    o.sync("second.destroy", call(second, "destroy", &[]));
    o.sync("second.get", call(second, "get", &[INVOICE.into()]));
    // Page code that the SDK runs inside its own exports (a query value's toString,
    // a body's toJSON) calls every method too, one level deep.
    if o.depth.get() == 0 {
        let nested = {
            let (o, c, second, token) = (o.clone(), c.clone(), second.clone(), token.to_owned());
            js_fn0(move || {
                o.depth.set(o.depth.get() + 1);
                poke_client(&o, &c, &second, &token);
                o.depth.set(o.depth.get() - 1);
                "v".into()
            })
        };
        let hostile = obj(&[("toString", nested.clone()), ("toJSON", nested)]);
        let query = obj(&[("query", obj(&[("q", hostile.clone())]))]);
        o.sync(
            "get+hostile query",
            call(c, "get", &[INVOICE.into(), query]),
        );
        let body = obj(&[("x", hostile)]);
        o.sync(
            "post+hostile body",
            call(c, "post", &[PAYMENTS.into(), body]),
        );
    }
}

#[wasm_bindgen_test]
async fn every_client_method_from_every_callback_and_in_flight_never_aliases() {
    let watch = RejectionWatch::install();
    let o: Rc<Outcomes> = Rc::default();
    let (expired_calls, refreshed_calls) = (Rc::new(Cell::new(0u32)), Rc::new(Cell::new(0u32)));
    for i in 0..20 {
        clear_faults().await;
        let a = mint_checkout("inv_1001", 600).await;
        let a2 = mint_checkout("inv_1001", 600).await;
        revoke_all().await;
        let b = mint_checkout("inv_1001", 600).await;
        let fresh = mint_checkout("inv_1001", 600).await;
        let second = checkout_client(&b, &[]).await;
        let destroy_in_callback = i % 5 == 4;
        let slot: Slot = Rc::default();

        let (oe, se, second_e, fresh_e, n_e) = (
            o.clone(),
            slot.clone(),
            second.clone(),
            fresh.clone(),
            expired_calls.clone(),
        );
        let b_e = b.clone();
        let expired = js_fn0(move || {
            n_e.set(n_e.get() + 1);
            if let Some(c) = se.borrow().clone() {
                poke_client(&oe, &c, &second_e, &fresh_e);
            }
            if i % 2 == 0 {
                b_e.clone().into()
            } else {
                delayed(20, b_e.clone().into()).into()
            }
        });
        let (or, sr, second_r, fresh_r, n_r) = (
            o.clone(),
            slot.clone(),
            second.clone(),
            fresh.clone(),
            refreshed_calls.clone(),
        );
        let refreshed = js_fn1(move |_| {
            n_r.set(n_r.get() + 1);
            if let Some(c) = sr.borrow().clone() {
                poke_client(&or, &c, &second_r, &fresh_r);
                if destroy_in_callback {
                    or.sync("destroy", call(&c, "destroy", &[]));
                }
            }
            JsValue::UNDEFINED
        });
        let c = checkout_client(
            &a,
            &[
                ("onAccessTokenExpired", expired),
                ("onTokenRefreshed", refreshed),
            ],
        )
        .await;
        *slot.borrow_mut() = Some(c.clone());

        inject(&[
            ("path", INVOICE.into()),
            ("count", 10.into()),
            ("delay_ms", 150.into()),
        ])
        .await;
        let in_flight: Vec<Promise> = (0..10)
            .map(|_| start(&c, "get", &[INVOICE.into()]))
            .collect();
        sleep(30).await;
        // While the 10 are at the server: every method, with a revoked token set.
        poke_client(&o, &c, &second, &a2);
        in_flight.into_iter().for_each(|p| o.track(p));
        o.all_settled(&format!("iteration {i}")).await;
        // Calls made by callbacks that ran late are settled too.
        sleep(50).await;
        o.all_settled(&format!("iteration {i}, late calls")).await;
        o.assert_all_typed();

        let after = timed_get(&c).await.0;
        if destroy_in_callback {
            assert_error(
                &after.unwrap_err(),
                "ClientDestroyedError",
                "CLIENT_DESTROYED",
            );
        } else {
            call(&c, "setAccessToken", &[fresh.clone().into()]).unwrap();
            assert_invoice(&timed_get(&c).await.0);
            call(&c, "destroy", &[]).unwrap();
        }
        let second_after = call_async(&second, "get", &[INVOICE.into()]).await;
        assert_error(
            &second_after.unwrap_err(),
            "ClientDestroyedError",
            "CLIENT_DESTROYED",
        );
    }
    assert!(
        expired_calls.get() >= 20,
        "onAccessTokenExpired ran {}",
        expired_calls.get()
    );
    assert!(
        refreshed_calls.get() >= 20,
        "onTokenRefreshed ran {}",
        refreshed_calls.get()
    );
    assert!(o.launched.get() > 20 * 20, "{} calls", o.launched.get());
    clear_faults().await;
    watch.assert_none().await;
}

const GK_APP: &str = "demo-app";
const GK_VERSION: &str = "1.0.0";

fn safe_sdk(extra: &[(&str, JsValue)]) -> JsValue {
    let mut pairs: Vec<(&str, JsValue)> = vec![
        ("apiKey", "demo-api-key".into()),
        ("applicationId", GK_APP.into()),
        ("applicationVersion", GK_VERSION.into()),
        ("baseUrl", sandbox().into()),
    ];
    pairs.extend(extra.iter().cloned());
    match SafeSdk::new(obj(&pairs)) {
        Ok(s) => JsValue::from(s),
        Err(e) => panic!("SafeSDK constructor threw: {e:?}"),
    }
}

/// Calls every public method of a SafeSDK (and destroys `second`).
fn poke_sdk(o: &Rc<Outcomes>, s: &JsValue, second: &JsValue, token: &str, on_check: &JsValue) {
    o.sync("initialize", call(s, "initialize", &[token.into()]));
    o.sync("check", call(s, "check", &[]));
    o.sync("setAccessToken", call(s, "setAccessToken", &[token.into()]));
    o.sync(
        "setAccessToken bad",
        call(s, "setAccessToken", &[42.into()]),
    );
    o.sync(
        "start bad",
        call(s, "startPeriodicCheck", &[5.into(), on_check.clone()]),
    );
    o.sync(
        "start",
        call(s, "startPeriodicCheck", &[1000.into(), on_check.clone()]),
    );
    o.sync("stop", call(s, "stopPeriodicCheck", &[]));
    o.sync("deviceId", Reflect::get(s, &"deviceId".into()));
    o.sync("second.destroy", call(second, "destroy", &[]));
    o.sync("second.check", call(second, "check", &[]));
}

#[wasm_bindgen_test]
async fn every_safe_sdk_method_from_every_callback_and_in_flight_never_aliases() {
    let watch = RejectionWatch::install();
    clear_faults().await;
    let o: Rc<Outcomes> = Rc::default();
    let (expired_calls, refreshed_calls) = (Rc::new(Cell::new(0u32)), Rc::new(Cell::new(0u32)));
    let on_check = js_fn1(|_| JsValue::UNDEFINED);
    for i in 0..20 {
        clear_faults().await;
        let a = mint_gatekeeper(600).await;
        let second = safe_sdk(&[]);
        call_async(&second, "initialize", &[a.clone().into()])
            .await
            .unwrap();
        let slot: Slot = Rc::default();
        let fresh_slot: Rc<RefCell<String>> = Rc::default();
        let destroy_in_callback = i % 5 == 4;

        let (oe, se, second_e, fresh_e, n_e, check_e) = (
            o.clone(),
            slot.clone(),
            second.clone(),
            fresh_slot.clone(),
            expired_calls.clone(),
            on_check.clone(),
        );
        let expired = js_fn0(move || {
            n_e.set(n_e.get() + 1);
            let fresh = fresh_e.borrow().clone();
            if let Some(s) = se.borrow().clone() {
                poke_sdk(&oe, &s, &second_e, &fresh, &check_e);
            }
            if i % 2 == 0 {
                fresh.into()
            } else {
                delayed(20, fresh.into()).into()
            }
        });
        let (or, sr, second_r, fresh_r, n_r, check_r) = (
            o.clone(),
            slot.clone(),
            second.clone(),
            fresh_slot.clone(),
            refreshed_calls.clone(),
            on_check.clone(),
        );
        let refreshed = js_fn1(move |_| {
            n_r.set(n_r.get() + 1);
            if let Some(s) = sr.borrow().clone() {
                poke_sdk(&or, &s, &second_r, &fresh_r.borrow(), &check_r);
                if destroy_in_callback {
                    or.sync("destroy", call(&s, "destroy", &[]));
                }
            }
            JsValue::UNDEFINED
        });
        let s = safe_sdk(&[
            ("onAccessTokenExpired", expired),
            ("onTokenRefreshed", refreshed),
        ]);
        let init = call_async(&s, "initialize", &[a.clone().into()])
            .await
            .unwrap();
        let device = get(&init, "deviceId").as_string().unwrap();
        *slot.borrow_mut() = Some(s.clone());
        let a2 = mint_gatekeeper(600).await;
        revoke_all().await;
        *fresh_slot.borrow_mut() = mint_gatekeeper(600).await;

        let checks =
            format!("/v1/applications/{GK_APP}/versions/{GK_VERSION}/devices/{device}/checks");
        inject(&[
            ("path", checks.into()),
            ("count", 10.into()),
            ("delay_ms", 150.into()),
        ])
        .await;
        let in_flight: Vec<Promise> = (0..10).map(|_| start(&s, "check", &[])).collect();
        sleep(30).await;
        poke_sdk(&o, &s, &second, &a2, &on_check);
        in_flight.into_iter().for_each(|p| o.track(p));
        o.all_settled(&format!("iteration {i}")).await;
        sleep(50).await;
        o.all_settled(&format!("iteration {i}, late calls")).await;
        o.assert_all_typed();

        let after = call_async(&s, "check", &[]).await;
        if destroy_in_callback {
            assert_error(
                &after.unwrap_err(),
                "ClientDestroyedError",
                "CLIENT_DESTROYED",
            );
        } else {
            let fresh = fresh_slot.borrow().clone();
            call(&s, "setAccessToken", &[fresh.into()]).unwrap();
            let ok = call_async(&s, "check", &[]).await.unwrap();
            assert_eq!(
                get(&ok, "status").as_string().as_deref(),
                Some("Ok"),
                "{ok:?}"
            );
            call(&s, "destroy", &[]).unwrap();
        }
    }
    assert!(
        expired_calls.get() >= 20,
        "onAccessTokenExpired ran {}",
        expired_calls.get()
    );
    assert!(
        refreshed_calls.get() >= 20,
        "onTokenRefreshed ran {}",
        refreshed_calls.get()
    );
    clear_faults().await;
    watch.assert_none().await;
}

#[wasm_bindgen_test]
async fn every_safe_sdk_method_from_the_periodic_callback_never_aliases() {
    let watch = RejectionWatch::install();
    clear_faults().await;
    let o: Rc<Outcomes> = Rc::default();
    let token = mint_gatekeeper(600).await;
    let second = safe_sdk(&[]);
    let s = safe_sdk(&[]);
    call_async(&s, "initialize", &[token.clone().into()])
        .await
        .unwrap();
    let slot: Slot = Rc::new(RefCell::new(Some(s.clone())));
    let ticks = Rc::new(Cell::new(0u32));
    let noop = js_fn1(|_| JsValue::UNDEFINED);
    let self_ref: Rc<RefCell<JsValue>> = Rc::default();
    let (oc, sc, tc, tok, sref) = (
        o.clone(),
        slot.clone(),
        ticks.clone(),
        token.clone(),
        self_ref.clone(),
    );
    let on_check = js_fn1(move |_| {
        tc.set(tc.get() + 1);
        let Some(s) = sc.borrow().clone() else {
            return JsValue::UNDEFINED;
        };
        match tc.get() {
            // Every method (which stops this schedule), then a new schedule with us.
            1 => {
                poke_sdk(&oc, &s, &second, &tok, &noop);
                let me = sref.borrow().clone();
                oc.sync(
                    "restart",
                    call(&s, "startPeriodicCheck", &[1000.into(), me]),
                );
            }
            // Destroy from inside the callback: the schedule ends.
            _ => oc.sync("destroy", call(&s, "destroy", &[])),
        }
        JsValue::UNDEFINED
    });
    *self_ref.borrow_mut() = on_check.clone();
    call(&s, "startPeriodicCheck", &[1000.into(), on_check]).unwrap();
    wait_until("two periodic results", 5000.0, || ticks.get() >= 2).await;
    sleep(1300).await;
    assert_eq!(ticks.get(), 2, "no result after destroy");
    o.all_settled("periodic calls").await;
    o.assert_all_typed();
    assert!(o.launched.get() >= 2);
    watch.assert_none().await;
}
