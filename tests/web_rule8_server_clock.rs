//! Rule 8: expiry decisions use the server's time, estimated from each token's `iat`.
//! The sandbox's clock is shifted (`POST /__sandbox/clock`), so the tokens it mints and
//! the expiry it enforces are off from the page's clock, as with a shopper whose
//! clock is wrong.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const HOUR: i64 = 3600;

async fn set_server_clock(offset_s: i64) {
    control("clock", &format!(r#"{{"offset_s":{offset_s}}}"#)).await;
}

/// A token callback that mints a fresh 15-minute checkout token, counting its calls.
fn minting_callback() -> (JsValue, std::rc::Rc<std::cell::Cell<u32>>) {
    counting(|| {
        let minted = wasm_bindgen_futures::future_to_promise(async {
            Ok(mint_checkout("inv_1001", 900).await.into())
        });
        Ok(minted.into())
    })
}

/// Ten sequential GETs with the server's clock `offset_s` away from the page's:
/// the callback's calls and what the API saw.
async fn ten_requests_with_server_clock_at(offset_s: i64) -> (u32, Counts) {
    set_server_clock(offset_s).await;
    let token = mint_checkout("inv_1001", 900).await;
    let (callback, calls) = minting_callback();
    let before = counts().await;
    let client = checkout_client(&token, &[("onAccessTokenExpired", callback)]).await;
    for _ in 0..10 {
        let invoice = call_async(&client, "get", &["/v1/invoices/inv_1001".into()]).await;
        assert!(invoice.is_ok(), "{invoice:?}");
    }
    let seen = before.since().await;
    set_server_clock(0).await;
    (calls.get(), seen)
}

async fn assert_one_token_lifetime_costs_nothing(offset_s: i64) {
    let (callbacks, seen) = ten_requests_with_server_clock_at(offset_s).await;
    assert_eq!(
        callbacks, 0,
        "callbacks with the server clock at {offset_s} s"
    );
    assert_eq!(
        seen.unauthorized, 0.0,
        "401s with the server clock at {offset_s} s"
    );
    assert_eq!(
        seen.api, 10.0,
        "requests with the server clock at {offset_s} s"
    );
}

#[wasm_bindgen_test]
async fn page_clock_a_day_ahead_mints_no_extra_token() {
    assert_one_token_lifetime_costs_nothing(-24 * HOUR).await;
}

#[wasm_bindgen_test]
async fn page_clock_twenty_minutes_ahead_mints_no_extra_token() {
    assert_one_token_lifetime_costs_nothing(-20 * 60).await;
}

#[wasm_bindgen_test]
async fn page_clock_twenty_minutes_behind_mints_no_extra_token() {
    assert_one_token_lifetime_costs_nothing(20 * 60).await;
}

#[wasm_bindgen_test]
async fn page_clock_a_day_behind_mints_no_extra_token() {
    assert_one_token_lifetime_costs_nothing(24 * HOUR).await;
}

/// A token that is due by the server's own clock is still refreshed once before use,
/// whatever the page's clock says: the estimate follows the server.
#[wasm_bindgen_test]
async fn a_token_due_by_the_server_clock_is_refreshed_once() {
    set_server_clock(-20 * 60).await;
    // Minted 10 s before its exp by the server's clock: inside the 30 s leeway.
    let token = mint_checkout("inv_1001", 10).await;
    let (callback, calls) = minting_callback();
    let before = counts().await;
    let client = checkout_client(&token, &[("onAccessTokenExpired", callback)]).await;
    for _ in 0..5 {
        let invoice = call_async(&client, "get", &["/v1/invoices/inv_1001".into()]).await;
        assert!(invoice.is_ok(), "{invoice:?}");
    }
    let seen = before.since().await;
    set_server_clock(0).await;
    // The first request refreshes it (one callback); the 15-minute token it gets
    // serves the other four.
    assert_eq!(calls.get(), 1);
    assert_eq!((seen.api, seen.unauthorized), (5.0, 0.0));
}
