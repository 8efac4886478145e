//! CORS, static files and generic HTTP behaviour.

use sandbox::config::AllowedOrigins;

use crate::common::*;

const PRE: &str = "access-control-request-method";

#[tokio::test]
async fn cors_preflight_for_an_allowed_origin() {
    let s = start().await;
    let h = [
        ("origin", "http://localhost:5173"),
        (PRE, "POST"),
        (
            "access-control-request-headers",
            "authorization,content-type,x-api-key",
        ),
    ];
    let r = s
        .send("OPTIONS", "/v1/invoices/inv_1001/payments", &h, "")
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://localhost:5173")
    );
    let methods = r.header("access-control-allow-methods").unwrap_or_default();
    for m in ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
        assert!(methods.contains(m), "{methods}");
    }
    let headers = r
        .header("access-control-allow-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    for name in ["authorization", "x-api-key", "content-type"] {
        assert!(headers.contains(name), "{headers}");
    }
    assert!(r.header("access-control-max-age").is_some());
    assert!(r.header("x-request-id").is_some());
    for origin in ["http://127.0.0.1:9", "http://[::1]:8080"] {
        let r = s
            .send(
                "OPTIONS",
                "/api/checkout-token",
                &[("origin", origin), (PRE, "POST")],
                "",
            )
            .await;
        assert_eq!(r.header("access-control-allow-origin"), Some(origin));
    }
}

#[tokio::test]
async fn cors_refuses_other_origins() {
    let s = start().await;
    let r = s
        .send(
            "OPTIONS",
            "/v1/invoices/inv_1001",
            &[("origin", "https://evil.test"), (PRE, "GET")],
            "",
        )
        .await;
    r.assert_error(403, "forbidden");
    assert!(r.header("access-control-allow-origin").is_none());
    let r = s
        .get(
            "/v1/invoices/inv_1001",
            &[("origin", "http://localhost.evil.test")],
        )
        .await;
    assert!(r.header("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn simple_responses_expose_the_request_id() {
    let s = start().await;
    let r = s
        .get(
            "/v1/invoices/inv_1001",
            &[("origin", "http://localhost:3000")],
        )
        .await;
    r.assert_invalid_token();
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    assert!(r
        .header("access-control-expose-headers")
        .is_some_and(|h| h.contains("x-request-id")));
}

#[tokio::test]
async fn configured_origins_replace_the_default() {
    let s =
        start_with(|c| c.allowed_origins = AllowedOrigins::List(vec!["https://shop.test".into()]))
            .await;
    let r = s
        .send(
            "OPTIONS",
            "/v1/invoices/inv_1001",
            &[("origin", "https://shop.test"), (PRE, "GET")],
            "",
        )
        .await;
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://shop.test")
    );
    let r = s
        .send(
            "OPTIONS",
            "/v1/invoices/inv_1001",
            &[("origin", "http://localhost:3000"), (PRE, "GET")],
            "",
        )
        .await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn static_files_with_types_and_csp() {
    let s = start().await;
    let r = s.get("/", &[]).await;
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/html")));
    let csp = r.header("content-security-policy").unwrap_or_default();
    assert!(
        csp.starts_with(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' "
        ),
        "{csp}"
    );
    assert!(csp.contains(&s.url), "{csp}");
    assert!(r.header("x-request-id").is_some());
    let r = s.get("/app.js", &[]).await;
    assert!(r
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/javascript")));
    assert!(r.header("content-security-policy").is_none());
    let r = s.get("/pkg/partner_sdk_bg.wasm", &[]).await;
    assert_eq!(
        (r.status, r.header("content-type")),
        (200, Some("application/wasm"))
    );
    assert_eq!(&r.body[..4], b"\0asm");
    assert_eq!(s.get("/pkg/index.js", &[]).await.status, 200);
    assert_eq!(s.get("/sub/", &[]).await.text(), "<p>sub</p>");
    assert_eq!(s.get("/sub", &[]).await.status, 308);
}

#[tokio::test]
async fn no_directory_traversal_and_missing_roots_are_404() {
    let s = start().await;
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/pkg/..%2fsecret.txt",
        "/pkg/%2e%2e/secret.txt",
        "/.hidden",
        "/nope.html",
    ] {
        let r = s.get(path, &[]).await;
        assert_eq!(r.status, 404, "{path}");
        assert!(!r.text().contains("outside the roots"));
    }
    let s = start_with(|c| {
        c.www = "/nonexistent/www".into();
        c.pkg = "/nonexistent/pkg".into();
    })
    .await;
    s.get("/", &[]).await.assert_error(404, "not_found");
    s.get("/pkg/x.wasm", &[])
        .await
        .assert_error(404, "not_found");
}

#[tokio::test]
async fn unknown_routes_and_methods_get_json_errors() {
    let s = start().await;
    s.send("POST", "/nothing", &[], "")
        .await
        .assert_error(404, "not_found");
    s.send("DELETE", "/v1/invoices/inv_1001", &[], "")
        .await
        .assert_error(405, "invalid_request");
    s.send("GET", "/oauth/token", &[], "")
        .await
        .assert_error(405, "invalid_request");
}
