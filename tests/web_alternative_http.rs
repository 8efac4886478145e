//! `AlternativeClient` HTTP behaviour in real Chromium against the sandbox: rule 7,
//! timeouts, abort signals, origin pinning, headers, query, JSON bodies, destroy.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use web_sys::AbortController;

wasm_bindgen_test_configure!(run_in_browser);

const INVOICE: &str = "/v1/invoices/inv_1001";

/// A client with a live token for inv_1001 and a callback that must never be needed.
async fn live_client(
    extra: &[(&str, JsValue)],
) -> (JsValue, String, std::rc::Rc<std::cell::Cell<u32>>) {
    clear_faults().await;
    let a = mint_checkout("inv_1001", 600).await;
    let (cb, calls) = counting(|| Err("must not be called".into()));
    let mut opts = vec![("onAccessTokenExpired", cb)];
    opts.extend(extra.iter().cloned());
    (checkout_client(&a, &opts).await, a, calls)
}

/// Holds the next request under `path` for `ms`, then answers 503 without reaching
/// the API handler (so nothing from this test lands in later tests' counters).
async fn hold(path: &str, ms: u32) {
    fault_obj(&obj(&[
        ("path", path.into()),
        ("count", 1.into()),
        ("delay_ms", ms.into()),
        ("status", 503.into()),
    ]))
    .await;
}

