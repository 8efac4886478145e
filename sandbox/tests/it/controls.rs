//! `/__sandbox/*` test controls.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn controls_are_404_without_the_flag() {
    let s = start_with(|c| c.test_controls = false).await;
    for (method, path) in [
        ("GET", "/__sandbox/counters"),
        ("POST", "/__sandbox/revoke"),
        ("POST", "/__sandbox/reset"),
        ("POST", "/__sandbox/faults"),
        ("DELETE", "/__sandbox/faults"),
        ("POST", "/__sandbox/lifetimes"),
        ("POST", "/__sandbox/mint"),
        ("GET", "/__sandbox/echo"),
        ("GET", "/__sandbox/clock"),
        ("POST", "/__sandbox/clock"),
    ] {
        let r = s
            .send(method, path, &[("content-type", "application/json")], "{}")
            .await;
        r.assert_error(404, "not_found");
    }
}

#[tokio::test]
async fn faults_answer_a_status_then_stop() {
    let s = start().await;
    let token = s.checkout_token("inv_1001").await;
    let fault = json!({"path": "/v1/invoices/inv_1001", "count": 2, "status": 503, "headers": {"retry-after": "7"}});
    s.control("faults", &fault).await;
    for _ in 0..2 {
        let r = s.invoice("inv_1001", &token).await;
        r.assert_error(503, "injected_fault");
        assert_eq!(r.header("retry-after"), Some("7"));
        assert_eq!(r.header("cache-control"), Some("no-store"));
    }
    assert_eq!(s.invoice("inv_1001", &token).await.status, 200);
    let custom =
        json!({"path": "/v1/invoices/", "status": 401, "body": "{\"error\":\"invalid_token\"}"});
    s.control("faults", &custom).await;
    let r = s.invoice("inv_1002", &token).await;
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (401, Some("invalid_token"))
    );
    assert_eq!(s.counters().await["unauthorized"], 1);
    s.control(
        "faults",
        &json!({"path": "/v1/", "count": 5, "status": 500}),
    )
    .await;
    assert_eq!(
        s.send("DELETE", "/__sandbox/faults", &[], "").await.json()["cleared"],
        1
    );
    assert_eq!(s.invoice("inv_1001", &token).await.status, 200);
}

#[tokio::test]
async fn fault_delay_happens_before_the_token_check() {
    let s = start().await;
    s.control(
        "faults",
        &json!({"path": "/v1/invoices/inv_1001", "count": 1, "delay_ms": 400}),
    )
    .await;
    let t0 = Instant::now();
    let r = s.get("/v1/invoices/inv_1001", &[]).await;
    assert!(
        t0.elapsed() >= Duration::from_millis(400),
        "{:?}",
        t0.elapsed()
    );
    r.assert_invalid_token();
    let t1 = Instant::now();
    s.get("/v1/invoices/inv_1001", &[])
        .await
        .assert_invalid_token();
    assert!(t1.elapsed() < Duration::from_millis(400));
}

#[tokio::test]
async fn preflights_are_not_faulted() {
    let s = start().await;
    s.control(
        "faults",
        &json!({"path": "/v1/invoices/", "count": 1, "status": 500}),
    )
    .await;
    let pre = [
        ("origin", "http://localhost:5173"),
        ("access-control-request-method", "GET"),
    ];
    assert_eq!(
        s.send("OPTIONS", "/v1/invoices/inv_1001", &pre, "")
            .await
            .status,
        204
    );
    assert_eq!(s.get("/v1/invoices/inv_1001", &[]).await.status, 500);
    let n = s.counters().await;
    assert_eq!(n["api_requests"], 1);
}

#[tokio::test]
async fn bad_control_bodies_are_400() {
    let s = start().await;
    for body in [
        json!({"path": "v1"}),
        json!({"path": "/v1", "status": 99}),
        json!({"path": "/v1", "count": 0}),
        json!({"path": "/v1", "delay_ms": 600000}),
        json!({"path": "/v1", "headers": {"bad header": "x"}}),
        // Framing is the body's: a Content-Length that disagrees with it panicked hyper.
        json!({"path": "/v1", "status": 200, "body": "hello", "headers": {"content-length": "100"}}),
        json!({"path": "/v1", "headers": {"Transfer-Encoding": "chunked"}}),
        json!({"path": "/v1", "headers": {"connection": "close"}}),
        json!({"path": "/v1", "unknown": 1}),
    ] {
        s.post_json("/__sandbox/faults", &[], &body)
            .await
            .assert_error(400, "invalid_request");
    }
    s.post_json("/__sandbox/lifetimes", &[], &json!({"checkout": -1}))
        .await
        .assert_error(400, "invalid_request");
    s.post_json("/__sandbox/lifetimes", &[], &json!({"checkout": "5"}))
        .await
        .assert_error(400, "invalid_request");
    s.post_json("/__sandbox/mint", &[], &json!({"kind": "root"}))
        .await
        .assert_error(400, "invalid_request");
}

#[tokio::test]
async fn lifetimes_apply_and_reset_restores_them() {
    let s = start().await;
    let r = s
        .control("lifetimes", &json!({"oauth": 120, "gatekeeper": 5}))
        .await;
    assert_eq!(
        r.json(),
        json!({"checkout": 900, "oauth": 120, "gatekeeper": 5, "enrollment": 300})
    );
    let c = claims(&s.gatekeeper_token().await);
    assert_eq!(
        c["exp"].as_i64().unwrap_or(0) - c["iat"].as_i64().unwrap_or(0),
        5
    );
    let c = claims(&s.api_token().await);
    assert_eq!(
        c["exp"].as_i64().unwrap_or(0) - c["iat"].as_i64().unwrap_or(0),
        120
    );
    s.control("reset", &json!({})).await;
    let n = s.counters().await;
    assert_eq!(n["oauth_token_requests"], 0);
    assert_eq!(n["tokens_issued"]["oauth2"], 0);
    let c = claims(&s.api_token().await);
    assert_eq!(
        c["exp"].as_i64().unwrap_or(0) - c["iat"].as_i64().unwrap_or(0),
        3600
    );
}

