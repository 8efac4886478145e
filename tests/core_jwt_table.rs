#![cfg(not(target_arch = "wasm32"))]
//! The JWT shape rules of API.md as a table: every case states the exact `SdkError`
//! variant and rule it must produce, or that it is accepted.

use partner_sdk::core::base64url;
use partner_sdk::core::error::SdkError;
use partner_sdk::core::json::SerdeJson;
use partner_sdk::core::jwt::{parse, Jwt, TokenRule};
use serde_json::{Map, Value};

type Claims = Map<String, Value>;

/// What a case must produce.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// Accepted.
    Accept,
    /// Refused with `SdkError::InvalidAccessToken(rule)`.
    Token(TokenRule),
    /// Refused with `SdkError::InvalidAccessTokenFormat(rule)`.
    Format(TokenRule),
}

use Expect::{Accept, Format, Token};
use TokenRule::*;

struct Case {
    name: &'static str,
    input: String,
    expect: Expect,
}

fn b64(text: &str) -> String {
    base64url::encode(text.as_bytes())
}

/// Standard (not url) base64 of `text`, unpadded; the test asserts it has `+` and `/`.
fn plus_slash(text: &str) -> String {
    let s = b64(text).replace('-', "+").replace('_', "/");
    assert!(
        s.contains('+') && s.contains('/'),
        "{text} gives no + and /"
    );
    s
}

/// Base64url of `text` with `=` padding (which the test asserts is there).
fn padded(text: &str) -> String {
    let mut s = b64(text);
    assert!(!s.len().is_multiple_of(4), "{text} needs no padding");
    while !s.len().is_multiple_of(4) {
        s.push('=');
    }
    s
}

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;
const PAYLOAD: &str = r#"{"sub":"user-1","partner_id":"p_42","exp":1900000000}"#;
const SIG: &str = "c2lnbmF0dXJlLWJ5dGVzLWhlcmU";

fn h() -> String {
    b64(HEADER)
}
fn p() -> String {
    b64(PAYLOAD)
}
/// A valid token.
fn valid() -> String {
    tok(&h(), &p(), SIG)
}
fn tok(header: &str, payload: &str, sig: &str) -> String {
    format!("{header}.{payload}.{sig}")
}
/// A token with this header JSON and the valid payload.
fn with_header(json: &str) -> String {
    tok(&b64(json), &p(), SIG)
}
/// A token with the valid header and this payload JSON.
fn with_payload(json: &str) -> String {
    tok(&h(), &b64(json), SIG)
}
/// A base64url segment whose length is ≡ 1 (mod 4).
fn len_1_mod_4(seg: &str) -> String {
    let mut s = seg.to_owned();
    while s.len() % 4 != 1 {
        s.push('A');
    }
    s
}

fn case(name: &'static str, input: impl Into<String>, expect: Expect) -> Case {
    Case {
        name,
        input: input.into(),
        expect,
    }
}

fn one_mib_claim() -> String {
    "a".repeat(1 << 20)
}

fn one_mib_token() -> String {
    with_payload(&format!(
        r#"{{"sub":"big","exp":1900000000,"blob":"{}"}}"#,
        one_mib_claim()
    ))
}

