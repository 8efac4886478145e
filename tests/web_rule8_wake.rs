//! Rule 8's wake rule: SafeSDK's periodic check runs at once when the page becomes
//! visible again and a check is overdue, instead of waiting for a throttled timer.
//! The page's `setInterval` is replaced by one that never fires, as in a background
//! tab or a machine that slept.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// An initialized SafeSDK whose periodic check was started while timers never fire.
async fn started_with_asleep_timers(interval_ms: u32) -> (JsValue, Rc<RefCell<Vec<JsValue>>>) {
    started_with_interval(interval_ms, "return () => 0;").await
}

/// The same, its `setInterval` made by the JS function body `set_interval`.
async fn started_with_interval(
    interval_ms: u32,
    set_interval: &str,
) -> (JsValue, Rc<RefCell<Vec<JsValue>>>) {
    let sdk = safe_sdk(&[]);
    initialize(&sdk).await.unwrap();
    let (callback, results) = recorder();
    let global = js_sys::global();
    let real = Reflect::get(&global, &"setInterval".into()).unwrap();
    let asleep = js("", set_interval).call0(&JsValue::UNDEFINED).unwrap();
    Reflect::set(&global, &"setInterval".into(), &asleep).unwrap();
    let started = call(&sdk, "startPeriodicCheck", &[interval_ms.into(), callback]);
    Reflect::set(&global, &"setInterval".into(), &real).unwrap();
    started.unwrap();
    (sdk, results)
}

fn page_becomes_visible() {
    run_js("document.dispatchEvent(new Event('visibilitychange'));");
}

use std::cell::RefCell;
use std::rc::Rc;

#[wasm_bindgen_test]
async fn an_overdue_check_runs_when_the_page_becomes_visible() {
    let (sdk, results) = started_with_asleep_timers(1000).await;
    sleep(1200).await;
    assert!(results.borrow().is_empty(), "no timer fired");
    page_becomes_visible();
    let seen = results.clone();
    wait_until("the overdue check", 5000.0, move || {
        !seen.borrow().is_empty()
    })
    .await;
    assert_eq!(status_of(&results.borrow()[0]).as_deref(), Some("Ok"));
    call(&sdk, "destroy", &[]).unwrap();
}

#[wasm_bindgen_test]
async fn a_check_that_is_not_due_waits_for_its_timer() {
    let (sdk, results) = started_with_asleep_timers(60_000).await;
    page_becomes_visible();
    sleep(500).await;
    assert!(results.borrow().is_empty(), "{:?}", results.borrow());
    call(&sdk, "destroy", &[]).unwrap();
}

#[wasm_bindgen_test]
async fn stop_removes_the_visibility_listener() {
    let (sdk, results) = started_with_asleep_timers(1000).await;
    call(&sdk, "stopPeriodicCheck", &[]).unwrap();
    sleep(1200).await;
    page_becomes_visible();
    sleep(500).await;
    assert!(results.borrow().is_empty(), "{:?}", results.borrow());
}

/// Only becoming *visible* runs an overdue check: the page going to the background
/// (the same event, `visibilityState` `'hidden'`) does not.
#[wasm_bindgen_test]
async fn the_page_going_hidden_runs_no_check() {
    let (sdk, results) = started_with_asleep_timers(1000).await;
    sleep(1200).await;
    run_js(
        "Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });",
    );
    page_becomes_visible(); // the event; the state says hidden
    sleep(500).await;
    let hidden_runs = results.borrow().len();
    run_js("delete document.visibilityState;");
    page_becomes_visible();
    let seen = results.clone();
    wait_until("the overdue check", 5000.0, move || {
        !seen.borrow().is_empty()
    })
    .await;
    call(&sdk, "destroy", &[]).unwrap();
    assert_eq!(hidden_runs, 0, "a check ran when the page went hidden");
}

/// A throttled timer that fires just after the wake-up's check does not check again;
/// its next tick, an interval later, does.
#[wasm_bindgen_test]
async fn the_late_timer_after_a_wake_up_does_not_check_twice() {
    let held = "return (f) => { globalThis.heldTick = f; return 0; };";
    let (sdk, results) = started_with_interval(1000, held).await;
    sleep(1200).await;
    page_becomes_visible();
    let seen = results.clone();
    wait_until("the overdue check", 5000.0, move || {
        !seen.borrow().is_empty()
    })
    .await;
    run_js("globalThis.heldTick();"); // the throttled timer, now let run
    sleep(300).await;
    let after_late_tick = results.borrow().len();
    sleep(800).await;
    run_js("globalThis.heldTick();"); // its next tick
    let seen = results.clone();
    wait_until("the next check", 5000.0, move || {
        seen.borrow().len() > after_late_tick
    })
    .await;
    call(&sdk, "destroy", &[]).unwrap();
    run_js("delete globalThis.heldTick;");
    assert_eq!(after_late_tick, 1, "the late timer checked again");
}

/// The page's clock never stops the schedule: with `Date.now` frozen (a test's fake
/// clock, a broken page), every tick of the timer still checks.
#[wasm_bindgen_test]
async fn a_frozen_page_clock_does_not_stop_the_checks() {
    run_js("globalThis.realNow = Date.now; const t = Date.now(); Date.now = () => t;");
    let held = "return (f) => { globalThis.heldTick = f; return 0; };";
    let (sdk, results) = started_with_interval(1000, held).await;
    let mut checks = Vec::new();
    for n in 1..=2 {
        run_js("globalThis.heldTick();");
        // Polled a bounded number of times: `wait_until` reads the frozen clock.
        for _ in 0..100 {
            if results.borrow().len() >= n {
                break;
            }
            sleep(20).await;
        }
        checks.push(results.borrow().len());
    }
    call(&sdk, "destroy", &[]).unwrap();
    run_js("Date.now = globalThis.realNow; delete globalThis.heldTick;");
    assert_eq!(checks, [1, 2], "checks after each tick");
}
