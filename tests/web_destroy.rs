//! `destroy()` (docs/api.md#alternativeclient, #safesdk): it forgets the token, rejects
//! what is in flight and every later call with `ClientDestroyedError`, and discards a
//! refresh that settles afterwards; also when page code calls it from inside the SDK's
//! own callbacks. Both classes, in Chromium against the sandbox.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

// ---- AlternativeClient -----------------------------------------------------------------

#[wasm_bindgen_test]
async fn destroy_during_a_request_rejects_it_and_every_later_call() {
    let (c, _, _) = guarded_client(&[]).await;
    hold(INVOICE, 3000).await;
    let before = counts().await;
    let pending = start(&c, "get", &[INVOICE.into()]);
    before.until_api(1.0).await;
    let t0 = now_ms();
    call(&c, "destroy", &[]).unwrap();
    let err = settle(pending).await.unwrap_err();
    assert_error(&err, "ClientDestroyedError", "CLIENT_DESTROYED");
    assert!(
        now_ms() - t0 < 1500.0,
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
async fn destroy_during_a_refresh_clears_its_refresh_timeout_timer() {
    // The timer of `refreshTimeoutMs` would otherwise run on after destroy() (and keep
    // a Node process alive that long). Seen through the page's own timer functions.
    clear_faults().await;
    let a = mint_checkout("inv_1001", 600).await;
    revoke_all().await;
    run_js(
        "window.__timers = { set: [], cleared: [] };
         const set = window.setTimeout, clear = window.clearTimeout;
         window.__restoreTimers = () => { window.setTimeout = set; window.clearTimeout = clear; };
         window.setTimeout = (f, ms, ...rest) => { const id = set(f, ms, ...rest); window.__timers.set.push([id, ms]); return id; };
         window.clearTimeout = (id) => { window.__timers.cleared.push(id); return clear(id); };",
    );
    let (cb, calls) = counting(|| Ok(never().into()));
    let c = checkout_client(
        &a,
        &[
            ("onAccessTokenExpired", cb),
            ("refreshTimeoutMs", 60_000.into()),
        ],
    )
    .await;
    let pending = start(&c, "get", &[INVOICE.into()]);
    wait_until("the token callback", 5000.0, || calls.get() == 1).await;
    call(&c, "destroy", &[]).unwrap();
    let err = settle(pending).await.unwrap_err();
    sleep(50).await;
    let cleared = run_js(
        "const t = window.__timers; window.__restoreTimers();
         const ids = t.set.filter(([, ms]) => ms === 60000).map(([id]) => id);
         return ids.length === 1 && t.cleared.includes(ids[0]);",
    );
    assert_error(&err, "ClientDestroyedError", "CLIENT_DESTROYED");
    assert_eq!(
        cleared.as_bool(),
        Some(true),
        "the 60 s refresh timer was cleared"
    );
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

#[wasm_bindgen_test]
async fn a_callback_that_destroys_the_client_rejects_the_waiter_with_client_destroyed() {
    let watch = RejectionWatch::install();
    for returns_promise in [false, true] {
        let (a, b) = revoked_then_fresh().await;
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
    let (a, b) = revoked_then_fresh().await;
    let slot: Slot = Rc::default();
    let (inner, thrown) = (slot.clone(), Rc::new(RefCell::new(None)));
    let thrown_in = thrown.clone();
    let on_refreshed = js_fn1(move |_| {
        *thrown_in.borrow_mut() = slot_call(&inner, "destroy", &[]).err();
        JsValue::UNDEFINED
    });
    let (cb, calls) = answering(&b);
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
    // The refused request only: no resend once onTokenRefreshed has destroyed the client.
    assert_eq!(before.since().await.api, 1.0, "nothing sent after destroy");
    assert!(get(&c, "claims").is_null());
    watch.assert_none().await;
}

// ---- SafeSDK ---------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn destroy_makes_later_calls_reject() {
    clear_storage();
    let s = safe_sdk(&[]);
    let id = get(&initialize(&s).await.unwrap(), "deviceId");
    let before = counts().await;
    call(&s, "destroy", &[]).unwrap();
    call(&s, "destroy", &[]).unwrap(); // twice is harmless

    let err = call_async(&s, "check", &[]).await.unwrap_err();
    assert_error(&err, "ClientDestroyedError", "CLIENT_DESTROYED");
    let err = initialize(&s).await.unwrap_err();
    assert_error(&err, "ClientDestroyedError", "CLIENT_DESTROYED");
    let err = call(&s, "setAccessToken", &[mint_gatekeeper(600).await.into()]).unwrap_err();
    assert_error(&err, "ClientDestroyedError", "CLIENT_DESTROYED");
    let (cb, _) = counting(|| Ok(JsValue::UNDEFINED));
    let err = call(&s, "startPeriodicCheck", &[1000.into(), cb]).unwrap_err();
    assert_error(&err, "ClientDestroyedError", "CLIENT_DESTROYED");
    call(&s, "stopPeriodicCheck", &[]).unwrap();
    assert_eq!(before.since().await.api, 0.0);
    // Documented: `deviceId` is the registered id (destroy forgets the token only).
    assert_eq!(get(&s, "deviceId"), id);
}

#[wasm_bindgen_test]
async fn destroy_rejects_pending_calls() {
    clear_storage();
    let s = safe_sdk(&[]);
    let id = get(&initialize(&s).await.unwrap(), "deviceId")
        .as_string()
        .unwrap();
    fault(&[
        ("path", checks_path(&id).into()),
        ("count", 1.into()),
        ("delay_ms", 800.into()),
    ])
    .await;
    let pending = call(&s, "check", &[]).unwrap();
    sleep(100).await;
    call(&s, "destroy", &[]).unwrap();
    let started = now_ms();
    let err = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(pending))
        .await
        .unwrap_err();
    assert_error(&err, "ClientDestroyedError", "CLIENT_DESTROYED");
    assert!(
        now_ms() - started < 500.0,
        "the pending check was not aborted"
    );

    // A registration in flight, too.
    clear_storage();
    let s = safe_sdk(&[]);
    fault(&[
        (
            "path",
            format!("/v1/applications/{GK_APP}/versions/{GK_VERSION}/devices").into(),
        ),
        ("count", 1.into()),
        ("delay_ms", 800.into()),
    ])
    .await;
    let pending = call(&s, "initialize", &[mint_gatekeeper(600).await.into()]).unwrap();
    sleep(100).await;
    call(&s, "destroy", &[]).unwrap();
    let err = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(pending))
        .await
        .unwrap_err();
    assert_error(&err, "ClientDestroyedError", "CLIENT_DESTROYED");
    sleep(800).await; // let the delayed request finish at the sandbox
}
