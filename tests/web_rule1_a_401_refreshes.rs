//! Rule 1 (docs/api.md#rule-1): a 401 means the token that request carried was
//! refused. The token callback is called once and the request resent with the new
//! token; a request refused for a token that has since changed is resent with the
//! current one, without calling back. Both classes, in Chromium against the sandbox.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::Promise;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn refresh_after_revocation_calls_back_once_and_uses_the_new_token() {
    let (a, b) = revoked_then_fresh().await;
    let (cb, calls) = answering(&b);
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
async fn stale_token_401_retries_with_the_current_token_without_calling_back() {
    let (cb, calls) = forbidden_callback();
    let (c, _) = live_client(&[("onAccessTokenExpired", cb)]).await;
    // Hold the next request 600 ms before the sandbox checks its token.
    fault(&[
        ("path", INVOICE.into()),
        ("count", 1.into()),
        ("delay_ms", 600.into()),
    ])
    .await;
    revoke_all().await;
    let b = mint_checkout("inv_1001", 600).await;
    let before = counts().await;

    let spy = FetchSpy::install();
    let pending = start(&c, "get", &[INVOICE.into()]);
    // Sent with A (refused when the sandbox reads it, 600 ms after it arrives): the page
    // sets B meanwhile.
    wait_until("the request sent", 5000.0, || !spy.to(INVOICE).is_empty()).await;
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

#[wasm_bindgen_test]
async fn a_401_with_no_body_or_html_is_expired_without_callback_and_refreshes_with_one() {
    let watch = RejectionWatch::install();
    for body in ["", "<html><body><h1>401 Unauthorized</h1></body></html>"] {
        let (plain, _) = live_client(&[]).await;
        fault(&[
            ("path", INVOICE.into()),
            ("status", 401.into()),
            ("body", body.into()),
        ])
        .await;
        let err = timed_get(&plain).await.0.unwrap_err();
        assert_error(&err, "AccessTokenExpiredError", "ACCESS_TOKEN_EXPIRED");

        let fresh = mint_checkout("inv_1001", 600).await;
        let (cb, calls) = answering(&fresh);
        let (c, _) = live_client(&[("onAccessTokenExpired", cb)]).await;
        fault(&[
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
async fn a_revoked_token_with_callback_is_ok_after_one_refresh() {
    clear_storage();
    let (cb, calls) = gatekeeper_minting_callback();
    let s = safe_sdk(&[("onAccessTokenExpired", cb)]);
    initialize(&s).await.unwrap();
    revoke_all().await;
    let r = call_async(&s, "check", &[]).await.unwrap();
    assert_eq!(status_of(&r).as_deref(), Some("Ok"), "{r:?}");
    assert_eq!(calls.get(), 1);
    // The refreshed token stays: the next check needs no callback.
    let r = call_async(&s, "check", &[]).await.unwrap();
    assert_eq!(status_of(&r).as_deref(), Some("Ok"));
    assert_eq!(calls.get(), 1);
}

#[wasm_bindgen_test]
async fn get_access_token_works_as_the_callback_too() {
    clear_storage();
    let (cb, calls) = gatekeeper_minting_callback();
    let s = safe_sdk(&[("getAccessToken", cb)]);
    initialize(&s).await.unwrap();
    revoke_all().await;
    let r = call_async(&s, "check", &[]).await.unwrap();
    assert_eq!(status_of(&r).as_deref(), Some("Ok"), "{r:?}");
    assert_eq!(calls.get(), 1);
}

#[wasm_bindgen_test]
async fn the_page_setting_the_same_token_again_does_not_count_as_a_new_token() {
    // A page that calls setAccessToken(token) on every render hands back the token in
    // use: a 401 for it, on a request in flight meanwhile, still refreshes (rule 1).
    clear_faults().await;
    let a = mint_checkout("inv_1001", 600).await;
    let (cb, calls) = checkout_minting_callback();
    let c = checkout_client(&a, &[("onAccessTokenExpired", cb)]).await;
    fault(&[
        ("path", INVOICE.into()),
        ("count", 1.into()),
        ("delay_ms", 500.into()),
    ])
    .await;
    revoke_all().await;
    let before = counts().await;
    let spy = FetchSpy::install();
    let pending = start(&c, "get", &[INVOICE.into()]);
    // Sent with the revoked token, refused 500 ms after it arrives: the page hands the
    // same token back meanwhile.
    wait_until("the request sent", 5000.0, || !spy.to(INVOICE).is_empty()).await;
    call(&c, "setAccessToken", &[a.clone().into()]).unwrap();
    let r = within(5000, pending).await.expect("the request hung");
    assert_invoice(&r);
    assert_eq!(calls.get(), 1, "the 401 called back once");
    let d = before.since().await;
    assert_eq!(
        (d.api, d.unauthorized),
        (2.0, 1.0),
        "refused once, then sent with the callback's token (no resend of the same one)"
    );
}

/// Rule 1, with a refresh that fails: the page sets a new token while the refresh for a
/// 401 runs. The refused request, and one made while the refresh ran, go out with the
/// page's token instead of rejecting with the refresh's error.
#[wasm_bindgen_test]
async fn a_token_the_page_sets_during_a_failing_refresh_is_used() {
    let (a, b) = revoked_then_fresh().await;
    let (cb, calls) = counting(|| {
        Ok(run_js(
            "return new Promise((_, reject) => setTimeout(() => reject(new Error('backend down')), 3000));",
        ))
    });
    let c = checkout_client(&a, &[("onAccessTokenExpired", cb), ("retry", false.into())]).await;
    let before = counts().await;
    let refused = start(&c, "get", &[INVOICE.into()]);
    // The refusal has started the refresh, which fails 3 s later.
    wait_until("the refresh", 5000.0, || calls.get() == 1).await;
    call(&c, "setAccessToken", &[b.clone().into()]).unwrap();
    let later = start(&c, "get", &[INVOICE.into()]);
    let results = settle_all(vec![refused, later]).await;
    for r in &results {
        assert_invoice(r);
    }
    assert_eq!(calls.get(), 1, "the one refresh, which failed");
    let d = before.since().await;
    assert_eq!((d.api, d.unauthorized), (3.0, 1.0));
    assert_eq!(last_jti().await, Some(jti_of(&b)));
}

/// The stale-401 set-up: a client on a first token with `callback` and retries off; two
/// canned 401 answers, each `(delay_ms, extra fault options)`, taken in order; a GET
/// that goes out with the first token, then (once it is at the sandbox) the page sets a
/// second token and a second GET goes out with it. Returns both calls. Two URLs: Chromium's
/// cache would hold a second GET of one URL until the first's answer is in.
async fn stale_then_current(
    callback: JsValue,
    answers: [(u32, &[(&str, JsValue)]); 2],
) -> (Promise, Promise) {
    clear_faults().await;
    let first = mint_checkout("inv_1001", 600).await;
    let second = mint_checkout("inv_1001", 600).await;
    let c = checkout_client(
        &first,
        &[("onAccessTokenExpired", callback), ("retry", false.into())],
    )
    .await;
    for (delay, extra) in answers {
        let mut pairs = vec![
            ("path", INVOICE.into()),
            ("count", 1.into()),
            ("delay_ms", delay.into()),
            ("status", 401.into()),
        ];
        pairs.extend(extra.iter().cloned());
        fault(&pairs).await;
    }
    let at = |name: &str| obj(&[("query", obj(&[("call", name.into())]))]);
    let before = counts().await;
    let stale = start(&c, "get", &[INVOICE.into(), at("stale")]);
    before.until_api(1.0).await;
    call(&c, "setAccessToken", &[second.into()]).unwrap();
    let current = start(&c, "get", &[INVOICE.into(), at("current")]);
    (stale, current)
}

/// Rules 1 and 4: a request refused with a token the page has since replaced is resent
/// once with the current one. If that one is refused meanwhile (by another request's
/// 401 whose refresh has not started yet), the request waits for that refresh like a
/// new one: it has had no refresh of its own, so it is not rejected.
#[wasm_bindgen_test]
async fn a_stale_401_whose_current_token_is_refused_meanwhile_waits_for_the_refresh() {
    let (cb, calls) = checkout_minting_callback();
    // Both answers are 401 with a trickling body. The stale one: its head after
    // 300 ms (once the page has set the second token), 10 bytes in 1 s. The one refusing
    // the current token: at once, 20 bytes in 2 s; while they trickle no refresh has
    // started, so the stale call's resend meets the refusal with none running.
    let trickle = |bytes: u32| [("body_bytes", bytes.into()), ("trickle_ms", 100.into())];
    let (stale, refusing) = stale_then_current(cb, [(300, &trickle(10)), (0, &trickle(20))]).await;
    let results = settle_all(vec![stale, refusing]).await;
    clear_faults().await;
    for r in &results {
        assert_invoice(r);
    }
    assert_eq!(calls.get(), 1, "one refresh, for the refused current token");
}

/// Rules 1 and 2: a stale 401 (for a token the page has since replaced) that comes back
/// after the refresh for the page's token failed shares that failure: it rejects with
/// `TokenRefreshError` like the call that started the refresh, with no second callback.
#[wasm_bindgen_test]
async fn a_stale_401_after_the_refresh_for_the_pages_token_failed_shares_its_error() {
    let (cb, calls) = counting(|| Err(js_sys::Error::new("backend down").into()));
    // The stale call's 401 comes after 1 s; the current call's at once.
    let (stale, refused) = stale_then_current(cb, [(1000, &[]), (0, &[])]).await;
    let refused = settle(refused).await;
    let stale = settle(stale).await;
    clear_faults().await;
    for r in [refused, stale] {
        assert_error(
            &r.expect_err("rejected"),
            "TokenRefreshError",
            "TOKEN_REFRESH_FAILED",
        );
    }
    assert_eq!(calls.get(), 1);
}
