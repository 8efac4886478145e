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

/// The page's `Date.now`, moved by `shift_clock` (ms) from the real one.
fn shift_clock(ms: f64) {
    set_clock(ms, false);
}

/// Stops the page's clock `ms` from now (the SDK's round trips then take no time on it).
fn freeze_clock(ms: f64) {
    set_clock(ms, true);
}

fn set_clock(ms: f64, frozen: bool) {
    js(
        "ms, frozen",
        "globalThis.realNow ??= Date.now; const t = globalThis.realNow() + ms; \
         Date.now = frozen ? () => t : () => globalThis.realNow() + ms;",
    )
    .call2(&JsValue::UNDEFINED, &ms.into(), &frozen.into())
    .unwrap();
}

fn restore_clock() {
    run_js("if (globalThis.realNow) Date.now = globalThis.realNow; delete globalThis.realNow; delete globalThis.heldTick;");
}

/// How many results have arrived after polling up to `n` of them for 1.5 s (a bounded
/// number of sleeps: `wait_until` reads `Date.now`, which these tests move).
async fn results_after(results: &Rc<RefCell<Vec<JsValue>>>, n: usize) -> usize {
    for _ in 0..75 {
        if results.borrow().len() >= n {
            break;
        }
        sleep(20).await;
    }
    results.borrow().len()
}

const HELD: &str = "return (f) => { globalThis.heldTick = f; return 0; };";

/// A throttled timer that fires just after the wake-up's check does not check again;
/// its next tick, an interval later, does. The page's clock is moved, not waited for.
#[wasm_bindgen_test]
async fn the_late_timer_after_a_wake_up_does_not_check_twice() {
    let (sdk, results) = started_with_interval(1000, HELD).await;
    // The page slept: a check is overdue. The clock stands still from here, so the late
    // tick comes "just after" the wake-up's check however long its round trip took.
    freeze_clock(5000.0);
    page_becomes_visible();
    let woke = results_after(&results, 1).await;
    run_js("globalThis.heldTick();"); // the throttled timer, let run just after
    let after_late_tick = results_after(&results, 2).await;
    // Over half an interval after the wake-up's check (the real time passed since adds
    // to the 600 ms).
    freeze_clock(5600.0);
    run_js("globalThis.heldTick();"); // its next tick, over half an interval later
    let after_next_tick = results_after(&results, 2).await;
    call(&sdk, "destroy", &[]).unwrap();
    restore_clock();
    assert_eq!(
        (woke, after_late_tick, after_next_tick),
        (1, 1, 2),
        "checks after the wake-up, the late tick and the next tick"
    );
}

/// The page's clock never stops the schedule: with `Date.now` frozen (a test's fake
/// clock, a broken page), every tick of the timer still checks.
#[wasm_bindgen_test]
async fn a_frozen_page_clock_does_not_stop_the_checks() {
    let (sdk, results) = started_with_interval(1000, HELD).await;
    run_js("globalThis.realNow = Date.now; const t = Date.now(); Date.now = () => t;");
    let mut checks = Vec::new();
    for n in 1..=2 {
        run_js("globalThis.heldTick();");
        checks.push(results_after(&results, n).await);
    }
    call(&sdk, "destroy", &[]).unwrap();
    restore_clock();
    assert_eq!(checks, [1, 2], "checks after each tick");
}

/// A page clock set back (corrected by an hour after a sleep) counts as overdue when
/// the page becomes visible: the check runs, rather than none until the clock catches up.
#[wasm_bindgen_test]
async fn a_clock_set_back_still_checks_on_wake_up() {
    let (sdk, results) = started_with_asleep_timers(1000).await;
    shift_clock(-3_600_000.0);
    page_becomes_visible();
    let checks = results_after(&results, 1).await;
    call(&sdk, "destroy", &[]).unwrap();
    restore_clock();
    assert_eq!(checks, 1, "the wake-up's check");
}

/// `destroy()` ends the SDK before it clears the interval: a page `clearTimeout` that
/// starts the schedule again finds it destroyed, and no schedule outlives `destroy()`.
#[wasm_bindgen_test]
async fn a_schedule_started_again_during_destroy_is_refused() {
    let sdk = safe_sdk(&[]);
    initialize(&sdk).await.unwrap();
    let (callback, _results) = recorder();
    call(&sdk, "startPeriodicCheck", &[1000.into(), callback.clone()]).unwrap();
    let wrap = js(
        "sdk, cb",
        "const real = globalThis.clearTimeout; globalThis.restartError = 'not called';
         globalThis.clearTimeout = (id) => {
           globalThis.clearTimeout = real;
           real(id);
           try { sdk.startPeriodicCheck(1000, cb); globalThis.restartError = 'started'; }
           catch (e) { globalThis.restartError = e.name; }
         };",
    );
    wrap.call2(&JsValue::UNDEFINED, &sdk, &callback).unwrap();
    call(&sdk, "destroy", &[]).unwrap();
    let seen =
        run_js("const e = globalThis.restartError; delete globalThis.restartError; return e;");
    assert_eq!(seen.as_string().as_deref(), Some("ClientDestroyedError"));
}
