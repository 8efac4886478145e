#![cfg(not(target_arch = "wasm32"))]
//! Property tests of the pure core: no input panics, claims round-trip, base64url
//! round-trips, request paths stay at the API's origin, option validation is total.

use partner_sdk::core::base64url;
use partner_sdk::core::error::SdkError;
use partner_sdk::core::json::SerdeJson;
use partner_sdk::core::jwt::{parse, TokenRule};
use partner_sdk::core::options::{self, Entry, Value as Opt};
use partner_sdk::core::secret::Wiped;
use partner_sdk::core::url as sdk_url;
use proptest::prelude::*;
use serde_json::{Map, Number, Value};

fn is_trim_space(c: char) -> bool {
    c.is_ascii_whitespace() || c == '\x0B'
}

/// Parses and checks what holds for every input: no panic, `Empty` exactly when the
/// trimmed input is empty, a message that never repeats the input, and an accepted
/// token equal to the trimmed input.
fn parse_total(input: &str) {
    let trimmed = input.trim_matches(is_trim_space);
    match parse(input, &SerdeJson) {
        Ok(jwt) => {
            assert_eq!(jwt.token.secret(), trimmed);
            assert_eq!(trimmed.split('.').count(), 3);
            assert!(!format!("{jwt:?}").contains(trimmed));
        }
        Err(rule) => {
            assert_eq!(rule == TokenRule::Empty, trimmed.is_empty(), "{rule:?}");
            assert_ne!(rule, TokenRule::NotAString);
            let err = SdkError::from(rule);
            if trimmed.len() >= 4 {
                assert!(!err.to_string().contains(trimmed));
            }
        }
    }
}

fn b64(text: &str) -> String {
    base64url::encode(text.as_bytes())
}

/// A base64url signature of a length some encoding produces.
fn signature() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_-]{1,64}".prop_map(|mut s| {
        if s.len() % 4 == 1 {
            s.push('Q');
        }
        s
    })
}

/// Numbers that survive a trip through JSON text exactly.
fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (any::<i32>(), 0..8i32).prop_map(|(m, e)| {
            Number::from_f64(f64::from(m) / 2f64.powi(e)).map_or(Value::Null, Value::Number)
        }),
        Just(Value::from(1_900_000_000.5)),
        Just(Value::from(-1.25)),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        any::<String>().prop_map(Value::String),
        "[0-9]{1,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn claim_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just("exp".to_owned()),
        3 => Just("nbf".to_owned()),
        3 => Just("iat".to_owned()),
        1 => Just("sub".to_owned()),
        1 => Just("customer_id".to_owned()),
        4 => any::<String>(),
    ]
}

fn claims() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map(claim_key(), json_value(), 0..10)
        .prop_map(|m| m.into_iter().collect())
}

/// The rule a claims object breaks, if any, in the order the contract checks them.
fn time_rule(map: &Map<String, Value>) -> Option<TokenRule> {
    let bad = |k: &str| map.get(k).is_some_and(|v| !v.is_number());
    if bad("exp") {
        Some(TokenRule::ExpNotNumber)
    } else if bad("nbf") {
        Some(TokenRule::NbfNotNumber)
    } else if bad("iat") {
        Some(TokenRule::IatNotNumber)
    } else {
        None
    }
}

const BASES: [&str; 6] = [
    "https://api.example.com",
    "https://api.example.com/v2/",
    "https://API.Example.com:443/x",
    "https://api.example.com:8443",
    "http://localhost:8787",
    "http://[::1]:9/base",
];

fn whatwg_origin(s: &str) -> Option<String> {
    ::url::Url::parse(s)
        .ok()
        .map(|u| u.origin().ascii_serialization())
}

/// Paths built to probe origin pinning: schemes, hosts, ports, separators.
fn tricky_path() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(vec![
        "",
        "/",
        "//",
        "///",
        "/\\",
        "\\\\",
        "\\/",
        "https://",
        "http://",
        "HTTPS://",
        "https:/",
        "https:",
        "https:\\\\",
        "ws://",
        " https://",
        "\thttps://",
        "javascript:",
    ]);
    let host = prop::sample::select(vec![
        "api.example.com",
        "API.EXAMPLE.COM",
        "evil.com",
        "api.example.com.evil.com",
        "api.example.com@evil.com",
        "evil.com@api.example.com",
        "api.example.com.",
        "localhost",
        "127.0.0.1",
        "[::1]",
        "api%2eexample.com",
        "xn--e1afmkfd",
        "",
    ]);
    let port = prop::sample::select(vec![
        "", ":443", ":0443", ":8443", ":80", ":8787", ":9", ":", ":x",
    ]);
    let rest = "[/a-z?#@:.\\\\%-]{0,12}";
    (prefix, host, port, rest).prop_map(|(p, h, o, r)| format!("{p}{h}{o}{r}"))
}

