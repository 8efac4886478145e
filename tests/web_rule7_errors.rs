//! Rule 7 (docs/api.md#rule-7): only a 401 refreshes. Any other status is `ApiError`
//! (with `status`, `body`, `requestId`), a failed `fetch` is `NetworkError`, a slow
//! attempt `REQUEST_TIMEOUT`, an aborted signal rejects with its reason. Hostile
//! servers included (bodies that are not JSON, huge, trickling or cut; redirects), for
//! both classes, in Chromium against the sandbox's fault injection: every case ends
//! typed, within its deadline, with no unhandled rejection.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use web_sys::AbortController;

wasm_bindgen_test_configure!(run_in_browser);

/// Rule 7 classifies one attempt's failure, so these clients do not retry (rule 9 and
/// its retries are proven in web_rule9_retry.rs).
const NO_RETRY: (&str, JsValue) = ("retry", JsValue::FALSE);

// ---- statuses ------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn other_statuses_give_api_error_without_refresh() {
    let (c, _, calls) = guarded_client(&[NO_RETRY]).await;
    let before = counts().await;
    let cases: [(u16, &str); 4] = [
        (403, r#"{"error":"e403","n":1}"#),
        (404, r#"{"error":"e404","n":2}"#),
        (500, r#"{"error":"e500","n":3}"#),
        (502, "plain text"),
    ];
    for (status, body) in cases {
        fault(&[
            ("path", INVOICE.into()),
            ("count", 1.into()),
            ("status", status.into()),
            ("body", body.into()),
        ])
        .await;
        let err = call_async(&c, "get", &[INVOICE.into()]).await.unwrap_err();
        assert_error(&err, "ApiError", "API_ERROR");
        assert_eq!(get(&err, "status").as_f64(), Some(f64::from(status)));
        let got = get(&err, "body");
        if body.starts_with('{') {
            assert_eq!(
                get(&got, "error").as_string(),
                Some(format!("e{status}")),
                "parsed body"
            );
        } else {
            assert_eq!(got.as_string().as_deref(), Some(body), "raw text body");
        }
        let id = get(&err, "requestId").as_string().unwrap_or_default();
        assert!(id.starts_with("req_"), "requestId {id:?}");
    }
    // A real 403: the token is for inv_1001, not inv_1002.
    let err = call_async(&c, "get", &["/v1/invoices/inv_1002".into()])
        .await
        .unwrap_err();
    assert_error(&err, "ApiError", "API_ERROR");
    assert_eq!(get(&err, "status").as_f64(), Some(403.0));
    assert_eq!(
        get(&get(&err, "body"), "error").as_string().as_deref(),
        Some("insufficient_scope")
    );
    assert_eq!(calls.get(), 0, "no refresh for other statuses");
    let d = before.since().await;
    assert_eq!(
        (d.api, d.unauthorized, d.forbidden),
        (5.0, 0.0, 2.0),
        "each sent once"
    );
}

#[wasm_bindgen_test]
async fn a_429_with_retry_after_is_api_error_never_a_refresh() {
    let (cb, calls) = forbidden_callback();
    let (c, _) = live_client(&[("onAccessTokenExpired", cb)]).await;
    fault(&[
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
async fn a_200_that_is_not_json_is_api_error_with_the_raw_text() {
    let watch = RejectionWatch::install();
    let (cb, calls) = forbidden_callback();
    let (c, _) = live_client(&[("onAccessTokenExpired", cb)]).await;
    fault(&[
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
    assert_eq!(
        get(&err, "attempts").as_f64(),
        Some(1.0),
        "sent once (rule 9)"
    );
    assert!(get(&err, "requestId").as_string().is_some());
    assert!(ms < 5000.0, "{ms} ms");
    assert_eq!(calls.get(), 0);
    assert_invoice(&timed_get(&c).await.0);
    watch.assert_none().await;
}

#[wasm_bindgen_test]
async fn a_10_mb_body_is_read_and_typed_within_its_deadline() {
    let (c, _) = live_client(&[("requestTimeoutMs", 20_000.into()), NO_RETRY]).await;
    let n = 10 * 1024 * 1024;
    fault(&[
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
    fault(&[
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
    let (c, _) = live_client(&[("requestTimeoutMs", 1000.into()), NO_RETRY]).await;
    // The head arrives at once; 30 bytes at one byte per 200 ms would take 6 s.
    fault(&[
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
    let (c, _) = live_client(&[("onAccessTokenExpired", cb), NO_RETRY]).await;
    for (status, total, sent) in [(200, 100_000, 1000), (401, 5000, 10), (500, 64, 1)] {
        fault(&[
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
async fn a_redirect_to_another_origin_is_network_error_and_the_token_does_not_follow() {
    let watch = RejectionWatch::install();
    let (c, _) = live_client(&[NO_RETRY]).await;
    let other = sandbox_other_origin();
    assert_ne!(other, sandbox(), "the other origin must differ");
    let echo = format!("{other}/__sandbox/echo");
    // Reset the record through the other origin itself (which also proves it answers).
    let plain = plain_fetch_json(&echo).await;
    assert_eq!(get(&plain, "authorization_present").as_bool(), Some(false));
    for status in [301, 302, 307, 308] {
        fault(&[
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

/// With rule 9 on (its defaults), a redirect is still sent once: the same request would
/// get the same redirect, so it is no transient failure. The error says what happened,
/// and names the request as any `NetworkError` does. Through the browser's own `fetch`
/// and through a page's wrapper of it (the SDK's guarded path), the same.
#[wasm_bindgen_test]
async fn a_redirect_is_never_retried_and_the_error_says_redirect() {
    let watch = RejectionWatch::install();
    let (c, _) = live_client(&[]).await;
    let echo = format!("{}/__sandbox/echo", sandbox_other_origin());
    for (status, wrapped) in [301, 302, 303, 307, 308, 302]
        .into_iter()
        .zip([false, false, false, false, false, true])
    {
        let spy = wrapped.then(FetchSpy::install);
        fault(&[
            ("path", INVOICE.into()),
            ("count", 5.into()),
            ("status", status.into()),
            ("headers", obj(&[("location", echo.clone().into())])),
        ])
        .await;
        let before = counts().await;
        let err = timed_get(&c).await.0.unwrap_err();
        clear_faults().await;
        if let Some(spy) = spy {
            assert_eq!(spy.to(INVOICE).len(), 1, "the wrapper saw the call once");
        }
        assert_error(&err, "NetworkError", "NETWORK_ERROR");
        assert_eq!(get(&err, "attempts").as_f64(), Some(1.0), "{status}");
        let text = message(&err);
        assert!(text.contains("redirect"), "{status}: {text}");
        assert!(text.starts_with(&format!("GET {INVOICE}: ")), "{text}");
        assert_eq!(before.since().await.api, 1.0, "{status}: sent again");
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

// ---- network failures, timeouts, abort ----------------------------------------------

#[wasm_bindgen_test]
async fn a_failed_fetch_gives_network_error() {
    let t = mint_checkout("inv_1001", 600).await;
    let (cb, calls) = forbidden_callback();
    let c = create(obj(&[
        ("accessToken", t.into()),
        ("baseUrl", CLOSED_ORIGIN.into()),
        ("onAccessTokenExpired", cb),
    ]))
    .await
    .unwrap();
    let before = counts().await;
    let err = call_async(&c, "get", &[INVOICE.into()]).await.unwrap_err();
    assert_error(&err, "NetworkError", "NETWORK_ERROR");
    assert_eq!(calls.get(), 0);
    assert_eq!(before.since().await.api, 0.0);
}

#[wasm_bindgen_test]
async fn a_slow_endpoint_gives_request_timeout() {
    let (c, _, calls) = guarded_client(&[("requestTimeoutMs", 300.into()), NO_RETRY]).await;
    hold(INVOICE, 3000).await;
    let before = counts().await;
    let t0 = now_ms();
    let err = call_async(&c, "get", &[INVOICE.into()]).await.unwrap_err();
    let elapsed = now_ms() - t0;
    assert_error(&err, "NetworkError", "REQUEST_TIMEOUT");
    assert!((280.0..2500.0).contains(&elapsed), "elapsed {elapsed} ms");
    assert_eq!(calls.get(), 0);
    assert_eq!(before.since().await.api, 1.0, "one attempt, no retry");
}

/// Every attempt gets its own `requestTimeoutMs`, counted from its own start, even though
/// one session timer serves them all: an attempt that started later is not cut short at
/// an earlier one's deadline (answered or timed out), and is not let run past its own.
#[wasm_bindgen_test]
async fn each_attempt_times_out_at_its_own_deadline() {
    let (c, _, _) = guarded_client(&[("requestTimeoutMs", 1000.into()), NO_RETRY]).await;
    // Answered in time: its deadline passes with nothing to abort.
    call_async(&c, "get", &[INVOICE.into()]).await.unwrap();
    sleep(400).await;
    // Two held attempts, 400 ms apart, both past their deadlines.
    hold(INVOICE, 4000).await;
    let t0 = now_ms();
    let first = start(&c, "get", &[INVOICE.into()]);
    sleep(400).await;
    hold(INVOICE, 4000).await;
    let t1 = now_ms();
    let second = start(&c, "get", &[INVOICE.into()]);
    let first = settle(first).await.unwrap_err();
    let first_ms = now_ms() - t0;
    let second = settle(second).await.unwrap_err();
    let second_ms = now_ms() - t1;
    assert_error(&first, "NetworkError", "REQUEST_TIMEOUT");
    assert_error(&second, "NetworkError", "REQUEST_TIMEOUT");
    // Cut at the earlier deadline, the second would end about 600 ms after its start; let
    // run, at the 4 s hold's end (as a 503).
    assert!((950.0..3500.0).contains(&first_ms), "first: {first_ms} ms");
    assert!(
        (950.0..3500.0).contains(&second_ms),
        "second: {second_ms} ms"
    );
}

#[wasm_bindgen_test]
async fn an_aborted_signal_rejects_with_its_reason() {
    let (c, _, _) = guarded_client(&[]).await;
    let before = counts().await;

    // Already aborted: nothing is sent.
    let early = AbortController::new().unwrap();
    let reason = obj(&[("mine", 1.into())]);
    early.abort_with_reason(&reason);
    let init = obj(&[("signal", early.signal().into())]);
    let err = call_async(&c, "get", &[INVOICE.into(), init])
        .await
        .unwrap_err();
    assert!(js_sys::Object::is(&err, &reason), "before sending: {err:?}");
    assert_eq!(before.since().await.api, 0.0, "nothing sent");

    // Aborted in flight.
    hold(INVOICE, 3000).await;
    let late = AbortController::new().unwrap();
    let reason = obj(&[("mine", 2.into())]);
    let init = obj(&[("signal", late.signal().into())]);
    let sent = counts().await;
    let pending = start(&c, "get", &[INVOICE.into(), init]);
    sent.until_api(1.0).await;
    let t0 = now_ms();
    late.abort_with_reason(&reason);
    let err = settle(pending).await.unwrap_err();
    assert!(js_sys::Object::is(&err, &reason), "in flight: {err:?}");
    assert!(now_ms() - t0 < 1500.0, "rejected when aborted");
    assert_eq!(before.since().await.api, 1.0);
}

/// A call waiting for a refresh (its own 401's, or one already running when it started)
/// is cut by its signal at once, as `fetch` would be: it does not wait for the page's
/// callback. The refresh goes on for the calls without a signal.
#[wasm_bindgen_test]
async fn an_abort_while_waiting_for_a_refresh_rejects_at_once_and_the_refresh_goes_on() {
    let (a, b) = revoked_then_fresh().await;
    // The callback answers after 3 s; everything below happens well before. `answered`
    // is set by the first reaction to its promise, before the SDK's own.
    let answered = std::rc::Rc::new(std::cell::Cell::new(false));
    let flag = answered.clone();
    let tok = b.clone();
    let (cb, calls) = counting(move || {
        let promise = delayed(3000, tok.clone().into());
        let (watched, flag) = (promise.clone(), flag.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(watched).await;
            flag.set(true);
        });
        Ok(promise.into())
    });
    let c = checkout_client(&a, &[("onAccessTokenExpired", cb), NO_RETRY]).await;
    let before = counts().await;

    // `first` is refused (401) and waits for the refresh it starts; `plain` has no signal.
    let first_ctl = AbortController::new().unwrap();
    let first = start(
        &c,
        "get",
        &[
            INVOICE.into(),
            obj(&[("signal", first_ctl.signal().into())]),
        ],
    );
    let plain = start(&c, "get", &[INVOICE.into()]);
    wait_until("the refresh started", 2000.0, || calls.get() == 1).await;
    // `joiner` starts while the refresh runs, so it waits before sending anything.
    let joiner_ctl = AbortController::new().unwrap();
    let joiner = start(
        &c,
        "get",
        &[
            INVOICE.into(),
            obj(&[("signal", joiner_ctl.signal().into())]),
        ],
    );
    sleep(50).await;

    let plain_result = std::rc::Rc::new(std::cell::RefCell::new(None));
    let slot = plain_result.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let r = settle(plain).await;
        *slot.borrow_mut() = Some(r);
    });
    let (r1, r2) = (obj(&[("first", 1.into())]), obj(&[("joiner", 2.into())]));
    first_ctl.abort_with_reason(&r1);
    joiner_ctl.abort_with_reason(&r2);
    let e1 = settle(first).await.unwrap_err();
    let e2 = settle(joiner).await.unwrap_err();
    assert!(js_sys::Object::is(&e1, &r1), "the refused call: {e1:?}");
    assert!(
        js_sys::Object::is(&e2, &r2),
        "the call that joined the refresh: {e2:?}"
    );
    assert!(
        !answered.get(),
        "both rejected before the callback answered"
    );

    wait_until("plain settled", 10_000.0, || {
        plain_result.borrow().is_some()
    })
    .await;
    assert_invoice(plain_result.borrow().as_ref().unwrap());
    assert_eq!(calls.get(), 1, "one refresh");
    let d = before.since().await;
    // `plain` went out with the refused token too. Its 401 reaches the server unless
    // `first`'s 401 aborted it before the server answered (rule 2 extended): either
    // way it is sent once more, and the aborted calls never again.
    assert!(
        d.unauthorized == 1.0 || d.unauthorized == 2.0,
        "first refused, plain refused or aborted: {d:?}"
    );
    assert_eq!(
        d.api,
        d.unauthorized + 1.0,
        "the aborted calls were not sent again; plain was resent once: {d:?}"
    );
}

// ---- the other API, or the wrong key ---------------------------------------------------

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

#[wasm_bindgen_test]
async fn a_wrong_api_key_is_the_sandboxs_403_as_api_error() {
    clear_storage();
    let before = counts().await;
    let wrong = safe_sdk(&[("apiKey", "not-the-key".into())]);
    let err = initialize(&wrong).await.unwrap_err();
    assert_error(&err, "ApiError", "API_ERROR");
    assert_eq!(get(&err, "status").as_f64(), Some(403.0));
    assert!(get(&err, "requestId").as_string().is_some());
    assert!(get(&wrong, "deviceId").is_null());
    assert_eq!(before.since().await.registrations, 0.0);

    // The right key registers.
    let right = safe_sdk(&[]);
    let r = initialize(&right).await.unwrap();
    assert_eq!(get(&r, "registered").as_bool(), Some(true));

    // The check carries x-api-key too: a wrong key on a known device is a 403 there,
    // which is not a token problem (no AuthenticationFailed, no callback).
    let (cb, calls) = gatekeeper_minting_callback();
    let wrong = safe_sdk(&[
        ("apiKey", "not-the-key".into()),
        ("onAccessTokenExpired", cb),
    ]);
    let r = initialize(&wrong).await.unwrap();
    assert_eq!(get(&r, "registered").as_bool(), Some(false));
    let err = call_async(&wrong, "check", &[]).await.unwrap_err();
    assert_error(&err, "ApiError", "API_ERROR");
    assert_eq!(get(&err, "status").as_f64(), Some(403.0));
    assert_eq!(calls.get(), 0);
}

#[wasm_bindgen_test]
async fn other_failures_of_check_still_reject() {
    clear_storage();
    let s = safe_sdk(&[NO_RETRY]);
    let id = get(&initialize(&s).await.unwrap(), "deviceId")
        .as_string()
        .unwrap();
    fault(&[
        ("path", checks_path(&id).into()),
        ("count", 1.into()),
        ("status", 503.into()),
    ])
    .await;
    let err = call_async(&s, "check", &[]).await.unwrap_err();
    assert_error(&err, "ApiError", "API_ERROR");
    assert_eq!(get(&err, "status").as_f64(), Some(503.0));

    let dead = safe_sdk(&[("baseUrl", CLOSED_ORIGIN.into()), NO_RETRY]);
    let err = initialize(&dead).await.unwrap_err();
    assert_error(&err, "NetworkError", "NETWORK_ERROR");
}

/// A page that breaks `AbortController` after `create()` (a polyfill gone wrong): a call
/// cannot be cut short without one, so it is refused before it is sent, as `create()`
/// refuses such a runtime, with `ConfigurationError` key `AbortController`; never a
/// `NetworkError` that says the network failed. Restored, the client goes on.
#[wasm_bindgen_test]
async fn a_call_without_abort_controller_is_a_configuration_error_and_nothing_is_sent() {
    let (c, _) = live_client(&[]).await;
    let before = counts().await;
    run_js(
        "globalThis.__realAbortController = AbortController; \
         globalThis.AbortController = function () { throw new TypeError('broken'); };",
    );
    let refused = timed_get(&c).await.0;
    let created = create(obj(&[
        ("accessToken", mint_checkout("inv_1001", 600).await.into()),
        ("baseUrl", sandbox().into()),
    ]))
    .await;
    run_js("globalThis.AbortController = globalThis.__realAbortController;");
    for err in [refused.unwrap_err(), created.unwrap_err()] {
        assert_error(&err, "ConfigurationError", "INVALID_CONFIGURATION");
        assert_eq!(
            get(&err, "key").as_string().as_deref(),
            Some("AbortController")
        );
    }
    assert_eq!(before.since().await.api, 0.0, "nothing was sent");
    assert_invoice(&timed_get(&c).await.0);
}