#[tokio::test]
async fn echo_records_whether_authorization_was_sent() {
    let s = start().await;
    assert_eq!(s.counters().await["last_authorization_present"], false);
    let r = s
        .get("/__sandbox/echo", &[("authorization", "Bearer x")])
        .await;
    assert_eq!(r.json(), json!({"authorization_present": true}));
    assert_eq!(s.counters().await["last_authorization_present"], true);
    let r = s.get("/__sandbox/echo", &[]).await;
    assert_eq!(r.json()["authorization_present"], false);
    assert_eq!(s.counters().await["last_authorization_present"], false);
}

#[tokio::test]
async fn mint_makes_working_tokens() {
    let s = start().await;
    let r = s.control("mint", &json!({"kind": "gatekeeper"})).await;
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let t = s
        .mint(json!({"kind": "checkout", "invoiceId": "inv_1002"}))
        .await;
    let c = claims(&t);
    assert_eq!(
        (c["invoice_id"].as_str(), c["customer_id"].as_str()),
        (Some("inv_1002"), Some("cus_demo"))
    );
    assert_eq!(s.invoice("inv_1002", &t).await.status, 200);
    let other = s
        .mint(json!({"kind": "checkout", "invoiceId": "inv_9999"}))
        .await;
    assert_eq!(s.invoice("inv_9999", &other).await.status, 200);
    let n = s.counters().await;
    assert_eq!(n["tokens_issued"]["checkout"], 2);
    assert_eq!(n["last_jti"], claims(&other)["jti"]);
}

/// A page of another origin can send a control request that needs no preflight (a
/// form, `fetch` with `mode: 'no-cors'`): it is refused, not run. The sandbox's own
/// pages, allowed origins and callers without `Origin` (tests, curl) still reach them.
#[tokio::test]
async fn controls_refuse_a_browser_request_from_a_foreign_origin() {
    let s = start().await;
    let own = s.url.clone();
    for origin in ["https://evil.example", "null"] {
        let r = s
            .send(
                "POST",
                "/__sandbox/reset",
                &[("origin", origin), ("content-type", "text/plain")],
                "",
            )
            .await;
        assert_eq!(r.status, 403, "{origin}");
    }
    let r = s
        .send(
            "POST",
            "/__sandbox/faults",
            &[
                ("origin", "https://evil.example"),
                ("content-type", "application/json"),
            ],
            r#"{"path":"/v1/invoices/","status":500}"#,
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        s.get("/v1/invoices/inv_1001", &[]).await.status,
        401,
        "no fault was added"
    );
    for origin in [own.as_str(), "http://localhost:5173"] {
        let r = s
            .send("POST", "/__sandbox/reset", &[("origin", origin)], "")
            .await;
        assert_eq!(r.status, 200, "{origin}");
    }
    assert_eq!(
        s.send("POST", "/__sandbox/reset", &[], "").await.status,
        200
    );
}

/// DNS rebinding: a page of `evil.example`, re-pointed at 127.0.0.1, sends requests
/// whose `Host` is its own name. A sandbox bound to loopback answers them 403, so no
/// token or control reaches that page; localhost, 127.0.0.1 and [::1] still work.
#[tokio::test]
async fn a_loopback_sandbox_refuses_a_foreign_host() {
    let s = start().await;
    let port = s.url.rsplit(':').next().expect("a port").to_owned();
    let evil = format!("rebind.evil.example:{port}");
    for path in ["/api/gatekeeper-token", "/__sandbox/counters", "/"] {
        let r = s.send("GET", path, &[("host", evil.as_str())], "").await;
        assert_eq!(r.status, 403, "{path}");
    }
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        "localhost".to_owned(),
    ] {
        let r = s
            .send(
                "GET",
                "/api/gatekeeper-token",
                &[("host", host.as_str())],
                "",
            )
            .await;
        assert_eq!(r.status, 200, "{host}");
    }
}

/// Pending faults hold a bounded amount: each `body_bytes` is allocated when its rule is
/// added, so a loop of control requests cannot take the machine's memory.
#[tokio::test]
async fn pending_faults_are_bounded() {
    let s = start().await;
    let add = |body: serde_json::Value| {
        let s = &s;
        async move { s.post_json("/__sandbox/faults", &[], &body).await }
    };
    let big = |n: u32| json!({"path": format!("/nomatch{n}"), "status": 200, "body_bytes": 64 * 1024 * 1024});
    assert_eq!(add(big(1)).await.status, 200);
    assert_eq!(add(big(2)).await.status, 200);
    let r = add(big(3)).await;
    r.assert_error(400, "invalid_request");
    assert!(
        r.text().contains("DELETE /__sandbox/faults"),
        "{}",
        r.text()
    );
    assert_eq!(
        s.send("DELETE", "/__sandbox/faults", &[], "").await.status,
        200
    );
    assert_eq!(add(big(3)).await.status, 200);
    assert_eq!(
        s.send("DELETE", "/__sandbox/faults", &[], "").await.status,
        200
    );
    for n in 0..1000 {
        let r = add(json!({"path": format!("/nomatch{n}")})).await;
        assert_eq!(r.status, 200, "rule {n}");
    }
    add(json!({"path": "/one-too-many"}))
        .await
        .assert_error(400, "invalid_request");
}
