//! `SafeSDK` (Gatekeeper) in headless Chromium against the sandbox: registration once
//! per profile, storage that throws, headers and path encoding, `check()` under the
//! refresh rules, token rotation, the periodic check, option validation, call order
//! and `destroy()`.
//!
//! The tests share one sandbox and run one at a time, so they read counter deltas.
//! The whole file must finish within the runner's 20 s budget: the periodic-check
//! scenarios therefore run side by side in one test.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::{Array, Function, Object, Reflect};
use partner_sdk::api::SafeSdk;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const APP: &str = "demo-app";
const KEY: &str = "demo-api-key";
const VERSION: &str = "1.0.0";

/// The valid options, with `overrides` applied (a value of `undefined` removes the key).
fn options(overrides: &[(&str, JsValue)]) -> JsValue {
    let o = obj(&[
        ("apiKey", KEY.into()),
        ("applicationId", APP.into()),
        ("applicationVersion", VERSION.into()),
        ("baseUrl", sandbox().into()),
    ]);
    for (k, v) in overrides {
        if v.is_undefined() {
            Reflect::delete_property(o.unchecked_ref::<Object>(), &(*k).into()).unwrap();
        } else {
            Reflect::set(&o, &(*k).into(), v).unwrap();
        }
    }
    o
}

/// `new SafeSDK(options)` through the Rust export; panics on a configuration error.
fn sdk(overrides: &[(&str, JsValue)]) -> JsValue {
    match SafeSdk::new(options(overrides)) {
        Ok(s) => JsValue::from(s),
        Err(e) => panic!("SafeSDK constructor threw: {e:?}"),
    }
}

/// `new SafeSDK(options)` through the JS class, as a page writes it.
fn construct(options: &JsValue) -> Result<JsValue, JsValue> {
    let ctor: Function = get(&sdk(&[]), "constructor").dyn_into().unwrap();
    Reflect::construct(&ctor, &Array::of1(options))
}

fn storage() -> web_sys::Storage {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .expect("localStorage")
}

fn clear_storage() {
    storage().clear().unwrap();
}

/// `sdk.initialize(jwt)` with a fresh Gatekeeper token.
async fn initialize(s: &JsValue) -> Result<JsValue, JsValue> {
    let t = mint_gatekeeper(600).await;
    call_async(s, "initialize", &[t.into()]).await
}

fn status_of(result: &JsValue) -> Option<String> {
    get(result, "status").as_string()
}

/// A JS function that counts its calls (in Rust) and returns `undefined`.
fn counting_callback() -> (JsValue, Rc<Cell<u32>>) {
    let n = Rc::new(Cell::new(0));
    let m = n.clone();
    let f = js_fn1(move |_| {
        m.set(m.get() + 1);
        JsValue::UNDEFINED
    });
    (f, n)
}

/// A token callback that counts its calls and resolves to a freshly minted token.
fn minting_callback() -> (JsValue, Rc<Cell<u32>>) {
    let n = Rc::new(Cell::new(0));
    let m = n.clone();
    let f = js_fn0(move || {
        m.set(m.get() + 1);
        future_to_promise(async { Ok(JsValue::from(mint_gatekeeper(600).await)) }).into()
    });
    (f, n)
}

fn run_js(body: &str) -> JsValue {
    Function::new_no_args(body)
        .call0(&JsValue::UNDEFINED)
        .unwrap()
}

/// The path of this device's checks, for fault injection.
fn checks_path(device_id: &str) -> String {
    format!("/v1/applications/{APP}/versions/{VERSION}/devices/{device_id}/checks")
}

// ---------------------------------------------------------------- registration

