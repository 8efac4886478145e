//! The JWT shape rules through the wasm build, with the exact JS error class and code.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn client() -> JsValue {
    let t = token(H, r#"{"sub":"x","exp":4102444800}"#);
    create(obj(&[
        ("accessToken", t.into()),
        ("baseUrl", CLOSED_ORIGIN.into()),
    ]))
    .await
    .unwrap()
}

/// (label, token, Some(class) when refused)
fn cases() -> Vec<(&'static str, JsValue, Option<&'static str>)> {
    let fmt = Some("InvalidAccessTokenFormat");
    let inv = Some("InvalidAccessToken");
    let ok = None;
    let p = r#"{"sub":"x"}"#;
    vec![
        ("number", JsValue::from(42), inv),
        ("null", JsValue::NULL, inv),
        ("object", obj(&[]), inv),
        ("empty", "".into(), inv),
        ("whitespace", " \t\n ".into(), inv),
        ("newline around", format!("\n{}\n", token(H, p)).into(), ok),
        ("spaces around", format!("  {}\r\n", token(H, p)).into(), ok),
        ("no dots", "abcdef".into(), fmt),
        ("two segments", "eyJhbGciOiJIUzI1NiJ9.e30".into(), fmt),
        ("four segments", format!("{}.c2ln", token(H, p)).into(), fmt),
        (
            "empty header",
            format!(".{}", token(H, p).split_once('.').unwrap().1).into(),
            fmt,
        ),
        (
            "empty signature",
            token(H, p).trim_end_matches("c2ln").to_string().into(),
            fmt,
        ),
        (
            "padding",
            token(H, p).replace(".c2ln", ".c2ln==").into(),
            fmt,
        ),
        ("plus", token(H, p).replace(".c2ln", ".c2+n").into(), fmt),
        ("slash", token(H, p).replace(".c2ln", ".c2/n").into(), fmt),
        ("non-base64", "a*b.c.d".into(), fmt),
        ("non-ascii", format!("{}é", token(H, p)).into(), fmt),
        ("header not json", token("nope", p).into(), fmt),
        ("header array", token("[1]", p).into(), fmt),
        ("payload not json", token(H, "{x").into(), fmt),
        ("payload array", token(H, "[1,2]").into(), fmt),
        ("payload string", token(H, "\"s\"").into(), fmt),
        ("alg missing", token(r#"{"typ":"JWT"}"#, p).into(), fmt),
        ("alg number", token(r#"{"alg":1}"#, p).into(), fmt),
        ("alg none", token(r#"{"alg":"none"}"#, p).into(), fmt),
        (
            "exp string",
            token(H, r#"{"exp":"1700000000"}"#).into(),
            fmt,
        ),
        ("nbf string", token(H, r#"{"nbf":"1"}"#).into(), fmt),
        ("iat null", token(H, r#"{"iat":null}"#).into(), fmt),
        ("past exp accepted", token(H, r#"{"exp":1}"#).into(), ok),
        ("no exp accepted", token(H, p).into(), ok),
        (
            "float exp accepted",
            token(H, r#"{"exp":4102444800.5}"#).into(),
            ok,
        ),
    ]
}

#[wasm_bindgen_test]
async fn shape_rules_give_the_exact_class_and_code() {
    let c = client().await;
    let before = get(&c, "claims");
    for (label, value, refused) in cases() {
        let result = call(&c, "setAccessToken", std::slice::from_ref(&value));
        match refused {
            None => assert!(result.is_ok(), "{label}: should be accepted"),
            Some(class) => {
                let err = result.expect_err(label);
                let code = if class == "InvalidAccessToken" {
                    "INVALID_ACCESS_TOKEN"
                } else {
                    "INVALID_ACCESS_TOKEN_FORMAT"
                };
                assert_error(&err, class, code);
                let message = get(&err, "message").as_string().unwrap();
                assert!(message.starts_with("access token"), "{label}: {message}");
                if let Some(t) = value.as_string().filter(|t| t.len() > 6) {
                    assert!(
                        !message.contains(t.trim()),
                        "{label}: message leaks the token"
                    );
                }
            }
        }
    }
    assert!(!before.is_null());
}

#[wasm_bindgen_test]
async fn a_refused_token_keeps_the_old_one() {
    let c = client().await;
    let good = token(H, r#"{"jti":"keep-me","exp":4102444800}"#);
    call(&c, "setAccessToken", &[good.into()]).unwrap();
    assert!(call(
        &c,
        "setAccessToken",
        &[token(r#"{"alg":"none"}"#, "{}").into()]
    )
    .is_err());
    assert_eq!(
        get(&get(&c, "claims"), "jti").as_string().as_deref(),
        Some("keep-me")
    );
    assert_eq!(get(&c, "expiresAt").as_f64(), Some(4102444800.0));
}

#[wasm_bindgen_test]
async fn claims_are_a_fresh_copy() {
    let c = client().await;
    let first = get(&c, "claims");
    js_sys::Reflect::set(&first, &"sub".into(), &"changed".into()).unwrap();
    assert_eq!(
        get(&get(&c, "claims"), "sub").as_string().as_deref(),
        Some("x")
    );
}

#[wasm_bindgen_test]
async fn create_rejects_a_bad_token_with_its_class() {
    let bad = create(obj(&[
        ("accessToken", "a.b".into()),
        ("baseUrl", CLOSED_ORIGIN.into()),
    ]))
    .await;
    assert_error(
        &bad.unwrap_err(),
        "InvalidAccessTokenFormat",
        "INVALID_ACCESS_TOKEN_FORMAT",
    );
    let empty = create(obj(&[
        ("accessToken", " ".into()),
        ("baseUrl", CLOSED_ORIGIN.into()),
    ]))
    .await;
    assert_error(
        &empty.unwrap_err(),
        "InvalidAccessToken",
        "INVALID_ACCESS_TOKEN",
    );
}
