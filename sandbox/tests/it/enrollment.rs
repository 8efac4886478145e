//! Card enrollment: the credential set and its tokens, the backend route,
//! `POST /v1/subaccounts/{id}/cards` and `/__sandbox/cards`.

use std::time::{SystemTime, UNIX_EPOCH};

use sandbox::clock::year_month;
use serde_json::{json, Value};

use crate::common::*;

const CARDS: &str = "/v1/subaccounts/sub_demo/cards";
const VISA: &str = "4242 4242 4242 4242";

fn this_year_month() -> (i64, i64) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (y, m) = year_month(now);
    (y, i64::from(m))
}

fn card(number: &str, cvc: &str) -> Value {
    let (y, _) = this_year_month();
    json!({"number": number, "expMonth": 12, "expYear": y + 3, "cvc": cvc, "name": "Ada Lovelace"})
}

async fn enroll(s: &Sandbox, token: &str, body: &Value) -> Resp {
    s.post_json(CARDS, &[("authorization", &bearer(token))], body)
        .await
}

#[tokio::test]
async fn enrollment_credentials_get_only_the_enrollment_scope() {
    let s = start().await;
    let t = s.enrollment_token().await;
    let c = claims(&t);
    assert_eq!(
        (c["scope"].as_str(), c["client_id"].as_str()),
        (Some("cards/enroll"), Some(ENROLL_ID))
    );
    assert_eq!(
        c["exp"].as_i64().unwrap_or(0) - c["iat"].as_i64().unwrap_or(0),
        300
    );
    // Asking for another set's scope is invalid_scope.
    let auth = basic(ENROLL_ID, ENROLL_SECRET);
    let form = [
        ("authorization", auth.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    for scope in ["gatekeeper%2Fpublic", "api"] {
        let body = format!("grant_type=client_credentials&scope={scope}");
        s.send("POST", "/oauth2/token", &form, body)
            .await
            .assert_error(400, "invalid_scope");
    }
    let r = s
        .send(
            "POST",
            "/oauth2/token",
            &form,
            "grant_type=client_credentials&scope=cards%2Fenroll",
        )
        .await;
    assert_eq!(r.json()["scope"], "cards/enroll");
    // An enrollment token opens nothing else.
    s.invoice("inv_1001", &t)
        .await
        .assert_error(403, "insufficient_scope");
    let init = s
        .post_json(
            "/v1/checkout-auth/init",
            &[("authorization", &bearer(&t))],
            &json!({"customer_id": "cus_demo", "invoice_id": "inv_1001"}),
        )
        .await;
    init.assert_error(403, "insufficient_scope");
}

#[tokio::test]
async fn a_valid_card_is_stored_without_its_number() {
    let s = start().await;
    let t = s.enrollment_token().await;
    let (y, _) = this_year_month();
    let r = enroll(&s, &t, &card(VISA, "123")).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let j = r.json();
    assert!(j["cardId"]
        .as_str()
        .is_some_and(|id| id.starts_with("card_")));
    assert_eq!(
        (
            j["last4"].as_str(),
            j["brand"].as_str(),
            j["expMonth"].as_i64(),
            j["expYear"].as_i64()
        ),
        (Some("4242"), Some("visa"), Some(12), Some(y + 3))
    );
    assert_eq!(j.as_object().map(|o| o.len()), Some(5), "{j}");
    let text = r.text();
    assert!(
        !text.contains("4242424242424242") && !text.contains("4242 4242"),
        "{text}"
    );
    for (number, cvc, brand) in [
        ("5555 5555 5555 4444", "123", "mastercard"),
        ("3782 822463 10005", "1234", "amex"),
        ("6011 1111 1111 1117", "123", "discover"),
        ("3056 9300 0902 0004", "123", "unknown"),
    ] {
        let r = enroll(&s, &t, &card(number, cvc)).await;
        assert_eq!(
            (r.status, r.json()["brand"].as_str()),
            (201, Some(brand)),
            "{number}"
        );
    }
    let stored = s.get("/__sandbox/cards", &[]).await;
    let cards = stored.json()["cards"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(cards.len(), 5);
    assert_eq!(cards[0]["cardId"], j["cardId"]);
    assert_eq!(
        (
            cards[0]["subaccountId"].as_str(),
            cards[0]["last4"].as_str()
        ),
        (Some("sub_demo"), Some("4242"))
    );
    assert!(!stored.text().contains("4242424242424242"));
    let n = s.counters().await;
    assert_eq!(
        (n["cards_enrolled"].as_u64(), n["api_requests"].as_u64()),
        (Some(5), Some(5))
    );
    assert_eq!(n["last_jti"], claims(&t)["jti"]);
    s.control("reset", &json!({})).await;
    assert_eq!(
        s.get("/__sandbox/cards", &[]).await.json()["cards"],
        json!([])
    );
}

#[tokio::test]
async fn other_tokens_are_403_and_bad_tokens_401() {
    let s = start().await;
    let body = card(VISA, "123");
    let api = s.api_token().await;
    let checkout = s.checkout_token("inv_1001").await;
    let gatekeeper = s.gatekeeper_token().await;
    for t in [&api, &checkout, &gatekeeper] {
        enroll(&s, t, &body)
            .await
            .assert_error(403, "insufficient_scope");
    }
    let expired = s.mint(json!({"kind": "enrollment", "ttl": 0})).await;
    assert_eq!(claims(&expired)["scope"], "cards/enroll");
    enroll(&s, &expired, &body).await.assert_invalid_token();
    s.post_json(CARDS, &[], &body).await.assert_invalid_token();
    enroll(&s, "a.b.c", &body).await.assert_invalid_token();
    let fresh = s.mint(json!({"kind": "enrollment"})).await;
    s.control("revoke", &json!({})).await;
    enroll(&s, &fresh, &body).await.assert_invalid_token();
    let n = s.counters().await;
    assert_eq!(
        (n["forbidden"].as_u64(), n["unauthorized"].as_u64()),
        (Some(3), Some(4))
    );
    assert_eq!(
        s.get("/__sandbox/cards", &[]).await.json()["cards"],
        json!([])
    );
}

/// Asserts a 422 field error that does not echo the input.
fn assert_field(r: &Resp, field: &str, secret: &str) {
    assert_eq!(r.status, 422, "{}", r.text());
    let j = r.json();
    assert_eq!(
        (j["error"].as_str(), j["field"].as_str()),
        (Some("invalid_card"), Some(field)),
        "{j}"
    );
    assert!(j["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(!r.text().contains(secret), "{}", r.text());
}

#[tokio::test]
async fn field_errors_are_422_and_never_echo_the_card() {
    let s = start().await;
    let t = s.mint(json!({"kind": "enrollment"})).await;
    let (y, m) = this_year_month();
    for number in [
        "4242424242424241",     // Luhn
        "4242-4242-4242-4242",  // not digits and spaces
        "42424242424",          // 11 digits
        "42424242424242424242", // 20 digits
    ] {
        let r = enroll(&s, &t, &card(number, "123")).await;
        assert_field(&r, "number", number);
    }
    enroll(
        &s,
        &t,
        &json!({"expMonth": 1, "expYear": y + 1, "cvc": "123"}),
    )
    .await
    .assert_field_shape("number");
    let n = "4242424242424242";
    let (last_y, last_m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    for (month, year) in [(last_m, last_y), (13, y + 1), (0, y + 1), (1, y + 30)] {
        let body = json!({"number": n, "expMonth": month, "expYear": year, "cvc": "123"});
        assert_field(&enroll(&s, &t, &body).await, "expiry", n);
    }
    // This month is still valid; a two-digit year means 20YY.
    let body = json!({"number": n, "expMonth": m, "expYear": y % 100, "cvc": "123"});
    assert_eq!(enroll(&s, &t, &body).await.status, 201);
    for (number, cvc) in [
        (n, "12"),
        (n, "1234"),
        (n, "12a"),
        ("378282246310005", "123"),
    ] {
        let r = enroll(&s, &t, &card(number, cvc)).await;
        assert_field(&r, "cvc", number);
    }
    let r = enroll(
        &s,
        &t,
        &json!({"number": n, "expMonth": 1, "expYear": y + 1, "cvc": 123}),
    )
    .await;
    assert_field(&r, "cvc", n);
    // Not a JSON object / not JSON at all: 400 like every other endpoint.
    enroll(&s, &t, &json!([1]))
        .await
        .assert_error(400, "invalid_request");
    s.send(
        "POST",
        CARDS,
        &[
            ("authorization", &bearer(&t)),
            ("content-type", "text/plain"),
        ],
        "x",
    )
    .await
    .assert_error(415, "invalid_request");
    s.post_json(
        "/v1/subaccounts/..%2Fx/cards",
        &[("authorization", &bearer(&t))],
        &card(n, "123"),
    )
    .await
    .assert_error(400, "invalid_request");
    assert_eq!(s.counters().await["cards_enrolled"], 1);
}

#[tokio::test]
async fn the_decline_test_card_is_402() {
    let s = start().await;
    let t = s.mint(json!({"kind": "enrollment"})).await;
    let r = enroll(&s, &t, &card("4000 0000 0000 0002", "123")).await;
    r.assert_error(402, "card_declined");
    assert!(!r.text().contains("4000000000000002"));
    assert_eq!(
        s.get("/__sandbox/cards", &[]).await.json()["cards"],
        json!([])
    );
}

#[tokio::test]
async fn the_expiry_check_uses_the_server_clock() {
    let s = start().await;
    let t = s
        .mint(json!({"kind": "enrollment", "ttl": 10 * 365 * 86_400}))
        .await;
    let (y, _) = this_year_month();
    let body = json!({"number": VISA, "expMonth": 12, "expYear": y + 1, "cvc": "123"});
    // Two years ahead on the server, a card expiring next December is expired.
    s.control("clock", &json!({"offset_s": 2 * 366 * 86_400}))
        .await;
    assert_field(&enroll(&s, &t, &body).await, "expiry", "4242424242424242");
    s.control("clock", &json!({"offset_s": 0})).await;
    assert_eq!(enroll(&s, &t, &body).await.status, 201);
}

#[tokio::test]
async fn the_backend_hands_out_enrollment_tokens() {
    let s = start().await;
    let r = s.get("/api/enrollment-token", &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let text = r.text();
    assert!(text.ends_with('\n') && !text.contains(ENROLL_SECRET));
    let token = text.trim_end();
    assert_eq!(claims(token)["scope"], "cards/enroll");
    assert_eq!(enroll(&s, token, &card(VISA, "123")).await.status, 201);
    // Cached: a second call is the same token, one OAuth request.
    assert_eq!(s.get("/api/enrollment-token", &[]).await.text(), text);
    let n = s.counters().await;
    assert_eq!(
        (
            n["tokens_issued"]["enrollment"].as_u64(),
            n["tokens_issued"]["oauth"].as_u64()
        ),
        (Some(2), Some(1))
    );
    let cfg = s.get("/api/enrollment-config", &[]).await.json();
    assert_eq!(
        cfg,
        json!({"baseUrl": s.url, "subaccountId": "sub_demo", "companyName": "Demo Shop"})
    );
}

trait FieldShape {
    fn assert_field_shape(&self, field: &str);
}

impl FieldShape for Resp {
    fn assert_field_shape(&self, field: &str) {
        assert_eq!(self.status, 422, "{}", self.text());
        assert_eq!(self.json()["field"], field);
    }
}
