#![cfg(not(target_arch = "wasm32"))]
//! Option validation of API.md for `AlternativeClient.create` and `new SafeSDK`, as
//! tables: every key, wrong types, callbacks, `baseUrl` rules, `environment`, defaults.

use partner_sdk::core::error::{ConfigError, SdkError};
use partner_sdk::core::options::{
    self, AlternativeOptions, CallbackKey, Entry, SafeOptions, Value, PRODUCTION_URL, SANDBOX_URL,
};
use partner_sdk::core::secret::Wiped;
use partner_sdk::core::url::problem;

fn e(key: &str, value: Value) -> Entry {
    Entry {
        key: key.to_owned(),
        value,
    }
}
fn s(v: &str) -> Value {
    Value::Str(Wiped::from(v))
}
fn n(v: f64) -> Value {
    Value::Number(v)
}
const F: Value = Value::Function;
const O: Value = Value::Other;
const U: Value = Value::Undefined;

const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln";

/// `{ accessToken }`, the smallest valid `AlternativeClient` options.
fn alt_min() -> Vec<Entry> {
    vec![e("accessToken", s(TOKEN))]
}

/// The smallest valid `SafeSDK` options.
fn safe_min() -> Vec<Entry> {
    vec![
        e("apiKey", s("pk_test_1")),
        e("applicationId", s("app-1")),
        e("applicationVersion", s("1.2.3")),
        e("baseUrl", s("https://gatekeeper.example.com/")),
    ]
}

/// `base` with `key` set to `value` (replacing it, or added).
fn with(mut base: Vec<Entry>, key: &str, value: Value) -> Vec<Entry> {
    base.retain(|x| x.key != key);
    base.push(e(key, value));
    base
}

fn without(mut base: Vec<Entry>, key: &str) -> Vec<Entry> {
    base.retain(|x| x.key != key);
    base
}

fn alt(entries: &[Entry]) -> Result<AlternativeOptions, ConfigError> {
    options::alternative(entries)
}

fn safe(entries: &[Entry]) -> Result<SafeOptions, ConfigError> {
    options::safe(entries)
}

/// Asserts the error names `key`, in the struct and in the message the user sees.
fn assert_names(result: Result<impl std::fmt::Debug, ConfigError>, key: &str, what: &str) {
    let err = match result {
        Ok(ok) => panic!("{what}: expected an error naming `{key}`, got {ok:?}"),
        Err(err) => err,
    };
    assert_eq!(err.key, key, "{what}: {err:?}");
    let sdk = SdkError::from(err);
    assert_eq!(sdk.code(), "INVALID_CONFIGURATION", "{what}");
    let quoted = format!("`{key}`");
    assert!(sdk.to_string().contains(&quoted), "{what}: {sdk}");
    assert!(sdk.message().contains(&quoted), "{what}: {sdk}");
}

// ---------------------------------------------------------------- AlternativeClient

#[test]
fn alternative_minimal_gets_the_defaults() {
    let o = alt(&alt_min()).expect("valid");
    assert_eq!(o.access_token.as_deref(), Some(TOKEN));
    assert_eq!(
        o.common.base.url,
        "https://public-api.alternativepayments.io"
    );
    assert_eq!(
        o.common.base.origin,
        "https://public-api.alternativepayments.io"
    );
    assert_eq!(o.common.callback, None);
    assert!(!o.common.on_refreshed);
    assert_eq!(o.common.refresh_timeout_ms, 5000);
    assert_eq!(o.common.request_timeout_ms, 30000);
    assert_eq!(o.common.leeway_s, 30.0);
}

