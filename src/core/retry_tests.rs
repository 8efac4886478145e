//! Tables for rule 9 ([`super`]).

use super::*;
use Outcome::*;
use Step::*;

fn entry(key: &str, value: Value) -> Entry {
    Entry {
        key: key.to_owned(),
        value,
    }
}

fn policy(limit: u32, max_delay_ms: u32) -> Option<RetryPolicy> {
    Some(RetryPolicy {
        limit,
        max_delay_ms,
    })
}

#[test]
fn option_values() {
    let n = Value::Number;
    let table: [(Vec<Entry>, Option<RetryPolicy>); 9] = [
        (vec![], policy(2, 10_000)),
        (vec![entry("limit", n(0.0))], policy(0, 10_000)),
        (vec![entry("limit", n(10.0))], policy(10, 10_000)),
        (vec![entry("maxDelayMs", n(0.0))], policy(2, 0)),
        (
            vec![entry("maxDelayMs", n(2_147_483_647.0))],
            policy(2, MAX_DELAY_MS),
        ),
        (
            vec![entry("limit", n(5.0)), entry("maxDelayMs", n(1.0))],
            policy(5, 1),
        ),
        (vec![entry("limit", Value::Undefined)], policy(2, 10_000)),
        (
            vec![entry("limit", n(1.0)), entry("limit", n(3.0))],
            policy(3, 10_000),
        ),
        (vec![entry("limit", n(-0.0))], policy(0, 10_000)),
    ];
    for (members, want) in table {
        assert_eq!(
            parse_retry(&RetryValue::Object(&members)),
            Ok(want),
            "{members:?}"
        );
    }
    assert_eq!(parse_retry(&RetryValue::Undefined), Ok(policy(2, 10_000)));
    assert_eq!(parse_retry(&RetryValue::Bool(true)), Ok(policy(2, 10_000)));
    assert_eq!(parse_retry(&RetryValue::Bool(false)), Ok(None));
}

#[test]
fn option_errors_name_the_key() {
    let n = Value::Number;
    let table = [
        (vec![entry("limit", n(11.0))], "retry.limit"),
        (vec![entry("limit", n(-1.0))], "retry.limit"),
        (vec![entry("limit", n(1.5))], "retry.limit"),
        (vec![entry("limit", n(f64::NAN))], "retry.limit"),
        (vec![entry("limit", n(f64::INFINITY))], "retry.limit"),
        (vec![entry("limit", Value::Str("2".into()))], "retry.limit"),
        (vec![entry("limit", Value::Other)], "retry.limit"),
        (
            vec![entry("maxDelayMs", n(2_147_483_648.0))],
            "retry.maxDelayMs",
        ),
        (vec![entry("maxDelayMs", n(-1.0))], "retry.maxDelayMs"),
        (vec![entry("maxDelayMs", n(0.5))], "retry.maxDelayMs"),
        (
            vec![entry("maxDelayMs", Value::Function)],
            "retry.maxDelayMs",
        ),
        (
            vec![entry("limit", n(1.0)), entry("maxdelayms", n(1.0))],
            "retry.maxdelayms",
        ),
        (vec![entry("retries", n(1.0))], "retry.retries"),
    ];
    for (members, key) in table {
        let err = parse_retry(&RetryValue::Object(&members)).err();
        assert_eq!(err.map(|e| e.key), Some(key.to_owned()), "{members:?}");
    }
    let err = parse_retry(&RetryValue::Other).err();
    assert_eq!(err.map(|e| e.key), Some("retry".to_owned()));
}

#[test]
fn methods() {
    let table = [
        ("GET", true, true, true),
        ("get", true, true, true),
        ("HEAD", true, true, true),
        ("OPTIONS", true, true, true),
        ("PUT", true, true, true),
        ("Delete", true, true, true),
        ("POST", false, false, true),
        ("PATCH", false, false, true),
        ("patch", false, false, true),
        ("CONNECT", false, false, true),
        ("", false, false, true),
        ("GET ", false, false, true),
    ];
    for (method, idempotent, without_key, with_key) in table {
        assert_eq!(is_idempotent(method), idempotent, "{method}");
        assert_eq!(may_retry(method, false), without_key, "{method}");
        assert_eq!(may_retry(method, true), with_key, "{method}");
    }
}

