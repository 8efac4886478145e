//! Rule 5 (docs/api.md#rule-5): without a token callback a 401 rejects at once with
//! `AccessTokenExpiredError`, and `SafeSDK.check()` resolves to `AuthenticationFailed`.
//! In Chromium against the sandbox.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn without_a_callback_a_401_gives_access_token_expired_at_once() {
    let (a, _) = revoked_then_fresh().await;
    let c = checkout_client(&a, &[]).await;
    let before = counts().await;
    let t0 = now_ms();
    let err = call_async(&c, "get", &[INVOICE.into()]).await.unwrap_err();
    let elapsed = now_ms() - t0;
    assert_error(&err, "AccessTokenExpiredError", "ACCESS_TOKEN_EXPIRED");
    // The message says what is missing, unlike rule 4's refusal after a refresh.
    assert!(
        message(&err)
            .contains("refused and no onAccessTokenExpired or getAccessToken callback was given"),
        "{err:?}"
    );
    assert!(elapsed < 1500.0, "elapsed {elapsed} ms");
    let d = before.since().await;
    assert_eq!((d.api, d.unauthorized), (1.0, 1.0));
    assert_eq!(client_jti(&c), Some(jti_of(&a)));
}

#[wasm_bindgen_test]
async fn a_revoked_token_without_callback_is_authentication_failed() {
    clear_storage();
    let s = safe_sdk(&[]);
    initialize(&s).await.unwrap();
    revoke_all().await;
    let before = counts().await;
    let r = call_async(&s, "check", &[])
        .await
        .expect("check() resolves, it does not reject");
    assert_eq!(status_of(&r).as_deref(), Some("AuthenticationFailed"));
    let reason = get(&r, "reason").as_string().unwrap_or_default();
    assert!(!reason.is_empty(), "reason: {r:?}");
    assert_eq!(before.since().await.unauthorized, 1.0, "no retry");
}