fn cases() -> Vec<Case> {
    let v = valid();
    let (hd, pl) = (h(), p());
    vec![
        // --- empty after trim: InvalidAccessToken ---
        case("empty", "", Token(Empty)),
        case("single space", " ", Token(Empty)),
        case("ascii whitespace only", " \t\n\r\x0B\x0C ", Token(Empty)),
        case("newlines only", "\n\n", Token(Empty)),
        // --- surrounding whitespace ---
        case("trailing newline", format!("{v}\n"), Accept),
        case("surrounding newlines", format!("\n{v}\n"), Accept),
        case("surrounding CRLF", format!("\r\n{v}\r\n"), Accept),
        case("surrounding spaces", format!("   {v}  "), Accept),
        case("surrounding tabs", format!("\t{v}\t\t"), Accept),
        case("surrounding vt and ff", format!("\x0B{v}\x0C"), Accept),
        case(
            "nbsp around",
            format!("\u{A0}{v}\u{A0}"),
            Format(NotBase64Url),
        ),
        case("nbsp before", format!("\u{A0}{v}"), Format(NotBase64Url)),
        case("nbsp only", "\u{A0}", Format(SegmentCount)),
        case(
            "em space after",
            format!("{v}\u{2003}"),
            Format(NotBase64Url),
        ),
        case("BOM before", format!("\u{FEFF}{v}"), Format(NotBase64Url)),
        case(
            "space inside a segment",
            tok(&format!("{hd} "), &pl, SIG),
            Format(NotBase64Url),
        ),
        // --- segment count ---
        case("1 segment", hd.clone(), Format(SegmentCount)),
        case("2 segments", format!("{hd}.{pl}"), Format(SegmentCount)),
        case("4 segments", format!("{v}.{SIG}"), Format(SegmentCount)),
        case(
            "5 segments",
            format!("{v}.{SIG}.{SIG}"),
            Format(SegmentCount),
        ),
        case(
            "trailing dot (4 segments)",
            format!("{v}."),
            Format(SegmentCount),
        ),
        // --- empty segments ---
        case("two dots only", "..", Format(EmptySegment)),
        case("empty header", tok("", &pl, SIG), Format(EmptySegment)),
        case("empty payload", tok(&hd, "", SIG), Format(EmptySegment)),
        case("empty signature", tok(&hd, &pl, ""), Format(EmptySegment)),
        // --- base64url alphabet and padding ---
        case(
            "padded header",
            tok(&padded(r#"{"alg":"HS256","x":12}"#), &pl, SIG),
            Format(NotBase64Url),
        ),
        case(
            "padded payload",
            tok(&hd, &padded(r#"{"sub":"u"}"#), SIG),
            Format(NotBase64Url),
        ),
        case(
            "padded signature",
            tok(&hd, &pl, "c2ln=="),
            Format(NotBase64Url),
        ),
        case(
            "+ and / in header",
            tok(&plus_slash(r#"{"alg":"HS256","k":"??>>"}"#), &pl, SIG),
            Format(NotBase64Url),
        ),
        case(
            "+ and / in payload",
            tok(&hd, &plus_slash(r#"{"sub":"??>>~~"}"#), SIG),
            Format(NotBase64Url),
        ),
        case(
            "+ in signature",
            tok(&hd, &pl, "ab+cd"),
            Format(NotBase64Url),
        ),
        case(
            "/ in signature",
            tok(&hd, &pl, "ab/cd"),
            Format(NotBase64Url),
        ),
        case(
            "! in signature",
            tok(&hd, &pl, "abc!"),
            Format(NotBase64Url),
        ),
        case(
            "* in header",
            tok(&format!("{hd}*"), &pl, SIG),
            Format(NotBase64Url),
        ),
        case(
            "$ in payload",
            tok(&hd, &format!("${pl}"), SIG),
            Format(NotBase64Url),
        ),
        case(
            "header length 1 mod 4",
            tok(&len_1_mod_4(&hd), &pl, SIG),
            Format(NotBase64Url),
        ),
        case(
            "payload length 1 mod 4",
            tok(&hd, &len_1_mod_4(&pl), SIG),
            Format(NotBase64Url),
        ),
        case(
            "signature length 1 mod 4",
            tok(&hd, &pl, "abcde"),
            Format(NotBase64Url),
        ),
        case(
            "signature of one char",
            tok(&hd, &pl, "A"),
            Format(NotBase64Url),
        ),
        case(
            "non-ASCII input",
            "héader.pâyload.sïgnature",
            Format(NotBase64Url),
        ),
        case("emoji segments", "🙂🙂.🙂🙂.🙂🙂", Format(NotBase64Url)),
        case(
            "non-ASCII signature",
            tok(&hd, &pl, "sïg"),
            Format(NotBase64Url),
        ),
        // --- invalid UTF-8 inside a valid base64url segment ---
        case(
            "invalid UTF-8 header",
            tok(&base64url::encode(b"{\"alg\":\"\xff\xfe\"}"), &pl, SIG),
            Format(HeaderNotJson),
        ),
        case(
            "invalid UTF-8 payload",
            tok(&hd, &base64url::encode(b"{\"sub\":\"\xc3\x28\"}"), SIG),
            Format(PayloadNotJson),
        ),
        // --- header JSON ---
        case(
            "header not JSON",
            with_header("not json"),
            Format(HeaderNotJson),
        ),
        case(
            "header truncated JSON",
            with_header(r#"{"alg":"HS256""#),
            Format(HeaderNotJson),
        ),
        case(
            "header with BOM",
            with_header("\u{FEFF}{\"alg\":\"HS256\"}"),
            Format(HeaderNotJson),
        ),
        case(
            "header JSON array",
            with_header(r#"["alg","HS256"]"#),
            Format(HeaderNotObject),
        ),
        case(
            "header JSON string",
            with_header(r#""HS256""#),
            Format(HeaderNotObject),
        ),
        case(
            "header JSON null",
            with_header("null"),
            Format(HeaderNotObject),
        ),
        case(
            "header JSON number",
            with_header("42"),
            Format(HeaderNotObject),
        ),
        // --- alg ---
        case("header empty object", with_header("{}"), Format(AlgMissing)),
        case(
            "missing alg",
            with_header(r#"{"typ":"JWT"}"#),
            Format(AlgMissing),
        ),
        case(
            "alg a number",
            with_header(r#"{"alg":256}"#),
            Format(AlgMissing),
        ),
        case(
            "alg null",
            with_header(r#"{"alg":null}"#),
            Format(AlgMissing),
        ),
        case(
            "alg an array",
            with_header(r#"{"alg":["HS256"]}"#),
            Format(AlgMissing),
        ),
        case(
            "alg none",
            with_header(r#"{"alg":"none"}"#),
            Format(AlgNone),
        ),
        case(
            "alg NONE",
            with_header(r#"{"alg":"NONE"}"#),
            Format(AlgNone),
        ),
        case(
            "alg None",
            with_header(r#"{"alg":"None","typ":"JWT"}"#),
            Format(AlgNone),
        ),
        case(
            "alg RS256",
            with_header(r#"{"alg":"RS256","kid":"k1"}"#),
            Accept,
        ),
        // Duplicate keys: the last one wins, as with JSON.parse in the browser.
        case(
            "duplicate alg, none last",
            with_header(r#"{"alg":"HS256","alg":"none"}"#),
            Format(AlgNone),
        ),
        case(
            "duplicate alg, HS256 last",
            with_header(r#"{"alg":"none","alg":"HS256"}"#),
            Accept,
        ),
        // --- payload JSON ---
        case(
            "payload not JSON",
            with_payload("hello"),
            Format(PayloadNotJson),
        ),
        case(
            "payload trailing garbage",
            with_payload(r#"{"a":1} x"#),
            Format(PayloadNotJson),
        ),
        case(
            "payload JSON array",
            with_payload("[1,2]"),
            Format(PayloadNotObject),
        ),
        case(
            "payload null",
            with_payload("null"),
            Format(PayloadNotObject),
        ),
        case(
            "payload number",
            with_payload("42"),
            Format(PayloadNotObject),
        ),
        case(
            "payload string",
            with_payload(r#""sub""#),
            Format(PayloadNotObject),
        ),
        case("payload empty object", with_payload("{}"), Accept),
        // --- time claims ---
        case(
            "string exp",
            with_payload(r#"{"exp":"1900000000"}"#),
            Format(ExpNotNumber),
        ),
        case(
            "string nbf",
            with_payload(r#"{"nbf":"1700000000"}"#),
            Format(NbfNotNumber),
        ),
        case(
            "string iat",
            with_payload(r#"{"iat":"1700000000"}"#),
            Format(IatNotNumber),
        ),
        case(
            "exp null",
            with_payload(r#"{"exp":null}"#),
            Format(ExpNotNumber),
        ),
        case(
            "exp bool",
            with_payload(r#"{"exp":true}"#),
            Format(ExpNotNumber),
        ),
        case(
            "exp object",
            with_payload(r#"{"exp":{"at":1}}"#),
            Format(ExpNotNumber),
        ),
        case(
            "nbf null",
            with_payload(r#"{"nbf":null}"#),
            Format(NbfNotNumber),
        ),
        case(
            "iat array",
            with_payload(r#"{"iat":[1]}"#),
            Format(IatNotNumber),
        ),
        case("float exp", with_payload(r#"{"exp":1900000000.5}"#), Accept),
        case("negative exp", with_payload(r#"{"exp":-1}"#), Accept),
        case("past exp", with_payload(r#"{"exp":1}"#), Accept),
        case("zero exp", with_payload(r#"{"exp":0}"#), Accept),
        case("exponent exp", with_payload(r#"{"exp":1.9e9}"#), Accept),
        case(
            "duplicate exp, number last",
            with_payload(r#"{"exp":"x","exp":5}"#),
            Accept,
        ),
        case(
            "duplicate exp, string last",
            with_payload(r#"{"exp":5,"exp":"x"}"#),
            Format(ExpNotNumber),
        ),
        case(
            "numeric exp nbf iat",
            with_payload(r#"{"exp":1900000000,"nbf":1700000000,"iat":1700000000}"#),
            Accept,
        ),
        // --- valid tokens ---
        case("valid with exp", v.clone(), Accept),
        case(
            "valid without exp",
            with_payload(r#"{"sub":"user-1","customer_id":"c_1"}"#),
            Accept,
        ),
        case(
            "valid nested claims",
            with_payload(r#"{"a":{"b":[1,2,{"c":null}]},"ok":true,"n":-0.5,"s":"é\u00e9"}"#),
            Accept,
        ),
        // --- size ---
        case("1 MiB valid token", one_mib_token(), Accept),
        case(
            "1 MiB garbage, no dots",
            "x".repeat(1 << 20),
            Format(SegmentCount),
        ),
        case(
            "1 MiB garbage, three segments",
            format!(
                "{}.{}.{}",
                "@".repeat(1 << 19),
                "@".repeat(1 << 18),
                "@".repeat(1 << 18)
            ),
            Format(NotBase64Url),
        ),
    ]
}

fn expected_error(expect: Expect) -> Option<SdkError> {
    match expect {
        Accept => None,
        Token(rule) => Some(SdkError::InvalidAccessToken(rule)),
        Format(rule) => Some(SdkError::InvalidAccessTokenFormat(rule)),
    }
}

/// The trimmed token and each of its segments, where long enough to be a leak.
fn secrets(input: &str) -> Vec<&str> {
    let trimmed = input.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\x0B');
    let mut out: Vec<&str> = trimmed.split('.').filter(|s| s.trim().len() >= 4).collect();
    if trimmed.len() >= 4 {
        out.push(trimmed);
    }
    out
}

fn show(input: &str) -> String {
    if input.len() > 80 {
        format!("<{} bytes>", input.len())
    } else {
        format!("{input:?}")
    }
}

fn check(c: &Case) -> Result<(), String> {
    let got = parse(&c.input, &SerdeJson);
    match (expected_error(c.expect), got) {
        (None, Ok(jwt)) => check_accepted(c, &jwt),
        (None, Err(rule)) => Err(format!("expected acceptance, got {rule:?}")),
        (Some(want), Ok(_)) => Err(format!("expected {want:?}, got acceptance")),
        (Some(want), Err(rule)) => {
            let err = SdkError::from(rule);
            if err != want {
                return Err(format!("expected {want:?}, got {err:?}"));
            }
            let code = match c.expect {
                Token(_) => "INVALID_ACCESS_TOKEN",
                _ => "INVALID_ACCESS_TOKEN_FORMAT",
            };
            if err.code() != code {
                return Err(format!("code {} instead of {code}", err.code()));
            }
            let message = err.to_string();
            let detail = err.message();
            if message != rule.message() || detail != rule.message() {
                return Err(format!(
                    "message {message:?} / detail {detail:?} do not name the rule"
                ));
            }
            for secret in secrets(&c.input) {
                if message.contains(secret)
                    || detail.contains(secret)
                    || format!("{err:?}").contains(secret)
                {
                    return Err("the error leaks the token or a segment of it".to_owned());
                }
            }
            Ok(())
        }
    }
}

fn check_accepted(c: &Case, jwt: &Jwt<Claims>) -> Result<(), String> {
    let trimmed = c
        .input
        .trim_matches(|ch: char| ch.is_ascii_whitespace() || ch == '\x0B');
    if jwt.token.secret() != trimmed {
        return Err("token is not the trimmed input".to_owned());
    }
    let mut segments = trimmed.split('.');
    let (Some(_), Some(payload), Some(signature)) =
        (segments.next(), segments.next(), segments.next())
    else {
        return Err("accepted token without three segments".to_owned());
    };
    let payload_text =
        String::from_utf8(base64url::decode(payload).unwrap_or_default()).unwrap_or_default();
    let want: Claims = serde_json::from_str(&payload_text).map_err(|e| e.to_string())?;
    if jwt.claims != want {
        return Err("claims differ from the payload".to_owned());
    }
    if jwt.claims_json != payload_text {
        return Err("claims_json differs from the payload text".to_owned());
    }
    let number = |k: &str| want.get(k).and_then(Value::as_f64);
    if jwt.times.exp != number("exp")
        || jwt.times.nbf != number("nbf")
        || jwt.times.iat != number("iat")
    {
        return Err(format!("times {:?} do not match the claims", jwt.times));
    }
    let debug = format!("{jwt:?}");
    if debug.contains(trimmed) || debug.contains(signature) {
        return Err("Debug of Jwt shows the token or its signature".to_owned());
    }
    if !debug.contains("[redacted]") {
        return Err("Debug of Jwt does not say [redacted]".to_owned());
    }
    Ok(())
}

#[test]
fn table_has_enough_cases() {
    let all = cases();
    assert!(all.len() >= 45, "only {} cases", all.len());
    let accepted = all.iter().filter(|c| c.expect == Accept).count();
    assert!(accepted >= 10 && all.len() - accepted >= 35);
    let mut names: Vec<_> = all.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), all.len(), "case names must be unique");
}

#[test]
fn every_case_gets_its_exact_variant_and_rule() {
    let failures: Vec<String> = cases()
        .iter()
        .filter_map(|c| {
            check(c)
                .err()
                .map(|why| format!("{} ({}): {why}", c.name, show(&c.input)))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} failing cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_rule_is_covered_by_the_table() {
    let all = cases();
    let rules = [
        Empty,
        SegmentCount,
        EmptySegment,
        NotBase64Url,
        HeaderNotJson,
        HeaderNotObject,
        AlgMissing,
        AlgNone,
        PayloadNotJson,
        PayloadNotObject,
        ExpNotNumber,
        NbfNotNumber,
        IatNotNumber,
    ];
    for rule in rules {
        assert!(
            all.iter()
                .any(|c| matches!(c.expect, Token(r) | Format(r) if r == rule)),
            "no case for {rule:?}"
        );
    }
}

#[test]
fn only_not_a_string_and_empty_are_invalid_access_token() {
    assert_eq!(
        SdkError::from(NotAString),
        SdkError::InvalidAccessToken(NotAString)
    );
    assert_eq!(SdkError::from(Empty), SdkError::InvalidAccessToken(Empty));
    assert_eq!(SdkError::from(NotAString).code(), "INVALID_ACCESS_TOKEN");
    for rule in [SegmentCount, NotBase64Url, AlgNone, ExpNotNumber] {
        assert_eq!(
            SdkError::from(rule),
            SdkError::InvalidAccessTokenFormat(rule)
        );
    }
}

#[test]
fn one_mib_token_keeps_its_claims() {
    let jwt = parse(&one_mib_token(), &SerdeJson).expect("1 MiB token is accepted");
    assert_eq!(
        jwt.claims.get("blob").and_then(Value::as_str),
        Some(one_mib_claim().as_str())
    );
    assert_eq!(jwt.claims.get("sub").and_then(Value::as_str), Some("big"));
    assert_eq!(jwt.times.exp, Some(1_900_000_000.0));
}

#[test]
fn typed_times_of_accepted_tokens() {
    let t = |json: &str| parse(&with_payload(json), &SerdeJson).map(|j| j.times);
    assert_eq!(
        t(r#"{"exp":1900000000.5}"#).map(|t| t.exp),
        Ok(Some(1_900_000_000.5))
    );
    assert_eq!(t(r#"{"exp":-1}"#).map(|t| t.exp), Ok(Some(-1.0)));
    assert_eq!(
        t(r#"{"sub":"x"}"#).map(|t| (t.exp, t.nbf, t.iat)),
        Ok((None, None, None))
    );
    assert_eq!(
        t(r#"{"exp":3,"nbf":2,"iat":1}"#).map(|t| (t.exp, t.nbf, t.iat)),
        Ok((Some(3.0), Some(2.0), Some(1.0)))
    );
}

#[test]
fn debug_of_accepted_jwt_is_redacted() {
    let v = valid();
    let jwt = parse(&format!(" {v}\n"), &SerdeJson).expect("valid");
    let debug = format!("{jwt:?}");
    assert!(debug.contains("[redacted]"), "{debug}");
    assert!(!debug.contains(&v));
    assert!(!debug.contains(SIG));
    assert!(!format!("{:#?}", jwt).contains(SIG));
    assert!(!format!("{:?}", jwt.token).contains(SIG));
}
