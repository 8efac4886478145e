//! Rule 6 (docs/api.md#rule-6): with a token callback, a token within
//! `refreshLeewaySeconds` of `exp` is refreshed before the request goes out; if that
//! fails, a still-valid token is used anyway and an expired one gives the refresh's
//! error. In Chromium against the sandbox.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

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

/// A client whose token is due 2 s after it was issued (12 s lifetime, 10 s leeway)
/// and valid for 12, with `callback` as `onAccessTokenExpired`, retries off, `extra`.
async fn due_after_two_seconds(callback: JsValue, extra: &[(&str, JsValue)]) -> JsValue {
    let token = mint_checkout("inv_1001", 12).await;
    let mut options = vec![
        ("onAccessTokenExpired", callback),
        ("refreshLeewaySeconds", 10.into()),
        ("retry", false.into()),
    ];
    options.extend(extra.iter().cloned());
    checkout_client(&token, &options).await
}

/// Holds the next invoice request 4 s, then lets it through (`None`) or answers `status`.
async fn hold_invoice_4s(status: Option<u16>) {
    let mut pairs = vec![
        ("path", INVOICE.into()),
        ("count", 1.into()),
        ("delay_ms", 4000.into()),
    ];
    if let Some(status) = status {
        pairs.push(("status", status.into()));
    }
    fault(&pairs).await;
}

/// Rule 6's fallback (send with the still-valid token) is for a token the API has not
/// refused. A request waiting on a proactive refresh while another request's 401
/// refuses the token shares that refresh's failure: one callback call, not a second
/// refresh started for the refused token.
#[wasm_bindgen_test]
async fn a_proactive_refresh_that_fails_after_a_401_refused_the_token_is_not_run_again() {
    clear_faults().await;
    let (cb, calls) = counting(|| Ok(never().into()));
    let c = due_after_two_seconds(cb, &[("refreshTimeoutMs", 2500.into())]).await;
    // The first request goes out with the fresh token and is held 4 s; the token is
    // revoked meanwhile, so it comes back 401 while the second one waits on the
    // proactive refresh that the second one started once the token was due.
    hold_invoice_4s(None).await;
    let before = counts().await;
    let first = start(&c, "get", &[INVOICE.into()]);
    sleep(300).await;
    revoke_all().await;
    sleep(2200).await;
    let second = start(&c, "get", &[INVOICE.into()]);
    let results = settle_all(vec![first, second]).await;
    clear_faults().await;
    for (label, r) in ["first", "second"].iter().zip(&results) {
        let err = r.clone().expect_err(label);
        assert_error(&err, "TokenRefreshTimeoutError", "TOKEN_REFRESH_TIMEOUT");
    }
    assert_eq!(calls.get(), 1, "one refresh for both");
    let d = before.since().await;
    assert_eq!(
        (d.api, d.unauthorized),
        (1.0, 1.0),
        "the refused token was not sent again"
    );
}

/// A proactive refresh that failed before any 401 is no answer to a later one: the
/// request refused afterwards refreshes (rule 1) and goes out again with the new token.
#[wasm_bindgen_test]
async fn a_401_after_a_failed_proactive_refresh_still_refreshes() {
    clear_faults().await;
    // The second request's signal: its caller gives up while the refresh runs, so it
    // never goes out (what it would do is not this test's business).
    let gives_up = web_sys::AbortController::new().unwrap();
    let abort = gives_up.clone();
    let failed_once = std::rc::Rc::new(std::cell::Cell::new(false));
    let (cb, calls) = counting(move || {
        if !failed_once.replace(true) {
            abort.abort();
            return Err(js_sys::Error::new("backend hiccup").into());
        }
        let minted = wasm_bindgen_futures::future_to_promise(async {
            Ok(JsValue::from(mint_checkout("inv_1001", 900).await))
        });
        Ok(minted.into())
    });
    let c = due_after_two_seconds(cb, &[]).await;
    // The first request goes out with the fresh token and is answered 401 after 4 s.
    hold_invoice_4s(Some(401)).await;
    let first = start(&c, "get", &[INVOICE.into()]);
    sleep(2300).await;
    // Due now: the second request starts the proactive refresh, which fails.
    let init = obj(&[("signal", gives_up.signal().into())]);
    let second = settle(start(&c, "get", &[INVOICE.into(), init])).await;
    assert!(second.is_err(), "the second caller gave up");
    assert_eq!(calls.get(), 1);
    // The first comes back 401 after that: it refreshes and goes out again.
    let first = settle(first).await;
    clear_faults().await;
    assert_invoice(&first);
    assert_eq!(calls.get(), 2, "the 401 ran the callback again");
}

/// Rules 6 and 8 for every attempt: a retry that goes out after its `Retry-After`
/// delay with a token that came due meanwhile refreshes it first, as a first attempt
/// would (no 401, and the retry carries the new token).
#[wasm_bindgen_test]
async fn a_retry_whose_token_came_due_during_its_delay_refreshes_first() {
    clear_faults().await;
    let (cb, calls) = checkout_minting_callback();
    let token = mint_checkout("inv_1001", 12).await;
    let retry = obj(&[("limit", 1.into()), ("maxDelayMs", 5000.into())]);
    let options = [
        ("onAccessTokenExpired", cb),
        ("refreshLeewaySeconds", 10.into()),
        ("retry", retry),
    ];
    let c = checkout_client(&token, &options).await;
    // Not due for 2 s; the first attempt's 503 asks for 3 s.
    fault(&[
        ("path", INVOICE.into()),
        ("count", 1.into()),
        ("status", 503.into()),
        ("retry_after_s", 3.into()),
    ])
    .await;
    let before = counts().await;
    let r = call_async(&c, "get", &[INVOICE.into()]).await;
    clear_faults().await;
    assert_invoice(&r);
    assert_eq!(calls.get(), 1, "refreshed before the retry went out");
    let d = before.since().await;
    assert_eq!((d.api, d.unauthorized), (2.0, 0.0));
    assert_ne!(last_jti().await, Some(jti_of(&token)));
}
