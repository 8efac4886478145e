//! Faults for the SDK's retry rules: `Retry-After` as seconds or as an
//! HTTP-date from the server's clock, fail-N-then-heal, a dropped connection,
//! and the CORS headers a page needs to read them.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sandbox::clock::http_date;
use serde_json::json;

use crate::common::*;

const INVOICE: &str = "/v1/invoices/inv_1001";

fn sys_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[tokio::test]
async fn retry_after_in_seconds() {
    let s = start().await;
    let t = s.mint(json!({"kind": "checkout"})).await;
    let f = json!({"path": INVOICE, "status": 503, "retry_after_s": 1});
    s.control("faults", &f).await;
    let r = s.invoice("inv_1001", &t).await;
    r.assert_error(503, "injected_fault");
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(s.invoice("inv_1001", &t).await.status, 200);
}

#[tokio::test]
async fn retry_after_as_a_date_from_the_shifted_clock() {
    let s = start().await;
    let t = s.mint(json!({"kind": "checkout"})).await;
    s.control("clock", &json!({"offset_s": -3600})).await;
    let f =
        json!({"path": INVOICE, "status": 503, "retry_after_s": 2, "retry_after_as_date": true});
    s.control("faults", &f).await;
    let r = s.invoice("inv_1001", &t).await;
    assert_eq!(r.status, 503);
    let server_now = sys_now() - 3600;
    let retry = r.header("retry-after").unwrap_or_default().to_owned();
    let date = r.header("date").unwrap_or_default().to_owned();
    let at = (server_now - 2..=server_now + 2)
        .find(|n| http_date(*n) == date)
        .unwrap_or_else(|| panic!("date {date:?}"));
    // Retry-After is the server's Date plus 2 s (±1 s across a second boundary).
    assert!(
        (at + 1..=at + 3).any(|n| http_date(n) == retry),
        "{retry:?} vs {date:?}"
    );
    for bad in [
        json!({"path": INVOICE, "retry_after_s": 1}),
        json!({"path": INVOICE, "status": 503, "retry_after_as_date": true}),
        json!({"path": INVOICE, "status": 503, "retry_after_s": 100_000}),
    ] {
        s.post_json("/__sandbox/faults", &[], &bad)
            .await
            .assert_error(400, "invalid_request");
    }
}

#[tokio::test]
async fn fail_the_next_n_then_heal() {
    let s = start().await;
    let t = s.mint(json!({"kind": "checkout"})).await;
    let auth = bearer(&t);
    let path = "/v1/invoices/inv_1001/payments";
    s.control("faults", &json!({"path": path, "count": 3, "status": 502}))
        .await;
    // A GET of the invoice does not match the payments prefix.
    assert_eq!(s.invoice("inv_1001", &t).await.status, 200);
    for _ in 0..3 {
        let r = s.send("POST", path, &[("authorization", &auth)], "").await;
        r.assert_error(502, "injected_fault");
    }
    let r = s.send("POST", path, &[("authorization", &auth)], "").await;
    assert_eq!(r.status, 201);
    // Faulted attempts never reached the handler: one payment.
    assert_eq!(s.counters().await["payments_created"], 1);
}

/// A raw request; returns everything the server sent before closing.
fn raw_get(url: &str, path: &str) -> Vec<u8> {
    let addr = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    out
}

#[tokio::test]
async fn drop_connection_answers_nothing() {
    let s = start().await;
    s.control(
        "faults",
        &json!({"path": INVOICE, "count": 2, "drop_connection": true, "delay_ms": 50}),
    )
    .await;
    for _ in 0..2 {
        let url = s.url.clone();
        let got = tokio::task::spawn_blocking(move || raw_get(&url, INVOICE))
            .await
            .unwrap_or_default();
        assert!(got.is_empty(), "{}", String::from_utf8_lossy(&got));
    }
    let url = s.url.clone();
    let got = tokio::task::spawn_blocking(move || raw_get(&url, INVOICE))
        .await
        .unwrap_or_default();
    assert!(got.starts_with(b"HTTP/1.1 401"));
    s.post_json(
        "/__sandbox/faults",
        &[],
        &json!({"path": INVOICE, "drop_connection": true, "status": 500}),
    )
    .await
    .assert_error(400, "invalid_request");
}

#[tokio::test]
async fn cors_lets_a_page_send_and_read_the_retry_headers() {
    let s = start().await;
    let origin = ("origin", "http://localhost:5173");
    let pre = s
        .send(
            "OPTIONS",
            "/v1/invoices/inv_1001/payments",
            &[
                origin,
                ("access-control-request-method", "POST"),
                (
                    "access-control-request-headers",
                    "authorization,content-type,idempotency-key,x-api-key",
                ),
            ],
            "",
        )
        .await;
    assert_eq!(pre.status, 204);
    let allowed = pre
        .header("access-control-allow-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    for h in [
        "authorization",
        "content-type",
        "idempotency-key",
        "x-api-key",
    ] {
        assert!(allowed.contains(h), "{allowed}");
    }
    let f = json!({"path": INVOICE, "status": 503, "retry_after_s": 1});
    s.control("faults", &f).await;
    let r = s.get(INVOICE, &[origin]).await;
    assert_eq!(r.status, 503);
    let exposed = r
        .header("access-control-expose-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    for h in ["retry-after", "x-request-id", "date", "idempotent-replayed"] {
        assert!(exposed.split(", ").any(|e| e == h), "{exposed}");
    }
}
