//! `POST /__sandbox/clock`: the server's clock, shifted for tokens, for the
//! expiry check and for the `Date` header.

use std::time::{SystemTime, UNIX_EPOCH};

use sandbox::clock::http_date;
use serde_json::json;

use crate::common::*;

fn sys_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn near(actual: i64, expected: i64) -> bool {
    (actual - expected).abs() <= 2
}

fn iat(token: &str) -> i64 {
    claims(token)["iat"].as_i64().unwrap_or(0)
}

/// Whether a `Date` header is within 2 s of `expected`.
fn date_near(date: Option<&str>, expected: i64) -> bool {
    (expected - 2..=expected + 2).any(|t| date == Some(http_date(t).as_str()))
}

#[tokio::test]
async fn tokens_and_the_expiry_check_follow_the_shifted_clock() {
    let s = start().await;
    let r = s.control("clock", &json!({"offset_s": -86_400})).await;
    assert_eq!(r.json()["offset_s"], -86_400);
    let now = sys_now() - 86_400;
    // Every minting path carries the shifted iat.
    let minted = s.mint(json!({"kind": "checkout"})).await;
    assert!(near(iat(&minted), now));
    assert!(near(iat(&s.api_token().await), now));
    assert!(near(iat(&s.gatekeeper_token().await), now));
    let init = s.checkout_token("inv_1001").await;
    assert!(near(iat(&init), now));
    let backend = s
        .post_json(
            "/api/checkout-token",
            &[],
            &json!({"customerId": "cus_demo", "invoiceId": "inv_1001"}),
        )
        .await
        .json();
    assert!(near(
        iat(backend["token"].as_str().unwrap_or_default()),
        now
    ));
    let gk = s.get("/api/gatekeeper-token", &[]).await.text();
    assert!(near(iat(gk.trim()), now));
    // exp is a day in the real past, yet the API (whose clock says so) accepts it.
    assert!(claims(&minted)["exp"].as_i64().unwrap_or(0) < sys_now());
    let r = s.invoice("inv_1001", &minted).await;
    assert_eq!(r.status, 200);
    assert!(date_near(r.header("date"), now), "{:?}", r.header("date"));
    // Back to real time: the same token is expired.
    s.control("clock", &json!({"offset_s": 0})).await;
    s.invoice("inv_1001", &minted).await.assert_invalid_token();
}

#[tokio::test]
async fn a_server_clock_ahead_expires_tokens_early() {
    let s = start().await;
    let t = s.mint(json!({"kind": "checkout", "ttl": 60})).await;
    assert_eq!(s.invoice("inv_1001", &t).await.status, 200);
    s.control("clock", &json!({"offset_s": 120})).await;
    let r = s.invoice("inv_1001", &t).await;
    r.assert_invalid_token();
    assert!(date_near(r.header("date"), sys_now() + 120));
    let clock = s.get("/__sandbox/clock", &[]).await.json();
    assert_eq!(clock["offset_s"], 120);
    assert!(near(clock["now"].as_i64().unwrap_or(0), sys_now() + 120));
    // /__sandbox/reset puts the clock back.
    s.control("reset", &json!({})).await;
    assert_eq!(s.get("/__sandbox/clock", &[]).await.json()["offset_s"], 0);
    assert_eq!(s.invoice("inv_1001", &t).await.status, 200);
}

#[tokio::test]
async fn every_response_has_a_date_and_bad_offsets_are_400() {
    let s = start().await;
    for path in ["/v1/invoices/inv_1001", "/nope", "/__sandbox/counters"] {
        let r = s.get(path, &[]).await;
        assert!(date_near(r.header("date"), sys_now()), "{path}");
    }
    for body in [
        json!({"offset_s": 400_000_000}),
        json!({"offset_s": "1"}),
        json!({}),
    ] {
        s.post_json("/__sandbox/clock", &[], &body)
            .await
            .assert_error(400, "invalid_request");
    }
    let off = start_with(|c| c.test_controls = false).await;
    off.post_json("/__sandbox/clock", &[], &json!({"offset_s": 5}))
        .await
        .assert_error(404, "not_found");
}

#[tokio::test]
async fn a_test_mint_can_leave_iat_out_or_move_it_and_the_token_still_works() {
    let s = start().await;
    s.control("clock", &json!({"offset_s": 3_600})).await;
    let now = sys_now() + 3_600;
    // omitIat: a real signed token without the claim, accepted by the API.
    let bare = s
        .mint(json!({"kind": "checkout", "omitIat": true, "ttl": 600}))
        .await;
    let c = claims(&bare);
    assert!(c.get("iat").is_none(), "{c}");
    assert!(near(c["exp"].as_i64().unwrap_or(0), now + 600));
    assert_eq!(s.invoice("inv_1001", &bare).await.status, 200);
    // iatOffset: iat moved from the server's now (here into its future); exp is not.
    let ahead = s
        .mint(json!({"kind": "checkout", "iatOffset": 1_200, "ttl": 600}))
        .await;
    assert!(near(iat(&ahead), now + 1_200));
    assert!(near(claims(&ahead)["exp"].as_i64().unwrap_or(0), now + 600));
    assert_eq!(s.invoice("inv_1001", &ahead).await.status, 200);
    // The other kinds take both options too.
    let gk = s.mint(json!({"kind": "gatekeeper", "omitIat": true})).await;
    assert!(claims(&gk).get("iat").is_none());
    let enr = s
        .mint(json!({"kind": "enrollment", "iatOffset": -60}))
        .await;
    assert!(near(iat(&enr), now - 60));
    // omitIat: false is the default; both at once, or an offset over ten years, is refused.
    let plain = s.mint(json!({"kind": "checkout", "omitIat": false})).await;
    assert!(near(iat(&plain), now));
    for bad in [
        json!({"kind": "checkout", "omitIat": true, "iatOffset": 5}),
        json!({"kind": "checkout", "iatOffset": 315_360_001}),
        json!({"kind": "checkout", "omitIat": "yes"}),
    ] {
        s.post_json("/__sandbox/mint", &[], &bad)
            .await
            .assert_error(400, "invalid_request");
    }
}
