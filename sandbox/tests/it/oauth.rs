//! `/oauth/token` and `/oauth2/token`.

use serde_json::json;

use crate::common::*;

const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

#[tokio::test]
async fn basic_auth_form_grant() {
    let s = start().await;
    let auth = basic(API_ID, API_SECRET);
    let r = s
        .send(
            "POST",
            "/oauth/token",
            &[("authorization", &auth), FORM],
            "grant_type=client_credentials",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let j = r.json();
    assert_eq!(j["token_type"], "Bearer");
    assert_eq!(j["expires_in"], 3600);
    assert_eq!(j["scope"], "api");
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let token = j["access_token"].as_str().unwrap_or_default();
    assert_eq!(token.split('.').count(), 3);
    let c = claims(token);
    assert_eq!(c["client_id"], API_ID);
    assert_eq!(
        c["exp"].as_i64().unwrap_or(0) - c["iat"].as_i64().unwrap_or(0),
        3600
    );
}

#[tokio::test]
async fn two_authorization_headers_are_a_bad_request() {
    let s = start().await;
    let right = basic(API_ID, API_SECRET);
    let wrong = basic(API_ID, "wrong-secret-value");
    for pair in [[&right, &wrong], [&wrong, &right]] {
        let h = [
            ("authorization", pair[0].as_str()),
            ("authorization", pair[1].as_str()),
            FORM,
        ];
        s.send("POST", "/oauth/token", &h, "grant_type=client_credentials")
            .await
            .assert_error(400, "invalid_request");
    }
}

#[tokio::test]
async fn json_body_grant() {
    let s = start().await;
    let body = json!({"client_id": API_ID, "client_secret": API_SECRET, "grant_type": "client_credentials"});
    let r = s.post_json("/oauth/token", &[], &body).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["token_type"], "Bearer");
}

#[tokio::test]
async fn bad_secret_and_unknown_client_are_refused_without_echo() {
    let s = start().await;
    let auth = basic(API_ID, "wrong-secret-value");
    let r = s
        .send(
            "POST",
            "/oauth/token",
            &[("authorization", &auth), FORM],
            "grant_type=client_credentials",
        )
        .await;
    r.assert_error(401, "invalid_client");
    assert!(r
        .header("www-authenticate")
        .is_some_and(|h| h.starts_with("Basic")));
    assert!(!r.text().contains("wrong-secret-value"));
    let body = json!({"client_id": "nobody", "client_secret": API_SECRET, "grant_type": "client_credentials"});
    s.post_json("/oauth/token", &[], &body)
        .await
        .assert_error(401, "invalid_client");
    let body = json!({"client_id": API_ID, "client_secret": SDK_SECRET, "grant_type": "client_credentials"});
    s.post_json("/oauth/token", &[], &body)
        .await
        .assert_error(401, "invalid_client");
    let r = s
        .send(
            "POST",
            "/oauth/token",
            &[FORM],
            "grant_type=client_credentials",
        )
        .await;
    r.assert_error(401, "invalid_client");
}

#[tokio::test]
async fn grant_type_is_checked() {
    let s = start().await;
    let auth = basic(API_ID, API_SECRET);
    let r = s
        .send(
            "POST",
            "/oauth/token",
            &[("authorization", &auth), FORM],
            "",
        )
        .await;
    r.assert_error(400, "invalid_request");
    let r = s
        .send(
            "POST",
            "/oauth/token",
            &[("authorization", &auth), FORM],
            "grant_type=password",
        )
        .await;
    r.assert_error(400, "unsupported_grant_type");
}

#[tokio::test]
async fn malformed_wrong_type_and_oversize_bodies() {
    let s = start().await;
    let r = s
        .send(
            "POST",
            "/oauth/token",
            &[("content-type", "application/json")],
            "{\"client_secret\": \"api_secret_dev\",",
        )
        .await;
    r.assert_error(400, "invalid_request");
    assert!(!r.text().contains("api_secret_dev"));
    let r = s
        .send(
            "POST",
            "/oauth/token",
            &[("content-type", "text/plain")],
            "grant_type=client_credentials",
        )
        .await;
    r.assert_error(415, "invalid_request");
    let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(70 * 1024));
    let r = s
        .send(
            "POST",
            "/oauth/token",
            &[("content-type", "application/json")],
            big,
        )
        .await;
    r.assert_error(413, "invalid_request");
    let r = s
        .send(
            "POST",
            "/oauth/token",
            &[("content-type", "application/json")],
            "[1,2]",
        )
        .await;
    r.assert_error(400, "invalid_request");
}

#[tokio::test]
async fn scopes_follow_the_credential_set() {
    let s = start().await;
    let token = s.gatekeeper_token().await;
    let c = claims(&token);
    assert_eq!(c["scope"], "gatekeeper/public");
    assert_eq!(c["client_id"], SDK_ID);
    let api = basic(API_ID, API_SECRET);
    let r = s
        .send(
            "POST",
            "/oauth2/token",
            &[("authorization", &api), FORM],
            "grant_type=client_credentials&scope=gatekeeper%2Fpublic",
        )
        .await;
    r.assert_error(400, "invalid_scope");
    let sdk = basic(SDK_ID, SDK_SECRET);
    let r = s
        .send(
            "POST",
            "/oauth2/token",
            &[("authorization", &sdk), FORM],
            "grant_type=client_credentials&scope=api",
        )
        .await;
    r.assert_error(400, "invalid_scope");
    let n = s.counters().await;
    assert_eq!(n["oauth_token_requests"], 3);
    assert_eq!(n["tokens_issued"]["oauth2"], 1);
}

