//! Options of both classes (docs/api.md#options-of-alternativeclientcreateoptions,
//! #options-of-new-safesdkoptions): a bad option is `ConfigurationError` naming the
//! key. Also the token's absence from every observable place, and the error brand
//! across two copies of `errors.js`. In Chromium against the sandbox.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::{Array, Object, Reflect};
use partner_sdk::api::SafeSdk;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

// The SDK's own copy of the errors module (the same snippet the library uses).
#[wasm_bindgen(module = "/js/errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = isPartnerSdkError)]
    fn is_partner_sdk_error(error: &JsValue) -> bool;
}

/// A second, independent copy of `errors.js`: the module the SDK's errors come from
/// (found in their stack), imported again under another URL.
async fn second_copy(error: &JsValue) -> JsValue {
    let stack = get(error, "stack").as_string().unwrap();
    let start = stack.find("http").unwrap();
    let end = start + stack[start..].find("errors.js").unwrap() + "errors.js".len();
    let url = format!("{}?second-copy", &stack[start..end]);
    let import = js_sys::Function::new_with_args("u", "return import(u)");
    let module = import.call1(&JsValue::UNDEFINED, &url.into()).unwrap();
    settle(module.unchecked_into()).await.unwrap()
}

#[wasm_bindgen_test]
async fn bad_options_reject_with_configuration_error_naming_the_key() {
    let t = token(H, r#"{"jti":"opt","exp":4102444800}"#);
    let (get_token, get_calls) = counting(|| Ok("x".into()));
    let (on_expired, expired_calls) = counting(|| Ok("x".into()));
    let base = || ("baseUrl", JsValue::from(sandbox()));
    let tok = || ("accessToken", JsValue::from(t.as_str()));
    let cases: Vec<(&str, JsValue, &[&str])> = vec![
        (
            "unknown key",
            obj(&[tok(), base(), ("acessToken", "x".into())]),
            &["acessToken"],
        ),
        (
            "both callbacks",
            obj(&[
                tok(),
                base(),
                ("getAccessToken", get_token.clone()),
                ("onAccessTokenExpired", on_expired.clone()),
            ]),
            &["getAccessToken", "onAccessTokenExpired"],
        ),
        (
            "neither token nor getAccessToken",
            obj(&[base()]),
            &["accessToken"],
        ),
        (
            "onAccessTokenExpired without a token",
            obj(&[base(), ("onAccessTokenExpired", on_expired.clone())]),
            &["accessToken"],
        ),
        (
            "http: to a public host",
            obj(&[tok(), ("baseUrl", "http://example.com".into())]),
            &["baseUrl"],
        ),
        (
            "relative baseUrl",
            obj(&[tok(), ("baseUrl", "/v1".into())]),
            &["baseUrl"],
        ),
        (
            "environment staging",
            obj(&[tok(), ("environment", "staging".into())]),
            &["environment"],
        ),
        (
            "timeout as a string",
            obj(&[tok(), base(), ("refreshTimeoutMs", "5000".into())]),
            &["refreshTimeoutMs"],
        ),
        (
            "negative timeout",
            obj(&[tok(), base(), ("requestTimeoutMs", (-1).into())]),
            &["requestTimeoutMs"],
        ),
        (
            "leeway as a string",
            obj(&[tok(), base(), ("refreshLeewaySeconds", "30".into())]),
            &["refreshLeewaySeconds"],
        ),
        (
            "callback not a function",
            obj(&[tok(), base(), ("onTokenRefreshed", 1.into())]),
            &["onTokenRefreshed"],
        ),
        (
            "getAccessToken not a function",
            obj(&[base(), ("getAccessToken", "tok".into())]),
            &["getAccessToken"],
        ),
    ];
    let before = counts().await;
    for (label, options, keys) in cases {
        let err = create(options).await.expect_err(label);
        assert_error(&err, "ConfigurationError", "INVALID_CONFIGURATION");
        let key = get(&err, "key").as_string().unwrap_or_default();
        assert!(keys.contains(&key.as_str()), "{label}: key {key:?}");
        let msg = get(&err, "message").as_string().unwrap();
        assert!(!msg.contains(&t), "{label}: message leaks the token");
    }
    assert_eq!(
        (get_calls.get(), expired_calls.get()),
        (0, 0),
        "no callback ran"
    );
    assert_eq!(before.since().await.api, 0.0);
}

#[wasm_bindgen_test]
async fn good_options_work_and_a_trailing_slash_is_removed() {
    clear_faults().await;
    let a = mint_checkout("inv_1001", 600).await;
    let before = counts().await;
    let c = create(obj(&[
        ("accessToken", format!("{a}\n").into()),
        ("baseUrl", format!("{}/", sandbox()).into()),
        ("refreshTimeoutMs", 1000.into()),
        ("requestTimeoutMs", 5000.into()),
        ("refreshLeewaySeconds", 0.into()),
    ]))
    .await
    .unwrap();
    let invoice = call_async(&c, "get", &[INVOICE.into()]).await.unwrap();
    assert_eq!(get(&invoice, "id").as_string().as_deref(), Some("inv_1001"));
    assert_eq!(
        get(&get(&c, "claims"), "invoice_id").as_string().as_deref(),
        Some("inv_1001")
    );
    assert_eq!(get(&c, "expiresAt").as_f64(), claim_of(&a, "exp").as_f64());
    assert_eq!(before.since().await.api, 1.0);
    assert_eq!(last_jti().await, Some(jti_of(&a)));
    // The two environments are accepted (nothing is sent).
    for env in ["production", "sandbox"] {
        create(obj(&[
            ("accessToken", a.clone().into()),
            ("environment", env.into()),
        ]))
        .await
        .unwrap_or_else(|e| panic!("environment {env}: {e:?}"));
    }
}

#[wasm_bindgen_test]
fn the_constructor_throws_configuration_error_naming_the_key() {
    let undefined = JsValue::UNDEFINED;
    let mut cases: Vec<(&str, JsValue, &str)> = Vec::new();
    for key in ["apiKey", "applicationId", "applicationVersion", "baseUrl"] {
        cases.push((key, safe_options(&[(key, undefined.clone())]), key));
        cases.push((key, safe_options(&[(key, "".into())]), key));
        cases.push((key, safe_options(&[(key, "  ".into())]), key));
        cases.push((key, safe_options(&[(key, 42.into())]), key));
        cases.push((key, safe_options(&[(key, JsValue::NULL)]), key));
    }
    cases.push(("unknown", safe_options(&[("apikey", "x".into())]), "apikey"));
    cases.push((
        "unknown",
        safe_options(&[("environment", "sandbox".into())]),
        "environment",
    ));
    cases.push((
        "unknown",
        safe_options(&[("accessToken", "x".into())]),
        "accessToken",
    ));
    cases.push((
        "relative",
        safe_options(&[("baseUrl", "/api".into())]),
        "baseUrl",
    ));
    cases.push((
        "plain http",
        safe_options(&[("baseUrl", "http://example.com".into())]),
        "baseUrl",
    ));
    cases.push((
        "callback type",
        safe_options(&[("onAccessTokenExpired", "x".into())]),
        "onAccessTokenExpired",
    ));
    cases.push((
        "timeout",
        safe_options(&[("requestTimeoutMs", 0.into())]),
        "requestTimeoutMs",
    ));
    let f = js_fn0(|| JsValue::UNDEFINED);
    cases.push((
        "both callbacks",
        safe_options(&[("onAccessTokenExpired", f.clone()), ("getAccessToken", f)]),
        "getAccessToken",
    ));

    for (label, opts, key) in cases {
        // Through the JS class: `new SafeSDK(...)` throws synchronously.
        let err = construct_safe_sdk(&opts).expect_err(label);
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
        let err = construct_safe_sdk(&bad).expect_err("options must be an object");
        assert_error(&err, "ConfigurationError", "INVALID_CONFIGURATION");
    }
    // The valid options construct, and the key isn't echoed back.
    let ok = construct_safe_sdk(&safe_options(&[])).unwrap();
    let shown = js_sys::JSON::stringify(&ok)
        .map(String::from)
        .unwrap_or_default();
    assert!(!shown.contains(GK_KEY), "{shown}");
}

/// Every string a JS value shows: itself, `String()`, `JSON.stringify`, own properties
/// (including non-enumerable `message`, `stack`, `cause`), one level of `cause`.
fn texts(value: &JsValue, out: &mut Vec<String>, depth: u32) {
    if let Some(s) = value.as_string() {
        out.push(s);
        return;
    }
    if let Ok(s) = js_sys::JSON::stringify(value) {
        out.extend(s.as_string());
    }
    if !value.is_object() {
        return;
    }
    let string: js_sys::Function = get(&js_sys::global(), "String").unchecked_into();
    out.extend(
        string
            .call1(&JsValue::UNDEFINED, value)
            .ok()
            .and_then(|s| s.as_string()),
    );
    for name in Object::get_own_property_names(value.unchecked_ref::<Object>()).iter() {
        let v = Reflect::get(value, &name).unwrap_or(JsValue::UNDEFINED);
        if depth < 2 {
            texts(&v, out, depth + 1);
        }
    }
    for key in ["message", "stack", "cause", "body", "requestId"] {
        let v = get(value, key);
        if depth < 2 && !v.is_undefined() {
            texts(&v, out, depth + 1);
        }
    }
}

fn storage_texts(out: &mut Vec<String>) {
    let window = web_sys::window().unwrap();
    for storage in [window.local_storage(), window.session_storage()] {
        let s = storage.unwrap().unwrap();
        for i in 0..s.length().unwrap() {
            let key = s.key(i).unwrap().unwrap_or_default();
            out.push(s.get_item(&key).unwrap().unwrap_or_default());
            out.push(key);
        }
    }
    let document = get(&window.into(), "document");
    out.extend(get(&document, "cookie").as_string());
}

#[wasm_bindgen_test]
async fn the_token_leaves_no_trace() {
    clear_faults().await;
    let a = mint_checkout("inv_1001", 600).await;
    let before = counts().await;
    let b_cell = std::rc::Rc::new(std::cell::RefCell::new(String::new()));
    let cell = b_cell.clone();
    let (cb, _) = counting(move || Ok(cell.borrow().clone().into()));
    // Retries off: each fault below must surface as the error it is (rule 9 aside).
    let c = checkout_client(
        &a,
        &[("onAccessTokenExpired", cb), ("retry", JsValue::FALSE)],
    )
    .await;
    let mut errors: Vec<JsValue> = Vec::new();

    call_async(&c, "get", &[INVOICE.into()]).await.unwrap();
    revoke_all().await;
    let b = mint_checkout("inv_1001", 600).await;
    *b_cell.borrow_mut() = b.clone();
    call_async(&c, "get", &[INVOICE.into()]).await.unwrap(); // refreshed to B
    fault(&[("path", INVOICE.into()), ("status", 500.into())]).await;
    errors.push(call_async(&c, "get", &[INVOICE.into()]).await.unwrap_err());
    errors.push(
        call_async(&c, "get", &["https://evil.example/x".into()])
            .await
            .unwrap_err(),
    );
    errors.push(call(&c, "setAccessToken", &[format!("{b}.x").into()]).unwrap_err());
    errors.push(call(&c, "setAccessToken", &[b.replace('.', "").into()]).unwrap_err());
    let stale = checkout_client(&a, &[]).await; // A is revoked, no callback
    errors.push(
        call_async(&stale, "get", &[INVOICE.into()])
            .await
            .unwrap_err(),
    );
    let offline = create(obj(&[
        ("accessToken", b.clone().into()),
        ("baseUrl", CLOSED_ORIGIN.into()),
    ]))
    .await
    .unwrap();
    errors.push(
        call_async(&offline, "get", &[INVOICE.into()])
            .await
            .unwrap_err(),
    );
    errors.push(
        create(obj(&[("accessToken", a.clone().into()), ("x", 1.into())]))
            .await
            .unwrap_err(),
    );

    let mut seen = Vec::new();
    for e in &errors {
        assert!(is_partner_sdk_error(e), "{e:?}");
        texts(e, &mut seen, 0);
    }
    for client in [&c, &stale, &offline] {
        texts(client, &mut seen, 0);
    }
    storage_texts(&mut seen);
    let idb = get(&web_sys::window().unwrap().into(), "indexedDB");
    if let Ok(dbs) = call_async(&idb, "databases", &[]).await {
        texts(&dbs, &mut seen, 0);
    }
    call(&c, "destroy", &[]).unwrap();
    texts(&c, &mut seen, 0);

    let secrets: Vec<&str> = [a.as_str(), b.as_str()]
        .iter()
        .flat_map(|t| [*t, t.rsplit('.').next().unwrap()])
        .collect();
    assert!(seen.len() > 20, "looked at {} strings", seen.len());
    for text in &seen {
        for secret in &secrets {
            assert!(!text.contains(secret), "token found in {text:?}");
        }
    }
    let d = before.since().await;
    assert_eq!((d.api, d.unauthorized), (5.0, 2.0));
}

/// The same for SafeSDK: its results, errors, own properties and storage never carry
/// the token (only the device id is stored).
#[wasm_bindgen_test]
async fn the_gatekeeper_token_leaves_no_trace() {
    clear_storage();
    let a = mint_gatekeeper(600).await;
    let sdk = safe_sdk(&[("retry", JsValue::FALSE)]);
    let mut values: Vec<JsValue> = Vec::new();
    values.push(
        call_async(&sdk, "initialize", &[a.clone().into()])
            .await
            .unwrap(),
    );
    let id = get(&sdk, "deviceId").as_string().unwrap();
    values.push(call_async(&sdk, "check", &[]).await.unwrap());
    fault(&[("path", checks_path(&id).into()), ("status", 500.into())]).await;
    values.push(call_async(&sdk, "check", &[]).await.unwrap_err());
    values.push(call(&sdk, "setAccessToken", &[format!("{a}.x").into()]).unwrap_err());
    values.push(call(&sdk, "setAccessToken", &[a.replace('.', "").into()]).unwrap_err());
    revoke_all().await;
    // Refused, no callback: resolves to { status: 'AuthenticationFailed', reason }.
    let refused = call_async(&sdk, "check", &[]).await.unwrap();
    assert_eq!(status_of(&refused).as_deref(), Some("AuthenticationFailed"));
    values.push(refused);

    let mut seen = Vec::new();
    for v in &values {
        texts(v, &mut seen, 0);
    }
    texts(&sdk, &mut seen, 0);
    storage_texts(&mut seen);
    call(&sdk, "destroy", &[]).unwrap();
    texts(&sdk, &mut seen, 0);
    assert!(
        seen.iter().any(|t| t.contains(&id)),
        "the id is stored, for one"
    );
    let signature = a.rsplit('.').next().unwrap();
    assert!(seen.len() > 10, "looked at {} strings", seen.len());
    for text in &seen {
        assert!(
            !text.contains(&a) && !text.contains(signature),
            "token found in {text:?}"
        );
    }
}

#[wasm_bindgen_test]
async fn errors_are_recognised_by_a_second_copy_of_the_module() {
    let before = counts().await;
    let err = create(obj(&[
        ("accessToken", "a.b".into()),
        ("baseUrl", sandbox().into()),
    ]))
    .await
    .unwrap_err();
    assert_error(
        &err,
        "InvalidAccessTokenFormat",
        "INVALID_ACCESS_TOKEN_FORMAT",
    );
    let copy = second_copy(&err).await;
    let their_proto = get(&get(&copy, "PartnerSdkError"), "prototype");
    let ours_is_theirs = call(&their_proto, "isPrototypeOf", std::slice::from_ref(&err)).unwrap();
    assert_eq!(ours_is_theirs.as_bool(), Some(false), "not a second copy");
    let their_check = |v: &JsValue| {
        call(&copy, "isPartnerSdkError", std::slice::from_ref(v))
            .unwrap()
            .as_bool()
            == Some(true)
    };
    assert!(their_check(&err), "second copy recognises our error");
    let theirs = js_sys::Reflect::construct(
        get(&copy, "ApiError").unchecked_ref::<js_sys::Function>(),
        &Array::of1(&"x".into()),
    )
    .unwrap();
    assert!(
        is_partner_sdk_error(&theirs),
        "we recognise the second copy's error"
    );
    for plain in [
        js_sys::Error::new("plain").into(),
        JsValue::NULL,
        Array::new().into(),
        "e".into(),
    ] {
        assert!(
            !their_check(&plain) && !is_partner_sdk_error(&plain),
            "{plain:?}"
        );
    }
    assert_eq!(before.since().await.api, 0.0);
}

#[wasm_bindgen_test]
fn a_card_form_error_without_a_status_is_an_api_error_with_every_field() {
    // The frame's `{type:'error', code:'API_ERROR'}` may name no status: the ApiError still
    // has `status`, `body` and `requestId`, as index.d.ts declares.
    let options = obj(&[
        ("companyName", "Shop".into()),
        ("subaccountId", "sub_1".into()),
        ("baseUrl", sandbox().into()),
        ("getAccessToken", js("", "return ''").into()),
    ]);
    let session = partner_sdk::api::EnrollmentSession::open(options).unwrap();
    let message = obj(&[("type", "error".into()), ("code", "API_ERROR".into())]);
    let err = session.frame_error(message);
    assert_error(&err, "ApiError", "API_ERROR");
    assert_eq!(get(&err, "status").as_f64(), Some(0.0));
    assert!(get(&err, "body").is_null());
    assert!(get(&err, "requestId").is_null());
}

/// An options object whose `key` is a getter answering `first` on its first read and
/// `undefined` after, with the count of reads.
fn once_getter(key: &str, first: &JsValue, rest: &JsValue) -> (JsValue, js_sys::Function) {
    let reads = js(
        "key, first, rest",
        "let n = 0; const o = Object.assign({}, rest);
         Object.defineProperty(o, key, { enumerable: true, get() { n += 1; return n === 1 ? first : undefined; } });
         return [o, () => n];",
    )
    .call3(&JsValue::UNDEFINED, &key.into(), first, rest)
    .unwrap();
    let pair: Array = reads.unchecked_into();
    (pair.get(0), pair.get(1).unchecked_into())
}

/// Each option is read once: the token callback used is the one that was checked, even
/// when its getter answers something else later (it turned refresh off quietly).
#[wasm_bindgen_test]
async fn a_callback_option_is_read_once_and_that_function_is_used() {
    let (a, _) = revoked_then_fresh().await;
    let (cb, calls) = counting(|| Err(JsValue::from_str("asked")));
    let (options, reads) = once_getter(
        "onAccessTokenExpired",
        &cb,
        &obj(&[("accessToken", a.into()), ("baseUrl", sandbox().into())]),
    );
    let c = create(options).await.unwrap();
    let err = call_async(&c, "get", &[INVOICE.into()]).await.unwrap_err();
    assert_error(&err, "TokenRefreshError", "TOKEN_REFRESH_FAILED");
    assert_eq!(calls.get(), 1, "the checked callback was called");
    assert_eq!(
        reads.call0(&JsValue::UNDEFINED).unwrap().as_f64(),
        Some(1.0)
    );

    clear_storage();
    let (cb, calls) = counting(|| Err(JsValue::from_str("asked")));
    let (options, reads) = once_getter("onAccessTokenExpired", &cb, &safe_options(&[]));
    let s = construct_safe_sdk(&options).unwrap();
    let r = check_after_revoke(&s).await;
    assert_authentication_failed(&r, "TOKEN_REFRESH_FAILED");
    assert_eq!(calls.get(), 1, "SafeSDK: the checked callback was called");
    assert_eq!(
        reads.call0(&JsValue::UNDEFINED).unwrap().as_f64(),
        Some(1.0)
    );
}
