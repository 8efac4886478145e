//! `AlternativeClient` refresh rules 1–6 in real Chromium against the sandbox.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const INVOICE: &str = "/v1/invoices/inv_1001";
const H: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// A live token A, then a revocation (A is now refused), then a fresh token B.
async fn revoked_then_fresh() -> (String, String) {
    clear_faults().await;
    let a = mint_checkout("inv_1001", 600).await;
    revoke_all().await;
    let b = mint_checkout("inv_1001", 600).await;
    (a, b)
}

/// A well-shaped token the sandbox refuses with 401 (bad signature).
fn forged() -> String {
    token(H, r#"{"jti":"forged-1","exp":4102444800}"#)
}

#[wasm_bindgen_test]
async fn refresh_after_revocation_calls_back_once_and_uses_the_new_token() {
    let (a, b) = revoked_then_fresh().await;
    let given = b.clone();
    let (cb, calls) = counting(move || Ok(given.clone().into()));
    let (on_refreshed, events) = recorder();
    let c = checkout_client(
        &a,
        &[
            ("onAccessTokenExpired", cb),
            ("onTokenRefreshed", on_refreshed),
        ],
    )
    .await;
    let before = counts().await;

    let invoice = call_async(&c, "get", &[INVOICE.into()]).await.unwrap();

    assert_eq!(get(&invoice, "id").as_string().as_deref(), Some("inv_1001"));
    assert_eq!(calls.get(), 1, "callback calls");
    let d = before.since().await;
    assert_eq!((d.api, d.unauthorized), (2.0, 1.0), "one 401, one retry");
    assert_eq!(
        last_jti().await,
        Some(jti_of(&b)),
        "retried with the new token"
    );
    assert_eq!(client_jti(&c), Some(jti_of(&b)));
    let events = events.borrow();
    assert_eq!(events.len(), 1, "onTokenRefreshed calls");
    assert_eq!(
        get(&events[0], "reason").as_string().as_deref(),
        Some("unauthorized")
    );
    assert_eq!(
        get(&events[0], "expiresAt").as_f64(),
        claim_of(&b, "exp").as_f64()
    );
    assert_eq!(get(&c, "expiresAt").as_f64(), claim_of(&b, "exp").as_f64());
}

#[wasm_bindgen_test]
async fn storm_of_50_refused_requests_refreshes_once_and_late_requests_wait() {
    let (a, b) = revoked_then_fresh().await;
    let given = b.clone();
    // The callback settles 300 ms after it is called.
    let (cb, calls) = counting(move || Ok(delayed(300, given.clone().into()).into()));
    let (on_refreshed, events) = recorder();
    let c = checkout_client(
        &a,
        &[
            ("onAccessTokenExpired", cb),
            ("onTokenRefreshed", on_refreshed),
        ],
    )
    .await;
    let before = counts().await;

    let mut all: Vec<Promise> = (0..50)
        .map(|_| start(&c, "get", &[INVOICE.into()]))
        .collect();
    let probe = calls.clone();
    wait_until("the callback to be called", 3000.0, move || {
        probe.get() == 1
    })
    .await;
    // Started while the callback is pending: these must wait for B.
    all.extend((0..5).map(|_| start(&c, "get", &[INVOICE.into()])));

    let results = settle_all(all).await;
    for (i, r) in results.iter().enumerate() {
        let v = r
            .as_ref()
            .unwrap_or_else(|e| panic!("request {i} failed: {e:?}"));
        assert_eq!(get(v, "id").as_string().as_deref(), Some("inv_1001"));
    }
    assert_eq!(calls.get(), 1, "callback calls");
    assert_eq!(events.borrow().len(), 1, "onTokenRefreshed calls");
    let d = before.since().await;
    assert_eq!(d.unauthorized, 50.0, "only the 50 sent with A were refused");
    assert_eq!(
        d.api, 105.0,
        "50 refused + 50 retries + 5 late requests sent once"
    );
    assert_eq!(last_jti().await, Some(jti_of(&b)));
}

#[wasm_bindgen_test]
async fn stale_token_401_retries_with_the_current_token_without_calling_back() {
    clear_faults().await;
    let a = mint_checkout("inv_1001", 600).await;
    let (cb, calls) = counting(|| Err("must not be called".into()));
    let c = checkout_client(&a, &[("onAccessTokenExpired", cb)]).await;
    // Hold the next request 600 ms before the sandbox checks its token.
    fault_obj(&obj(&[
        ("path", INVOICE.into()),
        ("count", 1.into()),
        ("delay_ms", 600.into()),
    ]))
    .await;
    let before = counts().await;

    let pending = start(&c, "get", &[INVOICE.into()]);
    sleep(100).await; // sent with A, now held
    revoke_all().await;
    let b = mint_checkout("inv_1001", 600).await;
    call(&c, "setAccessToken", &[b.clone().into()]).unwrap();
    let invoice = settle(pending).await.unwrap();

    assert_eq!(get(&invoice, "id").as_string().as_deref(), Some("inv_1001"));
    assert_eq!(calls.get(), 0, "callback must not be called");
    let d = before.since().await;
    assert_eq!(
        (d.api, d.unauthorized),
        (2.0, 1.0),
        "A refused once, B accepted"
    );
    assert_eq!(last_jti().await, Some(jti_of(&b)));
}

/// One request on a revoked token whose callback is `cb`; returns (error, elapsed ms).
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

#[wasm_bindgen_test]
async fn never_settling_callback_times_out_after_refresh_timeout_ms() {
    let (cb, calls) = counting(|| Ok(never().into()));
    let (err, elapsed, _) = refused_request_error(cb, &[("refreshTimeoutMs", 300.into())]).await;
    assert_error(&err, "TokenRefreshTimeoutError", "TOKEN_REFRESH_TIMEOUT");
    assert!((280.0..2500.0).contains(&elapsed), "elapsed {elapsed} ms");
    assert_eq!(calls.get(), 1);
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
async fn a_new_token_refused_again_gives_access_token_expired_without_a_loop() {
    let (a, _) = revoked_then_fresh().await;
    let (cb, calls) = counting(|| Ok(forged().into()));
    let c = checkout_client(&a, &[("onAccessTokenExpired", cb)]).await;
    let before = counts().await;
    let err = call_async(&c, "get", &[INVOICE.into()]).await.unwrap_err();
    assert_error(&err, "AccessTokenExpiredError", "ACCESS_TOKEN_EXPIRED");
    assert_eq!(calls.get(), 1, "no second refresh");
    sleep(200).await; // nothing more goes out afterwards
    let d = before.since().await;
    assert_eq!(
        (d.api, d.unauthorized),
        (2.0, 2.0),
        "sent, retried once, stop"
    );
}

#[wasm_bindgen_test]
async fn without_a_callback_a_401_gives_access_token_expired_at_once() {
    let (a, _) = revoked_then_fresh().await;
    let c = checkout_client(&a, &[]).await;
    let before = counts().await;
    let t0 = now_ms();
    let err = call_async(&c, "get", &[INVOICE.into()]).await.unwrap_err();
    let elapsed = now_ms() - t0;
    assert_error(&err, "AccessTokenExpiredError", "ACCESS_TOKEN_EXPIRED");
    assert!(elapsed < 1500.0, "elapsed {elapsed} ms");
    let d = before.since().await;
    assert_eq!((d.api, d.unauthorized), (1.0, 1.0));
    assert_eq!(client_jti(&c), Some(jti_of(&a)));
}

#[wasm_bindgen_test]
async fn a_token_inside_the_leeway_is_refreshed_before_sending() {
    clear_faults().await;
    let a = mint_checkout("inv_1001", 10).await;
    let b = mint_checkout("inv_1001", 600).await;
    let given = b.clone();
    let (cb, calls) = counting(move || Ok(Promise::resolve(&JsValue::from(given.clone())).into()));
    let (on_refreshed, events) = recorder();
    let c = checkout_client(
        &a,
        &[
            ("onAccessTokenExpired", cb),
            ("refreshLeewaySeconds", 30.into()),
            ("onTokenRefreshed", on_refreshed),
        ],
    )
    .await;
    let before = counts().await;
    call_async(&c, "get", &[INVOICE.into()]).await.unwrap();
    assert_eq!(calls.get(), 1);
    let d = before.since().await;
    assert_eq!(
        (d.api, d.unauthorized),
        (1.0, 0.0),
        "refreshed before sending"
    );
    assert_eq!(last_jti().await, Some(jti_of(&b)));
    let events = events.borrow();
    assert_eq!(events.len(), 1);
    assert_eq!(
        get(&events[0], "reason").as_string().as_deref(),
        Some("expiring")
    );
    assert_eq!(
        get(&events[0], "expiresAt").as_f64(),
        claim_of(&b, "exp").as_f64()
    );
}

#[wasm_bindgen_test]
async fn a_failed_proactive_refresh_of_a_valid_token_still_sends() {
    clear_faults().await;
    let a = mint_checkout("inv_1001", 10).await;
    let (cb, calls) = counting(|| Err(js_sys::Error::new("down").into()));
    let (on_refreshed, events) = recorder();
    let c = checkout_client(
        &a,
        &[
            ("onAccessTokenExpired", cb),
            ("onTokenRefreshed", on_refreshed),
        ],
    )
    .await;
    let before = counts().await;
    let invoice = call_async(&c, "get", &[INVOICE.into()]).await.unwrap();
    assert_eq!(get(&invoice, "id").as_string().as_deref(), Some("inv_1001"));
    assert_eq!(calls.get(), 1);
    assert!(
        events.borrow().is_empty(),
        "no onTokenRefreshed for a failed refresh"
    );
    let d = before.since().await;
    assert_eq!((d.api, d.unauthorized), (1.0, 0.0));
    assert_eq!(
        last_jti().await,
        Some(jti_of(&a)),
        "sent with the old, valid token"
    );
    assert_eq!(client_jti(&c), Some(jti_of(&a)));
}

#[wasm_bindgen_test]
async fn an_expired_token_with_a_failing_callback_gives_the_refresh_error() {
    clear_faults().await;
    let a = mint_checkout("inv_1001", -5).await;
    let (cb, calls) = counting(|| Ok(Promise::reject(&"no token".into()).into()));
    let c = checkout_client(&a, &[("onAccessTokenExpired", cb)]).await;
    let before = counts().await;
    let err = call_async(&c, "get", &[INVOICE.into()]).await.unwrap_err();
    assert_error(&err, "TokenRefreshError", "TOKEN_REFRESH_FAILED");
    assert_eq!(get(&err, "cause").as_string().as_deref(), Some("no token"));
    assert_eq!(calls.get(), 1);
    let d = before.since().await;
    assert_eq!(d.api, 0.0, "an expired token is not sent");
}

#[wasm_bindgen_test]
async fn get_access_token_is_called_once_at_create() {
    clear_faults().await;
    let b = mint_checkout("inv_1001", 600).await;
    let given = b.clone();
    let (cb, calls) = counting(move || Ok(Promise::resolve(&JsValue::from(given.clone())).into()));
    let before = counts().await;
    let c = create(obj(&[
        ("getAccessToken", cb),
        ("baseUrl", sandbox().into()),
    ]))
    .await
    .unwrap();
    assert_eq!(calls.get(), 1, "called at create");
    assert_eq!(client_jti(&c), Some(jti_of(&b)));
    call_async(&c, "get", &[INVOICE.into()]).await.unwrap();
    assert_eq!(calls.get(), 1, "not called again for a valid token");
    let d = before.since().await;
    assert_eq!((d.api, d.unauthorized), (1.0, 0.0));
    assert_eq!(last_jti().await, Some(jti_of(&b)));
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
