//! The arguments of `request(method, path, init)` and its shorthands
//! (docs/api.md#methods): `path` pinned to the API's origin, methods, headers (ours
//! cannot be replaced), `query`, JSON bodies, and hostile `init` objects, which reject
//! with `ConfigurationError` naming the key and send nothing. In Chromium against the
//! sandbox.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::Promise;
use partner_sdk::api::SafeSdk;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn paths_outside_the_api_origin_are_refused_before_sending() {
    let (c, a, _) = guarded_client(&[]).await;
    let port = sandbox().rsplit(':').next().unwrap();
    let bad = [
        "https://evil.example/v1/invoices/inv_1001".to_string(),
        "//evil.example/x".to_string(),
        format!("https://127.0.0.1:{port}{INVOICE}"),
        format!("http://localhost:{port}{INVOICE}"),
        format!("http://127.0.0.1:{port}@evil.example{INVOICE}"),
        "v1/invoices/inv_1001".to_string(),
        "\\\\evil.example/x".to_string(),
        "javascript:alert(1)".to_string(),
    ];
    let spy = FetchSpy::install();
    let before = counts().await;
    for path in &bad {
        let err = call_async(&c, "get", &[path.into()]).await.unwrap_err();
        assert_error(&err, "ConfigurationError", "INVALID_CONFIGURATION");
        assert_eq!(
            get(&err, "key").as_string().as_deref(),
            Some("path"),
            "{path}"
        );
        let msg = get(&err, "message").as_string().unwrap();
        assert!(!msg.contains(&a), "message leaks the token");
        let err = call_async(&c, "request", &["GET".into(), path.into()])
            .await
            .unwrap_err();
        assert_eq!(
            get(&err, "key").as_string().as_deref(),
            Some("path"),
            "{path}"
        );
    }
    assert_eq!(before.since().await.api, 0.0, "nothing reached the API");
    let leaked: Vec<_> = spy
        .calls
        .borrow()
        .iter()
        .filter(|c| c.2.is_some())
        .cloned()
        .collect();
    assert!(leaked.is_empty(), "fetch called with a token: {leaked:?}");
    drop(spy);

    // The same origin, written absolutely, is fine.
    let before = counts().await;
    let abs = format!("{}{INVOICE}", sandbox());
    call_async(&c, "get", &[abs.into()]).await.unwrap();
    assert_eq!(before.since().await.api, 1.0);
}

#[wasm_bindgen_test]
async fn put_patch_delete_use_their_methods() {
    let (c, _, _) = guarded_client(&[]).await;
    let before = counts().await;
    let spy = FetchSpy::install();
    for (method, args) in [
        ("put", vec![INVOICE.into(), obj(&[("a", 1.into())])]),
        ("patch", vec![INVOICE.into(), obj(&[("a", 1.into())])]),
        ("delete", vec![INVOICE.into()]),
    ] {
        let err = call_async(&c, method, &args).await.unwrap_err();
        assert_error(&err, "ApiError", "API_ERROR");
        assert_eq!(get(&err, "status").as_f64(), Some(405.0), "{method}");
    }
    // The sandbox answers 405 to every method but GET there: what was sent is checked
    // at fetch.
    let methods: Vec<String> = spy.to(INVOICE).into_iter().map(|s| s.1).collect();
    drop(spy);
    assert_eq!(methods, ["PUT", "PATCH", "DELETE"]);
    assert_eq!(before.since().await.api, 3.0);
}