#[test]
fn alternative_accepts_every_key_of_the_contract() {
    let all = vec![
        e("accessToken", s(TOKEN)),
        e("environment", s("sandbox")),
        e("baseUrl", s("https://api.partner.test/v1/")),
        e("onAccessTokenExpired", F),
        e("refreshTimeoutMs", n(1234.0)),
        e("requestTimeoutMs", n(4321.0)),
        e("refreshLeewaySeconds", n(12.5)),
        e("onTokenRefreshed", F),
    ];
    let o = alt(&all).expect("valid");
    assert_eq!(o.common.base.url, "https://api.partner.test/v1");
    assert_eq!(o.common.base.origin, "https://api.partner.test");
    assert_eq!(o.common.callback, Some(CallbackKey::OnAccessTokenExpired));
    assert!(o.common.on_refreshed);
    assert_eq!(o.common.refresh_timeout_ms, 1234);
    assert_eq!(o.common.request_timeout_ms, 4321);
    assert_eq!(o.common.leeway_s, 12.5);

    let with_get = vec![e("getAccessToken", F), e("environment", s("production"))];
    let o = alt(&with_get).expect("getAccessToken without accessToken is valid");
    assert_eq!(o.access_token, None);
    assert_eq!(o.common.callback, Some(CallbackKey::GetAccessToken));
    assert_eq!(CallbackKey::GetAccessToken.key(), "getAccessToken");
    assert_eq!(
        CallbackKey::OnAccessTokenExpired.key(),
        "onAccessTokenExpired"
    );

    let both = alt(&with(alt_min(), "getAccessToken", F)).expect("accessToken plus getAccessToken");
    assert_eq!(both.access_token.as_deref(), Some(TOKEN));
    assert_eq!(both.common.callback, Some(CallbackKey::GetAccessToken));
}

#[test]
fn alternative_unknown_keys_are_named() {
    let unknown = [
        "accesstoken",
        "AccessToken",
        "token",
        "apiKey",
        "applicationId",
        "applicationVersion",
        "env",
        "baseURL",
        "base_url",
        "timeout",
        "onTokenExpired",
        "",
        "__proto__",
    ];
    for key in unknown {
        assert_names(alt(&with(alt_min(), key, s("x"))), key, key);
        assert_names(alt(&with(alt_min(), key, F)), key, key);
    }
}

/// `(key, wrong value)` pairs: a wrong type or an out-of-range number.
fn alternative_wrong_values() -> Vec<(&'static str, Value)> {
    let ms_bad = || {
        vec![
            s("5000"),
            F,
            O,
            n(0.0),
            n(-1.0),
            n(1.5),
            n(f64::NAN),
            n(f64::INFINITY),
            n(2_147_483_648.0),
        ]
    };
    let mut v: Vec<(&'static str, Value)> = vec![
        ("accessToken", n(1.0)),
        ("accessToken", F),
        ("accessToken", O),
        ("environment", n(1.0)),
        ("environment", F),
        ("environment", O),
        ("baseUrl", n(443.0)),
        ("baseUrl", F),
        ("baseUrl", O),
        ("onAccessTokenExpired", s("fn")),
        ("onAccessTokenExpired", n(1.0)),
        ("onAccessTokenExpired", O),
        ("getAccessToken", s("fn")),
        ("getAccessToken", O),
        ("onTokenRefreshed", s("fn")),
        ("onTokenRefreshed", O),
        ("refreshLeewaySeconds", s("30")),
        ("refreshLeewaySeconds", O),
        ("refreshLeewaySeconds", F),
        ("refreshLeewaySeconds", n(-1.0)),
        ("refreshLeewaySeconds", n(f64::NAN)),
        ("refreshLeewaySeconds", n(86_401.0)),
    ];
    for key in ["refreshTimeoutMs", "requestTimeoutMs"] {
        v.extend(ms_bad().into_iter().map(|val| (key, val)));
    }
    v
}

#[test]
fn alternative_wrong_types_and_ranges_are_named() {
    let cases = alternative_wrong_values();
    assert!(cases.len() >= 35);
    for (key, value) in cases {
        let what = format!("{key} = {value:?}");
        assert_names(alt(&with(alt_min(), key, value)), key, &what);
    }
}

#[test]
fn alternative_number_edges_are_accepted() {
    for (key, value, ok) in [
        ("refreshTimeoutMs", 1.0, true),
        ("refreshTimeoutMs", 2_147_483_647.0, true),
        ("requestTimeoutMs", 1.0, true),
        ("requestTimeoutMs", 2_147_483_647.0, true),
        ("refreshLeewaySeconds", 0.0, true),
        ("refreshLeewaySeconds", 0.5, true),
        ("refreshLeewaySeconds", 86_400.0, true),
    ] {
        assert_eq!(
            alt(&with(alt_min(), key, n(value))).is_ok(),
            ok,
            "{key} = {value}"
        );
    }
}