#[wasm_bindgen_test]
async fn registers_once_per_profile() {
    clear_storage();
    let before = counter("device_registrations").await;

    let first = sdk(&[]);
    assert!(
        get(&first, "deviceId").is_null(),
        "deviceId before initialize"
    );
    let r1 = initialize(&first).await.unwrap();
    assert_eq!(get(&r1, "registered").as_bool(), Some(true));
    let id = get(&r1, "deviceId").as_string().unwrap();
    assert!(!id.is_empty());
    assert_eq!(get(&first, "deviceId").as_string().as_deref(), Some(&*id));
    assert_eq!(counter("device_registrations").await - before, 1.0);

    // The id sits in localStorage under a key naming the API origin and applicationId.
    let s = storage();
    let keys: Vec<String> = (0..s.length().unwrap())
        .filter_map(|i| s.key(i).unwrap())
        .collect();
    let key = keys
        .iter()
        .find(|k| k.contains(sandbox()) && k.contains(APP))
        .unwrap_or_else(|| panic!("no storage key names the origin and app: {keys:?}"));
    assert_eq!(s.get_item(key).unwrap().as_deref(), Some(&*id));
    // ...and the token is not stored anywhere.
    for k in &keys {
        let v = s.get_item(k).unwrap().unwrap_or_default();
        assert!(
            !v.contains("eyJ"),
            "a token-like value in localStorage: {k}"
        );
    }

    // Same instance again: no registration.
    let again = initialize(&first).await.unwrap();
    assert_eq!(get(&again, "registered").as_bool(), Some(false));
    assert_eq!(get(&again, "deviceId").as_string().as_deref(), Some(&*id));

    // A second instance (as a new page would): known device, no registration.
    let second = sdk(&[]);
    let r2 = initialize(&second).await.unwrap();
    assert_eq!(get(&r2, "registered").as_bool(), Some(false));
    assert_eq!(get(&r2, "deviceId").as_string().as_deref(), Some(&*id));
    assert_eq!(get(&second, "deviceId").as_string().as_deref(), Some(&*id));
    assert_eq!(counter("device_registrations").await - before, 1.0);
    let checked = call_async(&second, "check", &[]).await.unwrap();
    assert_eq!(status_of(&checked).as_deref(), Some("Ok"));

    // After clearing storage, a new instance registers again, as a new device.
    clear_storage();
    let third = sdk(&[]);
    let r3 = initialize(&third).await.unwrap();
    assert_eq!(get(&r3, "registered").as_bool(), Some(true));
    assert_ne!(get(&r3, "deviceId").as_string().as_deref(), Some(&*id));
    assert_eq!(counter("device_registrations").await - before, 2.0);
}

/// Makes `window.localStorage` throw, as some privacy modes do.
fn break_storage() {
    run_js(
        "window.__savedLocalStorage = Object.getOwnPropertyDescriptor(window, 'localStorage');
         Object.defineProperty(window, 'localStorage', {
           get() { throw new DOMException('denied', 'SecurityError'); },
           configurable: true,
         });",
    );
}

fn restore_storage() {
    run_js(
        "const d = window.__savedLocalStorage;
         delete window.localStorage;
         if (d) Object.defineProperty(window, 'localStorage', d);
         delete window.__savedLocalStorage;",
    );
}

#[wasm_bindgen_test]
async fn works_and_registers_each_time_when_storage_throws() {
    clear_storage();
    let before = counter("device_registrations").await;
    break_storage();
    assert!(
        web_sys::window().unwrap().local_storage().is_err(),
        "the override did not take"
    );
    let mut outcome = Vec::new();
    for _ in 0..2 {
        let s = sdk(&[]);
        let r = initialize(&s).await;
        let c = call_async(&s, "check", &[]).await;
        outcome.push((r, c));
    }
    let after = counter("device_registrations").await;
    restore_storage();
    assert!(web_sys::window().unwrap().local_storage().is_ok());

    for (r, c) in outcome {
        let r = r.expect("initialize with storage unavailable");
        assert_eq!(get(&r, "registered").as_bool(), Some(true));
        assert_eq!(status_of(&c.unwrap()).as_deref(), Some("Ok"));
    }
    assert_eq!(after - before, 2.0);
    assert_eq!(storage().length().unwrap(), 0, "nothing was written");
}

#[wasm_bindgen_test]
async fn works_when_storage_refuses_writes() {
    clear_storage();
    let before = counter("device_registrations").await;
    run_js(
        "window.__savedSetItem = Storage.prototype.setItem;
         Storage.prototype.setItem = function () {
           throw new DOMException('full', 'QuotaExceededError');
         };",
    );
    let s = sdk(&[]);
    let r = initialize(&s).await;
    let c = call_async(&s, "check", &[]).await;
    run_js(
        "Storage.prototype.setItem = window.__savedSetItem;
         delete window.__savedSetItem;",
    );
    assert_eq!(get(&r.unwrap(), "registered").as_bool(), Some(true));
    assert_eq!(status_of(&c.unwrap()).as_deref(), Some("Ok"));
    assert_eq!(counter("device_registrations").await - before, 1.0);
}