#[wasm_bindgen_test]
async fn a_caller_authorization_header_does_not_replace_ours() {
    let (c, a, calls) = guarded_client(&[]).await;
    let spy = FetchSpy::install();
    let before = counts().await;
    let plain = obj(&[("headers", obj(&[("Authorization", "Bearer forged".into())]))]);
    call_async(&c, "get", &[INVOICE.into(), plain])
        .await
        .unwrap();
    assert_eq!(last_jti().await, Some(jti_of(&a)));
    let pairs = js_sys::Array::of1(&js_sys::Array::of2(
        &"AUTHORIZATION".into(),
        &"Bearer x".into(),
    ));
    let listed = obj(&[("headers", pairs.into())]);
    call_async(&c, "request", &["GET".into(), INVOICE.into(), listed])
        .await
        .unwrap();
    assert_eq!(last_jti().await, Some(jti_of(&a)));
    let sent = spy.to(INVOICE);
    drop(spy);
    assert_eq!(sent.len(), 2);
    let ours = format!("Bearer {a}");
    assert!(
        sent.iter().all(|s| s.2.as_deref() == Some(ours.as_str())),
        "sent {sent:?}"
    );
    let d = before.since().await;
    assert_eq!((d.api, d.unauthorized), (2.0, 0.0));
    assert_eq!(calls.get(), 0);
}

#[wasm_bindgen_test]
async fn query_values_are_encoded_into_the_url() {
    // The sandbox echoes no query string, so the URL is checked at `fetch`.
    let (c, _, _) = guarded_client(&[]).await;
    let spy = FetchSpy::install();
    let before = counts().await;
    let b = js_sys::Array::of3(&1.into(), &JsValue::NULL, &2.into());
    let query = obj(&[
        ("a", "x y&z".into()),
        ("b", b.into()),
        ("c", true.into()),
        ("d", JsValue::UNDEFINED),
    ]);
    let init = obj(&[("query", query)]);
    let invoice = call_async(&c, "get", &[INVOICE.into(), init])
        .await
        .unwrap();
    let sent = spy.to(INVOICE);
    drop(spy);
    assert_eq!(get(&invoice, "id").as_string().as_deref(), Some("inv_1001"));
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0]
            .0
            .ends_with("/v1/invoices/inv_1001?a=x+y%26z&b=1&b=2&c=true"),
        "url {}",
        sent[0].0
    );
    assert_eq!(before.since().await.api, 1.0);

    // A query in the path stays first; with nothing to add, it is sent as written.
    let spy = FetchSpy::install();
    let with_query = format!("{INVOICE}?x=1%202");
    for query in [obj(&[("a", "b".into())]), obj(&[("d", JsValue::UNDEFINED)])] {
        let init = obj(&[("query", query)]);
        call_async(&c, "get", &[with_query.as_str().into(), init])
            .await
            .unwrap();
    }
    let urls: Vec<String> = spy.to(INVOICE).into_iter().map(|(url, ..)| url).collect();
    drop(spy);
    assert_eq!(urls.len(), 2, "{urls:?}");
    assert!(
        urls[0].ends_with("/v1/invoices/inv_1001?x=1+2&a=b"),
        "{urls:?}"
    );
    assert!(
        urls[1].ends_with("/v1/invoices/inv_1001?x=1%202"),
        "{urls:?}"
    );
}

#[wasm_bindgen_test]
async fn post_sends_json_and_resolves_to_the_json_answer() {
    let (c, a, _) = guarded_client(&[]).await;
    let spy = FetchSpy::install();
    let before = counts().await;
    let path = format!("{INVOICE}/payments");
    let body = obj(&[("amount", 4999.into()), ("note", "é \"q\"".into())]);
    let payment = call_async(&c, "post", &[path.clone().into(), body])
        .await
        .unwrap();
    let sent = spy.to(&path);
    drop(spy);
    assert_eq!(
        get(&payment, "status").as_string().as_deref(),
        Some("succeeded")
    );
    assert_eq!(
        get(&payment, "invoice_id").as_string().as_deref(),
        Some("inv_1001")
    );
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].1, "POST");
    assert_eq!(sent[0].3.as_deref(), Some("application/json"));
    assert_eq!(before.since().await.api, 1.0);
    assert_eq!(last_jti().await, Some(jti_of(&a)));
}