#[wasm_bindgen_test]
async fn other_statuses_give_api_error_without_refresh() {
    let (c, _, calls) = live_client(&[]).await;
    let before = counts().await;
    let cases: [(u16, &str); 4] = [
        (403, r#"{"error":"e403","n":1}"#),
        (404, r#"{"error":"e404","n":2}"#),
        (500, r#"{"error":"e500","n":3}"#),
        (502, "plain text"),
    ];
    for (status, body) in cases {
        fault_obj(&obj(&[
            ("path", INVOICE.into()),
            ("count", 1.into()),
            ("status", status.into()),
            ("body", body.into()),
        ]))
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
async fn put_patch_delete_use_their_methods() {
    let (c, _, _) = live_client(&[]).await;
    let before = counts().await;
    for (method, args) in [
        ("put", vec![INVOICE.into(), obj(&[("a", 1.into())])]),
        ("patch", vec![INVOICE.into(), obj(&[("a", 1.into())])]),
        ("delete", vec![INVOICE.into()]),
    ] {
        let err = call_async(&c, method, &args).await.unwrap_err();
        assert_error(&err, "ApiError", "API_ERROR");
        assert_eq!(get(&err, "status").as_f64(), Some(405.0), "{method}");
    }
    assert_eq!(before.since().await.api, 3.0);
}

#[wasm_bindgen_test]
async fn a_failed_fetch_gives_network_error() {
    let t = mint_checkout("inv_1001", 600).await;
    let (cb, calls) = counting(|| Err("must not be called".into()));
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
    let (c, _, calls) = live_client(&[("requestTimeoutMs", 300.into())]).await;
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

#[wasm_bindgen_test]
async fn an_aborted_signal_rejects_with_its_reason() {
    let (c, _, _) = live_client(&[]).await;
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
    hold(INVOICE, 1500).await;
    let late = AbortController::new().unwrap();
    let reason = obj(&[("mine", 2.into())]);
    let init = obj(&[("signal", late.signal().into())]);
    let t0 = now_ms();
    let pending = start(&c, "get", &[INVOICE.into(), init]);
    sleep(150).await;
    late.abort_with_reason(&reason);
    let err = settle(pending).await.unwrap_err();
    assert!(js_sys::Object::is(&err, &reason), "in flight: {err:?}");
    assert!(now_ms() - t0 < 1200.0, "rejected when aborted");
    assert_eq!(before.since().await.api, 1.0);
}

#[wasm_bindgen_test]
async fn paths_outside_the_api_origin_are_refused_before_sending() {
    let (c, a, _) = live_client(&[]).await;
    let port = sandbox().rsplit(':').next().unwrap();
    let bad = [
        "https://evil.example/v1/invoices/inv_1001".to_string(),
        "//evil.example/x".to_string(),
        format!("https://127.0.0.1:{port}{INVOICE}"),
        format!("http://localhost:{port}{INVOICE}"),
        format!("http://127.0.0.1:{port}@evil.example{INVOICE}"),
        "v1/invoices/inv_1001".to_string(),
        "\\\\evil.example/x".to_string(),
        "javascript:alert(1)".to_string(),
    ];
    let spy = FetchSpy::install();
    let before = counts().await;
    for path in &bad {
        let err = call_async(&c, "get", &[path.into()]).await.unwrap_err();
        assert_error(&err, "ConfigurationError", "INVALID_CONFIGURATION");
        assert_eq!(
            get(&err, "key").as_string().as_deref(),
            Some("path"),
            "{path}"
        );
        let msg = get(&err, "message").as_string().unwrap();
        assert!(!msg.contains(&a), "message leaks the token");
        let err = call_async(&c, "request", &["GET".into(), path.into()])
            .await
            .unwrap_err();
        assert_eq!(
            get(&err, "key").as_string().as_deref(),
            Some("path"),
            "{path}"
        );
    }
    assert_eq!(before.since().await.api, 0.0, "nothing reached the API");
    let leaked: Vec<_> = spy
        .calls
        .borrow()
        .iter()
        .filter(|c| c.2.is_some())
        .cloned()
        .collect();
    assert!(leaked.is_empty(), "fetch called with a token: {leaked:?}");
    drop(spy);

    // The same origin, written absolutely, is fine.
    let before = counts().await;
    let abs = format!("{}{INVOICE}", sandbox());
    call_async(&c, "get", &[abs.into()]).await.unwrap();
    assert_eq!(before.since().await.api, 1.0);
}

#[wasm_bindgen_test]
async fn a_caller_authorization_header_does_not_replace_ours() {
    let (c, a, calls) = live_client(&[]).await;
    let spy = FetchSpy::install();
    let before = counts().await;
    let plain = obj(&[("headers", obj(&[("Authorization", "Bearer forged".into())]))]);
    call_async(&c, "get", &[INVOICE.into(), plain])
        .await
        .unwrap();
    assert_eq!(last_jti().await, Some(jti_of(&a)));
    let pairs = js_sys::Array::of1(&js_sys::Array::of2(
        &"AUTHORIZATION".into(),
        &"Bearer x".into(),
    ));
    let listed = obj(&[("headers", pairs.into())]);
    call_async(&c, "request", &["GET".into(), INVOICE.into(), listed])
        .await
        .unwrap();
    assert_eq!(last_jti().await, Some(jti_of(&a)));
    let sent = spy.to(INVOICE);
    drop(spy);
    assert_eq!(sent.len(), 2);
    let ours = format!("Bearer {a}");
    assert!(
        sent.iter().all(|s| s.2.as_deref() == Some(ours.as_str())),
        "sent {sent:?}"
    );
    let d = before.since().await;
    assert_eq!((d.api, d.unauthorized), (2.0, 0.0));
    assert_eq!(calls.get(), 0);
}

#[wasm_bindgen_test]
async fn query_values_are_encoded_into_the_url() {
    // The sandbox echoes no query string, so the URL is checked at `fetch`.
    let (c, _, _) = live_client(&[]).await;
    let spy = FetchSpy::install();
    let before = counts().await;
    let b = js_sys::Array::of2(&1.into(), &2.into());
    let query = obj(&[("a", "x y&z".into()), ("b", b.into())]);
    let init = obj(&[("query", query)]);
    let invoice = call_async(&c, "get", &[INVOICE.into(), init])
        .await
        .unwrap();
    let sent = spy.to(INVOICE);
    drop(spy);
    assert_eq!(get(&invoice, "id").as_string().as_deref(), Some("inv_1001"));
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0]
            .0
            .ends_with("/v1/invoices/inv_1001?a=x+y%26z&b=1&b=2"),
        "url {}",
        sent[0].0
    );
    assert_eq!(before.since().await.api, 1.0);
}

#[wasm_bindgen_test]
async fn post_sends_json_and_resolves_to_the_json_answer() {
    let (c, a, _) = live_client(&[]).await;
    let spy = FetchSpy::install();
    let before = counts().await;
    let path = format!("{INVOICE}/payments");
    let body = obj(&[("amount", 4999.into()), ("note", "é \"q\"".into())]);
    let payment = call_async(&c, "post", &[path.clone().into(), body])
        .await
        .unwrap();
    let sent = spy.to(&path);
    drop(spy);
    assert_eq!(
        get(&payment, "status").as_string().as_deref(),
        Some("succeeded")
    );
    assert_eq!(
        get(&payment, "invoice_id").as_string().as_deref(),
        Some("inv_1001")
    );
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].1, "POST");
    assert_eq!(sent[0].3.as_deref(), Some("application/json"));
    assert_eq!(before.since().await.api, 1.0);
    assert_eq!(last_jti().await, Some(jti_of(&a)));
}

#[wasm_bindgen_test]
async fn destroy_during_a_request_rejects_it_and_every_later_call() {
    let (c, _, _) = live_client(&[]).await;
    hold(INVOICE, 1500).await;
    let before = counts().await;
    let t0 = now_ms();
    let pending = start(&c, "get", &[INVOICE.into()]);
    sleep(150).await;
    call(&c, "destroy", &[]).unwrap();
    let err = settle(pending).await.unwrap_err();
    assert_error(&err, "ClientDestroyedError", "CLIENT_DESTROYED");
    assert!(
        now_ms() - t0 < 1200.0,
        "rejected at destroy, not after the response"
    );
    assert!(get(&c, "claims").is_null());
    assert!(get(&c, "expiresAt").is_null());
    let later = call_async(&c, "get", &[INVOICE.into()]).await.unwrap_err();
    assert_error(&later, "ClientDestroyedError", "CLIENT_DESTROYED");
    let t = mint_checkout("inv_1001", 600).await;
    let set = call(&c, "setAccessToken", &[t.into()]).unwrap_err();
    assert_error(&set, "ClientDestroyedError", "CLIENT_DESTROYED");
    assert_eq!(before.since().await.api, 1.0, "nothing sent after destroy");
}

#[wasm_bindgen_test]
async fn destroy_during_a_refresh_rejects_the_waiters_and_discards_the_result() {
    clear_faults().await;
    let a = mint_checkout("inv_1001", 600).await;
    revoke_all().await;
    let b = mint_checkout("inv_1001", 600).await;
    let given = b.clone();
    let (cb, calls) = counting(move || Ok(delayed(500, given.clone().into()).into()));
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
    let first = start(&c, "get", &[INVOICE.into()]);
    let probe = calls.clone();
    wait_until("the callback to be called", 3000.0, move || {
        probe.get() == 1
    })
    .await;
    let queued = start(&c, "get", &[INVOICE.into()]);
    let t0 = now_ms();
    call(&c, "destroy", &[]).unwrap();
    let results = settle_all(vec![first, queued]).await;
    assert!(now_ms() - t0 < 300.0, "waiters rejected promptly");
    for r in results {
        assert_error(&r.unwrap_err(), "ClientDestroyedError", "CLIENT_DESTROYED");
    }
    sleep(700).await; // the callback settles with B meanwhile
    assert!(get(&c, "claims").is_null(), "the late token is discarded");
    assert!(get(&c, "expiresAt").is_null());
    assert!(
        events.borrow().is_empty(),
        "no onTokenRefreshed after destroy"
    );
    let later = call_async(&c, "get", &[INVOICE.into()]).await.unwrap_err();
    assert_error(&later, "ClientDestroyedError", "CLIENT_DESTROYED");
    assert_eq!(calls.get(), 1);
    let d = before.since().await;
    assert_eq!(
        (d.api, d.unauthorized),
        (1.0, 1.0),
        "no retry after destroy"
    );
}
