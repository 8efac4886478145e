//! Role 2: `/api/checkout-token` and `/api/gatekeeper-token`.

use serde_json::json;

use crate::common::*;

const CT: &str = "/api/checkout-token";

#[tokio::test]
async fn checkout_token_works_against_the_vendor() {
    let s = start().await;
    let r = s
        .post_json(
            CT,
            &[],
            &json!({"customerId": "cus_demo", "invoiceId": "inv_1001"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let j = r.json();
    let token = j["token"].as_str().unwrap_or_default();
    assert_eq!(claims(token)["exp"], j["expiresAt"]);
    assert_eq!(s.invoice("inv_1001", token).await.status, 200);
    assert!(!r.text().contains(API_SECRET));
    let n = s.counters().await;
    assert_eq!(n["tokens_issued"]["backend_checkout"], 1);
    assert_eq!(n["tokens_issued"]["oauth"], 1);
}

#[tokio::test]
async fn checkout_token_refusals() {
    let s = start().await;
    s.post_json(CT, &[], &json!({"customerId": "cus_demo"}))
        .await
        .assert_error(400, "invalid_request");
    s.post_json(CT, &[], &json!({"invoiceId": "inv_1001"}))
        .await
        .assert_error(400, "invalid_request");
    s.post_json(CT, &[], &json!({"customerId": "", "invoiceId": "inv_1001"}))
        .await
        .assert_error(400, "invalid_request");
    s.post_json(
        CT,
        &[],
        &json!({"customerId": "cus_demo", "invoiceId": "inv_9999"}),
    )
    .await
    .assert_error(403, "forbidden");
    s.post_json(
        CT,
        &[],
        &json!({"customerId": "cus_other", "invoiceId": "inv_9999"}),
    )
    .await
    .assert_error(403, "forbidden");
    s.send("POST", CT, &[("content-type", "application/json")], "{")
        .await
        .assert_error(400, "invalid_request");
    s.send("POST", CT, &[("content-type", "text/plain")], "x")
        .await
        .assert_error(415, "invalid_request");
    // None of those reached the vendor.
    assert_eq!(s.counters().await["oauth_token_requests"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_calls_share_one_oauth_token_request() {
    let s = std::sync::Arc::new(start().await);
    let mut tasks = Vec::new();
    for i in 0..50 {
        let s = s.clone();
        let invoice = if i % 2 == 0 { "inv_1001" } else { "inv_1002" };
        tasks.push(tokio::spawn(async move {
            s.post_json(
                CT,
                &[],
                &json!({"customerId": "cus_demo", "invoiceId": invoice}),
            )
            .await
            .status
        }));
    }
    for t in tasks {
        assert_eq!(t.await.ok(), Some(200));
    }
    let n = s.counters().await;
    assert_eq!(n["oauth_token_requests"], 1, "{n}");
    assert_eq!(n["tokens_issued"]["oauth"], 1);
    assert_eq!(n["tokens_issued"]["checkout"], 50);
    assert_eq!(n["tokens_issued"]["backend_checkout"], 50);
}

#[tokio::test]
async fn the_cached_token_is_reused_and_replaced_when_refused() {
    let s = start().await;
    let body = json!({"customerId": "cus_demo", "invoiceId": "inv_1001"});
    for _ in 0..3 {
        assert_eq!(s.post_json(CT, &[], &body).await.status, 200);
    }
    assert_eq!(s.counters().await["oauth_token_requests"], 1);
    // The vendor refuses the cached token once (as after a revocation the
    // backend did not hear about): the backend fetches a new one and retries.
    s.control(
        "faults",
        &json!({"path": "/v1/checkout-auth/init", "count": 1, "status": 401}),
    )
    .await;
    assert_eq!(s.post_json(CT, &[], &body).await.status, 200);
    assert_eq!(s.counters().await["oauth_token_requests"], 2);
}

#[tokio::test]
async fn vendor_failures_become_gateway_errors_not_500s() {
    let s = start().await;
    s.control(
        "faults",
        &json!({"path": "/oauth/token", "count": 1, "status": 503}),
    )
    .await;
    let body = json!({"customerId": "cus_demo", "invoiceId": "inv_1001"});
    s.post_json(CT, &[], &body)
        .await
        .assert_error(502, "bad_gateway");
    s.control(
        "faults",
        &json!({"path": "/v1/checkout-auth/init", "count": 1, "status": 503}),
    )
    .await;
    s.post_json(CT, &[], &body)
        .await
        .assert_error(503, "injected_fault");
    assert_eq!(s.post_json(CT, &[], &body).await.status, 200);
}

#[tokio::test]
async fn gatekeeper_token_is_plain_text_and_cached() {
    let s = start().await;
    let r = s.get("/api/gatekeeper-token", &[]).await;
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/plain")));
    let text = r.text();
    assert!(text.ends_with('\n') && !text.trim().contains('\n'));
    let token = text.trim();
    assert_eq!(claims(token)["scope"], "gatekeeper/public");
    let auth = bearer(token);
    let h = [
        ("authorization", auth.as_str()),
        ("x-api-key", "demo-api-key"),
    ];
    assert_eq!(s.send("POST", GK_PATH, &h, "").await.status, 201);
    assert_eq!(s.get("/api/gatekeeper-token", &[]).await.text(), text);
    let n = s.counters().await;
    assert_eq!(n["oauth_token_requests"], 1);
    assert_eq!(n["tokens_issued"]["gatekeeper"], 2);
    // After a revocation the backend hands out a fresh, working token.
    s.control("revoke", &json!({})).await;
    let fresh = s.get("/api/gatekeeper-token", &[]).await.text();
    assert_ne!(fresh, text);
    let auth = bearer(fresh.trim());
    let h = [
        ("authorization", auth.as_str()),
        ("x-api-key", "demo-api-key"),
    ];
    assert_eq!(s.send("POST", GK_PATH, &h, "").await.status, 201);
}