#[wasm_bindgen_test]
async fn hostile_request_arguments_reject_with_configuration_error() {
    let watch = RejectionWatch::install();
    let (c, _) = live_client(&[]).await;
    let before = counts().await;
    let throwing_getter = js(
        "",
        "return { query: Object.defineProperty({}, 'q', { enumerable: true, get() { throw new Error('getter'); } }) };",
    )
    .call0(&JsValue::UNDEFINED)
    .unwrap();
    let trap = js("", "throw new Error('trap');");
    let trap_fn = trap.clone();
    let handler = obj(&[
        ("ownKeys", trap.clone().into()),
        ("getPrototypeOf", trap.into()),
    ]);
    let proxy: JsValue = js_sys::Proxy::new(&js_sys::Object::new(), handler.unchecked_ref()).into();
    let revocable = js_sys::Proxy::revocable(&js_sys::Object::new(), &js_sys::Object::new());
    let revoked = get(&revocable, "proxy");
    call(&revocable, "revoke", &[]).unwrap();
    let fake_signal = js("", "return Object.create(AbortSignal.prototype);")
        .call0(&JsValue::UNDEFINED)
        .unwrap();
    let cases: Vec<(&str, JsValue, &str)> = vec![
        ("query with a throwing getter", throwing_getter, "query"),
        ("init is a throwing proxy", proxy.clone(), "init"),
        (
            "query is a throwing proxy",
            obj(&[("query", proxy.clone())]),
            "query",
        ),
        (
            "query value is a revoked proxy",
            obj(&[("query", obj(&[("q", revoked.clone())]))]),
            "query",
        ),
        (
            "query is a revoked proxy",
            obj(&[("query", revoked.clone())]),
            "query",
        ),
        (
            "query is a URLSearchParams",
            obj(&[(
                "query",
                run_js("return new URLSearchParams('status=paid');"),
            )]),
            "query",
        ),
        (
            "query is a Map",
            obj(&[("query", run_js("return new Map([['status', 'paid']]);"))]),
            "query",
        ),
        (
            "query is an array",
            obj(&[("query", js_sys::Array::of1(&"paid".into()).into())]),
            "query",
        ),
        (
            "query value is an object",
            obj(&[(
                "query",
                obj(&[("filter", obj(&[("status", "open".into())]))]),
            )]),
            "query",
        ),
        (
            "query value is a function",
            obj(&[("query", obj(&[("cb", trap_fn.clone().into())]))]),
            "query",
        ),
        (
            "query value is a symbol",
            obj(&[("query", obj(&[("s", JsValue::symbol(Some("s")))]))]),
            "query",
        ),
        (
            "query value is NaN (a failed parseInt)",
            obj(&[("query", obj(&[("page", f64::NAN.into())]))]),
            "query",
        ),
        (
            "query array holds Infinity",
            obj(&[(
                "query",
                obj(&[(
                    "a",
                    js_sys::Array::of2(&1.into(), &f64::INFINITY.into()).into(),
                )]),
            )]),
            "query",
        ),
        (
            "query array holds an array",
            obj(&[(
                "query",
                obj(&[(
                    "a",
                    js_sys::Array::of1(&js_sys::Array::of1(&1.into())).into(),
                )]),
            )]),
            "query",
        ),
        (
            "a fake AbortSignal",
            obj(&[("signal", fake_signal)]),
            "signal",
        ),
        (
            "signal is a throwing proxy",
            obj(&[("signal", proxy.clone())]),
            "signal",
        ),
    ];
    for (label, init, key) in cases {
        let sent = call(&c, "get", &[INVOICE.into(), init]);
        let p: Promise = sent
            .unwrap_or_else(|e| panic!("{label}: threw synchronously: {e:?}"))
            .unchecked_into();
        let err = within(3000, p)
            .await
            .unwrap_or_else(|| panic!("{label}: hung"))
            .expect_err(label);
        assert_error(&err, "ConfigurationError", "INVALID_CONFIGURATION");
        assert_eq!(
            get(&err, "key").as_string().as_deref(),
            Some(key),
            "{label}"
        );
    }
    assert_eq!(before.since().await.api, 0.0, "nothing was sent");
    assert_invoice(&timed_get(&c).await.0);

    // Options: create() rejects, the SafeSDK constructor throws, both typed.
    let created = within(
        3000,
        partner_sdk::api::AlternativeClient::create(proxy.clone()),
    )
    .await;
    let err = created.expect("create() hung").unwrap_err();
    assert_error(&err, "ConfigurationError", "INVALID_CONFIGURATION");
    let err = SafeSdk::new(proxy).map(JsValue::from).unwrap_err();
    assert_error(&err, "ConfigurationError", "INVALID_CONFIGURATION");
    watch.assert_none().await;
}

