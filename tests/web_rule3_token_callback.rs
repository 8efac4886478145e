//! Rule 3 (docs/api.md#rule-3): what the token callback may return, and how long it
//! may take. A throw or rejection is `TokenRefreshError` with the cause, a value that is
//! not a JWT is `InvalidAccessToken*`, a callback past `refreshTimeoutMs` is
//! `TokenRefreshTimeoutError`; the old token stays. Hostile callbacks included, and
//! `SafeSDK.check()`'s `AuthenticationFailed` for a failed refresh.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::{Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// One request on a revoked token whose callback is `cb`; returns (error, elapsed ms,
/// the revoked token).
async fn refused_request_error(cb: JsValue, extra: &[(&str, JsValue)]) -> (JsValue, f64, String) {
    let (a, _) = revoked_then_fresh().await;
    let mut opts = vec![("onAccessTokenExpired", cb)];
    opts.extend(extra.iter().cloned());
    let c = checkout_client(&a, &opts).await;
    let before = counts().await;
    let t0 = now_ms();
    let err = call_async(&c, "get", &[INVOICE.into()]).await.unwrap_err();
    let elapsed = now_ms() - t0;
    let d = before.since().await;
    assert_eq!((d.api, d.unauthorized), (1.0, 1.0), "sent once, no retry");
    assert_eq!(client_jti(&c), Some(jti_of(&a)), "the old token stays");
    (err, elapsed, a)
}

// ---- the deadline ------------------------------------------------------------------

#[wasm_bindgen_test]
async fn never_settling_callback_times_out_after_refresh_timeout_ms() {
    let (cb, calls) = counting(|| Ok(never().into()));
    let (err, elapsed, _) = refused_request_error(cb, &[("refreshTimeoutMs", 300.into())]).await;
    assert_error(&err, "TokenRefreshTimeoutError", "TOKEN_REFRESH_TIMEOUT");
    assert!((280.0..2500.0).contains(&elapsed), "elapsed {elapsed} ms");
    assert_eq!(calls.get(), 1);
}

/// A callback that never settles leaves nothing of the SDK waiting on it once its
/// deadline passed: the wait's handlers on its promise (two JS-side references each,
/// before) are let go, so a page whose backend hangs does not grow with every timeout.
#[wasm_bindgen_test]
async fn a_never_settling_callback_leaves_nothing_behind_after_its_timeout() {
    let (a, _) = revoked_then_fresh().await;
    let (cb, calls) = counting(|| Ok(never().into()));
    let c = checkout_client(
        &a,
        &[
            ("onAccessTokenExpired", cb),
            ("refreshTimeoutMs", 20.into()),
            ("retry", JsValue::FALSE),
        ],
    )
    .await;
    let timeouts = |n: u32| {
        let c = c.clone();
        async move {
            for _ in 0..n {
                let err = call_async(&c, "get", &[INVOICE.into()]).await.unwrap_err();
                assert_error(&err, "TokenRefreshTimeoutError", "TOKEN_REFRESH_TIMEOUT");
            }
        }
    };
    timeouts(3).await;
    let before = wasm_bindgen::externref_heap_live_count();
    timeouts(30).await;
    let grown = wasm_bindgen::externref_heap_live_count().saturating_sub(before);
    assert_eq!(calls.get(), 33, "one refresh per call");
    assert!(grown < 10, "{grown} JS references more after 30 timeouts");
}

/// Every request waiting on the one refresh gets its timeout, from one callback call.
#[wasm_bindgen_test]
async fn every_waiter_rejects_with_the_timeout_of_the_one_refresh() {
    let (a, _) = revoked_then_fresh().await;
    let (cb, calls) = counting(|| Ok(never().into()));
    let c = checkout_client(
        &a,
        &[
            ("onAccessTokenExpired", cb),
            ("refreshTimeoutMs", 300.into()),
        ],
    )
    .await;
    let pending = (0..4)
        .map(|_| start(&c, "get", &[INVOICE.into()]))
        .collect();
    let results = settle_all(pending).await;
    assert_eq!(calls.get(), 1, "one refresh for all four");
    for result in &results {
        let err = result.as_ref().expect_err("every waiter rejects");
        assert_error(err, "TokenRefreshTimeoutError", "TOKEN_REFRESH_TIMEOUT");
    }
}

