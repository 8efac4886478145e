//! Rule 4 (docs/api.md#rule-4): after a successful refresh each waiting request is sent
//! again once; refused again, it rejects with `AccessTokenExpiredError`. One request
//! never causes a second refresh, and a throwing `onTokenRefreshed` breaks nothing.
//! In Chromium against the sandbox.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A well-shaped token the sandbox refuses with 401 (bad signature).
fn forged() -> String {
    token(H, r#"{"jti":"forged-1","exp":4102444800}"#)
}

#[wasm_bindgen_test]
async fn a_new_token_refused_again_gives_access_token_expired_without_a_loop() {
    let (a, _) = revoked_then_fresh().await;
    let (cb, calls) = counting(|| Ok(forged().into()));
    let c = checkout_client(&a, &[("onAccessTokenExpired", cb)]).await;
    let before = counts().await;
    let err = call_async(&c, "get", &[INVOICE.into()]).await.unwrap_err();
    assert_error(&err, "AccessTokenExpiredError", "ACCESS_TOKEN_EXPIRED");
    // Not rule 5's message: there is a callback; its token was refused too.
    assert_eq!(
        message(&err),
        "the access token was refused and could not be refreshed"
    );
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
async fn a_401_on_every_request_refreshes_once_then_gives_up() {
    let watch = RejectionWatch::install();
    clear_faults().await;
    let a = mint_checkout("inv_1001", 600).await;
    // Each call hands out a brand-new token (minted in advance).
    let mut spare = Vec::new();
    for _ in 0..3 {
        spare.push(mint_checkout("inv_1001", 600).await);
    }
    let (cb, calls) = counting(move || Ok(spare.pop().map_or(JsValue::UNDEFINED, JsValue::from)));
    let c = checkout_client(&a, &[("onAccessTokenExpired", cb)]).await;
    fault(&[
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

/// `f` wrapped so that its calls are counted; what it throws is thrown on.
fn counted(f: JsValue) -> (JsValue, std::rc::Rc<std::cell::Cell<u32>>) {
    let n = std::rc::Rc::new(std::cell::Cell::new(0));
    let seen = n.clone();
    let f: js_sys::Function = f.unchecked_into();
    let wrapped = js_try1(move |arg| {
        seen.set(seen.get() + 1);
        f.call1(&JsValue::UNDEFINED, &arg)
    });
    (wrapped, n)
}

/// Starts recording the messages of the page's `error` events (what `reportError`
/// dispatches); `reported()` returns them and stops.
fn record_reported_errors() {
    run_js(
        "window.__reported = [];
         window.__onReported = (e) => window.__reported.push(e.error instanceof Error ? e.error.message : String(e.error));
         addEventListener('error', window.__onReported);",
    );
}

fn reported() -> JsValue {
    run_js("removeEventListener('error', window.__onReported); return window.__reported;")
}

#[wasm_bindgen_test]
async fn on_token_refreshed_that_throws_or_rejects_breaks_nothing() {
    let watch = RejectionWatch::install();
    record_reported_errors();
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
        let (on_refreshed, hooked) = counted(on_refreshed);
        let (a, b) = revoked_then_fresh().await;
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
        assert_eq!(
            hooked.get(),
            1,
            "{label}: onTokenRefreshed, once for the one refresh"
        );
    }
    watch.assert_none().await;
    sleep(50).await;
    assert_eq!(
        format!("{:?}", reported()),
        "JsValue([\"page bug\", \"async page bug\", \"hostile then\"])",
        "each throw reported once, as an uncaught error of the page"
    );
}

#[wasm_bindgen_test]
async fn on_token_refreshed_returning_a_thenable_with_a_throwing_getter_breaks_nothing() {
    let watch = RejectionWatch::install();
    let (a, b) = revoked_then_fresh().await;
    let (cb, calls) = answering(&b);
    let (hostile, hooked) = counted(
        js(
            "",
            "return Object.defineProperty({}, 'then', { get() { throw new Error('hostile getter'); } });",
        )
        .into(),
    );
    let c = checkout_client(
        &a,
        &[("onAccessTokenExpired", cb), ("onTokenRefreshed", hostile)],
    )
    .await;
    let r = within(5000, start(&c, "get", &[INVOICE.into()])).await;
    assert_invoice(&r.expect("the request hung"));
    assert_eq!(calls.get(), 1);
    assert_eq!(hooked.get(), 1, "onTokenRefreshed was called");
    let again = within(5000, start(&c, "get", &[INVOICE.into()])).await;
    assert_invoice(&again.expect("the client hung"));
    watch.assert_none().await;
}
