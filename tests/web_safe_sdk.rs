//! `SafeSDK` (Gatekeeper) in headless Chromium against the sandbox: registration once
//! per profile, storage that throws, path encoding, `check()`, token rotation, the
//! periodic check, `baseUrl` and call order. Its refresh rules, errors and `destroy()`
//! are tested with `AlternativeClient`'s in the files named for them
//! (`web_rule1_*.rs` … `web_rule7_*.rs`, `web_destroy.rs`), its options in
//! `web_options.rs`.
//!
//! The tests share one sandbox and run one at a time, so they read counter deltas. The
//! periodic-check scenarios run side by side in one test, to keep the file short to
//! run (each scenario takes seconds of real time).
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::{Object, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

// ---------------------------------------------------------------- registration

/// A registration answer whose `deviceId` repeats the token (an API echoing the
/// request), or a segment of it, is no id: never stored, never put in a check's URL.
#[wasm_bindgen_test]
async fn a_registration_answer_repeating_the_token_is_no_device_id() {
    let token = mint_gatekeeper(600).await;
    let signature = token.rsplit('.').next().unwrap().to_owned();
    for echoed in [token.clone(), format!("dev-{signature}")] {
        clear_storage();
        let devices = format!("/v1/applications/{GK_APP}/versions/{GK_VERSION}/devices");
        let fault = obj(&[
            ("path", devices.into()),
            ("count", 1.into()),
            ("status", 201.into()),
            ("body", format!(r#"{{"deviceId":"{echoed}"}}"#).into()),
        ]);
        control(
            "faults",
            &js_sys::JSON::stringify(&fault)
                .unwrap()
                .as_string()
                .unwrap(),
        )
        .await;
        let s = safe_sdk(&[]);
        let err = call_async(&s, "initialize", &[token.clone().into()])
            .await
            .unwrap_err();
        clear_faults().await;
        assert_error(&err, "ApiError", "API_ERROR");
        assert!(!format!("{err:?}").contains(&signature), "{err:?}");
        assert!(get(&s, "deviceId").is_null());
        let st = storage();
        for i in 0..st.length().unwrap() {
            let key = st.key(i).unwrap().unwrap_or_default();
            let value = st.get_item(&key).unwrap().unwrap_or_default();
            assert!(!value.contains(&signature), "stored under {key}");
        }
        call(&s, "destroy", &[]).unwrap();
    }
}

#[wasm_bindgen_test]
async fn registers_once_per_profile() {
    clear_storage();
    let before = counts().await;

    let first = safe_sdk(&[]);
    assert!(
        get(&first, "deviceId").is_null(),
        "deviceId before initialize"
    );
    let r1 = initialize(&first).await.unwrap();
    assert_eq!(get(&r1, "registered").as_bool(), Some(true));
    let id = get(&r1, "deviceId").as_string().unwrap();
    assert!(!id.is_empty());
    assert_eq!(get(&first, "deviceId").as_string().as_deref(), Some(&*id));
    assert_eq!(before.since().await.registrations, 1.0);

    // The id sits in localStorage under a key naming the API origin and applicationId.
    let s = storage();
    let keys: Vec<String> = (0..s.length().unwrap())
        .filter_map(|i| s.key(i).unwrap())
        .collect();
    let key = keys
        .iter()
        .find(|k| k.contains(sandbox()) && k.contains(GK_APP))
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
    let second = safe_sdk(&[]);
    let r2 = initialize(&second).await.unwrap();
    assert_eq!(get(&r2, "registered").as_bool(), Some(false));
    assert_eq!(get(&r2, "deviceId").as_string().as_deref(), Some(&*id));
    assert_eq!(get(&second, "deviceId").as_string().as_deref(), Some(&*id));
    assert_eq!(before.since().await.registrations, 1.0);
    let checked = call_async(&second, "check", &[]).await.unwrap();
    assert_eq!(status_of(&checked).as_deref(), Some("Ok"));

    // After clearing storage, a new instance registers again, as a new device.
    clear_storage();
    let third = safe_sdk(&[]);
    let r3 = initialize(&third).await.unwrap();
    assert_eq!(get(&r3, "registered").as_bool(), Some(true));
    assert_ne!(get(&r3, "deviceId").as_string().as_deref(), Some(&*id));
    assert_eq!(before.since().await.registrations, 2.0);
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
    let before = counts().await;
    break_storage();
    assert!(
        web_sys::window().unwrap().local_storage().is_err(),
        "the override did not take"
    );
    let mut outcome = Vec::new();
    for _ in 0..2 {
        let s = safe_sdk(&[]);
        let r = initialize(&s).await;
        let c = call_async(&s, "check", &[]).await;
        outcome.push((r, c));
    }
    let after = before.since().await;
    restore_storage();
    assert!(web_sys::window().unwrap().local_storage().is_ok());

    for (r, c) in outcome {
        let r = r.expect("initialize with storage unavailable");
        assert_eq!(get(&r, "registered").as_bool(), Some(true));
        assert_eq!(status_of(&c.unwrap()).as_deref(), Some("Ok"));
    }
    assert_eq!(after.registrations, 2.0);
    assert_eq!(storage().length().unwrap(), 0, "nothing was written");
}

#[wasm_bindgen_test]
async fn works_when_storage_refuses_writes() {
    clear_storage();
    let before = counts().await;
    run_js(
        "window.__savedSetItem = Storage.prototype.setItem;
         Storage.prototype.setItem = function () {
           throw new DOMException('full', 'QuotaExceededError');
         };",
    );
    let s = safe_sdk(&[]);
    let r = initialize(&s).await;
    let c = call_async(&s, "check", &[]).await;
    run_js(
        "Storage.prototype.setItem = window.__savedSetItem;
         delete window.__savedSetItem;",
    );
    assert_eq!(get(&r.unwrap(), "registered").as_bool(), Some(true));
    assert_eq!(status_of(&c.unwrap()).as_deref(), Some("Ok"));
    assert_eq!(before.since().await.registrations, 1.0);
}

// --------------------------------------------------------------------- headers

#[wasm_bindgen_test]
async fn path_segments_are_percent_encoded() {
    // Encoded, these reach the registration route with an id the sandbox refuses
    // (400 invalid_request). Unencoded, '/', '?' or '#' would change the route (404).
    for version in ["1.0 beta/2", "1.0?x=1", "1.0#frag", "../.."] {
        clear_storage();
        let s = safe_sdk(&[("applicationVersion", version.into())]);
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
    let s = safe_sdk(&[("applicationId", "demo app/x".into())]);
    let err = initialize(&s).await.unwrap_err();
    assert_error(&err, "ApiError", "API_ERROR");
    assert_eq!(get(&err, "status").as_f64(), Some(400.0));
}

// ----------------------------------------------------------------------- check

#[wasm_bindgen_test]
async fn check_resolves_to_the_servers_ok() {
    clear_storage();
    let s = safe_sdk(&[]);
    let id = get(&initialize(&s).await.unwrap(), "deviceId");
    let before = counts().await;
    let r = call_async(&s, "check", &[]).await.unwrap();
    assert_eq!(status_of(&r).as_deref(), Some("Ok"));
    assert_eq!(get(&r, "deviceId"), id);
    assert_eq!(before.since().await.checks, 1.0);
}

/// Two `SafeSDK`s of one application on one page (a component mounted twice, say)
/// that initialize at once register the device once, and both hold its id.
#[wasm_bindgen_test]
async fn two_clients_initializing_at_once_register_once() {
    clear_storage();
    let before = counts().await;
    let (a, b) = (safe_sdk(&[]), safe_sdk(&[]));
    let token = mint_gatekeeper(600).await;
    let both = vec![
        start(&a, "initialize", &[token.clone().into()]),
        start(&b, "initialize", &[token.into()]),
    ];
    let results: Vec<JsValue> = settle_all(both)
        .await
        .into_iter()
        .map(|r| r.expect("initialized"))
        .collect();
    assert_eq!(before.since().await.registrations, 1.0, "registered once");
    let registered: Vec<Option<bool>> = results
        .iter()
        .map(|r| get(r, "registered").as_bool())
        .collect();
    assert_eq!(registered, [Some(true), Some(false)]);
    assert_eq!(get(&a, "deviceId"), get(&b, "deviceId"));
    assert!(get(&a, "deviceId").is_string());
}

/// A `SafeSDK` destroyed while it waits for another one's registration rejects its
/// `initialize()` with `ClientDestroyedError` at once, and holds no id: the other's
/// registration ending later does not revive it.
#[wasm_bindgen_test]
async fn destroy_ends_a_wait_for_another_clients_registration() {
    clear_storage();
    clear_faults().await;
    let (a, b) = (safe_sdk(&[]), safe_sdk(&[]));
    let token = mint_gatekeeper(600).await;
    // A's registration is held for 1.5 s, then proceeds.
    let devices = checks_path("x").replace("/x/checks", "");
    fault(&[("path", devices.into()), ("delay_ms", 1500.into())]).await;
    let first = start(&a, "initialize", &[token.clone().into()]);
    let second = start(&b, "initialize", &[token.into()]);
    sleep(200).await;
    call(&b, "destroy", &[]).unwrap();
    // A's registration has more than a second to go.
    let ended = within(500, second)
        .await
        .expect("b's initialize settles at once");
    let error = ended.expect_err("b's initialize rejects");
    assert_eq!(
        get(&error, "name").as_string().as_deref(),
        Some("ClientDestroyedError")
    );
    wasm_bindgen_futures::JsFuture::from(first)
        .await
        .expect("a registers");
    assert!(get(&b, "deviceId").is_null(), "b got an id after destroy()");
}

/// Registers a device, then stores `lost` in its place: an id the server never issued,
/// as if its store was reset. Returns the storage and the device's key.
async fn store_lost_device(lost: &str) -> (web_sys::Storage, String) {
    clear_storage();
    initialize(&safe_sdk(&[])).await.unwrap();
    let s = storage();
    let key = s.key(0).unwrap().expect("the device's storage key");
    s.set_item(&key, lost).unwrap();
    (s, key)
}

/// A device the server no longer knows (its store was reset, or the device deleted)
/// answers its checks 404. The stored id is dropped, the device registered again,
/// once for checks at once, and the check sent once more: the page is not stuck with
/// an id that fails every check until someone clears its storage.
#[wasm_bindgen_test]
async fn a_check_for_a_device_the_server_forgot_registers_it_again() {
    let (s, key) = store_lost_device("dev_forgotten").await;
    let sdk = safe_sdk(&[]);
    let r = initialize(&sdk).await.unwrap();
    assert_eq!(
        get(&r, "deviceId").as_string().as_deref(),
        Some("dev_forgotten")
    );
    // A registration that fails keeps the old id (the next check tries again): a 503
    // rejects, a refused token resolves `AuthenticationFailed`, as for the check itself.
    // (Faults match by path prefix, in the order added: the check's 404 first.)
    let devices = checks_path("x").replace("/x/checks", "");
    // (A registration answering 404, an application version the server removed, is
    // not posted twice: the one fault would let a second one through.)
    for (status, outcome) in [
        (503, "ApiError"),
        (401, "AuthenticationFailed"),
        (404, "ApiError"),
    ] {
        fault(&[
            ("path", checks_path("dev_forgotten").into()),
            ("status", 404.into()),
        ])
        .await;
        fault(&[("path", devices.clone().into()), ("status", status.into())]).await;
        let got = match call_async(&sdk, "check", &[]).await {
            Ok(r) => status_of(&r).unwrap_or_default(),
            Err(e) => get(&e, "name").as_string().unwrap_or_default(),
        };
        assert_eq!(got, outcome, "registration answered {status}");
        assert_eq!(
            get(&sdk, "deviceId").as_string().as_deref(),
            Some("dev_forgotten")
        );
        assert_eq!(s.get_item(&key).unwrap().as_deref(), Some("dev_forgotten"));
    }
    clear_faults().await;
    // Another SafeSDK of the page holds the same lost id: its check shares the one
    // registration too.
    let other = safe_sdk(&[]);
    initialize(&other).await.unwrap();
    assert_eq!(
        get(&other, "deviceId").as_string().as_deref(),
        Some("dev_forgotten")
    );
    let before = counts().await;
    let checks = vec![
        start(&sdk, "check", &[]),
        start(&sdk, "check", &[]),
        start(&other, "check", &[]),
    ];
    for r in settle_all(checks).await {
        assert_eq!(status_of(&r.expect("checked")).as_deref(), Some("Ok"));
    }
    let id = get(&sdk, "deviceId").as_string().expect("a device id");
    assert_ne!(id, "dev_forgotten");
    assert_eq!(get(&other, "deviceId").as_string().as_deref(), Some(&*id));
    assert_eq!(s.get_item(&key).unwrap().as_deref(), Some(&*id));
    let d = before.since().await;
    assert_eq!(d.registrations, 1.0, "registered again, once");
    let r = call_async(&sdk, "check", &[]).await.unwrap();
    assert_eq!(get(&r, "deviceId").as_string().as_deref(), Some(&*id));
    assert_eq!(before.since().await.registrations, 1.0);
    // The server knew the new id (its checks answered 2xx): when it loses that one too,
    // the next 404 registers the device again.
    fault(&[("path", checks_path(&id).into()), ("status", 404.into())]).await;
    let r = call_async(&sdk, "check", &[]).await.expect("checked");
    assert_eq!(status_of(&r).as_deref(), Some("Ok"));
    let newer = get(&sdk, "deviceId").as_string().expect("a device id");
    assert_ne!(newer, id);
    assert_eq!(before.since().await.registrations, 2.0);
    clear_faults().await;
}

/// The lost device's id was replaced in storage by another tab with an id the server
/// does not know either (its store was reset): the check adopts that id, gets a 404
/// for it too, and then registers a device of its own, instead of failing every check
/// with 404 until the page reloads.
#[wasm_bindgen_test]
async fn a_stored_id_that_the_server_lost_too_is_replaced_by_a_registration() {
    let (s, key) = store_lost_device("dev_lost_here").await;
    let sdk = safe_sdk(&[]);
    initialize(&sdk).await.unwrap();
    s.set_item(&key, "dev_lost_in_another_tab").unwrap();
    let before = counts().await;
    let r = call_async(&sdk, "check", &[]).await.expect("checked");
    assert_eq!(status_of(&r).as_deref(), Some("Ok"));
    let id = get(&sdk, "deviceId").as_string().expect("a device id");
    assert!(!id.starts_with("dev_lost"), "{id}");
    assert_eq!(s.get_item(&key).unwrap().as_deref(), Some(&*id));
    assert_eq!(before.since().await.registrations, 1.0);
    let r = call_async(&sdk, "check", &[]).await.expect("checked");
    assert_eq!(status_of(&r).as_deref(), Some("Ok"));
    assert_eq!(before.since().await.registrations, 1.0);
}

/// A route that answers 404 whatever the device (a gateway that lost the route, not the
/// device): each client registers once at most, and then every check is an `ApiError`
/// 404, however many checks and clients, until a check succeeds. With storage, the
/// page's clients share the one new id; without it, each registers its own once.
#[wasm_bindgen_test]
async fn a_route_answering_404_for_every_device_costs_a_registration_per_lost_id_not_per_check() {
    let every_device = format!("{}/", checks_path("x").replace("/x/checks", ""));
    for storage_works in [true, false] {
        if storage_works {
            store_lost_device("dev_lost_for_both").await;
        } else {
            clear_storage();
            break_storage();
        }
        let first = safe_sdk(&[]);
        let second = safe_sdk(&[]);
        initialize(&first).await.unwrap();
        initialize(&second).await.unwrap();
        let before = counts().await;
        fault(&[
            ("path", every_device.clone().into()),
            ("status", 404.into()),
            ("count", 100.into()),
        ])
        .await;
        for sdk in [&first, &second, &first, &second, &first] {
            let err = call_async(sdk, "check", &[]).await.unwrap_err();
            assert_error(&err, "ApiError", "API_ERROR");
            assert_eq!(get(&err, "status").as_f64(), Some(404.0));
        }
        clear_faults().await;
        let registered = before.since().await.registrations;
        let ids = [&first, &second].map(|s| get(s, "deviceId").as_string().unwrap());
        // Once the route answers again, the checks succeed with the ids they hold.
        for sdk in [&first, &second] {
            let r = call_async(sdk, "check", &[]).await.expect("checked");
            assert_eq!(status_of(&r).as_deref(), Some("Ok"));
        }
        let after = before.since().await.registrations;
        if !storage_works {
            restore_storage();
        }
        let expected = if storage_works { 1.0 } else { 2.0 };
        assert_eq!(registered, expected, "storage works: {storage_works}");
        assert_eq!(after, expected, "storage works: {storage_works}");
        assert_eq!(ids[0] == ids[1], storage_works, "{ids:?}");
    }
}

/// The server broke the contract: a 2xx whose body is no JSON object is an `ApiError`
/// naming the status, not a result whose `status` a page would read from `null`.
#[wasm_bindgen_test]
async fn a_check_answered_without_a_json_object_is_an_api_error() {
    clear_storage();
    let s = safe_sdk(&[]);
    let id = get(&initialize(&s).await.unwrap(), "deviceId")
        .as_string()
        .unwrap();
    for body in ["", "null", "42", "[]"] {
        fault(&[
            ("path", checks_path(&id).into()),
            ("status", 200.into()),
            ("body", body.into()),
        ])
        .await;
        let err = call_async(&s, "check", &[]).await.unwrap_err();
        assert_error(&err, "ApiError", "API_ERROR");
        assert_eq!(get(&err, "status").as_f64(), Some(200.0), "body {body:?}");
    }
    let r = call_async(&s, "check", &[]).await.unwrap();
    assert_eq!(status_of(&r).as_deref(), Some("Ok"));
}

// -------------------------------------------------------------------- rotation

#[wasm_bindgen_test]
async fn set_access_token_rotates_without_registering() {
    clear_storage();
    let s = safe_sdk(&[]);
    let old = mint_gatekeeper(600).await;
    call_async(&s, "initialize", &[old.clone().into()])
        .await
        .unwrap();
    let before = counts().await;

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
    assert_eq!(before.since().await.registrations, 0.0);

    // Rotating after a revoke brings the client back without a callback.
    revoke_all().await;
    let failed = call_async(&s, "check", &[]).await.unwrap();
    assert_eq!(status_of(&failed).as_deref(), Some("AuthenticationFailed"));
    call(&s, "setAccessToken", &[mint_gatekeeper(600).await.into()]).unwrap();
    let r = call_async(&s, "check", &[]).await.unwrap();
    assert_eq!(status_of(&r).as_deref(), Some("Ok"));
    assert_eq!(before.since().await.registrations, 0.0);
}

#[wasm_bindgen_test]
async fn initialize_rejects_a_bad_token_and_sends_nothing() {
    clear_storage();
    let before = counts().await;
    let s = safe_sdk(&[]);
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
    assert_eq!(before.since().await.api, 0.0);
}

// -------------------------------------------------------------------- periodic

/// Several schedules side by side, so that the file takes seconds, not minutes:
/// A counts, B throws, C is destroyed, D is stopped while its check is in flight.
#[wasm_bindgen_test]
async fn periodic_check_runs_stops_survives_throws_and_ends_on_destroy() {
    let make = || async {
        clear_storage();
        let s = safe_sdk(&[]);
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
    let (noop, _) = counting(|| Ok(JsValue::UNDEFINED));
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
    let b_cb = js(
        "r",
        "window.__throwingRuns = (window.__throwingRuns || 0) + 1; throw new Error('page bug');",
    );
    let (c_cb, c_runs) = counting(|| Ok(JsValue::UNDEFINED));
    let (d_cb, d_runs) = counting(|| Ok(JsValue::UNDEFINED));
    // D's first check takes 4 s at the sandbox.
    fault(&[
        ("path", checks_path(&d_id).into()),
        ("count", 1.into()),
        ("delay_ms", 4000.into()),
    ])
    .await;

    let start = now_ms();
    let ok = |v: JsValue| assert!(v.is_undefined(), "start returns undefined");
    ok(call(&a, "startPeriodicCheck", &[1000.into(), a_cb]).unwrap());
    ok(call(&b, "startPeriodicCheck", &[1000.into(), b_cb.into()]).unwrap());
    ok(call(&c, "startPeriodicCheck", &[1000.into(), c_cb]).unwrap());
    ok(call(&d, "startPeriodicCheck", &[1000.into(), d_cb]).unwrap());

    // C runs once (its first tick is at 1 s), then is destroyed; D's check is still
    // waiting at the sandbox.
    wait_until("C's first check", 3000.0, || c_runs.get() >= 1).await;
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
    // B's last tick may have a check on its way: end it, and let any request already
    // sent reach the sandbox, so that it lands in no later test's counters.
    for sdk in [&a, &b, &d] {
        call(sdk, "destroy", &[]).unwrap();
    }
    sleep(300).await;
}

// ---------------------------------------------------------------------- config

/// `destroy()` while a `check()` waits for the `initialize()` under way ends both at
/// once (the registration is held 1.5 s at the sandbox).
#[wasm_bindgen_test]
async fn destroy_ends_a_check_waiting_for_initialize() {
    clear_storage();
    clear_faults().await;
    let devices = checks_path("x").replace("/x/checks", "");
    fault(&[("path", devices.into()), ("delay_ms", 1500.into())]).await;
    let s = safe_sdk(&[]);
    let init = start(&s, "initialize", &[mint_gatekeeper(600).await.into()]);
    let check = start(&s, "check", &[]);
    sleep(200).await;
    call(&s, "destroy", &[]).unwrap();
    let ended = within(500, check).await.expect("the check settles at once");
    let error = ended.expect_err("the check rejects");
    assert_error(&error, "ClientDestroyedError", "CLIENT_DESTROYED");
    assert!(settle(init).await.is_err());
    clear_faults().await;
}

/// `stopPeriodicCheck()` ends a check of the schedule still in flight: the retry it was
/// waiting to send (a 503 with `Retry-After: 3`) never goes out, and the callback never
/// hears of it. (In Node, that check kept the process alive until it finished.)
#[wasm_bindgen_test]
async fn stopping_the_periodic_check_ends_its_check_in_flight() {
    clear_storage();
    clear_faults().await;
    let s = safe_sdk(&[]);
    let id = get(&initialize(&s).await.unwrap(), "deviceId")
        .as_string()
        .unwrap();
    fault(&[
        ("path", checks_path(&id).into()),
        ("status", 503.into()),
        ("retry_after_s", 3.into()),
    ])
    .await;
    let before = counts().await;
    let (cb, runs) = counting(|| Ok(JsValue::UNDEFINED));
    call(&s, "startPeriodicCheck", &[1000.into(), cb]).unwrap();
    // The first tick at 1 s gets the 503 and waits 3 s for its retry.
    before.until_api(1.0).await;
    call(&s, "stopPeriodicCheck", &[]).unwrap();
    sleep(3400).await;
    let n = before.since().await;
    assert_eq!(
        (n.api, n.checks),
        (1.0, 0.0),
        "the retry was sent after the stop"
    );
    assert_eq!(runs.get(), 0);
    // The client goes on: a check of its own works.
    let r = call_async(&s, "check", &[]).await.unwrap();
    assert_eq!(status_of(&r).as_deref(), Some("Ok"));
}

#[wasm_bindgen_test]
async fn a_trailing_slash_on_base_url_is_removed() {
    clear_storage();
    let before = counts().await;
    let s = safe_sdk(&[("baseUrl", format!("{}/", sandbox()).into())]);
    let r = initialize(&s).await.unwrap();
    assert_eq!(get(&r, "registered").as_bool(), Some(true));
    let c = call_async(&s, "check", &[]).await.unwrap();
    assert_eq!(status_of(&c).as_deref(), Some("Ok"));
    // The same origin, so the same storage key: no second registration.
    let plain = safe_sdk(&[]);
    let r = initialize(&plain).await.unwrap();
    assert_eq!(get(&r, "registered").as_bool(), Some(false));
    assert_eq!(before.since().await.registrations, 1.0);
}

// ---------------------------------------------------------------------- order

#[wasm_bindgen_test]
async fn check_before_initialize_is_a_configuration_error() {
    clear_storage();
    let before = counts().await;
    let s = safe_sdk(&[]);
    let err = call_async(&s, "check", &[]).await.unwrap_err();
    assert_error(&err, "ConfigurationError", "INVALID_CONFIGURATION");
    // A token alone is not enough: the device is not known yet.
    call(&s, "setAccessToken", &[mint_gatekeeper(600).await.into()]).unwrap();
    let err = call_async(&s, "check", &[]).await.unwrap_err();
    assert_error(&err, "ConfigurationError", "INVALID_CONFIGURATION");
    assert_eq!(before.since().await.api, 0.0);
}

/// A shop that does not await `initialize()`: a `check()` made while the registration is
/// still out waits for it and checks the new device; when that registration fails, the
/// check rejects with its error, not with "call initialize() first".
#[wasm_bindgen_test]
async fn a_check_made_while_initialize_is_under_way_waits_for_it() {
    clear_storage();
    clear_faults().await;
    let devices = checks_path("x").replace("/x/checks", "");
    fault(&[("path", devices.clone().into()), ("delay_ms", 500.into())]).await;
    let s = safe_sdk(&[]);
    let before = counts().await;
    let init = start(&s, "initialize", &[mint_gatekeeper(600).await.into()]);
    let check = call_async(&s, "check", &[]).await.expect("the check waits");
    assert_eq!(status_of(&check).as_deref(), Some("Ok"));
    let id = get(&settle(init).await.expect("initialized"), "deviceId");
    assert_eq!(get(&check, "deviceId"), id);
    let n = before.since().await;
    assert_eq!((n.registrations, n.checks), (1.0, 1.0));

    clear_storage();
    let s = safe_sdk(&[("retry", false.into())]);
    fault(&[
        ("path", devices.into()),
        ("status", 500.into()),
        ("delay_ms", 300.into()),
    ])
    .await;
    let init = start(&s, "initialize", &[mint_gatekeeper(600).await.into()]);
    let err = call_async(&s, "check", &[]).await.unwrap_err();
    assert_error(&err, "ApiError", "API_ERROR");
    assert!(settle(init).await.is_err());
}

/// The two other ends of a `check()` made right after an `initialize()` that is not
/// awaited, as docs/api.md words them: a registration whose token is refused (no
/// callback, rule 5) makes `initialize()` reject, and the check resolve
/// `AuthenticationFailed` as any check on a refused token does; a token that breaks the
/// shape rules is refused before `initialize()` is under way, so the check is one with no
/// `initialize()` before it. Neither sends a check.
#[wasm_bindgen_test]
async fn a_check_after_an_initialize_refused_for_its_token() {
    clear_storage();
    clear_faults().await;
    let devices = checks_path("x").replace("/x/checks", "");
    fault(&[
        ("path", devices.into()),
        ("count", 1.into()),
        ("status", 401.into()),
        ("delay_ms", 300.into()),
    ])
    .await;
    let before = counts().await;
    let s = safe_sdk(&[("retry", false.into())]);
    let init = start(&s, "initialize", &[mint_gatekeeper(600).await.into()]);
    let check = call_async(&s, "check", &[])
        .await
        .expect("a refused token resolves");
    assert_authentication_failed(&check, "ACCESS_TOKEN_EXPIRED");
    let err = settle(init).await.unwrap_err();
    assert_error(&err, "AccessTokenExpiredError", "ACCESS_TOKEN_EXPIRED");

    let s = safe_sdk(&[]);
    let init = start(&s, "initialize", &["not-a-jwt".into()]);
    let err = call_async(&s, "check", &[]).await.unwrap_err();
    assert_error(&err, "ConfigurationError", "INVALID_CONFIGURATION");
    let err = settle(init).await.unwrap_err();
    assert_error(
        &err,
        "InvalidAccessTokenFormat",
        "INVALID_ACCESS_TOKEN_FORMAT",
    );
    assert_eq!(before.since().await.checks, 0.0, "no check was sent");
}
