//! `Idempotency-Key` on `POST /v1/invoices/{id}/payments`.

use serde_json::{json, Value};

use crate::common::*;

const PAY: &str = "/v1/invoices/inv_1001/payments";

async fn pay(s: &Sandbox, token: &str, key: Option<&str>, body: &str) -> Resp {
    let auth = bearer(token);
    let mut h = vec![
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];
    if let Some(k) = key {
        h.push(("idempotency-key", k));
    }
    s.send("POST", PAY, &h, body.to_owned()).await
}

#[tokio::test]
async fn the_same_key_and_body_replay_the_first_payment() {
    let s = start().await;
    let t = s.mint(json!({"kind": "checkout"})).await;
    let first = pay(&s, &t, Some("k-1"), r#"{"method":"card"}"#).await;
    assert_eq!(first.status, 201, "{}", first.text());
    assert_eq!(first.header("idempotent-replayed"), None);
    let again = pay(&s, &t, Some("k-1"), r#"{"method":"card"}"#).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.json(), first.json());
    // A refreshed token for the same invoice replays too.
    let t2 = s.mint(json!({"kind": "checkout"})).await;
    let third = pay(&s, &t2, Some("k-1"), r#"{"method":"card"}"#).await;
    assert_eq!(third.json()["id"], first.json()["id"]);
    let n = s.counters().await;
    assert_eq!(
        (
            n["payments_created"].as_u64(),
            n["payments_replayed"].as_u64()
        ),
        (Some(1), Some(2))
    );
}

#[tokio::test]
async fn the_same_key_with_another_body_is_422() {
    let s = start().await;
    let t = s.mint(json!({"kind": "checkout"})).await;
    assert_eq!(pay(&s, &t, Some("k"), r#"{"a":1}"#).await.status, 201);
    // Same JSON value, other bytes: still another body.
    for body in [r#"{"a":2}"#, r#"{ "a":1}"#, ""] {
        pay(&s, &t, Some("k"), body)
            .await
            .assert_error(422, "idempotency_key_reused");
    }
    assert_eq!(s.counters().await["payments_created"], 1);
}

#[tokio::test]
async fn keys_are_scoped_per_invoice_and_optional() {
    let s = start().await;
    let t1 = s.mint(json!({"kind": "checkout"})).await;
    let t2 = s
        .mint(json!({"kind": "checkout", "invoiceId": "inv_1002"}))
        .await;
    let a = pay(&s, &t1, Some("shared"), "").await.json();
    let auth = bearer(&t2);
    let b = s
        .send(
            "POST",
            "/v1/invoices/inv_1002/payments",
            &[("authorization", &auth), ("idempotency-key", "shared")],
            "",
        )
        .await;
    assert_eq!(b.status, 201);
    assert_eq!(b.header("idempotent-replayed"), None);
    assert_ne!(a["id"], b.json()["id"]);
    // Without a key every POST is a new payment.
    let c = pay(&s, &t1, None, "").await.json();
    let d = pay(&s, &t1, None, "").await.json();
    assert_ne!(c["id"], d["id"]);
    assert_eq!(s.counters().await["payments_created"], 4);
}

#[tokio::test]
async fn concurrent_retries_make_one_payment() {
    let s = std::sync::Arc::new(start().await);
    let t = s.mint(json!({"kind": "checkout"})).await;
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (s, t) = (s.clone(), t.clone());
        tasks.push(tokio::spawn(async move {
            pay(&s, &t, Some("storm"), r#"{"x":1}"#).await.json()["id"].clone()
        }));
    }
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.unwrap_or(Value::Null));
    }
    assert!(
        ids.iter().all(|id| id.is_string() && *id == ids[0]),
        "{ids:?}"
    );
    let n = s.counters().await;
    assert_eq!(
        (
            n["payments_created"].as_u64(),
            n["payments_replayed"].as_u64()
        ),
        (Some(1), Some(19))
    );
}

#[tokio::test]
async fn refused_attempts_are_not_remembered_and_bad_keys_are_400() {
    let s = start().await;
    let t = s.mint(json!({"kind": "checkout"})).await;
    let expired = s.mint(json!({"kind": "checkout", "ttl": 0})).await;
    pay(&s, &expired, Some("k"), "")
        .await
        .assert_invalid_token();
    let r = pay(&s, &t, Some("k"), "").await;
    assert_eq!((r.status, r.header("idempotent-replayed")), (201, None));
    let long = "k".repeat(256);
    for bad in [long.as_str(), ""] {
        pay(&s, &t, Some(bad), "")
            .await
            .assert_error(400, "invalid_request");
    }
    assert_eq!(s.counters().await["payments_created"], 1);
    // /__sandbox/reset forgets keys and zeroes the counters.
    s.control("reset", &json!({})).await;
    let r = pay(&s, &t, Some("k"), "").await;
    assert_eq!((r.status, r.header("idempotent-replayed")), (201, None));
    assert_eq!(s.counters().await["payments_created"], 1);
}
