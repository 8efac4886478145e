//! Rule 2 (docs/api.md#rule-2): however many requests are refused at once, the token
//! callback runs once; they all wait for its result, and so do requests started while
//! it runs. In Chromium against the sandbox.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::Promise;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

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
    // Rule 2 extended: the GETs still waiting on A when the first 401 arrived were
    // aborted before the server saw them, so at most the 50 sent with A are refused,
    // and each of the 55 went out exactly once with B.
    assert!(
        (1.0..=50.0).contains(&d.unauthorized),
        "refused with A: {}",
        d.unauthorized
    );
    assert_eq!(
        d.api - d.unauthorized,
        55.0,
        "each request sent once with B"
    );
    assert_eq!(last_jti().await, Some(jti_of(&b)));
}