#[tokio::test]
async fn wrong_credential_set_is_refused_on_the_other_endpoints() {
    let s = start().await;
    let sdk_token = s.gatekeeper_token().await;
    let body = json!({"customer_id": "cus_demo", "invoice_id": "inv_1001"});
    let r = s
        .post_json(
            "/v1/checkout-auth/init",
            &[("authorization", &bearer(&sdk_token))],
            &body,
        )
        .await;
    r.assert_error(403, "insufficient_scope");
    assert_eq!(
        r.header("www-authenticate"),
        Some("Bearer error=\"insufficient_scope\"")
    );
    let api_token = s.api_token().await;
    let h = [
        ("authorization", bearer(&api_token)),
        ("x-api-key", "demo-api-key".to_owned()),
    ];
    let h: Vec<(&str, &str)> = h.iter().map(|(k, v)| (*k, v.as_str())).collect();
    s.send("POST", GK_PATH, &h, "")
        .await
        .assert_error(403, "insufficient_scope");
    s.invoice("inv_1001", &api_token)
        .await
        .assert_error(403, "insufficient_scope");
}

/// A page of another origin can post bad credentials without a preflight (a form): it
/// is refused before it counts, so it cannot lock out the example backend, whose own
/// requests come from the same 127.0.0.1.
#[tokio::test]
async fn a_foreign_page_cannot_use_up_the_rate_limit() {
    let s = start().await;
    let wrong = basic(API_ID, "nope");
    for path in ["/oauth/token", "/oauth2/token"] {
        for origin in ["https://evil.example", "null"] {
            for _ in 0..6 {
                let h = [("authorization", wrong.as_str()), ("origin", origin), FORM];
                let r = s
                    .send("POST", path, &h, "grant_type=client_credentials")
                    .await;
                assert_eq!(r.status, 403, "{path} {origin}");
            }
        }
    }
    let right = basic(API_ID, API_SECRET);
    let h = [("authorization", right.as_str()), FORM];
    let r = s
        .send("POST", "/oauth/token", &h, "grant_type=client_credentials")
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let own = s.url.clone();
    let h = [
        ("authorization", right.as_str()),
        ("origin", own.as_str()),
        FORM,
    ];
    let r = s
        .send("POST", "/oauth/token", &h, "grant_type=client_credentials")
        .await;
    assert_eq!(r.status, 200, "the sandbox's own pages still reach it");
}

#[tokio::test]
async fn repeated_failures_are_rate_limited_per_client_and_per_ip() {
    let s = start().await;
    let wrong = basic(API_ID, "nope");
    for _ in 0..10 {
        let r = s
            .send(
                "POST",
                "/oauth/token",
                &[("authorization", &wrong), FORM],
                "grant_type=client_credentials",
            )
            .await;
        assert_eq!(r.status, 401);
    }
    let right = basic(API_ID, API_SECRET);
    let r = s
        .send(
            "POST",
            "/oauth/token",
            &[("authorization", &right), FORM],
            "grant_type=client_credentials",
        )
        .await;
    r.assert_error(429, "rate_limited");
    let retry: u64 = r
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert!((1..=60).contains(&retry), "retry-after {retry}");
    // Same IP, another client id: the per-IP window is full too.
    let sdk = basic(SDK_ID, SDK_SECRET);
    let r = s
        .send(
            "POST",
            "/oauth2/token",
            &[("authorization", &sdk), FORM],
            "grant_type=client_credentials",
        )
        .await;
    assert_eq!(r.status, 429);
    s.control("reset", &json!({})).await;
    let r = s
        .send(
            "POST",
            "/oauth/token",
            &[("authorization", &right), FORM],
            "grant_type=client_credentials",
        )
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn basic_credentials_are_form_urlencoded_as_rfc_6749_says() {
    // An id and a secret with characters that form-urlencoding changes.
    let (id, secret) = ("api client:1", "s+c/r=t%1 ü");
    let s = start_with(|c| {
        c.credentials.api.id = id.into();
        c.credentials.api.secret = sandbox::config::Secret::new(secret);
        c.credentials.api.is_dev_default = false;
    })
    .await;
    let s = &s;
    let send = |auth: String| async move {
        s.send(
            "POST",
            "/oauth/token",
            &[("authorization", &auth), FORM],
            "grant_type=client_credentials",
        )
        .await
    };
    let grant = |auth: String| async move { send(auth).await.status };
    // RFC 6749 §2.3.1: each part form-urlencoded, then Basic. The token names the
    // client by its registered id, not by the request's spelling of it.
    let r = send(basic("api+client%3A1", "s%2Bc%2Fr%3Dt%251+%C3%BC")).await;
    assert_eq!(r.status, 200);
    let token = r.json()["access_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    assert_eq!(claims(&token)["sub"], id);
    assert_eq!(claims(&token)["client_id"], id);
    // Sent as they are, the id's ':' splits them in the wrong place.
    assert_eq!(grant(basic(id, secret)).await, 401);
    // The example backend encodes them that way: its checkout token comes from this grant.
    let r = s
        .post_json(
            "/api/checkout-token",
            &[],
            &json!({"customerId": "cus_demo", "invoiceId": "inv_1001"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}
