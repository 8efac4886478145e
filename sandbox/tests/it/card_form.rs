//! The hosted card form (`/enrollment/form`) and the second, vendor-only
//! listener (`vendor_port`).

use sandbox::config::AllowedOrigins;
use serde_json::json;

use crate::common::*;

const PARTNER: &str = "http://localhost:5173";

fn form_path(origin: &str, company: &str, subaccount: &str) -> String {
    let q = serde_urlencoded::to_string([
        ("origin", origin),
        ("company", company),
        ("subaccount", subaccount),
    ])
    .unwrap_or_default();
    format!("/enrollment/form?{q}")
}

fn directives(csp: &str) -> Vec<String> {
    csp.split(';').map(|d| d.trim().to_owned()).collect()
}

#[tokio::test]
async fn the_form_is_served_under_a_strict_csp() {
    let s = start().await;
    let r = s
        .get(
            &form_path(PARTNER, "Demo <b>Shop</b> & Co", "sub_demo"),
            &[],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    let csp = directives(r.header("content-security-policy").unwrap_or_default());
    for d in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "form-action 'none'",
        "base-uri 'none'",
        "frame-ancestors http://localhost:5173",
    ] {
        assert!(csp.iter().any(|c| c == d), "{d} missing in {csp:?}");
    }
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    let html = r.text();
    assert!(
        html.contains("Demo &lt;b&gt;Shop&lt;/b&gt; &amp; Co"),
        "{html}"
    );
    assert!(html.contains(r#"data-partner-origin="http://localhost:5173""#));
    assert!(html.contains(r#"data-subaccount="sub_demo""#));
    assert!(html.contains(r#"<script src="/enrollment/form.js" defer></script>"#));
    assert_eq!(html.matches("<script").count(), 1, "no inline script");
    assert!(!html.contains("<style") && !html.contains("style="));
    for needle in [
        r#"autocomplete="cc-number""#,
        r#"inputmode="numeric""#,
        r#"aria-live="polite""#,
        r#"<label for="number">"#,
        r#"<label for="expiry">"#,
        r#"<label for="cvc">"#,
        r#"aria-describedby="number-error""#,
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    let js = s.get("/enrollment/form.js", &[]).await;
    assert_eq!(
        js.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(js.header("x-content-type-options"), Some("nosniff"));
    let js = js.text();
    for needle in [
        "partner-sdk:enrollment:hello",
        "partner-sdk:enrollment:connect",
        "need-token",
    ] {
        assert!(js.contains(needle), "{needle}");
    }
    assert!(!js.contains("postMessage({ type: HELLO, v: 1 }, '*')"));
    let css = s.get("/enrollment/form.css", &[]).await;
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
}

#[tokio::test]
async fn the_form_refuses_origins_that_are_not_partners() {
    let s = start_with(|c| {
        c.allowed_origins = AllowedOrigins::List(vec!["https://shop.test".into()]);
    })
    .await;
    let ok = s
        .get(&form_path("https://shop.test", "Shop", "sub_1"), &[])
        .await;
    assert_eq!(ok.status, 200);
    let csp = ok.header("content-security-policy").unwrap_or_default();
    assert!(
        csp.ends_with("; frame-ancestors https://shop.test"),
        "{csp}"
    );
    for origin in [
        PARTNER,
        "https://shop.test/",
        "https://shop.test; script-src *",
        "https://evil.test",
        "null",
    ] {
        s.get(&form_path(origin, "Shop", "sub_1"), &[])
            .await
            .assert_error(403, "forbidden");
    }
    let long = "x".repeat(101);
    for path in [
        "/enrollment/form".to_owned(),
        "/enrollment/form?origin=https%3A%2F%2Fshop.test&company=Shop".to_owned(),
        form_path("https://shop.test", " ", "sub_1"),
        form_path("https://shop.test", &long, "sub_1"),
        form_path("https://shop.test", "Shop", "../x"),
    ] {
        s.get(&path, &[]).await.assert_error(400, "invalid_request");
    }
}

#[tokio::test]
async fn the_vendor_listener_serves_only_the_vendor_role() {
    let s = start_with(|c| c.vendor_port = Some(0)).await;
    let v = s.vendor_url.clone();
    assert_ne!(v, s.url);
    assert!(v.starts_with("http://127.0.0.1:"));
    // The vendor role: token endpoint, API, form.
    let auth = basic(ENROLL_ID, ENROLL_SECRET);
    let form = [
        ("authorization", auth.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    let r = s
        .send_to(
            &v,
            "POST",
            "/oauth/token",
            &form,
            "grant_type=client_credentials",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let token = r.json()["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let next_year = sandbox::clock::year_month(now).0 + 1;
    let card =
        json!({"number": "4242424242424242", "expMonth": 12, "expYear": next_year, "cvc": "123"});
    let r = s
        .send_to(
            &v,
            "POST",
            "/v1/subaccounts/sub_demo/cards",
            &[
                ("authorization", &bearer(&token)),
                ("content-type", "application/json"),
            ],
            card.to_string(),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert!(r.header("x-request-id").is_some() && r.header("date").is_some());
    let page = s
        .send_to(
            &v,
            "GET",
            &form_path(&s.url, "Demo Shop", "sub_demo"),
            &[],
            "",
        )
        .await;
    assert_eq!(page.status, 200);
    let csp = page
        .header("content-security-policy")
        .unwrap_or_default()
        .to_owned();
    assert!(
        csp.ends_with(&format!("frame-ancestors {}", s.url)),
        "{csp}"
    );
    // One state: the main origin's test controls see the vendor's traffic.
    let n = s.counters().await;
    assert_eq!(
        (
            n["cards_enrolled"].as_u64(),
            n["tokens_issued"]["oauth"].as_u64()
        ),
        (Some(1), Some(1))
    );
    let checkout = s.mint(json!({"kind": "checkout"})).await;
    let r = s
        .send_to(
            &v,
            "GET",
            "/v1/invoices/inv_1001",
            &[("authorization", &bearer(&checkout))],
            "",
        )
        .await;
    assert_eq!(r.status, 200);
    // Not the partner's: backend, static files, test controls.
    for path in [
        "/api/enrollment-token",
        "/index.html",
        "/__sandbox/counters",
        "/pkg/index.js",
    ] {
        s.send_to(&v, "GET", path, &[], "")
            .await
            .assert_error(404, "not_found");
    }
    // Faults reach the vendor origin too.
    s.control(
        "faults",
        &json!({"path": "/v1/invoices/", "status": 503, "retry_after_s": 1}),
    )
    .await;
    let r = s
        .send_to(
            &v,
            "GET",
            "/v1/invoices/inv_1001",
            &[("authorization", &bearer(&checkout))],
            "",
        )
        .await;
    assert_eq!((r.status, r.header("retry-after")), (503, Some("1")));
}

#[tokio::test]
async fn the_two_origins_talk_cors_and_csp() {
    let s = start_with(|c| c.vendor_port = Some(0)).await;
    let v = s.vendor_url.clone();
    // The partner page (main origin) may call the vendor origin.
    let pre = [
        ("origin", s.url.as_str()),
        ("access-control-request-method", "POST"),
        (
            "access-control-request-headers",
            "authorization,content-type",
        ),
    ];
    let r = s
        .send_to(&v, "OPTIONS", "/v1/subaccounts/sub_demo/cards", &pre, "")
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some(s.url.as_str())
    );
    // The main origin's pages may frame and call the vendor origin.
    let html = s.get("/index.html", &[]).await;
    let csp = html.header("content-security-policy").unwrap_or_default();
    assert!(csp.contains(&format!("frame-src 'self' {v}")), "{csp}");
    assert!(
        csp.contains(&format!("connect-src 'self' {} ", s.url)),
        "{csp}"
    );
    assert!(csp.contains(&v), "{csp}");
    // The demo page finds the vendor through the backend.
    let cfg = s.get("/api/enrollment-config", &[]).await.json();
    assert_eq!(cfg["baseUrl"], v);
    // Single-origin mode: no frame-src (default-src 'self' covers the form).
    let single = start().await;
    let csp = single.get("/index.html", &[]).await;
    assert!(!csp
        .header("content-security-policy")
        .unwrap_or_default()
        .contains("frame-src"));
    assert_eq!(single.vendor_url, single.url);
}

#[tokio::test]
async fn shutdown_stops_both_listeners() {
    let mut config = sandbox::Config::defaults();
    config.port = 0;
    config.vendor_port = Some(0);
    let server = sandbox::start(config).await.expect("start");
    let (main, vendor) = (server.addr(), server.vendor_addr().expect("vendor addr"));
    assert!(tokio::net::TcpStream::connect(vendor).await.is_ok());
    server.shutdown().await.expect("shutdown");
    assert!(tokio::net::TcpStream::connect(main).await.is_err());
    assert!(tokio::net::TcpStream::connect(vendor).await.is_err());
}
