//! Gatekeeper device registration and checks.

use serde_json::json;

use crate::common::*;

fn gk_headers<'a>(auth: &'a str, key: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("authorization", auth),
        ("x-api-key", key),
        ("content-type", "application/json"),
    ]
}

#[tokio::test]
async fn register_then_check() {
    let s = start().await;
    let auth = bearer(&s.gatekeeper_token().await);
    let h = gk_headers(&auth, "demo-api-key");
    let r = s.send("POST", GK_PATH, &h, "{}").await;
    assert!(
        r.status == 201 || r.status == 200,
        "{} {}",
        r.status,
        r.text()
    );
    let device = r.json()["deviceId"].as_str().unwrap_or_default().to_owned();
    assert!(!device.is_empty());
    let r = s
        .send("POST", &format!("{GK_PATH}/{device}/checks"), &h, "")
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let j = r.json();
    assert_eq!(j["status"], "Ok");
    assert_eq!(j["deviceId"], device.as_str());
    assert!(j["checkedAt"].as_str().is_some_and(|t| t.ends_with('Z')));
    let n = s.counters().await;
    assert_eq!(
        (n["device_registrations"].as_u64(), n["checks"].as_u64()),
        (Some(1), Some(1))
    );
}

#[tokio::test]
async fn api_key_is_required_and_checked_per_application() {
    let s = start().await;
    let auth = bearer(&s.gatekeeper_token().await);
    let r = s
        .send("POST", GK_PATH, &[("authorization", &auth)], "")
        .await;
    r.assert_error(401, "invalid_api_key");
    s.send("POST", GK_PATH, &gk_headers(&auth, "wrong-key"), "")
        .await
        .assert_error(403, "invalid_api_key");
    let other_app = "/v1/applications/other-app/versions/1.0.0/devices";
    s.send("POST", other_app, &gk_headers(&auth, "demo-api-key"), "")
        .await
        .assert_error(403, "invalid_api_key");
    let n = s.counters().await;
    assert_eq!(
        (n["unauthorized"].as_u64(), n["forbidden"].as_u64()),
        (Some(1), Some(2))
    );
}

#[tokio::test]
async fn bearer_token_is_required_with_the_gatekeeper_scope() {
    let s = start().await;
    s.send("POST", GK_PATH, &[("x-api-key", "demo-api-key")], "")
        .await
        .assert_invalid_token();
    let checkout = bearer(&s.checkout_token("inv_1001").await);
    s.send("POST", GK_PATH, &gk_headers(&checkout, "demo-api-key"), "")
        .await
        .assert_error(403, "insufficient_scope");
    let expired = bearer(&s.mint(json!({"kind": "gatekeeper", "ttl": 0})).await);
    s.send("POST", GK_PATH, &gk_headers(&expired, "demo-api-key"), "")
        .await
        .assert_invalid_token();
    let minted = bearer(&s.mint(json!({"kind": "gatekeeper"})).await);
    assert_eq!(
        s.send("POST", GK_PATH, &gk_headers(&minted, "demo-api-key"), "")
            .await
            .status,
        201
    );
    s.control("revoke", &json!({})).await;
    s.send("POST", GK_PATH, &gk_headers(&minted, "demo-api-key"), "")
        .await
        .assert_invalid_token();
}

#[tokio::test]
async fn unknown_devices_and_bad_paths() {
    let s = start().await;
    let auth = bearer(&s.gatekeeper_token().await);
    let h = gk_headers(&auth, "demo-api-key");
    s.send("POST", &format!("{GK_PATH}/dev_unknown/checks"), &h, "")
        .await
        .assert_error(404, "not_found");
    let r = s
        .send(
            "POST",
            "/v1/applications/demo-app/versions/1.0%2F0/devices",
            &h,
            "",
        )
        .await;
    r.assert_error(400, "invalid_request");
    let r = s
        .send("POST", &format!("{GK_PATH}/dev%20x/checks"), &h, "")
        .await;
    r.assert_error(400, "invalid_request");
    s.send("POST", GK_PATH, &h, "{bad")
        .await
        .assert_error(400, "invalid_request");
}