fn check_resolve(base_text: &str, path: &str) -> Result<(), TestCaseError> {
    let base =
        sdk_url::parse_base_url(base_text).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let base_origin = whatwg_origin(&base.url);
    prop_assert_eq!(base_origin.as_deref(), Some(base.origin.as_str()));
    if let Ok(out) = sdk_url::resolve(&base, path) {
        let appended = out.starts_with(&base.url)
            && path.starts_with('/')
            && out.len() == base.url.len() + path.len();
        prop_assert!(
            appended || out == path,
            "resolve({base_text:?}, {path:?}) = {out:?}"
        );
        let out_origin = whatwg_origin(&out);
        prop_assert_eq!(
            out_origin.as_deref(),
            Some(base.origin.as_str()),
            "resolve({:?}, {:?}) = {:?} leaves the origin",
            base_text,
            path,
            out
        );
    }
    Ok(())
}

const OPTION_KEYS: [&str; 15] = [
    "accessToken",
    "environment",
    "baseUrl",
    "onAccessTokenExpired",
    "getAccessToken",
    "refreshTimeoutMs",
    "requestTimeoutMs",
    "refreshLeewaySeconds",
    "onTokenRefreshed",
    "apiKey",
    "applicationId",
    "applicationVersion",
    "constructor",
    "__proto__",
    "",
];

fn option_value() -> impl Strategy<Value = Opt> {
    prop_oneof![
        Just(Opt::Undefined),
        Just(Opt::Function),
        Just(Opt::Other),
        any::<String>().prop_map(|s| Opt::Str(Wiped::new(s))),
        prop::sample::select(vec![
            "production",
            "sandbox",
            "https://api.example.com/",
            "http://localhost:3000",
            "http://example.com",
            "https://x.com/?q",
            "https://u@x.com",
            "",
            " ",
            "ab.cd.ef",
        ])
        .prop_map(|s| Opt::Str(Wiped::from(s))),
        any::<f64>().prop_map(Opt::Number),
        prop::sample::select(vec![
            f64::NAN,
            f64::INFINITY,
            -0.0,
            0.5,
            1.0,
            1000.0,
            86_400.0,
            2_147_483_648.0
        ])
        .prop_map(Opt::Number),
    ]
}

fn entries() -> impl Strategy<Value = Vec<Entry>> {
    let key = prop_oneof![
        6 => prop::sample::select(OPTION_KEYS.to_vec()).prop_map(str::to_owned),
        1 => any::<String>(),
    ];
    prop::collection::vec(
        (key, option_value()).prop_map(|(key, value)| Entry { key, value }),
        0..12,
    )
}