#[wasm_bindgen_test]
async fn the_default_refresh_timeout_is_5000_ms() {
    let (cb, calls) = counting(|| Ok(never().into()));
    let (err, elapsed, _) = refused_request_error(cb, &[]).await;
    assert_error(&err, "TokenRefreshTimeoutError", "TOKEN_REFRESH_TIMEOUT");
    assert!((4500.0..9000.0).contains(&elapsed), "elapsed {elapsed} ms");
    assert_eq!(calls.get(), 1);
}

#[wasm_bindgen_test]
async fn a_never_settling_get_access_token_rejects_create_with_the_timeout() {
    let (cb, calls) = counting(|| Ok(never().into()));
    let before = counts().await;
    let t0 = now_ms();
    let err = create(obj(&[
        ("getAccessToken", cb),
        ("baseUrl", sandbox().into()),
        ("refreshTimeoutMs", 300.into()),
    ]))
    .await
    .unwrap_err();
    let elapsed = now_ms() - t0;
    assert_error(&err, "TokenRefreshTimeoutError", "TOKEN_REFRESH_TIMEOUT");
    assert!((280.0..2500.0).contains(&elapsed), "elapsed {elapsed} ms");
    assert_eq!(calls.get(), 1);
    assert_eq!(before.since().await.api, 0.0);
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

// ---- a throw or a rejection --------------------------------------------------------

#[wasm_bindgen_test]
async fn a_throwing_callback_gives_token_refresh_error_with_the_cause() {
    let thrown: JsValue = js_sys::Error::new("backend is down").into();
    let t = thrown.clone();
    let (cb, calls) = counting(move || Err(t.clone()));
    let (err, _, _) = refused_request_error(cb, &[]).await;
    assert_error(&err, "TokenRefreshError", "TOKEN_REFRESH_FAILED");
    assert!(
        js_sys::Object::is(&get(&err, "cause"), &thrown),
        "cause is the thrown value"
    );
    assert_eq!(calls.get(), 1);
}

#[wasm_bindgen_test]
async fn a_rejecting_callback_gives_token_refresh_error_with_the_cause() {
    let reason = obj(&[("why", "nope".into())]);
    let r = reason.clone();
    let (cb, calls) = counting(move || Ok(Promise::reject(&r).into()));
    let (err, _, _) = refused_request_error(cb, &[]).await;
    assert_error(&err, "TokenRefreshError", "TOKEN_REFRESH_FAILED");
    assert!(js_sys::Object::is(&get(&err, "cause"), &reason));
    assert_eq!(calls.get(), 1);
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

/// A refused request whose token callback returns `hostile(freshToken)`, a genuine
/// Promise that a page has tampered with (`hostile_body` is its JS body): the request
/// rejects with `TokenRefreshError` instead of hanging, and the client is not stuck on a
/// dead refresh afterwards.
async fn a_tampered_promise_is_token_refresh_error(hostile_body: &str) {
    let watch = RejectionWatch::install();
    let (a, b) = revoked_then_fresh().await;
    let hostile = js("token", hostile_body);
    let tok = b.clone();
    let (cb, calls) = counting(move || hostile.call1(&JsValue::UNDEFINED, &tok.clone().into()));
    let c = checkout_client(&a, &[("onAccessTokenExpired", cb)]).await;
    let r = within(5000, start(&c, "get", &[INVOICE.into()])).await;
    let err = r.expect("the request hung").unwrap_err();
    assert_error(&err, "TokenRefreshError", "TOKEN_REFRESH_FAILED");
    assert_eq!(calls.get(), 1);
    call(&c, "setAccessToken", &[b.into()]).unwrap();
    let again = within(5000, start(&c, "get", &[INVOICE.into()])).await;
    assert_invoice(&again.expect("the client hung"));
    watch.assert_none().await;
}

#[wasm_bindgen_test]
async fn a_token_callback_returning_a_promise_whose_constructor_throws_is_token_refresh_error() {
    // `Promise.resolve(p)` reads `p.constructor` synchronously: this one throws.
    a_tampered_promise_is_token_refresh_error(
        "const p = Promise.resolve(token);
         Object.defineProperty(p, 'constructor', { get() { throw new Error('hostile constructor'); } });
         return p;",
    )
    .await;
}

#[wasm_bindgen_test]
async fn a_token_callback_returning_a_promise_whose_own_then_throws_is_token_refresh_error() {
    // `Promise.resolve(p)` would hand this one back as it is; its own `then` throws: the
    // SDK must never call it from inside its own code.
    a_tampered_promise_is_token_refresh_error(
        "const p = Promise.resolve(token);
         p.then = () => { throw new Error('hostile then'); };
         return p;",
    )
    .await;
}

// ---- a value that is not a JWT, or a token set meanwhile ---------------------------

#[wasm_bindgen_test]
async fn a_callback_returning_42_gives_invalid_access_token() {
    let (cb, calls) = counting(|| Ok(Promise::resolve(&JsValue::from(42)).into()));
    let (err, _, _) = refused_request_error(cb, &[]).await;
    assert_error(&err, "InvalidAccessToken", "INVALID_ACCESS_TOKEN");
    assert_eq!(calls.get(), 1);
}

#[wasm_bindgen_test]
async fn a_callback_returning_a_malformed_jwt_gives_invalid_access_token_format() {
    let (cb, calls) = counting(|| Ok("not.a-jwt".into()));
    let (err, _, _) = refused_request_error(cb, &[]).await;
    assert_error(
        &err,
        "InvalidAccessTokenFormat",
        "INVALID_ACCESS_TOKEN_FORMAT",
    );
    assert_eq!(calls.get(), 1);
}

#[wasm_bindgen_test]
async fn a_callback_that_sets_x_then_returns_y_leaves_y() {
    let watch = RejectionWatch::install();
    let (a, x) = revoked_then_fresh().await;
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

// ---- SafeSDK: a failed refresh is a result, not a rejection ------------------------

#[wasm_bindgen_test]
async fn a_failed_refresh_is_authentication_failed() {
    clear_storage();
    // The callback throws.
    let throws = js("", "throw new Error('backend down')");
    let s = safe_sdk(&[("onAccessTokenExpired", throws.into())]);
    let r = check_after_revoke(&s).await;
    assert_authentication_failed(&r, "TOKEN_REFRESH_FAILED");

    // The callback hands back a token that is refused again: one refresh, no loop.
    let stale = mint_gatekeeper(600).await;
    revoke_all().await;
    let (same, calls) = answering(&stale);
    let s = safe_sdk(&[("onAccessTokenExpired", same)]);
    initialize(&s).await.unwrap();
    revoke_all().await;
    let before = counts().await;
    let r = call_async(&s, "check", &[]).await.unwrap();
    assert_eq!(status_of(&r).as_deref(), Some("AuthenticationFailed"));
    assert_eq!(
        get(&r, "reason").as_string().as_deref(),
        Some("ACCESS_TOKEN_EXPIRED")
    );
    assert_eq!(calls.get(), 1);
    assert_eq!(before.since().await.unauthorized, 2.0);

    // The callback returns something that is not a JWT: it was asked once, and the
    // reason says what it handed back (not rule 5's "no callback").
    let (junk, calls) = counting(|| Ok(JsValue::from("not-a-jwt")));
    let s = safe_sdk(&[("onAccessTokenExpired", junk)]);
    initialize(&s).await.unwrap();
    revoke_all().await;
    let r = call_async(&s, "check", &[]).await.unwrap();
    assert_authentication_failed(&r, "INVALID_ACCESS_TOKEN_FORMAT");
    assert_eq!(calls.get(), 1);
}