// --------------------------------------------------------------------- headers

#[wasm_bindgen_test]
async fn a_wrong_api_key_is_the_sandboxs_403_as_api_error() {
    clear_storage();
    let before = counter("device_registrations").await;
    let wrong = sdk(&[("apiKey", "not-the-key".into())]);
    let err = initialize(&wrong).await.unwrap_err();
    assert_error(&err, "ApiError", "API_ERROR");
    assert_eq!(get(&err, "status").as_f64(), Some(403.0));
    assert!(get(&err, "requestId").as_string().is_some());
    assert!(get(&wrong, "deviceId").is_null());
    assert_eq!(counter("device_registrations").await - before, 0.0);

    // The right key registers.
    let right = sdk(&[]);
    let r = initialize(&right).await.unwrap();
    assert_eq!(get(&r, "registered").as_bool(), Some(true));

    // The check carries x-api-key too: a wrong key on a known device is a 403 there,
    // which is not a token problem (no AuthenticationFailed, no callback).
    let (cb, calls) = minting_callback();
    let wrong = sdk(&[
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
async fn path_segments_are_percent_encoded() {
    // Encoded, these reach the registration route with an id the sandbox refuses
    // (400 invalid_request). Unencoded, '/', '?' or '#' would change the route (404).
    for version in ["1.0 beta/2", "1.0?x=1", "1.0#frag", "../.."] {
        clear_storage();
        let s = sdk(&[("applicationVersion", version.into())]);
        let err = initialize(&s).await.unwrap_err();
        assert_error(&err, "ApiError", "API_ERROR");
        assert_eq!(
            get(&err, "status").as_f64(),
            Some(400.0),
            "{version}: {:?}",
            get(&err, "body")
        );
        assert_eq!(
            get(&get(&err, "body"), "error").as_string().as_deref(),
            Some("invalid_request"),
            "{version}"
        );
    }
    clear_storage();
    let s = sdk(&[("applicationId", "demo app/x".into())]);
    let err = initialize(&s).await.unwrap_err();
    assert_error(&err, "ApiError", "API_ERROR");
    assert_eq!(get(&err, "status").as_f64(), Some(400.0));
}

// ----------------------------------------------------------------------- check

#[wasm_bindgen_test]
async fn check_resolves_to_the_servers_ok() {
    clear_storage();
    let s = sdk(&[]);
    let id = get(&initialize(&s).await.unwrap(), "deviceId");
    let before = counter("checks").await;
    let r = call_async(&s, "check", &[]).await.unwrap();
    assert_eq!(status_of(&r).as_deref(), Some("Ok"));
    assert_eq!(get(&r, "deviceId"), id);
    assert_eq!(counter("checks").await - before, 1.0);
}

#[wasm_bindgen_test]
async fn a_revoked_token_without_callback_is_authentication_failed() {
    clear_storage();
    let s = sdk(&[]);
    initialize(&s).await.unwrap();
    revoke_all().await;
    let before = counter("unauthorized").await;
    let r = call_async(&s, "check", &[])
        .await
        .expect("check() resolves, it does not reject");
    assert_eq!(status_of(&r).as_deref(), Some("AuthenticationFailed"));
    let reason = get(&r, "reason").as_string().unwrap_or_default();
    assert!(!reason.is_empty(), "reason: {r:?}");
    assert_eq!(counter("unauthorized").await - before, 1.0, "no retry");
}

#[wasm_bindgen_test]
async fn a_revoked_token_with_callback_is_ok_after_one_refresh() {
    clear_storage();
    let (cb, calls) = minting_callback();
    let s = sdk(&[("onAccessTokenExpired", cb)]);
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
    let (cb, calls) = minting_callback();
    let s = sdk(&[("getAccessToken", cb)]);
    initialize(&s).await.unwrap();
    revoke_all().await;
    let r = call_async(&s, "check", &[]).await.unwrap();
    assert_eq!(status_of(&r).as_deref(), Some("Ok"), "{r:?}");
    assert_eq!(calls.get(), 1);
}

#[wasm_bindgen_test]
async fn a_failed_refresh_is_authentication_failed() {
    clear_storage();
    // The callback throws.
    let throws = Function::new_no_args("throw new Error('backend down')");
    let s = sdk(&[("onAccessTokenExpired", throws.into())]);
    initialize(&s).await.unwrap();
    revoke_all().await;
    let r = call_async(&s, "check", &[]).await.unwrap();
    assert_eq!(status_of(&r).as_deref(), Some("AuthenticationFailed"));
    assert_eq!(
        get(&r, "reason").as_string().as_deref(),
        Some("TOKEN_REFRESH_FAILED")
    );

    // The callback hands back a token that is refused again: one refresh, no loop.
    let stale = mint_gatekeeper(600).await;
    revoke_all().await;
    let calls = Rc::new(Cell::new(0));
    let c = calls.clone();
    let same = js_fn0(move || {
        c.set(c.get() + 1);
        JsValue::from(stale.clone())
    });
    let s = sdk(&[("onAccessTokenExpired", same)]);
    initialize(&s).await.unwrap();
    revoke_all().await;
    let before = counter("unauthorized").await;
    let r = call_async(&s, "check", &[]).await.unwrap();
    assert_eq!(status_of(&r).as_deref(), Some("AuthenticationFailed"));
    assert_eq!(
        get(&r, "reason").as_string().as_deref(),
        Some("ACCESS_TOKEN_EXPIRED")
    );
    assert_eq!(calls.get(), 1);
    assert_eq!(counter("unauthorized").await - before, 2.0);

    // The callback returns something that is not a JWT.
    let junk = js_fn0(|| JsValue::from("not-a-jwt"));
    let s = sdk(&[("onAccessTokenExpired", junk)]);
    initialize(&s).await.unwrap();
    revoke_all().await;
    let r = call_async(&s, "check", &[]).await.unwrap();
    assert_eq!(status_of(&r).as_deref(), Some("AuthenticationFailed"));
}

#[wasm_bindgen_test]
async fn other_failures_of_check_still_reject() {
    clear_storage();
    let s = sdk(&[]);
    let id = get(&initialize(&s).await.unwrap(), "deviceId")
        .as_string()
        .unwrap();
    fault(&checks_path(&id), 1, Some(503), 0).await;
    let err = call_async(&s, "check", &[]).await.unwrap_err();
    assert_error(&err, "ApiError", "API_ERROR");
    assert_eq!(get(&err, "status").as_f64(), Some(503.0));

    let dead = sdk(&[("baseUrl", CLOSED_ORIGIN.into())]);
    let err = initialize(&dead).await.unwrap_err();
    assert_error(&err, "NetworkError", "NETWORK_ERROR");
}

// -------------------------------------------------------------------- rotation

#[wasm_bindgen_test]
async fn set_access_token_rotates_without_registering() {
    clear_storage();
    let s = sdk(&[]);
    let old = mint_gatekeeper(600).await;
    call_async(&s, "initialize", &[old.clone().into()])
        .await
        .unwrap();
    let before = counter("device_registrations").await;

    // A malformed token throws synchronously and the old one keeps working.
    let err = call(&s, "setAccessToken", &["a.b".into()]).unwrap_err();
    assert_error(
        &err,
        "InvalidAccessTokenFormat",
        "INVALID_ACCESS_TOKEN_FORMAT",
    );
    let err = call(&s, "setAccessToken", &["  ".into()]).unwrap_err();
    assert_error(&err, "InvalidAccessToken", "INVALID_ACCESS_TOKEN");
    let r = call_async(&s, "check", &[]).await.unwrap();
    assert_eq!(status_of(&r).as_deref(), Some("Ok"));
    assert_eq!(last_jti().await, Some(jti_of(&old)));

    // A valid one is used from now on, with no registration.
    let fresh = mint_gatekeeper(600).await;
    let ret = call(&s, "setAccessToken", &[format!("{fresh}\n").into()]).unwrap();
    assert!(ret.is_undefined());
    let r = call_async(&s, "check", &[]).await.unwrap();
    assert_eq!(status_of(&r).as_deref(), Some("Ok"));
    assert_eq!(last_jti().await, Some(jti_of(&fresh)));
    assert_eq!(counter("device_registrations").await - before, 0.0);

    // Rotating after a revoke brings the client back without a callback.
    revoke_all().await;
    let failed = call_async(&s, "check", &[]).await.unwrap();
    assert_eq!(status_of(&failed).as_deref(), Some("AuthenticationFailed"));
    call(&s, "setAccessToken", &[mint_gatekeeper(600).await.into()]).unwrap();
    let r = call_async(&s, "check", &[]).await.unwrap();
    assert_eq!(status_of(&r).as_deref(), Some("Ok"));
    assert_eq!(counter("device_registrations").await - before, 0.0);
}

#[wasm_bindgen_test]
async fn initialize_rejects_a_bad_token_and_sends_nothing() {
    clear_storage();
    let before = counter("api_requests").await;
    let s = sdk(&[]);
    let err = call_async(&s, "initialize", &["a.b.c".into()])
        .await
        .unwrap_err();
    assert_error(
        &err,
        "InvalidAccessTokenFormat",
        "INVALID_ACCESS_TOKEN_FORMAT",
    );
    let err = call_async(&s, "initialize", &[JsValue::from(7)])
        .await
        .unwrap_err();
    assert_error(&err, "InvalidAccessToken", "INVALID_ACCESS_TOKEN");
    assert!(get(&s, "deviceId").is_null());
    assert_eq!(counter("api_requests").await - before, 0.0);
}

// -------------------------------------------------------------------- periodic

/// Several schedules side by side (the runner gives the whole file 20 s):
/// A counts, B throws, C is destroyed, D is stopped while its check is in flight.
#[wasm_bindgen_test]
async fn periodic_check_runs_stops_survives_throws_and_ends_on_destroy() {
    let make = || async {
        clear_storage();
        let s = sdk(&[]);
        let id = get(&initialize(&s).await.unwrap(), "deviceId")
            .as_string()
            .unwrap();
        (s, id)
    };
    let (a, _) = make().await;
    let (b, _) = make().await;
    let (c, _) = make().await;
    let (d, d_id) = make().await;

    // Bad arguments are refused synchronously.
    let (noop, _) = counting_callback();
    let err = call(&a, "startPeriodicCheck", &[999.into(), noop.clone()]).unwrap_err();
    assert_error(&err, "ConfigurationError", "INVALID_CONFIGURATION");
    assert_eq!(get(&err, "key").as_string().as_deref(), Some("intervalMs"));
    let err = call(&a, "startPeriodicCheck", &["1000".into(), noop.clone()]).unwrap_err();
    assert_error(&err, "ConfigurationError", "INVALID_CONFIGURATION");
    let err = call(&a, "startPeriodicCheck", &[1000.into(), JsValue::NULL]).unwrap_err();
    assert_error(&err, "ConfigurationError", "INVALID_CONFIGURATION");

    let results = Rc::new(RefCell::new(Vec::new()));
    let r = results.clone();
    let a_cb = js_fn1(move |v| {
        r.borrow_mut().push(v);
        JsValue::UNDEFINED
    });
    let b_cb = Function::new_with_args(
        "r",
        "window.__throwingRuns = (window.__throwingRuns || 0) + 1; throw new Error('page bug');",
    );
    let (c_cb, c_runs) = counting_callback();
    let (d_cb, d_runs) = counting_callback();
    // D's first check takes 1.5 s at the sandbox.
    fault(&checks_path(&d_id), 1, None, 1500).await;

    let start = now_ms();
    let ok = |v: JsValue| assert!(v.is_undefined(), "start returns undefined");
    ok(call(&a, "startPeriodicCheck", &[1000.into(), a_cb]).unwrap());
    ok(call(&b, "startPeriodicCheck", &[1000.into(), b_cb.into()]).unwrap());
    ok(call(&c, "startPeriodicCheck", &[1000.into(), c_cb]).unwrap());
    ok(call(&d, "startPeriodicCheck", &[1000.into(), d_cb]).unwrap());

    sleep(1600).await;
    // C ran once, then is destroyed; D's check is still waiting at the sandbox.
    let c_at_destroy = c_runs.get();
    call(&c, "destroy", &[]).unwrap();
    assert_eq!(d_runs.get(), 0, "D's check should still be in flight");
    call(&d, "stopPeriodicCheck", &[]).unwrap();

    sleep((start + 3500.0 - now_ms()) as i32).await;
    let a_runs = results.borrow().len();
    call(&a, "stopPeriodicCheck", &[]).unwrap();
    let b_runs = get(&web_sys::window().unwrap(), "__throwingRuns")
        .as_f64()
        .unwrap_or(0.0);

    sleep(2500).await;
    call(&b, "stopPeriodicCheck", &[]).unwrap();
    // Stopping twice, or with nothing running, is harmless.
    call(&a, "stopPeriodicCheck", &[]).unwrap();

    assert!((2..=4).contains(&a_runs), "A ran {a_runs} times in 3.5 s");
    assert_eq!(
        results.borrow().len(),
        a_runs,
        "A ran after stopPeriodicCheck"
    );
    for r in results.borrow().iter() {
        assert_eq!(status_of(r).as_deref(), Some("Ok"), "{r:?}");
    }
    assert!(
        (2.0..=4.0).contains(&b_runs),
        "a throwing callback stopped the schedule: {b_runs} runs in 3.5 s"
    );
    assert!(c_at_destroy >= 1, "C never ran before destroy");
    assert_eq!(c_runs.get(), c_at_destroy, "C ran after destroy()");
    assert_eq!(
        d_runs.get(),
        0,
        "a check in flight at stopPeriodicCheck() was still handed over"
    );
    Reflect::delete_property(
        web_sys::window().unwrap().unchecked_ref::<Object>(),
        &"__throwingRuns".into(),
    )
    .unwrap();
}

// ---------------------------------------------------------------------- config

#[wasm_bindgen_test]
fn the_constructor_throws_configuration_error_naming_the_key() {
    let undefined = JsValue::UNDEFINED;
    let mut cases: Vec<(&str, JsValue, &str)> = Vec::new();
    for key in ["apiKey", "applicationId", "applicationVersion", "baseUrl"] {
        cases.push((key, options(&[(key, undefined.clone())]), key));
        cases.push((key, options(&[(key, "".into())]), key));
        cases.push((key, options(&[(key, "  ".into())]), key));
        cases.push((key, options(&[(key, 42.into())]), key));
        cases.push((key, options(&[(key, JsValue::NULL)]), key));
    }
    cases.push(("unknown", options(&[("apikey", "x".into())]), "apikey"));
    cases.push((
        "unknown",
        options(&[("environment", "sandbox".into())]),
        "environment",
    ));
    cases.push((
        "unknown",
        options(&[("accessToken", "x".into())]),
        "accessToken",
    ));
    cases.push((
        "relative",
        options(&[("baseUrl", "/api".into())]),
        "baseUrl",
    ));
    cases.push((
        "plain http",
        options(&[("baseUrl", "http://example.com".into())]),
        "baseUrl",
    ));
    cases.push((
        "callback type",
        options(&[("onAccessTokenExpired", "x".into())]),
        "onAccessTokenExpired",
    ));
    cases.push((
        "timeout",
        options(&[("requestTimeoutMs", 0.into())]),
        "requestTimeoutMs",
    ));
    let f = js_fn0(|| JsValue::UNDEFINED);
    cases.push((
        "both callbacks",
        options(&[("onAccessTokenExpired", f.clone()), ("getAccessToken", f)]),
        "getAccessToken",
    ));

    for (label, opts, key) in cases {
        // Through the JS class: `new SafeSDK(...)` throws synchronously.
        let err = construct(&opts).expect_err(label);
        assert_error(&err, "ConfigurationError", "INVALID_CONFIGURATION");
        assert_eq!(
            get(&err, "key").as_string().as_deref(),
            Some(key),
            "{label}"
        );
        let message = get(&err, "message").as_string().unwrap();
        assert!(message.contains(key), "{label}: {message}");
        // And through the Rust export.
        assert!(SafeSdk::new(opts).is_err(), "{label}");
    }

    for bad in [
        JsValue::UNDEFINED,
        JsValue::NULL,
        "x".into(),
        Array::new().into(),
    ] {
        let err = construct(&bad).expect_err("options must be an object");
        assert_error(&err, "ConfigurationError", "INVALID_CONFIGURATION");
    }
    // The valid options construct, and the key isn't echoed back.
    let ok = construct(&options(&[])).unwrap();
    let shown = js_sys::JSON::stringify(&ok)
        .map(String::from)
        .unwrap_or_default();
    assert!(!shown.contains(KEY), "{shown}");
}

#[wasm_bindgen_test]
async fn a_trailing_slash_on_base_url_is_removed() {
    clear_storage();
    let before = counter("device_registrations").await;
    let s = sdk(&[("baseUrl", format!("{}/", sandbox()).into())]);
    let r = initialize(&s).await.unwrap();
    assert_eq!(get(&r, "registered").as_bool(), Some(true));
    let c = call_async(&s, "check", &[]).await.unwrap();
    assert_eq!(status_of(&c).as_deref(), Some("Ok"));
    // The same origin, so the same storage key: no second registration.
    let plain = sdk(&[]);
    let r = initialize(&plain).await.unwrap();
    assert_eq!(get(&r, "registered").as_bool(), Some(false));
    assert_eq!(counter("device_registrations").await - before, 1.0);
}

// ---------------------------------------------------------------------- order

#[wasm_bindgen_test]
async fn check_before_initialize_is_a_configuration_error() {
    clear_storage();
    let before = counter("api_requests").await;
    let s = sdk(&[]);
    let err = call_async(&s, "check", &[]).await.unwrap_err();
    assert_error(&err, "ConfigurationError", "INVALID_CONFIGURATION");
    // A token alone is not enough: the device is not known yet.
    call(&s, "setAccessToken", &[mint_gatekeeper(600).await.into()]).unwrap();
    let err = call_async(&s, "check", &[]).await.unwrap_err();
    assert_error(&err, "ConfigurationError", "INVALID_CONFIGURATION");
    assert_eq!(counter("api_requests").await - before, 0.0);
}

// -------------------------------------------------------------------- destroy

#[wasm_bindgen_test]
async fn destroy_makes_later_calls_reject() {
    clear_storage();
    let s = sdk(&[]);
    let id = get(&initialize(&s).await.unwrap(), "deviceId");
    let before = counter("api_requests").await;
    call(&s, "destroy", &[]).unwrap();
    call(&s, "destroy", &[]).unwrap(); // twice is harmless

    let err = call_async(&s, "check", &[]).await.unwrap_err();
    assert_error(&err, "ClientDestroyedError", "CLIENT_DESTROYED");
    let err = initialize(&s).await.unwrap_err();
    assert_error(&err, "ClientDestroyedError", "CLIENT_DESTROYED");
    let err = call(&s, "setAccessToken", &[mint_gatekeeper(600).await.into()]).unwrap_err();
    assert_error(&err, "ClientDestroyedError", "CLIENT_DESTROYED");
    let (cb, _) = counting_callback();
    let err = call(&s, "startPeriodicCheck", &[1000.into(), cb]).unwrap_err();
    assert_error(&err, "ClientDestroyedError", "CLIENT_DESTROYED");
    call(&s, "stopPeriodicCheck", &[]).unwrap();
    assert_eq!(counter("api_requests").await - before, 0.0);
    // Documented: `deviceId` is the registered id (destroy forgets the token only).
    assert_eq!(get(&s, "deviceId"), id);
}

#[wasm_bindgen_test]
async fn destroy_rejects_pending_calls() {
    clear_storage();
    let s = sdk(&[]);
    let id = get(&initialize(&s).await.unwrap(), "deviceId")
        .as_string()
        .unwrap();
    fault(&checks_path(&id), 1, None, 800).await;
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
    let s = sdk(&[]);
    fault(
        &format!("/v1/applications/{APP}/versions/{VERSION}/devices"),
        1,
        None,
        800,
    )
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
