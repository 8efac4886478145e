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

/// Ten sequential GETs with the server's clock `offset_s` away from the page's:
/// the callback's calls and what the API saw.
async fn ten_requests_with_server_clock_at(offset_s: i64) -> (u32, Counts) {
    set_server_clock(offset_s).await;
    let token = mint_checkout("inv_1001", 900).await;
    let (callback, calls) = checkout_minting_callback();
    let before = counts().await;
    let client = checkout_client(&token, &[("onAccessTokenExpired", callback)]).await;
    gets(&client, 10).await;
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
    let (callback, calls) = checkout_minting_callback();
    let before = counts().await;
    let client = checkout_client(&token, &[("onAccessTokenExpired", callback)]).await;
    gets(&client, 5).await;
    let seen = before.since().await;
    set_server_clock(0).await;
    // The first request refreshes it (one callback); the 15-minute token it gets
    // serves the other four.
    assert_eq!(calls.get(), 1);
    assert_eq!((seen.api, seen.unauthorized), (5.0, 0.0));
}

/// A real checkout token for inv_1001 with `ttl` seconds and `extra` mint options
/// (`"omitIat":true`, `"iatOffset":N`).
async fn mint_with(ttl: i32, extra: &str) -> String {
    let body = format!(r#"{{"kind":"checkout","invoiceId":"inv_1001","ttl":{ttl},{extra}}}"#);
    get(&control("mint", &body).await, "token")
        .as_string()
        .unwrap()
}

/// `n` sequential GETs that must all succeed.
async fn gets(client: &JsValue, n: u32) {
    for _ in 0..n {
        let invoice = call_async(client, "get", &[INVOICE.into()]).await;
        assert!(invoice.is_ok(), "{invoice:?}");
    }
}

/// A client whose first token (fresh, 15 minutes) taught it the server's clock at
/// `offset_s` from the page's, checked by one GET that cost no callback; and the
/// counter of its minting `onAccessTokenExpired`.
async fn client_with_learnt_offset(offset_s: i64) -> (JsValue, std::rc::Rc<std::cell::Cell<u32>>) {
    clear_faults().await;
    set_server_clock(offset_s).await;
    let first = mint_checkout("inv_1001", 900).await;
    let (callback, calls) = checkout_minting_callback();
    let client = checkout_client(&first, &[("onAccessTokenExpired", callback)]).await;
    gets(&client, 1).await;
    assert_eq!(
        calls.get(),
        0,
        "the first token is fresh by the server's clock"
    );
    (client, calls)
}

/// A token without `iat` never moves the estimate. The page's clock is an hour ahead;
/// the first token (with `iat`, due by the page's clock) teaches the client the real
/// offset. The next one has no `iat` and 15 minutes left by the server's clock, but by
/// the page's it expired 45 minutes ago: judged with the learnt offset it is fresh, so
/// it costs no callback and no 401. (Were a missing `iat` read as "minted now", the
/// offset would drop back to 0 and this token would be refreshed at once.)
#[wasm_bindgen_test]
async fn a_token_without_iat_keeps_the_learnt_offset() {
    let (client, calls) = client_with_learnt_offset(-HOUR).await;
    let bare = mint_with(900, r#""omitIat":true"#).await;
    assert!(claim_of(&bare, "iat").is_undefined());
    let before = counts().await;
    call(&client, "setAccessToken", &[bare.clone().into()]).unwrap();
    gets(&client, 5).await;
    let seen = before.since().await;
    let used = last_jti().await;
    set_server_clock(0).await;
    assert_eq!(calls.get(), 0, "callbacks after the token without iat");
    assert_eq!((seen.api, seen.unauthorized), (5.0, 0.0));
    assert_eq!(
        used,
        Some(jti_of(&bare)),
        "the token without iat was used as it is"
    );
}

/// The other way round: the page's clock is an hour behind; the first token (its `iat`
/// an hour in the page's future) moves the offset to +1 h. The next token has no `iat`
/// and 20 s left by the server's clock (inside the 30 s leeway), an hour and 20 s by
/// the page's. Judged with the kept offset it is due: refreshed once before use, and no
/// request goes out with it. (Were a missing `iat` read as 0, or as "minted now", or
/// did it reset the estimate, this token would look fresh and go out as it is.)
#[wasm_bindgen_test]
async fn a_token_without_iat_due_by_the_learnt_offset_is_refreshed_once() {
    let (client, calls) = client_with_learnt_offset(HOUR).await;
    let bare = mint_with(20, r#""omitIat":true"#).await;
    let before = counts().await;
    call(&client, "setAccessToken", &[bare.clone().into()]).unwrap();
    gets(&client, 5).await;
    let seen = before.since().await;
    let used = last_jti().await;
    set_server_clock(0).await;
    assert_eq!(
        calls.get(),
        1,
        "one proactive refresh of the due token without iat"
    );
    assert_eq!((seen.api, seen.unauthorized), (5.0, 0.0));
    assert_ne!(used, Some(jti_of(&bare)), "the due token went out");
}

/// A token without `iat` at `create`, with the page's clock an hour behind the server's
/// and nothing learnt yet: the client keeps the page's clock (offset 0). Its 15 minutes
/// look like an hour and 15 minutes, which is not due either way: no callback, no 401.
/// Then a token with an `iat` an hour in the page's future corrects the estimate, and a
/// 20-second token without `iat` is judged by it (refreshed once).
#[wasm_bindgen_test]
async fn a_token_without_iat_at_create_leaves_the_page_clock_until_one_with_iat_comes() {
    clear_faults().await;
    set_server_clock(HOUR).await;
    let (callback, calls) = checkout_minting_callback();
    let bare = mint_with(900, r#""omitIat":true"#).await;
    let before = counts().await;
    let client = checkout_client(&bare, &[("onAccessTokenExpired", callback)]).await;
    gets(&client, 3).await;
    // Before any token with iat: a 20 s token without iat, due only by the server's
    // clock, looks fresh (the page's clock is all the client knows) and goes out.
    let short = mint_with(20, r#""omitIat":true"#).await;
    call(&client, "setAccessToken", &[short.clone().into()]).unwrap();
    gets(&client, 1).await;
    assert_eq!(last_jti().await, Some(jti_of(&short)));
    assert_eq!(calls.get(), 0);
    // A token with iat (an hour ahead of the page) teaches the offset.
    let with_iat = mint_checkout("inv_1001", 900).await;
    call(&client, "setAccessToken", &[with_iat.into()]).unwrap();
    gets(&client, 1).await;
    assert_eq!(calls.get(), 0);
    let short = mint_with(20, r#""omitIat":true"#).await;
    call(&client, "setAccessToken", &[short.clone().into()]).unwrap();
    gets(&client, 1).await;
    let seen = before.since().await;
    let used = last_jti().await;
    set_server_clock(0).await;
    assert_eq!(
        calls.get(),
        1,
        "refreshed once, now that the offset is known"
    );
    assert_ne!(used, Some(jti_of(&short)));
    assert_eq!((seen.api, seen.unauthorized), (6.0, 0.0));
}

/// An `iat` in the future (by the client's estimate) moves the offset to `iat − page
/// time`. The page's clock is an hour behind the server's; the first token the client
/// sees was minted an hour in the page's future and has 20 s left: by the corrected
/// estimate it is due, so it is refreshed once before use, and the fresh token serves
/// the rest. (Ignoring the future `iat`, the client would send the 20 s token as if it
/// had an hour left.)
#[wasm_bindgen_test]
async fn a_token_minted_in_the_future_moves_the_estimate() {
    clear_faults().await;
    set_server_clock(HOUR).await;
    let short = mint_checkout("inv_1001", 20).await;
    let (callback, calls) = checkout_minting_callback();
    let before = counts().await;
    let client = checkout_client(&short, &[("onAccessTokenExpired", callback)]).await;
    gets(&client, 5).await;
    let seen = before.since().await;
    let used = last_jti().await;
    set_server_clock(0).await;
    assert_eq!(calls.get(), 1);
    assert_ne!(used, Some(jti_of(&short)));
    assert_eq!((seen.api, seen.unauthorized), (5.0, 0.0));
}

/// An `iat` in the future by the server's own clock too (`iatOffset`: a token server
/// whose clock runs ahead). With the page and the API agreeing, a token minted 20
/// minutes "from now" with 15 minutes left looks, by the estimate it sets (+20 min),
/// already due: it is refreshed once, and the fresh token (its `iat` now the server's
/// real time, and due by the inflated estimate) brings the offset back to 0. From then
/// on requests cost nothing: one callback in all, no 401.
#[wasm_bindgen_test]
async fn an_iat_in_the_servers_future_costs_one_callback_then_the_estimate_recovers() {
    clear_faults().await;
    set_server_clock(0).await;
    let ahead = mint_with(900, r#""iatOffset":1200"#).await;
    let (callback, calls) = checkout_minting_callback();
    let before = counts().await;
    let client = checkout_client(&ahead, &[("onAccessTokenExpired", callback)]).await;
    gets(&client, 10).await;
    let seen = before.since().await;
    assert_eq!(calls.get(), 1);
    assert_eq!((seen.api, seen.unauthorized), (10.0, 0.0));
}

/// A page that hands the SDK the token it already holds (`setAccessToken` on every
/// render) once that token has come due must not make it look freshly minted: it is
/// still refreshed once before use. Here the page's clock moves 15 s on after `create`,
/// past the 40 s token's `exp − 30 s`, and the token is set again.
#[wasm_bindgen_test]
async fn setting_the_due_token_again_does_not_make_it_look_fresh() {
    clear_faults().await;
    set_server_clock(0).await;
    let token = mint_checkout("inv_1001", 40).await;
    let (callback, calls) = checkout_minting_callback();
    let client = checkout_client(&token, &[("onAccessTokenExpired", callback)]).await;
    run_js("const real = Date.now; window.__realNow = real; Date.now = () => real() + 15000;");
    let set = call(&client, "setAccessToken", &[token.clone().into()]);
    let got = call_async(&client, "get", &[INVOICE.into()]).await;
    run_js("Date.now = window.__realNow;");
    assert!(set.is_ok() && got.is_ok(), "{set:?} {got:?}");
    assert_eq!(calls.get(), 1, "the due token was refreshed before use");
    assert_ne!(last_jti().await, Some(jti_of(&token)));
}

/// Rule 8: a token is refreshed proactively at most once. With a callback that fails,
/// a valid token that is due is sent as it is after that one attempt: one callback for
/// five requests, not one per request.
#[wasm_bindgen_test]
async fn a_failed_proactive_refresh_is_not_tried_again_for_the_same_token() {
    clear_faults().await;
    set_server_clock(0).await;
    let token = mint_checkout("inv_1001", 10).await;
    let (callback, calls) = counting(|| Err(js_sys::Error::new("down").into()));
    let client = checkout_client(&token, &[("onAccessTokenExpired", callback)]).await;
    let before = counts().await;
    gets(&client, 5).await;
    let seen = before.since().await;
    assert_eq!(calls.get(), 1, "one proactive attempt for this token");
    assert_eq!((seen.api, seen.unauthorized), (5.0, 0.0));
    assert_eq!(last_jti().await, Some(jti_of(&token)));
}

/// Rule 8: a backend that caches its token hands back the same due token. That costs
/// one more callback, not one per request.
#[wasm_bindgen_test]
async fn the_same_due_token_handed_back_costs_one_callback_not_one_per_request() {
    clear_faults().await;
    set_server_clock(0).await;
    let token = mint_checkout("inv_1001", 10).await;
    let cached = token.clone();
    let (callback, calls) =
        counting(move || Ok(js_sys::Promise::resolve(&JsValue::from(cached.clone())).into()));
    let client = checkout_client(&token, &[("onAccessTokenExpired", callback)]).await;
    let before = counts().await;
    gets(&client, 10).await;
    let seen = before.since().await;
    assert_eq!(calls.get(), 1);
    assert_eq!((seen.api, seen.unauthorized), (10.0, 0.0));
}

/// A refresh that hands back the token in use says nothing new about the server's
/// clock. The token (12 s, 10 s leeway) comes due after 2 s; the callback answers with
/// it (a backend's cache). Read as freshly minted, it would move the estimate back by
/// the time since `create` (≥ 2.5 s), and a `Retry-After` date 2 s ahead would read as
/// over 3.5 s: over `maxDelayMs` (3 s), an `ApiError` at once instead of a retry.
#[wasm_bindgen_test]
async fn the_same_token_from_a_refresh_leaves_the_clock_estimate() {
    clear_faults().await;
    set_server_clock(0).await;
    let token = mint_checkout("inv_1001", 12).await;
    let cached = token.clone();
    let (callback, calls) =
        counting(move || Ok(js_sys::Promise::resolve(&JsValue::from(cached.clone())).into()));
    let retry = obj(&[("limit", 1.into()), ("maxDelayMs", 3000.into())]);
    let options = [
        ("onAccessTokenExpired", callback),
        ("refreshLeewaySeconds", 10.into()),
        ("retry", retry),
    ];
    let client = checkout_client(&token, &options).await;
    sleep(2500).await;
    gets(&client, 1).await;
    assert_eq!(
        calls.get(),
        1,
        "due: one refresh, which handed the same token back"
    );
    fault(&[
        ("path", INVOICE.into()),
        ("count", 1.into()),
        ("status", 503.into()),
        ("retry_after_s", 2.into()),
        ("retry_after_as_date", true.into()),
    ])
    .await;
    let result = call_async(&client, "get", &[INVOICE.into()]).await;
    clear_faults().await;
    assert!(
        result.is_ok(),
        "a date 2 s ahead is a short wait: {result:?}"
    );
    assert_eq!(calls.get(), 1);
}

/// Rule 2 with rule 8: twelve calls that share one proactive refresh whose token arrives
/// already due (a lifetime under the leeway) all use it as it is, the six that wait in
/// the SDK's queue too (each answer takes 300 ms): one callback, not one per call after
/// the first or per batch.
#[wasm_bindgen_test]
async fn calls_sharing_a_refresh_whose_token_arrives_due_use_it_as_it_is() {
    clear_faults().await;
    set_server_clock(0).await;
    let token = mint_checkout("inv_1001", 10).await;
    let (callback, calls) = counting(|| {
        let minted = wasm_bindgen_futures::future_to_promise(async {
            sleep(300).await;
            Ok(JsValue::from(mint_checkout("inv_1001", 10).await))
        });
        Ok(minted.into())
    });
    let client = checkout_client(&token, &[("onAccessTokenExpired", callback)]).await;
    fault(&[
        ("path", INVOICE.into()),
        ("count", 12.into()),
        ("delay_ms", 300.into()),
    ])
    .await;
    let before = counts().await;
    // Twelve URLs: Chromium's cache would hold back a second GET of one URL.
    let pending = (0..12)
        .map(|n| {
            let init = obj(&[("query", obj(&[("n", n.into())]))]);
            start(&client, "get", &[INVOICE.into(), init])
        })
        .collect();
    let results = settle_all(pending).await;
    clear_faults().await;
    for r in &results {
        assert_invoice(r);
    }
    let seen = before.since().await;
    assert_eq!(calls.get(), 1, "one refresh for the twelve calls");
    assert_eq!((seen.api, seen.unauthorized), (12.0, 0.0));
}