#[test]
fn alternative_callbacks_and_token_presence() {
    let both = vec![
        e("accessToken", s(TOKEN)),
        e("onAccessTokenExpired", F),
        e("getAccessToken", F),
    ];
    assert_names(alt(&both), "getAccessToken", "both callbacks");
    assert_names(
        alt(&both[1..]),
        "getAccessToken",
        "both callbacks, no token",
    );

    assert_names(alt(&[]), "accessToken", "no options");
    assert_names(
        alt(&[e("onAccessTokenExpired", F)]),
        "accessToken",
        "only onAccessTokenExpired",
    );
    assert_names(
        alt(&[e("environment", s("sandbox"))]),
        "accessToken",
        "only environment",
    );
    assert_names(
        alt(&[e("accessToken", U)]),
        "accessToken",
        "accessToken undefined",
    );
    assert_names(
        alt(&[e("accessToken", U), e("getAccessToken", U)]),
        "accessToken",
        "both undefined",
    );
    let o =
        alt(&[e("getAccessToken", F), e("onAccessTokenExpired", U)]).expect("undefined is absent");
    assert_eq!(o.common.callback, Some(CallbackKey::GetAccessToken));
    // The token's shape is not a configuration matter: create() reports it as a token error.
    assert_eq!(
        alt(&[e("accessToken", s(""))])
            .expect("shape is checked later")
            .access_token
            .as_deref(),
        Some("")
    );
}

#[test]
fn alternative_undefined_values_count_as_absent() {
    let minimal = alt(&alt_min()).expect("valid");
    for key in [
        "environment",
        "baseUrl",
        "onAccessTokenExpired",
        "getAccessToken",
        "refreshTimeoutMs",
        "requestTimeoutMs",
        "refreshLeewaySeconds",
        "onTokenRefreshed",
    ] {
        assert_eq!(
            alt(&with(alt_min(), key, U)).as_ref(),
            Ok(&minimal),
            "{key}: undefined"
        );
    }
}

#[test]
fn environment_mapping() {
    let env = |v: Value| alt(&with(alt_min(), "environment", v)).map(|o| o.common.base);
    assert_eq!(PRODUCTION_URL, "https://public-api.alternativepayments.io");
    assert_eq!(
        env(s("production")).map(|b| b.url),
        Ok(PRODUCTION_URL.to_owned())
    );
    assert_eq!(env(U).map(|b| b.url), Ok(PRODUCTION_URL.to_owned()));
    let sandbox = env(s("sandbox")).expect("sandbox");
    assert_eq!(sandbox.url, SANDBOX_URL);
    assert!(SANDBOX_URL.starts_with("https://") && !SANDBOX_URL.ends_with('/'));
    assert_ne!(SANDBOX_URL, PRODUCTION_URL);
    for bad in [
        "staging",
        "Production",
        "SANDBOX",
        "prod",
        "",
        " production",
        "https://x.com",
    ] {
        assert_names(env(s(bad)), "environment", bad);
    }
    // baseUrl overrides environment.
    for environment in [s("production"), s("sandbox"), U] {
        let o = alt(&[
            e("accessToken", s(TOKEN)),
            e("environment", environment),
            e("baseUrl", s("http://localhost:8787/")),
        ])
        .expect("valid");
        assert_eq!(o.common.base.url, "http://localhost:8787");
    }
    // A wrong value is still named when baseUrl is given.
    assert_names(
        alt(&[
            e("accessToken", s(TOKEN)),
            e("environment", s("staging")),
            e("baseUrl", s("https://x.com")),
        ]),
        "environment",
        "environment 'staging' with baseUrl",
    );
    assert_names(
        alt(&[
            e("accessToken", s(TOKEN)),
            e("environment", n(1.0)),
            e("baseUrl", s("https://x.com")),
        ]),
        "environment",
        "environment number with baseUrl",
    );
}

// ---------------------------------------------------------------- baseUrl (both classes)