#[test]
fn retryable_outcomes() {
    let yes = [408, 429, 500, 502, 503, 504];
    for status in 0..=999u16 {
        assert_eq!(retryable(Status(status)), yes.contains(&status), "{status}");
    }
    assert!(retryable(NetworkError));
    assert!(retryable(Timeout));
    assert!(!retryable(Status(401)));
}

#[test]
fn retry_after_values() {
    let now = 784_111_777.0; // Sun, 06 Nov 1994 08:49:37 GMT
    let table = [
        ("0", Some(0.0)),
        ("120", Some(120.0)),
        (" 7 ", Some(7.0)),
        ("007", Some(7.0)),
        ("99999999999999999999999", Some(u64::MAX as f64)),
        ("Sun, 06 Nov 1994 08:50:07 GMT", Some(30.0)),
        ("Sunday, 06-Nov-94 08:50:07 GMT", Some(30.0)),
        ("Sun Nov  6 08:50:07 1994", Some(30.0)),
        ("Sun, 06 Nov 1994 08:49:37 GMT", Some(0.0)),
        ("Sat, 05 Nov 1994 08:49:37 GMT", Some(0.0)),
        ("", None),
        ("-1", None),
        ("1.5", None),
        ("+3", None),
        ("1e3", None),
        ("soon", None),
    ];
    for (value, want) in table {
        assert_eq!(parse_retry_after(value, now), want, "{value:?}");
    }
    assert_eq!(parse_retry_after("5", f64::NAN), Some(5.0));
    assert_eq!(
        parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", f64::NAN),
        None
    );
}

#[test]
fn backoff_table() {
    // (retry_index, random01, max_delay_ms) -> ms
    let table = [
        (0, 1.0, 10_000, 250),
        (0, 0.5, 10_000, 125),
        (1, 1.0, 10_000, 500),
        (2, 1.0, 10_000, 1000),
        (5, 1.0, 10_000, 8000),
        (6, 1.0, 10_000, 10_000),
        (6, 0.5, 10_000, 5000),
        (0, 0.0, 10_000, 0),
        (3, 1.0, 0, 0),
        (31, 1.0, u32::MAX, u32::MAX),
        (63, 1.0, 7, 7),
        (64, 1.0, 7, 7),
        (u32::MAX, 1.0, MAX_DELAY_MS, MAX_DELAY_MS),
        (0, f64::NAN, 10_000, 0),
        (0, -3.0, 10_000, 0),
        (0, 9.0, 10_000, 250),
        (0, f64::INFINITY, 10_000, 250),
    ];
    for (i, r, max, want) in table {
        assert_eq!(backoff_ms(i, r, max), want, "{i} {r} {max}");
    }
}

#[test]
fn steps() {
    let p = policy(2, 10_000);
    // (policy, retries_used, outcome, retry_after_s, may_retry, random01) -> step
    let table = [
        (p, 0, Status(503), None, true, 1.0, WaitMs(250)),
        (p, 1, Status(503), None, true, 1.0, WaitMs(500)),
        (p, 1, Timeout, None, true, 0.5, WaitMs(250)),
        (p, 0, NetworkError, None, true, 0.0, WaitMs(0)),
        (p, 2, Status(503), None, true, 1.0, GiveUp),
        (p, 0, Status(401), None, true, 1.0, GiveUp),
        (p, 0, Status(400), Some(1.0), true, 1.0, GiveUp),
        (p, 0, Status(503), None, false, 1.0, GiveUp),
        (None, 0, Status(503), None, true, 1.0, GiveUp),
        (policy(0, 10_000), 0, Status(503), None, true, 1.0, GiveUp),
        (p, 0, Status(429), Some(3.0), true, 1.0, WaitMs(3000)),
        (p, 0, Status(429), Some(10.0), true, 1.0, WaitMs(10_000)),
        (p, 0, Status(429), Some(10.0005), true, 1.0, GiveUp),
        (p, 0, Status(503), Some(0.0012), true, 1.0, WaitMs(2)),
        (p, 0, Status(503), Some(86_400.0), true, 1.0, GiveUp),
        (p, 0, Status(503), Some(f64::INFINITY), true, 1.0, GiveUp),
        (p, 0, Status(503), Some(f64::NAN), true, 1.0, WaitMs(250)),
        (p, 2, Status(429), Some(1.0), true, 1.0, GiveUp),
    ];
    for (pol, used, outcome, after, may, r, want) in table {
        assert_eq!(
            next_step(pol, used, outcome, after, may, r),
            want,
            "{pol:?} {used} {outcome:?} {after:?} {may}"
        );
    }
}