#[wasm_bindgen_test]
async fn a_body_with_get_or_head_is_a_configuration_error_and_nothing_is_sent() {
    let (c, _, _) = guarded_client(&[]).await;
    let before = counts().await;
    for method in ["GET", "HEAD", "get"] {
        for body in [obj(&[("a", 1.into())]), JsValue::NULL, "text".into()] {
            let init = obj(&[("body", body)]);
            let r = within(
                2000,
                start(&c, "request", &[method.into(), INVOICE.into(), init]),
            )
            .await;
            let err = r.expect("settles at once").unwrap_err();
            assert_error(&err, "ConfigurationError", "INVALID_CONFIGURATION");
            assert_eq!(get(&err, "key").as_string().as_deref(), Some("body"));
        }
    }
    assert_eq!(before.since().await.api, 0.0, "nothing reached the API");
    // `undefined` is no body.
    let init = obj(&[("body", JsValue::UNDEFINED)]);
    assert_invoice(&call_async(&c, "request", &["GET".into(), INVOICE.into(), init]).await);
}

/// `body` is sent as JSON: a value JSON would quietly send as something else,
/// anywhere in the body (a FormData, Blob, Map or typed array as `{}`, `NaN` as `null`,
/// a function or symbol as nothing) is a `ConfigurationError` naming `body`, and
/// nothing goes out. Plain data, a `Date`, a class instance, an `undefined` field and a
/// `Number` object still go as JSON.
#[wasm_bindgen_test]
async fn a_body_json_would_send_as_something_else_is_refused() {
    let (c, _, _) = guarded_client(&[]).await;
    let before = counts().await;
    let refused = run_js(
        "const fd = new FormData(); fd.append('amount', '4999');
         return [fd, new Blob(['x']), new Map([['a', 1]]), new URLSearchParams('a=1'),
           new Uint8Array([1, 2]), new ArrayBuffer(2), Promise.resolve(1),
           { amount: 4999, attachment: new Blob(['x']) }, [new Set([1])],
           () => 1, Symbol('s'), { amount: NaN }, [Infinity], { pay() {} }, [Symbol('s')]];",
    );
    let refused: js_sys::Array = refused.unchecked_into();
    for (i, body) in refused.iter().enumerate() {
        let r = within(2000, start(&c, "post", &[PAYMENTS.into(), body])).await;
        let err = r.expect("settles at once").unwrap_err();
        assert_error(&err, "ConfigurationError", "INVALID_CONFIGURATION");
        assert_eq!(
            get(&err, "key").as_string().as_deref(),
            Some("body"),
            "#{i}"
        );
    }
    assert_eq!(before.since().await.api, 0.0, "nothing reached the API");
    let sent = run_js(
        "class Payment { constructor() { this.amount = 4999; } }
         return [new Payment(), { amount: 4999, at: new Date(0), tags: ['a'], note: null,
           left: undefined, count: new Number(2) }];",
    );
    let sent: js_sys::Array = sent.unchecked_into();
    for body in sent.iter() {
        call_async(&c, "post", &[PAYMENTS.into(), body])
            .await
            .expect("plain data goes out");
    }
}