enum Want {
    /// Accepted, with this url and origin.
    Ok(&'static str, &'static str),
    /// Refused with this problem.
    Err(&'static str),
}

fn base_url_cases() -> Vec<(&'static str, Want)> {
    use Want::{Err, Ok};
    vec![
        (
            "https://api.example.com",
            Ok("https://api.example.com", "https://api.example.com"),
        ),
        (
            "https://api.example.com/",
            Ok("https://api.example.com", "https://api.example.com"),
        ),
        (
            "https://api.example.com/v1/",
            Ok("https://api.example.com/v1", "https://api.example.com"),
        ),
        (
            "https://api.example.com/v1//",
            Ok("https://api.example.com/v1", "https://api.example.com"),
        ),
        (
            "https://api.example.com:8443/",
            Ok(
                "https://api.example.com:8443",
                "https://api.example.com:8443",
            ),
        ),
        (
            "https://API.Example.COM:443",
            Ok("https://API.Example.COM:443", "https://api.example.com"),
        ),
        (
            "HTTPS://api.example.com",
            Ok("HTTPS://api.example.com", "https://api.example.com"),
        ),
        (
            "https://10.0.0.1/api",
            Ok("https://10.0.0.1/api", "https://10.0.0.1"),
        ),
        (
            "http://localhost",
            Ok("http://localhost", "http://localhost"),
        ),
        (
            "http://localhost:8787/",
            Ok("http://localhost:8787", "http://localhost:8787"),
        ),
        (
            "http://LOCALHOST:3000",
            Ok("http://LOCALHOST:3000", "http://localhost:3000"),
        ),
        (
            "http://127.0.0.1:3000/api/",
            Ok("http://127.0.0.1:3000/api", "http://127.0.0.1:3000"),
        ),
        (
            "http://[::1]:8080/",
            Ok("http://[::1]:8080", "http://[::1]:8080"),
        ),
        ("http://[::1]", Ok("http://[::1]", "http://[::1]")),
        (
            "http://localhost:80",
            Ok("http://localhost:80", "http://localhost"),
        ),
        ("http://example.com", Err(problem::HTTP_NOT_LOCAL)),
        ("http://api.example.com/", Err(problem::HTTP_NOT_LOCAL)),
        ("http://localhost.evil.com", Err(problem::HTTP_NOT_LOCAL)),
        ("http://127.0.0.2", Err(problem::HTTP_NOT_LOCAL)),
        ("http://0.0.0.0:8080", Err(problem::HTTP_NOT_LOCAL)),
        ("http://[::2]", Err(problem::HTTP_NOT_LOCAL)),
        ("https://api.example.com/?a=1", Err(problem::QUERY)),
        ("https://api.example.com?", Err(problem::QUERY)),
        ("https://api.example.com/v1#frag", Err(problem::QUERY)),
        ("https://api.example.com#", Err(problem::QUERY)),
        ("https://user@api.example.com", Err(problem::NOT_ABSOLUTE)),
        (
            "https://user:pw@api.example.com/",
            Err(problem::NOT_ABSOLUTE),
        ),
        ("https://@api.example.com", Err(problem::NOT_ABSOLUTE)),
        ("http://user@localhost", Err(problem::NOT_ABSOLUTE)),
        ("", Err(problem::NOT_ABSOLUTE)),
        ("api.example.com", Err(problem::NOT_ABSOLUTE)),
        ("/v1", Err(problem::NOT_ABSOLUTE)),
        ("//api.example.com", Err(problem::NOT_ABSOLUTE)),
        ("https://", Err(problem::NOT_ABSOLUTE)),
        ("https:///v1", Err(problem::NOT_ABSOLUTE)),
        ("ftp://api.example.com", Err(problem::NOT_ABSOLUTE)),
        ("wss://api.example.com", Err(problem::NOT_ABSOLUTE)),
        ("javascript:alert(1)", Err(problem::NOT_ABSOLUTE)),
        ("data:text/plain,x", Err(problem::NOT_ABSOLUTE)),
        (" https://api.example.com", Err(problem::NOT_ABSOLUTE)),
        ("https://api.example.com/ v1", Err(problem::NOT_ABSOLUTE)),
        ("https:\\\\api.example.com", Err(problem::NOT_ABSOLUTE)),
        ("https://api.example.com:99999", Err(problem::NOT_ABSOLUTE)),
        ("https://exämple.com", Err(problem::NOT_ABSOLUTE)),
    ]
}

#[test]
fn base_url_rules_for_both_classes() {
    let cases = base_url_cases();
    assert!(cases.len() >= 40);
    for (input, want) in cases {
        let a = alt(&with(alt_min(), "baseUrl", s(input))).map(|o| o.common.base);
        let b = safe(&with(safe_min(), "baseUrl", s(input))).map(|o| o.common.base);
        for (class, got) in [("AlternativeClient", a), ("SafeSDK", b)] {
            match (&want, got) {
                (Want::Ok(url, origin), Ok(base)) => {
                    assert_eq!(
                        (base.url.as_str(), base.origin.as_str()),
                        (*url, *origin),
                        "{class} {input:?}"
                    );
                }
                (Want::Err(p), Err(err)) => {
                    // SafeSDK's baseUrl is required: an empty one is reported as missing.
                    if !(class == "SafeSDK" && input.is_empty()) {
                        assert_eq!(err.problem, *p, "{class} {input:?}");
                    }
                    assert_names(Err::<(), _>(err), "baseUrl", input);
                }
                (Want::Ok(..), Err(err)) => panic!("{class} {input:?}: refused: {err:?}"),
                (Want::Err(p), Ok(base)) => {
                    panic!("{class} {input:?}: accepted {base:?}, wanted {p}")
                }
            }
        }
    }
}

// ---------------------------------------------------------------- SafeSDK

#[test]
fn safe_minimal_and_full() {
    let o = safe(&safe_min()).expect("valid");
    assert_eq!(o.api_key, "pk_test_1");
    assert_eq!(o.application_id, "app-1");
    assert_eq!(o.application_version, "1.2.3");
    assert_eq!(o.common.base.url, "https://gatekeeper.example.com");
    assert_eq!(o.common.callback, None);
    assert_eq!(o.common.refresh_timeout_ms, 5000);
    assert_eq!(o.common.request_timeout_ms, 30000);

    let mut full = safe_min();
    full.extend([
        e("onAccessTokenExpired", F),
        e("refreshTimeoutMs", n(800.0)),
        e("requestTimeoutMs", n(9000.0)),
    ]);
    let o = safe(&full).expect("valid");
    assert_eq!(o.common.callback, Some(CallbackKey::OnAccessTokenExpired));
    assert_eq!(
        (o.common.refresh_timeout_ms, o.common.request_timeout_ms),
        (800, 9000)
    );

    let o = safe(&with(safe_min(), "getAccessToken", F)).expect("valid");
    assert_eq!(o.common.callback, Some(CallbackKey::GetAccessToken));
}

#[test]
fn safe_required_keys_missing_empty_undefined_or_wrong_type() {
    for key in ["apiKey", "applicationId", "applicationVersion", "baseUrl"] {
        assert_names(
            safe(&without(safe_min(), key)),
            key,
            &format!("{key} missing"),
        );
        for value in [s(""), s("   "), U, n(1.0), F, O] {
            let what = format!("{key} = {value:?}");
            assert_names(safe(&with(safe_min(), key, value)), key, &what);
        }
    }
}

#[test]
fn safe_refuses_an_api_key_no_header_can_carry_and_dot_segments() {
    for bad in ["a\nb", "a\rb", "a\0b", "k\u{100}", "ключ"] {
        assert_names(safe(&with(safe_min(), "apiKey", s(bad))), "apiKey", bad);
    }
    for ok in ["key_123", "caf\u{e9}", "a b\tc"] {
        assert!(safe(&with(safe_min(), "apiKey", s(ok))).is_ok(), "{ok:?}");
    }
    for key in ["applicationId", "applicationVersion"] {
        for bad in [".", ".."] {
            assert_names(safe(&with(safe_min(), key, s(bad))), key, bad);
        }
        assert!(safe(&with(safe_min(), key, s("..."))).is_ok());
    }
}

#[test]
fn safe_unknown_keys_are_named() {
    for key in [
        "accessToken",
        "environment",
        "apikey",
        "api_key",
        "appId",
        "version",
        "foo",
        "",
    ] {
        assert_names(safe(&with(safe_min(), key, s("x"))), key, key);
    }
}

#[test]
fn safe_wrong_types_and_callbacks() {
    let cases: Vec<(&str, Value)> = vec![
        ("onAccessTokenExpired", s("fn")),
        ("onAccessTokenExpired", O),
        ("getAccessToken", n(1.0)),
        ("getAccessToken", O),
        ("refreshTimeoutMs", s("5000")),
        ("refreshTimeoutMs", n(0.0)),
        ("refreshTimeoutMs", n(2.5)),
        ("requestTimeoutMs", O),
        ("requestTimeoutMs", n(-30.0)),
        ("requestTimeoutMs", n(f64::NAN)),
    ];
    for (key, value) in cases {
        let what = format!("{key} = {value:?}");
        assert_names(safe(&with(safe_min(), key, value)), key, &what);
    }
    let mut both = safe_min();
    both.extend([e("onAccessTokenExpired", F), e("getAccessToken", F)]);
    assert_names(safe(&both), "getAccessToken", "both callbacks");
}

#[test]
fn safe_undefined_values_count_as_absent() {
    let minimal = safe(&safe_min()).expect("valid");
    for key in [
        "onAccessTokenExpired",
        "getAccessToken",
        "refreshTimeoutMs",
        "requestTimeoutMs",
    ] {
        assert_eq!(
            safe(&with(safe_min(), key, U)).as_ref(),
            Ok(&minimal),
            "{key}: undefined"
        );
    }
}

/// `{ companyName, subaccountId, getAccessToken, baseUrl }`, the smallest valid form.
fn form_min() -> Vec<Entry> {
    vec![
        e("companyName", s("Demo Shop")),
        e("subaccountId", s("sub_demo")),
        e("getAccessToken", F),
        e("baseUrl", s("https://vendor.example")),
    ]
}

fn form_with(extra: &[(&str, Value)]) -> Result<options::EnrollmentOptions, ConfigError> {
    let mut entries = form_min();
    entries.extend(extra.iter().map(|(k, v)| e(k, v.clone())));
    options::enrollment(&entries)
}

#[test]
fn enrollment_minimal_and_defaults() {
    let o = options::enrollment(&form_min()).unwrap();
    assert_eq!(o.company_name, "Demo Shop");
    assert_eq!(o.subaccount_id, "sub_demo");
    assert_eq!(o.common.callback, Some(CallbackKey::GetAccessToken));
    assert_eq!(o.common.refresh_timeout_ms, 5_000);
    assert_eq!(o.common.base.origin, "https://vendor.example");
    let all = form_with(&[
        ("container", O),
        ("onSuccess", F),
        ("onError", F),
        ("onCancel", F),
        ("refreshTimeoutMs", n(800.0)),
    ])
    .unwrap();
    assert_eq!(all.common.refresh_timeout_ms, 800);
}

#[test]
fn enrollment_names_the_key_at_fault() {
    let key = |r: Result<options::EnrollmentOptions, ConfigError>| r.unwrap_err().key;
    for required in ["companyName", "subaccountId", "getAccessToken", "baseUrl"] {
        let entries: Vec<Entry> = form_min()
            .into_iter()
            .filter(|e| e.key != required)
            .collect();
        assert_eq!(key(options::enrollment(&entries)), required);
    }
    let cases: [(&str, Value); 14] = [
        ("companyName", s("  ")),
        ("companyName", s(&"x".repeat(101))),
        ("companyName", s("a\nb")),
        ("subaccountId", n(7.0)),
        ("subaccountId", s("..")),
        ("subaccountId", s(".")),
        ("getAccessToken", s("fn")),
        ("baseUrl", s("http://vendor.example")),
        ("onSuccess", O),
        ("onError", s("x")),
        ("onCancel", n(1.0)),
        ("container", s("#form")),
        ("refreshTimeoutMs", n(0.0)),
        ("accessToken", s(TOKEN)),
    ];
    for (k, v) in cases {
        assert_eq!(key(form_with(&[(k, v.clone())])), k, "{k}: {v:?}");
    }
    // Options of the other classes are not options of the form.
    for k in [
        "onAccessTokenExpired",
        "retry",
        "requestTimeoutMs",
        "environment",
    ] {
        assert_eq!(key(form_with(&[(k, F)])), k);
    }
    assert_eq!(
        form_with(&[("container", s("#x"))]).unwrap_err().problem,
        options::NOT_ELEMENT
    );
}

/// The token given as `accessToken` never shows in `Debug` output, of the options or of
/// the entries they were read from.
#[test]
fn debug_output_never_shows_the_access_token() {
    let entries = vec![
        e("accessToken", s(TOKEN)),
        e("baseUrl", s("https://api.example")),
    ];
    let read = options::alternative(&entries).unwrap();
    assert_eq!(read.access_token.as_deref(), Some(TOKEN));
    let shown = format!("{read:?} {entries:?} {:?}", options::alternative(&entries));
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
    assert!(shown.contains("https://api.example"), "{shown}");
}
