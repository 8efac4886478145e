//! Rule 9: retries for transient failures (408, 429, 5xx, failed fetches), for
//! idempotent methods and for calls with an idempotency key; `Retry-After` honoured up
//! to `maxDelayMs`; the caller's signal and `destroy()` cancel a wait; `attempts` on
//! the final error; 401s never use up the budget.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::{Object, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const INVOICE: &str = "/v1/invoices/inv_1001";
const PAYMENTS: &str = "/v1/invoices/inv_1001/payments";

/// `POST /__sandbox/faults` for the next `count` requests under `path`.
async fn faults(path: &str, count: u32, extra: &str) {
    clear_faults().await;
    control(
        "faults",
        &format!(r#"{{"path":"{path}","count":{count}{extra}}}"#),
    )
    .await;
}

async fn client_with(extra: &[(&str, JsValue)]) -> JsValue {
    let token = mint_checkout("inv_1001", 900).await;
    checkout_client(&token, extra).await
}

fn retry(limit: u32, max_delay_ms: u32) -> JsValue {
    obj(&[("limit", limit.into()), ("maxDelayMs", max_delay_ms.into())])
}

fn attempts(error: &JsValue) -> Option<f64> {
    get(error, "attempts").as_f64()
}

async fn payments_created() -> f64 {
    let counters = fetch_json("GET", "/__sandbox/counters", None).await;
    get(&counters, "payments_created").as_f64().unwrap_or(0.0)
}

/// One GET answered first by a 503 with `Retry-After` (`fault`, the extra fault
/// fields): asserts it succeeded after one resend, and returns how long it took (ms).
async fn get_after_a_503(fault: &str) -> f64 {
    faults(INVOICE, 1, fault).await;
    let client = client_with(&[]).await;
    let before = counts().await;
    let t0 = now_ms();
    let invoice = call_async(&client, "get", &[INVOICE.into()]).await.unwrap();
    let waited = now_ms() - t0;
    assert_eq!(get(&invoice, "id").as_string().as_deref(), Some("inv_1001"));
    assert_eq!(before.since().await.api, 2.0);
    waited
}

/// The wait before the resend is the server's `Retry-After`, not the backoff (at most
/// 250 ms for a first retry): the resend comes no earlier than the contract says, with
/// a wide margin below it (the test never bounds it from above).
#[wasm_bindgen_test]
async fn a_503_with_retry_after_in_seconds_is_retried_after_that_wait() {
    let waited = get_after_a_503(r#","status":503,"retry_after_s":1"#).await;
    assert!(waited >= 700.0, "resent after {waited} ms, Retry-After: 1");
}

/// An HTTP date has whole seconds: "2 s from now" is 1–2 s away.
#[wasm_bindgen_test]
async fn a_retry_after_http_date_is_honoured() {
    let fault = r#","status":503,"retry_after_s":2,"retry_after_as_date":true"#;
    let waited = get_after_a_503(fault).await;
    assert!(
        waited >= 700.0,
        "resent after {waited} ms, Retry-After 2 s ahead"
    );
}

/// A `Retry-After` date is read on the server's clock (rule 8's estimate): with the
/// server an hour ahead of the page, "2 s from the server's now" is a short wait, not
/// an hour (which would be over `maxDelayMs` and reject at once).
#[wasm_bindgen_test]
async fn a_retry_after_date_is_read_on_the_servers_clock() {
    control("clock", r#"{"offset_s":3600}"#).await;
    faults(
        INVOICE,
        1,
        r#","status":503,"retry_after_s":2,"retry_after_as_date":true"#,
    )
    .await;
    let client = client_with(&[]).await;
    let before = counts().await;
    let result = call_async(&client, "get", &[INVOICE.into()]).await;
    let seen = before.since().await;
    control("clock", r#"{"offset_s":0}"#).await;
    let invoice = result.unwrap();
    assert_eq!(get(&invoice, "id").as_string().as_deref(), Some("inv_1001"));
    assert_eq!(seen.api, 2.0);
}

/// 401s are not retries, and `attempts` counts every send: the 401's resend included.
#[wasm_bindgen_test]
async fn attempts_counts_the_resend_after_a_401() {
    let (callback, calls) = checkout_minting_callback();
    let client = client_with(&[("retry", retry(1, 20)), ("onAccessTokenExpired", callback)]).await;
    // The sandbox answers matching requests from its faults in the order they were
    // added: a 401, then two 503s (the resend after the refresh, and the one retry).
    faults(INVOICE, 1, r#","status":401"#).await;
    control(
        "faults",
        &format!(r#"{{"path":"{INVOICE}","count":2,"status":503}}"#),
    )
    .await;
    let err = call_async(&client, "get", &[INVOICE.into()])
        .await
        .unwrap_err();
    clear_faults().await;
    assert_error(&err, "ApiError", "API_ERROR");
    assert_eq!(get(&err, "status").as_f64(), Some(503.0));
    assert_eq!(calls.get(), 1);
    assert_eq!(attempts(&err), Some(3.0), "the 401, its resend, one retry");
}

#[wasm_bindgen_test]
async fn a_retry_after_over_max_delay_rejects_at_once() {
    faults(INVOICE, 1, r#","status":503,"retry_after_s":5"#).await;
    let client = client_with(&[("retry", retry(2, 500))]).await;
    let before = counts().await;
    let pending = start(&client, "get", &[INVOICE.into()]);
    let err = within(3000, pending)
        .await
        .expect("waited for a Retry-After over maxDelayMs")
        .unwrap_err();
    assert_error(&err, "ApiError", "API_ERROR");
    assert_eq!(get(&err, "status").as_f64(), Some(503.0));
    assert_eq!(attempts(&err), Some(1.0));
    assert_eq!(before.since().await.api, 1.0);
}

#[wasm_bindgen_test]
async fn a_failed_fetch_is_retried() {
    faults(INVOICE, 1, r#","drop_connection":true"#).await;
    let client = client_with(&[("retry", retry(2, 50))]).await;
    let invoice = call_async(&client, "get", &[INVOICE.into()]).await.unwrap();
    assert_eq!(get(&invoice, "id").as_string().as_deref(), Some("inv_1001"));
}

#[wasm_bindgen_test]
async fn the_limit_is_the_budget_and_attempts_counts_every_send() {
    faults(INVOICE, 5, r#","status":502"#).await;
    let client = client_with(&[("retry", retry(2, 20))]).await;
    let before = counts().await;
    let err = call_async(&client, "get", &[INVOICE.into()])
        .await
        .unwrap_err();
    clear_faults().await;
    assert_error(&err, "ApiError", "API_ERROR");
    assert_eq!(attempts(&err), Some(3.0));
    assert_eq!(before.since().await.api, 3.0);
}

#[wasm_bindgen_test]
async fn retry_false_turns_retries_off() {
    faults(INVOICE, 1, r#","status":503"#).await;
    let client = client_with(&[("retry", false.into())]).await;
    let before = counts().await;
    let err = call_async(&client, "get", &[INVOICE.into()])
        .await
        .unwrap_err();
    assert_error(&err, "ApiError", "API_ERROR");
    assert_eq!(attempts(&err), Some(1.0));
    assert_eq!(before.since().await.api, 1.0);
}

/// Which methods rule 9 retries without a key, in the browser. The sandbox answers
/// PUT, PATCH and DELETE on the invoice with 405 before any fault applies, so the first
/// answer, a 503, comes from the page's `fetch` itself: PUT and DELETE are resent (and
/// get the real 405), PATCH is not (its 503 is the result).
#[wasm_bindgen_test]
async fn put_and_delete_are_retried_and_patch_without_a_key_is_not() {
    let client = client_with(&[("retry", retry(2, 20))]).await;
    let global = js_sys::global();
    let real = get(&global, "fetch");
    let cases = [
        ("put", 405.0, 2.0),
        ("delete", 405.0, 2.0),
        ("patch", 503.0, 1.0),
    ];
    for (method, status, sent) in cases {
        let first_a_503 = js(
            "real",
            "let n = 0; return (url, init) => n++ === 0 \
               ? Promise.resolve(new Response('{}', { status: 503 })) : real(url, init);",
        )
        .call1(&JsValue::UNDEFINED, &real)
        .unwrap();
        Reflect::set(&global, &"fetch".into(), &first_a_503).unwrap();
        let mut args = vec![JsValue::from(INVOICE)];
        if method != "delete" {
            args.push(obj(&[("a", 1.into())]));
        }
        let result = call_async(&client, method, &args).await;
        Reflect::set(&global, &"fetch".into(), &real).unwrap();
        let err = result.unwrap_err();
        assert_error(&err, "ApiError", "API_ERROR");
        assert_eq!(get(&err, "status").as_f64(), Some(status), "{method}");
        assert_eq!(attempts(&err), Some(sent), "{method}");
    }
}

#[wasm_bindgen_test]
async fn a_post_without_an_idempotency_key_is_never_retried() {
    faults(PAYMENTS, 1, r#","status":503"#).await;
    let client = client_with(&[("retry", retry(2, 20))]).await;
    let paid = payments_created().await;
    let err = call_async(
        &client,
        "post",
        &[PAYMENTS.into(), obj(&[("amount", 4999.into())])],
    )
    .await
    .unwrap_err();
    assert_error(&err, "ApiError", "API_ERROR");
    assert_eq!(attempts(&err), Some(1.0));
    assert_eq!(payments_created().await, paid);
}

/// Records the `Idempotency-Key` of every `fetch` while alive.
struct KeySpy {
    original: JsValue,
    keys: Rc<RefCell<Vec<Option<String>>>>,
}

impl KeySpy {
    fn install() -> KeySpy {
        let global = js_sys::global();
        let original = get(&global, "fetch");
        let keys = Rc::new(RefCell::new(Vec::new()));
        let (real, seen) = (original.clone(), keys.clone());
        let spy = Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(move |url, init| {
            let headers = get(&init, "headers");
            let key = call(&headers, "get", &["idempotency-key".into()])
                .ok()
                .and_then(|k| k.as_string());
            seen.borrow_mut().push(key);
            let f: js_sys::Function = real.clone().unchecked_into();
            f.call2(&JsValue::UNDEFINED, &url, &init).unwrap()
        })
        .into_js_value();
        Reflect::set(&global, &"fetch".into(), &spy).unwrap();
        KeySpy { original, keys }
    }
}

impl Drop for KeySpy {
    fn drop(&mut self) {
        let _ = Reflect::set(&js_sys::global(), &"fetch".into(), &self.original);
    }
}

/// `client.post(PAYMENTS, { amount: 4999 }, { idempotencyKey: key })`: its result and
/// the `Idempotency-Key` of every attempt sent.
async fn pay_with_key(
    client: &JsValue,
    key: JsValue,
) -> (Result<JsValue, JsValue>, Vec<Option<String>>) {
    let spy = KeySpy::install();
    let init = obj(&[("idempotencyKey", key)]);
    let payment = call_async(
        client,
        "post",
        &[PAYMENTS.into(), obj(&[("amount", 4999.into())]), init],
    )
    .await;
    let keys = spy.keys.borrow().clone();
    (payment, keys)
}

#[wasm_bindgen_test]
async fn a_post_with_a_key_is_retried_with_that_key_and_pays_once() {
    faults(PAYMENTS, 1, r#","status":503"#).await;
    let client = client_with(&[("retry", retry(2, 20))]).await;
    let paid = payments_created().await;
    let key = format!("order-{}", js_sys::Math::random());
    let (payment, keys) = pay_with_key(&client, key.clone().into()).await;
    assert!(payment.is_ok(), "{payment:?}");
    assert_eq!(keys, vec![Some(key.clone()), Some(key)]);
    assert_eq!(payments_created().await, paid + 1.0);
}

/// A key `Headers` would trim to nothing is no key: an API would take the POST as
/// unkeyed, and a retry of it could pay twice. Refused like `''`, before anything is sent.
#[wasm_bindgen_test]
async fn a_blank_idempotency_key_is_refused_and_nothing_is_sent() {
    let client = client_with(&[("retry", retry(2, 20))]).await;
    let before = counts().await;
    let blanks: [JsValue; 6] = [
        "".into(),
        "   ".into(),
        "\t".into(),
        " \t\r\n ".into(),
        false.into(),
        5.into(),
    ];
    for key in blanks {
        let (payment, keys) = pay_with_key(&client, key.clone()).await;
        let err = payment.expect_err("a blank key is refused");
        assert_error(&err, "ConfigurationError", "INVALID_CONFIGURATION");
        assert_eq!(
            get(&err, "key").as_string().as_deref(),
            Some("idempotencyKey"),
            "{key:?}"
        );
        assert!(keys.is_empty(), "{key:?} was sent");
    }
    assert_eq!(before.since().await.api, 0.0, "nothing was sent");
    // A key with something besides the blanks goes out as the trimmed value.
    let (paid, keys) = pay_with_key(&client, " k1 ".into()).await;
    assert!(paid.is_ok(), "{paid:?}");
    assert_eq!(keys, vec![Some("k1".to_owned())]);
}

#[wasm_bindgen_test]
async fn idempotency_key_true_sends_one_fresh_uuid_on_every_attempt() {
    faults(PAYMENTS, 1, r#","status":500"#).await;
    let client = client_with(&[("retry", retry(1, 20))]).await;
    let (payment, keys) = pay_with_key(&client, true.into()).await;
    assert!(payment.is_ok(), "{payment:?}");
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1], "the same key on both attempts");
    assert_eq!(keys[0].as_deref().map(str::len), Some(36), "{keys:?}");
}

/// `crypto.randomUUID` exists only in secure contexts; `idempotencyKey: true` must work
/// on a plain-`http:` test host as well, so the SDK makes its UUIDs from
/// `crypto.getRandomValues`.
#[wasm_bindgen_test]
async fn idempotency_key_true_works_without_crypto_random_uuid() {
    let crypto = get(&js_sys::global(), "crypto");
    Reflect::set(&crypto, &"randomUUID".into(), &JsValue::UNDEFINED).unwrap();
    let client = client_with(&[]).await;
    let spy = KeySpy::install();
    let mut results = Vec::new();
    for _ in 0..2 {
        let init = obj(&[("idempotencyKey", true.into())]);
        let body = Object::new().into();
        results.push(call_async(&client, "post", &[PAYMENTS.into(), body, init]).await);
    }
    let keys = spy.keys.borrow().clone();
    drop(spy);
    Reflect::delete_property(&crypto.unchecked_into::<Object>(), &"randomUUID".into()).unwrap();
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let keys: Vec<String> = keys.into_iter().flatten().collect();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert_ne!(keys[0], keys[1], "a fresh key per call");
    for key in &keys {
        let shape: Vec<usize> = key.split('-').map(str::len).collect();
        assert_eq!(shape, [8, 4, 4, 4, 12], "{key}");
        assert_eq!(&key[14..15], "4", "version 4: {key}");
        assert!("89ab".contains(&key[19..20]), "variant 1: {key}");
        assert!(
            key.chars().all(|c| c == '-' || c.is_ascii_hexdigit()),
            "{key}"
        );
    }
}

/// SafeSDK's `check()` carries a key of its own: a failed check is retried with the
/// same key (so the server counts it once), and the next check has a new one.
#[wasm_bindgen_test]
async fn a_safe_sdk_check_is_retried_with_its_key_and_the_next_check_gets_a_new_one() {
    clear_storage();
    let sdk = safe_sdk(&[("retry", retry(1, 20))]);
    let id = get(&initialize(&sdk).await.unwrap(), "deviceId")
        .as_string()
        .unwrap();
    faults(&checks_path(&id), 1, r#","status":503"#).await;
    let spy = KeySpy::install();
    let first = call_async(&sdk, "check", &[]).await;
    let second = call_async(&sdk, "check", &[]).await;
    let keys = spy.keys.borrow().clone();
    drop(spy);
    for result in [&first, &second] {
        assert_eq!(status_of(result.as_ref().unwrap()).as_deref(), Some("Ok"));
    }
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(keys.iter().all(Option::is_some), "{keys:?}");
    assert_eq!(keys[0], keys[1], "the retry keeps the key");
    assert_ne!(keys[1], keys[2], "a new check, a new key");
}

/// After a call waiting out `Retry-After: 3` (started at `t0`) was cut: past the 3 s,
/// the sandbox has still seen only its first attempt.
async fn assert_the_retry_never_went_out(before: Counts, t0: f64) {
    sleep((t0 + 3700.0 - now_ms()) as i32).await;
    assert_eq!(
        before.since().await.api,
        1.0,
        "the retry went out after the cut"
    );
    clear_faults().await;
}

#[wasm_bindgen_test]
async fn the_callers_signal_cancels_a_wait() {
    faults(INVOICE, 1, r#","status":503,"retry_after_s":3"#).await;
    let client = client_with(&[]).await;
    let controller = web_sys::AbortController::new().unwrap();
    let init = obj(&[("signal", controller.signal().into())]);
    let (before, t0) = (counts().await, now_ms());
    let pending = start(&client, "get", &[INVOICE.into(), init]);
    sleep(300).await;
    controller.abort_with_reason(&"stop".into());
    // Cut short, not after the 3 s wait (a generous bound).
    let err = within(1500, pending)
        .await
        .expect("the abort did not end the wait")
        .unwrap_err();
    assert_eq!(err.as_string().as_deref(), Some("stop"));
    assert_the_retry_never_went_out(before, t0).await;
}

#[wasm_bindgen_test]
async fn destroy_cancels_a_wait() {
    faults(INVOICE, 1, r#","status":503,"retry_after_s":3"#).await;
    let client = client_with(&[]).await;
    let (before, t0) = (counts().await, now_ms());
    let pending = start(&client, "get", &[INVOICE.into()]);
    sleep(300).await;
    call(&client, "destroy", &[]).unwrap();
    let err = within(1500, pending)
        .await
        .expect("destroy() did not end the wait")
        .unwrap_err();
    assert_error(&err, "ClientDestroyedError", "CLIENT_DESTROYED");
    assert_the_retry_never_went_out(before, t0).await;
}

#[wasm_bindgen_test]
async fn a_401_and_a_503_in_one_call_stay_within_both_budgets() {
    let (callback, calls) = checkout_minting_callback();
    let client = client_with(&[("onAccessTokenExpired", callback), ("retry", retry(1, 20))]).await;
    revoke_all().await;
    faults(INVOICE, 1, r#","status":503"#).await;
    let before = counts().await;
    let invoice = call_async(&client, "get", &[INVOICE.into()]).await;
    assert!(invoice.is_ok(), "{invoice:?}");
    assert_eq!(calls.get(), 1);
    // 503 (the one retry), 401 (the one refresh), then 200.
    assert_eq!(before.since().await.api, 3.0);
}

#[wasm_bindgen_test]
async fn a_network_error_after_the_last_attempt_carries_attempts() {
    let token = mint_checkout("inv_1001", 900).await;
    let client = create(obj(&[
        ("accessToken", token.into()),
        ("baseUrl", CLOSED_ORIGIN.into()),
        ("retry", retry(1, 10)),
    ]))
    .await
    .unwrap();
    let err = call_async(&client, "get", &[INVOICE.into()])
        .await
        .unwrap_err();
    assert_error(&err, "NetworkError", "NETWORK_ERROR");
    assert_eq!(attempts(&err), Some(2.0));
}

#[wasm_bindgen_test]
async fn bad_retry_options_name_the_key() {
    for (value, key) in [
        (JsValue::from(3), "retry"),
        // Objects whose own keys are not the options: read as `{}`, they would pass.
        (js_sys::Map::new().into(), "retry"),
        (js_sys::Array::new().into(), "retry"),
        // Keys inherited from an `Object.create(null)` object are not its own: refused.
        (inheriting(&[("limit", 0.into())]), "retry"),
        (obj(&[("limit", (-1).into())]), "retry.limit"),
        (obj(&[("maxDelayMs", 1.5.into())]), "retry.maxDelayMs"),
        (obj(&[("tries", 1.into())]), "retry.tries"),
    ] {
        let token = mint_checkout("inv_1001", 900).await;
        let err = create(obj(&[
            ("accessToken", token.into()),
            ("baseUrl", sandbox().into()),
            ("retry", value),
        ]))
        .await
        .unwrap_err();
        assert_error(&err, "ConfigurationError", "INVALID_CONFIGURATION");
        assert_eq!(get(&err, "key").as_string().as_deref(), Some(key));
    }
}

/// An object whose only keys are inherited from an `Object.create(null)` object.
fn inheriting(entries: &[(&str, JsValue)]) -> JsValue {
    let parent: Object = Object::create(JsValue::NULL.unchecked_ref());
    for (key, value) in entries {
        Reflect::set(&parent, &(*key).into(), value).unwrap();
    }
    Object::create(&parent).into()
}
