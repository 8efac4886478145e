//! Option validation on arbitrary entries: never a panic; every error names a key.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use partner_sdk::core::options::{self, Entry, Value};

const KEYS: [&str; 14] = [
    "accessToken", "environment", "baseUrl", "onAccessTokenExpired", "getAccessToken",
    "refreshTimeoutMs", "requestTimeoutMs", "refreshLeewaySeconds", "onTokenRefreshed",
    "apiKey", "applicationId", "applicationVersion", "constructor", "__proto__",
];

#[derive(Arbitrary, Debug)]
enum V {
    Undefined,
    Str(String),
    Number(f64),
    Function,
    Other,
}

#[derive(Arbitrary, Debug)]
struct E {
    known: Option<u8>,
    key: String,
    value: V,
}

fn entry(e: E) -> Entry {
    let key = match e.known {
        Some(i) => KEYS[usize::from(i) % KEYS.len()].to_owned(),
        None => e.key,
    };
    let value = match e.value {
        V::Undefined => Value::Undefined,
        V::Str(s) => Value::Str(s),
        V::Number(n) => Value::Number(n),
        V::Function => Value::Function,
        V::Other => Value::Other,
    };
    Entry { key, value }
}

fuzz_target!(|input: Vec<E>| {
    let entries: Vec<Entry> = input.into_iter().map(entry).collect();
    let given = |k: &str| entries.iter().any(|e| e.key == k);
    for result in [options::alternative(&entries).err(), options::safe(&entries).err()] {
        if let Some(e) = result {
            assert!(!e.problem.is_empty());
            assert!(given(&e.key) || KEYS.contains(&e.key.as_str()), "unnamed key {:?}", e.key);
        }
    }
    if let Ok(o) = options::alternative(&entries) {
        assert!(o.common.base.url.starts_with("http"));
        assert!(!o.common.base.url.ends_with('/'));
        assert!(o.common.refresh_timeout_ms >= 1 && o.common.request_timeout_ms >= 1);
    }
});