const ERROR_KEYS: [&str; 6] = [
    "accessToken",
    "environment",
    "getAccessToken",
    "apiKey",
    "applicationId",
    "applicationVersion",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    // (a) No input panics `parse`.
    #[test]
    fn parse_never_panics_on_any_string(s in any::<String>()) {
        parse_total(&s);
    }

    #[test]
    fn parse_never_panics_on_three_base64ish_segments(
        a in "[A-Za-z0-9_=+/-]{0,40}",
        b in "[A-Za-z0-9_=+/.-]{0,40}",
        c in "[A-Za-z0-9_=+/-]{0,40}",
        pad in prop::sample::select(vec!["", " ", "\n", "\t\r\n", "\u{a0}"]),
    ) {
        parse_total(&format!("{pad}{a}.{b}.{c}{pad}"));
    }

    #[test]
    fn parse_never_panics_on_lossy_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        parse_total(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn parse_never_panics_on_encoded_arbitrary_segments(
        h in prop::collection::vec(any::<u8>(), 1..64),
        p in prop::collection::vec(any::<u8>(), 1..64),
        sig in signature(),
    ) {
        parse_total(&format!("{}.{}.{sig}", base64url::encode(&h), base64url::encode(&p)));
    }

    #[test]
    fn parse_never_panics_on_encoded_json_texts(
        h in prop::sample::select(vec![r#"{"alg":"HS256"}"#, r#"{"alg":"none"}"#, "[]", "null", "{", r#"{"alg":1}"#]),
        p in any::<String>(),
        sig in signature(),
    ) {
        parse_total(&format!("{}.{}.{sig}", b64(h), b64(&p)));
    }

    // (b) A token built from any JSON object round-trips its claims.
    #[test]
    fn claims_round_trip(map in claims(), sig in signature()) {
        let payload = serde_json::to_string(&map).expect("a map serializes");
        let token = format!("{}.{}.{sig}", b64(r#"{"alg":"HS256"}"#), b64(&payload));
        let got = parse(&token, &SerdeJson);
        match time_rule(&map) {
            Some(rule) => {
                prop_assert_eq!(got.as_ref().err().copied(), Some(rule));
                prop_assert_eq!(SdkError::from(rule), SdkError::InvalidAccessTokenFormat(rule));
            }
            None => {
                let jwt = got.map_err(|r| TestCaseError::fail(format!("refused: {r:?}")))?;
                prop_assert_eq!(&jwt.claims, &map);
                prop_assert_eq!(&jwt.claims_json, &payload);
                prop_assert_eq!(jwt.times.exp, map.get("exp").and_then(Value::as_f64));
                prop_assert_eq!(jwt.times.nbf, map.get("nbf").and_then(Value::as_f64));
                prop_assert_eq!(jwt.times.iat, map.get("iat").and_then(Value::as_f64));
                prop_assert_eq!(jwt.token.secret(), token.as_str());
                let debug = format!("{jwt:?}");
                prop_assert!(!debug.contains(&token));
                prop_assert!(!debug.contains(&sig) || sig.len() < 8 || payload.contains(&sig));
            }
        }
    }

    #[test]
    fn any_alg_but_none_is_accepted(
        // Any string, or "none" in some case: both sides of the rule are drawn.
        alg in prop_oneof![
            any::<String>(),
            prop::sample::select(vec!["none", "NONE", "None", "nOnE"]).prop_map(String::from),
        ],
        extra in any::<String>(),
        sig in signature(),
    ) {
        let header = serde_json::json!({ "alg": alg, "kid": extra }).to_string();
        let token = format!("{}.{}.{sig}", b64(&header), b64(r#"{"sub":"u"}"#));
        let got = parse(&token, &SerdeJson).map(|_| ());
        let want = if alg.eq_ignore_ascii_case("none") { Err(TokenRule::AlgNone) } else { Ok(()) };
        prop_assert_eq!(got, want);
    }

    // (c) base64url round-trips.
    #[test]
    fn base64url_round_trips(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let enc = base64url::encode(&bytes);
        prop_assert!(enc.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        prop_assert_eq!(enc.len(), (bytes.len() * 4).div_ceil(3));
        prop_assert_eq!(base64url::is_valid(&enc), !bytes.is_empty());
        prop_assert_eq!(base64url::decode(&enc), Some(bytes));
    }

    #[test]
    fn base64url_decode_is_total_and_strict(s in "[A-Za-z0-9_=+/. -]{0,40}") {
        let out = base64url::decode(&s);
        let alphabet = s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        prop_assert_eq!(out.is_some(), alphabet && s.len() % 4 != 1);
        prop_assert_eq!(base64url::is_valid(&s), out.is_some() && !s.is_empty());
        if let Some(bytes) = out {
            prop_assert_eq!(bytes.len(), s.len() * 3 / 4);
        }
    }

    // (d) `resolve` never leaves the base's origin.
    #[test]
    fn resolve_stays_at_origin_for_any_string(base in prop::sample::select(BASES.to_vec()), path in any::<String>()) {
        check_resolve(base, &path)?;
    }

    #[test]
    fn resolve_stays_at_origin_for_tricky_paths(base in prop::sample::select(BASES.to_vec()), path in tricky_path()) {
        check_resolve(base, &path)?;
    }

    // (e) Option validation never panics and always names a key it was given or needs.
    #[test]
    fn options_are_total(entries in entries()) {
        let given = |k: &str| entries.iter().any(|e| e.key == k);
        match options::alternative(&entries) {
            Ok(o) => {
                prop_assert!(!o.common.base.url.ends_with('/'));
                prop_assert!(o.common.refresh_timeout_ms >= 1 && o.common.request_timeout_ms >= 1);
                prop_assert!((0.0..=86_400.0).contains(&o.common.leeway_s));
            }
            Err(e) => prop_assert!(given(&e.key) || ERROR_KEYS.contains(&e.key.as_str()), "{e:?}"),
        }
        match options::safe(&entries) {
            Ok(o) => {
                prop_assert!(!o.common.base.url.ends_with('/'));
                prop_assert!(!o.api_key.trim().is_empty() && !o.application_id.trim().is_empty());
            }
            Err(e) => prop_assert!(given(&e.key) || ERROR_KEYS.contains(&e.key.as_str()) || e.key == "baseUrl", "{e:?}"),
        }
    }
}
