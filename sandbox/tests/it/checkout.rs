//! `/v1/checkout-auth/init` and the protected invoice endpoints.

use std::collections::HashSet;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sandbox::vendor::jwt::Hs256;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn init_mints_a_checkout_token_with_the_documented_claims() {
    let s = start().await;
    let auth = bearer(&s.api_token().await);
    let body = json!({"customer_id": "cus_demo", "invoice_id": "inv_1001"});
    let r = s
        .post_json("/v1/checkout-auth/init", &[("authorization", &auth)], &body)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let j = r.json();
    let c = claims(j["token"].as_str().unwrap_or_default());
    for (k, v) in [
        ("partner_id", "partner_demo"),
        ("client_id", API_ID),
        ("customer_id", "cus_demo"),
        ("invoice_id", "inv_1001"),
    ] {
        assert_eq!(c[k], v, "claim {k}");
    }
    assert!(c["jti"].is_string());
    assert_eq!(c["exp"], j["expires_at"]);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(
        c["exp"].as_i64().unwrap_or(0) - c["iat"].as_i64().unwrap_or(0),
        900
    );
}

#[tokio::test]
async fn init_refusals() {
    let s = start().await;
    let auth = bearer(&s.api_token().await);
    let h = [("authorization", auth.as_str())];
    let init = "/v1/checkout-auth/init";
    s.post_json(init, &h, &json!({"customer_id": "cus_demo"}))
        .await
        .assert_error(400, "invalid_request");
    s.post_json(
        init,
        &h,
        &json!({"customer_id": "cus_demo", "invoice_id": "inv_9999"}),
    )
    .await
    .assert_error(403, "forbidden");
    s.post_json(
        init,
        &h,
        &json!({"customer_id": "cus_demo", "invoice_id": "inv_0000"}),
    )
    .await
    .assert_error(404, "not_found");
    s.post_json(
        init,
        &h,
        &json!({"customer_id": "cus_demo", "invoice_id": "../x"}),
    )
    .await
    .assert_error(400, "invalid_request");
    s.post_json(
        init,
        &[],
        &json!({"customer_id": "cus_demo", "invoice_id": "inv_1001"}),
    )
    .await
    .assert_invalid_token();
    let ct = [h[0], ("content-type", "application/json")];
    s.send("POST", init, &ct, "{not json")
        .await
        .assert_error(400, "invalid_request");
    s.send("POST", init, &[h[0], ("content-type", "text/plain")], "{}")
        .await
        .assert_error(415, "invalid_request");
    let big = format!("{{\"customer_id\":\"{}\"}}", "x".repeat(65 * 1024));
    s.send("POST", init, &ct, big)
        .await
        .assert_error(413, "invalid_request");
    let checkout = s.checkout_token("inv_1001").await;
    let body = json!({"customer_id": "cus_demo", "invoice_id": "inv_1001"});
    s.post_json(init, &[("authorization", &bearer(&checkout))], &body)
        .await
        .assert_error(403, "insufficient_scope");
}

