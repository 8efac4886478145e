//! Rule 2, extended: when a 401 refuses token T and a refresh will run, every
//! idempotent request sent with T and still unanswered is aborted, waits for the one
//! refresh, and goes out once with the new token. A POST in flight is never aborted.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const INVOICE: &str = "/v1/invoices/inv_1001";
const PAYMENTS: &str = "/v1/invoices/inv_1001/payments";

/// `n` concurrent GETs on a revoked token, each held `delay_ms` at the server: every
/// one succeeds after one refresh; returns what the server saw.
async fn storm(n: u32, delay_ms: u32) -> Counts {
    let (callback, calls) = checkout_minting_callback();
    let token = mint_checkout("inv_1001", 900).await;
    let client = checkout_client(&token, &[("onAccessTokenExpired", callback)]).await;
    revoke_all().await;
    clear_faults().await;
    if delay_ms > 0 {
        let count = 2 * n + 12;
        let fault = format!(r#"{{"path":"{INVOICE}","count":{count},"delay_ms":{delay_ms}}}"#);
        control("faults", &fault).await;
    }
    let before = counts().await;
    let pending = (0..n)
        .map(|_| start(&client, "get", &[INVOICE.into()]))
        .collect();
    let results = settle_all(pending).await;
    let seen = before.since().await;
    clear_faults().await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(calls.get(), 1, "one refresh for the whole storm");
    seen
}

/// The contract's outcome: N concurrent GETs on a refused token cost at most N + 6
/// requests at the server (6 = Chromium's connections per host), not 2N. At most 6
/// attempts are unanswered at once, and none goes out with the token after its first
/// 401, so at most 6 are refused.
///
/// Without the cap, all N go to `fetch` in one task: the browser keeps sending them
/// with the refused token, one connection freed after another, until the page's script
/// runs again to see the first 401 (measured before the cap: 207 to 236 requests for
/// 200 GETs, 317 for 300).
#[wasm_bindgen_test]
async fn a_storm_of_gets_costs_at_most_n_plus_6_requests() {
    const N: u32 = 300;
    for delay_ms in [0, 20] {
        let seen = storm(N, delay_ms).await;
        assert!(
            seen.api <= f64::from(N + 6),
            "{} requests at the server for {N} GETs (server latency {delay_ms} ms)",
            seen.api
        );
        assert!(seen.api >= f64::from(N + 1), "{seen:?}");
        assert!(seen.unauthorized <= 6.0, "{} refusals", seen.unauthorized);
    }
}

#[wasm_bindgen_test]
async fn a_post_in_flight_during_a_storm_is_never_aborted() {
    let spy = OutcomeSpy::install();
    let (callback, calls) = checkout_minting_callback();
    let token = mint_checkout("inv_1001", 900).await;
    let client = checkout_client(&token, &[("onAccessTokenExpired", callback)]).await;
    revoke_all().await;
    // The POST is held at the server for 300 ms (then refused: its token is revoked),
    // while GETs on the same token are refused at once.
    clear_faults().await;
    control(
        "faults",
        &format!(r#"{{"path":"{PAYMENTS}","count":1,"delay_ms":300}}"#),
    )
    .await;
    let post = start(
        &client,
        "post",
        &[PAYMENTS.into(), obj(&[("amount", 1.into())])],
    );
    sleep(50).await;
    let gets: Vec<_> = (0..20)
        .map(|_| start(&client, "get", &[INVOICE.into()]))
        .collect();
    let gets = settle_all(gets).await;
    let post = settle(post).await;
    let log = spy.log();
    drop(spy);

    assert!(gets.iter().all(Result::is_ok), "{gets:?}");
    assert!(post.is_ok(), "{post:?}");
    assert!(
        !log.iter()
            .any(|l| l.starts_with("POST") && !l.ends_with("answered")),
        "a POST was aborted: {log:?}"
    );
    assert_eq!(
        log.iter().filter(|l| l.as_str() == "POST answered").count(),
        2,
        "the held POST got its own 401, then went out once more: {log:?}"
    );
    // Its 401 (for the token the storm's refresh replaced, or joining that refresh)
    // brings no refresh of its own.
    assert_eq!(calls.get(), 1, "callbacks");
}

/// The cap of 6 unanswered attempts must not trap a caller: a call waiting for its turn
/// rejects with its signal's reason as soon as it is aborted (not when a slot frees),
/// and the calls queued behind it still get their turns.
#[wasm_bindgen_test]
async fn a_call_waiting_for_its_turn_is_aborted_at_once_and_the_queue_moves_on() {
    let token = mint_checkout("inv_1001", 900).await;
    let client = checkout_client(&token, &[]).await;
    clear_faults().await;
    // Six GETs held 3 s at the server fill the client's six slots.
    fault(&[
        ("path", INVOICE.into()),
        ("count", 6.into()),
        ("delay_ms", 3000.into()),
    ])
    .await;
    let before = counts().await;
    let held: Vec<_> = (0..6)
        .map(|_| start(&client, "get", &[INVOICE.into()]))
        .collect();
    let controller = web_sys::AbortController::new().unwrap();
    let waiting = start(
        &client,
        "get",
        &[
            INVOICE.into(),
            obj(&[("signal", controller.signal().into())]),
        ],
    );
    let behind = start(&client, "get", &[INVOICE.into()]);
    sleep(100).await;
    controller.abort_with_reason(&"stop".into());
    // Rejected while the six are still held (3 s), not after a slot frees.
    let aborted = within(1500, waiting).await;
    assert_eq!(
        aborted.map(|r| r.err().and_then(|e| e.as_string())),
        Some(Some("stop".to_owned())),
        "the waiting call rejects with its signal's reason while the slots are full"
    );
    let held = settle_all(held).await;
    assert!(held.iter().all(Result::is_ok), "{held:?}");
    // The call queued behind the aborted one is not stranded.
    let behind = within(10_000, behind).await;
    assert!(matches!(behind, Some(Ok(_))), "{behind:?}");
    // The aborted call was never sent: the six held, then the one behind it.
    assert_eq!(before.since().await.api, 7.0);
    clear_faults().await;
}

/// A call keeps its place among the 6 until its answer is read to the end, not only
/// until its status arrives: a body still downloading holds its connection, so a call
/// handed to `fetch` then would wait in the browser's queue with its `requestTimeoutMs`
/// running ("`requestTimeoutMs` starts only when it goes out"). 18 GETs whose bodies
/// each take about 2.5 s, under a 5 s timeout and no retries: none times out, and the
/// server sees 18 requests. (With places freed at the status, all 18 went to `fetch` at
/// once and the third six, about 7.5 s after theirs, timed out in Chromium's queue.)
#[wasm_bindgen_test]
async fn a_body_still_downloading_keeps_its_place_so_no_call_times_out_in_the_browsers_queue() {
    let token = mint_checkout("inv_1001", 900).await;
    let client = checkout_client(
        &token,
        &[("requestTimeoutMs", 5000.into()), ("retry", JsValue::FALSE)],
    )
    .await;
    clear_faults().await;
    // 250 bytes at one byte per 10 ms: the head at once, the body over about 2.5 s.
    let body = format!(r#"{{"id":"inv_1001","pad":"{}"}}"#, ".".repeat(224));
    fault(&[
        ("path", INVOICE.into()),
        ("count", 18.into()),
        ("status", 200.into()),
        ("body", body.into()),
        ("trickle_ms", 10.into()),
    ])
    .await;
    let before = counts().await;
    let calls = (0..18)
        .map(|_| start(&client, "get", &[INVOICE.into()]))
        .collect();
    let results = settle_all(calls).await;
    let seen = before.since().await;
    clear_faults().await;
    let failed: Vec<_> = results
        .iter()
        .filter_map(|r| r.as_ref().err().map(|e| get(e, "code").as_string()))
        .collect();
    assert!(
        failed.is_empty(),
        "{} of 18 failed: {failed:?}",
        failed.len()
    );
    assert_eq!(seen.api, 18.0, "{seen:?}");
}

/// Rule 2, extended, in one picture: five GETs on token A are held at the server; a
/// sixth on A is refused at once. Its 401 aborts the five (they have no answer yet)
/// instead of letting each wait for its own 401; all six then go out once with the
/// new token, after one refresh.
#[wasm_bindgen_test]
async fn unanswered_gets_on_the_refused_token_are_aborted_by_its_first_401() {
    let (callback, calls) = checkout_minting_callback();
    let (results, log) = five_held_then_one_refused(&[("onAccessTokenExpired", callback)]).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(calls.get(), 1, "one refresh");
    let aborted = log
        .iter()
        .filter(|l| l.as_str() == "GET AbortError")
        .count();
    assert_eq!(aborted, 5, "the held GETs were aborted: {log:?}");
    assert_eq!(
        log.len(),
        12,
        "6 sends on A, 6 resends on the new token: {log:?}"
    );
}

/// Without a token callback no refresh will come: the held GETs are not aborted; each
/// gets its own answer (a 401) and rejects with `AccessTokenExpiredError`.
#[wasm_bindgen_test]
async fn without_a_callback_unanswered_gets_are_not_aborted() {
    let (results, log) = five_held_then_one_refused(&[]).await;
    for result in &results {
        let err = result.as_ref().expect_err("A is revoked");
        assert_error(err, "AccessTokenExpiredError", "ACCESS_TOKEN_EXPIRED");
    }
    assert_eq!(log, vec!["GET answered"; 6], "no abort, no resend");
}

/// Five GETs on a revoked token held 1.5 s at the server, then a sixth refused at once;
/// each has a URL of its own (`?i=…`), as Chromium's HTTP cache lets only one request
/// for a URL through at a time.
/// returns the six results and the [`OutcomeSpy`] log.
async fn five_held_then_one_refused(
    options: &[(&str, JsValue)],
) -> (Vec<Result<JsValue, JsValue>>, Vec<String>) {
    let token = mint_checkout("inv_1001", 900).await;
    let client = checkout_client(&token, options).await;
    revoke_all().await;
    clear_faults().await;
    // The next five requests for the invoice are held, then refused (A is revoked).
    let fault = format!(r#"{{"path":"{INVOICE}","count":5,"delay_ms":1500}}"#);
    control("faults", &fault).await;
    let spy = OutcomeSpy::install();
    let get = |i: u32| start(&client, "get", &[format!("{INVOICE}?i={i}").into()]);
    let mut pending: Vec<_> = (0..5).map(get).collect();
    sleep(300).await;
    pending.push(get(5));
    let results = settle_all(pending).await;
    let log = spy.log();
    drop(spy);
    clear_faults().await;
    (results, log)
}

/// Replaces `fetch` while alive and records how each API fetch (`/v1/invoices/…`)
/// ended, in the order they ended: `GET answered`, `GET AbortError`, `POST answered`…
struct OutcomeSpy {
    original: JsValue,
    log: Array,
}

impl OutcomeSpy {
    fn install() -> OutcomeSpy {
        let log = Array::new();
        let global = js_sys::global();
        let original = Reflect::get(&global, &"fetch".into()).unwrap();
        let spy = Function::new_with_args(
            "real, log",
            "return (url, init) => { const p = real(url, init); \
             if (String(url).includes('/v1/invoices/')) p.then( \
               () => log.push(init.method + ' answered'), \
               (e) => log.push(init.method + ' ' + e.name)); \
             return p; };",
        )
        .call2(&JsValue::UNDEFINED, &original, &log)
        .unwrap();
        Reflect::set(&global, &"fetch".into(), &spy).unwrap();
        OutcomeSpy { original, log }
    }

    fn log(&self) -> Vec<String> {
        self.log.iter().filter_map(|v| v.as_string()).collect()
    }
}

impl Drop for OutcomeSpy {
    fn drop(&mut self) {
        let _ = Reflect::set(&js_sys::global(), &"fetch".into(), &self.original);
    }
}

/// Rule 2: a request started while a refresh runs waits for it and goes out with the
/// new token, never with the refused one.
#[wasm_bindgen_test]
async fn requests_started_during_a_refresh_wait_and_carry_the_new_token() {
    let (callback, calls) = counting(|| {
        let minted = wasm_bindgen_futures::future_to_promise(async {
            sleep(300).await;
            Ok(JsValue::from(mint_checkout("inv_1001", 900).await))
        });
        Ok(minted.into())
    });
    let token = mint_checkout("inv_1001", 900).await;
    let client = checkout_client(&token, &[("onAccessTokenExpired", callback)]).await;
    revoke_all().await;
    let spy = FetchSpy::install();
    let mut pending = vec![start(&client, "get", &[INVOICE.into()])];
    wait_until("the refresh to start", 5000.0, || calls.get() == 1).await;
    pending.extend((0..5).map(|_| start(&client, "get", &[INVOICE.into()])));
    let results = settle_all(pending).await;
    let sent = spy.to(INVOICE);
    drop(spy);

    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(calls.get(), 1);
    let old = format!("Bearer {token}");
    let on_old = sent.iter().filter(|s| s.2.as_deref() == Some(&old)).count();
    assert_eq!(
        on_old, 1,
        "only the first request went out with the refused token"
    );
    assert_eq!(
        sent.len(),
        7,
        "the first, its resend, and five on the new token"
    );
}

/// `n` concurrent GETs on a revoked token with `callback` and retries off: every one
/// must reject with `name`/`code`, and the callback must run once. Returns what the
/// server saw.
async fn failing_storm(
    n: u32,
    callback: (JsValue, std::rc::Rc<std::cell::Cell<u32>>),
    name: &str,
    code: &str,
) -> Counts {
    clear_faults().await;
    let (callback, calls) = callback;
    let token = mint_checkout("inv_1001", 900).await;
    let client = checkout_client(
        &token,
        &[("onAccessTokenExpired", callback), ("retry", false.into())],
    )
    .await;
    revoke_all().await;
    let before = counts().await;
    let pending = (0..n)
        .map(|_| start(&client, "get", &[INVOICE.into()]))
        .collect();
    let results = settle_all(pending).await;
    let seen = before.since().await;
    for r in &results {
        assert_error(&r.clone().expect_err("rejected"), name, code);
    }
    assert_eq!(calls.get(), 1, "one refresh for the whole storm");
    seen
}

/// A storm whose one refresh fails: every request, the ones held back in the SDK's
/// queue included, rejects with that refresh's error. The callback runs once; no
/// request starts another refresh for the refused token.
#[wasm_bindgen_test]
async fn a_storm_whose_refresh_fails_calls_the_callback_once() {
    let callback = counting(|| Err(js_sys::Error::new("backend down").into()));
    let seen = failing_storm(40, callback, "TokenRefreshError", "TOKEN_REFRESH_FAILED").await;
    assert!(
        seen.api <= 6.0,
        "at most 6 sent with the refused token: {seen:?}"
    );
}

/// Rule 4 in a storm: when the one refresh hands back a token the API refuses too,
/// every call (those that waited in the SDK's queue included) is sent once with it and
/// rejects with `AccessTokenExpiredError`. The callback runs once, not once per batch
/// of calls that meets the second refusal.
#[wasm_bindgen_test]
async fn a_storm_whose_new_token_is_refused_too_calls_the_callback_once() {
    // Minted before the revoke: refused too.
    let also_refused = mint_checkout("inv_1001", 900).await;
    let callback = answering(&also_refused);
    let seen = failing_storm(
        20,
        callback,
        "AccessTokenExpiredError",
        "ACCESS_TOKEN_EXPIRED",
    )
    .await;
    assert!(seen.api <= 26.0, "at most N + 6 requests: {seen:?}");
    // Every call went out once with the new token: none was rejected unsent.
    assert!(
        seen.api >= 21.0,
        "at least one refusal, then N sent with the new token: {seen:?}"
    );
    assert_eq!(
        seen.unauthorized, seen.api,
        "every request refused: {seen:?}"
    );
}

/// Rule 2 and rule 9 together: a call waiting out a retry delay while a refresh for a
/// refused token fails shares that refresh's error; it does not call the callback again.
#[wasm_bindgen_test]
async fn a_call_in_a_retry_delay_shares_a_failed_refresh() {
    clear_faults().await;
    let (callback, calls) = counting(|| Err(js_sys::Error::new("backend down").into()));
    let token = mint_checkout("inv_1001", 900).await;
    let client = checkout_client(&token, &[("onAccessTokenExpired", callback)]).await;
    // The first call is answered 503 with Retry-After: 3, and waits 3 s to retry: room
    // for the revoke, the second call's 401 and its failed refresh on a loaded machine.
    fault(&[
        ("path", INVOICE.into()),
        ("count", 1.into()),
        ("status", 503.into()),
        ("retry_after_s", 3.into()),
    ])
    .await;
    let waiting = start(&client, "get", &[INVOICE.into()]);
    sleep(200).await;
    // Meanwhile the token is revoked: the second call's 401 runs the one refresh, which fails.
    revoke_all().await;
    let refused = settle(start(&client, "get", &[INVOICE.into()])).await;
    assert_error(
        &refused.expect_err("refused"),
        "TokenRefreshError",
        "TOKEN_REFRESH_FAILED",
    );
    let waited = settle(waiting).await;
    clear_faults().await;
    assert_error(
        &waited.expect_err("shares the failure"),
        "TokenRefreshError",
        "TOKEN_REFRESH_FAILED",
    );
    assert_eq!(calls.get(), 1, "one refresh for both calls");
}
