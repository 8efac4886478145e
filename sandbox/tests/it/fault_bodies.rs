//! Fault options that shape the canned body: `body_bytes`, `trickle_ms` /
//! `chunk_bytes`, `close_after_bytes`. Read over raw TCP where timing or a cut
//! connection matters.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::*;

const INVOICE: &str = "/v1/invoices/inv_1001";

/// A raw HTTP/1.1 GET on a keep-alive connection: what arrived, and when.
struct Raw {
    head: String,
    body: Vec<u8>,
    /// From the end of the request to the first byte of the answer.
    first_byte: Duration,
    /// From the end of the request to the last byte of the answer.
    last_byte: Duration,
    /// From the end of the request to the end of the connection.
    total: Duration,
}

impl Raw {
    fn content_length(&self) -> Option<usize> {
        self.head.lines().find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
    }
}

/// Sends a GET without `Connection: close` and reads until the server ends the
/// connection or `limit` passes (a complete keep-alive answer never ends it).
async fn raw_get(s: &Sandbox, path: &str, limit: Duration) -> Raw {
    let addr = s.url.trim_start_matches("http://").to_owned();
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || read_raw(&addr, &path, limit))
        .await
        .expect("reader thread")
}

fn read_raw(addr: &str, path: &str, limit: Duration) -> Raw {
    let mut tcp = TcpStream::connect(addr).expect("connect");
    let req = format!("GET {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n");
    tcp.write_all(req.as_bytes()).expect("write");
    let t0 = Instant::now();
    let (mut first_byte, mut last_byte) = (None, Duration::ZERO);
    let mut all = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    while let Some(left) = limit.checked_sub(t0.elapsed()).filter(|d| !d.is_zero()) {
        tcp.set_read_timeout(Some(left)).expect("timeout");
        match tcp.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                first_byte.get_or_insert(t0.elapsed());
                last_byte = t0.elapsed();
                all.extend_from_slice(&buf[..n]);
            }
        }
    }
    let total = t0.elapsed();
    let split = all
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    Raw {
        head: String::from_utf8_lossy(&all[..split]).into_owned(),
        body: all[split + 4..].to_vec(),
        first_byte: first_byte.unwrap_or(total),
        last_byte,
        total,
    }
}

#[tokio::test]
async fn body_bytes_sends_that_many_x() {
    let s = start().await;
    let n = 10 * 1024 * 1024;
    s.control(
        "faults",
        &json!({"path": INVOICE, "status": 200, "body_bytes": n}),
    )
    .await;
    let r = s.get(INVOICE, &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body.len(), n);
    assert!(r.body.iter().all(|&b| b == b'x'));
    assert_eq!(r.header("content-length"), Some("10485760"));
    assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
    assert!(r.header("x-request-id").is_some());
    // One use only: the next request is the real endpoint (401 without a token).
    s.get(INVOICE, &[]).await.assert_invalid_token();
}

#[tokio::test]
async fn trickle_sends_the_head_at_once_then_one_chunk_per_interval() {
    let s = start().await;
    let fault = json!({"path": INVOICE, "status": 200, "body": "abcdefgh", "trickle_ms": 150, "chunk_bytes": 2});
    s.control("faults", &fault).await;
    let r = raw_get(&s, INVOICE, Duration::from_millis(1500)).await;
    assert!(r.head.starts_with("HTTP/1.1 200"), "{}", r.head);
    assert_eq!(r.content_length(), Some(8));
    assert_eq!(r.body, b"abcdefgh");
    assert!(
        r.first_byte < Duration::from_millis(150),
        "{:?}",
        r.first_byte
    );
    // 4 chunks, 3 pauses.
    assert!(
        r.last_byte >= Duration::from_millis(450),
        "{:?}",
        r.last_byte
    );
}

#[tokio::test]
async fn close_after_bytes_promises_more_than_it_sends_then_drops_the_connection() {
    let s = start().await;
    let fault =
        json!({"path": INVOICE, "status": 200, "body_bytes": 1000, "close_after_bytes": 10});
    s.control("faults", &fault).await;
    let r = raw_get(&s, INVOICE, Duration::from_secs(5)).await;
    assert!(r.head.starts_with("HTTP/1.1 200"), "{}", r.head);
    assert_eq!(r.content_length(), Some(1000));
    assert_eq!(r.body, vec![b'x'; 10]);
    assert!(
        r.total < Duration::from_secs(5),
        "a keep-alive connection was not dropped"
    );
    // The server is fine afterwards.
    s.get(INVOICE, &[]).await.assert_invalid_token();
}

#[tokio::test]
async fn bad_body_options_are_400() {
    let s = start().await;
    for body in [
        json!({"path": "/v1", "body_bytes": 10}),
        json!({"path": "/v1", "trickle_ms": 10}),
        json!({"path": "/v1", "status": 200, "body": "x", "body_bytes": 10}),
        json!({"path": "/v1", "status": 200, "body_bytes": 64 * 1024 * 1024 + 1}),
        json!({"path": "/v1", "status": 200, "trickle_ms": 10_001}),
        json!({"path": "/v1", "status": 200, "trickle_ms": 10, "chunk_bytes": 0}),
        json!({"path": "/v1", "status": 200, "body": "abc", "close_after_bytes": 3}),
        json!({"path": "/v1", "status": 200, "body_bytes": -1}),
    ] {
        s.post_json("/__sandbox/faults", &[], &body)
            .await
            .assert_error(400, "invalid_request");
    }
}