#[tokio::test]
async fn invoice_and_payment_with_a_valid_token() {
    let s = start().await;
    let token = s.checkout_token("inv_1001").await;
    let r = s.invoice("inv_1001", &token).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json(),
        json!({"id": "inv_1001", "customer_id": "cus_demo", "amount": 4999, "currency": "USD", "description": "Demo order", "status": "open"})
    );
    let auth = bearer(&token);
    let r = s
        .post_json(
            "/v1/invoices/inv_1001/payments",
            &[("authorization", &auth)],
            &json!({"method": "card"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let j = r.json();
    assert_eq!(
        (
            j["invoice_id"].as_str(),
            j["status"].as_str(),
            j["amount"].as_u64()
        ),
        (Some("inv_1001"), Some("succeeded"), Some(4999))
    );
    assert!(j["id"].as_str().is_some_and(|id| id.starts_with("pay_")));
    let r = s
        .send(
            "POST",
            "/v1/invoices/inv_1001/payments",
            &[("authorization", &auth)],
            "",
        )
        .await;
    assert_eq!(r.status, 201);
    let bad = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];
    s.send("POST", "/v1/invoices/inv_1001/payments", &bad, "{oops")
        .await
        .assert_error(400, "invalid_request");
    let txt = [
        ("authorization", auth.as_str()),
        ("content-type", "text/plain"),
    ];
    s.send("POST", "/v1/invoices/inv_1001/payments", &txt, "hi")
        .await
        .assert_error(415, "invalid_request");
    let n = s.counters().await;
    assert_eq!(n["last_jti"], claims(&token)["jti"]);
    assert_eq!(n["api_requests"], 5);
}

#[tokio::test]
async fn a_token_for_another_invoice_is_forbidden() {
    let s = start().await;
    let token = s.checkout_token("inv_1001").await;
    for id in ["inv_1002", "inv_9999", "inv_0000"] {
        let r = s.invoice(id, &token).await;
        r.assert_error(403, "insufficient_scope");
        assert_eq!(
            r.header("www-authenticate"),
            Some("Bearer error=\"insufficient_scope\"")
        );
    }
    let r = s
        .post_json(
            "/v1/invoices/inv_1002/payments",
            &[("authorization", &bearer(&token))],
            &json!({}),
        )
        .await;
    r.assert_error(403, "insufficient_scope");
    assert_eq!(s.counters().await["forbidden"], 4);
}

#[tokio::test]
async fn expired_tokens_are_refused() {
    let s = start().await;
    let minted = s
        .mint(json!({"kind": "checkout", "invoiceId": "inv_1001", "ttl": 0}))
        .await;
    s.invoice("inv_1001", &minted).await.assert_invalid_token();
    s.control("lifetimes", &json!({"checkout": 1})).await;
    let token = s.checkout_token("inv_1001").await;
    assert_eq!(s.invoice("inv_1001", &token).await.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let r = s.invoice("inv_1001", &token).await;
    r.assert_invalid_token();
    assert_eq!(r.json()["error_description"], "token has expired");
    assert!(!r.text().contains(&token));
}

#[tokio::test]
async fn forged_signatures_are_refused() {
    let s = start().await;
    let token = s.checkout_token("inv_1001").await;
    let forged = Hs256::new(b"not the sandbox key")
        .sign(&claims(&token))
        .unwrap_or_default();
    let r = s.invoice("inv_1001", &forged).await;
    r.assert_invalid_token();
    assert!(!r.text().contains(&forged));
    let mut flipped = token.clone();
    let last = flipped.pop().unwrap_or('A');
    flipped.push(if last == 'A' { 'B' } else { 'A' });
    s.invoice("inv_1001", &flipped).await.assert_invalid_token();
    // Payload swapped to another invoice, original signature kept.
    let mut c = claims(&token);
    c["invoice_id"] = json!("inv_1002");
    let parts: Vec<&str> = token.split('.').collect();
    let swapped = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(c.to_string()),
        parts[2]
    );
    s.invoice("inv_1002", &swapped).await.assert_invalid_token();
    // A token from another sandbox (another random key).
    let other = start().await;
    let foreign = other.checkout_token("inv_1001").await;
    s.invoice("inv_1001", &foreign).await.assert_invalid_token();
}

#[tokio::test]
async fn alg_none_and_other_algorithms_are_refused() {
    let s = start().await;
    let token = s.checkout_token("inv_1001").await;
    let payload = token.split('.').nth(1).unwrap_or_default().to_owned();
    for header in [
        r#"{"alg":"none","typ":"JWT"}"#,
        r#"{"alg":"None"}"#,
        r#"{"alg":"HS512"}"#,
        r#"{"alg":"RS256"}"#,
        r#"{"typ":"JWT"}"#,
    ] {
        let h = URL_SAFE_NO_PAD.encode(header);
        for sig in ["", "AAAA", token.split('.').nth(2).unwrap_or_default()] {
            let r = s.invoice("inv_1001", &format!("{h}.{payload}.{sig}")).await;
            r.assert_invalid_token();
        }
    }
}

#[tokio::test]
async fn revoked_tokens_are_refused() {
    let s = start().await;
    let token = s.checkout_token("inv_1001").await;
    assert_eq!(s.invoice("inv_1001", &token).await.status, 200);
    let r = s.control("revoke", &json!({})).await;
    assert!(
        r.json()["revoked"].as_u64().unwrap_or(0) >= 2,
        "{}",
        r.text()
    );
    let r = s.invoice("inv_1001", &token).await;
    r.assert_invalid_token();
    assert_eq!(r.json()["error_description"], "token has been revoked");
    let fresh = s.checkout_token("inv_1001").await;
    assert_eq!(s.invoice("inv_1001", &fresh).await.status, 200);
}

#[tokio::test]
async fn missing_and_malformed_tokens_are_refused() {
    let s = start().await;
    s.get("/v1/invoices/inv_1001", &[])
        .await
        .assert_invalid_token();
    for auth in [
        "Bearer",
        "Bearer ",
        "Bearer abc",
        "Bearer a.b.c",
        "Bearer ..",
        "Basic YTpi",
        "eyJ.eyJ.sig",
        "Bearer e30.e30.e30",
    ] {
        let r = s
            .get("/v1/invoices/inv_1001", &[("authorization", auth)])
            .await;
        r.assert_invalid_token();
    }
    let n = s.counters().await;
    assert_eq!(n["unauthorized"], 9);
    assert_eq!(n["api_requests"], 9);
}

#[tokio::test]
async fn two_authorization_headers_are_a_bad_request_not_a_choice() {
    let s = start().await;
    let good = bearer(&s.checkout_token("inv_1001").await);
    for pair in [
        [good.as_str(), "Bearer a.b.c"],
        ["Bearer a.b.c", good.as_str()],
    ] {
        let h = [("authorization", pair[0]), ("authorization", pair[1])];
        s.get("/v1/invoices/inv_1001", &h)
            .await
            .assert_error(400, "invalid_request");
    }
    let h = [("authorization", good.as_str())];
    assert_eq!(s.get("/v1/invoices/inv_1001", &h).await.status, 200);
}

#[tokio::test]
async fn bad_path_ids_are_client_errors() {
    let s = start().await;
    let token = s.checkout_token("inv_1001").await;
    let long = format!("/v1/invoices/{}", "a".repeat(65));
    for path in [
        "/v1/invoices/inv%2F1001",
        "/v1/invoices/%2e%2e",
        "/v1/invoices/inv$1",
        "/v1/invoices/%FF",
        long.as_str(),
    ] {
        let r = s.get(path, &[("authorization", &bearer(&token))]).await;
        assert!(r.status == 400 || r.status == 404, "{path}: {}", r.status);
        assert!(r.json()["error"].is_string());
    }
}

#[tokio::test]
async fn every_response_has_a_unique_request_id() {
    let s = start().await;
    let mut ids = HashSet::new();
    let preflight = [
        ("origin", "http://localhost:3000"),
        ("access-control-request-method", "GET"),
    ];
    let responses = vec![
        s.get("/v1/invoices/inv_1001", &[]).await,
        s.get("/v1/invoices/inv_1001", &[]).await,
        s.send("OPTIONS", "/v1/invoices/inv_1001", &preflight, "")
            .await,
        s.get("/", &[]).await,
        s.get("/missing", &[]).await,
        s.send("POST", "/oauth/token", &[], "").await,
    ];
    for r in responses {
        let id = r.header("x-request-id").expect("x-request-id").to_owned();
        assert!(ids.insert(id), "duplicate request id");
    }
}
